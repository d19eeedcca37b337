/* context_switch(uint64_t *save_rsp, uint64_t new_rsp): the whole of a
 * cooperative thread switch. Only the callee-saved registers need saving:
 * the caller of context_switch already treats the rest as clobbered. */
	.text
	.globl context_switch
context_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/* First code a new thread runs; context_switch "returns" here. */
	.globl thread_trampoline
thread_trampoline:
	xorq %rbp, %rbp      /* end of the backtrace chain */
	call thread_start    /* never returns */
	ud2
