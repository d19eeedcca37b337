/* net/sys.h for the kernel: the stack's clock, randomness, memory, log and
 * sleeping places, made of the kernel's own services. */
#include <stdarg.h>

#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/heap.h"
#include "kernel/netd.h"
#include "kernel/printf.h"
#include "kernel/random.h"
#include "kernel/sched.h"
#include "net/sys.h"

struct sys_wait {
	struct waitq wq;
};

/* DEBUG messages are off by default: console output costs ~70 us a
 * character under TCG, far too much for the packet path. */
static enum sys_log_level log_threshold = SYS_LOG_INFO;

uint64_t sys_now_ms(void) { return now_ms(); }
uint32_t sys_random32(void) { return random_u32(); }
void *sys_alloc(size_t size) { return kmalloc(size); }
void sys_free(void *p) { kfree(p); }

void sys_log(enum sys_log_level level, const char *fmt, ...)
{
	if (level > log_threshold)
		return;
	va_list ap;
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
}

struct sys_wait *sys_wait_create(const char *name)
{
	struct sys_wait *w = kcalloc(1, sizeof *w);
	if (w)
		w->wq.name = name;
	return w;
}

void sys_wait_destroy(struct sys_wait *w) { kfree(w); }

bool sys_wait(struct sys_wait *w, uint64_t timeout_ms)
{
	/* A thread about to wait on the stack has usually just called into it
	 * (sent a ping, a SYN, a DNS query) and may have armed a timer earlier
	 * than the one netd sleeps towards: have netd look again. */
	netd_kick();
	return waitq_wait(&w->wq, timeout_ms == SYS_WAIT_FOREVER ? WAIT_FOREVER : timeout_ms);
}

void sys_wake(struct sys_wait *w) { waitq_wake_all(&w->wq); }
bool sys_interrupted(void) { return console_interrupted(); }
void sys_kick(void) { netd_kick(); }
