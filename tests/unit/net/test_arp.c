/* ARP: answering, learning, refusing garbage, aging, retries and the
 * bounds that keep a flood from exhausting anything. */
#include "tests/unit/net/net_fixture.h"

/* Build an ARP packet in an Ethernet frame (60 bytes, padded). */
static size_t arp_frame(uint8_t *f, const uint8_t *eth_dst, uint16_t op, const uint8_t *sha,
			uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
	uint8_t *a;

	memset(f, 0, 60);
	a = f + fx_eth(f, eth_dst, sha, ETH_P_ARP);
	be16_put(a + ARP_HTYPE, ARP_HTYPE_ETHERNET);
	be16_put(a + ARP_PTYPE, ETH_P_IPV4);
	a[ARP_HLEN] = 6;
	a[ARP_PLEN] = 4;
	be16_put(a + ARP_OPER, op);
	memcpy(a + ARP_SHA, sha, 6);
	be32_put(a + ARP_SPA, spa);
	memcpy(a + ARP_THA, tha, 6);
	be32_put(a + ARP_TPA, tpa);
	return 60;
}

static void count_entry(const struct arp_entry_info *e, void *ctx)
{
	(void)e;
	(*(int *)ctx)++;
}

static struct arp_entry_info found;
static void find_entry(const struct arp_entry_info *e, void *ctx)
{
	if (e->ip == *(uint32_t *)ctx)
		found = *e;
}

static bool entry_of(uint32_t ip, struct arp_entry_info *out)
{
	found.ip = 0;
	arp_foreach(find_entry, &ip, sys_now_ms());
	*out = found;
	return found.ip == ip;
}

static int entries(void)
{
	int n = 0;
	arp_foreach(count_entry, &n, sys_now_ms());
	return n;
}

/* Send a small UDP-protocol datagram to dst through IPv4 and ARP. */
static int send_to(uint32_t dst, uint8_t tag)
{
	struct netbuf *nb = netbuf_alloc();
	uint8_t *p = netbuf_put(nb, 8);

	memset(p, tag, 8);
	return ipv4_output(nb, 0, dst, IPV4_PROTO_UDP, 0);
}

static void test_request_answered(void)
{
	/* "Who has 10.0.2.15? Tell 10.0.2.3", as a neighbour sends it. */
	static const uint8_t request[60] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* Ethernet dst: broadcast */
		0x52, 0x55, 0x0a, 0x00, 0x02, 0x03, /* Ethernet src: the peer */
		0x08, 0x06,                         /* EtherType ARP */
		0x00, 0x01,                         /* hardware type: Ethernet */
		0x08, 0x00,                         /* protocol type: IPv4 */
		0x06, 0x04,                         /* hlen 6, plen 4 */
		0x00, 0x01,                         /* op: request */
		0x52, 0x55, 0x0a, 0x00, 0x02, 0x03, /* sender MAC */
		0x0a, 0x00, 0x02, 0x03,             /* sender IP 10.0.2.3 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC: unknown */
		0x0a, 0x00, 0x02, 0x0f,             /* target IP 10.0.2.15 (us) */
		/* 18 bytes of Ethernet padding follow (zeros) */
	};
	static const uint8_t reply[42] = {
		0x52, 0x55, 0x0a, 0x00, 0x02, 0x03, /* Ethernet dst: the asker */
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56, /* Ethernet src: us */
		0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04,
		0x00, 0x02,                         /* op: reply */
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56, /* sender MAC: us */
		0x0a, 0x00, 0x02, 0x0f,             /* sender IP: 10.0.2.15 */
		0x52, 0x55, 0x0a, 0x00, 0x02, 0x03, /* target: the asker */
		0x0a, 0x00, 0x02, 0x03,
	};
	struct arp_entry_info e;
	struct netbuf *nb;

	fx_setup();
	fake_link_inject(&eth0, request, sizeof request);
	nb = fx_pop();
	CHECK(nb != NULL);
	if (nb) {
		CHECK_EQ_INT(nb->len, 60);
		CHECK_EQ_MEM(nb->data, reply, sizeof reply);
		netbuf_free(nb);
	}
	CHECK_EQ_INT(fx_tx_pending(), 0);
	/* RFC 826: the asker is now in our cache. */
	CHECK(entry_of(PEER_IP, &e));
	CHECK_EQ_MEM(e.mac, PEER_MAC, 6);
	CHECK_EQ_INT(e.state, ARP_REACHABLE);
	CHECK_EQ_INT(arp_stats.tx_replies, 1);
	fx_teardown();
}

static void test_request_for_others_ignored(void)
{
	uint8_t f[60];

	fx_setup();
	arp_frame(f, BCAST_MAC, ARP_OP_REQUEST, PEER_MAC, PEER_IP, eth_zero_addr, IPV4_ADDR(10, 0, 2, 77));
	fake_link_inject(&eth0, f, sizeof f);
	CHECK_EQ_INT(fx_tx_pending(), 0);
	CHECK_EQ_INT(entries(), 0);  /* not addressed to us: nothing learned */
	CHECK_EQ_INT(arp_stats.rx_not_for_us, 1);
	fx_teardown();
}

static void test_probe_answered_without_learning(void)
{
	uint8_t f[60];
	struct netbuf *nb;

	fx_setup();
	/* RFC 5227 probe: sender IP 0, asking about our address. */
	arp_frame(f, BCAST_MAC, ARP_OP_REQUEST, PEER_MAC, 0, eth_zero_addr, OUR_IP);
	fake_link_inject(&eth0, f, sizeof f);
	nb = fx_pop();
	CHECK(nb != NULL);  /* we defend our address */
	netbuf_free(nb);
	CHECK_EQ_INT(entries(), 0);
	fx_teardown();
}

static void test_resolve_then_reply(void)
{
	uint8_t f[60];
	struct arp_entry_info e;
	struct netbuf *nb;

	fx_setup();
	CHECK_EQ_INT(send_to(PEER_IP, 0xa1), NET_OK);  /* queued counts as sent */
	nb = fx_pop();  /* the request */
	CHECK(nb && be16_get(nb->data + ETH_TYPE) == ETH_P_ARP);
	if (nb) {
		CHECK_EQ_MEM(nb->data, BCAST_MAC, 6);
		CHECK_EQ_INT(be16_get(nb->data + ETH_HLEN + ARP_OPER), ARP_OP_REQUEST);
		CHECK_EQ_INT(be32_get(nb->data + ETH_HLEN + ARP_SPA), OUR_IP);
		CHECK_EQ_INT(be32_get(nb->data + ETH_HLEN + ARP_TPA), PEER_IP);
		netbuf_free(nb);
	}
	CHECK(entry_of(PEER_IP, &e) && e.state == ARP_INCOMPLETE && e.queued == 1);
	CHECK_EQ_INT(fx_tx_pending(), 0);
	arp_frame(f, OUR_MAC, ARP_OP_REPLY, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP);
	fake_link_inject(&eth0, f, sizeof f);
	nb = fx_pop();  /* the waiting datagram, now addressed */
	CHECK(nb && be16_get(nb->data + ETH_TYPE) == ETH_P_IPV4);
	if (nb) {
		CHECK_EQ_MEM(nb->data, PEER_MAC, 6);
		CHECK_EQ_INT(nb->data[ETH_HLEN + 20], 0xa1);
		netbuf_free(nb);
	}
	CHECK(entry_of(PEER_IP, &e) && e.state == ARP_REACHABLE && e.queued == 0);
	/* Known now: the next one goes straight out. */
	send_to(PEER_IP, 0xa2);
	nb = fx_pop();
	CHECK(nb && nb->data[ETH_HLEN + 20] == 0xa2);
	netbuf_free(nb);
	CHECK_EQ_INT(arp_stats.resolved, 1);
	fx_teardown();
}

static void test_unsolicited_reply_ignored(void)
{
	static const uint8_t new_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x99 };
	uint8_t f[60];
	struct arp_entry_info e;

	fx_setup();
	arp_frame(f, OUR_MAC, ARP_OP_REPLY, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP);
	fake_link_inject(&eth0, f, sizeof f);
	CHECK_EQ_INT(entries(), 0);  /* does not create */
	CHECK_EQ_INT(arp_stats.rx_unsolicited, 1);
	/* ...but refreshes an entry we have (RFC 826 merge). */
	fx_learn(PEER_IP, PEER_MAC);
	arp_frame(f, OUR_MAC, ARP_OP_REPLY, new_mac, PEER_IP, OUR_MAC, OUR_IP);
	fake_link_inject(&eth0, f, sizeof f);
	CHECK(entry_of(PEER_IP, &e));
	CHECK_EQ_MEM(e.mac, new_mac, 6);
	/* A gratuitous ARP (broadcast request for its own address) too. */
	arp_frame(f, BCAST_MAC, ARP_OP_REQUEST, PEER_MAC, PEER_IP, eth_zero_addr, PEER_IP);
	fake_link_inject(&eth0, f, sizeof f);
	CHECK(entry_of(PEER_IP, &e));
	CHECK_EQ_MEM(e.mac, PEER_MAC, 6);
	CHECK_EQ_INT(entries(), 1);
	CHECK_EQ_INT(fx_tx_pending(), 0);
	fx_teardown();
}

static void test_garbage_ignored_and_counted(void)
{
	static const uint8_t mcast_mac[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	uint8_t f[60];

	fx_setup();
	arp_frame(f, BCAST_MAC, ARP_OP_REQUEST, PEER_MAC, PEER_IP, eth_zero_addr, OUR_IP);
	f[ETH_HLEN + ARP_HTYPE + 1] = 6;  /* IEEE 802 hardware type */
	fake_link_inject(&eth0, f, sizeof f);
	CHECK_EQ_INT(arp_stats.rx_bad_htype, 1);

	arp_frame(f, BCAST_MAC, ARP_OP_REQUEST, PEER_MAC, PEER_IP, eth_zero_addr, OUR_IP);
	be16_put(f + ETH_HLEN + ARP_PTYPE, 0x86dd);
	fake_link_inject(&eth0, f, sizeof f);
	CHECK_EQ_INT(arp_stats.rx_bad_ptype, 1);

	arp_frame(f, BCAST_MAC, ARP_OP_REQUEST, PEER_MAC, PEER_IP, eth_zero_addr, OUR_IP);
	f[ETH_HLEN + ARP_HLEN] = 8;
	fake_link_inject(&eth0, f, sizeof f);
	arp_frame(f, BCAST_MAC, ARP_OP_REQUEST, PEER_MAC, PEER_IP, eth_zero_addr, OUR_IP);
	f[ETH_HLEN + ARP_PLEN] = 16;
	fake_link_inject(&eth0, f, sizeof f);
	CHECK_EQ_INT(arp_stats.rx_bad_len, 2);

	arp_frame(f, BCAST_MAC, 3 /* RARP request */, PEER_MAC, PEER_IP, eth_zero_addr, OUR_IP);
	fake_link_inject(&eth0, f, sizeof f);
	CHECK_EQ_INT(arp_stats.rx_bad_op, 1);

	arp_frame(f, BCAST_MAC, ARP_OP_REQUEST, BCAST_MAC, PEER_IP, eth_zero_addr, OUR_IP);
	fake_link_inject(&eth0, f, sizeof f);
	arp_frame(f, BCAST_MAC, ARP_OP_REQUEST, mcast_mac, PEER_IP, eth_zero_addr, OUR_IP);
	fake_link_inject(&eth0, f, sizeof f);
	arp_frame(f, BCAST_MAC, ARP_OP_REQUEST, eth_zero_addr, PEER_IP, eth_zero_addr, OUR_IP);
	fake_link_inject(&eth0, f, sizeof f);
	CHECK_EQ_INT(arp_stats.rx_bad_sender_mac, 3);

	arp_frame(f, BCAST_MAC, ARP_OP_REQUEST, OUR_MAC, PEER_IP, eth_zero_addr, OUR_IP);
	fake_link_inject(&eth0, f, sizeof f);
	CHECK_EQ_INT(arp_stats.rx_own_mac, 1);

	arp_frame(f, BCAST_MAC, ARP_OP_REQUEST, PEER_MAC, IPV4_BROADCAST, eth_zero_addr, OUR_IP);
	fake_link_inject(&eth0, f, sizeof f);
	arp_frame(f, BCAST_MAC, ARP_OP_REQUEST, PEER_MAC, IPV4_ADDR(224, 0, 0, 1), eth_zero_addr, OUR_IP);
	fake_link_inject(&eth0, f, sizeof f);
	CHECK_EQ_INT(arp_stats.rx_bad_sender_ip, 2);

	/* Someone else claims our address: counted, not answered, not learned. */
	arp_frame(f, BCAST_MAC, ARP_OP_REQUEST, PEER_MAC, OUR_IP, eth_zero_addr, OUR_IP);
	fake_link_inject(&eth0, f, sizeof f);
	CHECK_EQ_INT(arp_stats.rx_conflict, 1);

	fake_link_inject(&eth0, f, ETH_HLEN + 27);  /* one byte short */
	CHECK_EQ_INT(arp_stats.rx_short, 1);

	CHECK_EQ_INT(fx_tx_pending(), 0);
	CHECK_EQ_INT(entries(), 0);
	fx_teardown();
}

static void test_aging(void)
{
	uint8_t f[60];
	struct arp_entry_info e;
	struct netbuf *nb;

	fx_setup();
	fx_learn(PEER_IP, PEER_MAC);
	CHECK_EQ_INT(arp_next_deadline(), FX_T0 + ARP_REACHABLE_MS);
	fake_clock_advance(ARP_REACHABLE_MS);
	arp_tick(sys_now_ms());
	CHECK(entry_of(PEER_IP, &e) && e.state == ARP_STALE);
	/* Used while stale: sent at once, plus a unicast request to confirm. */
	send_to(PEER_IP, 1);
	nb = fx_pop();
	CHECK(nb && be16_get(nb->data + ETH_TYPE) == ETH_P_ARP);
	if (nb) {
		CHECK_EQ_MEM(nb->data, PEER_MAC, 6);
		netbuf_free(nb);
	}
	nb = fx_pop();
	CHECK(nb && be16_get(nb->data + ETH_TYPE) == ETH_P_IPV4);
	netbuf_free(nb);
	send_to(PEER_IP, 2);  /* within a second: no second probe */
	CHECK_EQ_INT(fx_tx_pending(), 1);
	fake_link_flush(&eth0);
	/* The answer makes it reachable again. */
	arp_frame(f, OUR_MAC, ARP_OP_REPLY, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP);
	fake_link_inject(&eth0, f, sizeof f);
	CHECK(entry_of(PEER_IP, &e) && e.state == ARP_REACHABLE);
	/* Unused and unanswered, it goes away: reachable -> stale -> gone. */
	fake_clock_advance(ARP_REACHABLE_MS);
	arp_tick(sys_now_ms());
	fake_clock_advance(ARP_STALE_MS - 1);
	arp_tick(sys_now_ms());
	CHECK_EQ_INT(entries(), 1);
	fake_clock_advance(1);
	arp_tick(sys_now_ms());
	CHECK_EQ_INT(entries(), 0);
	CHECK_EQ_INT(arp_next_deadline(), UINT64_MAX);
	fx_teardown();
}

static void test_retries_then_host_unreachable(void)
{
	struct netbuf *nb;

	fx_setup();
	send_to(PEER_IP, 7);
	for (int try = 1; try <= ARP_TRIES; try++) {
		nb = fx_pop();
		CHECK(nb && be16_get(nb->data + ETH_HLEN + ARP_OPER) == ARP_OP_REQUEST);
		netbuf_free(nb);
		CHECK_EQ_INT(fx_tx_pending(), 0);
		fake_clock_advance(ARP_RETRY_MS - 1);
		arp_tick(sys_now_ms());
		CHECK_EQ_INT(fx_tx_pending(), 0);  /* not yet */
		fake_clock_advance(1);
		arp_tick(sys_now_ms());
	}
	/* Three tries, about a second apart, then the sender is told. */
	CHECK_EQ_INT(fx_tx_pending(), 0);
	CHECK_EQ_INT(arp_stats.timeouts, 1);
	CHECK_EQ_INT(arp_stats.tx_requests, 3);
	CHECK_EQ_INT(stub_udp.errors, 1);
	CHECK_EQ_INT(stub_udp.last_err, NET_EHOSTUNREACH);
	CHECK_EQ_INT(stub_udp.last_orig.dst, PEER_IP);
	CHECK_EQ_INT(stub_udp.last_l4[0], 7);
	CHECK_EQ_INT(entries(), 0);
	CHECK_EQ_INT(fx_in_use(), 0);
	fx_teardown();
}

static void sum_queued(const struct arp_entry_info *e, void *ctx)
{
	int *q = ctx;

	if (e->state != ARP_INCOMPLETE)
		return;
	q[0] += (int)e->queued;
	if (q[1] < 0 || (int)e->queued < q[1])
		q[1] = (int)e->queued;
}

/* Packets waiting, all unresolved addresses. */
static int queued_total(void)
{
	int q[2] = { 0, -1 };

	arp_foreach(sum_queued, q, sys_now_ms());
	return q[0];
}

/* The fewest packets any unresolved address holds. */
static int min_queued(void)
{
	int q[2] = { 0, -1 };

	arp_foreach(sum_queued, q, sys_now_ms());
	return q[1];
}

static void test_queue_bounds(void)
{
	uint8_t f[60];
	struct netbuf *nb;
	int rc = NET_OK;

	fx_setup();
	for (int i = 0; i < ARP_QUEUE_PER_ENTRY + 2; i++)
		send_to(PEER_IP, (uint8_t)i);
	CHECK_EQ_INT(arp_stats.queue_dropped, 2);
	fake_link_flush(&eth0);
	arp_frame(f, OUR_MAC, ARP_OP_REPLY, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP);
	fake_link_inject(&eth0, f, sizeof f);
	/* The newest four were kept (RFC 1122 2.3.2.2: keep the latest). */
	for (int i = 2; i < ARP_QUEUE_PER_ENTRY + 2; i++) {
		nb = fx_pop();
		CHECK(nb && nb->data[ETH_HLEN + 20] == i);
		netbuf_free(nb);
	}
	CHECK_EQ_INT(fx_tx_pending(), 0);
	/* The global bound: 4 each to many unresolved addresses. Once the
	 * budget is spent, a new address still gets its latest packet kept
	 * (A2, RFC 1122 2.3.2.2), at the cost of the oldest packet of an
	 * address holding several; the total never grows. */
	for (uint32_t host = 100; host < 109 && rc == NET_OK; host++)
		for (int i = 0; i < ARP_QUEUE_PER_ENTRY && rc == NET_OK; i++)
			rc = send_to(IPV4_ADDR(10, 0, 2, host), (uint8_t)host);
	CHECK_EQ_INT(rc, NET_OK);
	CHECK_EQ_INT(arp_stats.queue_full, ARP_QUEUE_PER_ENTRY);
	CHECK_EQ_INT(queued_total(), ARP_QUEUE_TOTAL);
	for (uint32_t host = 100; host < ARP_MAX_INCOMPLETE + 100 && rc == NET_OK; host++)
		rc = send_to(IPV4_ADDR(10, 0, 2, host), (uint8_t)host);
	CHECK_EQ_INT(rc, NET_OK);
	CHECK_EQ_INT(queued_total(), ARP_QUEUE_TOTAL);
	CHECK_EQ_INT(min_queued(), 1);
	fx_teardown();
}

static void test_incomplete_bound(void)
{
	int rc = NET_OK, sent = 0;

	fx_setup();
	while (rc == NET_OK && sent < 100)
		if ((rc = send_to(IPV4_ADDR(10, 0, 2, 100 + sent), 0)) == NET_OK)
			sent++;
	CHECK_EQ_INT(sent, ARP_MAX_INCOMPLETE);
	CHECK_EQ_INT(rc, NET_ENOMEM);
	fx_teardown();
}

/* 10000 requests from distinct senders, all addressed to us: each is
 * answered, the cache stays at its bound, and the gateway we are using
 * survives (passively learned entries only evict each other). */
static void test_request_flood(void)
{
	uint8_t f[60], mac[6] = { 0x02, 0, 0, 0, 0, 0 };
	struct arp_entry_info e;
	struct netbuf_stats st;
	long allocs = fake_alloc_live();

	fx_setup();
	fx_learn(GW_IP, GW_MAC);
	send_to(FAR_IP, 1);  /* in use: through the gateway */
	fake_link_flush(&eth0);
	for (uint32_t i = 0; i < 10000; i++) {
		be32_put(mac + 2, i);
		arp_frame(f, BCAST_MAC, ARP_OP_REQUEST, mac, IPV4_ADDR(10, 1, 0, 0) + i, eth_zero_addr,
			  OUR_IP);
		fake_link_inject(&eth0, f, sizeof f);
		fake_link_flush(&eth0);
		fake_clock_advance(1);
		if (i % 500 == 0)
			arp_tick(sys_now_ms());
	}
	CHECK_EQ_INT(arp_stats.tx_replies, 10001);
	CHECK(entries() <= ARP_CACHE_SIZE);
	CHECK(entry_of(GW_IP, &e));
	CHECK_EQ_MEM(e.mac, GW_MAC, 6);
	netbuf_get_stats(&st);
	CHECK(st.high_water < 8);
	CHECK_EQ_INT(fake_alloc_live(), allocs);
	fx_teardown();
}

static void test_delete_and_flush(void)
{
	fx_setup();
	fx_learn(PEER_IP, PEER_MAC);
	fx_learn(GW_IP, GW_MAC);
	send_to(IPV4_ADDR(10, 0, 2, 50), 0);  /* one incomplete, with a packet */
	CHECK_EQ_INT(entries(), 3);
	CHECK_EQ_INT(arp_delete(PEER_IP), NET_OK);
	CHECK_EQ_INT(arp_delete(PEER_IP), NET_ENOENT);
	CHECK_EQ_INT(entries(), 2);
	arp_flush(NULL);
	CHECK_EQ_INT(entries(), 0);
	fake_link_flush(&eth0);
	CHECK_EQ_INT(fx_in_use(), 0);  /* the waiting packet went too */
	CHECK_EQ_STR(arp_state_name(ARP_STALE), "stale");
	fx_teardown();
}

int main(void)
{
	check_suite = "net.arp";
	RUN(test_request_answered);
	RUN(test_request_for_others_ignored);
	RUN(test_probe_answered_without_learning);
	RUN(test_resolve_then_reply);
	RUN(test_unsolicited_reply_ignored);
	RUN(test_garbage_ignored_and_counted);
	RUN(test_aging);
	RUN(test_retries_then_host_unreachable);
	RUN(test_queue_bounds);
	RUN(test_incomplete_bound);
	RUN(test_request_flood);
	RUN(test_delete_and_flush);
	return check_report();
}
