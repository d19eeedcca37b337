/* IPv4 reassembly: the good cases (in order, out of order, last first,
 * duplicates, subsets), the attacks (overlap, teardrop, ping of death,
 * exhaustion) and the timeout with its ICMP time exceeded. */
#include "tests/unit/net/net_fixture.h"

static uint8_t dgram[20000];

static void fill(size_t len)
{
	for (size_t i = 0; i < len; i++)
		dgram[i] = (uint8_t)(i * 13 + i / 256);
}

/* Inject bytes [off, off+len) of dgram as a UDP fragment of datagram id. */
static void frag(uint16_t id, size_t off, size_t len, bool more)
{
	uint16_t ff = (uint16_t)(off / 8) | (more ? IPV4_FLAG_MF : 0);
	fx_inject_ipv4(GW_IP, OUR_IP, IPV4_PROTO_UDP, id, ff, dgram + off, len);
}

static void check_idle(void)
{
	uint32_t d, n;

	ipv4_reasm_usage(&d, &n);
	CHECK_EQ_INT(d, 0);
	CHECK_EQ_INT(n, 0);
}

static void test_in_order(void)
{
	fx_setup();
	fill(3000);
	frag(1, 0, 1480, true);
	frag(1, 1480, 1480, true);
	CHECK_EQ_INT(stub_udp.inputs, 0);
	frag(1, 2960, 40, false);
	CHECK_EQ_INT(stub_udp.inputs, 1);
	CHECK_EQ_INT(stub_udp.last_len, 3000);
	CHECK_EQ_MEM(stub_udp.last_data, dgram, 64);
	CHECK_EQ_INT(ipv4_reasm_stats.completed, 1);
	check_idle();
	fx_teardown();
}

static void test_out_of_order_and_last_first(void)
{
	fx_setup();
	fill(3000);
	frag(2, 1480, 1480, true);
	frag(2, 0, 1480, true);
	frag(2, 2960, 40, false);
	CHECK_EQ_INT(stub_udp.inputs, 1);
	frag(3, 2960, 40, false);  /* the final fragment first */
	frag(3, 1480, 1480, true);
	CHECK_EQ_INT(stub_udp.inputs, 1);
	frag(3, 0, 1480, true);
	CHECK_EQ_INT(stub_udp.inputs, 2);
	CHECK_EQ_INT(stub_udp.last_len, 3000);
	CHECK_EQ_MEM(stub_udp.last_data, dgram, 64);
	check_idle();
	fx_teardown();
}

static void test_duplicates_and_subsets_accepted(void)
{
	fx_setup();
	fill(3000);
	frag(4, 0, 1480, true);
	frag(4, 1480, 1480, true);
	frag(4, 1480, 1480, true);  /* the same again */
	frag(4, 8, 16, true);       /* a subset, same bytes */
	CHECK_EQ_INT(ipv4_reasm_stats.duplicates, 2);
	frag(4, 2960, 40, false);
	frag(4, 2960, 40, false);   /* after completion: starts anew, harmless */
	CHECK_EQ_INT(stub_udp.inputs, 1);
	CHECK_EQ_INT(stub_udp.last_len, 3000);
	fx_teardown();
}

/* gVisor's overlap set: 0-1000, 1512-2512, 1000-2000 (overlaps), 2000-3000. */
static void test_overlap_drops_datagram(void)
{
	fx_setup();
	fill(3000);
	frag(5, 0, 1000, true);
	frag(5, 1512, 1000, true);
	frag(5, 1000, 1000, true);
	CHECK_EQ_INT(ipv4_reasm_stats.overlaps, 1);
	frag(5, 2000, 1000, false);  /* the rest of it is dropped too */
	CHECK_EQ_INT(ipv4_reasm_stats.poisoned_drops, 1);
	CHECK_EQ_INT(stub_udp.inputs, 0);
	/* Same range, different bytes: also an overlap. */
	frag(6, 0, 1480, true);
	dgram[100] ^= 0xff;
	frag(6, 0, 1480, true);
	dgram[100] ^= 0xff;
	CHECK_EQ_INT(ipv4_reasm_stats.overlaps, 2);
	/* The next good datagram still works. */
	frag(7, 0, 1480, true);
	frag(7, 1480, 8, false);
	CHECK_EQ_INT(stub_udp.inputs, 1);
	CHECK_EQ_INT(stub_udp.last_len, 1488);
	/* Poisoned keys expire with their deadline. */
	fake_clock_advance(IPV4_REASM_TIMEOUT_MS);
	ipv4_reasm_tick(sys_now_ms());
	CHECK_EQ_INT(fx_tx_pending(), 0);  /* no time exceeded for dropped ones */
	check_idle();
	fx_teardown();
}

/* Teardrop: the second fragment lies inside the first and ends earlier. */
static void test_teardrop(void)
{
	fx_setup();
	fill(64);
	frag(8, 0, 24, true);
	frag(8, 16, 4, false);
	CHECK_EQ_INT(ipv4_reasm_stats.inconsistent, 1);
	CHECK_EQ_INT(stub_udp.inputs, 0);
	frag(9, 16, 8, true);
	frag(9, 8, 4, false);   /* a last fragment ending before held data */
	CHECK_EQ_INT(ipv4_reasm_stats.inconsistent, 2);
	frag(10, 8, 8, false);
	frag(10, 8, 16, true);  /* data beyond the known end */
	CHECK_EQ_INT(ipv4_reasm_stats.inconsistent, 3);
	CHECK_EQ_INT(stub_udp.inputs, 0);
	fx_teardown();
}

static void test_bad_fragment_lengths(void)
{
	fx_setup();
	fill(64);
	frag(11, 0, 20, true);  /* not a multiple of 8, yet more follow */
	frag(11, 24, 0, true);  /* empty */
	CHECK_EQ_INT(ipv4_reasm_stats.bad_frag_len, 2);
	check_idle();
	fx_teardown();
}

static void test_ping_of_death_and_too_big(void)
{
	fx_setup();
	fill(2000);
	/* Offset 65528 + 1480 bytes: far past 65535. */
	fx_inject_ipv4(GW_IP, OUR_IP, IPV4_PROTO_ICMP, 12, 8191, dgram, 1480);
	CHECK_EQ_INT(ipv4_reasm_stats.oversize, 1);
	frag(13, 0, 1480, true);
	fx_inject_ipv4(GW_IP, OUR_IP, IPV4_PROTO_UDP, 13, 8190, dgram, 16);  /* 65520 + 16 */
	CHECK_EQ_INT(ipv4_reasm_stats.oversize, 2);
	/* Legal for IP, but beyond what we reassemble. */
	frag(14, IPV4_REASM_MAX_SIZE, 8, false);
	CHECK_EQ_INT(ipv4_reasm_stats.too_big, 1);
	/* The largest we take. */
	fill(IPV4_REASM_MAX_SIZE - 20);
	for (size_t off = 0; off < IPV4_REASM_MAX_SIZE - 20; off += 1480) {
		size_t n = IPV4_REASM_MAX_SIZE - 20 - off;
		frag(15, off, n > 1480 ? 1480 : n, n > 1480);
	}
	CHECK_EQ_INT(stub_udp.inputs, 1);
	CHECK_EQ_INT(stub_udp.last_len, IPV4_REASM_MAX_SIZE - 20);
	fake_clock_advance(IPV4_REASM_TIMEOUT_MS);
	ipv4_reasm_tick(sys_now_ms());
	fake_link_flush(&eth0);
	check_idle();
	fx_teardown();
}

static void test_concurrency_and_fragment_bounds(void)
{
	fx_setup();
	fill(3000);
	for (uint16_t id = 100; id < 100 + IPV4_REASM_MAX_DATAGRAMS; id++)
		frag(id, 0, 8, true);
	frag(200, 0, 8, true);  /* one too many */
	CHECK_EQ_INT(ipv4_reasm_stats.table_full, 1);
	CHECK_EQ_INT(ipv4_reasm_stats.started, IPV4_REASM_MAX_DATAGRAMS);
	frag(100, 8, 8, false);  /* ones in progress still complete */
	CHECK_EQ_INT(stub_udp.inputs, 1);
	frag(200, 0, 8, true);   /* and free their slot */
	CHECK_EQ_INT(ipv4_reasm_stats.started, IPV4_REASM_MAX_DATAGRAMS + 1);
	/* Tiny fragments cannot pile up: 32 per datagram. */
	for (size_t i = 1; i <= IPV4_REASM_MAX_FRAGS; i++)
		frag(101, i * 16, 8, true);
	CHECK_EQ_INT(ipv4_reasm_stats.frags_full, 1);
	fx_teardown();
}

static void test_timeout_sends_time_exceeded(void)
{
	struct netbuf *nb;

	fx_setup();
	fx_learn(GW_IP, GW_MAC);
	fill(3000);
	frag(20, 0, 1480, true);
	frag(20, 1480, 1480, true);
	frag(21, 1480, 1480, true);  /* no first fragment: nothing to quote */
	CHECK_EQ_INT(ipv4_reasm_next_deadline(), FX_T0 + IPV4_REASM_TIMEOUT_MS);
	fake_clock_advance(IPV4_REASM_TIMEOUT_MS - 1);
	ipv4_reasm_tick(sys_now_ms());
	CHECK_EQ_INT(fx_tx_pending(), 0);
	fx_learn(GW_IP, GW_MAC);     /* a minute on: the gateway's entry kept fresh */
	fake_clock_advance(1);
	net_tick(sys_now_ms());
	CHECK_EQ_INT(ipv4_reasm_stats.timeouts, 2);
	nb = fx_pop();
	CHECK(nb != NULL);
	if (nb) {
		const uint8_t *ip = nb->data + ETH_HLEN, *icmp = ip + 20;
		CHECK_EQ_INT(be32_get(ip + IPV4_DST), GW_IP);
		CHECK_EQ_INT(icmp[0], ICMP_TIME_EXCEEDED);
		CHECK_EQ_INT(icmp[1], ICMP_TIMXCEED_REASS);
		CHECK_EQ_INT(be16_get(icmp + 8 + IPV4_ID), 20);
		CHECK_EQ_INT(be16_get(icmp + 8 + IPV4_FLAGS_FRAG), IPV4_FLAG_MF);  /* the first fragment */
		CHECK_EQ_MEM(icmp + 28, dgram, 8);
		CHECK_EQ_INT(be16_get(ip + IPV4_TOTAL_LEN), 20 + 8 + 20 + 8);
		netbuf_free(nb);
	}
	CHECK_EQ_INT(fx_tx_pending(), 0);
	check_idle();
	fx_teardown();
}

/* A 4000-byte ping: three fragments in, reassembled, answered, and the
 * answer fragmented on the way out. */
static void test_large_echo_in_and_out(void)
{
	static uint8_t icmp[8 + 4000], back[8 + 4000];
	struct netbuf *nb;
	size_t got = 0;
	int frags = 0;

	fx_setup();
	fx_learn(GW_IP, GW_MAC);
	for (size_t i = 0; i < 4000; i++)
		icmp[8 + i] = (uint8_t)(i ^ (i >> 8));
	fx_icmp(icmp, ICMP_ECHO_REQUEST, 0, 0xbeef0001, icmp + 8, 4000);
	memcpy(dgram, icmp, sizeof icmp);
	for (size_t off = 0; off < sizeof icmp; off += 1480) {
		size_t n = sizeof icmp - off > 1480 ? 1480 : sizeof icmp - off;
		uint16_t ff = (uint16_t)(off / 8) | (off + n < sizeof icmp ? IPV4_FLAG_MF : 0);
		fx_inject_ipv4(GW_IP, OUR_IP, IPV4_PROTO_ICMP, 0x4000, ff, dgram + off, n);
	}
	CHECK_EQ_INT(icmp_stats.tx_echo_replies, 1);
	while ((nb = fx_pop())) {
		const uint8_t *ip = nb->data + ETH_HLEN;
		uint16_t ff = be16_get(ip + IPV4_FLAGS_FRAG);
		size_t off = (size_t)(ff & IPV4_FRAG_MASK) * 8, n = be16_get(ip + IPV4_TOTAL_LEN) - 20u;

		CHECK_EQ_MEM(nb->data, GW_MAC, 6);
		CHECK_EQ_INT(be32_get(ip + IPV4_DST), GW_IP);
		if (off + n <= sizeof back)
			memcpy(back + off, ip + 20, n);
		got += n;
		frags++;
		netbuf_free(nb);
	}
	CHECK_EQ_INT(frags, 3);
	CHECK_EQ_INT(got, sizeof back);
	CHECK_EQ_INT(back[0], ICMP_ECHO_REPLY);
	CHECK_EQ_INT(csum_compute(back, sizeof back), 0);
	CHECK_EQ_MEM(back + 4, icmp + 4, sizeof icmp - 4);  /* id, seq and all data */
	check_idle();
	fx_teardown();
}

int main(void)
{
	check_suite = "net.reasm";
	RUN(test_in_order);
	RUN(test_out_of_order_and_last_first);
	RUN(test_duplicates_and_subsets_accepted);
	RUN(test_overlap_drops_datagram);
	RUN(test_teardrop);
	RUN(test_bad_fragment_lengths);
	RUN(test_ping_of_death_and_too_big);
	RUN(test_concurrency_and_fragment_bounds);
	RUN(test_timeout_sends_time_exceeded);
	RUN(test_large_echo_in_and_out);
	return check_report();
}
