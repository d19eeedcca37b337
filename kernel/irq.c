/* The 8259A PIC pair and hardware interrupt dispatch.
 * Port numbers and ICW/OCW bits from the Intel 8259A datasheet. */
#include "kernel/irq.h"

#include <stddef.h>

#include "kernel/io.h"

enum {
	PIC1_CMD = 0x20, PIC1_DATA = 0x21,
	PIC2_CMD = 0xA0, PIC2_DATA = 0xA1,
	PIC_ICW1_INIT = 0x10, PIC_ICW1_ICW4 = 0x01,
	PIC_ICW4_8086 = 0x01,
	PIC_OCW2_EOI = 0x20,
	PIC_OCW3_READ_ISR = 0x0B,
	PIC_CASCADE_IRQ = 2,
	IRQ_HANDLERS_PER_LINE = 4,
};

struct irq_slot {
	irq_handler_fn fn;
	void *arg;
};

static struct irq_slot irq_slots[IRQ_LINES][IRQ_HANDLERS_PER_LINE];
static uint64_t irq_counts[IRQ_LINES];
static uint64_t irq_spurious;

static void pic_set_mask(unsigned line, bool masked)
{
	uint16_t port = line < 8 ? PIC1_DATA : PIC2_DATA;
	uint8_t bit = (uint8_t)(1u << (line & 7));
	uint64_t flags = irq_save();
	uint8_t m = inb(port);
	outb(port, masked ? (m | bit) : (m & ~bit));
	irq_restore(flags);
}

void irq_init(void)
{
	outb(PIC1_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4); io_wait();
	outb(PIC2_CMD, PIC_ICW1_INIT | PIC_ICW1_ICW4); io_wait();
	outb(PIC1_DATA, IRQ_VECTOR_BASE); io_wait();       /* ICW2: vector offsets */
	outb(PIC2_DATA, IRQ_VECTOR_BASE + 8); io_wait();
	outb(PIC1_DATA, 1 << PIC_CASCADE_IRQ); io_wait();  /* ICW3: slave on IRQ2 */
	outb(PIC2_DATA, PIC_CASCADE_IRQ); io_wait();
	outb(PIC1_DATA, PIC_ICW4_8086); io_wait();
	outb(PIC2_DATA, PIC_ICW4_8086); io_wait();
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	pic_set_mask(PIC_CASCADE_IRQ, false);
}

void irq_mask(unsigned line)
{
	if (line < IRQ_LINES)
		pic_set_mask(line, true);
}

void irq_unmask(unsigned line)
{
	if (line < IRQ_LINES)
		pic_set_mask(line, false);
}

int irq_install(unsigned line, irq_handler_fn fn, void *arg)
{
	if (line >= IRQ_LINES || fn == NULL)
		return -1;
	uint64_t flags = irq_save();
	for (int i = 0; i < IRQ_HANDLERS_PER_LINE; i++) {
		if (irq_slots[line][i].fn == NULL) {
			irq_slots[line][i] = (struct irq_slot){ fn, arg };
			irq_restore(flags);
			irq_unmask(line);
			return 0;
		}
	}
	irq_restore(flags);
	return -1;
}

uint64_t irq_count(unsigned line)
{
	return line < IRQ_LINES ? irq_counts[line] : irq_spurious;
}

/* IRQ 7 and 15 can be spurious: the PIC raises them when the request went
 * away before acknowledgement. Its in-service register tells. */
static bool irq_is_spurious(unsigned line)
{
	if (line != 7 && line != 15)
		return false;
	uint16_t cmd = line == 7 ? PIC1_CMD : PIC2_CMD;
	outb(cmd, PIC_OCW3_READ_ISR);
	if (inb(cmd) & 0x80)
		return false;
	if (line == 15) /* the master did see a (cascade) interrupt */
		outb(PIC1_CMD, PIC_OCW2_EOI);
	return true;
}

void irq_dispatch(unsigned line)
{
	if (irq_is_spurious(line)) {
		irq_spurious++;
		return;
	}
	irq_counts[line]++;
	for (int i = 0; i < IRQ_HANDLERS_PER_LINE && irq_slots[line][i].fn; i++)
		irq_slots[line][i].fn(irq_slots[line][i].arg);
	if (line >= 8)
		outb(PIC2_CMD, PIC_OCW2_EOI);
	outb(PIC1_CMD, PIC_OCW2_EOI);
}
