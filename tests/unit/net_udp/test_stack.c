/* UDP and DHCP on the real stack: frames in and out of a fake Ethernet
 * link through ethernet, ARP, IPv4, ICMP and loopback (tests/unit/net's
 * fake platform and link). These check the seams the unit tests fake:
 * that a DHCP exchange works from 0.0.0.0, that an ACK unicast to an
 * address we do not hold yet gets through, that port unreachable and ICMP
 * errors travel both ways, and that checksums agree with IPv4's choices. */
#include <string.h>

#include "net/arp.h"
#include "net/checksum.h"
#include "net/dhcp.h"
#include "net/err.h"
#include "net/ethernet.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "net/loopback.h"
#include "net/netbuf.h"
#include "net/stack.h"
#include "net/udp.h"
#include "net/wire.h"
#include "tests/unit/check.h"
#include "tests/unit/net/fake_link.h"
#include "tests/unit/net/fake_sys.h"
#include "tests/unit/net_udp/dhcp_packets.h"

#define T0 1000000u
#define OUR_IP SLIRP_GUEST
#define PEER_IP IPV4_ADDR(10, 0, 2, 3)

static const uint8_t OUR_MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t SRV_MAC[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const uint8_t PEER_MAC[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x03 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static struct netbuf pool[256];
static struct fake_link eth0;
static long alloc_base;

static void setup(void)
{
	fake_clock_set(T0);
	fake_random_seed(42);
	fake_log_clear();
	netbuf_pool_init(pool, sizeof pool / sizeof pool[0]);
	net_init();
	udp_init();
	dhcp_init();
	fake_link_init(&eth0, "eth0", OUR_MAC);
	netif_register(&eth0.nif);
	alloc_base = fake_alloc_live();
}

static void teardown(void)
{
	dhcp_stop(&eth0.nif);
	udp_init();
	net_reset();
	fake_link_flush(&eth0);
	netif_unregister(&eth0.nif);
	struct netbuf_stats st;
	netbuf_get_stats(&st);
	CHECK_EQ_INT(st.in_use, 0);
	CHECK_EQ_INT(st.bad_frees, 0);
	CHECK_EQ_INT(fake_alloc_live(), alloc_base);
}

static void configure_static(void)
{
	netif_set_ipv4(&eth0.nif, OUR_IP, 0xffffff00u, SLIRP_SERVER, NETIF_ADDR_STATIC);
	fake_link_flush(&eth0); /* the gratuitous ARP */
}

/* ---- frames in ---- */

static size_t put_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(f + ETH_DST, dst, 6);
	memcpy(f + ETH_SRC, src, 6);
	be16_put(f + ETH_TYPE, type);
	return ETH_HLEN;
}

/* A frame carrying payload as UDP sport->dport in IPv4 src->dst. */
static void inject_udp(const uint8_t *dst_mac, const uint8_t *src_mac, uint32_t src, uint32_t dst,
		       uint16_t sport, uint16_t dport, const uint8_t *payload, size_t len)
{
	static uint8_t f[1600];
	size_t n = put_eth(f, dst_mac, src_mac, ETH_P_IPV4);
	uint8_t *ip = f + n, *u = ip + IPV4_HLEN;
	memset(ip, 0, IPV4_HLEN);
	ip[IPV4_VER_IHL] = 0x45;
	be16_put(ip + IPV4_TOTAL_LEN, (uint16_t)(IPV4_HLEN + UDP_HLEN + len));
	ip[IPV4_TTL] = 64;
	ip[IPV4_PROTO] = IPV4_PROTO_UDP;
	be32_put(ip + IPV4_SRC, src);
	be32_put(ip + IPV4_DST, dst);
	be16_put(ip + IPV4_CSUM, csum_compute(ip, IPV4_HLEN));
	be16_put(u + UDP_SPORT, sport);
	be16_put(u + UDP_DPORT, dport);
	be16_put(u + UDP_LEN, (uint16_t)(UDP_HLEN + len));
	be16_put(u + UDP_SUM, 0);
	memcpy(u + UDP_HLEN, payload, len);
	uint16_t sum = udp_checksum(src, dst, u, UDP_HLEN + len);
	be16_put(u + UDP_SUM, sum ? sum : 0xffff);
	fake_link_inject(&eth0, f, n + IPV4_HLEN + UDP_HLEN + len);
}

/* ARP from ip/mac: a reply to us if we asked, else a request for us (which
 * teaches the stack its sender by RFC 826's merge rule). */
static void inject_arp(uint16_t oper, uint32_t ip, const uint8_t *mac)
{
	uint8_t f[60] = { 0 };
	uint8_t *a = f + put_eth(f, oper == ARP_OP_REQUEST ? BCAST : OUR_MAC, mac, ETH_P_ARP);
	be16_put(a + ARP_HTYPE, ARP_HTYPE_ETHERNET);
	be16_put(a + ARP_PTYPE, ETH_P_IPV4);
	a[ARP_HLEN] = 6;
	a[ARP_PLEN] = 4;
	be16_put(a + ARP_OPER, oper);
	memcpy(a + ARP_SHA, mac, 6);
	be32_put(a + ARP_SPA, ip);
	if (oper == ARP_OP_REPLY)
		memcpy(a + ARP_THA, OUR_MAC, 6);
	be32_put(a + ARP_TPA, OUR_IP);
	fake_link_inject(&eth0, f, sizeof f);
}

/* ---- frames out ---- */

struct out_frame {
	uint8_t bytes[1600];
	size_t len;
	uint16_t type;
	struct ipv4_hdr ih;     /* for IPv4 frames */
	const uint8_t *l4;      /* the IPv4 payload */
	size_t l4_len;
};

/* Pop the next transmitted frame into f; false if there is none. */
static bool pop(struct out_frame *f)
{
	struct netbuf *nb = fake_link_pop(&eth0);
	memset(f, 0, sizeof *f);
	if (!nb)
		return false;
	f->len = nb->len < sizeof f->bytes ? nb->len : sizeof f->bytes;
	memcpy(f->bytes, nb->data, f->len);
	netbuf_free(nb);
	f->type = be16_get(f->bytes + ETH_TYPE);
	if (f->type == ETH_P_IPV4 &&
	    ipv4_hdr_parse(f->bytes + ETH_HLEN, f->len - ETH_HLEN, &f->ih) == IPV4_PARSE_OK) {
		f->l4 = f->bytes + ETH_HLEN + f->ih.hlen;
		f->l4_len = f->ih.total_len - f->ih.hlen;
	}
	return true;
}

/* Pop frames until an IPv4 one carrying UDP; its DHCP payload decoded
 * into m when m is non-NULL. */
static bool pop_udp(struct out_frame *f, struct dhcp_msg *m)
{
	while (pop(f)) {
		if (f->type != ETH_P_IPV4 || f->ih.proto != IPV4_PROTO_UDP)
			continue;
		CHECK(f->l4_len >= UDP_HLEN);
		CHECK_EQ_INT(be16_get(f->l4 + UDP_LEN), f->l4_len);
		/* The checksum IPv4's chosen addresses verify. */
		CHECK_EQ_INT(udp_checksum(f->ih.src, f->ih.dst, f->l4, f->l4_len), 0);
		if (m)
			CHECK_EQ_INT(dhcp_parse(f->l4 + UDP_HLEN, f->l4_len - UDP_HLEN, m), DHCP_PARSE_OK);
		return true;
	}
	return false;
}

static void tick_at(uint64_t t)
{
	fake_clock_set(t);
	net_tick(t);
}

/* ---- tests ---- */

static void test_dhcp_over_ethernet(void)
{
	setup();
	CHECK_EQ_INT(dhcp_start(&eth0.nif), NET_OK);
	CHECK(net_next_deadline() <= T0); /* the stack's timer table has DHCP */
	tick_at(T0);

	/* DISCOVER: broadcast frame, 0.0.0.0 -> 255.255.255.255. */
	struct out_frame f;
	struct dhcp_msg m;
	CHECK(pop_udp(&f, &m));
	CHECK_EQ_MEM(f.bytes + ETH_DST, BCAST, 6);
	CHECK_EQ_MEM(f.bytes + ETH_SRC, OUR_MAC, 6);
	CHECK_EQ_INT(f.ih.src, 0);
	CHECK_EQ_INT(f.ih.dst, IPV4_BROADCAST);
	CHECK_EQ_INT(f.ih.ttl, IPV4_DEFAULT_TTL);
	CHECK_EQ_INT(be16_get(f.l4 + UDP_SPORT), DHCP_CLIENT_PORT);
	CHECK_EQ_INT(be16_get(f.l4 + UDP_DPORT), DHCP_SERVER_PORT);
	CHECK_EQ_INT(m.type, DHCP_DISCOVER);

	/* slirp broadcasts its OFFER. */
	uint8_t p[sizeof slirp_offer];
	memcpy(p, slirp_offer, sizeof p);
	be32_put(p + DHCP_XID, m.xid);
	inject_udp(BCAST, SRV_MAC, SLIRP_SERVER, IPV4_BROADCAST, 67, 68, p, sizeof p);
	CHECK(pop_udp(&f, &m));
	CHECK_EQ_INT(m.type, DHCP_REQUEST);
	CHECK_EQ_MEM(f.bytes + ETH_DST, BCAST, 6);
	CHECK_EQ_INT(f.ih.src, 0);

	/* dnsmasq without the broadcast flag unicasts the ACK to the address
	 * it is giving, which we do not hold yet: IPv4 must let it through. */
	p[slirp_ack_type_at] = DHCP_ACK;
	be32_put(p + DHCP_XID, m.xid);
	fake_clock_advance(3);
	inject_udp(OUR_MAC, SRV_MAC, SLIRP_SERVER, SLIRP_GUEST, 67, 68, p, sizeof p);
	struct dhcp_lease l;
	CHECK_EQ_INT(dhcp_status(&eth0.nif, &l), NET_OK);
	CHECK_EQ_INT(l.state, DHCP_BOUND);
	CHECK_EQ_INT(eth0.nif.ip, SLIRP_GUEST);
	CHECK_EQ_INT(eth0.nif.gateway, SLIRP_SERVER);
	CHECK_EQ_INT(eth0.nif.dns[0], SLIRP_DNS);
	/* netif_set_ipv4 announced the address. */
	CHECK(pop(&f) && f.type == ETH_P_ARP);
	CHECK(!pop(&f));

	/* T1 (43200 s): the renewal goes unicast to the server, so ARP first. */
	uint64_t t1 = T0 + 43200000ull;
	tick_at(t1 - 1);
	CHECK(!pop(&f));
	tick_at(t1);
	CHECK(pop(&f) && f.type == ETH_P_ARP);
	CHECK(!pop(&f));
	inject_arp(ARP_OP_REPLY, SLIRP_SERVER, SRV_MAC);
	CHECK(pop_udp(&f, &m));
	CHECK_EQ_MEM(f.bytes + ETH_DST, SRV_MAC, 6);
	CHECK_EQ_INT(f.ih.src, SLIRP_GUEST);
	CHECK_EQ_INT(f.ih.dst, SLIRP_SERVER);
	CHECK_EQ_INT(m.type, DHCP_REQUEST);
	CHECK_EQ_INT(m.ciaddr, SLIRP_GUEST);
	be32_put(p + DHCP_XID, m.xid);
	inject_udp(OUR_MAC, SRV_MAC, SLIRP_SERVER, SLIRP_GUEST, 67, 68, p, sizeof p);
	CHECK_EQ_INT(dhcp_status(&eth0.nif, &l), NET_OK);
	CHECK_EQ_INT(l.state, DHCP_BOUND);
	CHECK_EQ_INT(l.acquired, 2);
	CHECK_EQ_INT(dhcp_get_stats()->rx_ack, 2);
	teardown();
}

static void test_port_unreachable_on_the_wire(void)
{
	setup();
	configure_static();
	inject_arp(ARP_OP_REQUEST, PEER_IP, PEER_MAC);
	fake_link_flush(&eth0); /* our ARP reply */

	static const uint8_t q[] = { 'h', 'i' };
	inject_udp(OUR_MAC, PEER_MAC, PEER_IP, OUR_IP, 5353, 9, q, sizeof q);
	struct out_frame f;
	CHECK(pop(&f));
	CHECK_EQ_INT(f.type, ETH_P_IPV4);
	CHECK_EQ_INT(f.ih.proto, IPV4_PROTO_ICMP);
	CHECK_EQ_INT(f.ih.dst, PEER_IP);
	CHECK_EQ_INT(f.l4[ICMP_TYPE], ICMP_DEST_UNREACH);
	CHECK_EQ_INT(f.l4[ICMP_CODE], ICMP_UNREACH_PORT);
	/* The quote: the offending IPv4 header, then the UDP header. */
	CHECK(f.l4_len >= ICMP_HLEN + IPV4_HLEN + UDP_HLEN);
	const uint8_t *quote = f.l4 + ICMP_HLEN;
	CHECK_EQ_INT(be32_get(quote + IPV4_SRC), PEER_IP);
	CHECK_EQ_INT(be16_get(quote + IPV4_HLEN + UDP_SPORT), 5353);
	CHECK_EQ_INT(be16_get(quote + IPV4_HLEN + UDP_DPORT), 9);
	CHECK_EQ_INT(udp_get_stats()->drops[UDP_DROP_NOPORT], 1);

	/* The same to the subnet broadcast and in a broadcast frame: silence. */
	inject_udp(BCAST, PEER_MAC, PEER_IP, IPV4_ADDR(10, 0, 2, 255), 5353, 9, q, sizeof q);
	inject_udp(BCAST, PEER_MAC, PEER_IP, IPV4_BROADCAST, 5353, 9, q, sizeof q);
	CHECK(!pop(&f));
	CHECK_EQ_INT(udp_get_stats()->drops[UDP_DROP_NOPORT_BC], 2);
	teardown();
}

static void test_icmp_error_reaches_connected_pcb(void)
{
	setup();
	configure_static();
	inject_arp(ARP_OP_REQUEST, PEER_IP, PEER_MAC);
	fake_link_flush(&eth0);

	struct udp_pcb *pcb = udp_pcb_new();
	CHECK_EQ_INT(udp_pcb_connect(pcb, PEER_IP, 53), NET_OK);
	struct netbuf *nb = netbuf_alloc();
	memcpy(netbuf_put(nb, 5), "query", 5);
	CHECK_EQ_INT(udp_pcb_send(pcb, nb), NET_OK);
	struct out_frame f;
	CHECK(pop_udp(&f, NULL));
	CHECK_EQ_INT(f.ih.src, OUR_IP);

	/* The peer answers with port unreachable quoting what we sent. */
	uint8_t fr[200];
	size_t n = put_eth(fr, OUR_MAC, PEER_MAC, ETH_P_IPV4);
	size_t quote = f.ih.hlen + UDP_HLEN;
	uint8_t *ip = fr + n, *ic = ip + IPV4_HLEN;
	memset(ip, 0, IPV4_HLEN);
	ip[IPV4_VER_IHL] = 0x45;
	be16_put(ip + IPV4_TOTAL_LEN, (uint16_t)(IPV4_HLEN + ICMP_HLEN + quote));
	ip[IPV4_TTL] = 64;
	ip[IPV4_PROTO] = IPV4_PROTO_ICMP;
	be32_put(ip + IPV4_SRC, PEER_IP);
	be32_put(ip + IPV4_DST, OUR_IP);
	be16_put(ip + IPV4_CSUM, csum_compute(ip, IPV4_HLEN));
	memset(ic, 0, ICMP_HLEN);
	ic[ICMP_TYPE] = ICMP_DEST_UNREACH;
	ic[ICMP_CODE] = ICMP_UNREACH_PORT;
	memcpy(ic + ICMP_HLEN, f.bytes + ETH_HLEN, quote);
	be16_put(ic + ICMP_CSUM, csum_compute(ic, ICMP_HLEN + quote));
	fake_link_inject(&eth0, fr, n + IPV4_HLEN + ICMP_HLEN + quote);

	CHECK(udp_pcb_readable(pcb));
	struct netbuf *got;
	CHECK_EQ_INT(udp_pcb_recv(pcb, &got, NULL), NET_EPORTUNREACH);
	CHECK_EQ_INT(udp_pcb_recv(pcb, &got, NULL), NET_EAGAIN);
	udp_pcb_free(pcb);
	teardown();
}

static void test_loopback_round_trip(void)
{
	setup();
	configure_static();
	struct udp_pcb *srv = udp_pcb_new(), *cli = udp_pcb_new();
	CHECK_EQ_INT(udp_pcb_bind(srv, 0, 7), NET_OK);
	const uint32_t dsts[] = { IPV4_ADDR(127, 0, 0, 1), OUR_IP };
	for (size_t i = 0; i < 2; i++) {
		struct netbuf *nb = netbuf_alloc();
		memcpy(netbuf_put(nb, 4), "ping", 4);
		CHECK_EQ_INT(udp_pcb_sendto(cli, nb, dsts[i], 7), NET_OK);
		CHECK(!udp_pcb_readable(srv)); /* loopback delivers on the next tick */
		net_tick(sys_now_ms());
		struct netbuf *got = NULL;
		struct udp_rx_info rx;
		CHECK_EQ_INT(udp_pcb_recv(srv, &got, &rx), NET_OK);
		if (!got)
			break;
		CHECK_EQ_INT(got->len, 4);
		CHECK_EQ_MEM(got->data, "ping", 4);
		CHECK_EQ_INT(rx.src_port, udp_pcb_local_port(cli));
		CHECK_EQ_INT(rx.dst_addr, dsts[i]);
		/* Echo it back in the same netbuf. */
		got->data[1] = 'o';
		CHECK_EQ_INT(udp_pcb_sendto(srv, got, rx.src_addr, rx.src_port), NET_OK);
		net_tick(sys_now_ms());
		CHECK_EQ_INT(udp_pcb_recv(cli, &got, &rx), NET_OK);
		if (got) {
			CHECK_EQ_MEM(got->data, "pong", 4);
			netbuf_free(got);
		}
		CHECK_EQ_INT(rx.src_port, 7);
	}
	struct out_frame f;
	CHECK(!pop(&f)); /* nothing left the machine */
	CHECK_EQ_INT(udp_get_stats()->drops[UDP_DROP_BADSUM], 0);
	teardown();
}

int main(void)
{
	check_suite = "net_udp.stack";
	RUN(test_dhcp_over_ethernet);
	RUN(test_port_unreachable_on_the_wire);
	RUN(test_icmp_error_reaches_connected_pcb);
	RUN(test_loopback_round_trip);
	return check_report();
}
