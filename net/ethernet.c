/* Ethernet II: receive-side validation and EtherType dispatch, and the
 * transmit-side header (RFC 894; IEEE 802.3 clause 3 for sizes). */
#include "net/ethernet.h"

#include <stdio.h>

#include "net/arp.h"
#include "net/capture.h"
#include "net/err.h"
#include "net/ipv4.h"
#include "net/netem.h"
#include "net/perf.h"
#include "net/trace.h"
#include "net/wire.h"

struct eth_stats eth_stats;
net_capture_fn net_capture_hook;

const uint8_t eth_broadcast_addr[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
const uint8_t eth_zero_addr[ETH_ALEN];

/* EtherType dispatch: everything else is counted as unknown. */
static const struct {
	uint16_t type;
	void (*input)(struct netif *nif, struct netbuf *nb);
	enum perf_stage stage;
} eth_protocols[] = {
	{ ETH_P_IPV4, ipv4_input, PERF_IPV4 },
	{ ETH_P_ARP, arp_input, PERF_ARP },
};

char *eth_format_addr(const uint8_t *mac, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
	return buf;
}

/* Decode the header at p (ETH_HLEN bytes, checked by the caller). */
void eth_hdr_parse(const uint8_t *p, struct eth_hdr *h)
{
	memcpy(h->dst, p + ETH_DST, ETH_ALEN);
	memcpy(h->src, p + ETH_SRC, ETH_ALEN);
	h->type = be16_get(p + ETH_TYPE);
}

void eth_input(struct netif *nif, struct netbuf *nb)
{
	struct eth_hdr h;
	const uint8_t *p;

	eth_stats.rx_frames++;
	net_capture_frame(NET_CAPTURE_IN, nif, nb);
	if (net_trace_on())
		net_trace_frame(NET_TRACE_FRAME_IN, nif, nb);
	/* A giant: no untagged 802.3 frame is longer, and the NIC may still
	 * hand up a few bytes more (QEMU's e1000 passes up to 1522 with
	 * RCTL.LPE clear, room for a VLAN tag we do not speak). */
	if (nb->len > ETH_FRAME_MAX) {
		eth_stats.rx_oversize++;
		goto drop;
	}
	p = netbuf_pull(nb, ETH_HLEN);
	if (!p) {
		eth_stats.rx_short++;
		goto drop;
	}
	eth_hdr_parse(p, &h);
	if (eth_addr_is_broadcast(h.dst)) {
		eth_stats.rx_broadcast++;
		nb->flags |= NETBUF_F_BROADCAST;
	} else if (eth_addr_is_multicast(h.dst)) {
		/* We join no multicast groups yet (no IGMP). */
		eth_stats.rx_multicast++;
		nb->flags |= NETBUF_F_MULTICAST;
		goto drop;
	} else if (memcmp(h.dst, nif->mac, ETH_ALEN) != 0) {
		eth_stats.rx_not_ours++;
		goto drop;
	}
	for (size_t i = 0; i < sizeof eth_protocols / sizeof eth_protocols[0]; i++) {
		if (eth_protocols[i].type == h.type) {
			enum perf_stage prev = perf_enter(eth_protocols[i].stage);
			eth_protocols[i].input(nif, nb);
			perf_leave(prev);
			return;
		}
	}
	eth_stats.rx_unknown_type++;
drop:
	nif->stats.rx_dropped++;
	netbuf_free(nb);
}

static int eth_output_frame(struct netif *nif, struct netbuf *nb, const uint8_t *dst_mac,
			    uint16_t ethertype)
{
	uint8_t *p = netbuf_push(nb, ETH_HLEN);
	size_t len;
	int rc;

	if (!p) {
		eth_stats.tx_no_headroom++;
		nif->stats.tx_dropped++;
		netbuf_free(nb);
		return NET_ENOMEM;
	}
	memcpy(p + ETH_DST, dst_mac, ETH_ALEN);
	memcpy(p + ETH_SRC, nif->mac, ETH_ALEN);
	be16_put(p + ETH_TYPE, ethertype);
	if (nb->len < ETH_ZLEN) {
		/* Pad with zeros so no stale buffer bytes leave the machine. */
		size_t pad = ETH_ZLEN - nb->len;
		uint8_t *t = netbuf_put(nb, pad);
		if (t)
			memset(t, 0, pad);
	}
	len = nb->len;
	net_capture_frame(NET_CAPTURE_OUT, nif, nb);
	if (net_trace_on())
		net_trace_frame(NET_TRACE_FRAME_OUT, nif, nb);
	rc = nif->netem ? netem_output(nif, nb) : nif->transmit(nif, nb);
	if (rc == NET_OK) {
		eth_stats.tx_frames++;
		nif->stats.tx_packets++;
		nif->stats.tx_bytes += len;
	} else {
		eth_stats.tx_errors++;
		nif->stats.tx_dropped++;
	}
	return rc;
}

int eth_output(struct netif *nif, struct netbuf *nb, const uint8_t *dst_mac, uint16_t ethertype)
{
	enum perf_stage prev = perf_enter(PERF_ETHERNET);
	int rc = eth_output_frame(nif, nb, dst_mac, ethertype);
	perf_leave(prev);
	return rc;
}
