/* The platform (net/sys.h) for the DNS and socket host tests: a clock
 * the test moves, deterministic random numbers, counted allocation, a log
 * in memory, and a sys_wait that runs the test's world instead of
 * blocking. A blocking call (dns_resolve, sock_recv) sleeps in sys_wait;
 * here that calls the hook the test installed, which advances the clock,
 * looks at what the stack sent, injects answers and says whether the wait
 * was woken. Without a hook a wait passes its whole timeout at once. */
#ifndef TESTS_UNIT_DNS_TEST_PLATFORM_H
#define TESTS_UNIT_DNS_TEST_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/sys.h"

struct sys_wait {
	const char *name;
	int wakes;
};

void tp_clock_set(uint64_t now_ms);
void tp_clock_advance(uint64_t ms);
void tp_random_seed(uint32_t seed);
long tp_alloc_live(void);
bool tp_log_contains(const char *s);
void tp_log_clear(void);

/* The hook runs once per sys_wait(w, timeout_ms); it must advance the
 * clock by at most timeout_ms and return true if w was woken. */
typedef bool (*tp_wait_hook)(struct sys_wait *w, uint64_t timeout_ms, void *ctx);
void tp_set_wait_hook(tp_wait_hook hook, void *ctx);
/* sys_wait calls so far. */
unsigned long tp_waits(void);
/* sys_interrupted() answers true from the n-th call on (0: never). */
void tp_interrupt_after(unsigned long n);

#endif
