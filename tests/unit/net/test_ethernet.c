/* Ethernet framing and the interface calls: what is accepted, what is
 * dropped and counted, what goes out. */
#include "tests/unit/net/net_fixture.h"

static void test_too_short_dropped(void)
{
	static const uint8_t runt[10] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0, 0, 0, 0 };

	fx_setup();
	fake_link_inject(&eth0, runt, sizeof runt);
	CHECK_EQ_INT(eth_stats.rx_short, 1);
	CHECK_EQ_INT(eth0.nif.stats.rx_dropped, 1);
	CHECK_EQ_INT(eth0.nif.stats.rx_packets, 1);
	CHECK_EQ_INT(eth0.nif.stats.rx_bytes, 10);
	fake_link_inject(&eth0, runt, 0);  /* an empty frame, too */
	CHECK_EQ_INT(eth_stats.rx_short, 2);
	fx_teardown();
}

static void test_other_mac_dropped(void)
{
	uint8_t f[60] = {
		0x52, 0x54, 0x00, 0x12, 0x34, 0x57, /* dst: not us (last byte differs) */
		0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, /* src: the gateway */
		0x08, 0x06,                         /* ARP */
	};

	fx_setup();
	fake_link_inject(&eth0, f, sizeof f);
	CHECK_EQ_INT(eth_stats.rx_not_ours, 1);
	CHECK_EQ_INT(arp_stats.rx_packets, 0);
	fx_teardown();
}

static void test_broadcast_and_unknown_type(void)
{
	uint8_t f[60] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* broadcast */
		0x52, 0x55, 0x0a, 0x00, 0x02, 0x02,
		0x86, 0xdd,                         /* IPv6: not spoken here */
	};

	fx_setup();
	fake_link_inject(&eth0, f, sizeof f);
	CHECK_EQ_INT(eth_stats.rx_broadcast, 1);
	CHECK_EQ_INT(eth_stats.rx_unknown_type, 1);
	memcpy(f, OUR_MAC, 6);
	be16_put(f + 12, 0x0042);  /* an 802.3 length field, not an EtherType */
	fake_link_inject(&eth0, f, sizeof f);
	CHECK_EQ_INT(eth_stats.rx_unknown_type, 2);
	fx_teardown();
}

static void test_multicast_dropped(void)
{
	uint8_t f[60] = {
		0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb, /* 224.0.0.251 (mDNS) group MAC */
		0x52, 0x55, 0x0a, 0x00, 0x02, 0x02,
		0x08, 0x00,
	};

	fx_setup();
	fake_link_inject(&eth0, f, sizeof f);
	CHECK_EQ_INT(eth_stats.rx_multicast, 1);
	CHECK_EQ_INT(ipv4_stats.rx_packets, 0);
	fx_teardown();
}

/* D2: frames longer than an untagged 802.3 frame (QEMU's e1000 hands up
 * to 1522 bytes with RCTL.LPE clear) are giants: dropped and counted
 * before any layer reads them. 1514 bytes is still a frame. */
static void test_giant_dropped(void)
{
	static uint8_t f[1522];

	fx_setup();
	memcpy(f, OUR_MAC, 6);
	memcpy(f + 6, PEER_MAC, 6);
	be16_put(f + 12, ETH_P_ARP);
	fake_link_inject(&eth0, f, ETH_FRAME_MAX + 1);
	fake_link_inject(&eth0, f, sizeof f);
	CHECK_EQ_INT(eth_stats.rx_oversize, 2);
	CHECK_EQ_INT(eth0.nif.stats.rx_dropped, 2);
	CHECK_EQ_INT(arp_stats.rx_packets, 0);
	fake_link_inject(&eth0, f, ETH_FRAME_MAX);
	CHECK_EQ_INT(eth_stats.rx_oversize, 2);
	CHECK_EQ_INT(arp_stats.rx_packets, 1);   /* reached ARP (and failed there) */
	fx_teardown();
}

static void test_output_pads_short_frames(void)
{
	struct netbuf *nb, *out;

	fx_setup();
	nb = netbuf_alloc();
	memset(netbuf_put(nb, 28), 0x77, 28);
	CHECK_EQ_INT(eth_output(&eth0.nif, nb, PEER_MAC, ETH_P_ARP), NET_OK);
	out = fx_pop();
	CHECK(out != NULL);
	if (out) {
		CHECK_EQ_INT(out->len, ETH_ZLEN);
		CHECK_EQ_MEM(out->data + ETH_DST, PEER_MAC, 6);
		CHECK_EQ_MEM(out->data + ETH_SRC, OUR_MAC, 6);
		CHECK_EQ_INT(be16_get(out->data + ETH_TYPE), ETH_P_ARP);
		CHECK_EQ_INT(out->data[ETH_HLEN + 27], 0x77);
		for (int i = ETH_HLEN + 28; i < ETH_ZLEN; i++)
			CHECK_EQ_INT(out->data[i], 0);  /* padding is zeros */
		netbuf_free(out);
	}
	nb = netbuf_alloc();
	netbuf_put(nb, 1000);
	eth_output(&eth0.nif, nb, PEER_MAC, ETH_P_IPV4);
	out = fx_pop();
	CHECK(out && out->len == 1014);  /* long enough: not padded */
	netbuf_free(out);
	CHECK_EQ_INT(eth0.nif.stats.tx_packets, 2);
	CHECK_EQ_INT(eth0.nif.stats.tx_bytes, 60 + 1014);
	fx_teardown();
}

static void test_output_failures(void)
{
	struct netbuf *nb;

	fx_setup();
	nb = netbuf_alloc_rx();  /* no headroom for a header */
	netbuf_put(nb, 50);
	CHECK_EQ_INT(eth_output(&eth0.nif, nb, PEER_MAC, ETH_P_IPV4), NET_ENOMEM);
	CHECK_EQ_INT(eth_stats.tx_no_headroom, 1);
	eth0.tx_result = NET_EAGAIN;  /* the driver's ring is full */
	nb = netbuf_alloc();
	netbuf_put(nb, 50);
	CHECK_EQ_INT(eth_output(&eth0.nif, nb, PEER_MAC, ETH_P_IPV4), NET_EAGAIN);
	CHECK_EQ_INT(eth0.nif.stats.tx_dropped, 2);
	CHECK_EQ_INT(fx_tx_pending(), 0);
	fx_teardown();
}

/* netif_set_ipv4 announces the address: a gratuitous ARP request. */
static void test_gratuitous_arp_on_bind(void)
{
	static const uint8_t expect[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* to everyone */
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56, /* from us */
		0x08, 0x06,                         /* ARP */
		0x00, 0x01, 0x08, 0x00,             /* Ethernet, IPv4 */
		0x06, 0x04, 0x00, 0x01,             /* hlen 6, plen 4, request */
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56, /* sender MAC: us */
		0x0a, 0x00, 0x02, 0x63,             /* sender IP: 10.0.2.99 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC: unknown */
		0x0a, 0x00, 0x02, 0x63,             /* target IP: the same address */
	};
	struct netbuf *nb;

	fx_setup();
	netif_set_ipv4(&eth0.nif, IPV4_ADDR(10, 0, 2, 99), OUR_MASK, GW_IP, NETIF_ADDR_DHCP);
	CHECK_EQ_INT(eth0.nif.addr_source, NETIF_ADDR_DHCP);
	nb = fx_pop();
	CHECK(nb != NULL);
	if (nb) {
		CHECK_EQ_INT(nb->len, 60);
		CHECK_EQ_MEM(nb->data, expect, sizeof expect);
		netbuf_free(nb);
	}
	/* Unbinding (address 0) announces nothing. */
	netif_set_ipv4(&eth0.nif, 0, 0, 0, NETIF_ADDR_DHCP);
	CHECK_EQ_INT(eth0.nif.addr_source, NETIF_ADDR_NONE);
	CHECK_EQ_INT(fx_tx_pending(), 0);
	fx_teardown();
}

static void test_link_down_up(void)
{
	uint8_t mac[6];
	struct netbuf *nb;

	fx_setup();
	fx_learn(PEER_IP, PEER_MAC);
	CHECK(arp_lookup(&eth0.nif, PEER_IP, mac));
	netif_set_link(&eth0.nif, false);
	CHECK(!arp_lookup(&eth0.nif, PEER_IP, mac));  /* neighbours forgotten */
	CHECK(netif_default() == NULL);
	nb = netbuf_alloc();
	netbuf_put(nb, 10);
	CHECK_EQ_INT(ipv4_output(nb, 0, PEER_IP, 17, 0), NET_ENETUNREACH);
	netif_set_link(&eth0.nif, true);
	CHECK_EQ_INT(fx_tx_pending(), 1);  /* announced again */
	CHECK(netif_default() == &eth0.nif);
	fx_teardown();
}

static void test_interface_list(void)
{
	fx_setup();
	CHECK(netif_find("eth0") == &eth0.nif);
	CHECK(netif_find("lo") == loopback_netif());
	CHECK(netif_find("eth1") == NULL);
	CHECK(netif_list() == loopback_netif());  /* registered first by net_init */
	CHECK(netif_default() == &eth0.nif);      /* never lo */
	netif_register(&eth0.nif);                /* twice: no loop in the list */
	CHECK(eth0.nif.next == NULL);
	fx_teardown();
}

int main(void)
{
	check_suite = "net.ethernet";
	RUN(test_too_short_dropped);
	RUN(test_other_mac_dropped);
	RUN(test_broadcast_and_unknown_type);
	RUN(test_multicast_dropped);
	RUN(test_giant_dropped);
	RUN(test_output_pads_short_frames);
	RUN(test_output_failures);
	RUN(test_gratuitous_arp_on_bind);
	RUN(test_link_down_up);
	RUN(test_interface_list);
	return check_report();
}
