/* GDT with a 64-bit TSS (Intel SDM Vol. 3A, 3.4.5 and 8.7). */
#include "kernel/gdt.h"

#include <stdint.h>
#include <string.h>

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "TSS is 104 bytes");

enum { IST_STACK_SIZE = 8192 };

static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));
static struct tss64 tss;
/* null, code, data, then the 16-byte TSS descriptor */
static uint64_t gdt[5];

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

enum {
	SEG_CODE64 = 0x00AF9A000000FFFFull, /* P, DPL0, code, readable, L */
	SEG_DATA = 0x00CF92000000FFFFull,   /* P, DPL0, data, writable */
	TSS_TYPE_AVAILABLE = 0x9,
	DESC_PRESENT = 0x80,
};

void gdt_init(void)
{
	memset(&tss, 0, sizeof tss);
	tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)&ist_stacks[0][IST_STACK_SIZE];
	tss.ist[IST_NMI - 1] = (uint64_t)&ist_stacks[1][IST_STACK_SIZE];
	tss.ist[IST_MACHINE_CHECK - 1] = (uint64_t)&ist_stacks[2][IST_STACK_SIZE];
	tss.iomap_base = sizeof tss; /* no I/O permission bitmap */

	uint64_t base = (uint64_t)&tss;
	uint64_t limit = sizeof tss - 1;
	gdt[0] = 0;
	gdt[1] = SEG_CODE64;
	gdt[2] = SEG_DATA;
	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | ((uint64_t)(TSS_TYPE_AVAILABLE | DESC_PRESENT) << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;

	struct gdt_ptr ptr = { .limit = sizeof gdt - 1, .base = (uint64_t)gdt };
	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movw %w2, %%ax\n\t"
		"movw %%ax, %%ds\n\t"
		"movw %%ax, %%es\n\t"
		"movw %%ax, %%ss\n\t"
		"ltr %w3"
		:
		: "m"(ptr), "i"(GDT_KERNEL_CODE), "r"(GDT_KERNEL_DATA), "r"(GDT_TSS)
		: "rax", "memory");
}
