/* traceroute: the path to a host, hop by hop, in the shape of the Unix
 * tool (Van Jacobson's method, RFC 1393 background): UDP probes to high
 * ports with TTL 1, 2, 3..., several per hop. A router that decrements the
 * TTL to zero answers ICMP time exceeded (RFC 792); the destination, whose
 * port is closed, answers port unreachable, and that ends the trace. Each
 * answer quotes the probe's UDP header, so its destination port says which
 * probe it was. */
#include <string.h>

#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/printf.h"
#include "net/dns.h"
#include "net/err.h"
#include "net/icmp.h"
#include "net/netbuf.h"
#include "net/sys.h"
#include "net/udp.h"
#include "net/wire.h"
#include "user/command.h"
#include "user/netfmt.h"
#include "user/resolve.h"
#include "user/shell.h"

enum {
	TR_PORT_BASE = 33434,          /* the traditional first probe port */
	TR_DEFAULT_MAX_HOPS = 30,
	TR_MAX_HOPS = 64,
	TR_DEFAULT_QUERIES = 3,
	TR_MAX_QUERIES = 10,
	TR_DEFAULT_WAIT_MS = 3000,     /* for each probe's answer */
	TR_PROBE_DATA = 32,            /* 20 + 8 + 32 = 60 byte packets */
	TR_PTR_TIMEOUT_MS = 3000,
	TR_NAMES_MAX = TR_MAX_HOPS,    /* addresses whose names we remember */
	TR_IP_UDP_HLEN = 28,
};

/* What came back for one probe; filled on the network thread. */
struct tr_answer {
	bool got;
	uint32_t from;
	uint8_t type, code;
	uint64_t at_us;
};

struct tr_run {
	uint32_t dst;
	uint16_t sport;
	unsigned long max_hops, queries, wait_ms;
	bool numeric;
	struct sys_wait *wait;
	struct tr_answer ans[TR_MAX_HOPS * TR_MAX_QUERIES];
	/* The names found so far (PTR), so each address is asked once. */
	uint32_t name_addr[TR_NAMES_MAX];
	char name[TR_NAMES_MAX][DNS_NAME_TEXT_MAX];
	unsigned nnames;
};

/* The observer (network thread): an ICMP error about one of our probes is
 * recognised by the quoted datagram (UDP, from our port, to the target, to
 * a probe port) and noted by probe number. */
static void tr_observe(const struct icmp_error_info *e, void *arg)
{
	struct tr_run *r = arg;

	if (e->orig->proto != IPV4_PROTO_UDP || e->orig->dst != r->dst || e->l4_len < UDP_HLEN)
		return;
	uint16_t sport = be16_get(e->l4 + UDP_SPORT);
	uint16_t dport = be16_get(e->l4 + UDP_DPORT);
	unsigned long n = r->max_hops * r->queries;
	if (sport != r->sport || dport < TR_PORT_BASE || (unsigned long)(dport - TR_PORT_BASE) >= n)
		return;
	struct tr_answer *a = &r->ans[dport - TR_PORT_BASE];
	if (a->got)
		return;    /* a duplicate: the first answer stands */
	a->got = true;
	a->from = e->from;
	a->type = e->type;
	a->code = e->code;
	a->at_us = now_us();
	sys_wake(r->wait);
}

/* The name of addr by PTR, remembered; NULL when it has none (or -n). */
static const char *tr_name(struct tr_run *r, uint32_t addr)
{
	for (unsigned i = 0; i < r->nnames; i++)
		if (r->name_addr[i] == addr)
			return r->name[i][0] ? r->name[i] : NULL;
	if (r->numeric || r->nnames >= TR_NAMES_MAX)
		return NULL;
	unsigned i = r->nnames++;
	r->name_addr[i] = addr;
	r->name[i][0] = 0;
	if (dns_resolve_ptr(addr, r->name[i], sizeof r->name[i], TR_PTR_TIMEOUT_MS, NULL) != DNS_OK)
		r->name[i][0] = 0;
	return r->name[i][0] ? r->name[i] : NULL;
}

/* One probe: TTL ttl to port TR_PORT_BASE + seq. */
static int tr_send(struct tr_run *r, unsigned seq, uint8_t ttl)
{
	struct netbuf *nb = netbuf_alloc();
	if (!nb)
		return NET_ENOMEM;
	uint8_t *p = netbuf_put(nb, TR_PROBE_DATA);
	if (!p) {
		netbuf_free(nb);
		return NET_ENOMEM;
	}
	memset(p, 0, TR_PROBE_DATA);
	return udp_output_ttl(nb, 0, r->sport, r->dst, (uint16_t)(TR_PORT_BASE + seq), ttl);
}

/* The Unix tool's marks for unreachables other than the port ("!H"...),
 * "" for time exceeded and port unreachable. */
static const char *tr_mark(const struct tr_answer *a)
{
	if (a->type != ICMP_DEST_UNREACH)
		return "";
	switch (a->code) {
	case ICMP_UNREACH_PORT:
		return "";
	case ICMP_UNREACH_NET:
		return " !N";
	case ICMP_UNREACH_HOST:
		return " !H";
	case ICMP_UNREACH_PROTO:
		return " !P";
	case ICMP_UNREACH_FRAG_NEEDED:
		return " !F";
	case ICMP_UNREACH_SRC_ROUTE:
		return " !S";
	default:
		return " !X";
	}
}

/* Wait for probe seq's answer until deadline_us; false on Ctrl-C. */
static bool tr_wait(struct tr_run *r, unsigned seq, uint64_t deadline_us)
{
	for (;;) {
		if (r->ans[seq].got)
			return true;
		if (console_interrupted())
			return false;
		uint64_t now = now_us();
		if (now >= deadline_us)
			return true;
		uint64_t ms = (deadline_us - now + 999) / 1000;
		sys_wait(r->wait, ms < 100 ? ms : 100); /* wake for Ctrl-C too */
	}
}

/* One hop: its probes one after another, printed as they are answered.
 * Sets *done when the destination answered (or an unreachable said no
 * further). Returns false on Ctrl-C. */
static bool tr_hop(struct tr_run *r, unsigned ttl, bool *done)
{
	uint32_t last = 0;
	bool any = false;

	kprintf("%2u ", ttl);
	for (unsigned q = 0; q < r->queries; q++) {
		unsigned seq = (ttl - 1) * (unsigned)r->queries + q;
		uint64_t sent = now_us();
		int err = tr_send(r, seq, (uint8_t)ttl);
		if (err != NET_OK) {
			kprintf(" (%s)", net_strerror(err));
			continue;
		}
		if (!tr_wait(r, seq, sent + r->wait_ms * 1000))
			return false;
		const struct tr_answer *a = &r->ans[seq];
		if (!a->got) {
			kprintf(" *");
			continue;
		}
		if (!any || a->from != last) {
			const char *name = tr_name(r, a->from);
			kprintf(" %s (%s)", name ? name : netfmt_ip(a->from), netfmt_ip(a->from));
			last = a->from;
			any = true;
		}
		uint64_t rtt = a->at_us > sent ? a->at_us - sent : 0;
		kprintf("  %llu.%03llu ms%s", (unsigned long long)(rtt / 1000), (unsigned long long)(rtt % 1000),
			tr_mark(a));
		if (a->type == ICMP_DEST_UNREACH)
			*done = true;
	}
	kprintf("\n");
	return true;
}

static int tr_parse(int argc, char **argv, struct tr_run *r, const char **host)
{
	*host = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		unsigned long *target = NULL;
		unsigned long min = 1, max = 0;
		if (strcmp(a, "-n") == 0) {
			r->numeric = true;
			continue;
		}
		if (strcmp(a, "-m") == 0) target = &r->max_hops, max = TR_MAX_HOPS;
		else if (strcmp(a, "-q") == 0) target = &r->queries, max = TR_MAX_QUERIES;
		else if (strcmp(a, "-w") == 0) target = &r->wait_ms, max = 60000;
		else if (a[0] == '-')
			return shell_usage_error("traceroute", "unknown option %s", a);
		else if (*host)
			return shell_usage_error("traceroute", "one host only (got %s and %s)", *host, a);
		else {
			*host = a;
			continue;
		}
		if (i + 1 >= argc)
			return shell_usage_error("traceroute", "%s needs a number", a);
		if (netfmt_parse_uint(argv[++i], min, max, target) != 0)
			return shell_usage_error("traceroute", "%s takes a number from %lu to %lu, not %s", a, min, max,
						 argv[i]);
	}
	if (!*host)
		return shell_usage_error("traceroute", "which host?");
	return 0;
}

static int cmd_traceroute(int argc, char **argv)
{
	static struct tr_run r;   /* ~17 KiB: off the thread's stack */
	const char *host;
	int err, status = 1;

	memset(&r, 0, sizeof r);
	r.max_hops = TR_DEFAULT_MAX_HOPS;
	r.queries = TR_DEFAULT_QUERIES;
	r.wait_ms = TR_DEFAULT_WAIT_MS;
	if (tr_parse(argc, argv, &r, &host) != 0)
		return 1;
	err = resolve_host(host, &r.dst);
	if (err != NET_OK) {
		kprintf("traceroute: %s: %s\n", host, net_strerror(err));
		return 1;
	}
	/* A bound endpoint reserves our source port; the answers come to the
	 * observer, not to it. */
	struct udp_pcb *pcb = udp_pcb_new();
	if (!pcb || udp_pcb_bind(pcb, 0, 0) != NET_OK) {
		kprintf("traceroute: no free UDP endpoint\n");
		if (pcb)
			udp_pcb_free(pcb);
		return 1;
	}
	r.sport = udp_pcb_local_port(pcb);
	r.wait = sys_wait_create("traceroute");
	if (!r.wait || icmp_error_observer_set(tr_observe, &r) != NET_OK) {
		kprintf("traceroute: another traceroute is running\n");
		goto out;
	}
	kprintf("traceroute to %s (%s), %lu hops max, %u byte packets\n", host, netfmt_ip(r.dst), r.max_hops,
		TR_IP_UDP_HLEN + TR_PROBE_DATA);
	bool done = false;
	for (unsigned ttl = 1; ttl <= r.max_hops && !done; ttl++) {
		if (!tr_hop(&r, ttl, &done)) {
			kprintf("\ntraceroute: interrupted\n");
			goto out_observer;
		}
	}
	status = done ? 0 : 1;
out_observer:
	icmp_error_observer_set(NULL, &r);
out:
	if (r.wait)
		sys_wait_destroy(r.wait);
	udp_pcb_free(pcb);
	return status;
}

COMMAND(traceroute, .name = "traceroute", .usage = "traceroute [-n] [-m MAXHOPS] [-q QUERIES] [-w WAIT_MS] HOST",
	.summary = "show the routers on the path to a host (UDP probes with rising TTL)",
	.example = "traceroute www.google.com   (-n: addresses only, no reverse DNS)", .run = cmd_traceroute);
