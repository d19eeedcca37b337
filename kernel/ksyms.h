/* The kernel's own symbol table, embedded at build time (tools/ksyms.awk and
 * the two-pass link in the Makefile), so that a panic backtrace names the
 * functions it passes through without a host-side lookup. */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <stdint.h>

/* The function containing addr: its name, and *offset = addr - its start.
 * NULL when addr is in no known function. Allocates nothing and takes no
 * lock, so the panic path may call it. */
const char *ksyms_lookup(uint64_t addr, uint64_t *offset);

#endif
