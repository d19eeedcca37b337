/* The network stack as a whole: start-up, the timer loop the kernel's
 * netd runs, and the table of counters `ifconfig` and `netstat -s` print. */
#ifndef NET_STACK_H
#define NET_STACK_H

#include <stddef.h>
#include <stdint.h>

/* Initialise every protocol and register the loopback interface. Call
 * netbuf_pool_init() first. Calling it again resets all protocol state
 * (tests do). */
void net_init(void);

/* Run the stack's periodic work: deliver frames looped back since the
 * last call, then every timer whose deadline has come (ARP, reassembly,
 * and those registered with net_timer_register). netd calls this when
 * it wakes, after draining the NICs. */
void net_tick(uint64_t now_ms);

/* The earliest time net_tick has work (now if loopback frames wait),
 * UINT64_MAX if none: netd sleeps until then or until a NIC interrupt. */
uint64_t net_next_deadline(void);

/* A protocol's timer hooks: tick runs its deadlines, next returns its
 * earliest one (UINT64_MAX for none; may be NULL to be ticked on every
 * call). Returns 0, or -1 if the table is full. */
typedef void (*net_tick_fn)(uint64_t now_ms);
typedef uint64_t (*net_deadline_fn)(void);
enum { NET_TIMERS_MAX = 12 };
int net_timer_register(const char *name, net_tick_fn tick, net_deadline_fn next);
/* Remove the timer whose tick function is tick (no-op if absent). */
void net_timer_unregister(net_tick_fn tick);

/* Counters, grouped per protocol, printed generically by the shell:
 *   for each group g: for i < g->count: "g->name.g->counters[i].name = *value" */
struct net_counter {
	const char *name;
	const uint64_t *value;
};
struct net_counter_group {
	const char *name;                  /* "ipv4" */
	const struct net_counter *counters;
	size_t count;
};
enum { NET_COUNTER_GROUPS_MAX = 16 };
/* Add a group (UDP, TCP, DHCP... register theirs); 0, or -1 if full. A
 * group with the same name replaces the old one. */
int net_counters_register(const struct net_counter_group *g);
/* The groups; *n receives how many. */
const struct net_counter_group *const *net_counter_groups(size_t *n);

/* For tests: drop every packet the stack holds (ARP queues, fragments,
 * loopback frames) so the netbuf pool can be checked for leaks. */
void net_reset(void);

#endif
