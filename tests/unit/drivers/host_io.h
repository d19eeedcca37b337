/* Host stand-in for kernel/io.h, forced in with -include so the drivers'
 * own #include "kernel/io.h" finds its guard already defined. Memory-mapped
 * registers are plain memory here, barriers are real, and the instructions
 * a user process may not execute (cli, port I/O) are replaced: interrupt
 * masking becomes a flag the tests can check, and port I/O aborts, since
 * tests reach PCI configuration space through struct pci_config_ops. */
#ifndef KERNEL_IO_H
#define KERNEL_IO_H

#include <stdint.h>
#include <stdlib.h>

static inline void host_io_forbidden(void) { abort(); }
static inline void outb(uint16_t port, uint8_t v) { (void)port; (void)v; host_io_forbidden(); }
static inline void outw(uint16_t port, uint16_t v) { (void)port; (void)v; host_io_forbidden(); }
static inline void outl(uint16_t port, uint32_t v) { (void)port; (void)v; host_io_forbidden(); }
static inline uint8_t inb(uint16_t port) { (void)port; host_io_forbidden(); return 0; }
static inline uint16_t inw(uint16_t port) { (void)port; host_io_forbidden(); return 0; }
static inline uint32_t inl(uint16_t port) { (void)port; host_io_forbidden(); return 0; }

static inline uint32_t mmio_read32(volatile void *addr) { return *(volatile uint32_t *)addr; }
/* A test may watch every register write (fake_pci.c holds the pointer). */
extern void (*host_mmio_write_hook)(volatile void *addr, uint32_t v);
static inline void mmio_write32(volatile void *addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
	if (host_mmio_write_hook)
		host_mmio_write_hook(addr, v);
}

#define barrier() __asm__ volatile("" ::: "memory")
#define rmb() __asm__ volatile("lfence" ::: "memory")
#define wmb() __asm__ volatile("sfence" ::: "memory")
#define mb() __asm__ volatile("mfence" ::: "memory")
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }

/* Interrupts "off" depth, so a test can see that shared state was touched
 * with interrupts masked. */
extern int host_irq_off;
static inline uint64_t irq_save(void) { return (uint64_t)host_irq_off++; }
static inline void irq_restore(uint64_t flags) { host_irq_off = (int)flags; }

#endif
