/* One normalised description of the machine, whichever loader ran.
 * Multiboot1 (qemu -kernel), multiboot2 (GRUB) and the UEFI loader all end
 * in a struct boot_info handed to kmain(). */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include <stddef.h>
#include <stdint.h>

#define MULTIBOOT1_BOOTLOADER_MAGIC 0x2BADB002u
#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289u

#define BOOT_CMDLINE_MAX 512
#define BOOT_LOADER_MAX 64
#define BOOT_MMAP_MAX 128

enum boot_mem_type {
	BOOT_MEM_USABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI_RECLAIMABLE = 3,
	BOOT_MEM_ACPI_NVS = 4,
	BOOT_MEM_BAD = 5,
	BOOT_MEM_BOOT_SERVICES = 6, /* UEFI boot-services memory: free after ExitBootServices */
};

struct boot_mmap_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type; /* enum boot_mem_type */
};

struct boot_framebuffer {
	uint64_t addr; /* physical; 0 when there is none */
	uint32_t pitch, width, height;
	uint8_t bpp;
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
	uint8_t is_text; /* 1 for EGA text mode (VGA at 0xb8000) */
};

struct boot_info {
	const char *loader_kind; /* "multiboot1", "multiboot2", "uefi" */
	char loader_name[BOOT_LOADER_MAX];
	char cmdline[BOOT_CMDLINE_MAX];
	size_t mmap_count;
	struct boot_mmap_entry mmap[BOOT_MMAP_MAX];
	struct boot_framebuffer fb;
	uint64_t rsdp_phys;   /* physical address of a copy of the ACPI RSDP, or 0 */
	uint8_t rsdp[36];     /* the RSDP itself (v1: 20 bytes, v2: 36), valid when rsdp_len > 0 */
	uint32_t rsdp_len;
	uint64_t info_phys;   /* where the loader's own structure lives, to keep it reserved */
	uint64_t info_len;
};

/* Parse a multiboot1 information structure (fixed size: 116 bytes, which
 * becomes info_len). Fields count only when their flag bit is set; the
 * pointers it holds (cmdline, boot loader name, mmap) are followed as
 * physical addresses that the caller has identity-mapped, and strings are
 * copied truncated and NUL-terminated. Without a memory map, mem_lower and
 * mem_upper give two usable ranges. Returns 0, or a negative number when the
 * structure is unusable (NULL, or a memory map entry whose size is < 20 or
 * runs past mmap_length); out then keeps what was read before the fault. */
int bootinfo_parse_multiboot1(const void *info, struct boot_info *out);

/* Parse a multiboot2 information structure of total_size bytes (read from
 * its first word, then checked against max_len). Every tag's size is
 * checked before use; unknown tags are skipped; map entries beyond
 * BOOT_MMAP_MAX are ignored; when both ACPI tags appear the new RSDP wins.
 * Returns 0, or a negative number on malformed input (total_size < 8 or
 * > max_len, a tag size < 8 or past the end, no end tag, a map entry_size
 * < 24, a tag too short for its fields); out then keeps what was read. */
int bootinfo_parse_multiboot2(const void *info, size_t max_len, struct boot_info *out);

/* Take over the struct boot_info that the UEFI loader (boot/efi/) built:
 * both sides compile this header, so the layout is shared and len (the
 * loader's sizeof) must equal ours. The struct is copied (its memory is
 * reused later); loader_kind becomes "uefi", strings are re-terminated,
 * and a count or length beyond its array is clamped to 0. Returns 0, or a
 * negative number when info is NULL, the size differs or a field had to
 * be clamped (out then holds what could be trusted). */
int bootinfo_accept_uefi(const void *info, size_t len, struct boot_info *out);

/* Value of option KEY on the command line (KEY=value or KEY="quoted value"),
 * copied to buf. Options are separated by white space; quotes may hold
 * spaces and semicolons and are removed; KEY matches whole words only
 * ("run" does not match "autorun=..."); a bare KEY has the value "" (0);
 * when KEY appears twice the last one counts. Returns the length, or -1
 * when KEY is absent or the value does not fit (buf is then ""). */
int bootinfo_cmdline_get(const char *cmdline, const char *key, char *buf, size_t buflen);

#endif
