/* The UEFI memory map as struct boot_info entries: plain C over the bytes
 * GetMemoryMap returned, no firmware calls (it runs between GetMemoryMap
 * and ExitBootServices, where nothing may allocate), tested on the host. */
#ifndef BOOT_EFI_EFIMAP_H
#define BOOT_EFI_EFIMAP_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/bootinfo.h"

/* EFI_MEMORY_DESCRIPTOR (UEFI 2.10, 7.2.3 GetMemoryMap): descriptors are
 * DescriptorSize bytes apart, which may exceed the 40 bytes defined. */
enum {
	EFIMAP_MD_TYPE = 0,            /* u32 EFI_MEMORY_TYPE */
	EFIMAP_MD_PHYS_START = 8,      /* u64 */
	EFIMAP_MD_NUM_PAGES = 24,      /* u64, 4 KiB pages */
	EFIMAP_MD_MIN = 40,
	EFIMAP_PAGE = 4096,
};

/* EFI_MEMORY_TYPE values (UEFI 2.10, 7.2.1 AllocatePages). */
enum {
	EFIMAP_RESERVED = 0,
	EFIMAP_LOADER_CODE = 1,
	EFIMAP_LOADER_DATA = 2,
	EFIMAP_BOOT_SERVICES_CODE = 3,
	EFIMAP_BOOT_SERVICES_DATA = 4,
	EFIMAP_RUNTIME_SERVICES_CODE = 5,
	EFIMAP_RUNTIME_SERVICES_DATA = 6,
	EFIMAP_CONVENTIONAL = 7,
	EFIMAP_UNUSABLE = 8,
	EFIMAP_ACPI_RECLAIM = 9,
	EFIMAP_ACPI_NVS = 10,
	EFIMAP_MMIO = 11,
	EFIMAP_MMIO_PORT_SPACE = 12,
	EFIMAP_PAL_CODE = 13,
	EFIMAP_PERSISTENT = 14,
};

/* enum boot_mem_type for an EFI memory type: conventional memory and the
 * loader's own (the kernel image is reserved by the kernel itself) are
 * usable; boot-services memory is BOOT_MEM_BOOT_SERVICES (free once the
 * kernel stands on its own stack and tables); runtime services, MMIO and
 * unknown types are reserved. */
uint32_t efimap_type(uint32_t efi_type);

/* Convert map_size bytes of descriptors, desc_size apart, into bi->mmap
 * (replacing what was there), merging neighbours of the same converted
 * type. When the result does not fit BOOT_MMAP_MAX, reserved ranges are
 * left out (the kernel only maps and allocates from the others), then the
 * last entries. Returns 0 when everything fit, else by how many entries
 * the full conversion overflowed BOOT_MMAP_MAX; -1 when desc_size <
 * EFIMAP_MD_MIN. */
int efimap_convert(const uint8_t *map, size_t map_size, size_t desc_size, struct boot_info *bi);

#endif
