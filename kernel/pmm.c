/* Physical page allocator: one bit per 4 KiB page of RAM, set = in use.
 * Usable regions come from the boot memory map; the first megabyte, the
 * kernel image and the bitmap itself are never handed out. */
#include "kernel/pmm.h"

#include <stdbool.h>
#include <string.h>

#include "kernel/bootinfo.h"
#include "kernel/panic.h"

extern char _kernel_start[], _kernel_end[];

enum { LOW_MEMORY_END = 0x100000 };

static struct {
	uint64_t *bitmap;
	size_t npages;      /* pages covered by the bitmap: [0, ram_top) */
	size_t total;       /* usable pages */
	size_t free;
	size_t search_hint; /* lowest page that might be free */
} pmm;

static bool page_used(size_t pg) { return pmm.bitmap[pg / 64] >> (pg % 64) & 1; }
static void page_set(size_t pg) { pmm.bitmap[pg / 64] |= 1ull << (pg % 64); }
static void page_clear(size_t pg) { pmm.bitmap[pg / 64] &= ~(1ull << (pg % 64)); }

static bool region_usable(const struct boot_mmap_entry *e)
{
	return e->type == BOOT_MEM_USABLE || e->type == BOOT_MEM_BOOT_SERVICES;
}

void pmm_init(const struct boot_info *bi)
{
	uint64_t top = 0;
	for (size_t i = 0; i < bi->mmap_count; i++) {
		const struct boot_mmap_entry *e = &bi->mmap[i];
		if (region_usable(e) && e->base + e->len > top)
			top = e->base + e->len;
	}
	/* The boot page tables map only 4 GiB: ignore RAM above for now. */
	if (top > 0x100000000ull)
		top = 0x100000000ull;
	pmm.npages = top / PAGE_SIZE;
	size_t bitmap_bytes = (pmm.npages + 63) / 64 * 8;

	/* Place the bitmap in the first usable region above the kernel. */
	uint64_t kend = (uint64_t)_kernel_end;
	for (size_t i = 0; i < bi->mmap_count && !pmm.bitmap; i++) {
		const struct boot_mmap_entry *e = &bi->mmap[i];
		if (!region_usable(e))
			continue;
		uint64_t start = (e->base < kend ? kend : e->base);
		start = (start + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		if (start < LOW_MEMORY_END)
			start = LOW_MEMORY_END;
		if (start + bitmap_bytes <= e->base + e->len && start + bitmap_bytes <= top)
			pmm.bitmap = (uint64_t *)(uintptr_t)start;
	}
	if (!pmm.bitmap)
		panic("pmm_init: no room for the page bitmap (%zu bytes)", bitmap_bytes);

	memset(pmm.bitmap, 0xff, bitmap_bytes);
	for (size_t i = 0; i < bi->mmap_count; i++) {
		const struct boot_mmap_entry *e = &bi->mmap[i];
		if (!region_usable(e))
			continue;
		uint64_t first = (e->base + PAGE_SIZE - 1) / PAGE_SIZE;
		uint64_t last = (e->base + e->len) / PAGE_SIZE; /* exclusive */
		for (uint64_t pg = first; pg < last && pg < pmm.npages; pg++)
			page_clear(pg);
	}
	/* Overlapping map entries (firmware bugs) must not count twice: count bits. */
	uint64_t reserve[][2] = {
		{ 0, LOW_MEMORY_END },
		{ (uint64_t)_kernel_start, kend },
		{ (uint64_t)(uintptr_t)pmm.bitmap, (uint64_t)(uintptr_t)pmm.bitmap + bitmap_bytes },
	};
	for (size_t r = 0; r < sizeof reserve / sizeof reserve[0]; r++)
		for (uint64_t pg = reserve[r][0] / PAGE_SIZE; pg < (reserve[r][1] + PAGE_SIZE - 1) / PAGE_SIZE && pg < pmm.npages; pg++)
			page_set(pg);
	for (size_t pg = 0; pg < pmm.npages; pg++)
		if (!page_used(pg))
			pmm.free++;
	pmm.total = pmm.free;
	pmm.search_hint = LOW_MEMORY_END / PAGE_SIZE;
}

static uint64_t pmm_claim(size_t n, bool zero)
{
	if (n == 0)
		return 0;
	size_t run = 0;
	for (size_t pg = pmm.search_hint; pg < pmm.npages; pg++) {
		run = page_used(pg) ? 0 : run + 1;
		if (run == n) {
			size_t first = pg + 1 - n;
			for (size_t p = first; p <= pg; p++)
				page_set(p);
			pmm.free -= n;
			if (first == pmm.search_hint)
				pmm.search_hint = pg + 1;
			uint64_t phys = (uint64_t)first * PAGE_SIZE;
			if (zero)
				memset((void *)(uintptr_t)phys, 0, n * PAGE_SIZE);
			return phys;
		}
	}
	return 0;
}

uint64_t pmm_alloc_contig(size_t n) { return pmm_claim(n, true); }
uint64_t pmm_alloc_contig_uninit(size_t n) { return pmm_claim(n, false); }
uint64_t pmm_alloc_page(void) { return pmm_claim(1, true); }

void pmm_free_contig(uint64_t phys, size_t n)
{
	size_t first = phys / PAGE_SIZE;
	if (phys % PAGE_SIZE || first + n > pmm.npages || phys < LOW_MEMORY_END)
		panic("pmm_free: bad address 0x%llx", (unsigned long long)phys);
	for (size_t pg = first; pg < first + n; pg++) {
		if (!page_used(pg))
			panic("pmm_free: page 0x%llx already free", (unsigned long long)pg * PAGE_SIZE);
		page_clear(pg);
	}
	pmm.free += n;
	if (first < pmm.search_hint)
		pmm.search_hint = first;
}

void pmm_free_page(uint64_t phys) { pmm_free_contig(phys, 1); }
size_t pmm_total_pages(void) { return pmm.total; }
size_t pmm_free_pages(void) { return pmm.free; }
uint64_t pmm_ram_top(void) { return (uint64_t)pmm.npages * PAGE_SIZE; }
