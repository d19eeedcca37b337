/* Panics: a full report on every console, then halt. Written to work with a
 * broken heap, a broken scheduler and interrupts off: it prints through the
 * polled console path only and allocates nothing. */
#include "kernel/panic.h"

#include <stdarg.h>
#include <stdbool.h>

#include "kernel/heap.h"
#include "kernel/io.h"
#include "kernel/ksyms.h"
#include "kernel/panic_report.h"
#include "kernel/pmm.h"
#include "kernel/printf.h"
#include "kernel/sched.h"

enum { BACKTRACE_MAX = 16 };

extern char _kernel_start[], _kernel_end[];

static bool panicking;

static void panic_halt(void) __attribute__((noreturn));
static void panic_halt(void)
{
	kprintf("*** system halted ***\n");
	for (;;) {
		cli();
		hlt();
	}
}

/* One backtrace line, named from the embedded symbol table. A return
 * address is looked up one byte back: a call to a noreturn function can be
 * the last instruction of its caller, and the return address then already
 * belongs to the next function. */
static void panic_frame(int depth, uint64_t addr)
{
	uint64_t at = depth == 0 ? addr : addr - 1, off = 0;
	const char *name = ksyms_lookup(at, &off);
	uint64_t shown = off + (addr - at);

	if (name)
		kprintf("    #%d 0x%016llx %s+0x%llx\n", depth, (unsigned long long)addr, name,
			(unsigned long long)shown);
	else
		kprintf("    #%d 0x%016llx\n", depth, (unsigned long long)addr);
}

/* A frame pointer is followed only while it points into RAM, is aligned and
 * moves up the stack, so a corrupt chain ends the walk instead of faulting. */
static void panic_backtrace(uint64_t rip, uint64_t rbp)
{
	kprintf("  backtrace:\n");
	panic_frame(0, rip);
	uint64_t top = pmm_ram_top();
	for (int depth = 1; depth < BACKTRACE_MAX; depth++) {
		if (rbp < 0x1000 || rbp % 8 || rbp + 16 > top)
			break;
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
		uint64_t ret = frame[1];
		if (ret < (uint64_t)_kernel_start || ret >= (uint64_t)_kernel_end)
			break;
		panic_frame(depth, ret);
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
}

static void panic_thread_line(void)
{
	struct thread *t = thread_current();
	if (t)
		kprintf("  thread: %s (id %d)\n", t->name, t->id);
}

static bool panic_enter(void)
{
	cli();
	if (panicking) {
		/* A fault inside the report: say so, and stop for good. */
		kprintf("\n*** PANIC while panicking ***\n");
		return false;
	}
	panicking = true;
	return true;
}

void panic(const char *fmt, ...)
{
	if (!panic_enter())
		panic_halt();
	va_list ap;
	va_start(ap, fmt);
	kprintf("\n*** PANIC: ");
	vkprintf(fmt, ap);
	kprintf(" ***\n");
	va_end(ap);
	panic_thread_line();
	uint64_t rbp;
	__asm__ volatile("mov %%rbp, %0" : "=r"(rbp));
	panic_backtrace((uint64_t)__builtin_return_address(0), ((const uint64_t *)(uintptr_t)rbp)[0]);
	panic_halt();
}

static void panic_pf_detail(uint64_t err)
{
	kprintf("  (%s, %s, %s%s)\n", err & 1 ? "protection violation" : "not present", err & 2 ? "write" : "read",
		err & 4 ? "user" : "kernel", err & 16 ? ", instruction fetch" : "");
}

void panic_exception(const struct int_frame *f)
{
	if (!panic_enter())
		panic_halt();
	unsigned v = (unsigned)f->vector;
	/* Vectors 8, 10-14, 17, 21, 29 and 30 push an error code; the rest do not. */
	bool has_code = v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
	if (has_code)
		kprintf("\n*** PANIC: %s (%s, vector %u) error code 0x%llx ***\n", exception_name(v),
			exception_mnemonic(v), v, (unsigned long long)f->error_code);
	else
		kprintf("\n*** PANIC: %s (%s, vector %u) ***\n", exception_name(v), exception_mnemonic(v), v);
	kprintf("  RIP 0x%016llx  RSP 0x%016llx  RFLAGS 0x%llx  CS 0x%llx  SS 0x%llx\n", (unsigned long long)f->rip,
		(unsigned long long)f->rsp, (unsigned long long)f->rflags, (unsigned long long)f->cs,
		(unsigned long long)f->ss);
	kprintf("  CR2 0x%016llx  CR3 0x%016llx\n", (unsigned long long)read_cr2(), (unsigned long long)read_cr3());
	if (v == VEC_PAGE_FAULT)
		panic_pf_detail(f->error_code);
	struct thread *t = thread_current();
	uint64_t cr2 = read_cr2();
	if (t && t->stack && cr2 >= (uint64_t)t->stack && cr2 < (uint64_t)t->stack + PAGE_SIZE)
		kprintf("  stack overflow: CR2 is in the guard page below thread %s's stack\n", t->name);
	kprintf("  RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n", (unsigned long long)f->rax,
		(unsigned long long)f->rbx, (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	kprintf("  RSI %016llx RDI %016llx RBP %016llx R8  %016llx\n", (unsigned long long)f->rsi,
		(unsigned long long)f->rdi, (unsigned long long)f->rbp, (unsigned long long)f->r8);
	kprintf("  R9  %016llx R10 %016llx R11 %016llx R12 %016llx\n", (unsigned long long)f->r9,
		(unsigned long long)f->r10, (unsigned long long)f->r11, (unsigned long long)f->r12);
	kprintf("  R13 %016llx R14 %016llx R15 %016llx\n", (unsigned long long)f->r13, (unsigned long long)f->r14,
		(unsigned long long)f->r15);
	panic_thread_line();
	panic_backtrace(f->rip, f->rbp);
	panic_halt();
}

void heap_corrupt(const char *what, const void *where)
{
	panic("heap: %s at %p", what, where);
}
