/* One resolution as a state machine (see net/dns_query.h): the retry
 * schedule, RFC 5452's acceptance rules, CNAME chains, negative answers
 * (RFC 2308), and filling the cache. */
#include "net/dns_query.h"

#include <stdio.h>
#include <string.h>

#include "net/dns_cache.h"
#include "net/err.h"
#include "net/sys.h"
#include "net/trace.h"
#include "net/wire.h"

struct dns_stats dns_stats;

/* A TTL as we use it: RFC 2181 section 8 (top bit set means 0), capped. */
static uint32_t dns_ttl_clamp(uint32_t ttl)
{
	if (ttl & 0x80000000u)
		return 0;
	return ttl < DNS_TTL_MAX ? ttl : DNS_TTL_MAX;
}

static void dns_query_finish(struct dns_query *q, int status, uint64_t now)
{
	q->status = status;
	q->state = DNS_QS_DONE;
	q->res.elapsed_ms = now - q->started_ms;
	if (q->ttl != UINT32_MAX)
		q->res.ttl = q->ttl;
	if (status == DNS_ETIMEDOUT)
		dns_stats.timeouts++;
	if (net_trace_on() && q->res.server) {
		struct net_trace_event ev = {
			.kind = NET_TRACE_DNS_ANSWER, .server = q->res.server, .id = q->res.id, .rcode = q->res.rcode,
			.addr = q->res.naddrs ? q->res.addrs[0] : 0, .count = q->res.naddrs, .ttl = q->res.ttl,
			.elapsed_ms = (uint32_t)q->res.elapsed_ms,
		};
		snprintf(ev.name, sizeof ev.name, "%s", q->res.names[q->res.nnames ? q->res.nnames - 1 : 0]);
		net_trace_note(&ev);
	}
}

/* Pick the next attempt at or after q->attempt whose server has not
 * failed, give it a fresh random ID and build its message; or finish when
 * the schedule is spent. */
static void dns_query_prepare(struct dns_query *q, uint64_t now)
{
	unsigned total = q->nservers * DNS_TRIES;

	while (q->attempt < total && q->failed[q->attempt % q->nservers])
		q->attempt++;
	if (q->attempt >= total) {
		dns_query_finish(q, q->last_error ? q->last_error : DNS_ETIMEDOUT, now);
		return;
	}
	q->server = q->servers[q->attempt % q->nservers];
	q->id = (uint16_t)sys_random32();
	q->port = 0;
	int n = dns_query_build(q->msg, sizeof q->msg, q->id, &q->qname, q->qtype);
	if (n < 0) {
		dns_query_finish(q, DNS_EBADNAME, now);   /* cannot happen: qname fits by type */
		return;
	}
	q->msg_len = (size_t)n;
	q->state = DNS_QS_SEND;
}

void dns_query_start(struct dns_query *q, const struct dns_name *qname, uint16_t qtype, const uint32_t *servers,
		     unsigned nservers, uint64_t now)
{
	memset(q, 0, sizeof *q);
	q->qname = *qname;
	q->qtype = qtype;
	q->started_ms = now;
	q->ttl = UINT32_MAX;
	q->chain[0] = *qname;
	if (dns_name_to_text(qname, q->res.names[0], sizeof q->res.names[0]) < 0) {
		dns_query_finish(q, DNS_EBADNAME, now);
		return;
	}
	q->res.nnames = 1;
	for (unsigned i = 0; i < nservers && q->nservers < DNS_SERVERS_MAX; i++)
		q->servers[q->nservers++] = servers[i];
	if (q->nservers == 0) {
		dns_query_finish(q, DNS_ENOSERVERS, now);
		return;
	}
	dns_query_prepare(q, now);
}

enum dns_query_state dns_query_poll(struct dns_query *q, uint64_t now)
{
	if (q->state == DNS_QS_WAIT && now >= q->deadline) {
		/* Silence: the next attempt; the server stays in the schedule. */
		if (q->last_error == 0 || q->last_error == DNS_EUNREACH)
			q->last_error = DNS_ETIMEDOUT;
		q->attempt++;
		dns_query_prepare(q, now);
	}
	return q->state;
}

void dns_query_sent(struct dns_query *q, uint16_t port, uint64_t now)
{
	if (q->state != DNS_QS_SEND)
		return;
	unsigned round = q->attempt / q->nservers;
	q->port = port;
	q->sent_ms = now;
	q->deadline = now + ((uint64_t)DNS_TIMEOUT_FIRST_MS << round);
	q->state = DNS_QS_WAIT;
	q->res.queries++;
	dns_stats.queries_sent++;
}

void dns_query_trace_send(const struct dns_query *q, uint16_t port)
{
	if (!net_trace_on())
		return;
	struct net_trace_event ev = { .kind = NET_TRACE_DNS_QUERY, .server = q->server, .port = port, .id = q->id };
	dns_name_to_text(&q->qname, ev.name, sizeof ev.name);
	net_trace_note(&ev);
}

/* The server in flight answered with an error (or cannot be reached):
 * do not ask it again in this resolution; try the next. */
static void dns_query_server_failed(struct dns_query *q, int status, uint64_t now)
{
	q->failed[q->attempt % q->nservers] = true;
	q->last_error = status;
	q->attempt++;
	dns_query_prepare(q, now);
}

void dns_query_failed(struct dns_query *q, int net_err, uint64_t now)
{
	q->res.net_err = net_err;
	if (q->state == DNS_QS_TCP) {
		dns_stats.tcp_failures++;
		dns_query_finish(q, DNS_ETRUNCATED, now);
		return;
	}
	if (q->state != DNS_QS_SEND && q->state != DNS_QS_WAIT)
		return;
	dns_stats.send_errors++;
	/* Unreachable says less than a server's own error or silence. */
	int keep = q->last_error;
	dns_query_server_failed(q, keep ? keep : DNS_EUNREACH, now);
}

/* The TTL of a negative answer for name (RFC 2308 section 5): the lesser
 * of the SOA record's TTL and its MINIMUM field, from an SOA in the
 * authority section whose zone holds name; a small default without one. */
static uint32_t dns_negative_ttl(const struct dns_msg *m, const struct dns_name *name)
{
	for (unsigned i = 0; i < m->ns_kept; i++) {
		const struct dns_rr *rr = &m->ns[i];
		if (rr->type != DNS_TYPE_SOA || rr->class != DNS_CLASS_IN || !dns_name_in_zone(name, &rr->name))
			continue;
		uint32_t ttl = dns_ttl_clamp(rr->ttl);
		uint32_t min = dns_ttl_clamp(rr->rd.soa_minimum);
		ttl = ttl < min ? ttl : min;
		return ttl < DNS_NEG_TTL_MAX ? ttl : DNS_NEG_TTL_MAX;
	}
	return DNS_NEG_TTL_DEFAULT;
}

static void dns_query_ttl(struct dns_query *q, uint32_t ttl)
{
	ttl = dns_ttl_clamp(ttl);
	if (ttl < q->ttl)
		q->ttl = ttl;
}

/* The CNAME record owned by name in the answer section, or NULL. */
static const struct dns_rr *dns_find_cname(const struct dns_msg *m, const struct dns_name *name)
{
	for (unsigned i = 0; i < m->an_kept; i++) {
		const struct dns_rr *rr = &m->an[i];
		if (rr->type == DNS_TYPE_CNAME && rr->class == DNS_CLASS_IN && dns_name_equal(&rr->name, name))
			return rr;
	}
	return NULL;
}

/* Follow the answer's CNAMEs from q->qname, adding each target to the
 * chain and the cache. Returns DNS_OK and *cur (the chain's end), or
 * DNS_ECHAIN (too long, or a name met twice), or DNS_EMALFORMED (a
 * target we cannot show). */
static int dns_follow_chain(struct dns_query *q, const struct dns_msg *m, struct dns_name *cur, uint64_t now)
{
	*cur = q->qname;
	for (const struct dns_rr *rr; (rr = dns_find_cname(m, cur));) {
		if (q->res.nnames > DNS_CHAIN_MAX)
			return DNS_ECHAIN;
		for (unsigned i = 0; i < q->res.nnames; i++)
			if (dns_name_equal(&q->chain[i], &rr->rd.target))
				return DNS_ECHAIN;
		unsigned k = q->res.nnames;
		if (dns_name_to_text(&rr->rd.target, q->res.names[k], sizeof q->res.names[k]) < 0)
			return DNS_EMALFORMED;
		q->chain[k] = rr->rd.target;
		q->res.nnames++;
		dns_query_ttl(q, rr->ttl);
		dns_cache_put_cname(&rr->name, &rr->rd.target, rr->ttl, now);
		*cur = rr->rd.target;
	}
	return DNS_OK;
}

/* A NOERROR answer to a PTR query (RFC 1035 3.5), the CNAMEs already
 * followed to cur: the first PTR record cur owns is the name. Positive
 * PTR answers are not cached (the cache holds A RRsets), and neither is
 * NODATA (the cache's NODATA means "no A record"). */
static void dns_query_answer_ptr(struct dns_query *q, const struct dns_msg *m, const struct dns_name *cur,
				 uint64_t now)
{
	for (unsigned i = 0; i < m->an_kept; i++) {
		const struct dns_rr *rr = &m->an[i];
		if (rr->type != DNS_TYPE_PTR || rr->class != DNS_CLASS_IN || !dns_name_equal(&rr->name, cur))
			continue;
		if (dns_name_to_text(&rr->rd.target, q->res.ptr, sizeof q->res.ptr) < 0) {
			dns_stats.malformed++;
			dns_query_finish(q, DNS_EMALFORMED, now);
			return;
		}
		dns_query_ttl(q, rr->ttl);
		dns_query_finish(q, DNS_OK, now);
		return;
	}
	dns_query_ttl(q, dns_negative_ttl(m, cur));
	dns_stats.nodata++;
	dns_query_finish(q, DNS_ENODATA, now);
}

/* A NOERROR or NXDOMAIN answer that passed every check: use it. */
static void dns_query_answer(struct dns_query *q, const struct dns_msg *m, uint64_t now)
{
	struct dns_name cur;
	int err = dns_follow_chain(q, m, &cur, now);
	if (err) {
		dns_stats.chain_errors++;
		dns_query_finish(q, err, now);
		return;
	}
	unsigned rcode = m->hdr.flags & DNS_RCODE_MASK;
	if (rcode == DNS_RCODE_NXDOMAIN) {
		/* RFC 2308 2.1: NXDOMAIN is about the chain's last name. */
		uint32_t neg = dns_negative_ttl(m, &cur);
		dns_cache_put_negative(&cur, DNS_CACHE_NXDOMAIN, neg, now);
		dns_query_ttl(q, neg);
		dns_stats.nxdomain++;
		dns_query_finish(q, DNS_ENXDOMAIN, now);
		return;
	}

	if (q->qtype == DNS_TYPE_PTR) {
		dns_query_answer_ptr(q, m, &cur, now);
		return;
	}

	uint32_t a_ttl = UINT32_MAX;
	q->res.naddrs = 0;
	for (unsigned i = 0; i < m->an_kept; i++) {
		const struct dns_rr *rr = &m->an[i];
		if (rr->type != q->qtype || rr->class != DNS_CLASS_IN || !dns_name_equal(&rr->name, &cur))
			continue;
		if (q->res.naddrs < DNS_ADDRS_MAX)
			q->res.addrs[q->res.naddrs++] = rr->rd.a;
		uint32_t t = dns_ttl_clamp(rr->ttl);
		a_ttl = t < a_ttl ? t : a_ttl;
	}
	if (q->res.naddrs) {
		dns_cache_put_a(&cur, q->res.addrs, q->res.naddrs, a_ttl, now);
		dns_query_ttl(q, a_ttl);
		dns_query_finish(q, DNS_OK, now);
		return;
	}
	if (!dns_name_equal(&cur, &q->qname)) {
		/* The server gave the chain but not the target's address:
		 * ask for the target, with the schedule afresh. */
		if (q->chases >= DNS_CHASE_MAX) {
			dns_stats.chain_errors++;
			dns_query_finish(q, DNS_ECHAIN, now);
			return;
		}
		q->chases++;
		dns_stats.chases++;
		q->qname = cur;
		q->attempt = 0;
		q->last_error = 0;
		memset(q->failed, 0, sizeof q->failed);
		dns_query_prepare(q, now);
		return;
	}
	uint32_t neg = dns_negative_ttl(m, &cur);
	dns_cache_put_negative(&cur, DNS_CACHE_NODATA, neg, now);
	dns_query_ttl(q, neg);
	dns_stats.nodata++;
	dns_query_finish(q, DNS_ENODATA, now);
}

/* Read the question at msg[DNS_HLEN] and compare it with ours. */
static bool dns_question_matches(const struct dns_query *q, const uint8_t *msg, size_t len, const struct dns_hdr *h)
{
	struct dns_name name;
	size_t off = DNS_HLEN;

	if (h->qdcount != 1)
		return false;
	if (dns_name_read(msg, len, &off, &name) != DNS_WIRE_OK || len - off < DNS_Q_FIXED)
		return false;
	return dns_name_equal(&name, &q->qname) && be16_get(msg + off + DNS_Q_TYPE) == q->qtype &&
	       be16_get(msg + off + DNS_Q_CLASS) == DNS_CLASS_IN;
}

enum dns_input dns_query_input(struct dns_query *q, const uint8_t *msg, size_t len, uint32_t src, uint16_t sport,
			       uint16_t dport, bool tcp, uint64_t now)
{
	struct dns_hdr h;

	/* RFC 5452 section 9.1: address, ports, ID and question must all
	 * match the query in flight; otherwise the message is ignored and
	 * the real answer still awaited. */
	if (q->state != (tcp ? DNS_QS_TCP : DNS_QS_WAIT))
		return DNS_IN_DROP_STATE;
	if (src != q->server) {
		dns_stats.drop_source++;
		return DNS_IN_DROP_SOURCE;
	}
	if (sport != DNS_PORT || (!tcp && dport != q->port)) {
		dns_stats.drop_port++;
		return DNS_IN_DROP_PORT;
	}
	if (dns_hdr_parse(msg, len, &h) != DNS_WIRE_OK) {
		dns_stats.drop_short++;
		return DNS_IN_DROP_SHORT;
	}
	if (!(h.flags & DNS_FLAG_QR) || (h.flags & DNS_OPCODE_MASK)) {
		dns_stats.drop_not_response++;
		return DNS_IN_DROP_NOT_RESPONSE;
	}
	if (h.id != q->id) {
		dns_stats.drop_id++;
		return DNS_IN_DROP_ID;
	}
	if (!dns_question_matches(q, msg, len, &h)) {
		dns_stats.drop_question++;
		return DNS_IN_DROP_QUESTION;
	}

	/* From here the message is the server's answer to this query. */
	unsigned rcode = h.flags & DNS_RCODE_MASK;
	q->res.server = src;
	q->res.id = h.id;
	q->res.rcode = (uint8_t)rcode;
	if (tcp)
		q->res.via_tcp = true;
	if (h.flags & DNS_FLAG_TC) {
		if (tcp) {
			dns_stats.malformed++;
			dns_query_server_failed(q, DNS_EMALFORMED, now);
			return DNS_IN_SERVER_ERROR;
		}
		dns_stats.truncated++;
		dns_stats.tcp_queries++;
		q->state = DNS_QS_TCP;
		return DNS_IN_TRUNCATED;
	}
	int err = dns_msg_parse(msg, len, &q->parsed);
	if (err != DNS_WIRE_OK) {
		dns_stats.malformed++;
		sys_log(SYS_LOG_DEBUG, "dns: malformed answer: %s", dns_wire_strerror(err));
		dns_query_server_failed(q, DNS_EMALFORMED, now);
		return DNS_IN_SERVER_ERROR;
	}
	switch (rcode) {
	case DNS_RCODE_NOERROR:
	case DNS_RCODE_NXDOMAIN:
		dns_stats.answers++;
		dns_query_answer(q, &q->parsed, now);
		return DNS_IN_ACCEPTED;
	case DNS_RCODE_SERVFAIL:
		dns_stats.servfail++;
		dns_query_server_failed(q, DNS_ESERVFAIL, now);
		return DNS_IN_SERVER_ERROR;
	case DNS_RCODE_REFUSED:
		dns_stats.refused++;
		dns_query_server_failed(q, DNS_EREFUSED, now);
		return DNS_IN_SERVER_ERROR;
	default:
		dns_stats.other_rcode++;
		dns_query_server_failed(q, DNS_ESERVER, now);
		return DNS_IN_SERVER_ERROR;
	}
}
