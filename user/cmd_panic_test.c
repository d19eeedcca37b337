/* panic-test: raise a CPU exception or a panic on purpose, to check the
 * panic report (Intel SDM vol. 3, ch. 6: #PF 14, #UD 6, #DE 0, #GP 13). */
#include <stdint.h>
#include <string.h>

#include "kernel/panic.h"
#include "kernel/printf.h"
#include "user/command.h"
#include "user/shell.h"

/* Far above any RAM we identity-map, so not present: a #PF on write. */
#define PANIC_TEST_UNMAPPED 0xdead0000000ull
/* Bits 63:47 not all equal: any access is a #GP, never a #PF. */
#define PANIC_TEST_NONCANONICAL 0x8000000000000000ull

static void trigger_pf(void)
{
	*(volatile uint64_t *)PANIC_TEST_UNMAPPED = 0x5afe;
}

static void trigger_ud(void)
{
	__asm__ volatile("ud2");
}

/* In assembly: a C division by zero is undefined and may be optimised. */
static void trigger_de(void)
{
	__asm__ volatile("xorl %%ecx, %%ecx\n\t"
			 "divl %%ecx"
			 ::: "eax", "ecx", "edx", "cc");
}

static void trigger_gp(void)
{
	(void)*(volatile uint64_t *)PANIC_TEST_NONCANONICAL;
}

/* Unbounded recursion runs into the unmapped guard page under the thread's
 * stack; the #PF cannot be delivered on that stack, so the CPU raises a
 * double fault, which runs on its own IST stack and reports. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
static int __attribute__((noinline)) recurse(volatile int depth)
{
	volatile char frame[256];
	frame[0] = (char)depth;
	return recurse(depth + 1) + frame[0];
}
#pragma GCC diagnostic pop

static void trigger_stack_overflow(void)
{
	(void)recurse(0);
}

static void trigger_panic(void)
{
	panic("panic-test");
}

static const struct {
	const char *name;
	void (*fn)(void);
} panic_test_kinds[] = {
	{ "pf", trigger_pf },
	{ "ud", trigger_ud },
	{ "de", trigger_de },
	{ "gp", trigger_gp },
	{ "stack", trigger_stack_overflow },
	{ "panic", trigger_panic },
};

static int panic_test_run(int argc, char **argv)
{
	const char *kind = argc > 1 ? argv[1] : "panic";

	if (argc > 2)
		return shell_usage_error(argv[0], "expected one kind");
	for (size_t i = 0; i < sizeof panic_test_kinds / sizeof panic_test_kinds[0]; i++) {
		if (strcmp(kind, panic_test_kinds[i].name) == 0) {
			kprintf("panic-test: triggering %s\n", kind);
			panic_test_kinds[i].fn();
			kprintf("panic-test: %s returned; the handler did not stop the machine\n", kind);
			return 1;
		}
	}
	return shell_usage_error(argv[0], "unknown kind '%s'", kind);
}

COMMAND(panic_test,
	.name = "panic-test",
	.usage = "panic-test [pf|ud|de|gp|stack|panic]",
	.summary = "crash on purpose: page fault, invalid opcode, divide error, #GP, stack overflow or panic",
	.example = "panic-test pf",
	.run = panic_test_run);
