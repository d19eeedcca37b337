/* From the loader's 32-bit protected mode into 64-bit long mode.
 *
 * Both multiboot loaders enter at _start32 with paging off, EAX = magic and
 * EBX = physical address of the boot information. We identity-map the first
 * 4 GiB with 2 MiB pages (enough to reach the kernel, the boot information
 * and the PCI hole), enable PAE and long mode, and jump to kmain(magic, info).
 * The kernel replaces these tables with its own in vmm_init().
 *
 * The UEFI loader (boot/efi/) enters at _start64_efi instead, already in
 * long mode; see boot/efi/handoff.h for the contract. */

#include "boot/efi/handoff.h"

#define CR0_PE (1 << 0)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_PS 0x80
#define COM1 0x3F8

	.section .boot.text, "ax"
	.code32
	.globl _start32
_start32:
	cli
	cld
	movl %eax, boot_magic
	movl %ebx, boot_info_ptr
	movl $boot_stack_top, %esp

	/* Long mode needs CPUID leaf 0x80000001 EDX bit 29. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	testl $(1 << 29), %edx
	jz no_long_mode
	movl %edx, boot_ext_features

	/* Zero the boot page tables (PML4, PDPT, 4 PDs = 6 pages). */
	movl $boot_pml4, %edi
	xorl %eax, %eax
	movl $(6 * 4096 / 4), %ecx
	rep stosl

	movl $boot_pdpt, %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, boot_pml4

	/* PDPT[i] -> PD i, i = 0..3 */
	movl $boot_pd, %eax
	orl $(PTE_P | PTE_W), %eax
	movl $boot_pdpt, %edi
	movl $4, %ecx
1:	movl %eax, (%edi)
	addl $4096, %eax
	addl $8, %edi
	loop 1b

	/* 2048 PD entries of 2 MiB: physical 0 .. 4 GiB. */
	movl $boot_pd, %edi
	movl $(PTE_P | PTE_W | PTE_PS), %eax
	xorl %edx, %edx           /* high dword of the physical address */
	movl $2048, %ecx
2:	movl %eax, (%edi)
	movl %edx, 4(%edi)
	addl $0x200000, %eax
	adcl $0, %edx
	addl $8, %edi
	loop 2b

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	testl $(1 << 20), boot_ext_features   /* NX available? */
	jz 3f
	orl $EFER_NXE, %eax
3:	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $_start64

no_long_mode:
	/* Say why on COM1 (the loader left it usable) and stop. */
	movl $msg_no_long_mode, %esi
4:	lodsb
	testb %al, %al
	jz 6f
	movw $(COM1 + 5), %dx
	movb %al, %ah
5:	inb %dx, %al
	testb $0x20, %al
	jz 5b
	movb %ah, %al
	movw $COM1, %dx
	outb %al, %dx
	jmp 4b
6:	hlt
	jmp 6b

	.code64
_start64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movq $boot_stack_top, %rsp
	xorq %rbp, %rbp           /* ends the frame-pointer chain for backtraces */
	movl boot_magic, %edi
	movl boot_info_ptr, %esi
	xorl %edx, %edx           /* multiboot structures carry their own length */
	call kmain
7:	cli
	hlt
	jmp 7b

/* From BOOTX64.EFI: long mode on the firmware's page tables, GDT and stack,
 * all in boot-services memory that the kernel will reuse. Move onto the
 * kernel's own before anything else: the same 4 GiB identity tables the
 * multiboot path builds, boot_gdt, boot_stack. RDI = struct boot_info
 * (below 4 GiB), RSI = its size. */
	.globl _start64_efi
_start64_efi:
	cli
	cld
	/* The firmware's stack may lie above 4 GiB, which the boot tables
	 * below do not map: leave it before they are loaded. */
	movq $boot_stack_top, %rsp
	movl %edi, boot_info_ptr
	movl %esi, boot_info_len
	movl $PIGEON_EFI_BOOT_MAGIC, boot_magic

	movl $boot_pml4, %edi
	xorl %eax, %eax
	movl $(6 * 4096 / 8), %ecx
	rep stosq
	movq $boot_pdpt, %rax
	orq $(PTE_P | PTE_W), %rax
	movq %rax, boot_pml4
	movq $boot_pd, %rax
	orq $(PTE_P | PTE_W), %rax
	movl $boot_pdpt, %edi
	movl $4, %ecx
1:	movq %rax, (%rdi)
	addq $4096, %rax
	addq $8, %rdi
	loop 1b
	movl $boot_pd, %edi
	movq $(PTE_P | PTE_W | PTE_PS), %rax
	movl $2048, %ecx
2:	movq %rax, (%rdi)
	addq $0x200000, %rax
	addq $8, %rdi
	loop 2b
	movq $boot_pml4, %rax
	movq %rax, %cr3

	lgdt boot_gdt_ptr64
	pushq $0x08
	pushq $3f
	lretq
3:	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movq $boot_stack_top, %rsp
	xorq %rbp, %rbp           /* ends the frame-pointer chain for backtraces */
	movl boot_magic, %edi
	movl boot_info_ptr, %esi
	movl boot_info_len, %edx
	call kmain
	jmp 7b

	.section .boot.rodata, "a"
msg_no_long_mode:
	.asciz "Pigeon: this CPU has no long mode (x86-64); cannot boot.\r\n"

	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00AF9A000000FFFF   /* 0x08: 64-bit code, present, ring 0 */
	.quad 0x00CF92000000FFFF   /* 0x10: data, present, writable */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt
	.balign 8
boot_gdt_ptr64:                /* lgdt in long mode reads an 8-byte base */
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.section .boot.data, "aw"
	.balign 4
	.globl boot_magic, boot_info_ptr
boot_magic: .long 0
boot_info_ptr: .long 0
boot_info_len: .long 0
boot_ext_features: .long 0

	.section .bss
	.balign 4096
boot_pml4: .skip 4096
boot_pdpt: .skip 4096
boot_pd: .skip 4 * 4096
	.balign 16
	.globl boot_stack_top
boot_stack: .skip 16384
boot_stack_top:
