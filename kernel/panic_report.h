/* The panic report for CPU exceptions (kernel/panic.c). */
#ifndef KERNEL_PANIC_REPORT_H
#define KERNEL_PANIC_REPORT_H

#include "kernel/idt.h"

/* Print vector, error code, registers, CR2/CR3 and a backtrace; halt. */
void panic_exception(const struct int_frame *f) __attribute__((noreturn));

#endif
