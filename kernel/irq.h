/* Hardware interrupt lines (8259 PIC, IRQ 0-15 at vectors 32-47).
 * A handler runs with interrupts off; it acknowledges its device, notes the
 * event and wakes a thread. The dispatcher sends the EOI. */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#define IRQ_VECTOR_BASE 32
#define IRQ_LINES 16

typedef void (*irq_handler_fn)(void *arg);

/* Install handler on line (sharing allowed: up to 4 per line) and unmask it. */
int irq_install(unsigned line, irq_handler_fn fn, void *arg);
void irq_mask(unsigned line);
void irq_unmask(unsigned line);
/* Interrupts taken per line, for the shell. */
uint64_t irq_count(unsigned line);

/* Program the PICs (IRQ 0-15 to vectors 32-47, all masked). */
void irq_init(void);
/* Called by the interrupt entry for vectors 32-47. */
void irq_dispatch(unsigned line);

#endif
