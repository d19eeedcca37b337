/* The stack as a whole: start-up, the timer table netd runs, and the
 * counter table the shell prints. */
#include "net/stack.h"

#include <string.h>

#include "net/arp.h"
#include "net/ethernet.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "net/ipv4_reasm.h"
#include "net/loopback.h"
#include "net/netem.h"

struct net_timer {
	const char *name;
	net_tick_fn tick;
	net_deadline_fn next;
};

/* The stack's own timers first; protocols that come later (DHCP, TCP,
 * DNS) add theirs with net_timer_register. */
static struct net_timer net_timers[NET_TIMERS_MAX] = {
	{ "arp", arp_tick, arp_next_deadline },
	{ "ipv4_reasm", ipv4_reasm_tick, ipv4_reasm_next_deadline },
};
static size_t net_timer_count = 2;

int net_timer_register(const char *name, net_tick_fn tick, net_deadline_fn next)
{
	for (size_t i = 0; i < net_timer_count; i++) {
		if (net_timers[i].tick == tick) {
			net_timers[i].next = next;
			return 0;
		}
	}
	if (net_timer_count >= NET_TIMERS_MAX)
		return -1;
	net_timers[net_timer_count].name = name;
	net_timers[net_timer_count].tick = tick;
	net_timers[net_timer_count].next = next;
	net_timer_count++;
	return 0;
}

void net_timer_unregister(net_tick_fn tick)
{
	for (size_t i = 0; i < net_timer_count; i++) {
		if (net_timers[i].tick == tick) {
			memmove(&net_timers[i], &net_timers[i + 1],
				(net_timer_count - i - 1) * sizeof net_timers[0]);
			net_timer_count--;
			return;
		}
	}
}

void net_tick(uint64_t now_ms)
{
	loopback_poll();
	for (size_t i = 0; i < net_timer_count; i++)
		if (!net_timers[i].next || net_timers[i].next() <= now_ms)
			net_timers[i].tick(now_ms);
}

uint64_t net_next_deadline(void)
{
	uint64_t next = UINT64_MAX;

	if (loopback_pending())
		return 0;
	for (size_t i = 0; i < net_timer_count; i++) {
		uint64_t d = net_timers[i].next ? net_timers[i].next() : 0;
		if (d < next)
			next = d;
	}
	return next;
}

/* ---- counters ---- */

#define NET_COUNTER(stats, field) { #field, &stats.field }

static const struct net_counter eth_counters[] = {
	NET_COUNTER(eth_stats, rx_frames),     NET_COUNTER(eth_stats, rx_short),
	NET_COUNTER(eth_stats, rx_not_ours),   NET_COUNTER(eth_stats, rx_broadcast),
	NET_COUNTER(eth_stats, rx_multicast),  NET_COUNTER(eth_stats, rx_unknown_type),
	NET_COUNTER(eth_stats, tx_frames),     NET_COUNTER(eth_stats, tx_no_headroom),
	NET_COUNTER(eth_stats, tx_errors),     NET_COUNTER(eth_stats, rx_oversize),
};

static const struct net_counter arp_counters[] = {
	NET_COUNTER(arp_stats, rx_packets),        NET_COUNTER(arp_stats, rx_short),
	NET_COUNTER(arp_stats, rx_bad_htype),      NET_COUNTER(arp_stats, rx_bad_ptype),
	NET_COUNTER(arp_stats, rx_bad_len),        NET_COUNTER(arp_stats, rx_bad_op),
	NET_COUNTER(arp_stats, rx_bad_sender_mac), NET_COUNTER(arp_stats, rx_own_mac),
	NET_COUNTER(arp_stats, rx_bad_sender_ip),  NET_COUNTER(arp_stats, rx_conflict),
	NET_COUNTER(arp_stats, rx_requests),       NET_COUNTER(arp_stats, rx_replies),
	NET_COUNTER(arp_stats, rx_unsolicited),    NET_COUNTER(arp_stats, rx_not_for_us),
	NET_COUNTER(arp_stats, tx_requests),       NET_COUNTER(arp_stats, tx_replies),
	NET_COUNTER(arp_stats, tx_announces),      NET_COUNTER(arp_stats, resolved),
	NET_COUNTER(arp_stats, updated),           NET_COUNTER(arp_stats, created),
	NET_COUNTER(arp_stats, evicted),           NET_COUNTER(arp_stats, cache_full),
	NET_COUNTER(arp_stats, timeouts),          NET_COUNTER(arp_stats, queued),
	NET_COUNTER(arp_stats, queue_full),        NET_COUNTER(arp_stats, queue_dropped),
};

static const struct net_counter ipv4_counters[] = {
	NET_COUNTER(ipv4_stats, rx_packets),      NET_COUNTER(ipv4_stats, rx_delivered),
	NET_COUNTER(ipv4_stats, rx_short),        NET_COUNTER(ipv4_stats, rx_bad_version),
	NET_COUNTER(ipv4_stats, rx_bad_hlen),     NET_COUNTER(ipv4_stats, rx_bad_len),
	NET_COUNTER(ipv4_stats, rx_bad_checksum), NET_COUNTER(ipv4_stats, rx_bad_src),
	NET_COUNTER(ipv4_stats, rx_martian),      NET_COUNTER(ipv4_stats, rx_bad_options),
	NET_COUNTER(ipv4_stats, rx_options),      NET_COUNTER(ipv4_stats, rx_ttl_zero),
	NET_COUNTER(ipv4_stats, rx_not_ours),     NET_COUNTER(ipv4_stats, rx_multicast),
	NET_COUNTER(ipv4_stats, rx_unknown_proto), NET_COUNTER(ipv4_stats, rx_tcp_no_handler),
	NET_COUNTER(ipv4_stats, rx_fragments),    NET_COUNTER(ipv4_stats, rx_reassembled),
	NET_COUNTER(ipv4_stats, tx_packets),      NET_COUNTER(ipv4_stats, tx_fragments),
	NET_COUNTER(ipv4_stats, tx_no_route),     NET_COUNTER(ipv4_stats, tx_too_big),
	NET_COUNTER(ipv4_stats, tx_no_buffer),    NET_COUNTER(ipv4_stats, tx_link_down),
	NET_COUNTER(ipv4_stats, tx_resolve_failed),
};

static const struct net_counter reasm_counters[] = {
	NET_COUNTER(ipv4_reasm_stats, started),      NET_COUNTER(ipv4_reasm_stats, completed),
	NET_COUNTER(ipv4_reasm_stats, timeouts),     NET_COUNTER(ipv4_reasm_stats, overlaps),
	NET_COUNTER(ipv4_reasm_stats, duplicates),   NET_COUNTER(ipv4_reasm_stats, oversize),
	NET_COUNTER(ipv4_reasm_stats, too_big),      NET_COUNTER(ipv4_reasm_stats, bad_frag_len),
	NET_COUNTER(ipv4_reasm_stats, inconsistent), NET_COUNTER(ipv4_reasm_stats, table_full),
	NET_COUNTER(ipv4_reasm_stats, frags_full),   NET_COUNTER(ipv4_reasm_stats, netbufs_full),
	NET_COUNTER(ipv4_reasm_stats, no_memory),    NET_COUNTER(ipv4_reasm_stats, poisoned_drops),
};

static const struct net_counter icmp_counters[] = {
	NET_COUNTER(icmp_stats, rx_packets),         NET_COUNTER(icmp_stats, rx_short),
	NET_COUNTER(icmp_stats, rx_bad_checksum),    NET_COUNTER(icmp_stats, rx_unknown_type),
	NET_COUNTER(icmp_stats, rx_echo_requests),   NET_COUNTER(icmp_stats, rx_echo_broadcast_ignored),
	NET_COUNTER(icmp_stats, rx_echo_replies),    NET_COUNTER(icmp_stats, rx_echo_unmatched),
	NET_COUNTER(icmp_stats, rx_errors),          NET_COUNTER(icmp_stats, rx_bad_quote),
	NET_COUNTER(icmp_stats, rx_quote_not_ours),  NET_COUNTER(icmp_stats, rx_errors_unhandled),
	NET_COUNTER(icmp_stats, tx_echo_replies),    NET_COUNTER(icmp_stats, tx_echo_requests),
	NET_COUNTER(icmp_stats, tx_errors),          NET_COUNTER(icmp_stats, tx_error_suppressed),
	NET_COUNTER(icmp_stats, tx_error_rate_limited), NET_COUNTER(icmp_stats, ping_queue_full),
};

#define NET_GROUP(name, table) { name, table, sizeof table / sizeof table[0] }

static const struct net_counter_group builtin_groups[] = {
	NET_GROUP("eth", eth_counters),
	NET_GROUP("arp", arp_counters),
	NET_GROUP("ipv4", ipv4_counters),
	NET_GROUP("ipfrag", reasm_counters),
	NET_GROUP("icmp", icmp_counters),
};

static const struct net_counter_group *net_groups[NET_COUNTER_GROUPS_MAX];
static size_t net_group_count;

int net_counters_register(const struct net_counter_group *g)
{
	for (size_t i = 0; i < net_group_count; i++) {
		if (strcmp(net_groups[i]->name, g->name) == 0) {
			net_groups[i] = g;
			return 0;
		}
	}
	if (net_group_count >= NET_COUNTER_GROUPS_MAX)
		return -1;
	net_groups[net_group_count++] = g;
	return 0;
}

const struct net_counter_group *const *net_counter_groups(size_t *n)
{
	*n = net_group_count;
	return net_groups;
}

void net_init(void)
{
	arp_init();
	ipv4_init();
	icmp_init();
	netem_init();
	memset(&eth_stats, 0, sizeof eth_stats);
	loopback_flush();
	loopback_init();
	for (size_t i = 0; i < sizeof builtin_groups / sizeof builtin_groups[0]; i++)
		net_counters_register(&builtin_groups[i]);
}

void net_reset(void)
{
	arp_flush(NULL);
	ipv4_reasm_flush();
	loopback_flush();
	netem_reset();
}
