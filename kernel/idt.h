/* The IDT and the register frame every interrupt stub builds. */
#ifndef KERNEL_IDT_H
#define KERNEL_IDT_H

#include <stdint.h>

/* Pushed by kernel/isr.S, lowest address first. */
struct int_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};

enum {
	VEC_DIVIDE_ERROR = 0,
	VEC_NMI = 2,
	VEC_BREAKPOINT = 3,
	VEC_INVALID_OPCODE = 6,
	VEC_DOUBLE_FAULT = 8,
	VEC_GENERAL_PROTECTION = 13,
	VEC_PAGE_FAULT = 14,
	VEC_MACHINE_CHECK = 18,
	VEC_SPURIOUS = 255,
};

void idt_init(void);
void isr_dispatch(struct int_frame *f);
/* Name of CPU exception vector v ("Page Fault") and its mnemonic ("#PF"). */
const char *exception_name(unsigned v);
const char *exception_mnemonic(unsigned v);

#endif
