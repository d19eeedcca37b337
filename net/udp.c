/* UDP (RFC 768, RFC 1122 4.1): validate, demultiplex to endpoints, send.
 *
 * Endpoints live in a fixed table. A received datagram goes to the endpoint
 * that matches it most specifically: a connected pcb whose remote end is the
 * sender beats a pcb bound to the destination address, which beats a pcb
 * bound to any address. Datagrams for no endpoint earn an ICMP port
 * unreachable, unless they were broadcast (RFC 1122 4.1.3.1). */
#include "net/udp.h"

#include <string.h>

#include "net/checksum.h"
#include "net/err.h"
#include "net/icmp.h"
#include "net/stack.h"
#include "net/sys.h"
#include "net/wire.h"

/* One queued datagram and where it came from. */
struct udp_rx_slot {
	struct netbuf *nb;
	struct udp_rx_info rx;
};

/* An endpoint (protocol control block): one slot of udp_pcbs. */
struct udp_pcb {
	bool in_use;
	uint32_t local_addr;      /* 0 = any */
	uint16_t local_port;      /* 0 = unbound */
	uint32_t remote_addr;     /* 0 = not connected */
	uint16_t remote_port;
	udp_recv_fn recv_fn;      /* non-NULL: deliver by callback, not queue */
	void *recv_arg;
	/* Receive ring: rxq[(rx_head + i) % UDP_RXQ_LIMIT], i < rx_count. */
	struct udp_rx_slot rxq[UDP_RXQ_LIMIT];
	uint8_t rx_head, rx_count;
	int pending_err;          /* NET_E* from ICMP, reported once; 0 = none */
	struct sys_wait *wait;
};

static struct udp_pcb udp_pcbs[UDP_PCB_MAX];
static struct udp_stats udp_stats;

const struct udp_stats *udp_get_stats(void)
{
	return &udp_stats;
}

/* ---- wire format ---- */

enum udp_drop udp_parse(const uint8_t *p, size_t len, struct udp_hdr *h)
{
	if (len < UDP_HLEN)
		return UDP_DROP_SHORT;
	uint16_t ulen = be16_get(p + UDP_LEN);
	if (ulen < UDP_HLEN)
		return UDP_DROP_BADLEN;
	if (ulen > len)
		return UDP_DROP_BADLEN;
	h->sport = be16_get(p + UDP_SPORT);
	h->dport = be16_get(p + UDP_DPORT);
	h->len = ulen;
	h->sum = be16_get(p + UDP_SUM);
	return UDP_DROP_NONE;
}

uint16_t udp_checksum(uint32_t src, uint32_t dst, const uint8_t *p, size_t len)
{
	uint32_t s = csum_pseudo(src, dst, IPV4_PROTO_UDP, (uint16_t)len);
	return csum_fold(csum_add(s, p, len));
}

/* ---- the endpoint table ---- */

/* True when some other bound pcb holds port on an address overlapping
 * addr (either is "any", or they are equal). */
static bool udp_port_in_use(const struct udp_pcb *self, uint32_t addr, uint16_t port)
{
	for (int i = 0; i < UDP_PCB_MAX; i++) {
		const struct udp_pcb *p = &udp_pcbs[i];
		if (p == self || !p->in_use || p->local_port != port)
			continue;
		if (p->local_addr == 0 || addr == 0 || p->local_addr == addr)
			return true;
	}
	return false;
}

/* A random free port in the dynamic range, or 0 if all are taken. The
 * start is random so ports are hard to guess (RFC 6056); then a linear
 * probe, so allocation always terminates. */
static uint16_t udp_ephemeral_port(const struct udp_pcb *self, uint32_t addr)
{
	const uint32_t span = UDP_EPHEMERAL_MAX - UDP_EPHEMERAL_MIN + 1;
	uint32_t off = sys_random32() % span;
	for (uint32_t i = 0; i < span; i++) {
		uint16_t port = (uint16_t)(UDP_EPHEMERAL_MIN + (off + i) % span);
		if (!udp_port_in_use(self, addr, port))
			return port;
	}
	return 0;
}

struct udp_pcb *udp_pcb_new(void)
{
	for (int i = 0; i < UDP_PCB_MAX; i++) {
		struct udp_pcb *pcb = &udp_pcbs[i];
		if (pcb->in_use)
			continue;
		struct sys_wait *w = sys_wait_create("udp");
		if (!w)
			return NULL;
		memset(pcb, 0, sizeof *pcb);
		pcb->in_use = true;
		pcb->wait = w;
		return pcb;
	}
	return NULL;
}

void udp_pcb_free(struct udp_pcb *pcb)
{
	if (!pcb || !pcb->in_use)
		return;
	while (pcb->rx_count) {
		netbuf_free(pcb->rxq[pcb->rx_head].nb);
		pcb->rx_head = (uint8_t)((pcb->rx_head + 1) % UDP_RXQ_LIMIT);
		pcb->rx_count--;
	}
	sys_wait_destroy(pcb->wait);
	memset(pcb, 0, sizeof *pcb);
}

int udp_pcb_bind(struct udp_pcb *pcb, uint32_t addr, uint16_t port)
{
	if (!pcb || !pcb->in_use || pcb->local_port)
		return NET_EINVAL;
	if (port == 0) {
		port = udp_ephemeral_port(pcb, addr);
		if (port == 0)
			return NET_EADDRINUSE;
	} else if (udp_port_in_use(pcb, addr, port)) {
		return NET_EADDRINUSE;
	}
	pcb->local_addr = addr;
	pcb->local_port = port;
	return NET_OK;
}

int udp_pcb_connect(struct udp_pcb *pcb, uint32_t remote_addr, uint16_t remote_port)
{
	if (!pcb || !pcb->in_use)
		return NET_EINVAL;
	if (remote_addr && remote_port == 0)
		return NET_EINVAL;
	if (!pcb->local_port) {
		int err = udp_pcb_bind(pcb, 0, 0);
		if (err)
			return err;
	}
	pcb->remote_addr = remote_addr;
	pcb->remote_port = remote_addr ? remote_port : 0;
	pcb->pending_err = 0;
	return NET_OK;
}

void udp_pcb_set_recv(struct udp_pcb *pcb, udp_recv_fn fn, void *arg)
{
	pcb->recv_fn = fn;
	pcb->recv_arg = arg;
}

uint16_t udp_pcb_local_port(const struct udp_pcb *pcb)
{
	return pcb->local_port;
}

struct sys_wait *udp_pcb_wait(const struct udp_pcb *pcb)
{
	return pcb->wait;
}

bool udp_pcb_readable(const struct udp_pcb *pcb)
{
	return pcb->rx_count > 0 || pcb->pending_err != 0;
}

int udp_pcb_recv(struct udp_pcb *pcb, struct netbuf **nb, struct udp_rx_info *rx)
{
	*nb = NULL;
	if (!pcb || !pcb->in_use)
		return NET_ECLOSED;
	if (pcb->pending_err) {
		int err = pcb->pending_err;
		pcb->pending_err = 0;
		return err;
	}
	if (pcb->rx_count == 0)
		return NET_EAGAIN;
	struct udp_rx_slot *slot = &pcb->rxq[pcb->rx_head];
	*nb = slot->nb;
	if (rx)
		*rx = slot->rx;
	slot->nb = NULL;
	pcb->rx_head = (uint8_t)((pcb->rx_head + 1) % UDP_RXQ_LIMIT);
	pcb->rx_count--;
	return NET_OK;
}

/* The pcb that should receive a datagram described by rx, or NULL. Scores
 * +2 for a connected match and +1 for a bound-address match; a pcb that
 * disagrees on any field it fixes is not a candidate. */
static struct udp_pcb *udp_pcb_lookup(const struct udp_rx_info *rx, bool broadcast)
{
	struct udp_pcb *best = NULL;
	int best_score = -1;
	for (int i = 0; i < UDP_PCB_MAX; i++) {
		struct udp_pcb *p = &udp_pcbs[i];
		if (!p->in_use || p->local_port != rx->dst_port)
			continue;
		int score = 0;
		if (p->local_addr) {
			/* A broadcast is not addressed to any one local address. */
			if (broadcast || p->local_addr != rx->dst_addr)
				continue;
			score += 1;
		}
		if (p->remote_addr) {
			if (p->remote_addr != rx->src_addr || p->remote_port != rx->src_port)
				continue;
			score += 2;
		}
		if (score > best_score) {
			best = p;
			best_score = score;
		}
	}
	return best;
}

/* Hand nb (data = payload) to pcb by callback or queue; consumes nb. */
static void udp_deliver(struct udp_pcb *pcb, struct netbuf *nb, const struct udp_rx_info *rx)
{
	if (pcb->recv_fn) {
		udp_stats.in_datagrams++;
		pcb->recv_fn(pcb, nb, rx, pcb->recv_arg);
		return;
	}
	if (pcb->rx_count >= UDP_RXQ_LIMIT) {
		udp_stats.drops[UDP_DROP_QFULL]++;
		netbuf_free(nb);
		return;
	}
	struct udp_rx_slot *slot = &pcb->rxq[(pcb->rx_head + pcb->rx_count) % UDP_RXQ_LIMIT];
	slot->nb = nb;
	slot->rx = *rx;
	pcb->rx_count++;
	udp_stats.in_datagrams++;
	sys_wake(pcb->wait);
}

/* ---- input ---- */

void udp_input(struct netif *nif, struct netbuf *nb, const struct ipv4_hdr *ih)
{
	struct udp_hdr h;
	enum udp_drop why = udp_parse(nb->data, nb->len, &h);
	if (why != UDP_DROP_NONE)
		goto drop;
	/* Bytes past the UDP length (the IP payload was longer) are not ours. */
	netbuf_trim(nb, h.len);
	if (h.sum != 0 && !csum_verified(udp_checksum(ih->src, ih->dst, nb->data, h.len))) {
		why = UDP_DROP_BADSUM;
		goto drop;
	}

	struct udp_rx_info rx = {
		.nif = nif,
		.src_addr = ih->src,
		.dst_addr = ih->dst,
		.src_port = h.sport,
		.dst_port = h.dport,
	};
	bool broadcast = (nb->flags & (NETBUF_F_BROADCAST | NETBUF_F_MULTICAST)) ||
			 ipv4_is_broadcast(nif, ih->dst) || ipv4_is_multicast(ih->dst);
	struct udp_pcb *pcb = udp_pcb_lookup(&rx, broadcast);
	if (!pcb) {
		if (broadcast) {
			why = UDP_DROP_NOPORT_BC;
			goto drop;
		}
		/* ICMP quotes the IP header and the first 8 bytes from ih->raw
		 * (RFC 1122 3.2.2) and applies its own rate limit. */
		icmp_send_dest_unreach(nif, nb, ih, ICMP_UNREACH_PORT);
		why = UDP_DROP_NOPORT;
		goto drop;
	}
	netbuf_pull(nb, UDP_HLEN);
	udp_deliver(pcb, nb, &rx);
	return;

drop:
	udp_stats.drops[why]++;
	netbuf_free(nb);
}

void udp_icmp_error(const struct ipv4_hdr *orig, const uint8_t *l4, size_t l4_len, int err)
{
	if (l4_len < UDP_HLEN) {
		udp_stats.icmp_unmatched++;
		return;
	}
	/* The quoted datagram is one we sent: its source is our end. */
	uint16_t sport = be16_get(l4 + UDP_SPORT);
	uint16_t dport = be16_get(l4 + UDP_DPORT);
	for (int i = 0; i < UDP_PCB_MAX; i++) {
		struct udp_pcb *p = &udp_pcbs[i];
		if (!p->in_use || p->local_port != sport || !p->remote_addr)
			continue;
		if (p->local_addr && p->local_addr != orig->src)
			continue;
		if (p->remote_addr != orig->dst || p->remote_port != dport)
			continue;
		/* Only connected endpoints hear of errors (RFC 1122 4.1.3.3
		 * leaves it to the application; BSD does the same): an
		 * unconnected one cannot tell which send it concerns. */
		p->pending_err = err;
		udp_stats.icmp_errors++;
		sys_wake(p->wait);
		return;
	}
	udp_stats.icmp_unmatched++;
}

/* ---- output ---- */

/* Push the header onto nb (data = payload) and fill it, checksum included. */
static int udp_build(struct netbuf *nb, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	if (nb->len > UDP_PAYLOAD_MAX)
		return NET_EMSGSIZE;
	uint8_t *p = netbuf_push(nb, UDP_HLEN);
	if (!p)
		return NET_ENOMEM;
	be16_put(p + UDP_SPORT, sport);
	be16_put(p + UDP_DPORT, dport);
	be16_put(p + UDP_LEN, (uint16_t)nb->len);
	be16_put(p + UDP_SUM, 0);
	uint16_t sum = udp_checksum(src, dst, p, nb->len);
	be16_put(p + UDP_SUM, sum ? sum : 0xffff);
	return NET_OK;
}

int udp_output(struct netbuf *nb, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	return udp_output_ttl(nb, src, sport, dst, dport, IPV4_DEFAULT_TTL);
}

int udp_output_ttl(struct netbuf *nb, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint8_t ttl)
{
	int err;
	if (src == 0) {
		struct netif *nif;
		uint32_t next_hop;
		err = ipv4_route(dst, &nif, &next_hop);
		if (err)
			goto fail;
		/* As IPv4 would choose: our own address looped back keeps
		 * itself as the source. */
		src = nif->is_loopback && !ipv4_is_loopback(dst) ? dst : nif->ip;
	}
	err = udp_build(nb, src, sport, dst, dport);
	if (err)
		goto fail;
	udp_stats.out_datagrams++;
	return ipv4_output(nb, src, dst, IPV4_PROTO_UDP, ttl ? ttl : IPV4_DEFAULT_TTL);

fail:
	udp_stats.out_errors++;
	netbuf_free(nb);
	return err;
}

int udp_output_if(struct netif *nif, struct netbuf *nb, uint32_t src, uint16_t sport, uint32_t dst,
		  uint16_t dport)
{
	if (src == 0)
		src = ipv4_source_for(nif, dst);   /* the header's source: the checksum covers it */
	int err = udp_build(nb, src, sport, dst, dport);
	if (err) {
		udp_stats.out_errors++;
		netbuf_free(nb);
		return err;
	}
	udp_stats.out_datagrams++;
	return ipv4_output_if(nif, nb, src, dst, IPV4_PROTO_UDP, IPV4_DEFAULT_TTL);
}

int udp_pcb_sendto(struct udp_pcb *pcb, struct netbuf *nb, uint32_t dst, uint16_t dport)
{
	if (!pcb || !pcb->in_use || dst == 0 || dport == 0) {
		netbuf_free(nb);
		return NET_EINVAL;
	}
	if (!pcb->local_port) {
		int err = udp_pcb_bind(pcb, 0, 0);
		if (err) {
			netbuf_free(nb);
			return err;
		}
	}
	return udp_output(nb, pcb->local_addr, pcb->local_port, dst, dport);
}

int udp_pcb_send(struct udp_pcb *pcb, struct netbuf *nb)
{
	if (!pcb || !pcb->in_use || !pcb->remote_addr) {
		netbuf_free(nb);
		return NET_ENOTCONN;
	}
	return udp_pcb_sendto(pcb, nb, pcb->remote_addr, pcb->remote_port);
}

static const struct net_counter udp_counters[] = {
	{ "in_datagrams", &udp_stats.in_datagrams },
	{ "drop_short", &udp_stats.drops[UDP_DROP_SHORT] },
	{ "drop_badlen", &udp_stats.drops[UDP_DROP_BADLEN] },
	{ "drop_badsum", &udp_stats.drops[UDP_DROP_BADSUM] },
	{ "drop_noport", &udp_stats.drops[UDP_DROP_NOPORT] },
	{ "drop_noport_bcast", &udp_stats.drops[UDP_DROP_NOPORT_BC] },
	{ "drop_qfull", &udp_stats.drops[UDP_DROP_QFULL] },
	{ "out_datagrams", &udp_stats.out_datagrams },
	{ "out_errors", &udp_stats.out_errors },
	{ "icmp_errors", &udp_stats.icmp_errors },
	{ "icmp_unmatched", &udp_stats.icmp_unmatched },
};

static const struct net_counter_group udp_counter_group = {
	.name = "udp",
	.counters = udp_counters,
	.count = sizeof udp_counters / sizeof udp_counters[0],
};

void udp_init(void)
{
	for (int i = 0; i < UDP_PCB_MAX; i++)
		udp_pcb_free(&udp_pcbs[i]);
	memset(&udp_stats, 0, sizeof udp_stats);
	net_counters_register(&udp_counter_group);
}
