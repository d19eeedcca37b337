/* IPv4 (RFC 791; host requirements RFC 1122 3.2.1 and 3.3): receive-side
 * validation and delivery, routing, output with fragmentation, and the
 * protocol dispatch table. Reassembly lives in net/ipv4_reasm.c. */
#include "net/ipv4.h"

#include <stdio.h>
#include <string.h>

#include "net/arp.h"
#include "net/checksum.h"
#include "net/err.h"
#include "net/ethernet.h"
#include "net/icmp.h"
#include "net/ipv4_reasm.h"
#include "net/perf.h"
#include "net/sys.h"
#include "net/trace.h"
#include "net/udp.h"
#include "net/wire.h"

struct ipv4_stats ipv4_stats;

/* IP options (RFC 791 3.1) we must be able to step over. */
enum { IPOPT_EOL = 0, IPOPT_NOP = 1 };

/* The protocol table (BSD inetsw[]). TCP has no entry until it exists:
 * its datagrams are counted in rx_tcp_no_handler and dropped. */
static struct {
	ipv4_input_fn input;
	ipv4_icmp_error_fn icmp_error;
} ipv4_protocols[256] = {
	[IPV4_PROTO_ICMP] = { icmp_input, NULL },  /* ICMP handles its own errors */
	[IPV4_PROTO_UDP] = { udp_input, udp_icmp_error },
};

static uint16_t ipv4_next_id;

void ipv4_set_protocol(uint8_t proto, ipv4_input_fn input, ipv4_icmp_error_fn icmp_error)
{
	ipv4_protocols[proto].input = input;
	ipv4_protocols[proto].icmp_error = input ? icmp_error : NULL;
}

ipv4_icmp_error_fn ipv4_protocol_icmp_error(uint8_t proto)
{
	return ipv4_protocols[proto].icmp_error;
}

void ipv4_init(void)
{
	/* A random start, so identifiers say nothing about our traffic. */
	ipv4_next_id = (uint16_t)sys_random32();
	ipv4_reasm_flush();
	memset(&ipv4_stats, 0, sizeof ipv4_stats);
	memset(&ipv4_reasm_stats, 0, sizeof ipv4_reasm_stats);
}

enum ipv4_parse_err ipv4_hdr_parse(const uint8_t *p, size_t len, struct ipv4_hdr *h)
{
	uint16_t ff;

	if (len < IPV4_HLEN)
		return IPV4_PARSE_SHORT;
	if (p[IPV4_VER_IHL] >> 4 != 4)
		return IPV4_PARSE_VERSION;
	h->hlen = (uint8_t)((p[IPV4_VER_IHL] & 0x0f) * 4);
	if (h->hlen < IPV4_HLEN || h->hlen > len)
		return IPV4_PARSE_HLEN;
	h->total_len = be16_get(p + IPV4_TOTAL_LEN);
	if (h->total_len < h->hlen)
		return IPV4_PARSE_TOTAL_LEN;
	h->tos = p[IPV4_TOS];
	h->id = be16_get(p + IPV4_ID);
	ff = be16_get(p + IPV4_FLAGS_FRAG);
	h->df = (ff & IPV4_FLAG_DF) != 0;
	h->mf = (ff & IPV4_FLAG_MF) != 0;
	h->frag_off = (uint16_t)((ff & IPV4_FRAG_MASK) * 8);
	h->ttl = p[IPV4_TTL];
	h->proto = p[IPV4_PROTO];
	h->src = be32_get(p + IPV4_SRC);
	h->dst = be32_get(p + IPV4_DST);
	h->raw = p;
	return IPV4_PARSE_OK;
}

/* Write a 20-byte header (no options) for h at p, checksum included. */
static void ipv4_hdr_emit(uint8_t *p, const struct ipv4_hdr *h)
{
	uint16_t ff = (uint16_t)(h->frag_off / 8);

	if (h->df)
		ff |= IPV4_FLAG_DF;
	if (h->mf)
		ff |= IPV4_FLAG_MF;
	p[IPV4_VER_IHL] = 4 << 4 | IPV4_HLEN / 4;
	p[IPV4_TOS] = h->tos;
	be16_put(p + IPV4_TOTAL_LEN, h->total_len);
	be16_put(p + IPV4_ID, h->id);
	be16_put(p + IPV4_FLAGS_FRAG, ff);
	p[IPV4_TTL] = h->ttl;
	p[IPV4_PROTO] = h->proto;
	be16_put(p + IPV4_CSUM, 0);
	be32_put(p + IPV4_SRC, h->src);
	be32_put(p + IPV4_DST, h->dst);
	be16_put(p + IPV4_CSUM, csum_compute(p, IPV4_HLEN));
}

/* Options are not acted on (a host need not; source routes are never
 * honoured), but they must be well formed: every option other than EOL
 * and NOP has a length byte >= 2 that stays inside the header. */
static bool ipv4_options_valid(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (p[i] == IPOPT_EOL)
			return true;
		if (p[i] == IPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2 || p[i + 1] < 2 || p[i + 1] > len - i)
			return false;
		i += p[i + 1];
	}
	return true;
}

bool ipv4_is_local(uint32_t addr)
{
	if (!addr)
		return false;
	for (struct netif *n = netif_list(); n; n = n->next)
		if (n->ip == addr)
			return true;
	return false;
}

bool ipv4_is_broadcast(const struct netif *nif, uint32_t addr)
{
	if (addr == IPV4_BROADCAST)
		return true;
	/* A /31 or /32 has no broadcast address (RFC 3021). */
	return nif && nif->ip && nif->netmask && nif->netmask < 0xfffffffeu &&
	       addr == (nif->ip | ~nif->netmask);
}

/* Is a datagram to dst, arriving on nif, for us? */
static bool ipv4_accepts(const struct netif *nif, uint32_t dst)
{
	if (ipv4_is_broadcast(nif, dst))
		return true;
	/* No address yet: take any unicast, so a DHCP offer sent to the
	 * address being offered reaches the client. */
	if (!nif->ip || dst == nif->ip)
		return true;
	if (nif->is_loopback)
		return ipv4_is_loopback(dst) || ipv4_is_local(dst);
	return false;
}

uint32_t ipv4_source_for(const struct netif *nif, uint32_t dst)
{
	/* On lo, to one of our other addresses: that address itself. */
	return nif->is_loopback && !ipv4_is_loopback(dst) ? dst : nif->ip;
}

/* The perf stage a protocol's input is charged to. */
static enum perf_stage ipv4_perf_stage(uint8_t proto)
{
	switch (proto) {
	case IPV4_PROTO_ICMP: return PERF_ICMP;
	case IPV4_PROTO_UDP: return PERF_UDP;
	case IPV4_PROTO_TCP: return PERF_TCP_IN;
	default: return PERF_IPV4;
	}
}

static void ipv4_deliver(struct netif *nif, struct netbuf *nb, const struct ipv4_hdr *h)
{
	ipv4_input_fn input = ipv4_protocols[h->proto].input;

	if (input) {
		ipv4_stats.rx_delivered++;
		enum perf_stage prev = perf_enter(ipv4_perf_stage(h->proto));
		input(nif, nb, h);
		perf_leave(prev);
		return;
	}
	if (h->proto == IPV4_PROTO_TCP) {
		ipv4_stats.rx_tcp_no_handler++;
	} else {
		ipv4_stats.rx_unknown_proto++;
		icmp_send_dest_unreach(nif, nb, h, ICMP_UNREACH_PROTO);
	}
	netbuf_free(nb);
}

void ipv4_input(struct netif *nif, struct netbuf *nb)
{
	uint64_t now = nb->rx_time_ms ? nb->rx_time_ms : sys_now_ms();
	struct ipv4_hdr h, whole;

	ipv4_stats.rx_packets++;
	switch (ipv4_hdr_parse(nb->data, nb->len, &h)) {
	case IPV4_PARSE_OK:
		break;
	case IPV4_PARSE_SHORT:
		ipv4_stats.rx_short++;
		goto drop;
	case IPV4_PARSE_VERSION:
		ipv4_stats.rx_bad_version++;
		goto drop;
	case IPV4_PARSE_HLEN:
		ipv4_stats.rx_bad_hlen++;
		goto drop;
	case IPV4_PARSE_TOTAL_LEN:
		ipv4_stats.rx_bad_len++;
		goto drop;
	}
	if (h.total_len > nb->len) {
		ipv4_stats.rx_bad_len++;  /* truncated, or the length lies */
		goto drop;
	}
	netbuf_trim(nb, h.total_len);  /* drop Ethernet padding */
	if (!csum_verified(csum_compute(nb->data, h.hlen))) {
		ipv4_stats.rx_bad_checksum++;
		goto drop;
	}
	if (h.hlen > IPV4_HLEN) {
		ipv4_stats.rx_options++;
		if (!ipv4_options_valid(nb->data + IPV4_HLEN, h.hlen - IPV4_HLEN)) {
			ipv4_stats.rx_bad_options++;
			goto drop;
		}
	}
	/* RFC 1122 3.2.1.3: discard datagrams from addresses no host can have. */
	if (h.src == 0 || ipv4_is_broadcast(nif, h.src) || ipv4_is_multicast(h.src)) {
		ipv4_stats.rx_bad_src++;
		goto drop;
	}
	if (!nif->is_loopback && (ipv4_is_loopback(h.src) || ipv4_is_loopback(h.dst))) {
		ipv4_stats.rx_martian++;
		goto drop;
	}
	/* RFC 1122 3.2.1.7: a host must not discard a datagram for a TTL
	 * below 2; we only count the odd ones. */
	if (h.ttl == 0)
		ipv4_stats.rx_ttl_zero++;
	if (ipv4_is_multicast(h.dst)) {
		ipv4_stats.rx_multicast++;  /* no groups joined */
		goto drop;
	}
	if (!ipv4_accepts(nif, h.dst)) {
		ipv4_stats.rx_not_ours++;  /* we do not forward */
		goto drop;
	}
	netbuf_pull(nb, h.hlen);
	if (h.mf || h.frag_off) {
		ipv4_stats.rx_fragments++;
		nb = ipv4_reasm_input(nif, nb, &h, &whole, now);
		if (!nb)
			return;
		ipv4_stats.rx_reassembled++;
		h = whole;
	}
	ipv4_deliver(nif, nb, &h);
	return;
drop:
	nif->stats.rx_dropped++;
	netbuf_free(nb);
}

/* ---- routing and output ---- */

static struct netif *ipv4_loopback_if(void)
{
	for (struct netif *n = netif_list(); n; n = n->next)
		if (n->is_loopback && n->link_up)
			return n;
	return NULL;
}

static bool ipv4_on_link(const struct netif *n, uint32_t dst)
{
	return n->ip && n->netmask && (dst & n->netmask) == (n->ip & n->netmask);
}

int ipv4_route(uint32_t dst, struct netif **nif, uint32_t *next_hop)
{
	struct netif *n;

	*next_hop = dst;
	/* Loopback and our own addresses go through lo. */
	if (ipv4_is_loopback(dst) || ipv4_is_local(dst)) {
		*nif = ipv4_loopback_if();
		if (*nif)
			return NET_OK;
		if (ipv4_is_loopback(dst))
			return NET_ENETUNREACH;
	}
	if (dst == IPV4_BROADCAST) {
		*nif = netif_default();
		return *nif ? NET_OK : NET_ENETUNREACH;
	}
	/* On-link: the first interface whose subnet holds dst. */
	for (n = netif_list(); n; n = n->next) {
		if (!n->is_loopback && n->link_up && ipv4_on_link(n, dst)) {
			*nif = n;
			return NET_OK;
		}
	}
	/* Else the default gateway of the first interface that has one. */
	for (n = netif_list(); n; n = n->next) {
		if (!n->is_loopback && n->link_up && n->ip && n->gateway) {
			*nif = n;
			*next_hop = n->gateway;
			return NET_OK;
		}
	}
	*nif = NULL;
	return NET_ENETUNREACH;
}

/* The next hop for dst when the interface is already chosen. */
static uint32_t ipv4_next_hop_on(const struct netif *nif, uint32_t dst)
{
	if (nif->is_loopback || ipv4_is_broadcast(nif, dst) || ipv4_is_multicast(dst) ||
	    !nif->ip || ipv4_on_link(nif, dst) || !nif->gateway)
		return dst;
	return nif->gateway;
}

/* Hand one complete datagram (data at its IPv4 header) to the link:
 * straight out on lo, to the broadcast or multicast MAC, or via ARP. */
static int ipv4_send(struct netif *nif, struct netbuf *nb, uint32_t dst, uint32_t next_hop)
{
	uint8_t mac[ETH_ALEN];

	ipv4_stats.tx_packets++;
	if (nif->is_loopback)
		return eth_output(nif, nb, nif->mac, ETH_P_IPV4);
	if (ipv4_is_broadcast(nif, dst))
		return eth_output(nif, nb, eth_broadcast_addr, ETH_P_IPV4);
	if (ipv4_is_multicast(dst)) {
		/* RFC 1112 6.4: 01:00:5e and the low 23 bits of the group. */
		mac[0] = 0x01;
		mac[1] = 0x00;
		mac[2] = 0x5e;
		mac[3] = (uint8_t)((dst >> 16) & 0x7f);
		mac[4] = (uint8_t)(dst >> 8);
		mac[5] = (uint8_t)dst;
		return eth_output(nif, nb, mac, ETH_P_IPV4);
	}
	return arp_resolve(nif, next_hop, nb);
}

/* Split nb's payload into fragments that fit nif's MTU (RFC 791 3.2:
 * offsets in 8-byte units, MF on all but the last). h is the template
 * header. Consumes nb. */
static int ipv4_fragment(struct netif *nif, struct netbuf *nb, struct ipv4_hdr *h, uint32_t next_hop)
{
	size_t chunk = (size_t)(nif->mtu - IPV4_HLEN) & ~(size_t)7;
	size_t room = (size_t)(NETBUF_SIZE - NETBUF_HEADROOM) & ~(size_t)7;
	size_t payload = nb->len, off = 0;
	int rc = NET_OK;

	if (chunk > room)
		chunk = room;
	while (off < payload) {
		size_t n = payload - off < chunk ? payload - off : chunk;
		struct netbuf *f = netbuf_alloc();
		uint8_t *p;

		if (!f) {
			ipv4_stats.tx_no_buffer++;
			rc = NET_ENOMEM;
			break;
		}
		memcpy(netbuf_put(f, n), nb->data + off, n);
		perf_count(PERF_EV_COPY_TX, n);
		p = netbuf_push(f, IPV4_HLEN);
		h->total_len = (uint16_t)(IPV4_HLEN + n);
		h->frag_off = (uint16_t)off;
		h->mf = off + n < payload;
		ipv4_hdr_emit(p, h);
		ipv4_stats.tx_fragments++;
		rc = ipv4_send(nif, f, h->dst, next_hop);
		if (rc != NET_OK)
			break;  /* the datagram is lost: send no more of it */
		off += n;
	}
	netbuf_free(nb);
	return rc;
}

/* Tell an observer where a datagram goes: on-link, or via the gateway. */
static void ipv4_trace_route(const struct netif *nif, uint32_t dst, uint32_t next_hop)
{
	if (!net_trace_on())
		return;
	struct net_trace_event ev = {
		.kind = NET_TRACE_ROUTE, .nif = nif, .ip = dst, .next_hop = next_hop, .on_link = next_hop == dst,
	};
	net_trace_note(&ev);
}

static int ipv4_output_route(struct netif *nif, struct netbuf *nb, uint32_t src, uint32_t dst,
			     uint8_t proto, uint8_t ttl, unsigned flags)
{
	struct ipv4_hdr h;
	uint32_t next_hop;
	size_t total = IPV4_HLEN + nb->len;
	uint8_t *p;
	int rc;

	if (nif) {
		next_hop = ipv4_next_hop_on(nif, dst);
	} else {
		rc = ipv4_route(dst, &nif, &next_hop);
		if (rc != NET_OK) {
			ipv4_stats.tx_no_route++;
			goto fail;
		}
	}
	if (!nif->link_up) {
		ipv4_stats.tx_link_down++;
		rc = NET_ENODEV;
		goto fail;
	}
	if (total > IPV4_MAX_DATAGRAM) {
		ipv4_stats.tx_too_big++;
		rc = NET_EMSGSIZE;
		goto fail;
	}
	memset(&h, 0, sizeof h);
	h.hlen = IPV4_HLEN;
	h.total_len = (uint16_t)total;
	h.id = ipv4_next_id++;
	h.df = (flags & IPV4_OUT_DF) != 0;
	h.ttl = ttl ? ttl : IPV4_DEFAULT_TTL;
	h.proto = proto;
	h.src = src ? src : ipv4_source_for(nif, dst);
	h.dst = dst;
	if (total > nif->mtu) {
		if (h.df) {
			ipv4_stats.tx_too_big++;
			rc = NET_EMSGSIZE;
			goto fail;
		}
		return ipv4_fragment(nif, nb, &h, next_hop);
	}
	p = netbuf_push(nb, IPV4_HLEN);
	if (!p) {
		ipv4_stats.tx_no_buffer++;
		rc = NET_ENOMEM;
		goto fail;
	}
	ipv4_hdr_emit(p, &h);
	ipv4_trace_route(nif, dst, next_hop);
	return ipv4_send(nif, nb, dst, next_hop);
fail:
	netbuf_free(nb);
	return rc;
}

int ipv4_output_flags(struct netif *nif, struct netbuf *nb, uint32_t src, uint32_t dst, uint8_t proto,
		      uint8_t ttl, unsigned flags)
{
	enum perf_stage prev = perf_enter(PERF_IPV4);
	int rc = ipv4_output_route(nif, nb, src, dst, proto, ttl, flags);
	perf_leave(prev);
	return rc;
}

int ipv4_output(struct netbuf *nb, uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl)
{
	return ipv4_output_flags(NULL, nb, src, dst, proto, ttl, 0);
}

int ipv4_output_if(struct netif *nif, struct netbuf *nb, uint32_t src, uint32_t dst, uint8_t proto,
		   uint8_t ttl)
{
	return ipv4_output_flags(nif, nb, src, dst, proto, ttl, 0);
}

void ipv4_resolve_failed(struct netif *nif, struct netbuf *nb)
{
	struct ipv4_hdr h;

	ipv4_stats.tx_resolve_failed++;
	/* Report each datagram once: through its first fragment. */
	if (ipv4_hdr_parse(nb->data, nb->len, &h) == IPV4_PARSE_OK && h.frag_off == 0) {
		size_t end = h.total_len < nb->len ? h.total_len : nb->len;
		icmp_deliver_error(nif->ip, ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, &h, nb->data + h.hlen,
				   end - h.hlen);
	}
	netbuf_free(nb);
}

/* ---- addresses as text ---- */

int ipv4_parse_addr(const char *s, uint32_t *addr)
{
	uint32_t a = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return -1;
		a = a << 8 | v;
		if (part < 3 && *s++ != '.')
			return -1;
	}
	if (*s)
		return -1;
	*addr = a;
	return 0;
}

char *ipv4_format_addr(uint32_t addr, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", (unsigned)(addr >> 24), (unsigned)(addr >> 16) & 0xff,
		 (unsigned)(addr >> 8) & 0xff, (unsigned)addr & 0xff);
	return buf;
}
