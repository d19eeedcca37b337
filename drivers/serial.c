/* 16550 UART driver: polled transmit, interrupt-driven receive.
 * Register layout from the National Semiconductor PC16550D datasheet. */
#include "drivers/serial.h"

#include "kernel/console.h"
#include "kernel/io.h"
#include "kernel/irq.h"

enum {
	UART_RBR = 0, /* Receiver Buffer (read, DLAB=0) */
	UART_THR = 0, /* Transmitter Holding (write, DLAB=0) */
	UART_DLL = 0, /* Divisor Latch LSB (DLAB=1) */
	UART_IER = 1, /* Interrupt Enable (DLAB=0) */
	UART_IER_RDA = 0x01, /* received data available */
	UART_DLM = 1, /* Divisor Latch MSB (DLAB=1) */
	UART_IIR = 2, /* Interrupt Identification (read) */
	UART_FCR = 2, /* FIFO Control (write) */
	UART_FCR_ENABLE = 0x01,
	UART_FCR_CLEAR_RX = 0x02,
	UART_FCR_CLEAR_TX = 0x04,
	UART_FCR_TRIGGER_1 = 0x00, /* interrupt on every byte: typing latency matters more */
	UART_LCR = 3, /* Line Control */
	UART_LCR_8N1 = 0x03,
	UART_LCR_DLAB = 0x80,
	UART_MCR = 4, /* Modem Control */
	UART_MCR_DTR = 0x01,
	UART_MCR_RTS = 0x02,
	UART_MCR_OUT2 = 0x08, /* gates the IRQ line on PC compatibles */
	UART_LSR = 5, /* Line Status */
	UART_LSR_DR = 0x01,   /* data ready */
	UART_LSR_THRE = 0x20, /* transmit holding register empty */
	UART_SCR = 7, /* Scratch */
};

#define UART_CLOCK_DIVISOR_115200 1

bool serial_present(uint16_t base)
{
	outb(base + UART_SCR, 0x5a);
	return inb(base + UART_SCR) == 0x5a;
}

void serial_init(uint16_t base)
{
	outb(base + UART_IER, 0);
	outb(base + UART_LCR, UART_LCR_DLAB);
	outb(base + UART_DLL, UART_CLOCK_DIVISOR_115200 & 0xff);
	outb(base + UART_DLM, UART_CLOCK_DIVISOR_115200 >> 8);
	outb(base + UART_LCR, UART_LCR_8N1);
	outb(base + UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX | UART_FCR_TRIGGER_1);
	outb(base + UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
}

void serial_putc(uint16_t base, char c)
{
	/* Bounded wait: a UART that never drains must not hang a panic report. */
	for (int spins = 0; spins < 100000; spins++) {
		if (inb(base + UART_LSR) & UART_LSR_THRE)
			break;
		cpu_relax();
	}
	outb(base + UART_THR, (uint8_t)c);
}

bool serial_tx_ready(uint16_t base)
{
	return (inb(base + UART_LSR) & UART_LSR_THRE) != 0;
}

static void serial_irq(void *arg)
{
	uint16_t base = (uint16_t)(uintptr_t)arg;
	/* Reading RBR until LSR.DR clears acknowledges the interrupt. */
	for (int n = 0; n < 64 && (inb(base + UART_LSR) & UART_LSR_DR); n++)
		console_input_byte(inb(base + UART_RBR));
}

void serial_enable_rx_irq(uint16_t base, unsigned irq)
{
	irq_install(irq, serial_irq, (void *)(uintptr_t)base);
	outb(base + UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	outb(base + UART_IER, UART_IER_RDA);
	/* Drain anything that arrived before the interrupt was wired. */
	serial_irq((void *)(uintptr_t)base);
}
