/* netstat: every TCP connection and listener (TIME_WAIT included) with
 * its state, endpoints, queues, RTT, cwnd, running timer and memory; and
 * `netstat -s`, every counter group the stack keeps, by layer, zero rows
 * hidden (-sa shows them). */
#include <stdio.h>
#include <string.h>

#include "kernel/printf.h"
#include "net/netbuf.h"
#include "net/sys.h"
#include "net/stack.h"
#include "net/tcp.h"
#include "user/command.h"
#include "user/netfmt.h"
#include "user/shell.h"

enum { ADDR_COL = 21 }; /* "255.255.255.255:65535" */

/* "a.b.c.d:port" into buf; a listener's unset remote end is "0.0.0.0:*". */
static const char *netstat_endpoint(char *buf, size_t size, uint32_t addr, uint16_t port)
{
	if (port)
		snprintf(buf, size, "%s:%u", netfmt_ip(addr), port);
	else
		snprintf(buf, size, "%s:*", netfmt_ip(addr));
	return buf;
}

static void netstat_print_conn(const struct tcp_conn_info *i, void *ctx)
{
	char local[32], remote[32], rtt[16], timer[24];

	(void)ctx;
	netstat_endpoint(local, sizeof local, i->laddr, i->lport);
	netstat_endpoint(remote, sizeof remote, i->raddr, i->rport);
	if (i->state == TCP_LISTEN || i->srtt_us == 0)
		snprintf(rtt, sizeof rtt, "-");
	else
		snprintf(rtt, sizeof rtt, "%u.%ums", i->srtt_us / 1000, (i->srtt_us % 1000) / 100);
	if (i->timer)
		snprintf(timer, sizeof timer, "%s %llu.%llus", i->timer, (unsigned long long)(i->timer_ms / 1000),
			 (unsigned long long)(i->timer_ms % 1000) / 100);
	else
		snprintf(timer, sizeof timer, "-");
	kprintf("tcp   %-*s %-*s %-12s %7zu %7zu %8s %6u %8u %4llu %-16s %6zuK\n", ADDR_COL, local, ADDR_COL,
		remote, tcp_state_name[i->state], i->sendq, i->recvq, rtt, i->state == TCP_LISTEN ? 0 : i->rto_ms,
		i->state == TCP_LISTEN ? 0 : i->cwnd, (unsigned long long)i->retransmits, timer,
		(i->mem_bytes + 1023) / 1024);
}

static int netstat_conns(void)
{
	kprintf("Proto %-*s %-*s %-12s %7s %7s %8s %6s %8s %4s %-16s %7s\n", ADDR_COL, "Local Address", ADDR_COL,
		"Foreign Address", "State", "Send-Q", "Recv-Q", "RTT", "RTO", "cwnd", "Rexm", "Timer", "Mem");
	int n = tcp_foreach(netstat_print_conn, NULL, sys_now_ms());
	if (n == 0)
		kprintf("(no TCP connections)\n");
	return 0;
}

/* -s: the counters grouped by layer, one "  name value" row each; rows
 * that are zero are hidden unless all is set, so a drop reason that fired
 * stands out (and a test can check that a silent discard was counted).
 * The packet-buffer pool comes first as group "netbuf". */
static int netstat_counters(bool all)
{
	size_t n;
	const struct net_counter_group *const *groups = net_counter_groups(&n);
	struct netbuf_stats nb;

	netbuf_get_stats(&nb);
	kprintf("netbuf:\n  total %u\n", nb.total);
	if (nb.in_use || all)
		kprintf("  in_use %u\n", nb.in_use);
	kprintf("  high_water %u\n", nb.high_water);
	if (nb.alloc_failures || all)
		kprintf("  alloc_failures %llu\n", (unsigned long long)nb.alloc_failures);
	if (nb.large_in_use || all)
		kprintf("  large_in_use %u\n", nb.large_in_use);
	if (nb.bad_frees || all)
		kprintf("  bad_frees %llu\n", (unsigned long long)nb.bad_frees);
	for (size_t g = 0; g < n; g++) {
		bool shown = false;
		for (size_t i = 0; i < groups[g]->count; i++) {
			uint64_t v = *groups[g]->counters[i].value;
			if (v == 0 && !all)
				continue;
			if (!shown)
				kprintf("%s:\n", groups[g]->name);
			shown = true;
			kprintf("  %s %llu\n", groups[g]->counters[i].name, (unsigned long long)v);
		}
	}
	return 0;
}

static int cmd_netstat(int argc, char **argv)
{
	if (argc == 1)
		return netstat_conns();
	if (argc == 2 && strcmp(argv[1], "-s") == 0)
		return netstat_counters(false);
	if (argc == 2 && (strcmp(argv[1], "-sa") == 0 || strcmp(argv[1], "-as") == 0))
		return netstat_counters(true);
	return shell_usage_error("netstat", "unknown option %s", argv[1]);
}

COMMAND(netstat, .name = "netstat", .usage = "netstat [-s | -sa]",
	.summary = "TCP connections and listeners; -s: network counters by layer (-sa: zeros too)",
	.example = "netstat\nnetstat -s", .run = cmd_netstat);
