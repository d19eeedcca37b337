/* What kmain shares with the rest of the kernel. */
#ifndef KERNEL_KMAIN_H
#define KERNEL_KMAIN_H

#include <stdint.h>

struct boot_info;

void kmain(uint32_t magic, uint32_t info_phys);
/* The normalised boot information (valid after early boot). */
const struct boot_info *kernel_boot_info(void);
/* Start the kernel's service threads (netd); defined by kernel/services.c. */
void kernel_start_services(void);

#endif
