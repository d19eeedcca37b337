/* Fatal errors: print a full report on every console and stop. */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#define ASSERT(cond)                                                             \
	do {                                                                         \
		if (!(cond))                                                             \
			panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__);    \
	} while (0)

#endif
