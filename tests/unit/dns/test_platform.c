/* The DNS tests' platform (see test_platform.h). */
#include "tests/unit/dns/test_platform.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t clock_ms;
static uint32_t rng = 0x2545f491;
static long alloc_live;
static char log_buf[8192];
static size_t log_len;
static tp_wait_hook wait_hook;
static void *wait_ctx;
static unsigned long waits;
static unsigned long interrupt_at, interrupt_calls;

void tp_clock_set(uint64_t now_ms) { clock_ms = now_ms; }
void tp_clock_advance(uint64_t ms) { clock_ms += ms; }
uint64_t sys_now_ms(void) { return clock_ms; }

void tp_random_seed(uint32_t seed) { rng = seed ? seed : 1; }

uint32_t sys_random32(void)
{
	/* xorshift32: the same sequence for the same seed. */
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

void *sys_alloc(size_t size)
{
	void *p = malloc(size);
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

long tp_alloc_live(void) { return alloc_live; }

void sys_log(enum sys_log_level level, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (getenv("NET_TEST_LOG"))
		fprintf(stderr, "[%d] %s\n", (int)level, line);
	int n = snprintf(log_buf + log_len, sizeof log_buf - log_len, "%s\n", line);
	if (n > 0 && (size_t)n < sizeof log_buf - log_len)
		log_len += (size_t)n;
}

bool tp_log_contains(const char *s) { return strstr(log_buf, s) != NULL; }

void tp_log_clear(void)
{
	log_len = 0;
	log_buf[0] = 0;
}

struct sys_wait *sys_wait_create(const char *name)
{
	struct sys_wait *w = sys_alloc(sizeof *w);
	if (w) {
		w->name = name;
		w->wakes = 0;
	}
	return w;
}

void sys_wait_destroy(struct sys_wait *w) { sys_free(w); }

void tp_set_wait_hook(tp_wait_hook hook, void *ctx)
{
	wait_hook = hook;
	wait_ctx = ctx;
}

unsigned long tp_waits(void) { return waits; }

bool sys_wait(struct sys_wait *w, uint64_t timeout_ms)
{
	waits++;
	if (wait_hook)
		return wait_hook(w, timeout_ms, wait_ctx);
	if (timeout_ms != SYS_WAIT_FOREVER)
		clock_ms += timeout_ms;
	return false;
}

void sys_wake(struct sys_wait *w)
{
	if (w)
		w->wakes++;
}

void tp_interrupt_after(unsigned long n)
{
	interrupt_at = n;
	interrupt_calls = 0;
}

bool sys_interrupted(void)
{
	interrupt_calls++;
	return interrupt_at && interrupt_calls >= interrupt_at;
}

void sys_kick(void) {}
