/* Reverse lookups: the in-addr.arpa name for an address, the PTR query on
 * the wire, and the query state machine taking a PTR answer (and refusing
 * what is not one), from annotated bytes. */
#include <string.h>

#include "net/dns.h"
#include "net/dns_cache.h"
#include "net/dns_query.h"
#include "net/ipv4.h"
#include "net/wire.h"
#include "tests/unit/check.h"
#include "tests/unit/dns/test_platform.h"

#define SERVER IPV4_ADDR(192, 0, 2, 1)
#define T0 7000000u
#define PORT 50002

/* The question: 10.100.51.198.in-addr.arpa PTR IN, ID 0x1234. */
#define PTR_QNAME                                                   \
	0x02, '1', '0', 0x03, '1', '0', '0', 0x02, '5', '1',        \
	0x03, '1', '9', '8', 0x07, 'i', 'n', '-', 'a', 'd', 'd', 'r', \
	0x04, 'a', 'r', 'p', 'a', 0x00

static const uint8_t q_ptr[] = {
	0x12, 0x34,             /* ID */
	0x01, 0x00,             /* flags: RD */
	0x00, 0x01,             /* QDCOUNT 1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* AN, NS, AR: 0 */
	PTR_QNAME,              /* @12, 28 octets */
	0x00, 0x0c,             /* QTYPE PTR */
	0x00, 0x01,             /* QCLASS IN */
};

/* The answer: the name points to www.google.com, TTL 3600. */
static const uint8_t r_ptr[] = {
	0x12, 0x34,             /* ID */
	0x85, 0x80,             /* QR AA RD RA, NOERROR */
	0x00, 0x01, 0x00, 0x01, /* QD 1, AN 1 */
	0x00, 0x00, 0x00, 0x00, /* NS 0, AR 0 */
	PTR_QNAME,
	0x00, 0x0c, 0x00, 0x01, /* PTR IN */
	0xc0, 0x0c,             /* @44 owner: pointer to the question's name */
	0x00, 0x0c, 0x00, 0x01, /* PTR IN */
	0x00, 0x00, 0x0e, 0x10, /* TTL 3600 */
	0x00, 0x10,             /* RDLENGTH 16 */
	0x03, 'w', 'w', 'w', 0x06, 'g', 'o', 'o', 'g', 'l', 'e', 0x03, 'c', 'o', 'm', 0x00,
};

/* The same name, NXDOMAIN, no records. */
static const uint8_t r_ptr_nx[] = {
	0x12, 0x34,
	0x85, 0x83,             /* QR AA RD RA, NXDOMAIN */
	0x00, 0x01, 0x00, 0x00, /* QD 1, AN 0 */
	0x00, 0x00, 0x00, 0x00,
	PTR_QNAME,
	0x00, 0x0c, 0x00, 0x01,
};

/* NOERROR with an A record where the PTR should be: no name. */
static const uint8_t r_ptr_wrong_type[] = {
	0x12, 0x34, 0x85, 0x80,
	0x00, 0x01, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00,
	PTR_QNAME,
	0x00, 0x0c, 0x00, 0x01,
	0xc0, 0x0c,
	0x00, 0x01, 0x00, 0x01, /* A IN */
	0x00, 0x00, 0x0e, 0x10,
	0x00, 0x04, 0xc6, 0x33, 0x64, 0x0a,
};

static struct dns_query q;
static uint8_t buf[512];

static void setup(void)
{
	const uint32_t servers[] = { SERVER };
	char text[DNS_PTR_QNAME_MAX];
	struct dns_name n;

	tp_clock_set(T0);
	tp_random_seed(11);
	dns_cache_flush();
	memset(&dns_stats, 0, sizeof dns_stats);
	dns_ptr_qname(IPV4_ADDR(198, 51, 100, 10), text, sizeof text);
	CHECK_EQ_INT(dns_name_from_text(text, &n), DNS_WIRE_OK);
	dns_query_start(&q, &n, DNS_TYPE_PTR, servers, 1, T0);
	CHECK_EQ_INT(dns_query_poll(&q, T0), DNS_QS_SEND);
	dns_query_sent(&q, PORT, T0);
}

static enum dns_input give(const uint8_t *m, size_t len)
{
	memcpy(buf, m, len);
	be16_put(buf + DNS_ID, q.id);
	return dns_query_input(&q, buf, len, SERVER, DNS_PORT, PORT, false, T0 + 3);
}

static void test_qname(void)
{
	char text[DNS_PTR_QNAME_MAX];

	dns_ptr_qname(IPV4_ADDR(198, 51, 100, 10), text, sizeof text);
	CHECK_EQ_STR(text, "10.100.51.198.in-addr.arpa");
	dns_ptr_qname(IPV4_ADDR(255, 255, 255, 255), text, sizeof text);
	CHECK_EQ_STR(text, "255.255.255.255.in-addr.arpa");
	CHECK_EQ_INT(strlen(text) + 1, DNS_PTR_QNAME_MAX);
	dns_ptr_qname(IPV4_ADDR(0, 0, 0, 1), text, sizeof text);
	CHECK_EQ_STR(text, "1.0.0.0.in-addr.arpa");
}

static void test_query_on_the_wire(void)
{
	setup();
	CHECK_EQ_INT(q.msg_len, sizeof q_ptr);
	CHECK_EQ_MEM(q.msg + 2, q_ptr + 2, sizeof q_ptr - 2);
	CHECK_EQ_STR(q.res.names[0], "10.100.51.198.in-addr.arpa");
}

static void count_entry(const struct dns_cache_info *e, void *ctx)
{
	(void)e;
	(void)ctx;
}

static void test_answer_accepted(void)
{
	setup();
	CHECK_EQ_INT(give(r_ptr, sizeof r_ptr), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.state, DNS_QS_DONE);
	CHECK_EQ_INT(q.status, DNS_OK);
	CHECK_EQ_STR(q.res.ptr, "www.google.com");
	CHECK_EQ_INT(q.res.ttl, 3600);
	CHECK_EQ_INT(q.res.naddrs, 0);
	CHECK_EQ_INT(q.res.server, SERVER);
	/* Not cached as if it were an A RRset. */
	CHECK_EQ_INT(dns_cache_foreach(count_entry, NULL, T0 + 4), 0);
}

static void test_nxdomain(void)
{
	setup();
	CHECK_EQ_INT(give(r_ptr_nx, sizeof r_ptr_nx), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.status, DNS_ENXDOMAIN);
	CHECK_EQ_STR(q.res.ptr, "");
}

static void test_wrong_type_is_nodata(void)
{
	setup();
	CHECK_EQ_INT(give(r_ptr_wrong_type, sizeof r_ptr_wrong_type), DNS_IN_ACCEPTED);
	CHECK_EQ_INT(q.status, DNS_ENODATA);
	CHECK_EQ_STR(q.res.ptr, "");
}

static void test_a_question_dropped(void)
{
	/* An answer whose question asks type A is not the answer to ours. */
	setup();
	memcpy(buf, r_ptr, sizeof r_ptr);
	be16_put(buf + DNS_ID, q.id);
	be16_put(buf + DNS_HLEN + 28 + DNS_Q_TYPE, DNS_TYPE_A);
	CHECK_EQ_INT(dns_query_input(&q, buf, sizeof r_ptr, SERVER, DNS_PORT, PORT, false, T0 + 3),
		     DNS_IN_DROP_QUESTION);
	CHECK_EQ_INT(q.state, DNS_QS_WAIT);
}

static void test_rdlength_lies(void)
{
	/* RDLENGTH one short of the target name: malformed, server failed. */
	setup();
	memcpy(buf, r_ptr, sizeof r_ptr);
	be16_put(buf + DNS_ID, q.id);
	be16_put(buf + 44 + 2 + DNS_RR_RDLENGTH, 15);
	CHECK_EQ_INT(dns_query_input(&q, buf, sizeof r_ptr, SERVER, DNS_PORT, PORT, false, T0 + 3),
		     DNS_IN_SERVER_ERROR);
	CHECK_EQ_STR(q.res.ptr, "");
	CHECK(q.state == DNS_QS_DONE && q.status == DNS_EMALFORMED);
}

int main(void)
{
	check_suite = "dns_ptr";
	RUN(test_qname);
	RUN(test_query_on_the_wire);
	RUN(test_answer_accepted);
	RUN(test_nxdomain);
	RUN(test_wrong_type_is_nodata);
	RUN(test_a_question_dropped);
	RUN(test_rdlength_lies);
	return check_report();
}
