/* The fixture every net/ unit test uses: a fresh stack with eth0 (a fake
 * link) at 10.0.2.15/24, gateway 10.0.2.2, plus helpers that build and
 * inject packets and pop what the stack sent. Teardown checks that the
 * netbuf pool and the allocator are back where they started. */
#ifndef TESTS_UNIT_NET_FIXTURE_H
#define TESTS_UNIT_NET_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "net/arp.h"
#include "net/checksum.h"
#include "net/err.h"
#include "net/ethernet.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "net/ipv4_reasm.h"
#include "net/loopback.h"
#include "net/netbuf.h"
#include "net/stack.h"
#include "net/wire.h"
#include "tests/unit/check.h"
#include "tests/unit/net/fake_link.h"
#include "tests/unit/net/fake_sys.h"
#include "tests/unit/net/stub_udp.h"

#define FX_POOL 512
#define FX_T0 1000000u   /* the clock at the start of each test, ms */

#define OUR_IP IPV4_ADDR(10, 0, 2, 15)
#define OUR_MASK IPV4_ADDR(255, 255, 255, 0)
#define GW_IP IPV4_ADDR(10, 0, 2, 2)
#define PEER_IP IPV4_ADDR(10, 0, 2, 3)
#define FAR_IP IPV4_ADDR(198, 51, 100, 10)

static const uint8_t OUR_MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t GW_MAC[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const uint8_t PEER_MAC[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x03 };
static const uint8_t BCAST_MAC[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static struct netbuf fx_pool[FX_POOL];
static struct fake_link eth0;
static long fx_alloc_base;

static inline void fx_setup(void)
{
	fake_clock_set(FX_T0);
	fake_random_seed(42);
	fake_log_clear();
	netbuf_pool_init(fx_pool, FX_POOL);
	net_init();
	memset(&stub_udp, 0, sizeof stub_udp);
	fake_link_init(&eth0, "eth0", OUR_MAC);
	netif_register(&eth0.nif);
	netif_set_ipv4(&eth0.nif, OUR_IP, OUR_MASK, GW_IP, NETIF_ADDR_STATIC);
	fake_link_flush(&eth0);  /* the gratuitous ARP; then count from zero */
	memset(&eth0.nif.stats, 0, sizeof eth0.nif.stats);
	memset(&eth_stats, 0, sizeof eth_stats);
	memset(&arp_stats, 0, sizeof arp_stats);
	fx_alloc_base = fake_alloc_live();
	if (getenv("NET_TEST_PCAP"))
		fake_link_pcap(&eth0, getenv("NET_TEST_PCAP"));
}

static inline void fx_teardown(void)
{
	struct netbuf_stats st;

	net_reset();
	fake_link_flush(&eth0);
	fake_link_pcap(&eth0, NULL);
	netif_unregister(&eth0.nif);
	netbuf_get_stats(&st);
	CHECK_EQ_INT(st.in_use, 0);
	CHECK_EQ_INT(st.large_in_use, 0);
	CHECK_EQ_INT(st.bad_frees, 0);
	CHECK_EQ_INT(fake_alloc_live(), fx_alloc_base);
}

static inline uint32_t fx_in_use(void)
{
	struct netbuf_stats st;
	netbuf_get_stats(&st);
	return st.in_use;
}

/* Ethernet header at f; returns its length. */
static inline size_t fx_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(f + ETH_DST, dst, 6);
	memcpy(f + ETH_SRC, src, 6);
	be16_put(f + ETH_TYPE, type);
	return ETH_HLEN;
}

/* A 20-byte IPv4 header at p (checksum filled) for payload_len bytes;
 * ff is the flags/fragment-offset word as on the wire. */
static inline size_t fx_ipv4(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id,
			     uint16_t ff, uint8_t ttl, size_t payload_len)
{
	p[0] = 0x45;
	p[1] = 0;
	be16_put(p + 2, (uint16_t)(20 + payload_len));
	be16_put(p + 4, id);
	be16_put(p + 6, ff);
	p[8] = ttl;
	p[9] = proto;
	be16_put(p + 10, 0);
	be32_put(p + 12, src);
	be32_put(p + 16, dst);
	be16_put(p + 10, csum_compute(p, 20));
	return 20;
}

/* Inject an IPv4 datagram from the gateway's MAC to ours. */
static inline void fx_inject_ipv4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t id,
				  uint16_t ff, const uint8_t *payload, size_t len)
{
	uint8_t f[1600];
	size_t n = fx_eth(f, OUR_MAC, GW_MAC, ETH_P_IPV4);

	n += fx_ipv4(f + n, src, dst, proto, id, ff, 64, len);
	memcpy(f + n, payload, len);
	fake_link_inject(&eth0, f, n + len);
}

/* Teach the stack ip is at mac (an ARP request from it to us), and drop
 * our reply. */
static inline void fx_learn(uint32_t ip, const uint8_t *mac)
{
	uint8_t f[60] = { 0 };
	uint8_t *a = f + fx_eth(f, BCAST_MAC, mac, ETH_P_ARP);

	be16_put(a + ARP_HTYPE, 1);
	be16_put(a + ARP_PTYPE, 0x0800);
	a[ARP_HLEN] = 6;
	a[ARP_PLEN] = 4;
	be16_put(a + ARP_OPER, ARP_OP_REQUEST);
	memcpy(a + ARP_SHA, mac, 6);
	be32_put(a + ARP_SPA, ip);
	be32_put(a + ARP_TPA, OUR_IP);
	fake_link_inject(&eth0, f, sizeof f);
	fake_link_flush(&eth0);
}

static inline struct netbuf *fx_pop(void)
{
	return fake_link_pop(&eth0);
}

static inline uint32_t fx_tx_pending(void)
{
	return eth0.tx.count;
}

/* Build an ICMP message at p (type, code, rest-of-header word, data)
 * with its checksum; returns its length. */
static inline size_t fx_icmp(uint8_t *p, uint8_t type, uint8_t code, uint32_t rest,
			     const uint8_t *data, size_t len)
{
	p[0] = type;
	p[1] = code;
	be16_put(p + 2, 0);
	be32_put(p + 4, rest);
	if (len)
		memcpy(p + 8, data, len);
	be16_put(p + 2, csum_compute(p, 8 + len));
	return 8 + len;
}

#endif
