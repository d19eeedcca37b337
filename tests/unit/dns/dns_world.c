/* The scripted world of the resolver and socket tests (see dns_world.h). */
#include "tests/unit/dns/dns_world.h"

#include <stdio.h>
#include <string.h>

#include "net/arp.h"
#include "net/checksum.h"
#include "net/dns.h"
#include "net/dns_wire.h"
#include "net/ethernet.h"
#include "net/icmp.h"
#include "net/netbuf.h"
#include "net/stack.h"
#include "net/udp.h"
#include "net/wire.h"
#include "tests/unit/dns/fake_tcp.h"
#include "tests/unit/dns/test_platform.h"

struct world world;
struct fake_link w_eth0;

static const uint8_t OUR_MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t SRV_MAC[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x03 };
static struct netbuf pool[256];
static long alloc_base;

/* Ethernet + IPv4 headers for len payload octets from src to us. */
static size_t w_headers(uint8_t *f, uint32_t src, uint8_t proto, size_t len)
{
	memcpy(f + ETH_DST, OUR_MAC, 6);
	memcpy(f + ETH_SRC, SRV_MAC, 6);
	be16_put(f + ETH_TYPE, ETH_P_IPV4);
	uint8_t *ip = f + ETH_HLEN;
	memset(ip, 0, IPV4_HLEN);
	ip[IPV4_VER_IHL] = 0x45;
	be16_put(ip + IPV4_TOTAL_LEN, (uint16_t)(IPV4_HLEN + len));
	ip[IPV4_TTL] = 64;
	ip[IPV4_PROTO] = proto;
	be32_put(ip + IPV4_SRC, src);
	be32_put(ip + IPV4_DST, W_OUR_IP);
	be16_put(ip + IPV4_CSUM, csum_compute(ip, IPV4_HLEN));
	return ETH_HLEN + IPV4_HLEN;
}

/* Schedule a UDP datagram src:sport -> us:dport at time at. */
static void w_schedule_udp(uint64_t at, uint32_t src, uint16_t sport, uint16_t dport, const uint8_t *p, size_t n)
{
	if (n > W_FRAME_MAX - ETH_HLEN - IPV4_HLEN - UDP_HLEN)
		return;
	if (world.npending >= W_PENDING_MAX)
		return;
	struct w_pending *w = &world.pending[world.npending++];
	size_t off = w_headers(w->frame, src, IPV4_PROTO_UDP, UDP_HLEN + n);
	uint8_t *u = w->frame + off;
	be16_put(u + UDP_SPORT, sport);
	be16_put(u + UDP_DPORT, dport);
	be16_put(u + UDP_LEN, (uint16_t)(UDP_HLEN + n));
	be16_put(u + UDP_SUM, 0);
	memcpy(u + UDP_HLEN, p, n);
	uint16_t sum = udp_checksum(src, W_OUR_IP, u, UDP_HLEN + n);
	be16_put(u + UDP_SUM, sum ? sum : 0xffff);
	w->len = off + UDP_HLEN + n;
	w->at = at;
}

void world_send_udp(uint64_t at, uint32_t src, uint16_t sport, uint16_t dport, const void *p, size_t n)
{
	w_schedule_udp(at, src, sport, dport, p, n);
}

/* Schedule ICMP port unreachable from src quoting our datagram (ip: its
 * IPv4 header and at least 8 more octets). */
static void w_schedule_unreach(uint64_t at, uint32_t src, const uint8_t *ip)
{
	if (world.npending >= W_PENDING_MAX)
		return;
	struct w_pending *w = &world.pending[world.npending++];
	size_t quote = IPV4_HLEN + 8, n = 8 + quote;
	size_t off = w_headers(w->frame, src, IPV4_PROTO_ICMP, n);
	uint8_t *m = w->frame + off;
	memset(m, 0, 8);
	m[0] = ICMP_DEST_UNREACH;
	m[1] = ICMP_UNREACH_PORT;
	memcpy(m + 8, ip, quote);
	be16_put(m + 2, csum_compute(m, n));
	w->len = off + n;
	w->at = at;
}

static const struct w_server *w_server_of(uint32_t addr)
{
	for (int i = 0; i < 2; i++)
		if (world.servers[i].addr == addr)
			return &world.servers[i];
	return NULL;
}

/* A query arrived at server s: script its answer. */
static void w_answer(const struct w_server *s, const uint8_t *ip, const uint8_t *dns, size_t len, uint16_t sport)
{
	uint8_t m[W_FRAME_MAX];
	uint64_t at = sys_now_ms() + s->delay_ms;
	uint16_t id = be16_get(dns + DNS_ID);
	size_t n;

	switch (s->mode) {
	case W_SILENT:
		return;
	case W_UNREACH:
		w_schedule_unreach(at, s->addr, ip);
		return;
	case W_ECHO:
		memcpy(m, dns, len);
		be16_put(m + DNS_FLAGS, s->flags);
		n = len;
		break;
	case W_ANSWER:
	default:
		memcpy(m, s->tmpl, s->tmpl_len);
		be16_put(m + DNS_FLAGS, (uint16_t)(be16_get(m + DNS_FLAGS) | s->flags));
		n = s->tmpl_len;
		break;
	}
	be16_put(m + DNS_ID, id);
	if (s->spoof_first && at > 0) {
		uint8_t f[W_FRAME_MAX];
		uint64_t early = at > 2 ? at - 2 : 0;
		memcpy(f, m, n);
		be16_put(f + DNS_ID, (uint16_t)(id ^ 0x5a5a));                  /* wrong ID */
		w_schedule_udp(early, s->addr, DNS_PORT, sport, f, n);
		memcpy(f, m, n);
		f[13] ^= 0x01;                                                  /* another question */
		w_schedule_udp(early, s->addr, DNS_PORT, sport, f, n);
		w_schedule_udp(early, W_OTHER, DNS_PORT, sport, m, n);         /* another address */
		w_schedule_udp(early, s->addr, 5353, sport, m, n);             /* another port */
		w_schedule_udp(early, s->addr, DNS_PORT, sport, m, DNS_HLEN - 1); /* too short */
	}
	w_schedule_udp(at, s->addr, DNS_PORT, sport, m, n);
}

void world_collect(void)
{
	struct netbuf *nb;
	while ((nb = fake_link_pop(&w_eth0))) {
		const uint8_t *f = nb->data;
		size_t len = nb->len;
		if (len < ETH_HLEN + IPV4_HLEN + UDP_HLEN || be16_get(f + ETH_TYPE) != ETH_P_IPV4)
			goto next;
		const uint8_t *ip = f + ETH_HLEN;
		size_t hl = (size_t)(ip[IPV4_VER_IHL] & 0x0f) * 4;
		if (ip[IPV4_PROTO] != IPV4_PROTO_UDP || len < ETH_HLEN + hl + UDP_HLEN + DNS_HLEN)
			goto next;
		const uint8_t *u = ip + hl;
		if (be16_get(u + UDP_DPORT) != DNS_PORT)
			goto next;
		const uint8_t *dns = u + UDP_HLEN;
		size_t dlen = be16_get(u + UDP_LEN) - UDP_HLEN;
		struct w_query *q = world.nlog < W_LOG_MAX ? &world.log[world.nlog++] : NULL;
		if (q) {
			struct dns_name name;
			size_t off = DNS_HLEN;
			q->at = sys_now_ms();
			q->dst = be32_get(ip + IPV4_DST);
			q->sport = be16_get(u + UDP_SPORT);
			q->id = be16_get(dns + DNS_ID);
			q->qname[0] = 0;
			if (dns_name_read(dns, dlen, &off, &name) == DNS_WIRE_OK && dlen - off >= DNS_Q_FIXED) {
				dns_name_to_text(&name, q->qname, sizeof q->qname);
				q->qtype = be16_get(dns + off);
			}
		}
		const struct w_server *s = w_server_of(be32_get(ip + IPV4_DST));
		if (s)
			w_answer(s, ip, dns, dlen, be16_get(u + UDP_SPORT));
next:
		netbuf_free(nb);
	}
}

/* The wait hook: the world moves until the wait is woken or times out. */
static bool world_wait(struct sys_wait *w, uint64_t timeout_ms, void *ctx)
{
	(void)ctx;
	world_collect();
	fake_tcp_pump();
	int wakes = w->wakes;
	uint64_t now = sys_now_ms();
	uint64_t until = timeout_ms == SYS_WAIT_FOREVER ? UINT64_MAX : now + timeout_ms;
	uint64_t next = UINT64_MAX;
	for (int i = 0; i < world.npending; i++)
		if (world.pending[i].at < next)
			next = world.pending[i].at;
	if (next > until) {
		tp_clock_set(until);
		return w->wakes != wakes;
	}
	if (next > now)
		tp_clock_set(next);
	/* Deliver everything due, in order of scheduling. */
	int kept = 0;
	for (int i = 0; i < world.npending; i++) {
		struct w_pending *p = &world.pending[i];
		if (p->at <= sys_now_ms())
			fake_link_inject(&w_eth0, p->frame, p->len);
		else
			world.pending[kept++] = *p;
	}
	world.npending = kept;
	return w->wakes != wakes;
}

/* Teach ARP that ip is at SRV_MAC (its request to us), drop our reply. */
static void w_learn(uint32_t ip)
{
	uint8_t f[60] = { 0 };
	memset(f + ETH_DST, 0xff, 6);
	memcpy(f + ETH_SRC, SRV_MAC, 6);
	be16_put(f + ETH_TYPE, ETH_P_ARP);
	uint8_t *a = f + ETH_HLEN;
	be16_put(a + ARP_HTYPE, ARP_HTYPE_ETHERNET);
	be16_put(a + ARP_PTYPE, ETH_P_IPV4);
	a[ARP_HLEN] = 6;
	a[ARP_PLEN] = 4;
	be16_put(a + ARP_OPER, ARP_OP_REQUEST);
	memcpy(a + ARP_SHA, SRV_MAC, 6);
	be32_put(a + ARP_SPA, ip);
	be32_put(a + ARP_TPA, W_OUR_IP);
	fake_link_inject(&w_eth0, f, sizeof f);
	fake_link_flush(&w_eth0);
}

void world_setup(void)
{
	tp_clock_set(W_T0);
	tp_random_seed(99);
	tp_log_clear();
	tp_interrupt_after(0);
	netbuf_pool_init(pool, sizeof pool / sizeof pool[0]);
	net_init();
	udp_init();
	dns_init();
	fake_tcp_reset();
	memset(&world, 0, sizeof world);
	fake_link_init(&w_eth0, "eth0", OUR_MAC);
	netif_register(&w_eth0.nif);
	netif_set_ipv4(&w_eth0.nif, W_OUR_IP, IPV4_ADDR(255, 255, 255, 0), IPV4_ADDR(10, 0, 2, 2), NETIF_ADDR_STATIC);
	fake_link_flush(&w_eth0);
	w_learn(W_S1);
	w_learn(W_S2);
	w_learn(W_OTHER);
	tp_set_wait_hook(world_wait, NULL);
	alloc_base = tp_alloc_live();
}

bool world_teardown(void)
{
	struct netbuf_stats st;
	bool clean = true;

	tp_set_wait_hook(NULL, NULL);
	tp_interrupt_after(0);
	world.npending = 0;
	if (fake_tcp_live() != 0) {
		fprintf(stderr, "world: %d TCP connections left open\n", fake_tcp_live());
		clean = false;
	}
	/* Before the resets below, which would free what a leak holds. */
	if (tp_alloc_live() != alloc_base) {
		fprintf(stderr, "world: %ld allocations leaked\n", tp_alloc_live() - alloc_base);
		clean = false;
	}
	fake_tcp_reset();
	udp_init();
	net_reset();
	fake_link_flush(&w_eth0);
	netif_unregister(&w_eth0.nif);
	netbuf_get_stats(&st);
	if (st.in_use != 0 || st.bad_frees != 0) {
		fprintf(stderr, "world: %u netbufs in use, %llu bad frees\n", st.in_use,
			(unsigned long long)st.bad_frees);
		clean = false;
	}
	return clean;
}
