/* The cooperative scheduler: kernel threads, sleeping, wait queues.
 * A thread switch happens only inside yield(), sleep_ms() and waitq_wait().
 * Interrupt handlers may call waitq_wake_*() and nothing else from here. */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum thread_state { THREAD_RUNNABLE, THREAD_RUNNING, THREAD_SLEEPING, THREAD_BLOCKED, THREAD_DEAD };

#define THREAD_NAME_MAX 16

struct waitq;

struct thread {
	uint64_t rsp;               /* saved stack pointer: the only saved context */
	int id;
	char name[THREAD_NAME_MAX];
	enum thread_state state;
	uint64_t wake_at_us;        /* deadline when sleeping or waiting with a timeout; 0 = none */
	struct waitq *waiting_on;   /* the queue it is blocked on, if any */
	bool woken;                 /* set by a wake, cleared on wait */
	struct thread *next;        /* all-threads list */
	struct thread *wq_next;     /* wait-queue list */
	void *stack;                /* base of the stack allocation */
	size_t stack_size;
	uint64_t switches;          /* times scheduled in */
	uint64_t run_us;            /* time spent running */
	uint64_t last_start_us;
	void (*entry)(void *);
	void *arg;
};

struct waitq {
	struct thread *head;
	const char *name;
};

#define WAITQ_INIT(n) { .head = NULL, .name = (n) }
#define WAIT_FOREVER UINT64_MAX

/* Adopt the boot context as thread "kmain"; then create the idle thread. */
void sched_init(void);
void sched_start_idle(void);
/* Start a thread running fn(arg) on its own stack; NULL on allocation failure. */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg);
struct thread *thread_current(void);
/* Let every other runnable thread run once. */
void yield(void);
void sleep_ms(uint64_t ms);
/* End the current thread (also what returning from its function does). */
void thread_exit(void) __attribute__((noreturn));

/* Block until woken or timeout_ms passes. Returns true if woken, false on
 * timeout. Callers re-check their condition: a wake is a hint. */
bool waitq_wait(struct waitq *wq, uint64_t timeout_ms);
/* Wake the first waiter / every waiter. Safe from interrupt handlers. */
void waitq_wake_one(struct waitq *wq);
void waitq_wake_all(struct waitq *wq);

/* Visit every thread (for ps). */
void thread_foreach(void (*fn)(const struct thread *t, void *ctx), void *ctx);
const char *thread_state_name(enum thread_state s);
/* Microseconds the idle thread has spent halted, for CPU-load reports. */
uint64_t sched_idle_us(void);

#endif
