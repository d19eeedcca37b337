/* The contract between the UEFI loader (boot/efi/, BOOTX64.EFI) and the
 * kernel. Only #defines, so that boot/header.S and boot/entry.S can include
 * it as well as C.
 *
 * Finding the entry. The ELF entry point (e_entry) stays _start32, the
 * 32-bit multiboot entry. For the loader the kernel carries a small header
 * of its own in the .multiboot section, 8-byte aligned within the first
 * PIGEON_EFI_HDR_SCAN bytes of the file (boot/header.S):
 *
 *   offset  0  u32  magic     PIGEON_EFI_HDR_MAGIC (bytes "PIGE")
 *   offset  4  u32  version   PIGEON_EFI_HDR_VERSION
 *   offset  8  u32  checksum  magic + version + checksum == 0 (mod 2^32)
 *   offset 12  u32  reserved  0
 *   offset 16  u64  entry64   physical address of the 64-bit entry
 *
 * Entering. The loader calls entry64 after ExitBootServices, in long mode
 * on the firmware's identity page tables, interrupts off, with (System V
 * ABI) RDI = physical address of a struct boot_info (kernel/bootinfo.h)
 * that lies below 4 GiB and RSI = the size of that struct as the loader was
 * built with it. The kernel (boot/entry.S: _start64_efi) switches at once
 * to its own stack, GDT and boot page tables, and calls
 * kmain(PIGEON_EFI_BOOT_MAGIC, RDI, RSI), which copies the struct before
 * any memory is reused. Every PT_LOAD segment must lie below 4 GiB. */
#ifndef BOOT_EFI_HANDOFF_H
#define BOOT_EFI_HANDOFF_H

#define PIGEON_EFI_HDR_MAGIC 0x45474950
#define PIGEON_EFI_HDR_VERSION 1
#define PIGEON_EFI_HDR_LEN 24
#define PIGEON_EFI_HDR_ALIGN 8
#define PIGEON_EFI_HDR_SCAN 32768
#define PIGEON_EFI_HDR_OFF_MAGIC 0
#define PIGEON_EFI_HDR_OFF_VERSION 4
#define PIGEON_EFI_HDR_OFF_CHECKSUM 8
#define PIGEON_EFI_HDR_OFF_ENTRY64 16

/* kmain's first argument when the UEFI loader ran (the multiboot loaders
 * pass 0x2BADB002 and 0x36d76289). */
#define PIGEON_EFI_BOOT_MAGIC 0x0E1F0B07

#endif
