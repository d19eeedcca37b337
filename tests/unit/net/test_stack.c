/* The stack as a whole: the timer table and deadlines, loopback delivery
 * order, the counter table the shell prints. */
#include "tests/unit/net/net_fixture.h"

static int ticks_a, ticks_b;
static uint64_t deadline_a = UINT64_MAX;

static void tick_a(uint64_t now)
{
	(void)now;
	ticks_a++;
	deadline_a = UINT64_MAX;
}
static uint64_t next_a(void) { return deadline_a; }
static void tick_b(uint64_t now) { (void)now; ticks_b++; }

static void test_timers_and_deadlines(void)
{
	fx_setup();
	CHECK_EQ_INT(net_next_deadline(), UINT64_MAX);  /* idle: sleep until an interrupt */
	CHECK_EQ_INT(net_timer_register("a", tick_a, next_a), 0);
	deadline_a = FX_T0 + 500;
	CHECK_EQ_INT(net_next_deadline(), FX_T0 + 500);
	fx_learn(PEER_IP, PEER_MAC);
	CHECK_EQ_INT(net_next_deadline(), FX_T0 + 500);  /* earlier than ARP's */
	net_tick(FX_T0 + 499);
	CHECK_EQ_INT(ticks_a, 0);
	net_tick(FX_T0 + 500);
	CHECK_EQ_INT(ticks_a, 1);
	CHECK_EQ_INT(net_next_deadline(), FX_T0 + ARP_REACHABLE_MS);
	/* Registering again replaces; a NULL deadline means every tick. */
	CHECK_EQ_INT(net_timer_register("a", tick_a, next_a), 0);
	CHECK_EQ_INT(net_timer_register("b", tick_b, NULL), 0);
	CHECK_EQ_INT(net_next_deadline(), 0);
	net_tick(FX_T0 + 600);
	net_tick(FX_T0 + 700);
	CHECK_EQ_INT(ticks_b, 2);
	for (int i = 0; i < NET_TIMERS_MAX; i++)
		net_timer_register("filler", (net_tick_fn)(uintptr_t)(0x1000 + i), next_a);
	CHECK_EQ_INT(net_timer_register("late", (net_tick_fn)(uintptr_t)0x9999, next_a), -1);
	for (int i = 0; i < NET_TIMERS_MAX; i++)
		net_timer_unregister((net_tick_fn)(uintptr_t)(0x1000 + i));
	net_timer_unregister(tick_a);
	net_timer_unregister(tick_b);
	net_timer_unregister(tick_b);  /* absent: nothing happens */
	net_tick(FX_T0 + 800);
	CHECK_EQ_INT(ticks_b, 2);
	CHECK_EQ_INT(ticks_a, 1);
	CHECK_EQ_INT(net_timer_register("a", tick_a, next_a), 0);  /* room again */
	net_timer_unregister(tick_a);
	fx_teardown();
}

static void test_counter_table(void)
{
	static uint64_t udp_rx = 5;
	static const struct net_counter udp_counters[] = { { "rx_datagrams", &udp_rx } };
	static const struct net_counter_group udp_group = { "udp", udp_counters, 1 };
	const struct net_counter_group *const *g;
	bool seen_ipv4 = false, seen_udp = false;
	size_t n;

	fx_setup();
	fake_link_inject(&eth0, (const uint8_t[14]){ 0 }, 14);
	CHECK_EQ_INT(net_counters_register(&udp_group), 0);
	CHECK_EQ_INT(net_counters_register(&udp_group), 0);  /* same name: replaced */
	g = net_counter_groups(&n);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < g[i]->count; j++) {
			const struct net_counter *c = &g[i]->counters[j];
			if (strcmp(g[i]->name, "eth") == 0 && strcmp(c->name, "rx_not_ours") == 0)
				CHECK_EQ_INT(*c->value, 1);
			if (strcmp(g[i]->name, "ipv4") == 0)
				seen_ipv4 = true;
			if (strcmp(g[i]->name, "udp") == 0) {
				seen_udp = true;
				CHECK_EQ_INT(*c->value, 5);
			}
		}
	}
	CHECK(seen_ipv4 && seen_udp);
	CHECK_EQ_INT(n, 6);
	fx_teardown();
}

static void test_loopback_queue(void)
{
	struct netif *lo;

	fx_setup();
	lo = loopback_netif();
	CHECK(lo != NULL && lo->is_loopback && lo->link_up);
	CHECK_EQ_INT(lo->ip, IPV4_ADDR(127, 0, 0, 1));
	CHECK(!loopback_pending());
	/* UDP to 127.0.0.1 comes back on the next tick, not before. */
	for (int i = 0; i < LOOPBACK_QUEUE + 3; i++) {
		struct netbuf *nb = netbuf_alloc();
		memset(netbuf_put(nb, 8), 0, 8);
		ipv4_output(nb, 0, IPV4_ADDR(127, 0, 0, 1), IPV4_PROTO_UDP, 0);
	}
	CHECK_EQ_INT(stub_udp.inputs, 0);
	CHECK(loopback_pending());
	CHECK(fake_kicks() > 0);  /* netd is asked to run */
	CHECK_EQ_INT(loopback_poll(), LOOPBACK_QUEUE);  /* the rest were dropped */
	CHECK_EQ_INT(stub_udp.inputs, LOOPBACK_QUEUE);
	CHECK_EQ_INT(stub_udp.last_src, IPV4_ADDR(127, 0, 0, 1));
	CHECK(!loopback_pending());
	CHECK_EQ_INT(lo->stats.tx_dropped, 3);
	fx_teardown();
}

/* Seed frames with random bytes flipped and random lengths, many times
 * over, with time moving: nothing may crash (ASan/UBSan watch) and every
 * netbuf must come back. A smoke test, not a fuzzer. */
static void test_mutation_smoke(void)
{
	static uint8_t seeds[4][1600];
	static const size_t seed_len[4] = { 60, 60, 1514, 60 };
	uint8_t f[1600];
	uint32_t rng = 1;

	fx_setup();
	fx_learn(GW_IP, GW_MAC);
	/* An ARP request, a UDP datagram, a first fragment, an echo request. */
	fx_eth(seeds[0], BCAST_MAC, PEER_MAC, ETH_P_ARP);
	memcpy(seeds[0] + 14, (const uint8_t[]){ 0, 1, 8, 0, 6, 4, 0, 1 }, 8);
	memcpy(seeds[0] + 22, PEER_MAC, 6);
	be32_put(seeds[0] + 28, PEER_IP);
	be32_put(seeds[0] + 38, OUR_IP);
	fx_eth(seeds[1], OUR_MAC, GW_MAC, ETH_P_IPV4);
	fx_ipv4(seeds[1] + 14, GW_IP, OUR_IP, IPV4_PROTO_UDP, 1, 0, 64, 8);
	fx_eth(seeds[2], OUR_MAC, GW_MAC, ETH_P_IPV4);
	fx_ipv4(seeds[2] + 14, GW_IP, OUR_IP, IPV4_PROTO_ICMP, 2, IPV4_FLAG_MF, 64, 1480);
	fx_eth(seeds[3], OUR_MAC, GW_MAC, ETH_P_IPV4);
	fx_ipv4(seeds[3] + 14, GW_IP, OUR_IP, IPV4_PROTO_ICMP, 3, 0, 64, 16);
	fx_icmp(seeds[3] + 34, ICMP_ECHO_REQUEST, 0, 0x10001, (const uint8_t[8]){ 0 }, 8);
	for (int i = 0; i < 200000; i++) {
		int s = i % 4;
		size_t len = seed_len[s];
		int flips;

		memcpy(f, seeds[s], len);
		rng = rng * 1103515245u + 12345u;
		flips = 1 + (int)(rng >> 29);
		for (int k = 0; k < flips; k++) {
			rng = rng * 1103515245u + 12345u;
			/* Mostly in the headers, where the parsers are. */
			f[14 + (rng >> 8) % (len > 60 ? 60 : len - 14)] ^= (uint8_t)(1u << (rng >> 28 & 7));
		}
		rng = rng * 1103515245u + 12345u;
		if ((rng >> 24) < 16)
			len = (rng >> 4) % len;  /* sometimes truncated */
		fake_link_inject(&eth0, f, len);
		fake_link_flush(&eth0);
		if (i % 1000 == 0) {
			fake_clock_advance(1500);
			net_tick(sys_now_ms());
			fake_link_flush(&eth0);
		}
	}
	CHECK(eth_stats.rx_frames > 200000);
	CHECK(ipv4_stats.rx_bad_checksum > 0);
	if (getenv("NET_TEST_LOG"))
		printf("frames %lu ip %lu badsum %lu arp %lu echo %lu frags %lu\n", (unsigned long)eth_stats.rx_frames, (unsigned long)ipv4_stats.rx_packets, (unsigned long)ipv4_stats.rx_bad_checksum, (unsigned long)arp_stats.rx_packets, (unsigned long)icmp_stats.tx_echo_replies, (unsigned long)ipv4_stats.rx_fragments);
	CHECK(icmp_stats.tx_echo_replies > 0);  /* some survive intact-enough */
	fx_teardown();
}

static void test_strerror(void)
{
	CHECK_EQ_STR(net_strerror(NET_OK), "ok");
	CHECK_EQ_STR(net_strerror(NET_EHOSTUNREACH), "host unreachable");
	CHECK_EQ_STR(net_strerror(NET_EPROTO), "protocol error");
	CHECK_EQ_STR(net_strerror(-1000), "unknown error");
	CHECK_EQ_STR(net_strerror(5), "unknown error");
}

int main(void)
{
	check_suite = "net.stack";
	RUN(test_timers_and_deadlines);
	RUN(test_counter_table);
	RUN(test_loopback_queue);
	RUN(test_mutation_smoke);
	RUN(test_strerror);
	return check_report();
}
