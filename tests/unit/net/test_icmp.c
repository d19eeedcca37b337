/* ICMP: echo answered byte for byte, errors received and delivered,
 * errors sent only when allowed and at a bounded rate, ping sessions. */
#include "tests/unit/net/net_fixture.h"

/* An echo request from 10.0.2.2 (id 0x1234, seq 1, data "pigeon!\n"). */
static const uint8_t echo_request[50] = {
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56, /* Ethernet dst: us */
	0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, /* Ethernet src: gateway */
	0x08, 0x00,                         /* IPv4 */
	0x45, 0x00, 0x00, 0x24,             /* v4, IHL 5, total length 36 */
	0xab, 0xcd, 0x40, 0x00,             /* id 0xabcd, DF */
	0x40, 0x01, 0x00, 0x00,             /* TTL 64, ICMP, checksum (filled below) */
	0x0a, 0x00, 0x02, 0x02,             /* src 10.0.2.2 */
	0x0a, 0x00, 0x02, 0x0f,             /* dst 10.0.2.15 */
	0x08, 0x00, 0x00, 0x00,             /* echo request, code 0, checksum (filled) */
	0x12, 0x34, 0x00, 0x01,             /* identifier 0x1234, sequence 1 */
	'p', 'i', 'g', 'e', 'o', 'n', '!', '\n',
};

/* The reply we must send: the same ICMP body with type 0. */
static const uint8_t echo_reply_icmp[16] = {
	0x00, 0x00, 0x00, 0x00,             /* echo reply, code 0, checksum (checked apart) */
	0x12, 0x34, 0x00, 0x01,             /* identifier and sequence copied */
	'p', 'i', 'g', 'e', 'o', 'n', '!', '\n',
};

static uint8_t frame[1600];

static size_t sealed_request(size_t icmp_len)
{
	memcpy(frame, echo_request, sizeof echo_request);
	be16_put(frame + ETH_HLEN + IPV4_TOTAL_LEN, (uint16_t)(20 + icmp_len));
	be16_put(frame + ETH_HLEN + IPV4_CSUM, csum_compute(frame + ETH_HLEN, 20));
	be16_put(frame + 34 + ICMP_CSUM, 0);
	be16_put(frame + 34 + ICMP_CSUM, csum_compute(frame + 34, icmp_len));
	return 34 + icmp_len;
}

static void test_echo_answered_byte_exact(void)
{
	struct netbuf *nb;

	fx_setup();
	fx_learn(GW_IP, GW_MAC);
	fake_link_inject(&eth0, frame, sealed_request(16));
	nb = fx_pop();
	CHECK(nb != NULL);
	if (nb) {
		const uint8_t *ip = nb->data + ETH_HLEN, *icmp = ip + 20;
		CHECK_EQ_MEM(nb->data + ETH_DST, GW_MAC, 6);
		CHECK_EQ_MEM(nb->data + ETH_SRC, OUR_MAC, 6);
		CHECK_EQ_INT(be16_get(ip + IPV4_TOTAL_LEN), 36);
		CHECK_EQ_INT(ip[IPV4_PROTO], IPV4_PROTO_ICMP);
		CHECK_EQ_INT(ip[IPV4_TTL], 64);
		CHECK_EQ_INT(be32_get(ip + IPV4_SRC), OUR_IP);
		CHECK_EQ_INT(be32_get(ip + IPV4_DST), GW_IP);
		CHECK_EQ_INT(csum_compute(ip, 20), 0);
		CHECK_EQ_INT(csum_compute(icmp, 16), 0);
		CHECK_EQ_MEM(icmp + 4, echo_reply_icmp + 4, 12);
		CHECK_EQ_INT(icmp[0], 0);
		CHECK_EQ_INT(icmp[1], 0);
		netbuf_free(nb);
	}
	CHECK_EQ_INT(fx_tx_pending(), 0);
	fx_teardown();
}

static void test_echo_odd_and_empty_data(void)
{
	struct netbuf *nb;

	fx_setup();
	fx_learn(GW_IP, GW_MAC);
	for (size_t len = 8; len <= 9; len++) {
		fake_link_inject(&eth0, frame, sealed_request(len));
		nb = fx_pop();
		CHECK(nb && be16_get(nb->data + ETH_HLEN + IPV4_TOTAL_LEN) == 20 + len);
		if (nb) {
			CHECK_EQ_INT(csum_compute(nb->data + 34, len), 0);
			CHECK_EQ_MEM(nb->data + 34 + 4, echo_request + 34 + 4, len - 4);
			netbuf_free(nb);
		}
	}
	fx_teardown();
}

static void test_bad_messages_dropped(void)
{
	fx_setup();
	fx_learn(GW_IP, GW_MAC);
	sealed_request(16);
	be16_put(frame + ETH_HLEN + IPV4_TOTAL_LEN, 27);  /* 7 bytes of ICMP */
	be16_put(frame + ETH_HLEN + IPV4_CSUM, 0);
	be16_put(frame + ETH_HLEN + IPV4_CSUM, csum_compute(frame + ETH_HLEN, 20));
	fake_link_inject(&eth0, frame, 50);
	CHECK_EQ_INT(icmp_stats.rx_short, 1);
	sealed_request(16);
	frame[49] ^= 0x20;  /* data changed after the checksum */
	fake_link_inject(&eth0, frame, 50);
	CHECK_EQ_INT(icmp_stats.rx_bad_checksum, 1);
	/* Types we do not answer: source quench (4), timestamp (13). */
	for (uint8_t type = 4; type <= 13; type += 9) {
		sealed_request(16);
		frame[34] = type;
		be16_put(frame + 34 + ICMP_CSUM, 0);
		be16_put(frame + 34 + ICMP_CSUM, csum_compute(frame + 34, 16));
		fake_link_inject(&eth0, frame, 50);
	}
	CHECK_EQ_INT(icmp_stats.rx_unknown_type, 2);
	CHECK_EQ_INT(fx_tx_pending(), 0);
	fx_teardown();
}

static void test_broadcast_echo_ignored(void)
{
	fx_setup();
	fx_learn(GW_IP, GW_MAC);
	sealed_request(16);
	be32_put(frame + ETH_HLEN + IPV4_DST, IPV4_BROADCAST);
	be16_put(frame + ETH_HLEN + IPV4_CSUM, 0);
	be16_put(frame + ETH_HLEN + IPV4_CSUM, csum_compute(frame + ETH_HLEN, 20));
	fake_link_inject(&eth0, frame, 50);
	be32_put(frame + ETH_HLEN + IPV4_DST, IPV4_ADDR(10, 0, 2, 255));
	be16_put(frame + ETH_HLEN + IPV4_CSUM, 0);
	be16_put(frame + ETH_HLEN + IPV4_CSUM, csum_compute(frame + ETH_HLEN, 20));
	fake_link_inject(&eth0, frame, 50);
	sealed_request(16);
	memcpy(frame, BCAST_MAC, 6);  /* unicast IP in a link broadcast */
	fake_link_inject(&eth0, frame, 50);
	CHECK_EQ_INT(icmp_stats.rx_echo_broadcast_ignored, 3);
	CHECK_EQ_INT(fx_tx_pending(), 0);
	fx_teardown();
}

static void inject_udp_to(uint32_t dst, uint16_t id)
{
	static const uint8_t udp[12] = { 0xc0, 0x01, 0x00, 0x07, 0x00, 0x0c, 0x00, 0x00,
					 'e', 'c', 'h', 'o' };
	fx_inject_ipv4(GW_IP, dst, IPV4_PROTO_UDP, id, 0, udp, sizeof udp);
}

static void test_port_unreachable_for_udp(void)
{
	struct netbuf *nb;

	fx_setup();
	fx_learn(GW_IP, GW_MAC);
	stub_udp.send_port_unreach = 1;
	inject_udp_to(OUR_IP, 0x55);
	CHECK_EQ_INT(stub_udp.port_unreach_rc, NET_OK);
	nb = fx_pop();
	CHECK(nb != NULL);
	if (nb) {
		const uint8_t *ip = nb->data + ETH_HLEN, *icmp = ip + 20;
		CHECK_EQ_INT(be16_get(ip + IPV4_TOTAL_LEN), 20 + 8 + 20 + 8);
		CHECK_EQ_INT(be32_get(ip + IPV4_SRC), OUR_IP);
		CHECK_EQ_INT(icmp[0], ICMP_DEST_UNREACH);
		CHECK_EQ_INT(icmp[1], ICMP_UNREACH_PORT);
		CHECK_EQ_INT(be32_get(icmp + 4), 0);                    /* unused, zero */
		CHECK_EQ_INT(be16_get(icmp + 8 + IPV4_ID), 0x55);      /* quoted header */
		CHECK_EQ_INT(be16_get(icmp + 8 + 20 + 2), 7);          /* quoted dst port */
		CHECK_EQ_INT(csum_compute(icmp, 36), 0);
		netbuf_free(nb);
	}
	/* Never for a broadcast. */
	inject_udp_to(IPV4_BROADCAST, 0x56);
	inject_udp_to(IPV4_ADDR(10, 0, 2, 255), 0x57);
	CHECK_EQ_INT(stub_udp.port_unreach_rc, NET_EINVAL);
	CHECK_EQ_INT(icmp_stats.tx_error_suppressed, 2);
	CHECK_EQ_INT(fx_tx_pending(), 0);
	fx_teardown();
}

static void test_error_rate_limited(void)
{
	fx_setup();
	fx_learn(GW_IP, GW_MAC);
	stub_udp.send_port_unreach = 1;
	for (int i = 0; i < 50; i++)
		inject_udp_to(OUR_IP, (uint16_t)i);
	CHECK_EQ_INT(fx_tx_pending(), 10);  /* the burst */
	CHECK_EQ_INT(icmp_stats.tx_error_rate_limited, 40);
	fake_link_flush(&eth0);
	fake_clock_advance(20);
	for (int i = 0; i < 5; i++)
		inject_udp_to(OUR_IP, (uint16_t)i);
	CHECK_EQ_INT(fx_tx_pending(), 2);  /* 100 a second */
	fake_clock_advance(10000);
	for (int i = 0; i < 20; i++)
		inject_udp_to(OUR_IP, (uint16_t)i);
	CHECK_EQ_INT(fx_tx_pending(), 12);  /* the bucket never holds more than the burst */
	fx_teardown();
}

/* Datagrams that never get an error: ICMP errors, later fragments, bad sources. */
static void test_never_about(void)
{
	uint8_t raw[28];
	struct ipv4_hdr h;

	fx_setup();
	fx_ipv4(raw, GW_IP, OUR_IP, IPV4_PROTO_ICMP, 1, 0, 64, 8);
	fx_icmp(raw + 20, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, 0, NULL, 0);
	CHECK_EQ_INT(ipv4_hdr_parse(raw, sizeof raw, &h), IPV4_PARSE_OK);
	CHECK_EQ_INT(icmp_send_dest_unreach(&eth0.nif, NULL, &h, ICMP_UNREACH_PROTO), NET_EINVAL);
	raw[20] = ICMP_ECHO_REQUEST;  /* about a query it is allowed */
	fx_learn(GW_IP, GW_MAC);
	CHECK_EQ_INT(icmp_send_dest_unreach(&eth0.nif, NULL, &h, ICMP_UNREACH_PROTO), NET_OK);
	fake_link_flush(&eth0);
	fx_ipv4(raw, GW_IP, OUR_IP, IPV4_PROTO_UDP, 1, 185 | IPV4_FLAG_MF, 64, 8);
	ipv4_hdr_parse(raw, sizeof raw, &h);
	CHECK_EQ_INT(icmp_send_dest_unreach(&eth0.nif, NULL, &h, ICMP_UNREACH_PORT), NET_EINVAL);
	fx_ipv4(raw, IPV4_ADDR(224, 0, 0, 9), OUR_IP, IPV4_PROTO_UDP, 1, 0, 64, 8);
	ipv4_hdr_parse(raw, sizeof raw, &h);
	CHECK_EQ_INT(icmp_send_dest_unreach(&eth0.nif, NULL, &h, ICMP_UNREACH_PORT), NET_EINVAL);
	fx_ipv4(raw, 0, OUR_IP, IPV4_PROTO_UDP, 1, 0, 64, 8);
	ipv4_hdr_parse(raw, sizeof raw, &h);
	CHECK_EQ_INT(icmp_send_dest_unreach(&eth0.nif, NULL, &h, ICMP_UNREACH_PORT), NET_EINVAL);
	CHECK_EQ_INT(icmp_stats.tx_error_suppressed, 4);
	CHECK_EQ_INT(fx_tx_pending(), 0);
	fx_teardown();
}

/* An ICMP error from the gateway quoting a datagram of ours. */
static void inject_error(uint8_t type, uint8_t code, uint32_t quoted_src, uint8_t proto,
			 const uint8_t *l4, size_t l4_len, size_t quote_cut)
{
	uint8_t msg[8 + 20 + 64];
	size_t qlen = 20 + l4_len - quote_cut;

	fx_ipv4(msg + 8, quoted_src, FAR_IP, proto, 0x321, 0, 1, l4_len);
	memcpy(msg + 8 + 20, l4, l4_len);
	fx_icmp(msg, type, code, 0, msg + 8, qlen);
	fx_inject_ipv4(GW_IP, OUR_IP, IPV4_PROTO_ICMP, 9, 0, msg, 8 + qlen);
}

static void test_errors_delivered_to_udp(void)
{
	static const uint8_t udp[8] = { 0xc3, 0x50, 0x00, 0x35, 0x00, 0x1c, 0x12, 0x34 };

	fx_setup();
	inject_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, OUR_IP, IPV4_PROTO_UDP, udp, 8, 0);
	CHECK_EQ_INT(stub_udp.errors, 1);
	CHECK_EQ_INT(stub_udp.last_err, NET_EPORTUNREACH);
	CHECK_EQ_INT(stub_udp.last_orig.src, OUR_IP);
	CHECK_EQ_INT(stub_udp.last_orig.dst, FAR_IP);
	CHECK_EQ_INT(stub_udp.last_l4_len, 8);
	CHECK_EQ_MEM(stub_udp.last_l4, udp, 8);
	inject_error(ICMP_TIME_EXCEEDED, ICMP_TIMXCEED_TTL, OUR_IP, IPV4_PROTO_UDP, udp, 8, 0);
	CHECK_EQ_INT(stub_udp.errors, 2);
	CHECK_EQ_INT(stub_udp.last_err, NET_EHOSTUNREACH);
	inject_error(ICMP_DEST_UNREACH, ICMP_UNREACH_FRAG_NEEDED, OUR_IP, IPV4_PROTO_UDP, udp, 8, 0);
	CHECK_EQ_INT(stub_udp.last_err, NET_EMSGSIZE);
	/* Not about our datagram, or a quote too short to trust. */
	inject_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, PEER_IP, IPV4_PROTO_UDP, udp, 8, 0);
	CHECK_EQ_INT(icmp_stats.rx_quote_not_ours, 1);
	inject_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, OUR_IP, IPV4_PROTO_UDP, udp, 8, 1);
	inject_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, OUR_IP, IPV4_PROTO_UDP, udp, 8, 20);
	CHECK_EQ_INT(icmp_stats.rx_bad_quote, 2);
	/* TCP has no handler yet: counted as unhandled. */
	inject_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, OUR_IP, IPV4_PROTO_TCP, udp, 8, 0);
	CHECK_EQ_INT(icmp_stats.rx_errors_unhandled, 1);
	CHECK_EQ_INT(stub_udp.errors, 3);
	CHECK_EQ_INT(fx_tx_pending(), 0);  /* never an error about an error */
	fx_teardown();
}

static void test_ping_session(void)
{
	struct icmp_ping *p;
	struct icmp_ping_reply r;
	struct netbuf *nb;
	uint8_t msg[8 + 56];
	uint16_t id;

	fx_setup();
	fx_learn(PEER_IP, PEER_MAC);
	p = icmp_ping_open();
	CHECK(p != NULL);
	if (!p) {
		fx_teardown();
		return;
	}
	id = icmp_ping_id(p);
	CHECK_EQ_INT(icmp_ping_send(p, PEER_IP, 1, 56, 0, 0), NET_OK);
	nb = fx_pop();
	CHECK(nb != NULL);
	if (nb) {
		const uint8_t *icmp = nb->data + ETH_HLEN + 20;
		CHECK_EQ_INT(be16_get(nb->data + ETH_HLEN + IPV4_TOTAL_LEN), 20 + 8 + 56);
		CHECK_EQ_INT(icmp[0], ICMP_ECHO_REQUEST);
		CHECK_EQ_INT(be16_get(icmp + ICMP_ECHO_ID), id);
		CHECK_EQ_INT(be16_get(icmp + ICMP_ECHO_SEQ), 1);
		CHECK_EQ_INT(csum_compute(icmp, 64), 0);
		/* The peer answers with the same body. */
		memcpy(msg, icmp, sizeof msg);
		netbuf_free(nb);
	}
	fx_icmp(msg, ICMP_ECHO_REPLY, 0, be32_get(msg + 4), msg + 8, 56);
	fake_clock_advance(3);
	fx_inject_ipv4(PEER_IP, OUR_IP, IPV4_PROTO_ICMP, 1, 0, msg, sizeof msg);
	CHECK(icmp_ping_recv(p, &r));
	CHECK_EQ_INT(r.seq, 1);
	CHECK_EQ_INT(r.err, NET_OK);
	CHECK_EQ_INT(r.bytes, 64);
	CHECK_EQ_INT(r.ttl, 64);
	CHECK_EQ_INT(r.from, PEER_IP);
	CHECK_EQ_INT(r.rx_time_ms, FX_T0 + 3);
	CHECK(r.data_ok);
	CHECK(icmp_ping_waiter(p)->wakes == 1);
	CHECK(!icmp_ping_recv(p, &r));
	/* Corrupted data is reported; someone else's id is not ours. */
	msg[20] ^= 1;
	fx_icmp(msg, ICMP_ECHO_REPLY, 0, be32_get(msg + 4), msg + 8, 56);
	fx_inject_ipv4(PEER_IP, OUR_IP, IPV4_PROTO_ICMP, 2, 0, msg, sizeof msg);
	CHECK(icmp_ping_recv(p, &r) && !r.data_ok);
	be16_put(msg + 4, (uint16_t)(id + 1));
	fx_icmp(msg, ICMP_ECHO_REPLY, 0, be32_get(msg + 4), msg + 8, 56);
	fx_inject_ipv4(PEER_IP, OUR_IP, IPV4_PROTO_ICMP, 3, 0, msg, sizeof msg);
	CHECK(!icmp_ping_recv(p, &r));
	CHECK_EQ_INT(icmp_stats.rx_echo_unmatched, 1);
	/* A router reports our echo request undeliverable. */
	be16_put(msg + 4, id);
	be16_put(msg + 6, 2);
	msg[0] = ICMP_ECHO_REQUEST;
	inject_error(ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, OUR_IP, IPV4_PROTO_ICMP, msg, 8, 0);
	CHECK(icmp_ping_recv(p, &r));
	CHECK_EQ_INT(r.seq, 2);
	CHECK_EQ_INT(r.err, NET_EHOSTUNREACH);
	CHECK_EQ_INT(r.from, GW_IP);
	CHECK_EQ_STR(icmp_error_name(r.type, r.code), "Destination Host Unreachable");
	/* The queue is bounded. */
	for (int i = 0; i < ICMP_PING_QUEUE + 4; i++) {
		be16_put(msg + 4, id);
		fx_icmp(msg, ICMP_ECHO_REPLY, 0, be32_get(msg + 4), msg + 8, 56);
		fx_inject_ipv4(PEER_IP, OUR_IP, IPV4_PROTO_ICMP, 4, 0, msg, sizeof msg);
	}
	CHECK_EQ_INT(icmp_ping_dropped(p), 4);
	icmp_ping_close(p);
	CHECK_EQ_INT(icmp_ping_send(p, PEER_IP, 1, ICMP_PING_DATA_MAX + 1, 0, 0), NET_EMSGSIZE);
	fx_teardown();
}

/* Nobody answers ARP: the ping learns "Destination Host Unreachable". */
static void test_ping_unresolved_host(void)
{
	struct icmp_ping *p;
	struct icmp_ping_reply r;

	fx_setup();
	p = icmp_ping_open();
	CHECK_EQ_INT(icmp_ping_send(p, PEER_IP, 7, 56, 0, 0), NET_OK);
	for (int i = 0; i < ARP_TRIES; i++) {
		fake_clock_advance(ARP_RETRY_MS);
		net_tick(sys_now_ms());
	}
	CHECK(icmp_ping_recv(p, &r));
	CHECK_EQ_INT(r.seq, 7);
	CHECK_EQ_INT(r.err, NET_EHOSTUNREACH);
	CHECK_EQ_INT(r.from, OUR_IP);
	CHECK_EQ_INT(r.type, ICMP_DEST_UNREACH);
	CHECK_EQ_INT(r.code, ICMP_UNREACH_HOST);
	icmp_ping_close(p);
	fx_teardown();
}

/* Ping ourselves through lo: replies come on the following ticks. */
static void test_ping_loopback(void)
{
	static const uint32_t targets[] = { IPV4_ADDR(127, 0, 0, 1), OUR_IP };
	struct icmp_ping *p;
	struct icmp_ping_reply r;

	fx_setup();
	p = icmp_ping_open();
	for (int t = 0; t < 2; t++) {
		CHECK_EQ_INT(icmp_ping_send(p, targets[t], (uint16_t)t, 1000, 0, 0), NET_OK);
		CHECK(!icmp_ping_recv(p, &r));  /* nothing is delivered inside the send */
		CHECK_EQ_INT(net_next_deadline(), 0);
		net_tick(sys_now_ms());          /* the request arrives, the reply is queued */
		CHECK(!icmp_ping_recv(p, &r));
		net_tick(sys_now_ms());          /* the reply arrives */
		CHECK(icmp_ping_recv(p, &r));
		CHECK_EQ_INT(r.seq, t);
		CHECK_EQ_INT(r.from, targets[t]);
		CHECK_EQ_INT(r.bytes, 1008);
		CHECK(r.data_ok);
	}
	/* Larger than lo's MTU: fragmented and reassembled on lo too. */
	CHECK_EQ_INT(icmp_ping_send(p, IPV4_ADDR(127, 0, 0, 1), 9, 4000, 0, 0), NET_OK);
	net_tick(sys_now_ms());
	net_tick(sys_now_ms());
	CHECK(icmp_ping_recv(p, &r));
	CHECK_EQ_INT(r.bytes, 4008);
	CHECK(r.data_ok);
	CHECK_EQ_INT(fx_tx_pending(), 0);  /* nothing went out on eth0 */
	icmp_ping_close(p);
	fx_teardown();
}

static void test_sessions_bounded(void)
{
	struct icmp_ping *p[ICMP_PING_SESSIONS];

	fx_setup();
	for (int i = 0; i < ICMP_PING_SESSIONS; i++)
		p[i] = icmp_ping_open();
	CHECK(icmp_ping_open() == NULL);
	CHECK(icmp_ping_id(p[0]) != icmp_ping_id(p[1]));
	for (int i = 0; i < ICMP_PING_SESSIONS; i++)
		icmp_ping_close(p[i]);
	fx_teardown();
}

int main(void)
{
	check_suite = "net.icmp";
	RUN(test_echo_answered_byte_exact);
	RUN(test_echo_odd_and_empty_data);
	RUN(test_bad_messages_dropped);
	RUN(test_broadcast_echo_ignored);
	RUN(test_port_unreachable_for_udp);
	RUN(test_error_rate_limited);
	RUN(test_never_about);
	RUN(test_errors_delivered_to_udp);
	RUN(test_ping_session);
	RUN(test_ping_unresolved_host);
	RUN(test_ping_loopback);
	RUN(test_sessions_bounded);
	return check_report();
}
