/* ICMP for IPv4 (RFC 792; RFC 1122 3.2.2 for what a host must and must
 * not do): echo, the ping sessions behind the `ping` command, errors
 * received (validated, then handed to the protocol they concern) and
 * errors sent (rate limited). */
#include "net/icmp.h"

#include <string.h>

#include "net/checksum.h"
#include "net/err.h"
#include "net/sys.h"
#include "net/wire.h"

struct icmp_stats icmp_stats;

/* Error rate limit: a token bucket of ICMP_ERR_BURST, refilled one token
 * per ICMP_ERR_INTERVAL_MS (at most 100 errors a second, like Linux's
 * default), so a flood to closed ports cannot turn us into an amplifier. */
enum { ICMP_ERR_BURST = 10, ICMP_ERR_INTERVAL_MS = 10 };
static uint32_t err_tokens;
static uint64_t err_refilled_at;

struct icmp_ping {
	bool used;
	uint16_t id;
	struct sys_wait *wait;
	struct icmp_ping_reply queue[ICMP_PING_QUEUE];
	uint32_t head, count;      /* ring of replies */
	uint32_t dropped;
};

static struct icmp_ping ping_sessions[ICMP_PING_SESSIONS];

void icmp_init(void)
{
	err_tokens = ICMP_ERR_BURST;
	err_refilled_at = 0;
	memset(&icmp_stats, 0, sizeof icmp_stats);
}

static bool icmp_is_error_type(uint8_t type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH || type == ICMP_REDIRECT ||
	       type == ICMP_TIME_EXCEEDED || type == ICMP_PARAM_PROBLEM;
}

int icmp_error_to_net_err(uint8_t type, uint8_t code)
{
	if (type == ICMP_DEST_UNREACH) {
		switch (code) {
		case ICMP_UNREACH_NET:
		case 6:   /* destination network unknown */
		case 11:  /* network unreachable for TOS */
			return NET_ENETUNREACH;
		case ICMP_UNREACH_PROTO:
			return NET_EPROTO;
		case ICMP_UNREACH_PORT:
			return NET_EPORTUNREACH;
		case ICMP_UNREACH_FRAG_NEEDED:
			return NET_EMSGSIZE;
		default:
			return NET_EHOSTUNREACH;
		}
	}
	if (type == ICMP_PARAM_PROBLEM)
		return NET_EPROTO;
	return NET_EHOSTUNREACH;  /* time exceeded, as BSD and Linux do */
}

const char *icmp_error_name(uint8_t type, uint8_t code)
{
	static const char *const unreach[] = {
		"Destination Net Unreachable",     "Destination Host Unreachable",
		"Destination Protocol Unreachable", "Destination Port Unreachable",
		"Frag needed and DF set",          "Source Route Failed",
		"Destination Net Unknown",         "Destination Host Unknown",
		"Source Host Isolated",            "Destination Net Prohibited",
		"Destination Host Prohibited",     "Destination Net Unreachable for Type of Service",
		"Destination Host Unreachable for Type of Service",
		"Packet filtered",
	};

	switch (type) {
	case ICMP_ECHO_REPLY:
		return "Echo Reply";
	case ICMP_DEST_UNREACH:
		return code < sizeof unreach / sizeof unreach[0] ? unreach[code]
								   : "Destination Unreachable";
	case ICMP_TIME_EXCEEDED:
		return code == ICMP_TIMXCEED_REASS ? "Frag reassembly time exceeded"
						   : "Time to live exceeded";
	case ICMP_PARAM_PROBLEM:
		return "Parameter problem";
	case ICMP_SOURCE_QUENCH:
		return "Source Quench";
	case ICMP_REDIRECT:
		return "Redirect";
	default:
		return "Unknown ICMP message";
	}
}

/* ---- ping sessions ---- */

static struct icmp_ping *ping_find(uint16_t id)
{
	for (int i = 0; i < ICMP_PING_SESSIONS; i++)
		if (ping_sessions[i].used && ping_sessions[i].id == id)
			return &ping_sessions[i];
	return NULL;
}

/* The data byte at offset i of every echo request we send. */
static uint8_t ping_pattern(size_t i)
{
	return (uint8_t)(i + 0x20);
}

struct icmp_ping *icmp_ping_open(void)
{
	for (int i = 0; i < ICMP_PING_SESSIONS; i++) {
		struct icmp_ping *p = &ping_sessions[i];
		uint16_t id;

		if (p->used)
			continue;
		do
			id = (uint16_t)sys_random32();
		while (ping_find(id));
		memset(p, 0, sizeof *p);
		p->wait = sys_wait_create("ping");
		if (!p->wait)
			return NULL;
		p->id = id;
		p->used = true;
		return p;
	}
	return NULL;
}

void icmp_ping_close(struct icmp_ping *p)
{
	if (!p || !p->used)
		return;
	sys_wait_destroy(p->wait);
	memset(p, 0, sizeof *p);
}

uint16_t icmp_ping_id(const struct icmp_ping *p)
{
	return p->id;
}

uint32_t icmp_ping_dropped(const struct icmp_ping *p)
{
	return p->dropped;
}

struct sys_wait *icmp_ping_waiter(struct icmp_ping *p)
{
	return p->wait;
}

static void ping_enqueue(struct icmp_ping *p, const struct icmp_ping_reply *r)
{
	if (p->count >= ICMP_PING_QUEUE) {
		p->dropped++;
		icmp_stats.ping_queue_full++;
		return;
	}
	p->queue[(p->head + p->count) % ICMP_PING_QUEUE] = *r;
	p->count++;
	sys_wake(p->wait);
}

bool icmp_ping_recv(struct icmp_ping *p, struct icmp_ping_reply *out)
{
	if (!p->count)
		return false;
	*out = p->queue[p->head];
	p->head = (p->head + 1) % ICMP_PING_QUEUE;
	p->count--;
	return true;
}

int icmp_ping_send(struct icmp_ping *p, uint32_t dst, uint16_t seq, size_t len, uint8_t ttl,
		   unsigned flags)
{
	struct netbuf *nb;
	uint8_t *h;

	if (len > ICMP_PING_DATA_MAX)
		return NET_EMSGSIZE;
	nb = netbuf_alloc_large(ICMP_HLEN + len);
	if (!nb)
		return NET_ENOMEM;
	h = netbuf_put(nb, ICMP_HLEN + len);
	h[ICMP_TYPE] = ICMP_ECHO_REQUEST;
	h[ICMP_CODE] = 0;
	be16_put(h + ICMP_CSUM, 0);
	be16_put(h + ICMP_ECHO_ID, p->id);
	be16_put(h + ICMP_ECHO_SEQ, seq);
	for (size_t i = 0; i < len; i++)
		h[ICMP_HLEN + i] = ping_pattern(i);
	be16_put(h + ICMP_CSUM, csum_compute(h, ICMP_HLEN + len));
	icmp_stats.tx_echo_requests++;
	return ipv4_output_flags(NULL, nb, 0, dst, IPV4_PROTO_ICMP, ttl, flags);
}

/* An echo reply: queue it on the session whose identifier it carries. */
static void icmp_echo_reply_input(const struct netbuf *nb, const struct ipv4_hdr *ih)
{
	const uint8_t *p = nb->data;
	struct icmp_ping *s = ping_find(be16_get(p + ICMP_ECHO_ID));
	struct icmp_ping_reply r;

	icmp_stats.rx_echo_replies++;
	if (!s) {
		icmp_stats.rx_echo_unmatched++;  /* someone else's ping, or late */
		return;
	}
	memset(&r, 0, sizeof r);
	r.seq = be16_get(p + ICMP_ECHO_SEQ);
	r.ttl = ih->ttl;
	r.from = ih->src;
	r.bytes = nb->len;
	r.rx_time_ms = nb->rx_time_ms ? nb->rx_time_ms : sys_now_ms();
	r.err = NET_OK;
	r.data_ok = true;
	for (size_t i = ICMP_HLEN; i < nb->len; i++) {
		if (p[i] != ping_pattern(i - ICMP_HLEN)) {
			r.data_ok = false;
			break;
		}
	}
	ping_enqueue(s, &r);
}

/* An echo request: answer with the same identifier, sequence and data
 * (RFC 1122 3.2.2.6), reusing the netbuf. Consumes nb. */
static void icmp_echo_request_input(struct netif *nif, struct netbuf *nb, const struct ipv4_hdr *ih)
{
	uint8_t *p = nb->data;

	icmp_stats.rx_echo_requests++;
	/* Echo to a broadcast may be ignored (RFC 1122 3.2.2.6); we do, so
	 * we cannot be used as a smurf amplifier. */
	if (ipv4_is_broadcast(nif, ih->dst) || ipv4_is_multicast(ih->dst) ||
	    (nb->flags & (NETBUF_F_BROADCAST | NETBUF_F_MULTICAST))) {
		icmp_stats.rx_echo_broadcast_ignored++;
		netbuf_free(nb);
		return;
	}
	p[ICMP_TYPE] = ICMP_ECHO_REPLY;
	p[ICMP_CODE] = 0;
	be16_put(p + ICMP_CSUM, 0);
	be16_put(p + ICMP_CSUM, csum_compute(p, nb->len));
	nb->flags = 0;
	icmp_stats.tx_echo_replies++;
	ipv4_output(nb, ih->dst, ih->src, IPV4_PROTO_ICMP, 0);
}

/* The error observer (traceroute); see net/icmp.h. */
static icmp_error_observer_fn err_observer;
static void *err_observer_arg;

int icmp_error_observer_set(icmp_error_observer_fn fn, void *arg)
{
	if (!fn) {
		if (err_observer_arg == arg)
			err_observer = NULL, err_observer_arg = NULL;
		return NET_OK;
	}
	if (err_observer)
		return NET_EAGAIN;
	err_observer = fn;
	err_observer_arg = arg;
	return NET_OK;
}

void icmp_deliver_error(uint32_t from, uint8_t type, uint8_t code, const struct ipv4_hdr *orig,
			const uint8_t *l4, size_t l4_len)
{
	int err = icmp_error_to_net_err(type, code);
	ipv4_icmp_error_fn fn;

	if (err_observer) {
		struct icmp_error_info e = {
			.from = from, .type = type, .code = code, .orig = orig, .l4 = l4, .l4_len = l4_len,
		};
		err_observer(&e, err_observer_arg);
	}

	if (orig->proto == IPV4_PROTO_ICMP) {
		/* About one of our echo requests: tell its ping session. */
		struct icmp_ping *s;
		struct icmp_ping_reply r;

		if (l4_len < ICMP_HLEN || l4[ICMP_TYPE] != ICMP_ECHO_REQUEST ||
		    !(s = ping_find(be16_get(l4 + ICMP_ECHO_ID)))) {
			icmp_stats.rx_errors_unhandled++;
			return;
		}
		memset(&r, 0, sizeof r);
		r.seq = be16_get(l4 + ICMP_ECHO_SEQ);
		r.from = from;
		r.rx_time_ms = sys_now_ms();
		r.err = err;
		r.type = type;
		r.code = code;
		ping_enqueue(s, &r);
		return;
	}
	fn = ipv4_protocol_icmp_error(orig->proto);
	if (!fn) {
		icmp_stats.rx_errors_unhandled++;
		return;
	}
	fn(orig, l4, l4_len, err);
}

/* A destination unreachable, time exceeded or parameter problem: check
 * the quoted header is a datagram we could have sent, then deliver. */
static void icmp_error_input(struct netif *nif, const struct netbuf *nb, const struct ipv4_hdr *ih)
{
	const uint8_t *p = nb->data;
	const uint8_t *quote = p + ICMP_HLEN;
	size_t qlen = nb->len - ICMP_HLEN;
	struct ipv4_hdr orig;

	icmp_stats.rx_errors++;
	/* RFC 792: the quote is the header plus at least 64 bits of data. */
	if (ipv4_hdr_parse(quote, qlen, &orig) != IPV4_PARSE_OK || qlen - orig.hlen < ICMP_QUOTE_DATA ||
	    orig.frag_off != 0) {
		icmp_stats.rx_bad_quote++;
		return;
	}
	if (!ipv4_is_local(orig.src) && !(nif->ip == 0 && orig.src == 0)) {
		icmp_stats.rx_quote_not_ours++;  /* not about anything we sent */
		return;
	}
	/* Only what was quoted and what the quoted header claims. */
	qlen -= orig.hlen;
	if (qlen > (size_t)(orig.total_len - orig.hlen))
		qlen = orig.total_len - orig.hlen;
	if (qlen < ICMP_QUOTE_DATA) {
		icmp_stats.rx_bad_quote++;
		return;
	}
	icmp_deliver_error(ih->src, p[ICMP_TYPE], p[ICMP_CODE], &orig, quote + orig.hlen, qlen);
}

void icmp_input(struct netif *nif, struct netbuf *nb, const struct ipv4_hdr *ih)
{
	uint8_t type;

	icmp_stats.rx_packets++;
	if (nb->len < ICMP_HLEN) {
		icmp_stats.rx_short++;
		goto drop;
	}
	if (!csum_verified(csum_compute(nb->data, nb->len))) {
		icmp_stats.rx_bad_checksum++;
		goto drop;
	}
	type = nb->data[ICMP_TYPE];
	switch (type) {
	case ICMP_ECHO_REQUEST:
		icmp_echo_request_input(nif, nb, ih);
		return;
	case ICMP_ECHO_REPLY:
		icmp_echo_reply_input(nb, ih);
		break;
	case ICMP_DEST_UNREACH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAM_PROBLEM:
		icmp_error_input(nif, nb, ih);
		break;
	default:
		/* Source quench is obsolete (RFC 6633), redirects are for
		 * routers we do not have, the rest are not ours to answer. */
		icmp_stats.rx_unknown_type++;
		break;
	}
drop:
	netbuf_free(nb);
}

/* ---- errors we send ---- */

static bool icmp_err_allowed(uint64_t now)
{
	uint64_t refill = (now - err_refilled_at) / ICMP_ERR_INTERVAL_MS;

	if (refill) {
		err_tokens = refill + err_tokens > ICMP_ERR_BURST ? ICMP_ERR_BURST
								  : err_tokens + (uint32_t)refill;
		err_refilled_at = now;
	}
	if (!err_tokens)
		return false;
	err_tokens--;
	return true;
}

int icmp_send_error(struct netif *nif, const struct netbuf *nb, const struct ipv4_hdr *ih,
		    uint8_t type, uint8_t code)
{
	size_t payload, quoted;
	struct netbuf *out;
	uint8_t *p;
	uint32_t src;

	if (!ih || !ih->raw)
		return NET_EINVAL;
	payload = ih->total_len - ih->hlen;
	/* RFC 1122 3.2.2: never about an ICMP error, a datagram to or from a
	 * broadcast or multicast address, or a fragment other than the first. */
	if (ih->frag_off != 0 || (nb && (nb->flags & (NETBUF_F_BROADCAST | NETBUF_F_MULTICAST))) ||
	    ipv4_is_broadcast(nif, ih->dst) || ipv4_is_multicast(ih->dst) || ih->src == 0 ||
	    ipv4_is_broadcast(nif, ih->src) || ipv4_is_multicast(ih->src) ||
	    (ih->proto == IPV4_PROTO_ICMP &&
	     (payload < 1 || icmp_is_error_type(ih->raw[ih->hlen]) || ih->raw[ih->hlen] > 18))) {
		icmp_stats.tx_error_suppressed++;
		return NET_EINVAL;
	}
	if (!icmp_err_allowed(sys_now_ms())) {
		icmp_stats.tx_error_rate_limited++;
		return NET_EAGAIN;
	}
	/* Quote the header and the first 8 bytes actually received. */
	quoted = ih->hlen + (payload < ICMP_QUOTE_DATA ? payload : ICMP_QUOTE_DATA);
	out = netbuf_alloc();
	if (!out)
		return NET_ENOMEM;
	p = netbuf_put(out, ICMP_HLEN + quoted);
	memset(p, 0, ICMP_HLEN);
	p[ICMP_TYPE] = type;
	p[ICMP_CODE] = code;
	memcpy(p + ICMP_HLEN, ih->raw, quoted);
	be16_put(p + ICMP_CSUM, csum_compute(p, ICMP_HLEN + quoted));
	src = ipv4_is_local(ih->dst) ? ih->dst : nif->ip;
	icmp_stats.tx_errors++;
	return ipv4_output(out, src, ih->src, IPV4_PROTO_ICMP, 0);
}

int icmp_send_dest_unreach(struct netif *nif, const struct netbuf *nb, const struct ipv4_hdr *ih,
			   uint8_t code)
{
	return icmp_send_error(nif, nb, ih, ICMP_DEST_UNREACH, code);
}

int icmp_send_time_exceeded(struct netif *nif, const struct netbuf *nb, const struct ipv4_hdr *ih,
			    uint8_t code)
{
	return icmp_send_error(nif, nb, ih, ICMP_TIME_EXCEEDED, code);
}
