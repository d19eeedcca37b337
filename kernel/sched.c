/* The cooperative scheduler. Threads switch only in yield(), sleep_ms() and
 * waitq_wait(); interrupt handlers only mark threads runnable. Scheduling
 * decisions run with interrupts off, so ISR wakes are never lost. */
#include "kernel/sched.h"

#include <string.h>

#include "kernel/clock.h"
#include "kernel/heap.h"
#include "kernel/io.h"
#include "kernel/panic.h"
#include "kernel/pmm.h"
#include "kernel/vmm.h"

enum {
	THREAD_STACK_PAGES = 8, /* 32 KiB, plus one unmapped guard page below */
	/* Below this, keeping the 1 kHz tick is cheaper than reprogramming the PIT. */
	IDLE_TICKLESS_MIN_US = 2000,
};

void context_switch(uint64_t *save_rsp, uint64_t new_rsp);
void thread_trampoline(void);
void thread_start(void) __attribute__((noreturn));

static struct {
	struct thread *all;      /* every thread, in creation order */
	struct thread *current;
	struct thread *idle;
	struct thread *reap;     /* a dead thread whose stack is freed after the switch */
	int next_id;
	uint64_t idle_us;
} sched;

static struct thread boot_thread;

static const char *const thread_state_names[] = {
	[THREAD_RUNNABLE] = "ready", [THREAD_RUNNING] = "running", [THREAD_SLEEPING] = "sleeping",
	[THREAD_BLOCKED] = "blocked", [THREAD_DEAD] = "dead",
};

const char *thread_state_name(enum thread_state s)
{
	return s <= THREAD_DEAD ? thread_state_names[s] : "?";
}

struct thread *thread_current(void) { return sched.current; }
uint64_t sched_idle_us(void) { return sched.idle_us; }

void sched_init(void)
{
	boot_thread.id = sched.next_id++;
	strlcpy(boot_thread.name, "kmain", sizeof boot_thread.name);
	boot_thread.state = THREAD_RUNNING;
	boot_thread.last_start_us = now_us();
	sched.all = sched.current = &boot_thread;
}

static void waitq_remove(struct waitq *wq, struct thread *t)
{
	for (struct thread **pp = &wq->head; *pp; pp = &(*pp)->wq_next) {
		if (*pp == t) {
			*pp = t->wq_next;
			break;
		}
	}
	t->wq_next = NULL;
	t->waiting_on = NULL;
}

/* Make threads whose deadline passed runnable. Interrupts off. */
static void sched_expire(uint64_t now)
{
	for (struct thread *t = sched.all; t; t = t->next) {
		if ((t->state == THREAD_SLEEPING || t->state == THREAD_BLOCKED) && t->wake_at_us && now >= t->wake_at_us) {
			if (t->waiting_on)
				waitq_remove(t->waiting_on, t);
			t->wake_at_us = 0;
			t->state = THREAD_RUNNABLE;
		}
	}
}

/* The next runnable thread after the current one, round robin; the idle
 * thread only when nothing else can run. Interrupts off. */
static struct thread *sched_pick(void)
{
	sched_expire(now_us());
	struct thread *start = sched.current->next ? sched.current->next : sched.all;
	struct thread *t = start;
	do {
		if (t != sched.idle && t->state == THREAD_RUNNABLE)
			return t;
		t = t->next ? t->next : sched.all;
	} while (t != start);
	if (sched.current->state == THREAD_RUNNING)
		return sched.current;
	return sched.idle;
}

static void sched_finish_switch(void)
{
	if (sched.reap) {
		struct thread *t = sched.reap;
		sched.reap = NULL;
		if (t->stack) {
			/* The guard page goes back mapped: the next owner of these
			 * pages (pmm zeroes them) must be able to touch it. */
			vmm_map_page(virt_to_phys(t->stack));
			pmm_free_contig(virt_to_phys(t->stack), t->stack_size / PAGE_SIZE);
		}
		if (t != &boot_thread)
			kfree(t);
	}
}

/* Switch to the next thread. Interrupts must be off; they stay off. */
static void schedule(void)
{
	struct thread *prev = sched.current;
	struct thread *next = sched_pick();
	if (next == prev) {
		prev->state = THREAD_RUNNING;
		return;
	}
	if (prev->state == THREAD_RUNNING)
		prev->state = THREAD_RUNNABLE;
	uint64_t now = now_us();
	prev->run_us += now - prev->last_start_us;
	next->last_start_us = now;
	next->state = THREAD_RUNNING;
	next->switches++;
	sched.current = next;
	context_switch(&prev->rsp, next->rsp);
	sched_finish_switch();
}

void thread_start(void)
{
	sched_finish_switch();
	struct thread *t = sched.current;
	sti();
	t->entry(t->arg);
	thread_exit();
}

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg)
{
	struct thread *t = kcalloc(1, sizeof *t);
	if (!t)
		return NULL;
	size_t pages = THREAD_STACK_PAGES + 1;
	uint64_t base = pmm_alloc_contig(pages);
	if (!base) {
		kfree(t);
		return NULL;
	}
	/* The lowest page stays unmapped: an overflow faults instead of
	 * silently overwriting whatever lies below. */
	vmm_unmap_page(base);
	t->stack = phys_to_virt(base);
	t->stack_size = pages * PAGE_SIZE;
	strlcpy(t->name, name, sizeof t->name);
	t->entry = fn;
	t->arg = arg;
	t->state = THREAD_RUNNABLE;

	/* The frame context_switch pops: r15 r14 r13 r12 rbx rbp, then ret. */
	uint64_t *sp = (uint64_t *)((uint8_t *)t->stack + t->stack_size);
	*--sp = 0;                           /* keeps rsp 16-aligned at thread_start's entry */
	*--sp = (uint64_t)thread_trampoline; /* return address */
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	t->rsp = (uint64_t)sp;

	uint64_t flags = irq_save();
	t->id = sched.next_id++;
	struct thread **pp = &sched.all;
	while (*pp)
		pp = &(*pp)->next;
	*pp = t;
	irq_restore(flags);
	return t;
}

void yield(void)
{
	uint64_t flags = irq_save();
	schedule();
	irq_restore(flags);
}

void sleep_ms(uint64_t ms)
{
	uint64_t flags = irq_save();
	struct thread *t = sched.current;
	t->state = THREAD_SLEEPING;
	t->wake_at_us = now_us() + ms * 1000;
	if (t->wake_at_us == 0)
		t->wake_at_us = 1;
	schedule();
	irq_restore(flags);
}

void thread_exit(void)
{
	cli();
	struct thread *t = sched.current;
	t->state = THREAD_DEAD;
	/* Unlink now; the stack is freed by whoever runs next. */
	for (struct thread **pp = &sched.all; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->next = NULL;
	sched.reap = t;
	struct thread *next = sched_pick();
	sched.current = next;
	next->state = THREAD_RUNNING;
	next->last_start_us = now_us();
	next->switches++;
	uint64_t dummy;
	context_switch(&dummy, next->rsp);
	panic("thread_exit: dead thread resumed");
}

bool waitq_wait(struct waitq *wq, uint64_t timeout_ms)
{
	uint64_t flags = irq_save();
	struct thread *t = sched.current;
	t->woken = false;
	t->state = THREAD_BLOCKED;
	t->waiting_on = wq;
	t->wq_next = wq->head;
	wq->head = t;
	t->wake_at_us = 0;
	if (timeout_ms != WAIT_FOREVER) {
		t->wake_at_us = now_us() + timeout_ms * 1000;
		if (t->wake_at_us == 0)
			t->wake_at_us = 1;
	}
	schedule();
	if (t->waiting_on)
		waitq_remove(t->waiting_on, t);
	t->wake_at_us = 0;
	bool woken = t->woken;
	irq_restore(flags);
	return woken;
}

static void waitq_wake(struct waitq *wq, bool all)
{
	uint64_t flags = irq_save();
	while (wq->head) {
		struct thread *t = wq->head;
		wq->head = t->wq_next;
		t->wq_next = NULL;
		t->waiting_on = NULL;
		t->woken = true;
		t->wake_at_us = 0;
		t->state = THREAD_RUNNABLE;
		if (!all)
			break;
	}
	irq_restore(flags);
}

void waitq_wake_one(struct waitq *wq) { waitq_wake(wq, false); }
void waitq_wake_all(struct waitq *wq) { waitq_wake(wq, true); }

void thread_foreach(void (*fn)(const struct thread *t, void *ctx), void *ctx)
{
	for (struct thread *t = sched.all; t; t = t->next)
		fn(t, ctx);
}

/* Is anything but idle able to run now? Interrupts off. */
static bool sched_has_work(void)
{
	sched_expire(now_us());
	for (struct thread *t = sched.all; t; t = t->next)
		if (t != sched.idle && t->state == THREAD_RUNNABLE)
			return true;
	return false;
}

/* The earliest wake-up deadline of any sleeping or waiting thread, in us
 * since boot; UINT64_MAX when every thread waits for an event. */
static uint64_t sched_next_deadline(void)
{
	uint64_t next = UINT64_MAX;
	for (struct thread *t = sched.all; t; t = t->next)
		if ((t->state == THREAD_SLEEPING || t->state == THREAD_BLOCKED) && t->wake_at_us && t->wake_at_us < next)
			next = t->wake_at_us;
	return next;
}

/* The idle thread: check for work with interrupts off, then `sti; hlt`.
 * sti takes effect after the next instruction, so an interrupt that makes a
 * thread runnable between the check and the halt still ends the halt. */
static void idle_thread(void *arg)
{
	(void)arg;
	for (;;) {
		cli();
		if (sched_has_work()) {
			schedule();
			sti();
			continue;
		}
		uint64_t start = now_us();
		uint64_t next = sched_next_deadline();
		if (next > start + IDLE_TICKLESS_MIN_US)
			clock_idle_oneshot(next == UINT64_MAX ? UINT64_MAX : next - start);
		__asm__ volatile("sti; hlt" ::: "memory");
		cli();
		clock_resume_periodic();
		sti();
		sched.idle_us += now_us() - start;
	}
}

void sched_start_idle(void)
{
	sched.idle = thread_create("idle", idle_thread, NULL);
	if (!sched.idle)
		panic("sched: cannot create the idle thread");
}
