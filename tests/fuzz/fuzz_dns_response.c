/* Fuzz target dns_response: DNS responses through the message parser
 * (dns_msg_parse: names, compression pointers, record lengths) and the
 * resolver's query state machine (dns_query_input: RFC 5452 acceptance,
 * CNAME chains and chases, negative answers, truncation to TCP, the
 * cache). The NAME:WRECK and AMNESIA:33 bug classes live here.
 *
 * Checks: every parsed name is well-formed wire form (labels of at most
 * 63 octets adding up to its length, root last) that prints; the query
 * always ends (DONE) within its schedule, whatever the answers; results
 * stay within their arrays and are NUL-terminated strings.
 *
 * Input:
 *   u8 ctl   bit 0: write the query's ID into each message (so the
 *                   fuzzer need not guess it)
 *            bit 1: the first message comes from another address
 *            bits 2-3: the name asked: www.google.com, www.example.test,
 *                   multi.example.test, nx.example.test
 *   then messages, each u16 length and that many bytes, one per step
 *   (over TCP when the query asked for it). */
#include <string.h>

#include "net/dns_cache.h"
#include "net/dns_query.h"
#include "net/dns_wire.h"
#include "net/err.h"
#include "net/wire.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/unit/net/fake_sys.h"

#define DNS_SERVER_IP 0x0a000203u /* 10.0.2.3 */
#define DNS_OTHER_IP 0x0a000204u

enum {
	DNS_MSGS_MAX = 24,
	DNS_STEP_MS = 7,
	DNS_FINISH_STEPS_MAX = 64,
	DNS_FIRST_PORT = 49152,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const struct dns_name *n)
{
	char text[4 * DNS_NAME_MAX + 8];
	size_t i = 0;

	FUZZ_ASSERT(n->len >= 1 && n->len <= DNS_NAME_MAX);
	while (n->wire[i] != 0) {
		FUZZ_ASSERT(n->wire[i] <= DNS_LABEL_MAX);
		i += 1u + n->wire[i];
		FUZZ_ASSERT(i < n->len);
	}
	FUZZ_ASSERT(i + 1 == n->len);
	FUZZ_ASSERT(dns_name_to_text(n, text, sizeof text) >= 0);
}

static void check_msg(const struct dns_msg *m)
{
	FUZZ_ASSERT(m->an_kept <= DNS_MSG_AN_MAX && m->ns_kept <= DNS_MSG_NS_MAX);
	if (m->hdr.qdcount == 1)
		check_name(&m->q.name);
	for (unsigned i = 0; i < m->an_kept; i++) {
		check_name(&m->an[i].name);
		if (m->an[i].type == DNS_TYPE_CNAME)
			check_name(&m->an[i].rd.target);
	}
	for (unsigned i = 0; i < m->ns_kept; i++)
		check_name(&m->ns[i].name);
}

static void check_result(const struct dns_query *q)
{
	FUZZ_ASSERT(q->res.nnames >= 1 && q->res.nnames <= DNS_CHAIN_MAX + 1);
	FUZZ_ASSERT(q->res.naddrs <= DNS_ADDRS_MAX);
	for (unsigned i = 0; i < q->res.nnames; i++)
		FUZZ_ASSERT(memchr(q->res.names[i], 0, DNS_NAME_TEXT_MAX) != NULL);
	if (q->status == DNS_OK)
		FUZZ_ASSERT(q->res.naddrs > 0);
}

/* Do what the query asks until it waits for a message (or is done). */
static enum dns_query_state dns_step(struct dns_query *q, uint64_t now)
{
	enum dns_query_state st = dns_query_poll(q, now);
	if (st == DNS_QS_SEND) {
		dns_query_sent(q, (uint16_t)(DNS_FIRST_PORT + q->attempt), now);
		st = q->state;
	}
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[4] = { "www.google.com", "www.example.test", "multi.example.test",
					      "nx.example.test" };
	static struct dns_query q;  /* large: off the stack */
	static struct dns_msg m;
	static const uint32_t servers[2] = { DNS_SERVER_IP, 0x0a000201u };
	struct fuzz_in in = { data, size };
	struct dns_name qname;
	uint8_t msg[65535];
	uint64_t now = 5000000;

	fake_clock_set(now);
	fake_random_seed(0xd45);
	dns_cache_flush();
	uint8_t ctl = fuzz_u8(&in);
	FUZZ_ASSERT(dns_name_from_text(names[(ctl >> 2) & 3], &qname) == DNS_WIRE_OK);
	dns_query_start(&q, &qname, DNS_TYPE_A, servers, 2, now);

	for (int i = 0; i < DNS_MSGS_MAX && in.n >= 2; i++) {
		size_t len = fuzz_u16(&in), got;
		const uint8_t *p = fuzz_bytes(&in, len, &got);
		memcpy(msg, p, got);
		if (dns_msg_parse(msg, got, &m) == DNS_WIRE_OK)
			check_msg(&m);
		enum dns_query_state st = dns_step(&q, now);
		if (st == DNS_QS_DONE)
			break;
		if ((ctl & 1) && got >= 2)
			be16_put(msg + DNS_ID, q.id);
		uint32_t src = (i == 0 && (ctl & 2)) ? DNS_OTHER_IP : q.server;
		dns_query_input(&q, msg, got, src, DNS_PORT, q.port, st == DNS_QS_TCP, now);
		if (q.state == DNS_QS_TCP && st == DNS_QS_TCP)
			dns_query_failed(&q, NET_ECONNRESET, now); /* one answer per TCP connection */
		now += DNS_STEP_MS;
		fake_clock_set(now);
	}
	/* Silence from here on: the schedule must run out. */
	for (int i = 0; q.state != DNS_QS_DONE; i++) {
		FUZZ_ASSERT(i < DNS_FINISH_STEPS_MAX);
		if (dns_step(&q, now) == DNS_QS_TCP)
			dns_query_failed(&q, NET_ECONNREFUSED, now);
		if (q.state == DNS_QS_WAIT)
			now = q.deadline;
		fake_clock_set(now);
	}
	check_result(&q);
	dns_cache_flush();
	return 0;
}
