/* The platform interface: everything net/ needs from its host.
 * The kernel implements it in kernel/net_platform.c; host tests implement
 * it with a simulated clock in tests/unit/net/. net/ includes nothing else
 * from the kernel. */
#ifndef NET_SYS_H
#define NET_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Monotonic time in milliseconds. Protocol entry points take `now` as an
 * argument; this is for the few places that start something (a ping). */
uint64_t sys_now_ms(void);

/* Uniformly random 32 bits (RDRAND or TSC-jitter seeded in the kernel,
 * deterministic per seed in tests). */
uint32_t sys_random32(void);

/* General allocation for long-lived state (tables, connections);
 * packets come from the netbuf pool, never from here. */
void *sys_alloc(size_t size);
void sys_free(void *p);

enum sys_log_level { SYS_LOG_ERR, SYS_LOG_WARN, SYS_LOG_INFO, SYS_LOG_DEBUG };
/* Diagnostics. The stack never prints on the packet path except through here,
 * and the platform may drop DEBUG. */
void sys_log(enum sys_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A place a thread can sleep until the stack has news for it (a socket's
 * queue). The platform defines the struct; net/ only embeds a pointer. */
struct sys_wait;
struct sys_wait *sys_wait_create(const char *name);
void sys_wait_destroy(struct sys_wait *w);
/* Sleep until sys_wake() or timeout_ms (SYS_WAIT_FOREVER for none).
 * Returns true if woken, false on timeout; callers re-check their condition. */
#define SYS_WAIT_FOREVER UINT64_MAX
bool sys_wait(struct sys_wait *w, uint64_t timeout_ms);
void sys_wake(struct sys_wait *w);
/* True when the user asked the current command to stop (Ctrl-C). */
bool sys_interrupted(void);
/* Ask the network thread to run soon (new work queued, a deadline moved). */
void sys_kick(void);

#endif
