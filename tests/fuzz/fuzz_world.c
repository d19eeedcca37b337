/* The fuzz world (see fuzz_world.h). */
#include "tests/fuzz/fuzz_world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/arp.h"
#include "net/checksum.h"
#include "net/dhcp.h"
#include "net/dns.h"
#include "net/err.h"
#include "net/ethernet.h"
#include "net/ipv4_reasm.h"
#include "net/stack.h"
#include "net/stack_init.h"
#include "net/tcp_conn.h"
#include "net/tcp_isn.h"
#include "net/udp.h"
#include "net/wire.h"
#include "tests/unit/net/fake_sys.h"

const uint8_t fw_our_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
const uint8_t fw_gw_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
const uint8_t fw_eth1_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };

struct fuzz_world fw;
static struct netbuf fw_pool[FW_POOL];

/* Set the simulated clock (the world's, the platform's, the reports'). */
static void fw_clock_set(uint64_t t)
{
	fw.now = t;
	fuzz_now_ms = t;
	fake_clock_set(t);
}

/* ---- frames ---- */

size_t fuzz_ipv4_frame(uint8_t *f, const uint8_t *dst_mac, const uint8_t *src_mac, uint32_t src,
		       uint32_t dst, uint8_t proto, size_t len)
{
	uint8_t *ip = f + ETH_HLEN;

	memcpy(f + ETH_DST, dst_mac, 6);
	memcpy(f + ETH_SRC, src_mac, 6);
	be16_put(f + ETH_TYPE, ETH_P_IPV4);
	ip[IPV4_VER_IHL] = 0x45;
	ip[IPV4_TOS] = 0;
	be16_put(ip + IPV4_TOTAL_LEN, (uint16_t)(IPV4_HLEN + len));
	be16_put(ip + IPV4_ID, 0x1234);
	be16_put(ip + IPV4_FLAGS_FRAG, IPV4_FLAG_DF);
	ip[IPV4_TTL] = 64;
	ip[IPV4_PROTO] = proto;
	be16_put(ip + IPV4_CSUM, 0);
	be32_put(ip + IPV4_SRC, src);
	be32_put(ip + IPV4_DST, dst);
	be16_put(ip + IPV4_CSUM, csum_compute(ip, IPV4_HLEN));
	return ETH_HLEN + IPV4_HLEN;
}

size_t fuzz_udp_frame(uint8_t *f, size_t cap, const uint8_t *mac, uint32_t src, uint16_t sport,
		      uint32_t dst, uint16_t dport, const uint8_t *payload, size_t len)
{
	size_t hdr = ETH_HLEN + IPV4_HLEN + UDP_HLEN;

	if (len > cap - hdr)
		len = cap - hdr;
	uint8_t *u = f + fuzz_ipv4_frame(f, mac, fw_gw_mac, src, dst, IPV4_PROTO_UDP, UDP_HLEN + len);
	be16_put(u + UDP_SPORT, sport);
	be16_put(u + UDP_DPORT, dport);
	be16_put(u + UDP_LEN, (uint16_t)(UDP_HLEN + len));
	be16_put(u + UDP_SUM, 0);
	memcpy(u + UDP_HLEN, payload, len);
	uint16_t sum = udp_checksum(src, dst, u, UDP_HLEN + len);
	be16_put(u + UDP_SUM, sum ? sum : 0xffff);
	return hdr + len;
}

/* An ARP reply from ip (at mac) to us on link l. */
static void fw_arp_reply(struct fake_link *l, uint32_t ip, const uint8_t *mac, uint32_t to_ip)
{
	uint8_t f[ETH_ZLEN] = { 0 };
	uint8_t *a = f + ETH_HLEN;

	memcpy(f + ETH_DST, l->nif.mac, 6);
	memcpy(f + ETH_SRC, mac, 6);
	be16_put(f + ETH_TYPE, ETH_P_ARP);
	be16_put(a + ARP_HTYPE, ARP_HTYPE_ETHERNET);
	be16_put(a + ARP_PTYPE, ETH_P_IPV4);
	a[ARP_HLEN] = 6;
	a[ARP_PLEN] = 4;
	be16_put(a + ARP_OPER, ARP_OP_REPLY);
	memcpy(a + ARP_SHA, mac, 6);
	be32_put(a + ARP_SPA, ip);
	memcpy(a + ARP_THA, l->nif.mac, 6);
	be32_put(a + ARP_TPA, to_ip);
	fake_link_inject(l, f, sizeof f);
}

/* slirp's MAC for one of its virtual hosts: 52:55 and the address. */
static void fw_slirp_mac(uint32_t ip, uint8_t mac[6])
{
	mac[0] = 0x52;
	mac[1] = 0x55;
	be32_put(mac + 2, ip);
}

/* ---- the world ---- */

/* Drain one link: answer ARP requests for the gateway and the DNS server
 * of that link's subnet, drop everything else. */
static int fw_drain_link(struct fake_link *l)
{
	struct netbuf *nb;
	int n = 0;

	while ((nb = fake_link_pop(l)) != NULL) {
		const uint8_t *a = nb->data + ETH_HLEN;
		n++;
		if (fw.tx_hook)
			fw.tx_hook(l, nb->data, nb->len);
		if (nb->len >= ETH_HLEN + ARP_PKT_LEN && be16_get(nb->data + ETH_TYPE) == ETH_P_ARP &&
		    be16_get(a + ARP_OPER) == ARP_OP_REQUEST) {
			uint32_t target = be32_get(a + ARP_TPA);
			uint32_t gw = l->nif.gateway ? l->nif.gateway : FW_GW_IP;
			if (target == gw || target == FW_DNS_IP || (fw.cfg.arp_any && target != l->nif.ip)) {
				uint8_t mac[6];
				fw_slirp_mac(target, mac);
				fw_arp_reply(l, target, mac, be32_get(a + ARP_SPA));
			}
		}
		netbuf_free(nb);
		FUZZ_ASSERT(n < 100000); /* frames answering frames, forever */
	}
	return n;
}

int fuzz_world_drain(void)
{
	int n = fw_drain_link(&fw.eth0);
	if (fw.cfg.eth1)
		n += fw_drain_link(&fw.eth1);
	return n;
}

void fuzz_world_inject(struct fake_link *l, const uint8_t *frame, size_t len)
{
	fake_link_inject(l, frame, len);
	fuzz_world_drain();
}

void fuzz_world_run(uint64_t ms)
{
	uint64_t end = fw.now + ms;
	int repeats = 0;

	/* Tick at every deadline up to end, then at end. A deadline that
	 * stays in the past after its tick is a timer netd would spin on
	 * (loopback frames may answer loopback frames a few times). */
	for (uint64_t steps = 0;; steps++) {
		uint64_t next = net_next_deadline();
		if (next > end || steps >= FW_TIMER_STEPS_MAX) {
			if (fw.now == end && steps > 0)
				return;
			next = end;
		}
		if (next > fw.now) {
			fw_clock_set(next);
			repeats = 0;
		} else {
			FUZZ_ASSERT(repeats++ < 16 && "a timer deadline stays in the past");
		}
		net_tick(fw.now);
		fw.ticks++;
		fuzz_world_drain();
	}
}

/* Build a segment from the web server to our client port (checksum
 * filled) and deliver it. */
static void fw_web_segment(uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd, bool syn_opts)
{
	uint8_t f[128];
	struct tcp_hdr h;

	memset(&h, 0, sizeof h);
	h.sport = FW_WEB_PORT;
	h.dport = FW_CLIENT_PORT;
	h.seq = seq;
	h.ack = ack;
	h.flags = flags;
	h.wnd = wnd;
	if (syn_opts) {
		h.opts.mss_ok = true;
		h.opts.mss = FW_PEER_MSS;
		h.opts.ws_ok = true;
		h.opts.ws = FW_PEER_WSCALE;
		h.opts.sack_ok = true;
	}
	size_t hlen = TCP_HLEN + tcp_opts_len(&h.opts);
	uint8_t *t = f + fuzz_ipv4_frame(f, fw_our_mac, fw_gw_mac, FW_WEB_IP, FW_OUR_IP, IPV4_PROTO_TCP, hlen);
	tcp_hdr_emit(t, &h);
	be16_put(t + TCP_SUM, tcp_checksum(FW_WEB_IP, FW_OUR_IP, t, hlen));
	fuzz_world_inject(&fw.eth0, f, (size_t)(t - f) + hlen);
}

static const char fw_request[FW_REQUEST_LEN + 1] =
	"GET / HTTP/1.1\r\nHost: www.google.com\r\nUser-Agent: Pigeon\r\nConnection: close\r\n\r\n";

void fuzz_world_begin(const struct fuzz_world_cfg *cfg)
{
	memset(&fw, 0, sizeof fw);
	fw.cfg = *cfg;
	fw_clock_set(FW_T0_MS);
	fake_random_seed(0x5eed1234);
	fake_log_clear();
	netbuf_pool_init(fw_pool, FW_POOL);
	net_stack_init();
	tcp_settings.rcvbuf = FW_BUF;
	tcp_settings.sndbuf = FW_BUF;
	tcp_settings.max_conns = FW_MAX_CONNS;
	tcp_isn_set_fixed(true, FW_ISS);
	fw.alloc_base = fake_alloc_live();

	fake_link_init(&fw.eth0, "eth0", fw_our_mac);
	netif_register(&fw.eth0.nif);
	if (getenv("FUZZ_PCAP"))
		fake_link_pcap(&fw.eth0, getenv("FUZZ_PCAP")); /* both directions of eth0 */
	if (!cfg->eth0_no_addr) {
		netif_set_ipv4(&fw.eth0.nif, FW_OUR_IP, FW_MASK, FW_GW_IP, NETIF_ADDR_STATIC);
		fw.eth0.nif.dns[0] = FW_DNS_IP;
		fw.eth0.nif.dns_count = 1;
	}
	if (cfg->eth1) {
		fake_link_init(&fw.eth1, "eth1", fw_eth1_mac);
		netif_register(&fw.eth1.nif);
	}
	fuzz_world_drain(); /* the gratuitous ARP */
	if (!cfg->eth0_no_addr) {
		uint8_t mac[6];
		fw_slirp_mac(FW_DNS_IP, mac);
		fw_arp_reply(&fw.eth0, FW_GW_IP, fw_gw_mac, FW_OUR_IP);
		fw_arp_reply(&fw.eth0, FW_DNS_IP, mac, FW_OUR_IP);
		fuzz_world_drain();
	}

	if (cfg->udp) {
		fw.udp = udp_pcb_new();
		FUZZ_ASSERT(fw.udp && udp_pcb_bind(fw.udp, 0, FW_UDP_PORT) == NET_OK);
	}
	if (cfg->tcp_listen) {
		fw.listener = tcp_conn_new();
		FUZZ_ASSERT(fw.listener && tcp_conn_bind(fw.listener, 0, FW_LISTEN_PORT) == NET_OK);
		FUZZ_ASSERT(tcp_conn_listen(fw.listener, 4) == NET_OK);
	}
	if (cfg->tcp_client) {
		fw.client = tcp_conn_new();
		FUZZ_ASSERT(fw.client && tcp_conn_bind(fw.client, 0, FW_CLIENT_PORT) == NET_OK);
		FUZZ_ASSERT(tcp_conn_connect(fw.client, FW_WEB_IP, FW_WEB_PORT) == NET_OK);
		fuzz_world_drain(); /* our SYN */
		fw_clock_set(fw.now + 20);
		fw_web_segment(FW_PEER_ISS, FW_ISS + 1, TCP_SYN | TCP_ACK_FLAG, 64240, true);
		FUZZ_ASSERT(tcp_conn_state(fw.client) == TCP_ESTABLISHED);
		FUZZ_ASSERT(tcp_conn_send(fw.client, fw_request, FW_REQUEST_LEN) == FW_REQUEST_LEN);
		fuzz_world_drain(); /* the request, now in flight */
	}
	fuzz_world_check();
}

/* ---- invariants ---- */

/* The connection's numbers, when one of its invariants broke. */
static void fw_dump_conn(const struct tcp_conn *c)
{
	fprintf(stderr, "tcp %s %u->%u: iss %u snd_una %u snd_nxt %u snd_max %u snd_wnd %u flags %#x\n"
		"  irs %u rcv_nxt %u rcv_adv %u rcv_fin_seq %u sndbuf %u/%u rcvbuf %u/%u reass:",
		tcp_state_name[c->state], c->lport, c->rport, c->iss, c->snd_una, c->snd_nxt, c->snd_max,
		c->snd_wnd, c->flags, c->irs, c->rcv_nxt, c->rcv_adv, c->rcv_fin_seq, c->sndbuf.len,
		c->sndbuf.size, c->rcvbuf.len, c->rcvbuf.size);
	for (uint32_t i = 0; i < c->reass.count && i < TCP_REASS_MAX; i++)
		fprintf(stderr, " [%u,%u)", c->reass.r[i].start, c->reass.r[i].end);
	fprintf(stderr, "\n");
}

#define CONN_ASSERT(c, cond)                                                   \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fw_dump_conn(c);                                       \
			fuzz_fail(__FILE__, __LINE__, #cond);                  \
		}                                                              \
	} while (0)

static void fw_check_conn(const struct tcp_conn *c)
{
	CONN_ASSERT(c, c->state < TCP_STATE_COUNT);
	CONN_ASSERT(c, c->sndbuf.len <= c->sndbuf.size);
	CONN_ASSERT(c, c->rcvbuf.len <= c->rcvbuf.size);
	CONN_ASSERT(c, c->reass.count <= TCP_REASS_MAX);
	if (c->state == TCP_LISTEN || c->state == TCP_CLOSED)
		return;
	CONN_ASSERT(c, SEQ_LEQ(c->snd_una, c->snd_nxt));
	CONN_ASSERT(c, SEQ_LEQ(c->snd_nxt, c->snd_max));
	/* Nothing is ever sent beyond the data held (and the SYN, the FIN). */
	uint32_t end = tcp_snd_seq0(c) + c->sndbuf.len + ((c->flags & TF_FIN_QUEUED) ? 1u : 0u);
	CONN_ASSERT(c, SEQ_LEQ(c->snd_max, end));
	/* Out-of-order data sits inside the receive ring's free space. */
	CONN_ASSERT(c, tcp_reass_end(&c->reass) <= tcp_ring_space(&c->rcvbuf));
	/* Nothing past the peer's FIN is data. */
	if (c->flags & TF_RCV_FIN)
		CONN_ASSERT(c, c->reass.count == 0 && !(c->flags & TF_RCV_FIN_OOO));
	if (c->flags & TF_RCV_FIN_OOO) {
		CONN_ASSERT(c, SEQ_GT(c->rcv_fin_seq, c->rcv_nxt));
		CONN_ASSERT(c, tcp_reass_end(&c->reass) <= c->rcv_fin_seq - c->rcv_nxt);
	}
	CONN_ASSERT(c, c->sack_n <= TCP_SACK_BLOCKS_MAX);
	CONN_ASSERT(c, c->snd_wscale <= TCP_WSCALE_MAX && c->rcv_wscale <= TCP_WSCALE_MAX);
	CONN_ASSERT(c, c->snd_mss > 0);
}

static void fw_check_info(const struct tcp_conn_info *info, void *ctx)
{
	(void)ctx;
	FUZZ_ASSERT(info->sendq <= FW_BUF && info->recvq <= FW_BUF);
	FUZZ_ASSERT(info->rcv_wnd <= ((uint32_t)TCP_WIN_MAX << TCP_WSCALE_MAX));
}

struct fw_arp_count {
	int entries;
	uint32_t queued;
};

static void fw_check_arp(const struct arp_entry_info *e, void *ctx)
{
	struct fw_arp_count *n = ctx;
	n->entries++;
	n->queued += e->queued;
	FUZZ_ASSERT(e->queued <= ARP_QUEUE_PER_ENTRY);
}

void fuzz_world_check(void)
{
	struct netbuf_stats st;
	struct fw_arp_count arp = { 0, 0 };
	uint32_t datagrams, frags;
	int conns = 0;

	netbuf_get_stats(&st);
	FUZZ_ASSERT(st.total == FW_POOL);
	FUZZ_ASSERT(st.in_use <= st.total);
	FUZZ_ASSERT(st.large_in_use <= st.in_use);
	FUZZ_ASSERT(st.bad_frees == 0);

	for (int i = 0; i < TCP_CONN_MAX; i++) {
		if (tcp_conns[i]) {
			fw_check_conn(tcp_conns[i]);
			conns++;
		}
	}
	FUZZ_ASSERT(conns == tcp_conn_count());
	FUZZ_ASSERT(conns <= FW_MAX_CONNS);
	FUZZ_ASSERT(tcp_foreach(fw_check_info, NULL, fw.now) == conns);

	ipv4_reasm_usage(&datagrams, &frags);
	FUZZ_ASSERT(datagrams <= IPV4_REASM_MAX_DATAGRAMS);
	FUZZ_ASSERT(frags <= IPV4_REASM_MAX_NETBUFS);

	arp_foreach(fw_check_arp, &arp, fw.now);
	FUZZ_ASSERT(arp.entries <= ARP_CACHE_SIZE);
	FUZZ_ASSERT(arp.queued <= ARP_QUEUE_TOTAL);
}

/* FUZZ_VERBOSE=1: what happened, as netstat -s would show it (for
 * checking that a seed reaches what it was made for). */
static void fw_report(void)
{
	size_t ngroups;
	const struct net_counter_group *const *g = net_counter_groups(&ngroups);

	fprintf(stderr, "fuzz world at t=%llu ms, %llu ticks:", (unsigned long long)fw.now,
		(unsigned long long)fw.ticks);
	for (size_t i = 0; i < ngroups; i++)
		for (size_t j = 0; j < g[i]->count; j++)
			if (*g[i]->counters[j].value)
				fprintf(stderr, " %s.%s=%llu", g[i]->name, g[i]->counters[j].name,
					(unsigned long long)*g[i]->counters[j].value);
	fprintf(stderr, "\n");
}

void fuzz_world_end(void)
{
	struct netbuf_stats st;

	fuzz_world_check();
	if (getenv("FUZZ_VERBOSE"))
		fw_report();
	/* What the application holds goes first, then each layer's state. */
	dhcp_stop(&fw.eth0.nif);
	if (fw.cfg.eth1)
		dhcp_stop(&fw.eth1.nif);
	tcp_init();
	udp_init();
	dhcp_init();
	dns_init();
	net_reset();
	fake_link_flush(&fw.eth0);
	fake_link_pcap(&fw.eth0, NULL);
	netif_unregister(&fw.eth0.nif);
	if (fw.cfg.eth1) {
		fake_link_flush(&fw.eth1);
		netif_unregister(&fw.eth1.nif);
	}
	netbuf_get_stats(&st);
	FUZZ_ASSERT(st.in_use == 0);
	FUZZ_ASSERT(st.large_in_use == 0);
	FUZZ_ASSERT(st.bad_frees == 0);
	FUZZ_ASSERT(tcp_conn_count() == 0);
	FUZZ_ASSERT(fake_alloc_live() == fw.alloc_base);
}
