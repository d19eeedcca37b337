/* The journey: trace events queued by the observer, told by the "journey"
 * thread. Frames are decoded here, with the stack's own header parsers;
 * data segments are counted rather than printed (a 64 MiB transfer is
 * 45,000 of them), so that what is shown is what a student looks for: the
 * name lookup, the route, ARP, the handshake, the first data each way, the
 * close and TIME_WAIT. */
#include "user/journey.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/io.h"
#include "kernel/printf.h"
#include "kernel/sched.h"
#include "net/arp.h"
#include "net/ethernet.h"
#include "net/ipv4.h"
#include "net/tcp.h"
#include "net/tcp_wire.h"
#include "net/trace.h"
#include "net/wire.h"
#include "user/netfmt.h"

enum {
	JOURNEY_QUEUE = 256,      /* events waiting to be printed */
	JOURNEY_TEXT_MAX = 160,
	JOURNEY_SEEN_MAX = 16,    /* destinations whose route/ARP line was shown */
	JOURNEY_CONNS = 8,        /* TCP connections followed at once */
	UDP_HLEN = 8,
};

struct journey_item {
	uint64_t t_us;
	bool app;                         /* a line from an application */
	char layer[8];
	char text[JOURNEY_TEXT_MAX];
	struct net_trace_event ev;
};

/* What the teller remembers about one TCP connection. */
struct journey_conn {
	bool used;
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	uint64_t syn_us;                 /* when our SYN left */
	bool established_shown, closing;
	bool shown_data[2];              /* first data segment each way printed */
	uint64_t segs[2], bytes[2], pure_acks[2], retrans[2];
	uint32_t next_seq[2];            /* highest seq+len seen each way */
	bool next_valid[2];
	uint32_t fin_end[2];             /* sequence number just past each way's FIN */
	bool fin_seen[2];
};

enum { DIR_IN = 0, DIR_OUT = 1 };

static struct {
	struct journey_item q[JOURNEY_QUEUE];
	unsigned head, tail;             /* head: next to print; tail: next free */
	uint64_t lost;
	bool active, stopping;
	struct waitq more, drained;
	struct thread *thread;
	uint64_t t0_us;
	/* session memory */
	uint32_t routes_shown[JOURNEY_SEEN_MAX];
	unsigned nroutes;
	uint32_t arps_shown[JOURNEY_SEEN_MAX];
	unsigned narps;
	struct journey_conn conns[JOURNEY_CONNS];
	bool printing;
} jr; /* zero-initialised (bss): the queue alone is about 140 KiB */

/* ---- the queue ---- */

static struct journey_item *journey_slot(void)
{
	if (jr.tail - jr.head >= JOURNEY_QUEUE) {
		jr.lost++;
		return NULL;
	}
	struct journey_item *it = &jr.q[jr.tail % JOURNEY_QUEUE];
	it->t_us = now_us();
	return it;
}

static void journey_push(void)
{
	jr.tail++;
	waitq_wake_all(&jr.more);
}

static void journey_observe(void *ctx, const struct net_trace_event *ev)
{
	(void)ctx;
	struct journey_item *it = journey_slot();
	if (!it)
		return;
	it->app = false;
	it->ev = *ev;
	journey_push();
}

void journey_say(const char *layer, const char *fmt, ...)
{
	if (!jr.active)
		return;
	struct journey_item *it = journey_slot();
	if (!it)
		return;
	it->app = true;
	strlcpy(it->layer, layer, sizeof it->layer);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(it->text, sizeof it->text, fmt, ap);
	va_end(ap);
	journey_push();
}

/* ---- helpers ---- */

static bool seen_before(uint32_t *list, unsigned *n, uint32_t ip)
{
	for (unsigned i = 0; i < *n; i++)
		if (list[i] == ip)
			return true;
	if (*n < JOURNEY_SEEN_MAX)
		list[(*n)++] = ip;
	return false;
}

static void line(const struct journey_item *it, const char *layer, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void line(const struct journey_item *it, const char *layer, const char *fmt, ...)
{
	uint64_t t = it->t_us - jr.t0_us;
	kprintf("%5llu.%03llu ms [%s]%*s", (unsigned long long)(t / 1000), (unsigned long long)(t % 1000), layer,
		(int)(5 - strlen(layer)), "");
	va_list ap;
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
}

static void flags_text(uint8_t f, char *buf, size_t n)
{
	static const struct { uint8_t bit; const char *name; } names[] = {
		{ TCP_SYN, "SYN" }, { TCP_FIN, "FIN" }, { TCP_RST, "RST" }, { TCP_PSH, "PSH" }, { TCP_ACK_FLAG, "ACK" },
		{ TCP_URG, "URG" },
	};
	buf[0] = 0;
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (f & names[i].bit) {
			if (buf[0])
				strlcat(buf, ",", n);
			strlcat(buf, names[i].name, n);
		}
	}
}

static struct journey_conn *conn_find(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport, bool create)
{
	struct journey_conn *free_slot = NULL;
	for (int i = 0; i < JOURNEY_CONNS; i++) {
		struct journey_conn *c = &jr.conns[i];
		if (c->used && c->laddr == laddr && c->lport == lport && c->raddr == raddr && c->rport == rport)
			return c;
		if (!c->used && !free_slot)
			free_slot = c;
	}
	if (!create)
		return NULL;
	if (!free_slot)
		free_slot = &jr.conns[0]; /* forget the oldest slot: the story just gets shorter */
	memset(free_slot, 0, sizeof *free_slot);
	free_slot->used = true;
	free_slot->laddr = laddr;
	free_slot->lport = lport;
	free_slot->raddr = raddr;
	free_slot->rport = rport;
	return free_slot;
}

static void conn_summary(const struct journey_item *it, struct journey_conn *c)
{
	line(it, "tcp", "transfer: %llu segments in (%llu data bytes), %llu out (%llu data bytes), "
		"%llu+%llu pure ACKs, %llu retransmitted by us, %llu by the peer",
		(unsigned long long)c->segs[DIR_IN], (unsigned long long)c->bytes[DIR_IN],
		(unsigned long long)c->segs[DIR_OUT], (unsigned long long)c->bytes[DIR_OUT],
		(unsigned long long)c->pure_acks[DIR_IN], (unsigned long long)c->pure_acks[DIR_OUT],
		(unsigned long long)c->retrans[DIR_OUT], (unsigned long long)c->retrans[DIR_IN]);
}

/* The Ethernet and IP fields, on a second line under a segment. */
static void wire_details(const struct eth_hdr *eh, const struct ipv4_hdr *ih)
{
	char s[MAC_STR_LEN], d[MAC_STR_LEN];
	kprintf("%23seth %s > %s  ip ttl %u id 0x%04x len %u%s\n", "", netfmt_mac(eh->src, s), netfmt_mac(eh->dst, d),
		ih->ttl, ih->id, ih->total_len, ih->df ? " DF" : "");
}

/* ---- frames ---- */

/* ---- issue 11: what the received TTL tells ----
 * Hosts start a datagram's TTL at 64 (Linux, BSD, Pigeon), 128 (Windows)
 * or 255 (many routers); each router on the way takes one off. So the
 * smallest of those at or above the TTL received is the likely start,
 * and the difference the number of routers the reply crossed. */
static void tell_hops(const struct journey_item *it, uint8_t ttl)
{
	unsigned initial = ttl <= 64 ? 64 : ttl <= 128 ? 128 : 255;
	unsigned hops = initial - ttl;
	line(it, "ip", "the SYN,ACK arrived with TTL %u: sent with %u, so %u router%s forwarded it", ttl, initial, hops,
	     hops == 1 ? "" : "s");
}

static void tell_tcp(const struct journey_item *it, int dir, const struct eth_hdr *eh, const struct ipv4_hdr *ih,
		     const uint8_t *l4, size_t l4_cap)
{
	struct tcp_hdr th;
	if (tcp_hdr_parse(l4, l4_cap, &th) != TCP_PARSE_OK)
		return;
	size_t payload = ih->total_len > ih->hlen + th.hlen ? ih->total_len - ih->hlen - th.hlen : 0;
	uint32_t laddr = dir == DIR_OUT ? ih->src : ih->dst, raddr = dir == DIR_OUT ? ih->dst : ih->src;
	uint16_t lport = dir == DIR_OUT ? th.sport : th.dport, rport = dir == DIR_OUT ? th.dport : th.sport;
	bool control = th.flags & (TCP_SYN | TCP_FIN | TCP_RST);
	struct journey_conn *c = conn_find(laddr, lport, raddr, rport, control);
	if (c) {
		c->segs[dir]++;
		c->bytes[dir] += payload;
		uint32_t end = th.seq + (uint32_t)payload + ((th.flags & (TCP_SYN | TCP_FIN)) ? 1 : 0);
		if (payload && c->next_valid[dir] && (int32_t)(th.seq - c->next_seq[dir]) < 0)
			c->retrans[dir]++;
		if (!c->next_valid[dir] || (int32_t)(end - c->next_seq[dir]) > 0) {
			c->next_seq[dir] = end;
			c->next_valid[dir] = true;
		}
		if (!payload && !control)
			c->pure_acks[dir]++;
	}
	if (c && (th.flags & TCP_FIN) && !c->fin_seen[dir]) {
		c->fin_seen[dir] = true;
		c->fin_end[dir] = th.seq + (uint32_t)payload + 1;
	}
	/* While closing, show the FINs, RSTs and the ACKs of a FIN; the ACKs
	 * of data still in flight are counted like the rest. */
	bool acks_fin = c && (th.flags & TCP_ACK_FLAG) && c->fin_seen[!dir] && th.ack == c->fin_end[!dir];
	bool show = control || (c && c->closing && acks_fin);
	const char *note = "";
	if (c && !control && !c->closing) {
		if (payload && !c->shown_data[dir]) {
			c->shown_data[dir] = true;
			show = true;
			note = "  (first data this way; the rest are counted)";
		} else if (!payload && dir == DIR_OUT && !c->established_shown && c->syn_us) {
			c->established_shown = true; /* the handshake's third segment */
			show = true;
		}
	}
	if (c && (th.flags & (TCP_FIN | TCP_RST)) && !c->closing) {
		conn_summary(it, c);
		c->closing = true;
	}
	if (!show)
		return;
	char fl[32];
	flags_text(th.flags, fl, sizeof fl);
	char opts[64] = "";
	if (th.opts.mss_ok || th.opts.ws_ok || th.opts.sack_ok || th.opts.ts_ok) {
		int n = snprintf(opts, sizeof opts, " <");
		if (th.opts.mss_ok)
			n += snprintf(opts + n, sizeof opts - (size_t)n, "mss %u,", th.opts.mss);
		if (th.opts.ws_ok)
			n += snprintf(opts + n, sizeof opts - (size_t)n, "wscale %u,", th.opts.ws);
		if (th.opts.sack_ok)
			n += snprintf(opts + n, sizeof opts - (size_t)n, "sackOK,");
		if (th.opts.ts_ok)
			n += snprintf(opts + n, sizeof opts - (size_t)n, "ts,");
		if (n > 2 && (size_t)n < sizeof opts)
			opts[n - 1] = '>';
	}
	char ack[24] = "";
	if (th.flags & TCP_ACK_FLAG)
		snprintf(ack, sizeof ack, " ack %u", th.ack);
	line(it, "tcp", "%s %-7s %s:%u > %s:%u seq %u%s win %u%s len %zu%s", dir == DIR_OUT ? "->" : "<-", fl,
	     netfmt_ip(ih->src), th.sport, netfmt_ip(ih->dst), th.dport, th.seq, ack, th.wnd, opts, payload, note);
	if (c && (th.flags & TCP_SYN) && dir == DIR_OUT && !(th.flags & TCP_ACK_FLAG))
		c->syn_us = it->t_us;
	if (c && (th.flags & TCP_SYN) && (th.flags & TCP_ACK_FLAG) && dir == DIR_IN && c->syn_us) {
		uint64_t rtt = it->t_us - c->syn_us;
		wire_details(eh, ih);
		line(it, "tcp", "handshake round trip %llu.%03llu ms", (unsigned long long)(rtt / 1000),
		     (unsigned long long)(rtt % 1000));
		tell_hops(it, ih->ttl);
		return;
	}
	if (control || payload)
		wire_details(eh, ih);
}

static void tell_udp(const struct journey_item *it, int dir, const struct eth_hdr *eh, const struct ipv4_hdr *ih,
		     const uint8_t *l4, size_t l4_cap)
{
	if (l4_cap < UDP_HLEN)
		return;
	uint16_t sport = be16_get(l4), dport = be16_get(l4 + 2), len = be16_get(l4 + 4);
	const char *what = sport == 53 || dport == 53 ? "dns" : sport == 67 || dport == 67 ? "dhcp" : "";
	line(it, "udp", "%s %s:%u > %s:%u len %u%s%s", dir == DIR_OUT ? "->" : "<-", netfmt_ip(ih->src), sport,
	     netfmt_ip(ih->dst), dport, len, *what ? "  " : "", what);
	wire_details(eh, ih);
}

static void tell_arp(const struct journey_item *it, int dir, const struct eth_hdr *eh, const uint8_t *a, size_t cap)
{
	if (cap < ARP_TPA + 4)
		return;
	char sha[MAC_STR_LEN], src[MAC_STR_LEN], dst[MAC_STR_LEN];
	uint16_t op = be16_get(a + ARP_OPER);
	uint32_t spa = be32_get(a + ARP_SPA), tpa = be32_get(a + ARP_TPA);
	const char *arrow = dir == DIR_OUT ? "->" : "<-";
	if (op == ARP_OP_REQUEST)
		line(it, "arp", "%s who-has %s? tell %s   eth %s > %s", arrow, netfmt_ip(tpa), netfmt_ip(spa),
		     netfmt_mac(eh->src, src), netfmt_mac(eh->dst, dst));
	else if (op == ARP_OP_REPLY)
		line(it, "arp", "%s %s is-at %s   eth %s > %s", arrow, netfmt_ip(spa), netfmt_mac(a + ARP_SHA, sha),
		     netfmt_mac(eh->src, src), netfmt_mac(eh->dst, dst));
}

static void tell_frame(const struct journey_item *it)
{
	const struct net_trace_event *ev = &it->ev;
	int dir = ev->kind == NET_TRACE_FRAME_OUT ? DIR_OUT : DIR_IN;
	if (ev->captured < ETH_HLEN)
		return;
	struct eth_hdr eh;
	eth_hdr_parse(ev->frame, &eh);
	const uint8_t *p = ev->frame + ETH_HLEN;
	size_t cap = ev->captured - ETH_HLEN;
	if (eh.type == ETH_P_ARP) {
		tell_arp(it, dir, &eh, p, cap);
		return;
	}
	if (eh.type != ETH_P_IPV4)
		return;
	struct ipv4_hdr ih;
	if (ipv4_hdr_parse(p, cap, &ih) != IPV4_PARSE_OK || ih.hlen > cap)
		return;
	if (ih.frag_off)
		return; /* later fragments carry no transport header */
	if (ih.proto == IPV4_PROTO_TCP)
		tell_tcp(it, dir, &eh, &ih, p + ih.hlen, cap - ih.hlen);
	else if (ih.proto == IPV4_PROTO_UDP)
		tell_udp(it, dir, &eh, &ih, p + ih.hlen, cap - ih.hlen);
	else if (ih.proto == IPV4_PROTO_ICMP)
		line(it, "icmp", "%s %s > %s len %u", dir == DIR_OUT ? "->" : "<-", netfmt_ip(ih.src), netfmt_ip(ih.dst),
		     ih.total_len);
}

/* ---- notes ---- */

static void tell_note(const struct journey_item *it)
{
	const struct net_trace_event *ev = &it->ev;
	char mac[MAC_STR_LEN];
	switch (ev->kind) {
	case NET_TRACE_ROUTE:
		if (seen_before(jr.routes_shown, &jr.nroutes, ev->ip))
			return;
		if (ev->on_link)
			line(it, "ip", "route: %s is on-link on %s: deliver directly", netfmt_ip(ev->ip), ev->nif->name);
		else
			line(it, "ip", "route: %s is not on-link: next hop is the gateway %s on %s", netfmt_ip(ev->ip),
			     netfmt_ip(ev->next_hop), ev->nif->name);
		return;
	case NET_TRACE_ARP_HIT:
		if (seen_before(jr.arps_shown, &jr.narps, ev->ip))
			return;
		line(it, "arp", "cache hit: %s is-at %s", netfmt_ip(ev->ip), netfmt_mac(ev->mac, mac));
		return;
	case NET_TRACE_ARP_WAIT:
		if (seen_before(jr.arps_shown, &jr.narps, ev->ip))
			return;
		line(it, "arp", "%s is not in the ARP cache: the packet waits while we ask", netfmt_ip(ev->ip));
		return;
	case NET_TRACE_DNS_QUERY:
		line(it, "dns", "query A %s? to %s:53 from port %u, id 0x%04x", ev->name, netfmt_ip(ev->server), ev->port,
		     ev->id);
		return;
	case NET_TRACE_DNS_ANSWER:
		if (ev->count)
			line(it, "dns", "answer id 0x%04x from %s: %s A %s%s, TTL %u s, after %u ms", ev->id,
			     netfmt_ip(ev->server), ev->name, netfmt_ip(ev->addr), ev->count > 1 ? " (and more)" : "",
			     ev->ttl, ev->elapsed_ms);
		else
			line(it, "dns", "answer id 0x%04x from %s: %s has no address (rcode %u), after %u ms", ev->id,
			     netfmt_ip(ev->server), ev->name, ev->rcode, ev->elapsed_ms);
		return;
	case NET_TRACE_DNS_CACHED:
		if (ev->count)
			line(it, "dns", "cache hit: %s A %s, %u s of its TTL left: no query", ev->name, netfmt_ip(ev->addr),
			     ev->ttl);
		else
			line(it, "dns", "cache hit: %s does not exist (negative entry, %u s left)", ev->name, ev->ttl);
		return;
	case NET_TRACE_TCP_STATE:
		if (ev->new_state == TCP_TIME_WAIT)
			line(it, "tcp", "%s:%u > %s:%u %s -> TIME_WAIT: the 4-tuple stays reserved for %llu.%03llu s (2*MSL)",
			     netfmt_ip(ev->laddr), ev->lport, netfmt_ip(ev->raddr), ev->rport,
			     tcp_state_name[ev->old_state], (unsigned long long)(ev->timer_ms / 1000),
			     (unsigned long long)(ev->timer_ms % 1000));
		else if (ev->old_state >= 0 && ev->old_state < TCP_STATE_COUNT && ev->new_state >= 0 &&
			 ev->new_state < TCP_STATE_COUNT)
			line(it, "tcp", "%s:%u state %s -> %s%s", netfmt_ip(ev->laddr), ev->lport,
			     tcp_state_name[ev->old_state], tcp_state_name[ev->new_state],
			     ev->old_state == TCP_LAST_ACK && ev->new_state == TCP_CLOSED
				     ? ": the peer closed first, so TIME_WAIT (2*MSL) is its to keep, not ours"
				     : "");
		return;
	case NET_TRACE_TCP_RTT:
		return; /* shown with the handshake */
	case NET_TRACE_TCP_RETRANSMIT:
		line(it, "tcp", "retransmit seq %u len %u (%s:%u > %s:%u)", ev->seq, ev->len, netfmt_ip(ev->laddr),
		     ev->lport, netfmt_ip(ev->raddr), ev->rport);
		return;
	default:
		return;
	}
}

static void tell(const struct journey_item *it)
{
	if (it->app) {
		line(it, it->layer, "%s", it->text);
		return;
	}
	if (it->ev.kind == NET_TRACE_FRAME_IN || it->ev.kind == NET_TRACE_FRAME_OUT)
		tell_frame(it);
	else
		tell_note(it);
}

/* ---- the thread ---- */

static void journey_thread(void *arg)
{
	(void)arg;
	static struct journey_item it;
	for (;;) {
		while (jr.head == jr.tail) {
			waitq_wake_all(&jr.drained);
			waitq_wait(&jr.more, WAIT_FOREVER);
		}
		/* Everything queued now is told in one go, between one clearing of
		 * the line being typed and one redraw of it. */
		jr.printing = true;
		console_notice_begin();
		while (jr.head != jr.tail) {
			/* Copy out first: printing is slow, and the stack may refill the slot. */
			it = jr.q[jr.head % JOURNEY_QUEUE];
			jr.head++;
			tell(&it);
		}
		if (jr.lost) {
			kprintf("%23s(%llu events came too fast to show)\n", "", (unsigned long long)jr.lost);
			jr.lost = 0;
		}
		console_notice_end();
		jr.printing = false;
	}
}

bool journey_start(void)
{
	if (jr.active)
		return false;
	if (!jr.thread) {
		jr.more.name = "journey";
		jr.drained.name = "journey-drained";
		jr.thread = thread_create("journey", journey_thread, NULL);
	}
	jr.t0_us = now_us();
	jr.nroutes = jr.narps = 0;
	memset(jr.conns, 0, sizeof jr.conns);
	jr.active = true;
	net_trace_set(journey_observe, NULL);
	return true;
}

void journey_flush(void)
{
	while (jr.head != jr.tail || jr.printing)
		waitq_wait(&jr.drained, 100);
}

void journey_stop(void)
{
	if (!jr.active)
		return;
	net_trace_set(NULL, NULL);
	journey_flush();
	jr.active = false;
}

bool journey_active(void) { return jr.active; }
