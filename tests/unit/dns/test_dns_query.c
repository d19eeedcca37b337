/* The resolver's core without any I/O: the query state machine driven by
 * hand with messages and the clock (schedule, RFC 5452 checks, CNAME
 * chains, negative answers, TC), and the cache's TTLs. */
#include <stdlib.h>
#include <string.h>

#include "net/dns.h"
#include "net/dns_cache.h"
#include "net/dns_query.h"
#include "net/err.h"
#include "net/ipv4.h"
#include "net/wire.h"
#include "tests/unit/check.h"
#include "tests/unit/dns/dns_packets.h"
#include "tests/unit/dns/test_platform.h"

#define S1 IPV4_ADDR(10, 0, 2, 3)
#define S2 IPV4_ADDR(192, 0, 2, 53)
#define T0 5000000u
#define PORT 50001

static struct dns_query q;
static uint8_t buf[1024];

static void setup(const char *name, unsigned nservers)
{
	const uint32_t servers[] = { S1, S2 };
	struct dns_name n;

	tp_clock_set(T0);
	tp_random_seed(7);
	dns_cache_flush();
	memset(&dns_stats, 0, sizeof dns_stats);
	CHECK_EQ_INT(dns_name_from_text(name, &n), DNS_WIRE_OK);
	dns_query_start(&q, &n, DNS_TYPE_A, servers, nservers, T0);
}

/* Poll, expect SEND, and "send" it now from PORT. */
static void send_now(void)
{
	CHECK_EQ_INT(dns_query_poll(&q, sys_now_ms()), DNS_QS_SEND);
	dns_query_sent(&q, PORT, sys_now_ms());
	CHECK_EQ_INT(q.state, DNS_QS_WAIT);
}

/* A copy of a recorded answer in buf with the query's ID. */
static size_t answer(const uint8_t *m, size_t len)
{
	memcpy(buf, m, len);
	be16_put(buf + DNS_ID, q.id);
	return len;
}

static enum dns_input give(size_t len)
{
	return dns_query_input(&q, buf, len, q.server, DNS_PORT, PORT, false, sys_now_ms());
}

static void test_query_on_the_wire(void)
{
	setup("www.google.com", 2);
	CHECK_EQ_INT(dns_query_poll(&q, T0), DNS_QS_SEND);
	CHECK_EQ_INT(q.server, S1);
	/* Our bytes, but for the ID, which is random. */
	CHECK_EQ_INT(q.msg_len, sizeof q_www_google);
	CHECK_EQ_MEM(q.msg + 2, q_www_google + 2, sizeof q_www_google - 2);
	CHECK_EQ_INT(be16_get(q.msg), q.id);
	CHECK_EQ_STR(q.res.names[0], "www.google.com");
}

static void test_accept_recorded(void)
{
	setup("www.google.com", 2);
	send_now();
	CHECK_EQ_INT(give(answer(r_www_google, sizeof r_www_google)), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.state, DNS_QS_DONE);
	CHECK_EQ_INT(q.status, DNS_OK);
	CHECK_EQ_INT(q.res.naddrs, 1);
	CHECK_EQ_INT(q.res.addrs[0], IPV4_ADDR(198, 51, 100, 10));
	CHECK_EQ_INT(q.res.ttl, 300);
	CHECK_EQ_INT(q.res.server, S1);
	CHECK_EQ_INT(q.res.id, q.id);
	CHECK_EQ_INT(q.res.nnames, 1);
	CHECK_EQ_INT(q.res.queries, 1);
	CHECK_EQ_INT(dns_stats.answers, 1);
}

static void test_mismatches_dropped_then_accepted(void)
{
	setup("www.google.com", 2);
	send_now();
	size_t n = answer(r_www_google, sizeof r_www_google);
	/* Another source address, source port or destination port. */
	CHECK_EQ_INT(dns_query_input(&q, buf, n, S2, DNS_PORT, PORT, false, T0), DNS_IN_DROP_SOURCE);
	CHECK_EQ_INT(dns_query_input(&q, buf, n, S1, 5353, PORT, false, T0), DNS_IN_DROP_PORT);
	CHECK_EQ_INT(dns_query_input(&q, buf, n, S1, DNS_PORT, PORT + 1, false, T0), DNS_IN_DROP_PORT);
	/* Another ID. */
	be16_put(buf, (uint16_t)(q.id + 1));
	CHECK_EQ_INT(give(n), DNS_IN_DROP_ID);
	/* QR clear: a query, not an answer. */
	answer(r_www_google, sizeof r_www_google);
	buf[DNS_FLAGS] &= 0x7f;
	CHECK_EQ_INT(give(n), DNS_IN_DROP_NOT_RESPONSE);
	/* Shorter than a header. */
	answer(r_www_google, sizeof r_www_google);
	CHECK_EQ_INT(give(DNS_HLEN - 1), DNS_IN_DROP_SHORT);
	/* Another question: a name one letter off, another type, class,
	 * no question at all. */
	answer(r_www_google, sizeof r_www_google);
	buf[13] = 'x';
	CHECK_EQ_INT(give(n), DNS_IN_DROP_QUESTION);
	answer(r_aaaa_nodata, sizeof r_aaaa_nodata);
	CHECK_EQ_INT(give(sizeof r_aaaa_nodata), DNS_IN_DROP_QUESTION);
	answer(r_www_google, sizeof r_www_google);
	buf[31] = 3;   /* QCLASS CH */
	CHECK_EQ_INT(give(n), DNS_IN_DROP_QUESTION);
	answer(r_www_google, sizeof r_www_google);
	be16_put(buf + DNS_QDCOUNT, 0);
	CHECK_EQ_INT(give(n), DNS_IN_DROP_QUESTION);
	CHECK_EQ_INT(q.state, DNS_QS_WAIT);
	CHECK_EQ_INT(dns_stats.drop_source, 1);
	CHECK_EQ_INT(dns_stats.drop_port, 2);
	CHECK_EQ_INT(dns_stats.drop_id, 1);
	CHECK_EQ_INT(dns_stats.drop_question, 4);
	/* The real answer still counts, with the name in other case. */
	answer(r_www_google, sizeof r_www_google);
	memcpy(buf + 13, "WWW", 3);
	CHECK_EQ_INT(give(n), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.status, DNS_OK);
	/* And nothing after DONE is taken. */
	CHECK_EQ_INT(give(n), DNS_IN_DROP_STATE);
}

static void test_cname_chain_recorded(void)
{
	setup("www.example.test", 1);
	send_now();
	CHECK_EQ_INT(give(answer(r_cname_chain, sizeof r_cname_chain)), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.status, DNS_OK);
	CHECK_EQ_INT(q.res.nnames, 3);
	CHECK_EQ_STR(q.res.names[0], "www.example.test");
	CHECK_EQ_STR(q.res.names[1], "alias1.example.test");
	CHECK_EQ_STR(q.res.names[2], "web.example.test");
	CHECK_EQ_INT(q.res.addrs[0], IPV4_ADDR(198, 51, 100, 11));
}

static void test_pointer_to_pointer_answer(void)
{
	setup("www.example.test", 1);
	send_now();
	CHECK_EQ_INT(give(answer(h_ptr_to_ptr, sizeof h_ptr_to_ptr)), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.status, DNS_OK);
	CHECK_EQ_INT(q.res.naddrs, 2);
	CHECK_EQ_INT(q.res.addrs[1], IPV4_ADDR(198, 51, 100, 12));
	CHECK_EQ_INT(q.res.ttl, 30);       /* the least TTL along the way */
}

static void test_multiple_addresses(void)
{
	setup("multi.example.test", 1);
	send_now();
	CHECK_EQ_INT(give(answer(r_multi, sizeof r_multi)), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.res.naddrs, 3);
	CHECK_EQ_INT(q.res.addrs[0], IPV4_ADDR(198, 51, 100, 22));   /* the server's order */
	CHECK_EQ_INT(q.res.addrs[1], IPV4_ADDR(198, 51, 100, 21));
	CHECK_EQ_INT(q.res.addrs[2], IPV4_ADDR(198, 51, 100, 23));
}

/* Build an answer for the query in flight: for each i, CNAME owner[i] ->
 * target[i] (names as text), uncompressed. Returns its length. */
static size_t cname_answer(const char *const *owners, const char *const *targets, int n)
{
	size_t off = 0;
	memcpy(buf, q.msg, q.msg_len);
	be16_put(buf + DNS_FLAGS, 0x8180);
	be16_put(buf + DNS_ANCOUNT, (uint16_t)n);
	off = q.msg_len;
	for (int i = 0; i < n; i++) {
		struct dns_name o, t;
		dns_name_from_text(owners[i], &o);
		dns_name_from_text(targets[i], &t);
		memcpy(buf + off, o.wire, o.len);
		off += o.len;
		be16_put(buf + off, DNS_TYPE_CNAME);
		be16_put(buf + off + 2, DNS_CLASS_IN);
		be32_put(buf + off + 4, 120);
		be16_put(buf + off + 8, t.len);
		off += 10;
		memcpy(buf + off, t.wire, t.len);
		off += t.len;
	}
	return off;
}

static void test_cname_chase(void)
{
	/* The server gives www -> web but not web's address: we ask again. */
	setup("www.example.test", 2);
	send_now();
	const char *own[] = { "www.example.test" }, *tgt[] = { "web.example.test" };
	CHECK_EQ_INT(give(cname_answer(own, tgt, 1)), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.state, DNS_QS_SEND);
	CHECK_EQ_INT(q.server, S1);        /* the schedule starts afresh */
	struct dns_name web;
	dns_name_from_text("web.example.test", &web);
	CHECK(dns_name_equal(&q.qname, &web));
	send_now();
	/* An answer for the old question is now someone else's. */
	CHECK_EQ_INT(give(answer(r_cname_chain, sizeof r_cname_chain)), DNS_IN_DROP_QUESTION);
	/* web.example.test A 198.51.100.11: build from the query. */
	size_t n = q.msg_len;
	memcpy(buf, q.msg, n);
	be16_put(buf + DNS_FLAGS, 0x8180);
	be16_put(buf + DNS_ANCOUNT, 1);
	static const uint8_t a_rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 51, 100, 11 };
	memcpy(buf + n, a_rr, sizeof a_rr);
	CHECK_EQ_INT(give(n + sizeof a_rr), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.status, DNS_OK);
	CHECK_EQ_INT(q.res.nnames, 2);
	CHECK_EQ_STR(q.res.names[1], "web.example.test");
	CHECK_EQ_INT(q.res.ttl, 60);
	CHECK_EQ_INT(q.res.queries, 2);
	CHECK_EQ_INT(dns_stats.chases, 1);
}

static void test_cname_loop_and_length(void)
{
	setup("a.test", 1);
	send_now();
	const char *own[] = { "a.test", "b.test" }, *tgt[] = { "b.test", "A.TEST" };
	CHECK_EQ_INT(give(cname_answer(own, tgt, 2)), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.status, DNS_ECHAIN);

	/* A chain of DNS_CHAIN_MAX CNAMEs is fine (then chased); one more is not. */
	static char names[DNS_CHAIN_MAX + 2][24];
	const char *o[DNS_CHAIN_MAX + 1], *t[DNS_CHAIN_MAX + 1];
	for (int i = 0; i <= DNS_CHAIN_MAX + 1; i++)
		snprintf(names[i], sizeof names[i], "n%d.test", i);
	for (int i = 0; i <= DNS_CHAIN_MAX; i++) {
		o[i] = names[i];
		t[i] = names[i + 1];
	}
	setup("n0.test", 1);
	send_now();
	CHECK_EQ_INT(give(cname_answer(o, t, DNS_CHAIN_MAX)), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.state, DNS_QS_SEND);
	CHECK_EQ_INT(q.res.nnames, DNS_CHAIN_MAX + 1);
	setup("n0.test", 1);
	send_now();
	CHECK_EQ_INT(give(cname_answer(o, t, DNS_CHAIN_MAX + 1)), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.status, DNS_ECHAIN);
}

static void test_nxdomain_and_negative_cache(void)
{
	setup("nx.example.test", 2);
	send_now();
	CHECK_EQ_INT(give(answer(r_nxdomain, sizeof r_nxdomain)), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.status, DNS_ENXDOMAIN);
	CHECK_EQ_INT(q.res.rcode, DNS_RCODE_NXDOMAIN);
	CHECK_EQ_INT(q.res.ttl, DNS_NEG_TTL_DEFAULT);    /* no SOA */

	/* Cached for the default TTL, then gone. */
	uint32_t addrs[DNS_ADDRS_MAX], ttl;
	unsigned n;
	CHECK_EQ_INT(dns_cache_lookup(&q.qname, DNS_CHAIN_MAX, NULL, NULL, addrs, &n, &ttl, T0 + 9999),
		     DNS_CACHE_HIT_NXDOMAIN);
	CHECK_EQ_INT(dns_cache_lookup(&q.qname, DNS_CHAIN_MAX, NULL, NULL, addrs, &n, &ttl, T0 + 10000),
		     DNS_CACHE_MISS);

	/* With the zone's SOA: min(SOA TTL 600, MINIMUM 45). */
	setup("nx.example.test", 2);
	send_now();
	CHECK_EQ_INT(give(answer(h_nx_soa, sizeof h_nx_soa)), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.status, DNS_ENXDOMAIN);
	CHECK_EQ_INT(q.res.ttl, 45);
	CHECK_EQ_INT(dns_cache_lookup(&q.qname, DNS_CHAIN_MAX, NULL, NULL, addrs, &n, &ttl, T0 + 44000),
		     DNS_CACHE_HIT_NXDOMAIN);
	CHECK_EQ_INT(ttl, 1);
	CHECK_EQ_INT(dns_cache_lookup(&q.qname, DNS_CHAIN_MAX, NULL, NULL, addrs, &n, &ttl, T0 + 45000),
		     DNS_CACHE_MISS);
}

static void test_nodata(void)
{
	/* NOERROR with no A record: the recorded AAAA answer, asked as A. */
	setup("www.google.com", 1);
	send_now();
	answer(r_aaaa_nodata, sizeof r_aaaa_nodata);
	be16_put(buf + 28, DNS_TYPE_A);
	CHECK_EQ_INT(give(sizeof r_aaaa_nodata), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.status, DNS_ENODATA);
	uint32_t addrs[DNS_ADDRS_MAX], ttl;
	unsigned n;
	CHECK_EQ_INT(dns_cache_lookup(&q.qname, DNS_CHAIN_MAX, NULL, NULL, addrs, &n, &ttl, T0),
		     DNS_CACHE_HIT_NODATA);
}

static void test_server_errors_move_on(void)
{
	/* SERVFAIL from the first server: the second is asked at once. */
	setup("www.google.com", 2);
	send_now();
	answer(r_www_google, sizeof r_www_google);
	be16_put(buf + DNS_FLAGS, 0x8182);
	CHECK_EQ_INT(give(sizeof r_www_google), DNS_IN_SERVER_ERROR);
	CHECK_EQ_INT(q.state, DNS_QS_SEND);
	CHECK_EQ_INT(q.server, S2);
	send_now();
	CHECK_EQ_INT(give(answer(r_www_google, sizeof r_www_google)), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.status, DNS_OK);
	CHECK_EQ_INT(q.res.server, S2);

	/* Both refuse: REFUSED, and no second round to servers that said no. */
	setup("www.google.com", 2);
	for (int i = 0; i < 2; i++) {
		send_now();
		answer(r_www_google, sizeof r_www_google);
		be16_put(buf + DNS_FLAGS, 0x8185);
		CHECK_EQ_INT(give(sizeof r_www_google), DNS_IN_SERVER_ERROR);
	}
	CHECK_EQ_INT(dns_query_poll(&q, T0), DNS_QS_DONE);
	CHECK_EQ_INT(q.status, DNS_EREFUSED);
	CHECK_EQ_INT(q.res.queries, 2);

	/* The only server fails: SERVFAIL at once, not a timeout. */
	setup("www.google.com", 1);
	send_now();
	answer(r_www_google, sizeof r_www_google);
	be16_put(buf + DNS_FLAGS, 0x8182);
	give(sizeof r_www_google);
	CHECK_EQ_INT(q.state, DNS_QS_DONE);
	CHECK_EQ_INT(q.status, DNS_ESERVFAIL);
	CHECK_EQ_INT(q.res.rcode, DNS_RCODE_SERVFAIL);

	/* NOTIMP: another server error. */
	setup("www.google.com", 1);
	send_now();
	answer(r_www_google, sizeof r_www_google);
	be16_put(buf + DNS_FLAGS, 0x8184);
	give(sizeof r_www_google);
	CHECK_EQ_INT(q.status, DNS_ESERVER);
}

static void test_schedule_two_silent_servers(void)
{
	/* S1 at 0 (1 s), S2 at 1 s (1 s), S1 at 2 s (2 s), S2 at 4 s (2 s),
	 * timeout at 6 s; every query with a fresh ID. */
	static const uint64_t at[] = { 0, 1000, 2000, 4000 };
	static const uint32_t to[] = { S1, S2, S1, S2 };
	uint16_t ids[4];

	setup("www.google.com", 2);
	for (int i = 0; i < 4; i++) {
		tp_clock_set(T0 + at[i]);
		CHECK_EQ_INT(dns_query_poll(&q, T0 + at[i] - 1), i ? DNS_QS_WAIT : DNS_QS_SEND);
		send_now();
		CHECK_EQ_INT(q.server, to[i]);
		ids[i] = q.id;
	}
	CHECK_EQ_INT(dns_query_poll(&q, T0 + 5999), DNS_QS_WAIT);
	CHECK_EQ_INT(dns_query_poll(&q, T0 + 6000), DNS_QS_DONE);
	CHECK_EQ_INT(q.status, DNS_ETIMEDOUT);
	CHECK_EQ_INT(q.res.elapsed_ms, 6000);
	CHECK(ids[0] != ids[1] && ids[1] != ids[2] && ids[2] != ids[3] && ids[0] != ids[2]);
	CHECK_EQ_INT(dns_stats.timeouts, 1);
}

static void test_unreachable_then_timeout(void)
{
	/* ICMP unreachable from S1 drops it; S2 is silent: timed out. */
	setup("www.google.com", 2);
	send_now();
	dns_query_failed(&q, NET_EPORTUNREACH, T0);
	CHECK_EQ_INT(q.server, S2);
	send_now();
	tp_clock_set(T0 + 1000);
	CHECK_EQ_INT(dns_query_poll(&q, T0 + 1000), DNS_QS_SEND);
	CHECK_EQ_INT(q.server, S2);        /* S1 is not asked again */
	send_now();
	CHECK_EQ_INT(dns_query_poll(&q, T0 + 3000), DNS_QS_DONE);
	CHECK_EQ_INT(q.status, DNS_ETIMEDOUT);

	/* Only unreachable servers: EUNREACH, with the network's reason. */
	setup("www.google.com", 1);
	CHECK_EQ_INT(dns_query_poll(&q, T0), DNS_QS_SEND);
	dns_query_failed(&q, NET_ENETUNREACH, T0);
	CHECK_EQ_INT(q.state, DNS_QS_DONE);
	CHECK_EQ_INT(q.status, DNS_EUNREACH);
	CHECK_EQ_INT(q.res.net_err, NET_ENETUNREACH);
}

static void test_no_servers(void)
{
	setup("www.google.com", 0);
	CHECK_EQ_INT(dns_query_poll(&q, T0), DNS_QS_DONE);
	CHECK_EQ_INT(q.status, DNS_ENOSERVERS);
}

static void test_truncated_goes_to_tcp(void)
{
	setup("www.google.com", 2);
	send_now();
	answer(r_www_google, sizeof r_www_google);
	be16_put(buf + DNS_FLAGS, 0x8780);   /* TC */
	CHECK_EQ_INT(give(sizeof r_www_google), DNS_IN_TRUNCATED);
	CHECK_EQ_INT(dns_query_poll(&q, T0), DNS_QS_TCP);
	/* A UDP answer now is not what we wait for. */
	answer(r_www_google, sizeof r_www_google);
	CHECK_EQ_INT(give(sizeof r_www_google), DNS_IN_DROP_STATE);
	/* The TCP answer: same checks, any local port. */
	CHECK_EQ_INT(dns_query_input(&q, buf, sizeof r_www_google, S1, DNS_PORT, 40000, true, T0 + 5),
		     DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.status, DNS_OK);
	CHECK(q.res.via_tcp);

	/* TCP fails: the clear error. */
	setup("www.google.com", 2);
	send_now();
	answer(r_www_google, sizeof r_www_google);
	be16_put(buf + DNS_FLAGS, 0x8780);
	give(sizeof r_www_google);
	dns_query_failed(&q, NET_ECONNREFUSED, T0);
	CHECK_EQ_INT(q.status, DNS_ETRUNCATED);
}

/* Every prefix of valid answers, given as the answer in flight: never
 * accepted, never a crash; the full message is. */
static void truncations_of(const uint8_t *m, size_t len, int want)
{
	for (size_t n = 0; n < len; n++) {
		setup("www.example.test", 1);
		send_now();
		answer(m, len);
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, buf, n);
		enum dns_input v = dns_query_input(&q, cut, n, S1, DNS_PORT, PORT, false, T0);
		free(cut);
		if (v == DNS_IN_ACCEPTED || (q.state == DNS_QS_DONE && q.status == DNS_OK)) {
			CHECK_FAIL_AT(__FILE__, __LINE__, "prefix %zu/%zu accepted", n, len);
			return;
		}
	}
	setup("www.example.test", 1);
	send_now();
	CHECK_EQ_INT(give(answer(m, len)), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.status, want);
}

static void test_every_truncation_point(void)
{
	truncations_of(r_cname_chain, sizeof r_cname_chain, DNS_OK);
	truncations_of(h_ptr_to_ptr, sizeof h_ptr_to_ptr, DNS_OK);
}

static void test_cache_ttl_expiry(void)
{
	setup("www.example.test", 1);
	send_now();
	give(answer(r_cname_chain, sizeof r_cname_chain));
	CHECK_EQ_INT(q.status, DNS_OK);

	uint32_t addrs[DNS_ADDRS_MAX], ttl;
	unsigned n;
	struct dns_name www;
	dns_name_from_text("WWW.example.test", &www);
	CHECK_EQ_INT(dns_cache_lookup(&www, DNS_CHAIN_MAX, NULL, NULL, addrs, &n, &ttl, T0 + 1),
		     DNS_CACHE_HIT_A);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(addrs[0], IPV4_ADDR(198, 51, 100, 11));
	CHECK_EQ_INT(ttl, 300);
	CHECK_EQ_INT(dns_cache_lookup(&www, DNS_CHAIN_MAX, NULL, NULL, addrs, &n, &ttl, T0 + 299500),
		     DNS_CACHE_HIT_A);
	CHECK_EQ_INT(ttl, 1);
	CHECK_EQ_INT(dns_cache_lookup(&www, DNS_CHAIN_MAX, NULL, NULL, addrs, &n, &ttl, T0 + 300000),
		     DNS_CACHE_MISS);
}

static void count_entry(const struct dns_cache_info *e, void *ctx)
{
	(*(int *)ctx)++;
	CHECK_EQ_INT(e->kind, DNS_CACHE_A);
	CHECK(e->ttl_left > 0 && e->ttl_left <= 100);
}

static void test_cache_bounds(void)
{
	struct dns_name n;
	uint32_t a = 1, addrs[DNS_ADDRS_MAX], ttl;
	unsigned k;
	char text[32];

	tp_clock_set(T0);
	dns_cache_flush();
	/* TTL 0 is not stored; a TTL with the top bit set counts as 0. */
	dns_name_from_text("zero.test", &n);
	dns_cache_put_a(&n, &a, 1, 0, T0);
	dns_cache_put_a(&n, &a, 1, 0x80000001u, T0);
	CHECK_EQ_INT(dns_cache_lookup(&n, 0, NULL, NULL, addrs, &k, &ttl, T0), DNS_CACHE_MISS);
	/* Huge TTLs are capped. */
	dns_cache_put_a(&n, &a, 1, 0x7fffffff, T0);
	dns_cache_lookup(&n, 0, NULL, NULL, addrs, &k, &ttl, T0);
	CHECK_EQ_INT(ttl, DNS_TTL_MAX);
	/* More names than slots: the least recently used goes. */
	for (int i = 0; i < DNS_CACHE_MAX + 5; i++) {
		snprintf(text, sizeof text, "h%d.test", i);
		dns_name_from_text(text, &n);
		dns_cache_put_a(&n, &a, 1, 100, T0 + (uint64_t)i);
	}
	int seen = 0;
	CHECK_EQ_INT(dns_cache_foreach(count_entry, &seen, T0 + 100), DNS_CACHE_MAX);
	CHECK_EQ_INT(seen, DNS_CACHE_MAX);
	dns_name_from_text("h0.test", &n);
	CHECK_EQ_INT(dns_cache_lookup(&n, 0, NULL, NULL, addrs, &k, &ttl, T0 + 100), DNS_CACHE_MISS);
	snprintf(text, sizeof text, "h%d.test", DNS_CACHE_MAX + 4);
	dns_name_from_text(text, &n);
	CHECK_EQ_INT(dns_cache_lookup(&n, 0, NULL, NULL, addrs, &k, &ttl, T0 + 100), DNS_CACHE_HIT_A);
	CHECK_EQ_INT(dns_cache_flush(), DNS_CACHE_MAX);
}

int main(void)
{
	check_suite = "dns_query";
	RUN(test_query_on_the_wire);
	RUN(test_accept_recorded);
	RUN(test_mismatches_dropped_then_accepted);
	RUN(test_cname_chain_recorded);
	RUN(test_pointer_to_pointer_answer);
	RUN(test_multiple_addresses);
	RUN(test_cname_chase);
	RUN(test_cname_loop_and_length);
	RUN(test_nxdomain_and_negative_cache);
	RUN(test_nodata);
	RUN(test_server_errors_move_on);
	RUN(test_schedule_two_silent_servers);
	RUN(test_unreachable_then_timeout);
	RUN(test_no_servers);
	RUN(test_truncated_goes_to_tcp);
	RUN(test_every_truncation_point);
	RUN(test_cache_ttl_expiry);
	RUN(test_cache_bounds);
	return check_report();
}
