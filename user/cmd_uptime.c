/* uptime: time since boot, thread count and how idle the CPU has been. */
#include <stdint.h>

#include "kernel/clock.h"
#include "kernel/printf.h"
#include "kernel/sched.h"
#include "user/command.h"
#include "user/shell.h"

#define MS_PER_SECOND 1000ull
#define MS_PER_MINUTE (60 * MS_PER_SECOND)
#define MS_PER_HOUR (60 * MS_PER_MINUTE)
#define MS_PER_DAY (24 * MS_PER_HOUR)

static void uptime_count(const struct thread *t, void *ctx)
{
	(void)t;
	(*(int *)ctx)++;
}

static int uptime_run(int argc, char **argv)
{
	uint64_t up_us, idle_us, ms, idle_permille;
	int threads = 0;

	if (argc > 1)
		return shell_usage_error(argv[0], "unexpected argument '%s'", argv[1]);
	up_us = now_us();
	idle_us = sched_idle_us();
	thread_foreach(uptime_count, &threads);

	/* Integer tenths of a percent: the kernel has no floating point. */
	idle_permille = up_us ? idle_us * 1000 / up_us : 0;
	if (idle_permille > 1000)
		idle_permille = 1000;

	ms = up_us / 1000;
	kprintf("up ");
	if (ms >= MS_PER_DAY)
		kprintf("%llud ", (unsigned long long)(ms / MS_PER_DAY));
	kprintf("%llu:%02llu:%02llu.%03llu, %d thread%s, cpu idle %llu.%llu%%\n",
		(unsigned long long)(ms % MS_PER_DAY / MS_PER_HOUR),
		(unsigned long long)(ms % MS_PER_HOUR / MS_PER_MINUTE),
		(unsigned long long)(ms % MS_PER_MINUTE / MS_PER_SECOND),
		(unsigned long long)(ms % MS_PER_SECOND),
		threads, threads == 1 ? "" : "s",
		(unsigned long long)(idle_permille / 10), (unsigned long long)(idle_permille % 10));
	return 0;
}

COMMAND(uptime,
	.name = "uptime",
	.usage = "uptime",
	.summary = "time since boot, threads and CPU idle share",
	.example = "uptime",
	.run = uptime_run);
