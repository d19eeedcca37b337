/* UDP host tests: the wire format from annotated bytes, then endpoints,
 * demultiplexing, ICMP both ways. Every case ends with the netbuf pool
 * back to empty. */
#include <string.h>

#include "net/err.h"
#include "net/udp.h"
#include "net/wire.h"
#include "tests/unit/check.h"
#include "tests/unit/net_udp/fake_env.h"

#define ETH0_IP IPV4_ADDR(10, 0, 2, 15)
#define DNS_IP IPV4_ADDR(10, 0, 2, 3)

/* 10.0.2.15:49152 -> 10.0.2.3:53, payload "pigeon". The checksum was
 * computed independently (RFC 1071 over pseudo-header + datagram). */
static const uint8_t udp_pigeon[] = {
	0xc0, 0x00,                         /* source port 49152 */
	0x00, 0x35,                         /* destination port 53 */
	0x00, 0x0e,                         /* length 14 = 8 + 6 */
	0xe0, 0x4d,                         /* checksum */
	'p', 'i', 'g', 'e', 'o', 'n',       /* payload */
};

static void configure_eth0(void)
{
	fake_nif.ip = ETH0_IP;
	fake_nif.netmask = 0xffffff00u;
	fake_nif.gateway = IPV4_ADDR(10, 0, 2, 2);
	fake_nif.addr_source = NETIF_ADDR_STATIC;
}

/* Feed a copy of bytes to udp_input as if from src to dst on eth0. */
static void inject(const uint8_t *bytes, size_t len, uint32_t src, uint32_t dst, uint16_t flags)
{
	struct netbuf *nb = fake_nb(bytes, len);
	nb->flags = flags;
	struct ipv4_hdr ih = fake_ih(src, dst, len);
	udp_input(&fake_nif, nb, &ih);
}

/* A datagram from sport to dport with payload, checksummed for src->dst. */
static size_t make_dgram(uint8_t *out, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
			 const char *payload)
{
	size_t n = strlen(payload);
	be16_put(out + UDP_SPORT, sport);
	be16_put(out + UDP_DPORT, dport);
	be16_put(out + UDP_LEN, (uint16_t)(UDP_HLEN + n));
	be16_put(out + UDP_SUM, 0);
	memcpy(out + UDP_HLEN, payload, n);
	uint16_t sum = udp_checksum(src, dst, out, UDP_HLEN + n);
	be16_put(out + UDP_SUM, sum ? sum : 0xffff);
	return UDP_HLEN + n;
}

static uint64_t drops(enum udp_drop why)
{
	return udp_get_stats()->drops[why];
}

static void test_decode(void)
{
	fake_reset();
	struct udp_hdr h;
	CHECK_EQ_INT(udp_parse(udp_pigeon, sizeof udp_pigeon, &h), UDP_DROP_NONE);
	CHECK_EQ_INT(h.sport, 49152);
	CHECK_EQ_INT(h.dport, 53);
	CHECK_EQ_INT(h.len, 14);
	CHECK_EQ_INT(h.sum, 0xe04d);
	CHECK_EQ_INT(udp_checksum(ETH0_IP, DNS_IP, udp_pigeon, sizeof udp_pigeon), 0);
	CHECK(fake_teardown_clean());
}

static void test_encode(void)
{
	fake_reset();
	configure_eth0();
	struct netbuf *nb = fake_nb("pigeon", 6);
	CHECK_EQ_INT(udp_output(nb, 0, 49152, DNS_IP, 53), NET_OK);
	struct fake_sent s;
	CHECK(fake_sent_pop(&s));
	CHECK(s.routed);
	CHECK_EQ_INT(s.src, ETH0_IP); /* src 0 resolved by the route, as the checksum needs */
	CHECK_EQ_INT(s.dst, DNS_IP);
	CHECK_EQ_INT(s.proto, IPV4_PROTO_UDP);
	CHECK_EQ_INT(s.nb->len, sizeof udp_pigeon);
	CHECK_EQ_MEM(s.nb->data, udp_pigeon, sizeof udp_pigeon);
	netbuf_free(s.nb);
	CHECK_EQ_INT(udp_get_stats()->out_datagrams, 1);
	CHECK(fake_teardown_clean());
}

static void test_impossible_length(void)
{
	fake_reset();
	configure_eth0();
	struct udp_pcb *pcb = udp_pcb_new();
	CHECK_EQ_INT(udp_pcb_bind(pcb, 0, 53), NET_OK);
	uint8_t b[sizeof udp_pigeon];
	struct udp_hdr h;

	/* Shorter than a header. */
	CHECK_EQ_INT(udp_parse(udp_pigeon, 7, &h), UDP_DROP_SHORT);
	inject(udp_pigeon, 7, ETH0_IP, DNS_IP, 0);
	CHECK_EQ_INT(drops(UDP_DROP_SHORT), 1);

	/* Length field 7: less than the header itself. */
	memcpy(b, udp_pigeon, sizeof b);
	be16_put(b + UDP_LEN, 7);
	CHECK_EQ_INT(udp_parse(b, sizeof b, &h), UDP_DROP_BADLEN);
	/* Length field 15: one more byte than the IP payload holds. */
	be16_put(b + UDP_LEN, 15);
	CHECK_EQ_INT(udp_parse(b, sizeof b, &h), UDP_DROP_BADLEN);
	inject(b, sizeof b, ETH0_IP, DNS_IP, 0);
	/* Length field 0xffff. */
	be16_put(b + UDP_LEN, 0xffff);
	inject(b, sizeof b, ETH0_IP, DNS_IP, 0);
	CHECK_EQ_INT(drops(UDP_DROP_BADLEN), 2);
	CHECK_EQ_INT(udp_get_stats()->in_datagrams, 0);
	CHECK(!udp_pcb_readable(pcb));
	CHECK(fake_teardown_clean());
}

static void test_trailing_bytes_trimmed(void)
{
	fake_reset();
	configure_eth0();
	struct udp_pcb *pcb = udp_pcb_new();
	CHECK_EQ_INT(udp_pcb_bind(pcb, 0, 53), NET_OK);
	/* The IP payload carries 4 bytes past the UDP length: not data. */
	uint8_t b[sizeof udp_pigeon + 4];
	memcpy(b, udp_pigeon, sizeof udp_pigeon);
	memcpy(b + sizeof udp_pigeon, "JUNK", 4);
	inject(b, sizeof b, ETH0_IP, DNS_IP, 0);
	struct netbuf *nb;
	CHECK_EQ_INT(udp_pcb_recv(pcb, &nb, NULL), NET_OK);
	if (nb) {
		CHECK_EQ_INT(nb->len, 6);
		CHECK_EQ_MEM(nb->data, "pigeon", 6);
		netbuf_free(nb);
	}
	CHECK(fake_teardown_clean());
}

static void test_bad_checksum(void)
{
	fake_reset();
	configure_eth0();
	struct udp_pcb *pcb = udp_pcb_new();
	CHECK_EQ_INT(udp_pcb_bind(pcb, 0, 53), NET_OK);
	uint8_t b[sizeof udp_pigeon];
	memcpy(b, udp_pigeon, sizeof b);
	b[UDP_HLEN + 2] ^= 0x01; /* one flipped payload bit */
	inject(b, sizeof b, ETH0_IP, DNS_IP, 0);
	/* Right bytes, wrong pseudo-header: another source address. */
	inject(udp_pigeon, sizeof udp_pigeon, ETH0_IP + 1, DNS_IP, 0);
	CHECK_EQ_INT(drops(UDP_DROP_BADSUM), 2);
	CHECK(!udp_pcb_readable(pcb));
	/* The original verifies and is delivered. */
	inject(udp_pigeon, sizeof udp_pigeon, ETH0_IP, DNS_IP, 0);
	CHECK(udp_pcb_readable(pcb));
	CHECK(fake_teardown_clean());
}

static void test_zero_checksum_accepted(void)
{
	fake_reset();
	configure_eth0();
	struct udp_pcb *pcb = udp_pcb_new();
	CHECK_EQ_INT(udp_pcb_bind(pcb, 0, 53), NET_OK);
	uint8_t b[sizeof udp_pigeon];
	memcpy(b, udp_pigeon, sizeof b);
	be16_put(b + UDP_SUM, 0); /* "no checksum" (RFC 768) */
	b[UDP_HLEN] = 'P';        /* so not even the payload matches the old sum */
	inject(b, sizeof b, ETH0_IP, DNS_IP, 0);
	struct netbuf *nb;
	struct udp_rx_info rx;
	CHECK_EQ_INT(udp_pcb_recv(pcb, &nb, &rx), NET_OK);
	if (nb) {
		CHECK_EQ_MEM(nb->data, "Pigeon", 6);
		netbuf_free(nb);
	}
	CHECK_EQ_INT(rx.src_addr, ETH0_IP);
	CHECK_EQ_INT(rx.src_port, 49152);
	CHECK_EQ_INT(rx.dst_port, 53);
	CHECK(rx.nif == &fake_nif);
	CHECK(fake_teardown_clean());
}

static void test_zero_sum_sent_as_ffff(void)
{
	fake_reset();
	configure_eth0();
	/* Two payload bytes set to the checksum of the datagram with them
	 * zero make the sum come out as 0, which must go out as 0xffff. */
	uint8_t pay[2] = { 0, 0 };
	CHECK_EQ_INT(udp_output(fake_nb(pay, 2), ETH0_IP, 1000, DNS_IP, 2000), NET_OK);
	struct fake_sent s;
	CHECK(fake_sent_pop(&s));
	uint16_t c = be16_get(s.nb->data + UDP_SUM);
	netbuf_free(s.nb);
	be16_put(pay, c);
	CHECK_EQ_INT(udp_output(fake_nb(pay, 2), ETH0_IP, 1000, DNS_IP, 2000), NET_OK);
	CHECK(fake_sent_pop(&s));
	CHECK_EQ_INT(be16_get(s.nb->data + UDP_SUM), 0xffff);
	/* And 0xffff verifies on receipt. */
	CHECK_EQ_INT(udp_checksum(ETH0_IP, DNS_IP, s.nb->data, s.nb->len), 0);
	netbuf_free(s.nb);
	CHECK(fake_teardown_clean());
}

static void test_port_unreachable_for_closed_port(void)
{
	fake_reset();
	configure_eth0();
	inject(udp_pigeon, sizeof udp_pigeon, ETH0_IP, DNS_IP, 0);
	CHECK_EQ_INT(fake_icmp_count(), 1);
	const struct fake_icmp *ic = fake_icmp_last();
	if (ic) {
		CHECK_EQ_INT(ic->code, 3); /* port unreachable */
		CHECK_EQ_INT(ic->about_src, ETH0_IP);
		CHECK_EQ_INT(ic->about_dst, DNS_IP);
		CHECK(ic->nif == &fake_nif);
	}
	CHECK_EQ_INT(drops(UDP_DROP_NOPORT), 1);
	CHECK(fake_teardown_clean());
}

static void test_no_port_unreachable_for_broadcast(void)
{
	fake_reset();
	configure_eth0();
	uint8_t b[64];
	const uint32_t peer = IPV4_ADDR(10, 0, 2, 7);
	/* Limited broadcast, subnet broadcast, multicast, and a unicast
	 * address that came in a link-layer broadcast frame. */
	size_t n = make_dgram(b, peer, IPV4_BROADCAST, 1234, 9, "x");
	inject(b, n, peer, IPV4_BROADCAST, 0);
	n = make_dgram(b, peer, IPV4_ADDR(10, 0, 2, 255), 1234, 9, "x");
	inject(b, n, peer, IPV4_ADDR(10, 0, 2, 255), 0);
	n = make_dgram(b, peer, IPV4_ADDR(224, 0, 0, 251), 1234, 9, "x");
	inject(b, n, peer, IPV4_ADDR(224, 0, 0, 251), NETBUF_F_MULTICAST);
	n = make_dgram(b, peer, ETH0_IP, 1234, 9, "x");
	inject(b, n, peer, ETH0_IP, NETBUF_F_BROADCAST);
	CHECK_EQ_INT(fake_icmp_count(), 0);
	CHECK_EQ_INT(drops(UDP_DROP_NOPORT_BC), 4);
	CHECK(fake_teardown_clean());
}

/* The ephemeral port the generator seeded with seed picks first; leaves
 * the generator seeded with seed again. */
static uint16_t next_ephemeral(uint32_t seed)
{
	fake_random_seed(seed);
	uint16_t p = (uint16_t)(UDP_EPHEMERAL_MIN + sys_random32() % (UDP_EPHEMERAL_MAX - UDP_EPHEMERAL_MIN + 1));
	fake_random_seed(seed);
	return p;
}

static void test_ephemeral_distinct_in_range(void)
{
	fake_reset();
	struct udp_pcb *pcbs[UDP_PCB_MAX];
	for (int i = 0; i < UDP_PCB_MAX; i++) {
		pcbs[i] = udp_pcb_new();
		CHECK(pcbs[i] != NULL);
		if (!pcbs[i])
			break;
		CHECK_EQ_INT(udp_pcb_bind(pcbs[i], 0, 0), NET_OK);
		uint16_t p = udp_pcb_local_port(pcbs[i]);
		CHECK(p >= UDP_EPHEMERAL_MIN);
		for (int j = 0; j < i; j++)
			CHECK(udp_pcb_local_port(pcbs[j]) != p);
	}
	CHECK(udp_pcb_new() == NULL); /* the table is full */
	CHECK(fake_teardown_clean());

	/* The random start taken: the next free port up is used. */
	fake_reset();
	uint16_t p = next_ephemeral(7);
	struct udp_pcb *a = udp_pcb_new(), *b = udp_pcb_new();
	CHECK_EQ_INT(udp_pcb_bind(a, 0, p), NET_OK);
	CHECK_EQ_INT(udp_pcb_bind(b, 0, 0), NET_OK);
	CHECK_EQ_INT(udp_pcb_local_port(b), p == UDP_EPHEMERAL_MAX ? UDP_EPHEMERAL_MIN : p + 1);
	CHECK(fake_teardown_clean());

	/* Taken at the top of the range: the probe wraps to the bottom. */
	fake_reset();
	uint32_t seed = 1;
	while (next_ephemeral(seed) != UDP_EPHEMERAL_MAX && seed < (1u << 24))
		seed++;
	CHECK_EQ_INT(next_ephemeral(seed), UDP_EPHEMERAL_MAX);
	a = udp_pcb_new();
	b = udp_pcb_new();
	CHECK_EQ_INT(udp_pcb_bind(a, 0, UDP_EPHEMERAL_MAX), NET_OK);
	CHECK_EQ_INT(udp_pcb_bind(b, 0, 0), NET_OK);
	CHECK_EQ_INT(udp_pcb_local_port(b), UDP_EPHEMERAL_MIN);
	CHECK(fake_teardown_clean());
}

static void test_bind_conflicts(void)
{
	fake_reset();
	struct udp_pcb *a = udp_pcb_new(), *b = udp_pcb_new(), *c = udp_pcb_new();
	CHECK_EQ_INT(udp_pcb_bind(a, 0, 53), NET_OK);
	CHECK_EQ_INT(udp_pcb_bind(b, ETH0_IP, 53), NET_EADDRINUSE); /* any overlaps all */
	CHECK_EQ_INT(udp_pcb_bind(b, ETH0_IP, 54), NET_OK);
	CHECK_EQ_INT(udp_pcb_bind(c, IPV4_ADDR(127, 0, 0, 1), 54), NET_OK); /* another address */
	CHECK_EQ_INT(udp_pcb_bind(b, 0, 55), NET_EINVAL);                  /* already bound */
	udp_pcb_free(a);
	a = udp_pcb_new();
	CHECK_EQ_INT(udp_pcb_bind(a, 0, 53), NET_OK); /* free released the port */
	CHECK(fake_teardown_clean());
}

static void test_demux_most_specific(void)
{
	fake_reset();
	configure_eth0();
	const uint32_t peer = IPV4_ADDR(10, 0, 2, 7);
	struct udp_pcb *lo = udp_pcb_new(), *eth = udp_pcb_new(), *conn = udp_pcb_new();
	CHECK_EQ_INT(udp_pcb_bind(lo, IPV4_ADDR(127, 0, 0, 1), 7000), NET_OK);
	CHECK_EQ_INT(udp_pcb_bind(eth, ETH0_IP, 7000), NET_OK);
	CHECK_EQ_INT(udp_pcb_bind(conn, 0, 7001), NET_OK);
	CHECK_EQ_INT(udp_pcb_connect(conn, peer, 4000), NET_OK);
	uint8_t b[64];

	size_t n = make_dgram(b, peer, ETH0_IP, 4000, 7000, "a");
	inject(b, n, peer, ETH0_IP, 0);
	CHECK(udp_pcb_readable(eth));
	CHECK(!udp_pcb_readable(lo));

	/* The connected pcb takes its peer's datagrams only; a stranger's
	 * finds no endpoint and earns port unreachable. */
	n = make_dgram(b, peer, ETH0_IP, 4000, 7001, "b");
	inject(b, n, peer, ETH0_IP, 0);
	CHECK(udp_pcb_readable(conn));
	n = make_dgram(b, peer, ETH0_IP, 4001, 7001, "c");
	inject(b, n, peer, ETH0_IP, 0);
	CHECK_EQ_INT(fake_icmp_count(), 1);
	CHECK_EQ_INT(udp_get_stats()->in_datagrams, 2);
	CHECK(fake_teardown_clean());
}

static void test_queue_recv_and_bound(void)
{
	fake_reset();
	configure_eth0();
	const uint32_t peer = IPV4_ADDR(10, 0, 2, 7);
	struct udp_pcb *pcb = udp_pcb_new();
	CHECK_EQ_INT(udp_pcb_bind(pcb, 0, 9000), NET_OK);
	struct netbuf *nb;
	CHECK_EQ_INT(udp_pcb_recv(pcb, &nb, NULL), NET_EAGAIN);
	CHECK(nb == NULL);

	uint8_t b[64];
	char msg[16];
	for (int i = 0; i < UDP_RXQ_LIMIT + 3; i++) {
		snprintf(msg, sizeof msg, "m%02d", i);
		size_t n = make_dgram(b, peer, ETH0_IP, (uint16_t)(5000 + i), 9000, msg);
		inject(b, n, peer, ETH0_IP, 0);
	}
	CHECK_EQ_INT(fake_wakes(udp_pcb_wait(pcb)), UDP_RXQ_LIMIT);
	CHECK_EQ_INT(drops(UDP_DROP_QFULL), 3);
	/* Oldest first, each with where it came from. */
	struct udp_rx_info rx;
	CHECK_EQ_INT(udp_pcb_recv(pcb, &nb, &rx), NET_OK);
	if (nb) {
		CHECK_EQ_INT(nb->len, 3);
		CHECK_EQ_MEM(nb->data, "m00", 3);
		netbuf_free(nb);
	}
	CHECK_EQ_INT(rx.src_port, 5000);
	CHECK_EQ_INT(udp_pcb_recv(pcb, &nb, &rx), NET_OK);
	if (nb) {
		CHECK_EQ_MEM(nb->data, "m01", 3);
		netbuf_free(nb);
	}
	CHECK_EQ_INT(rx.src_port, 5001);
	/* Closing with 14 still queued frees them (the teardown checks). */
	udp_pcb_free(pcb);
	CHECK(fake_teardown_clean());
}

static void test_send_from_pcb(void)
{
	fake_reset();
	configure_eth0();
	struct udp_pcb *pcb = udp_pcb_new();
	CHECK_EQ_INT(udp_pcb_send(pcb, fake_nb("x", 1)), NET_ENOTCONN);
	CHECK_EQ_INT(udp_pcb_connect(pcb, DNS_IP, 53), NET_OK);
	uint16_t port = udp_pcb_local_port(pcb);
	CHECK(port >= UDP_EPHEMERAL_MIN);
	CHECK_EQ_INT(udp_pcb_send(pcb, fake_nb("query", 5)), NET_OK);
	struct fake_sent s;
	CHECK(fake_sent_pop(&s));
	CHECK_EQ_INT(s.dst, DNS_IP);
	CHECK_EQ_INT(be16_get(s.nb->data + UDP_SPORT), port);
	CHECK_EQ_INT(be16_get(s.nb->data + UDP_DPORT), 53);
	CHECK_EQ_INT(be16_get(s.nb->data + UDP_LEN), 13);
	CHECK_EQ_INT(udp_checksum(s.src, s.dst, s.nb->data, s.nb->len), 0);
	netbuf_free(s.nb);
	/* No route: the error comes back and nothing leaks. */
	fake_nif.ip = 0;
	CHECK_EQ_INT(udp_pcb_sendto(pcb, fake_nb("x", 1), IPV4_ADDR(192, 0, 2, 1), 80), NET_ENETUNREACH);
	CHECK_EQ_INT(udp_get_stats()->out_errors, 1);
	CHECK(fake_teardown_clean());
}

static void test_icmp_error_delivered(void)
{
	fake_reset();
	configure_eth0();
	struct udp_pcb *pcb = udp_pcb_new();
	CHECK_EQ_INT(udp_pcb_bind(pcb, 0, 49152), NET_OK);
	CHECK_EQ_INT(udp_pcb_connect(pcb, DNS_IP, 53), NET_OK);
	/* The quoted datagram: our own udp_pigeon, 10.0.2.15:49152 -> :53. */
	struct ipv4_hdr orig = fake_ih(ETH0_IP, DNS_IP, sizeof udp_pigeon);

	/* About another port of ours: not this pcb's business. */
	uint8_t other[UDP_HLEN];
	memcpy(other, udp_pigeon, UDP_HLEN);
	be16_put(other + UDP_SPORT, 49153);
	udp_icmp_error(&orig, other, sizeof other, NET_EPORTUNREACH);
	/* About the same port to another remote: not either. */
	struct ipv4_hdr orig2 = fake_ih(ETH0_IP, DNS_IP + 1, sizeof udp_pigeon);
	udp_icmp_error(&orig2, udp_pigeon, UDP_HLEN, NET_EPORTUNREACH);
	/* A quote too short to hold the ports. */
	udp_icmp_error(&orig, udp_pigeon, 4, NET_EPORTUNREACH);
	CHECK_EQ_INT(udp_get_stats()->icmp_unmatched, 3);
	CHECK(!udp_pcb_readable(pcb));

	udp_icmp_error(&orig, udp_pigeon, UDP_HLEN, NET_EPORTUNREACH);
	CHECK_EQ_INT(udp_get_stats()->icmp_errors, 1);
	CHECK_EQ_INT(fake_wakes(udp_pcb_wait(pcb)), 1);
	CHECK(udp_pcb_readable(pcb));
	struct netbuf *nb;
	CHECK_EQ_INT(udp_pcb_recv(pcb, &nb, NULL), NET_EPORTUNREACH);
	CHECK_EQ_INT(udp_pcb_recv(pcb, &nb, NULL), NET_EAGAIN); /* reported once */

	udp_icmp_error(&orig, udp_pigeon, UDP_HLEN, NET_EHOSTUNREACH);
	CHECK_EQ_INT(udp_pcb_recv(pcb, &nb, NULL), NET_EHOSTUNREACH);
	CHECK(fake_teardown_clean());
}

static int cb_calls;
static struct udp_rx_info cb_rx;

static void cb_recv(struct udp_pcb *pcb, struct netbuf *nb, const struct udp_rx_info *rx, void *arg)
{
	(void)pcb;
	cb_calls += *(int *)arg;
	cb_rx = *rx;
	if (nb->len != 6 || memcmp(nb->data, "pigeon", 6) != 0)
		cb_calls += 100;
	netbuf_free(nb); /* the callback owns nb */
}

static void test_callback_delivery(void)
{
	fake_reset();
	configure_eth0();
	struct udp_pcb *pcb = udp_pcb_new();
	CHECK_EQ_INT(udp_pcb_bind(pcb, 0, 53), NET_OK);
	static int one = 1;
	cb_calls = 0;
	udp_pcb_set_recv(pcb, cb_recv, &one);
	inject(udp_pigeon, sizeof udp_pigeon, ETH0_IP, DNS_IP, 0);
	CHECK_EQ_INT(cb_calls, 1);
	CHECK_EQ_INT(cb_rx.src_port, 49152);
	CHECK_EQ_INT(cb_rx.dst_addr, DNS_IP);
	CHECK(!udp_pcb_readable(pcb)); /* nothing went to the queue */
	CHECK_EQ_INT(fake_wakes(udp_pcb_wait(pcb)), 0);
	CHECK(fake_teardown_clean());
}

int main(void)
{
	check_suite = "net_udp.udp";
	RUN(test_decode);
	RUN(test_encode);
	RUN(test_impossible_length);
	RUN(test_trailing_bytes_trimmed);
	RUN(test_bad_checksum);
	RUN(test_zero_checksum_accepted);
	RUN(test_zero_sum_sent_as_ffff);
	RUN(test_port_unreachable_for_closed_port);
	RUN(test_no_port_unreachable_for_broadcast);
	RUN(test_ephemeral_distinct_in_range);
	RUN(test_bind_conflicts);
	RUN(test_demux_most_specific);
	RUN(test_queue_recv_and_bound);
	RUN(test_send_from_pcb);
	RUN(test_icmp_error_delivered);
	RUN(test_callback_delivery);
	return check_report();
}
