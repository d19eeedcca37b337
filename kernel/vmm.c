/* The kernel's page tables (Intel SDM Vol. 3A, 4.5: 4-level paging).
 * Identity mapping throughout: RAM and firmware regions from the boot memory
 * map write-back, device memory uncached on request. Page 0 stays unmapped
 * so that NULL dereferences fault, and so does everything the map does not
 * describe. */
#include "kernel/vmm.h"

#include <stdbool.h>

#include "kernel/bootinfo.h"
#include "kernel/io.h"
#include "kernel/panic.h"
#include "kernel/pmm.h"

enum {
	PTE_P = 1 << 0,
	PTE_W = 1 << 1,
	PTE_PWT = 1 << 3,
	PTE_PCD = 1 << 4,
	PTE_PS = 1 << 7, /* 2 MiB page in a PD entry */
};
#define PTE_ADDR_MASK 0x000ffffffffff000ull
#define LARGE_PAGE (2ull << 20)

static uint64_t *pml4;

static uint64_t *vmm_table(uint64_t *parent, unsigned idx)
{
	if (!(parent[idx] & PTE_P)) {
		uint64_t page = pmm_alloc_page();
		if (!page)
			return NULL;
		parent[idx] = page | PTE_P | PTE_W;
	}
	return phys_to_virt(parent[idx] & PTE_ADDR_MASK);
}

/* Page directory covering va, created as needed. */
static uint64_t *vmm_pd(uint64_t va)
{
	uint64_t *pdpt = vmm_table(pml4, (va >> 39) & 511);
	return pdpt ? vmm_table(pdpt, (va >> 30) & 511) : NULL;
}

/* Turn a 2 MiB mapping into 512 4 KiB mappings with the same attributes. */
static bool vmm_split(uint64_t *pde)
{
	uint64_t page = pmm_alloc_page();
	if (!page)
		return false;
	uint64_t *pt = phys_to_virt(page);
	uint64_t base = *pde & PTE_ADDR_MASK & ~(LARGE_PAGE - 1);
	uint64_t attrs = *pde & (PTE_P | PTE_W | PTE_PWT | PTE_PCD);
	for (unsigned i = 0; i < 512; i++)
		pt[i] = (base + i * PAGE_SIZE) | attrs;
	*pde = page | PTE_P | PTE_W;
	return true;
}

static bool vmm_map_4k(uint64_t pa, uint64_t flags)
{
	uint64_t *pd = vmm_pd(pa);
	if (!pd)
		return false;
	uint64_t *pde = &pd[(pa >> 21) & 511];
	if ((*pde & (PTE_P | PTE_PS)) == (PTE_P | PTE_PS)) {
		if (((*pde) & (PTE_PWT | PTE_PCD)) == (flags & (PTE_PWT | PTE_PCD)))
			return true; /* already mapped so */
		if (!vmm_split(pde))
			return false;
	}
	uint64_t *pt = vmm_table(pd, (pa >> 21) & 511);
	if (!pt)
		return false;
	pt[(pa >> 12) & 511] = pa | flags;
	return true;
}

/* Identity-map [pa, pa+len) with flags, using 2 MiB pages where the range
 * covers a whole aligned, still unmapped 2 MiB block. */
static bool vmm_map_range(uint64_t pa, uint64_t len, uint64_t flags)
{
	uint64_t end = (pa + len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	pa &= ~(PAGE_SIZE - 1);
	while (pa < end) {
		if (pa % LARGE_PAGE == 0 && end - pa >= LARGE_PAGE) {
			uint64_t *pd = vmm_pd(pa);
			if (!pd)
				return false;
			uint64_t *pde = &pd[(pa >> 21) & 511];
			if (!(*pde & PTE_P)) {
				*pde = pa | flags | PTE_PS;
				pa += LARGE_PAGE;
				continue;
			}
		}
		if (!vmm_map_4k(pa, flags))
			return false;
		pa += PAGE_SIZE;
	}
	return true;
}

static void vmm_flush(void)
{
	write_cr3(read_cr3());
}

void vmm_init_from(const struct boot_info *bi)
{
	uint64_t root = pmm_alloc_page();
	if (!root)
		panic("vmm_init: no page for the PML4");
	pml4 = phys_to_virt(root);
	/* Low memory from page 1: BIOS data, EBDA, option ROMs (and the RSDP). */
	if (!vmm_map_range(PAGE_SIZE, 0xA0000 - PAGE_SIZE, PTE_P | PTE_W) ||
	    !vmm_map_range(0xA0000, 0x20000, PTE_P | PTE_W | PTE_PCD | PTE_PWT) ||
	    !vmm_map_range(0xC0000, 0x40000, PTE_P | PTE_W))
		panic("vmm_init: out of page-table pages");
	for (size_t i = 0; i < bi->mmap_count; i++) {
		uint64_t base = bi->mmap[i].base, len = bi->mmap[i].len;
		if (base < 0x100000) {
			if (base + len <= 0x100000)
				continue;
			len -= 0x100000 - base;
			base = 0x100000;
		}
		if (!vmm_map_range(base, len, PTE_P | PTE_W))
			panic("vmm_init: out of page-table pages");
	}
	/* The framebuffer, if any, is device memory. */
	if (bi->fb.addr && !bi->fb.is_text)
		vmm_map_range(bi->fb.addr, (uint64_t)bi->fb.pitch * bi->fb.height, PTE_P | PTE_W | PTE_PWT | PTE_PCD);
	write_cr3(root);
}

volatile void *vmm_map_mmio(uint64_t phys, size_t len)
{
	uint64_t end = phys + len;
	for (uint64_t pa = phys & ~(PAGE_SIZE - 1); pa < end; pa += PAGE_SIZE)
		if (!vmm_map_4k(pa, PTE_P | PTE_W | PTE_PCD | PTE_PWT))
			return NULL;
	vmm_flush();
	return (volatile void *)(uintptr_t)phys;
}

int vmm_map_page(uint64_t pa)
{
	if (!vmm_map_4k(pa & ~(PAGE_SIZE - 1), PTE_P | PTE_W))
		return -1;
	vmm_flush();
	return 0;
}

int vmm_unmap_page(uint64_t va)
{
	uint64_t *pd = vmm_pd(va);
	if (!pd)
		return -1;
	uint64_t *pde = &pd[(va >> 21) & 511];
	if (!(*pde & PTE_P))
		return 0; /* nothing mapped there */
	if ((*pde & PTE_PS) && !vmm_split(pde))
		return -1;
	uint64_t *pt = phys_to_virt(*pde & PTE_ADDR_MASK);
	pt[(va >> 12) & 511] = 0;
	vmm_flush();
	return 0;
}
