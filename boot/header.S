/* The two boot headers, at the very start of the image.
 * Multiboot2 (GRUB's `multiboot2`) and multiboot1 with the a.out kludge
 * (flag bit 16), which is what lets `qemu -kernel` load an ELF64 file:
 * QEMU then loads the file bytes at load_addr itself instead of parsing the
 * ELF. The kernel is one PT_LOAD segment, so file layout == memory layout.
 * Third, the header that tells the UEFI loader (boot/efi/) where the 64-bit
 * entry is; its layout is in boot/efi/handoff.h. */

#include "boot/efi/handoff.h"

#define MB1_MAGIC 0x1BADB002
#define MB1_FLAG_MEMINFO (1 << 1)
#define MB1_FLAG_AOUT_KLUDGE (1 << 16)
#define MB1_FLAGS (MB1_FLAG_MEMINFO | MB1_FLAG_AOUT_KLUDGE)

#define MB2_MAGIC 0xE85250D6
#define MB2_ARCH_I386 0
#define MB2_TAG_END 0
#define MB2_TAG_INFO_REQUEST 1
#define MB2_TAG_FRAMEBUFFER 5
#define MB2_TAG_OPTIONAL 1

	.section .multiboot, "a"

	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* Ask for the memory map, command line, framebuffer and ACPI RSDP (types
	 * 6, 1, 8, 14, 15). Optional flag (bit 0 of flags) set: GRUB boots us
	 * even if it lacks one. */
	.balign 8
	.short MB2_TAG_INFO_REQUEST
	.short MB2_TAG_OPTIONAL
	.long 8 + 5 * 4
	.long 6, 1, 8, 14, 15
	/* We can draw on a linear framebuffer (drivers/fbcon.c): without this
	 * tag GRUB on UEFI, where there is no VGA text mode, sets no mode at
	 * all. Any size and depth (0 = no preference); optional. grub.cfg keeps
	 * VGA text on BIOS machines. */
	.balign 8
	.short MB2_TAG_FRAMEBUFFER
	.short MB2_TAG_OPTIONAL
	.long 20
	.long 0, 0, 0
	.balign 8
	.short MB2_TAG_END
	.short 0
	.long 8
mb2_header_end:

	.balign 4
mb1_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)
	.long mb1_header      /* header_addr */
	.long _kernel_start   /* load_addr */
	.long _load_end       /* load_end_addr: end of the bytes in the file */
	.long _bss_end        /* bss_end_addr: QEMU zeroes up to here */
	.long _start32        /* entry_addr */

	/* For BOOTX64.EFI: the 64-bit entry, found by scanning for the magic. */
	.balign PIGEON_EFI_HDR_ALIGN
efi_header:
	.long PIGEON_EFI_HDR_MAGIC
	.long PIGEON_EFI_HDR_VERSION
	.long -(PIGEON_EFI_HDR_MAGIC + PIGEON_EFI_HDR_VERSION)
	.long 0
	.quad _start64_efi
efi_header_end:
	.if efi_header_end - efi_header - PIGEON_EFI_HDR_LEN
	.error "efi_header does not match PIGEON_EFI_HDR_LEN"
	.endif
