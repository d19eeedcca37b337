/* The counters behind net/perf.h, and their names. */
#include "net/perf.h"

#include <string.h>

struct perf_state net_perf;

static const char *const perf_names[PERF_STAGES] = {
	[PERF_IDLE] = "idle",
	[PERF_NIC_RX] = "nic rx",
	[PERF_NIC_TX] = "nic tx",
	[PERF_NIC_RECLAIM] = "nic reclaim",
	[PERF_ETHERNET] = "ethernet",
	[PERF_ARP] = "arp",
	[PERF_IPV4] = "ipv4",
	[PERF_ICMP] = "icmp",
	[PERF_UDP] = "udp",
	[PERF_TCP_IN] = "tcp in",
	[PERF_TCP_OUT] = "tcp out",
	[PERF_TIMERS] = "timers",
	[PERF_SOCKET] = "socket",
	[PERF_CHECKSUM] = "checksum",
};

const char *perf_stage_name(enum perf_stage s)
{
	return (unsigned)s < PERF_STAGES ? perf_names[s] : "?";
}

void perf_reset(void)
{
	enum perf_stage cur = net_perf.current;
	uint64_t now = perf_tsc();

	memset(&net_perf, 0, sizeof net_perf);
	net_perf.current = cur;
	net_perf.mark = now;
	net_perf.since = now;
}
