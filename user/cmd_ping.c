/* ping: ICMP echo requests, one line per reply, then loss and RTT summary
 * in the shape of the Unix tool. Ctrl-C stops it early. */
#include <string.h>

#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/printf.h"
#include "net/err.h"
#include "net/icmp.h"
#include "net/sys.h"
#include "user/command.h"
#include "user/netfmt.h"
#include "user/resolve.h"
#include "user/shell.h"

enum {
	PING_DEFAULT_COUNT = 4,
	PING_DEFAULT_SIZE = 56,
	PING_DEFAULT_INTERVAL_MS = 1000,
	PING_DEFAULT_WAIT_MS = 2000, /* after the last request */
	PING_SEND_SLOTS = 256,       /* send times remembered, by seq */
	ICMP_ECHO_HLEN = 8,
	IPV4_MIN_HLEN = 20,
};

struct ping_run {
	uint32_t dst;
	unsigned long count, size, interval_ms, wait_ms, ttl;
	unsigned long sent, received, errors, duplicates;
	uint64_t send_us[PING_SEND_SLOTS];
	uint8_t answered[PING_SEND_SLOTS];
	uint64_t rtt_min, rtt_max, rtt_sum; /* us */
};

static void ping_print_reply(struct ping_run *r, const struct icmp_ping_reply *rep, uint64_t now)
{
	unsigned slot = rep->seq % PING_SEND_SLOTS;
	if (rep->err != NET_OK) {
		r->errors++;
		kprintf("From %s icmp_seq=%u %s\n", netfmt_ip(rep->from), rep->seq, icmp_error_name(rep->type, rep->code));
		return;
	}
	if (rep->seq == 0 || rep->seq > r->sent || r->send_us[slot] == 0) {
		return; /* not ours any more (a late reply from long ago) */
	}
	bool dup = r->answered[slot];
	r->answered[slot] = 1;
	uint64_t rtt = now - r->send_us[slot];
	if (dup) {
		r->duplicates++;
	} else {
		r->received++;
		r->rtt_sum += rtt;
		if (r->received == 1 || rtt < r->rtt_min)
			r->rtt_min = rtt;
		if (rtt > r->rtt_max)
			r->rtt_max = rtt;
	}
	kprintf("%zu bytes from %s: icmp_seq=%u ttl=%u time=%llu.%03llu ms%s%s\n", rep->bytes, netfmt_ip(rep->from),
		rep->seq, rep->ttl, (unsigned long long)(rtt / 1000), (unsigned long long)(rtt % 1000),
		dup ? " (DUP!)" : "", rep->data_ok ? "" : " (wrong data)");
}

/* Print every reply that arrives before deadline_us; false on Ctrl-C. */
static bool ping_collect(struct icmp_ping *p, struct ping_run *r, uint64_t deadline_us)
{
	for (;;) {
		struct icmp_ping_reply rep;
		while (icmp_ping_recv(p, &rep))
			ping_print_reply(r, &rep, now_us());
		if (console_interrupted())
			return false;
		if (r->count && r->received + r->errors >= r->count && r->sent >= r->count)
			return true;
		uint64_t now = now_us();
		if (now >= deadline_us)
			return true;
		uint64_t ms = (deadline_us - now + 999) / 1000;
		sys_wait(icmp_ping_waiter(p), ms < 100 ? ms : 100); /* wake for Ctrl-C too */
	}
}

static int ping_parse(int argc, char **argv, struct ping_run *r, const char **host)
{
	*host = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		unsigned long *target = NULL;
		unsigned long min = 0, max = 0;
		if (strcmp(a, "-c") == 0) target = &r->count, min = 0, max = 1000000;
		else if (strcmp(a, "-s") == 0) target = &r->size, min = 0, max = ICMP_PING_DATA_MAX;
		else if (strcmp(a, "-i") == 0) target = &r->interval_ms, min = 1, max = 60000;
		else if (strcmp(a, "-W") == 0) target = &r->wait_ms, min = 1, max = 60000;
		else if (strcmp(a, "-t") == 0) target = &r->ttl, min = 1, max = 255;
		else if (a[0] == '-')
			return shell_usage_error("ping", "unknown option %s", a);
		else if (*host)
			return shell_usage_error("ping", "one host only (got %s and %s)", *host, a);
		else {
			*host = a;
			continue;
		}
		if (i + 1 >= argc)
			return shell_usage_error("ping", "%s needs a number", a);
		if (netfmt_parse_uint(argv[++i], min, max, target) != 0)
			return shell_usage_error("ping", "%s takes a number from %lu to %lu, not %s", a, min, max, argv[i]);
	}
	if (!*host)
		return shell_usage_error("ping", "which host?");
	return 0;
}

static int cmd_ping(int argc, char **argv)
{
	static struct ping_run r;
	memset(&r, 0, sizeof r);
	r.count = PING_DEFAULT_COUNT;
	r.size = PING_DEFAULT_SIZE;
	r.interval_ms = PING_DEFAULT_INTERVAL_MS;
	r.wait_ms = PING_DEFAULT_WAIT_MS;
	const char *host;
	if (ping_parse(argc, argv, &r, &host) != 0)
		return 1;
	int err = resolve_host(host, &r.dst);
	if (err != NET_OK) {
		kprintf("ping: %s: %s\n", host, err == NET_ENOTSUP ? "not an IPv4 address (names need DNS)" : net_strerror(err));
		return 1;
	}
	struct icmp_ping *p = icmp_ping_open();
	if (!p) {
		kprintf("ping: no free ping session\n");
		return 1;
	}
	kprintf("PING %s (%s) %lu(%lu) bytes of data.\n", host, netfmt_ip(r.dst), r.size,
		r.size + ICMP_ECHO_HLEN + IPV4_MIN_HLEN);
	uint64_t start = now_us();
	bool stopped = false;
	for (unsigned long seq = 1; !stopped && (r.count == 0 || seq <= r.count); seq++) {
		uint64_t t = now_us();
		r.send_us[seq % PING_SEND_SLOTS] = t;
		r.answered[seq % PING_SEND_SLOTS] = 0;
		err = icmp_ping_send(p, r.dst, (uint16_t)seq, r.size, (uint8_t)r.ttl, 0);
		r.sent++;
		if (err != NET_OK)
			kprintf("ping: sending icmp_seq=%lu: %s\n", seq, net_strerror(err));
		bool last = r.count && seq == r.count;
		uint64_t until = last ? t + r.wait_ms * 1000 : t + r.interval_ms * 1000;
		stopped = !ping_collect(p, &r, until);
	}
	uint64_t elapsed_ms = (now_us() - start) / 1000;
	uint32_t dropped = icmp_ping_dropped(p);
	icmp_ping_close(p);

	unsigned long loss = r.sent ? (r.sent - r.received) * 100 / r.sent : 0;
	kprintf("\n--- %s ping statistics ---\n", host);
	kprintf("%lu packets transmitted, %lu received, ", r.sent, r.received);
	if (r.duplicates)
		kprintf("+%lu duplicates, ", r.duplicates);
	if (r.errors)
		kprintf("+%lu errors, ", r.errors);
	kprintf("%lu%% packet loss, time %llums\n", loss, (unsigned long long)elapsed_ms);
	if (dropped)
		kprintf("(%u replies arrived faster than they could be read and were dropped)\n", dropped);
	if (r.received) {
		uint64_t avg = r.rtt_sum / r.received;
		kprintf("rtt min/avg/max = %llu.%03llu/%llu.%03llu/%llu.%03llu ms\n", (unsigned long long)(r.rtt_min / 1000),
			(unsigned long long)(r.rtt_min % 1000), (unsigned long long)(avg / 1000),
			(unsigned long long)(avg % 1000), (unsigned long long)(r.rtt_max / 1000),
			(unsigned long long)(r.rtt_max % 1000));
	}
	return r.received ? 0 : 1;
}

COMMAND(ping, .name = "ping", .usage = "ping HOST [-c COUNT] [-s SIZE] [-i INTERVAL_MS] [-t TTL] [-W WAIT_MS]",
	.summary = "send ICMP echo requests and report replies, loss and round-trip times",
	.example = "ping 10.0.2.2 -c 3      (count 0 = until Ctrl-C; -s 4000 sends fragments)", .run = cmd_ping);
