/* UEFI memory map to boot_info memory map (UEFI 2.10 section 7.2.3 for the
 * descriptor, 7.2.1 for the memory types and what each may be used for
 * after ExitBootServices). */
#include "boot/efi/efimap.h"

#include <stdbool.h>

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

uint32_t efimap_type(uint32_t efi_type)
{
	switch (efi_type) {
	case EFIMAP_CONVENTIONAL:
	case EFIMAP_LOADER_CODE:
	case EFIMAP_LOADER_DATA:
		return BOOT_MEM_USABLE;
	case EFIMAP_BOOT_SERVICES_CODE:
	case EFIMAP_BOOT_SERVICES_DATA:
		return BOOT_MEM_BOOT_SERVICES;
	case EFIMAP_ACPI_RECLAIM:
		return BOOT_MEM_ACPI_RECLAIMABLE;
	case EFIMAP_ACPI_NVS:
		return BOOT_MEM_ACPI_NVS;
	case EFIMAP_UNUSABLE:
		return BOOT_MEM_BAD;
	default:
		return BOOT_MEM_RESERVED;
	}
}

/* One pass over the descriptors: the number of merged entries, of which
 * the first BOOT_MMAP_MAX are written to bi. */
static size_t convert_pass(const uint8_t *map, size_t map_size, size_t desc_size, bool skip_reserved,
			   struct boot_info *bi)
{
	size_t n = 0;
	struct boot_mmap_entry last = { 0, 0, 0 };

	for (size_t off = 0; off <= map_size && desc_size <= map_size - off; off += desc_size) {
		const uint8_t *d = map + off;
		uint64_t base = rd64(d + EFIMAP_MD_PHYS_START);
		uint64_t pages = rd64(d + EFIMAP_MD_NUM_PAGES);
		uint32_t type = efimap_type(rd32(d + EFIMAP_MD_TYPE));
		uint64_t len = pages * EFIMAP_PAGE;

		if (pages == 0 || pages > UINT64_MAX / EFIMAP_PAGE || len > UINT64_MAX - base)
			continue; /* empty, or impossible: ignore rather than wrap */
		if (skip_reserved && type == BOOT_MEM_RESERVED)
			continue;
		if (n > 0 && last.type == type && last.base + last.len == base) {
			last.len += len;
			if (n <= BOOT_MMAP_MAX)
				bi->mmap[n - 1].len = last.len;
			continue;
		}
		last.base = base;
		last.len = len;
		last.type = type;
		if (n < BOOT_MMAP_MAX)
			bi->mmap[n] = last;
		n++;
	}
	return n;
}

int efimap_convert(const uint8_t *map, size_t map_size, size_t desc_size, struct boot_info *bi)
{
	size_t all, n;

	bi->mmap_count = 0;
	if (desc_size < EFIMAP_MD_MIN)
		return -1;
	all = n = convert_pass(map, map_size, desc_size, false, bi);
	if (n > BOOT_MMAP_MAX)
		n = convert_pass(map, map_size, desc_size, true, bi);
	bi->mmap_count = n < BOOT_MMAP_MAX ? n : BOOT_MMAP_MAX;
	return all > BOOT_MMAP_MAX ? (int)(all - BOOT_MMAP_MAX) : 0;
}
