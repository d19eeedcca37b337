/* The GDT and the TSS, whose IST stacks let double faults, NMIs and machine
 * checks run on a known-good stack even when the current one is broken. */
#ifndef KERNEL_GDT_H
#define KERNEL_GDT_H

enum {
	GDT_KERNEL_CODE = 0x08,
	GDT_KERNEL_DATA = 0x10,
	GDT_TSS = 0x18,
	IST_DOUBLE_FAULT = 1,
	IST_NMI = 2,
	IST_MACHINE_CHECK = 3,
};

void gdt_init(void);

#endif
