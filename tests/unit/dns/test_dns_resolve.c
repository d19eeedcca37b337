/* dns_resolve, the blocking resolver, on the real stack (Ethernet, ARP,
 * IPv4, UDP, the socket layer) against scripted servers: what goes on the
 * wire and when, forged answers, the cache on the simulated clock, TCP
 * after a truncated answer, and the names that never reach DNS. */
#include <string.h>

#include "net/dns.h"
#include "net/dns_cache.h"
#include "net/err.h"
#include "net/wire.h"
#include "tests/unit/check.h"
#include "tests/unit/dns/dns_packets.h"
#include "tests/unit/dns/dns_world.h"
#include "tests/unit/dns/fake_tcp.h"
#include "tests/unit/dns/test_platform.h"

#define GOOGLE IPV4_ADDR(198, 51, 100, 10)

static struct dns_result res;

static void servers(int n)
{
	w_eth0.nif.dns[0] = W_S1;
	w_eth0.nif.dns[1] = W_S2;
	w_eth0.nif.dns_count = (uint8_t)n;
	world.servers[0].addr = W_S1;
	world.servers[1].addr = W_S2;
}

static void answers(int i, const uint8_t *tmpl, size_t len)
{
	world.servers[i].mode = W_ANSWER;
	world.servers[i].tmpl = tmpl;
	world.servers[i].tmpl_len = len;
}

static void test_resolve_one_server(void)
{
	world_setup();
	servers(1);
	answers(0, r_www_google, sizeof r_www_google);
	world.servers[0].delay_ms = 7;
	CHECK_EQ_INT(dns_resolve("www.google.com", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_OK);
	CHECK_EQ_INT(res.naddrs, 1);
	CHECK_EQ_INT(res.addrs[0], GOOGLE);
	CHECK_EQ_STR(res.names[0], "www.google.com");
	CHECK_EQ_INT(res.nnames, 1);
	CHECK_EQ_INT(res.server, W_S1);
	CHECK_EQ_INT(res.queries, 1);
	CHECK_EQ_INT(res.ttl, 300);
	CHECK_EQ_INT(res.elapsed_ms, 7);
	CHECK(!res.from_cache && !res.literal && !res.via_tcp);
	CHECK_EQ_INT(world.nlog, 1);
	CHECK_EQ_INT(world.log[0].dst, W_S1);
	CHECK_EQ_STR(world.log[0].qname, "www.google.com");
	CHECK_EQ_INT(world.log[0].qtype, 1);
	CHECK_EQ_INT(world.log[0].id, res.id);
	CHECK(world.log[0].sport >= 49152);
	CHECK(world_teardown());
}

static void test_retry_to_second_server(void)
{
	/* S1 is silent: after 1 s, S2 is asked, from another port with
	 * another ID, and answers. */
	world_setup();
	servers(2);
	answers(1, r_www_google, sizeof r_www_google);
	CHECK_EQ_INT(dns_resolve("www.google.com", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_OK);
	CHECK_EQ_INT(res.server, W_S2);
	CHECK_EQ_INT(res.queries, 2);
	CHECK_EQ_INT(res.elapsed_ms, 1000);
	CHECK_EQ_INT(world.nlog, 2);
	CHECK_EQ_INT(world.log[0].dst, W_S1);
	CHECK_EQ_INT(world.log[0].at, W_T0);
	CHECK_EQ_INT(world.log[1].dst, W_S2);
	CHECK_EQ_INT(world.log[1].at, W_T0 + 1000);
	CHECK(world.log[0].id != world.log[1].id);
	CHECK(world.log[0].sport != world.log[1].sport);
	CHECK(world_teardown());
}

static void test_silent_servers_time_out(void)
{
	/* One server: queries at 0 and 1 s, given up at 3 s. */
	world_setup();
	servers(1);
	CHECK_EQ_INT(dns_resolve("www.google.com", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_ETIMEDOUT);
	CHECK_EQ_INT(res.elapsed_ms, 3000);
	CHECK_EQ_INT(world.nlog, 2);
	CHECK_EQ_INT(world.log[1].at, W_T0 + 1000);
	CHECK(world_teardown());

	/* Two: 0, 1, 2, 4 s; given up at 6 s. */
	world_setup();
	servers(2);
	CHECK_EQ_INT(dns_resolve("www.google.com", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_ETIMEDOUT);
	CHECK_EQ_INT(res.elapsed_ms, 6000);
	CHECK_EQ_INT(world.nlog, 4);
	static const uint64_t at[] = { 0, 1000, 2000, 4000 };
	static const uint32_t to[] = { W_S1, W_S2, W_S1, W_S2 };
	for (int i = 0; i < 4; i++) {
		CHECK_EQ_INT(world.log[i].at, W_T0 + at[i]);
		CHECK_EQ_INT(world.log[i].dst, to[i]);
	}
	CHECK(world_teardown());

	/* The caller's limit comes first. */
	world_setup();
	servers(2);
	CHECK_EQ_INT(dns_resolve("www.google.com", &res, 1500), DNS_ETIMEDOUT);
	CHECK_EQ_INT(res.elapsed_ms, 1500);
	CHECK(world_teardown());
}

static void test_forgeries_ignored(void)
{
	/* Just before the answer: wrong ID, wrong question, wrong address,
	 * wrong port, a runt. Each is dropped; the answer still counts. */
	world_setup();
	servers(1);
	answers(0, r_www_google, sizeof r_www_google);
	world.servers[0].delay_ms = 20;
	world.servers[0].spoof_first = true;
	CHECK_EQ_INT(dns_resolve("www.google.com", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_OK);
	CHECK_EQ_INT(res.addrs[0], GOOGLE);
	CHECK_EQ_INT(res.elapsed_ms, 20);
	CHECK_EQ_INT(dns_stats.drop_id, 1);
	CHECK_EQ_INT(dns_stats.drop_question, 1);
	CHECK_EQ_INT(dns_stats.drop_short, 1);
	/* Wrong address or port never reach us: the connected socket's UDP
	 * filter drops them (and answers port unreachable). */
	CHECK_EQ_INT(dns_stats.answers, 1);
	CHECK(world_teardown());
}

static void test_icmp_unreachable_moves_on(void)
{
	world_setup();
	servers(2);
	world.servers[0].mode = W_UNREACH;
	world.servers[0].delay_ms = 3;
	answers(1, r_www_google, sizeof r_www_google);
	CHECK_EQ_INT(dns_resolve("www.google.com", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_OK);
	CHECK_EQ_INT(res.server, W_S2);
	CHECK_EQ_INT(world.nlog, 2);
	CHECK_EQ_INT(world.log[1].at, W_T0 + 3);   /* at once, not after 1 s */
	CHECK(world_teardown());

	world_setup();
	servers(1);
	world.servers[0].mode = W_UNREACH;
	CHECK_EQ_INT(dns_resolve("www.google.com", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_EUNREACH);
	CHECK_EQ_INT(res.net_err, NET_EPORTUNREACH);
	CHECK(world_teardown());
}

static void test_cname_chain(void)
{
	world_setup();
	servers(1);
	answers(0, r_cname_chain, sizeof r_cname_chain);
	CHECK_EQ_INT(dns_resolve("www.example.test", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_OK);
	CHECK_EQ_INT(res.nnames, 3);
	CHECK_EQ_STR(res.names[1], "alias1.example.test");
	CHECK_EQ_STR(res.names[2], "web.example.test");
	CHECK_EQ_INT(res.addrs[0], IPV4_ADDR(198, 51, 100, 11));
	/* From the cache, the same chain. */
	CHECK_EQ_INT(dns_resolve("www.example.test", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_OK);
	CHECK(res.from_cache);
	CHECK_EQ_INT(res.nnames, 3);
	CHECK_EQ_STR(res.names[2], "web.example.test");
	CHECK_EQ_INT(world.nlog, 1);
	CHECK(world_teardown());
}

static void test_cache_ttl_on_the_clock(void)
{
	static uint8_t short_ttl[sizeof r_www_google];
	memcpy(short_ttl, r_www_google, sizeof short_ttl);
	be32_put(short_ttl + 38, 2);    /* TTL 2 s */

	world_setup();
	servers(1);
	answers(0, short_ttl, sizeof short_ttl);
	CHECK_EQ_INT(dns_resolve("www.google.com", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_OK);
	CHECK_EQ_INT(res.ttl, 2);
	tp_clock_advance(1000);
	CHECK_EQ_INT(dns_resolve("WWW.GOOGLE.COM.", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_OK);
	CHECK(res.from_cache);
	CHECK_EQ_INT(res.ttl, 1);
	CHECK_EQ_INT(res.addrs[0], GOOGLE);
	CHECK_EQ_INT(world.nlog, 1);
	tp_clock_advance(1000);         /* expired */
	CHECK_EQ_INT(dns_resolve("www.google.com", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_OK);
	CHECK(!res.from_cache);
	CHECK_EQ_INT(world.nlog, 2);
	CHECK_EQ_INT(dns_stats.cache_hits, 1);
	/* dns -f */
	CHECK_EQ_INT(dns_cache_flush(), 1);
	CHECK_EQ_INT(dns_resolve("www.google.com", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_OK);
	CHECK_EQ_INT(world.nlog, 3);
	CHECK(world_teardown());
}

static void test_negative_cache(void)
{
	world_setup();
	servers(1);
	answers(0, r_nxdomain, sizeof r_nxdomain);
	CHECK_EQ_INT(dns_resolve("nx.example.test", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_ENXDOMAIN);
	CHECK_EQ_INT(res.rcode, 3);
	CHECK_EQ_INT(dns_resolve("nx.example.test", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_ENXDOMAIN);
	CHECK(res.from_cache);
	CHECK_EQ_INT(res.rcode, 3);
	CHECK_EQ_INT(world.nlog, 1);
	tp_clock_advance(DNS_NEG_TTL_DEFAULT * 1000);
	CHECK_EQ_INT(dns_resolve("nx.example.test", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_ENXDOMAIN);
	CHECK_EQ_INT(world.nlog, 2);
	CHECK(world_teardown());
}

static void test_server_failure(void)
{
	world_setup();
	servers(2);
	world.servers[0].mode = W_ECHO;
	world.servers[0].flags = 0x8182;   /* SERVFAIL */
	world.servers[1].mode = W_ECHO;
	world.servers[1].flags = 0x8182;
	CHECK_EQ_INT(dns_resolve("www.google.com", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_ESERVFAIL);
	CHECK_EQ_INT(res.rcode, 2);
	CHECK_EQ_INT(world.nlog, 2);
	CHECK_EQ_INT(res.elapsed_ms, 0);
	CHECK(world_teardown());
}

/* The TCP peer: when the whole length-prefixed query is in, answer it
 * with the recorded answer under its ID, and close. */
static void tcp_server(struct tcp_conn *c, void *ctx)
{
	(void)ctx;
	if (c->sent_len < 2 || c->sent_len < 2u + be16_get(c->sent))
		return;
	uint8_t out[2 + sizeof r_www_google];
	be16_put(out, sizeof r_www_google);
	memcpy(out + 2, r_www_google, sizeof r_www_google);
	memcpy(out + 2, c->sent + 2, 2);   /* the query's ID */
	fake_tcp_deliver(c, out, sizeof out, true);
}

static void test_truncated_retried_over_tcp(void)
{
	world_setup();
	servers(1);
	answers(0, r_www_google, sizeof r_www_google);
	world.servers[0].flags = 0x0200;  /* TC */
	fake_tcp.on_connect = FAKE_TCP_ACCEPT;
	fake_tcp.on_send = tcp_server;
	CHECK_EQ_INT(dns_resolve("www.google.com", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_OK);
	CHECK(res.via_tcp);
	CHECK_EQ_INT(res.addrs[0], GOOGLE);
	CHECK_EQ_INT(fake_tcp.connects, 1);
	CHECK_EQ_INT(fake_tcp.last ? 1 : 0, 1);
	CHECK_EQ_INT(dns_stats.tcp_queries, 1);
	CHECK(world_teardown());

	/* No TCP to be had: the clear error. */
	world_setup();
	servers(1);
	answers(0, r_www_google, sizeof r_www_google);
	world.servers[0].flags = 0x0200;
	fake_tcp.on_connect = FAKE_TCP_REFUSE;
	CHECK_EQ_INT(dns_resolve("www.google.com", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_ETRUNCATED);
	CHECK_EQ_INT(res.net_err, NET_ECONNREFUSED);
	CHECK_EQ_STR(dns_strerror(DNS_ETRUNCATED), "truncated answer; TCP fallback unavailable");
	CHECK(world_teardown());
}

static void test_names_that_skip_dns(void)
{
	world_setup();       /* and no servers at all */
	CHECK_EQ_INT(dns_resolve("198.51.100.7", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_OK);
	CHECK(res.literal);
	CHECK_EQ_INT(res.addrs[0], IPV4_ADDR(198, 51, 100, 7));
	CHECK_EQ_INT(dns_resolve("www.google.com", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_ENOSERVERS);
	CHECK_EQ_INT(dns_resolve("a..b", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_EBADNAME);
	CHECK_EQ_INT(dns_resolve("", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_EBADNAME);
	CHECK_EQ_INT(world.nlog, 0);
	CHECK(world_teardown());
}

static void test_trailing_dot_and_single_label(void)
{
	world_setup();
	servers(1);
	answers(0, r_www_google, sizeof r_www_google);
	CHECK_EQ_INT(dns_resolve("www.google.com.", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_OK);
	CHECK_EQ_STR(res.names[0], "www.google.com");
	CHECK_EQ_STR(world.log[0].qname, "www.google.com");

	/* One label: asked as it is, no search list appended. */
	world.servers[0].mode = W_ECHO;
	world.servers[0].flags = 0x8183;
	CHECK_EQ_INT(dns_resolve("pigeon", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_ENXDOMAIN);
	CHECK_EQ_INT(world.nlog, 2);
	CHECK_EQ_STR(world.log[1].qname, "pigeon");
	CHECK(world_teardown());
}

static void test_ctrl_c(void)
{
	world_setup();
	servers(1);
	tp_interrupt_after(4);
	CHECK_EQ_INT(dns_resolve("www.google.com", &res, DNS_RESOLVE_TIMEOUT_MS), DNS_EINTR);
	CHECK(res.elapsed_ms <= 300);   /* the socket wakes every 100 ms to look */
	CHECK(world_teardown());
}

static void test_strerror(void)
{
	CHECK_EQ_STR(dns_strerror(DNS_ENXDOMAIN), "name does not exist (NXDOMAIN)");
	CHECK_EQ_STR(dns_strerror(DNS_ETIMEDOUT), "timed out; no servers could be reached");
	CHECK_EQ_STR(dns_strerror(1), "unknown error");
	CHECK_EQ_STR(dns_strerror(-99), "unknown error");
}

int main(void)
{
	check_suite = "dns_resolve";
	RUN(test_resolve_one_server);
	RUN(test_retry_to_second_server);
	RUN(test_silent_servers_time_out);
	RUN(test_forgeries_ignored);
	RUN(test_icmp_unreachable_moves_on);
	RUN(test_cname_chain);
	RUN(test_cache_ttl_on_the_clock);
	RUN(test_negative_cache);
	RUN(test_server_failure);
	RUN(test_truncated_retried_over_tcp);
	RUN(test_names_that_skip_dns);
	RUN(test_trailing_dot_and_single_label);
	RUN(test_ctrl_c);
	RUN(test_strerror);
	return check_report();
}
