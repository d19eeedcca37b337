/* What kmain shares with the rest of the kernel. */
#ifndef KERNEL_KMAIN_H
#define KERNEL_KMAIN_H

#include <stdint.h>

struct boot_info;

/* magic says which loader ran (multiboot1, multiboot2 or the UEFI loader's
 * PIGEON_EFI_BOOT_MAGIC); info_len is the size of the UEFI loader's
 * struct boot_info (0 from multiboot, whose structures carry their own). */
void kmain(uint32_t magic, uint32_t info_phys, uint32_t info_len);
/* The normalised boot information (valid after early boot). */
const struct boot_info *kernel_boot_info(void);
/* Start the kernel's service threads (netd); defined by kernel/services.c. */
void kernel_start_services(void);

#endif
