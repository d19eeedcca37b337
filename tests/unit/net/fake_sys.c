/* The fake platform (see fake_sys.h). */
#include "tests/unit/net/fake_sys.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t clock_ms;
static uint32_t rng_state = 0x12345678;
static long alloc_live;
static int alloc_fail;
static char log_buf[16384];
static size_t log_len;
static int kicks;

void fake_clock_set(uint64_t now_ms) { clock_ms = now_ms; }
void fake_clock_advance(uint64_t ms) { clock_ms += ms; }
uint64_t sys_now_ms(void) { return clock_ms; }

void fake_random_seed(uint32_t seed) { rng_state = seed ? seed : 1; }

uint32_t sys_random32(void)
{
	/* xorshift32: deterministic per seed, good enough to vary values. */
	uint32_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rng_state = x;
	return x;
}

void *sys_alloc(size_t size)
{
	void *p;

	if (alloc_fail > 0) {
		alloc_fail--;
		return NULL;
	}
	p = malloc(size);
	if (p)
		alloc_live++;
	return p;
}

void sys_free(void *p)
{
	if (p)
		alloc_live--;
	free(p);
}

long fake_alloc_live(void) { return alloc_live; }
void fake_alloc_fail_next(int n) { alloc_fail = n; }

void sys_log(enum sys_log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "ERR", "WARN", "INFO", "DEBUG" };
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (getenv("NET_TEST_LOG"))
		fprintf(stderr, "[%s] %s\n", names[level], line);
	n = snprintf(log_buf + log_len, sizeof log_buf - log_len, "%s\n", line);
	if (n > 0 && (size_t)n < sizeof log_buf - log_len)
		log_len += (size_t)n;
}

const char *fake_log_text(void) { return log_buf; }
bool fake_log_contains(const char *s) { return strstr(log_buf, s) != NULL; }

void fake_log_clear(void)
{
	log_len = 0;
	log_buf[0] = 0;
}

struct sys_wait *sys_wait_create(const char *name)
{
	struct sys_wait *w = calloc(1, sizeof *w);
	if (w)
		w->name = name;
	return w;
}

void sys_wait_destroy(struct sys_wait *w) { free(w); }

bool sys_wait(struct sys_wait *w, uint64_t timeout_ms)
{
	/* Never blocks: tests drive time themselves. */
	(void)w;
	(void)timeout_ms;
	return false;
}

void sys_wake(struct sys_wait *w)
{
	if (w)
		w->wakes++;
}

bool sys_interrupted(void) { return false; }
void sys_kick(void) { kicks++; }
int fake_kicks(void) { return kicks; }
