/* Paging: the kernel's own page tables. RAM is identity-mapped write-back;
 * device memory is mapped on request, identity, uncached. */
#ifndef KERNEL_VMM_H
#define KERNEL_VMM_H

#include <stddef.h>
#include <stdint.h>

struct boot_info;

/* Build and load the kernel page tables from the boot memory map. */
void vmm_init_from(const struct boot_info *bi);
/* Unmap one 4 KiB page (stack guard pages); 0 or -1. */
int vmm_unmap_page(uint64_t va);
/* Map one 4 KiB page of RAM again (write-back, identity); 0 or -1. */
int vmm_map_page(uint64_t pa);
/* Map [phys, phys+len) uncached (PCD|PWT) at the same virtual address;
 * returns the pointer to use, or NULL if page tables ran out. */
volatile void *vmm_map_mmio(uint64_t phys, size_t len);
static inline uint64_t virt_to_phys(const void *p) { return (uint64_t)(uintptr_t)p; }
static inline void *phys_to_virt(uint64_t pa) { return (void *)(uintptr_t)pa; }

#endif
