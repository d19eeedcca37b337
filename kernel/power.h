/* Power off (ACPI S5) and reboot. */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H

struct boot_info;

/* Find the FADT and the \_S5 sleep type through the RSDP. */
void power_init(const struct boot_info *bi);
void power_off(void) __attribute__((noreturn));
void reboot(void) __attribute__((noreturn));

#endif
