/* The resolver's blocking face (net/dns.h): literals and the cache first,
 * then a thin loop that carries out what the query state machine
 * (net/dns_query.c) asks for with the socket API: a fresh UDP socket per
 * query, a wait for its answer, TCP when an answer was truncated. */
#include "net/dns.h"

#include <stdio.h>
#include <string.h>

#include "net/dns_query.h"
#include "net/err.h"
#include "net/ipv4.h"
#include "net/netif.h"
#include "net/socket.h"
#include "net/stack.h"
#include "net/sys.h"
#include "net/trace.h"
#include "net/wire.h"

enum {
	DNS_RX_MAX = 1500,          /* a UDP answer, more than the 512 we invite */
	DNS_TCP_MSG_MAX = 4096,     /* the longest TCP answer we take */
	DNS_TCP_LEN = 2,            /* TCP's length prefix (RFC 1035 4.2.2) */
};

const char *dns_strerror(int status)
{
	static const char *const text[] = {
		[-DNS_OK] = "ok",
		[-DNS_ENXDOMAIN] = "name does not exist (NXDOMAIN)",
		[-DNS_ESERVFAIL] = "server failure (SERVFAIL)",
		[-DNS_EREFUSED] = "query refused (REFUSED)",
		[-DNS_ENODATA] = "no A record",
		[-DNS_ETIMEDOUT] = "timed out; no servers could be reached",
		[-DNS_ENOSERVERS] = "no DNS servers configured",
		[-DNS_EBADNAME] = "not a valid domain name",
		[-DNS_ETRUNCATED] = "truncated answer; TCP fallback unavailable",
		[-DNS_EMALFORMED] = "malformed answer",
		[-DNS_ECHAIN] = "CNAME chain too long or looping",
		[-DNS_ESERVER] = "server error",
		[-DNS_EUNREACH] = "no server reachable",
		[-DNS_EINTR] = "interrupted",
		[-DNS_ENOMEM] = "out of memory",
	};
	if (status > 0 || -status >= (int)(sizeof text / sizeof text[0]) || !text[-status])
		return "unknown error";
	return text[-status];
}

unsigned dns_servers(uint32_t *out, unsigned max)
{
	unsigned n = 0;
	for (struct netif *nif = netif_list(); nif; nif = nif->next) {
		for (unsigned i = 0; i < nif->dns_count && i < NETIF_DNS_MAX; i++) {
			uint32_t a = nif->dns[i];
			bool dup = a == 0;
			for (unsigned k = 0; k < n && !dup; k++)
				dup = out[k] == a;
			if (!dup && n < max)
				out[n++] = a;
		}
	}
	return n;
}

/* ---- the cache, as a result ---- */

struct dns_chain_ctx {
	struct dns_result *res;
	bool overflow;
};

static void dns_chain_add(const struct dns_name *owner, const struct dns_name *target, void *arg)
{
	struct dns_chain_ctx *ctx = arg;
	struct dns_result *res = ctx->res;
	(void)owner;
	if (res->nnames > DNS_CHAIN_MAX ||
	    dns_name_to_text(target, res->names[res->nnames], sizeof res->names[0]) < 0) {
		ctx->overflow = true;
		return;
	}
	res->nnames++;
}

/* Answer from the cache: DNS_OK, DNS_ENXDOMAIN or DNS_ENODATA, or 1 for
 * a miss (res->names[] back to the name alone). */
static int dns_resolve_cached(const struct dns_name *qname, struct dns_result *res, uint64_t now)
{
	struct dns_chain_ctx ctx = { .res = res };
	uint32_t ttl = 0;
	enum dns_cache_hit hit = dns_cache_lookup(qname, DNS_CHAIN_MAX, dns_chain_add, &ctx, res->addrs,
						  &res->naddrs, &ttl, now);
	if (hit == DNS_CACHE_MISS || ctx.overflow) {
		res->nnames = 1;
		res->naddrs = 0;
		dns_stats.cache_misses++;
		return 1;
	}
	dns_stats.cache_hits++;
	res->from_cache = true;
	res->ttl = ttl;
	if (net_trace_on()) {
		struct net_trace_event ev = {
			.kind = NET_TRACE_DNS_CACHED, .addr = res->naddrs ? res->addrs[0] : 0, .count = res->naddrs, .ttl = ttl,
		};
		snprintf(ev.name, sizeof ev.name, "%s", res->names[0]);
		net_trace_note(&ev);
	}
	switch (hit) {
	case DNS_CACHE_HIT_A:
		return DNS_OK;
	case DNS_CACHE_HIT_NXDOMAIN:
		res->rcode = DNS_RCODE_NXDOMAIN;
		return DNS_ENXDOMAIN;
	default:
		return DNS_ENODATA;
	}
}

/* ---- the network ---- */

static uint64_t dns_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Do the SEND step: a fresh socket on a random ephemeral port (RFC 5452
 * section 9.2), connected to the server so that ICMP errors reach us. */
static void dns_send(struct dns_query *q, struct socket **sp)
{
	struct sock_addr any = { 0, 0 }, server = { q->server, DNS_PORT }, local;
	struct socket *s;

	if (*sp) {
		sock_close(*sp);
		*sp = NULL;
	}
	int err = sock_open(SOCK_DGRAM, &s);
	if (err) {
		dns_query_failed(q, err, sys_now_ms());
		return;
	}
	*sp = s;
	if ((err = sock_bind(s, &any)) || (err = sock_connect(s, &server, 0)) ||
	    (err = sock_getnames(s, &local, NULL))) {
		dns_query_failed(q, err, sys_now_ms());
		return;
	}
	dns_query_trace_send(q, local.port);
	long n = sock_send(s, q->msg, q->msg_len, 0);
	if (n < 0) {
		dns_query_failed(q, (int)n, sys_now_ms());
		return;
	}
	dns_query_sent(q, local.port, sys_now_ms());
}

/* Do the WAIT step: take datagrams until the query's deadline (or the
 * caller's, or Ctrl-C). Returns NET_OK, or NET_EINTR. */
static int dns_wait(struct dns_query *q, struct socket *s, uint8_t *buf, uint64_t deadline)
{
	struct sock_addr from, local;
	uint64_t now = sys_now_ms();
	uint64_t until = dns_min(q->deadline, deadline);

	if (now >= until)
		return NET_OK;          /* dns_query_poll moves on */
	long n = sock_recvfrom(s, buf, DNS_RX_MAX, &from, until - now);
	if (n == NET_EINTR)
		return NET_EINTR;
	if (n == NET_ETIMEDOUT || n == NET_EAGAIN)
		return NET_OK;
	if (n < 0) {
		dns_query_failed(q, (int)n, sys_now_ms());   /* ICMP: unreachable */
		return NET_OK;
	}
	sock_getnames(s, &local, NULL);
	enum dns_input v = dns_query_input(q, buf, (size_t)n, from.addr, from.port, local.port, false, sys_now_ms());
	if (v >= DNS_IN_DROP_STATE)
		sys_log(SYS_LOG_DEBUG, "dns: ignored a datagram (reason %d)", (int)v);
	return NET_OK;
}

/* Read exactly len bytes from a stream, or fail. */
static int dns_tcp_read(struct socket *s, uint8_t *buf, size_t len, uint64_t deadline)
{
	size_t got = 0;
	while (got < len) {
		uint64_t now = sys_now_ms();
		if (now >= deadline)
			return NET_ETIMEDOUT;
		long n = sock_recv(s, buf + got, len - got, deadline - now);
		if (n == 0)
			return NET_ECLOSED;      /* the server hung up mid-answer */
		if (n < 0)
			return (int)n;
		got += (size_t)n;
	}
	return NET_OK;
}

/* Do the TCP step (RFC 1035 4.2.2; RFC 7766): the same query with a
 * two-octet length prefix; one answer back the same way. */
static int dns_tcp(struct dns_query *q, uint8_t *buf, uint64_t deadline)
{
	struct sock_addr server = { q->server, DNS_PORT };
	struct socket *s;
	uint8_t out[DNS_TCP_LEN + DNS_QUERY_MAX];
	uint64_t now = sys_now_ms();

	int err = sock_open(SOCK_STREAM, &s);
	if (err)
		goto fail;
	err = sock_connect(s, &server, deadline > now ? deadline - now : 0);
	if (err)
		goto fail_close;
	be16_put(out, (uint16_t)q->msg_len);
	memcpy(out + DNS_TCP_LEN, q->msg, q->msg_len);
	now = sys_now_ms();
	long n = sock_send(s, out, DNS_TCP_LEN + q->msg_len, deadline > now ? deadline - now : 0);
	if (n < 0 || (size_t)n != DNS_TCP_LEN + q->msg_len) {
		err = n < 0 ? (int)n : NET_ETIMEDOUT;
		goto fail_close;
	}
	uint8_t pre[DNS_TCP_LEN];
	err = dns_tcp_read(s, pre, sizeof pre, deadline);
	if (err)
		goto fail_close;
	size_t len = be16_get(pre);
	if (len > DNS_TCP_MSG_MAX) {
		err = NET_EMSGSIZE;
		goto fail_close;
	}
	err = dns_tcp_read(s, buf, len, deadline);
	if (err)
		goto fail_close;
	struct sock_addr local, remote;
	sock_getnames(s, &local, &remote);
	sock_close(s);
	dns_query_input(q, buf, len, remote.addr, remote.port, local.port, true, sys_now_ms());
	if (q->state == DNS_QS_TCP)
		dns_query_failed(q, NET_EPROTO, sys_now_ms());   /* ignored: not our answer */
	return NET_OK;

fail_close:
	sock_abort(s);
fail:
	if (err == NET_EINTR)
		return err;
	dns_query_failed(q, err, sys_now_ms());
	return NET_OK;
}

/* Run q to DONE (or the deadline, or Ctrl-C). */
static int dns_run(struct dns_query *q, uint64_t deadline)
{
	struct socket *s = NULL;
	uint8_t *buf = sys_alloc(DNS_TCP_MSG_MAX);
	int status = DNS_OK;

	if (!buf)
		return DNS_ENOMEM;
	for (;;) {
		uint64_t now = sys_now_ms();
		enum dns_query_state st = dns_query_poll(q, now);
		if (st == DNS_QS_DONE) {
			status = q->status;
			break;
		}
		if (sys_interrupted()) {
			status = DNS_EINTR;
			break;
		}
		if (now >= deadline) {
			dns_stats.timeouts++;
			status = DNS_ETIMEDOUT;
			break;
		}
		int err = NET_OK;
		if (st == DNS_QS_SEND)
			dns_send(q, &s);
		else if (st == DNS_QS_WAIT)
			err = dns_wait(q, s, buf, deadline);
		else
			err = dns_tcp(q, buf, deadline);
		if (err == NET_EINTR) {
			status = DNS_EINTR;
			break;
		}
	}
	if (s)
		sock_close(s);
	sys_free(buf);
	return status;
}

int dns_resolve(const char *name, struct dns_result *res, uint64_t timeout_ms)
{
	uint64_t start = sys_now_ms();
	uint64_t deadline = timeout_ms > UINT64_MAX - start ? UINT64_MAX : start + timeout_ms;
	struct dns_name qname;
	uint32_t addr;

	memset(res, 0, sizeof *res);
	dns_stats.resolves++;
	if (!name)
		return DNS_EBADNAME;
	size_t k = 0;
	for (; name[k] && k + 1 < sizeof res->names[0]; k++)
		res->names[0][k] = name[k];
	res->names[0][k] = 0;
	res->nnames = 1;
	if (ipv4_parse_addr(name, &addr) == 0) {
		dns_stats.literal++;
		res->literal = true;
		res->addrs[0] = addr;
		res->naddrs = 1;
		return DNS_OK;
	}
	if (dns_name_from_text(name, &qname) != DNS_WIRE_OK)
		return DNS_EBADNAME;
	/* names[0] as the wire form prints it: no trailing dot. */
	dns_name_to_text(&qname, res->names[0], sizeof res->names[0]);

	int status = dns_resolve_cached(&qname, res, start);
	if (status <= 0)
		return status;

	uint32_t servers[DNS_SERVERS_MAX];
	unsigned n = dns_servers(servers, DNS_SERVERS_MAX);
	if (n == 0)
		return DNS_ENOSERVERS;
	struct dns_query *q = sys_alloc(sizeof *q);
	if (!q)
		return DNS_ENOMEM;
	dns_query_start(q, &qname, DNS_TYPE_A, servers, n, start);
	status = dns_run(q, deadline);
	*res = q->res;
	res->elapsed_ms = sys_now_ms() - start;
	sys_free(q);
	return status;
}

/* ---- reverse lookups ---- */

int dns_resolve_ptr(uint32_t addr, char *name, size_t len, uint64_t timeout_ms, struct dns_result *res)
{
	uint64_t start = sys_now_ms();
	uint64_t deadline = timeout_ms > UINT64_MAX - start ? UINT64_MAX : start + timeout_ms;
	char text[DNS_PTR_QNAME_MAX];
	struct dns_name qname;
	int status;

	if (res)
		memset(res, 0, sizeof *res);
	if (name && len)
		name[0] = 0;
	dns_stats.resolves++;
	dns_ptr_qname(addr, text, sizeof text);
	if (dns_name_from_text(text, &qname) != DNS_WIRE_OK)
		return DNS_EBADNAME;    /* cannot happen: the name is built above */
	uint32_t servers[DNS_SERVERS_MAX];
	unsigned n = dns_servers(servers, DNS_SERVERS_MAX);
	if (n == 0)
		return DNS_ENOSERVERS;
	struct dns_query *q = sys_alloc(sizeof *q);
	if (!q)
		return DNS_ENOMEM;
	/* No cache lookup: it holds A RRsets, and a PTR answer is not one. */
	dns_query_start(q, &qname, DNS_TYPE_PTR, servers, n, start);
	status = dns_run(q, deadline);
	if (status == DNS_OK && name && len)
		snprintf(name, len, "%s", q->res.ptr);
	if (res) {
		*res = q->res;
		res->elapsed_ms = sys_now_ms() - start;
	}
	sys_free(q);
	return status;
}

/* ---- counters and start-up ---- */

#define DNS_COUNTER(field) { #field, &dns_stats.field }

static const struct net_counter dns_counters[] = {
	DNS_COUNTER(resolves),      DNS_COUNTER(literal),           DNS_COUNTER(cache_hits),
	DNS_COUNTER(cache_misses),  DNS_COUNTER(queries_sent),      DNS_COUNTER(send_errors),
	DNS_COUNTER(timeouts),      DNS_COUNTER(answers),           DNS_COUNTER(drop_source),
	DNS_COUNTER(drop_port),     DNS_COUNTER(drop_short),        DNS_COUNTER(drop_not_response),
	DNS_COUNTER(drop_id),       DNS_COUNTER(drop_question),     DNS_COUNTER(malformed),
	DNS_COUNTER(truncated),     DNS_COUNTER(tcp_queries),       DNS_COUNTER(tcp_failures),
	DNS_COUNTER(nxdomain),      DNS_COUNTER(nodata),            DNS_COUNTER(servfail),
	DNS_COUNTER(refused),       DNS_COUNTER(other_rcode),       DNS_COUNTER(chases),
	DNS_COUNTER(chain_errors),
};

static const struct net_counter_group dns_counter_group = {
	.name = "dns",
	.counters = dns_counters,
	.count = sizeof dns_counters / sizeof dns_counters[0],
};

void dns_init(void)
{
	dns_cache_flush();
	memset(&dns_stats, 0, sizeof dns_stats);
	net_counters_register(&dns_counter_group);
}
