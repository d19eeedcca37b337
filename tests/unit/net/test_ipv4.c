/* IPv4: the validation ladder (one counter per reason), delivery rules,
 * dispatch, routing and output with fragmentation. */
#include "tests/unit/net/net_fixture.h"

/* A UDP datagram 10.0.2.2:53 -> 10.0.2.15:1024 in a minimum-size frame,
 * so 18 bytes of Ethernet padding follow the 28-byte IP datagram. */
static const uint8_t udp_frame[60] = {
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56, /* Ethernet dst: us */
	0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, /* Ethernet src: gateway */
	0x08, 0x00,                         /* IPv4 */
	0x45, 0x00, 0x00, 0x1c,             /* v4, IHL 5, TOS 0, total length 28 */
	0x12, 0x34, 0x00, 0x00,             /* id 0x1234, no flags, offset 0 */
	0x40, 0x11, 0x50, 0x8d,             /* TTL 64, UDP, header checksum 508d */
	0x0a, 0x00, 0x02, 0x02,             /* src 10.0.2.2 */
	0x0a, 0x00, 0x02, 0x0f,             /* dst 10.0.2.15 */
	0x00, 0x35, 0x04, 0x00,             /* UDP: 53 -> 1024 */
	0x00, 0x08, 0x00, 0x00,             /* length 8, no checksum */
	/* 18 bytes of padding (zeros) */
};

static uint8_t frame[1600];

/* A copy of udp_frame whose IP header the test then breaks. */
static uint8_t *ip_of_frame(void)
{
	memset(frame, 0, sizeof frame);
	memcpy(frame, udp_frame, sizeof udp_frame);
	return frame + ETH_HLEN;
}

static void refresh_csum(uint8_t *ip, size_t hlen)
{
	be16_put(ip + IPV4_CSUM, 0);
	be16_put(ip + IPV4_CSUM, csum_compute(ip, hlen));
}

static void test_valid_datagram_delivered_padding_trimmed(void)
{
	fx_setup();
	CHECK_EQ_INT(csum_compute(udp_frame + ETH_HLEN, 20), 0);  /* the vector is valid */
	fake_link_inject(&eth0, udp_frame, sizeof udp_frame);
	CHECK_EQ_INT(stub_udp.inputs, 1);
	CHECK_EQ_INT(stub_udp.last_len, 8);  /* not 26: padding is not payload */
	CHECK_EQ_INT(stub_udp.last_src, GW_IP);
	CHECK_EQ_INT(stub_udp.last_dst, OUR_IP);
	CHECK_EQ_INT(ipv4_stats.rx_delivered, 1);
	fx_teardown();
}

static void test_header_field_matrix(void)
{
	uint8_t *ip;

	fx_setup();
	ip = ip_of_frame();
	ip[0] = 0x65;  /* version 6 */
	refresh_csum(ip, 20);
	fake_link_inject(&eth0, frame, 60);
	CHECK_EQ_INT(ipv4_stats.rx_bad_version, 1);

	ip = ip_of_frame();
	ip[0] = 0x44;  /* IHL 4 */
	fake_link_inject(&eth0, frame, 60);
	CHECK_EQ_INT(ipv4_stats.rx_bad_hlen, 1);

	ip = ip_of_frame();
	ip[0] = 0x4f;  /* IHL 15 = 60 bytes, more than the 46 received */
	fake_link_inject(&eth0, frame, ETH_HLEN + 46);
	CHECK_EQ_INT(ipv4_stats.rx_bad_hlen, 2);

	ip = ip_of_frame();
	be16_put(ip + IPV4_TOTAL_LEN, 19);  /* shorter than the header */
	refresh_csum(ip, 20);
	fake_link_inject(&eth0, frame, 60);
	CHECK_EQ_INT(ipv4_stats.rx_bad_len, 1);

	ip = ip_of_frame();
	be16_put(ip + IPV4_TOTAL_LEN, 47);  /* longer than the 46 bytes received */
	refresh_csum(ip, 20);
	fake_link_inject(&eth0, frame, 60);
	CHECK_EQ_INT(ipv4_stats.rx_bad_len, 2);

	ip = ip_of_frame();
	ip[IPV4_CSUM + 1] ^= 0x01;  /* a flipped bit */
	fake_link_inject(&eth0, frame, 60);
	CHECK_EQ_INT(ipv4_stats.rx_bad_checksum, 1);

	ip_of_frame();
	fake_link_inject(&eth0, frame, ETH_HLEN + 19);  /* truncated header */
	CHECK_EQ_INT(ipv4_stats.rx_short, 1);

	CHECK_EQ_INT(stub_udp.inputs, 0);
	CHECK_EQ_INT(fx_tx_pending(), 0);
	CHECK_EQ_INT(eth0.nif.stats.rx_dropped, 7);
	/* total length shorter than the frame is fine (trimmed). */
	ip = ip_of_frame();
	be16_put(ip + IPV4_TOTAL_LEN, 28);
	fake_link_inject(&eth0, frame, 200);
	CHECK_EQ_INT(stub_udp.inputs, 1);
	CHECK_EQ_INT(stub_udp.last_len, 8);
	fx_teardown();
}

/* Build the UDP datagram again with options (IHL 7) from opts[8]. */
static size_t frame_with_options(const uint8_t opts[8])
{
	uint8_t *ip = ip_of_frame();

	memmove(ip + 28, ip + 20, 8);  /* the UDP header moves up */
	memcpy(ip + 20, opts, 8);
	ip[0] = 0x47;
	be16_put(ip + IPV4_TOTAL_LEN, 36);
	refresh_csum(ip, 28);
	return ETH_HLEN + 36 + 10;
}

static void test_options_skipped_or_refused(void)
{
	static const uint8_t nop_eol[8] = { 1, 1, 1, 0, 0, 0, 0, 0 };         /* NOP NOP NOP EOL */
	static const uint8_t record_route[8] = { 1, 7, 7, 4, 0, 0, 0, 0 };     /* NOP, RR len 7 */
	static const uint8_t len_zero[8] = { 0x44, 0, 0, 0, 0, 0, 0, 0 };      /* timestamp, length 0 */
	static const uint8_t len_one[8] = { 1, 1, 1, 1, 1, 1, 0x83, 1 };       /* LSRR, length 1 */
	static const uint8_t past_end[8] = { 1, 1, 1, 1, 1, 0x83, 7, 4 };      /* LSRR past IHL */
	size_t n;

	fx_setup();
	n = frame_with_options(nop_eol);
	fake_link_inject(&eth0, frame, n);
	n = frame_with_options(record_route);
	fake_link_inject(&eth0, frame, n);
	CHECK_EQ_INT(stub_udp.inputs, 2);
	CHECK_EQ_INT(stub_udp.last_len, 8);
	CHECK_EQ_INT(stub_udp.last_data[0], 0x00);
	CHECK_EQ_INT(stub_udp.last_data[1], 0x35);  /* the UDP header, past the options */
	CHECK_EQ_INT(ipv4_stats.rx_options, 2);
	n = frame_with_options(len_zero);
	fake_link_inject(&eth0, frame, n);
	n = frame_with_options(len_one);
	fake_link_inject(&eth0, frame, n);
	n = frame_with_options(past_end);
	fake_link_inject(&eth0, frame, n);
	CHECK_EQ_INT(ipv4_stats.rx_bad_options, 3);
	CHECK_EQ_INT(stub_udp.inputs, 2);
	fx_teardown();
}

static void inject_udp(uint32_t src, uint32_t dst)
{
	static const uint8_t udp[8] = { 0x00, 0x35, 0x04, 0x00, 0x00, 0x08, 0x00, 0x00 };
	fx_inject_ipv4(src, dst, IPV4_PROTO_UDP, 1, 0, udp, sizeof udp);
}

static void test_addresses_checked(void)
{
	fx_setup();
	inject_udp(0, OUR_IP);
	inject_udp(IPV4_BROADCAST, OUR_IP);
	inject_udp(IPV4_ADDR(10, 0, 2, 255), OUR_IP);  /* our subnet's broadcast */
	inject_udp(IPV4_ADDR(224, 0, 0, 1), OUR_IP);
	CHECK_EQ_INT(ipv4_stats.rx_bad_src, 4);
	inject_udp(IPV4_ADDR(127, 0, 0, 1), OUR_IP);  /* loopback on the wire */
	inject_udp(GW_IP, IPV4_ADDR(127, 0, 0, 1));
	CHECK_EQ_INT(ipv4_stats.rx_martian, 2);
	inject_udp(GW_IP, IPV4_ADDR(10, 0, 2, 16));   /* someone else's */
	CHECK_EQ_INT(ipv4_stats.rx_not_ours, 1);
	inject_udp(GW_IP, IPV4_ADDR(224, 0, 0, 251));
	CHECK_EQ_INT(ipv4_stats.rx_multicast, 1);
	CHECK_EQ_INT(stub_udp.inputs, 0);
	inject_udp(GW_IP, IPV4_BROADCAST);
	inject_udp(GW_IP, IPV4_ADDR(10, 0, 2, 255));
	CHECK_EQ_INT(stub_udp.inputs, 2);  /* broadcasts are ours */
	fx_teardown();
}

static void test_no_address_accepts_any_unicast(void)
{
	fx_setup();
	netif_set_ipv4(&eth0.nif, 0, 0, 0, NETIF_ADDR_NONE);
	/* A DHCP offer unicast to the address being offered. */
	inject_udp(GW_IP, OUR_IP);
	CHECK_EQ_INT(stub_udp.inputs, 1);
	CHECK_EQ_INT(stub_udp.last_dst, OUR_IP);
	inject_udp(GW_IP, IPV4_BROADCAST);
	CHECK_EQ_INT(stub_udp.inputs, 2);
	fx_teardown();
}

static int tcp_seen;
static void fake_tcp_input(struct netif *nif, struct netbuf *nb, const struct ipv4_hdr *ih)
{
	(void)nif;
	(void)ih;
	tcp_seen++;
	netbuf_free(nb);
}

static void test_tcp_counted_until_registered(void)
{
	static const uint8_t seg[20] = { 0x00, 0x50, 0xc0, 0x00 };

	fx_setup();
	fx_inject_ipv4(GW_IP, OUR_IP, IPV4_PROTO_TCP, 1, 0, seg, sizeof seg);
	CHECK_EQ_INT(ipv4_stats.rx_tcp_no_handler, 1);
	CHECK_EQ_INT(fx_tx_pending(), 0);  /* no ICMP, no RST: just counted */
	ipv4_set_protocol(IPV4_PROTO_TCP, fake_tcp_input, NULL);
	fx_inject_ipv4(GW_IP, OUR_IP, IPV4_PROTO_TCP, 2, 0, seg, sizeof seg);
	CHECK_EQ_INT(tcp_seen, 1);
	ipv4_set_protocol(IPV4_PROTO_TCP, NULL, NULL);
	fx_inject_ipv4(GW_IP, OUR_IP, IPV4_PROTO_TCP, 3, 0, seg, sizeof seg);
	CHECK_EQ_INT(tcp_seen, 1);
	CHECK_EQ_INT(ipv4_stats.rx_tcp_no_handler, 2);
	fx_teardown();
}

/* IP-in-IP (4) is not spoken: protocol unreachable, quoting only the
 * header and 8 bytes that were really received. */
static void test_unknown_protocol_unreachable(void)
{
	uint8_t payload[40];
	struct netbuf *nb;
	const uint8_t *ip, *icmp;

	fx_setup();
	fx_learn(GW_IP, GW_MAC);
	for (int i = 0; i < 40; i++)
		payload[i] = (uint8_t)(0x80 + i);
	fx_inject_ipv4(GW_IP, OUR_IP, 4, 0x77, 0, payload, sizeof payload);
	CHECK_EQ_INT(ipv4_stats.rx_unknown_proto, 1);
	nb = fx_pop();
	CHECK(nb != NULL);
	if (nb) {
		ip = nb->data + ETH_HLEN;
		icmp = ip + 20;
		CHECK_EQ_MEM(nb->data, GW_MAC, 6);
		CHECK_EQ_INT(ip[IPV4_PROTO], IPV4_PROTO_ICMP);
		CHECK_EQ_INT(be32_get(ip + IPV4_SRC), OUR_IP);
		CHECK_EQ_INT(be32_get(ip + IPV4_DST), GW_IP);
		CHECK_EQ_INT(be16_get(ip + IPV4_TOTAL_LEN), 20 + 8 + 20 + 8);
		CHECK_EQ_INT(icmp[0], ICMP_DEST_UNREACH);
		CHECK_EQ_INT(icmp[1], ICMP_UNREACH_PROTO);
		CHECK_EQ_INT(csum_compute(icmp, 36), 0);
		CHECK_EQ_INT(be16_get(icmp + 8 + IPV4_ID), 0x77);  /* the quoted header */
		CHECK_EQ_INT(icmp[8 + 20], 0x80);
		CHECK_EQ_INT(icmp[8 + 27], 0x87);
		netbuf_free(nb);
	}
	fx_teardown();
}

static void test_routing(void)
{
	struct netif *nif;
	uint32_t hop;

	fx_setup();
	CHECK_EQ_INT(ipv4_route(PEER_IP, &nif, &hop), NET_OK);
	CHECK(nif == &eth0.nif && hop == PEER_IP);          /* on-link */
	CHECK_EQ_INT(ipv4_route(FAR_IP, &nif, &hop), NET_OK);
	CHECK(nif == &eth0.nif && hop == GW_IP);            /* via the gateway */
	CHECK_EQ_INT(ipv4_route(IPV4_ADDR(127, 1, 2, 3), &nif, &hop), NET_OK);
	CHECK(nif == loopback_netif() && hop == IPV4_ADDR(127, 1, 2, 3));
	CHECK_EQ_INT(ipv4_route(OUR_IP, &nif, &hop), NET_OK);
	CHECK(nif == loopback_netif());                     /* ourselves: through lo */
	CHECK_EQ_INT(ipv4_route(IPV4_BROADCAST, &nif, &hop), NET_OK);
	CHECK(nif == &eth0.nif);
	netif_set_ipv4(&eth0.nif, OUR_IP, OUR_MASK, 0, NETIF_ADDR_STATIC);
	fake_link_flush(&eth0);
	CHECK_EQ_INT(ipv4_route(FAR_IP, &nif, &hop), NET_ENETUNREACH);  /* no gateway */
	CHECK_EQ_INT(ipv4_route(PEER_IP, &nif, &hop), NET_OK);
	fx_teardown();
}

static void test_output_header(void)
{
	struct netbuf *nb;
	const uint8_t *ip;
	uint16_t id1 = 0;

	fx_setup();
	fx_learn(GW_IP, GW_MAC);
	for (int i = 0; i < 2; i++) {
		nb = netbuf_alloc();
		memset(netbuf_put(nb, 30), 0x11, 30);
		CHECK_EQ_INT(ipv4_output_flags(NULL, nb, 0, FAR_IP, IPV4_PROTO_UDP, 0,
					       i ? IPV4_OUT_DF : 0), NET_OK);
		nb = fx_pop();
		CHECK(nb != NULL);
		if (!nb)
			break;
		ip = nb->data + ETH_HLEN;
		CHECK_EQ_MEM(nb->data, GW_MAC, 6);               /* next hop: the gateway */
		CHECK_EQ_INT(ip[0], 0x45);
		CHECK_EQ_INT(be16_get(ip + IPV4_TOTAL_LEN), 50);
		CHECK_EQ_INT(ip[IPV4_TTL], IPV4_DEFAULT_TTL);
		CHECK_EQ_INT(ip[IPV4_PROTO], IPV4_PROTO_UDP);
		CHECK_EQ_INT(be32_get(ip + IPV4_SRC), OUR_IP);
		CHECK_EQ_INT(be32_get(ip + IPV4_DST), FAR_IP);  /* the destination itself */
		CHECK_EQ_INT(be16_get(ip + IPV4_FLAGS_FRAG), i ? IPV4_FLAG_DF : 0);
		CHECK_EQ_INT(csum_compute(ip, 20), 0);
		if (i == 0)
			id1 = be16_get(ip + IPV4_ID);
		else
			CHECK_EQ_INT(be16_get(ip + IPV4_ID), (uint16_t)(id1 + 1));
		netbuf_free(nb);
	}
	fx_teardown();
}

/* DHCP's way out: from 0.0.0.0 to 255.255.255.255 on a given interface. */
static void test_output_if_broadcast(void)
{
	struct netbuf *nb;

	fx_setup();
	netif_set_ipv4(&eth0.nif, 0, 0, 0, NETIF_ADDR_NONE);
	nb = netbuf_alloc();
	netbuf_put(nb, 300);
	CHECK_EQ_INT(ipv4_output_if(&eth0.nif, nb, 0, IPV4_BROADCAST, IPV4_PROTO_UDP, 0), NET_OK);
	nb = fx_pop();
	CHECK(nb != NULL);
	if (nb) {
		CHECK_EQ_MEM(nb->data, BCAST_MAC, 6);
		CHECK_EQ_INT(be32_get(nb->data + ETH_HLEN + IPV4_SRC), 0);
		CHECK_EQ_INT(be32_get(nb->data + ETH_HLEN + IPV4_DST), IPV4_BROADCAST);
		netbuf_free(nb);
	}
	fx_teardown();
}

static void test_output_fragments(void)
{
	uint8_t data[3000], got[3000] = { 0 };
	struct netbuf *nb;
	uint16_t id = 0;
	size_t total = 0;
	int frags = 0;

	fx_setup();
	fx_learn(PEER_IP, PEER_MAC);
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7);
	nb = netbuf_alloc_large(sizeof data);
	memcpy(netbuf_put(nb, sizeof data), data, sizeof data);
	CHECK_EQ_INT(ipv4_output(nb, 0, PEER_IP, IPV4_PROTO_UDP, 0), NET_OK);
	while ((nb = fx_pop())) {
		const uint8_t *ip = nb->data + ETH_HLEN;
		uint16_t ff = be16_get(ip + IPV4_FLAGS_FRAG), len = be16_get(ip + IPV4_TOTAL_LEN);
		size_t off = (size_t)(ff & IPV4_FRAG_MASK) * 8;

		CHECK_EQ_INT(csum_compute(ip, 20), 0);
		CHECK(len <= eth0.nif.mtu);
		if (frags == 0)
			id = be16_get(ip + IPV4_ID);
		CHECK_EQ_INT(be16_get(ip + IPV4_ID), id);
		CHECK_EQ_INT(off, frags * 1480);
		CHECK_EQ_INT(!!(ff & IPV4_FLAG_MF), frags < 2);
		if (off + len - 20 <= sizeof got)
			memcpy(got + off, ip + 20, len - 20u);
		total += len - 20u;
		frags++;
		netbuf_free(nb);
	}
	CHECK_EQ_INT(frags, 3);
	CHECK_EQ_INT(total, sizeof data);
	CHECK_EQ_MEM(got, data, sizeof data);
	CHECK_EQ_INT(ipv4_stats.tx_fragments, 3);
	/* Don't Fragment and too big: refused. */
	nb = netbuf_alloc_large(sizeof data);
	netbuf_put(nb, sizeof data);
	CHECK_EQ_INT(ipv4_output_flags(NULL, nb, 0, PEER_IP, IPV4_PROTO_UDP, 0, IPV4_OUT_DF),
		     NET_EMSGSIZE);
	/* Exactly the MTU: one datagram. */
	nb = netbuf_alloc();
	netbuf_put(nb, 1480);
	CHECK_EQ_INT(ipv4_output_flags(NULL, nb, 0, PEER_IP, IPV4_PROTO_UDP, 0, IPV4_OUT_DF), NET_OK);
	CHECK_EQ_INT(fx_tx_pending(), 1);
	fx_teardown();
}

static void test_address_text(void)
{
	uint32_t a = 0;
	char buf[16];

	CHECK_EQ_INT(ipv4_parse_addr("10.0.2.15", &a), 0);
	CHECK_EQ_INT(a, OUR_IP);
	CHECK_EQ_INT(ipv4_parse_addr("255.255.255.255", &a), 0);
	CHECK_EQ_INT(a, IPV4_BROADCAST);
	CHECK_EQ_INT(ipv4_parse_addr("256.0.0.1", &a), -1);
	CHECK_EQ_INT(ipv4_parse_addr("1.2.3", &a), -1);
	CHECK_EQ_INT(ipv4_parse_addr("1.2.3.4.5", &a), -1);
	CHECK_EQ_INT(ipv4_parse_addr("1..3.4", &a), -1);
	CHECK_EQ_INT(ipv4_parse_addr("1.2.3.4 ", &a), -1);
	CHECK_EQ_INT(ipv4_parse_addr("0001.2.3.4", &a), -1);
	CHECK_EQ_INT(ipv4_parse_addr("", &a), -1);
	CHECK_EQ_STR(ipv4_format_addr(IPV4_ADDR(198, 51, 100, 10), buf), "198.51.100.10");
	CHECK_EQ_STR(ipv4_format_addr(0, buf), "0.0.0.0");
	CHECK_EQ_STR(ipv4_format_addr(IPV4_BROADCAST, buf), "255.255.255.255");
}

int main(void)
{
	check_suite = "net.ipv4";
	RUN(test_valid_datagram_delivered_padding_trimmed);
	RUN(test_header_field_matrix);
	RUN(test_options_skipped_or_refused);
	RUN(test_addresses_checked);
	RUN(test_no_address_accepts_any_unicast);
	RUN(test_tcp_counted_until_registered);
	RUN(test_unknown_protocol_unreachable);
	RUN(test_routing);
	RUN(test_output_header);
	RUN(test_output_if_broadcast);
	RUN(test_output_fragments);
	RUN(test_address_text);
	return check_report();
}
