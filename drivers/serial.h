/* The 16550 UART on COM1: the console every test talks to. */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

#define COM1_BASE 0x3F8
#define COM1_IRQ 4
#define COM2_BASE 0x2F8 /* the packet-capture port (user/cmd_capture.c) */

/* Program 115200 8N1 with FIFOs; usable at once, polled, before interrupts. */
void serial_init(uint16_t base);
void serial_putc(uint16_t base, char c);
/* Is there room for a byte now (THR empty)? Lets a thread yield instead of
 * spinning while a slow port drains. */
bool serial_tx_ready(uint16_t base);
/* Enable the receive interrupt; received bytes go to console_input_byte(). */
void serial_enable_rx_irq(uint16_t base, unsigned irq);
bool serial_present(uint16_t base);

#endif
