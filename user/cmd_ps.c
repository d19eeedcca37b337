/* ps: one line per kernel thread. */
#include <stdint.h>
#include <string.h>

#include "kernel/printf.h"
#include "kernel/sched.h"
#include "user/command.h"
#include "user/shell.h"

/* Threads shown; more are counted and reported. */
#define PS_MAX 64

struct ps_row {
	int id;
	char name[THREAD_NAME_MAX];
	enum thread_state state;
	uint64_t switches;
	uint64_t run_us;
};

/* A snapshot taken in one pass, printed afterwards: printing never runs
 * inside the scheduler's walk of its own list. Static: one shell. */
static struct ps_row ps_rows[PS_MAX];

struct ps_walk {
	int n;
	int missed;
};

static void ps_collect(const struct thread *t, void *ctx)
{
	struct ps_walk *w = ctx;
	struct ps_row *r;

	if (w->n == PS_MAX) {
		w->missed++;
		return;
	}
	r = &ps_rows[w->n++];
	r->id = t->id;
	memcpy(r->name, t->name, THREAD_NAME_MAX);
	r->name[THREAD_NAME_MAX - 1] = '\0';
	r->state = t->state;
	r->switches = t->switches;
	r->run_us = t->run_us;
}

static int ps_run(int argc, char **argv)
{
	struct ps_walk w = { 0, 0 };

	if (argc > 1)
		return shell_usage_error(argv[0], "unexpected argument '%s'", argv[1]);
	thread_foreach(ps_collect, &w);
	kprintf("%4s  %-16s %-9s %10s %12s\n", "ID", "NAME", "STATE", "SWITCHES", "CPU(ms)");
	for (int i = 0; i < w.n; i++) {
		const struct ps_row *r = &ps_rows[i];
		kprintf("%4d  %-16s %-9s %10llu %8llu.%03llu\n", r->id, r->name,
			thread_state_name(r->state), (unsigned long long)r->switches,
			(unsigned long long)(r->run_us / 1000), (unsigned long long)(r->run_us % 1000));
	}
	if (w.missed)
		kprintf("(%d more threads not shown)\n", w.missed);
	return 0;
}

COMMAND(ps,
	.name = "ps",
	.usage = "ps",
	.summary = "list threads: id, name, state, switches, CPU time",
	.example = "ps",
	.run = ps_run);
