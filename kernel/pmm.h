/* Physical page allocator, built from the boot memory map.
 * All RAM is identity-mapped, so a physical address is also a pointer. */
#ifndef KERNEL_PMM_H
#define KERNEL_PMM_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096ull

struct boot_info;

void pmm_init(const struct boot_info *bi);
/* One zeroed page, or 0 when memory is exhausted. */
uint64_t pmm_alloc_page(void);
/* npages physically contiguous zeroed pages, or 0. */
uint64_t pmm_alloc_contig(size_t npages);
/* As pmm_alloc_contig, contents undefined: for large areas that are
 * initialised anyway (the heap arena), where zeroing costs boot time. */
uint64_t pmm_alloc_contig_uninit(size_t npages);
void pmm_free_page(uint64_t phys);
void pmm_free_contig(uint64_t phys, size_t npages);
size_t pmm_total_pages(void);
size_t pmm_free_pages(void);
/* Highest physical address of usable RAM (end, exclusive). */
uint64_t pmm_ram_top(void);

#endif
