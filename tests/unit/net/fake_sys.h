/* A fake platform for host tests of net/: a clock the test moves, a
 * deterministic random generator, malloc with a live count, a log kept
 * in memory, and waits that never block. */
#ifndef TESTS_UNIT_NET_FAKE_SYS_H
#define TESTS_UNIT_NET_FAKE_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/sys.h"

void fake_clock_set(uint64_t now_ms);
void fake_clock_advance(uint64_t ms);

void fake_random_seed(uint32_t seed);

/* Blocks from sys_alloc not yet given back. */
long fake_alloc_live(void);
/* Make the next n sys_alloc calls fail (0 to stop). */
void fake_alloc_fail_next(int n);

/* The log so far (NUL-terminated, truncated to its buffer), and clearing
 * it. Set NET_TEST_LOG=1 in the environment to also see it on stderr. */
const char *fake_log_text(void);
bool fake_log_contains(const char *s);
void fake_log_clear(void);

/* What sys_wake and sys_kick were asked to do. */
struct sys_wait {
	const char *name;
	int wakes;
};
int fake_kicks(void);

#endif
