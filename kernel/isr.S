/* Interrupt entry stubs for vectors 0-47 and the spurious vector.
 * Each pushes a dummy error code when the CPU does not, then its vector,
 * then all general registers, so C sees one struct int_frame layout
 * (kernel/idt.h). */

	.text

.macro ISR_NOERR n
	.globl isr_stub_\n
isr_stub_\n:
	pushq $0
	pushq $\n
	jmp isr_common
.endm

.macro ISR_ERR n
	.globl isr_stub_\n
isr_stub_\n:
	pushq $\n
	jmp isr_common
.endm

/* Vectors that push an error code: 8, 10-14, 17, 21, 29, 30. */
ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR 8
ISR_NOERR 9
ISR_ERR 10
ISR_ERR 11
ISR_ERR 12
ISR_ERR 13
ISR_ERR 14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR 17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR 21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR 29
ISR_ERR 30
ISR_NOERR 31
.altmacro
.set i, 32
.rept 16
	ISR_NOERR %i
	.set i, i + 1
.endr
ISR_NOERR 255

isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	/* Align the stack for C; the frame pointer chain continues through rbp. */
	movq %rsp, %rbx
	andq $-16, %rsp
	call isr_dispatch
	movq %rbx, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp   /* vector and error code */
	iretq

	.section .rodata
	.balign 8
	.globl isr_stub_table
isr_stub_table:
.macro STUB_ENTRY n
	.quad isr_stub_\n
.endm
.set i, 0
.rept 48
	STUB_ENTRY %i
	.set i, i + 1
.endr
