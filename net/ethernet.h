/* Ethernet II framing (IEEE 802.3 with EtherType, RFC 894): parse and
 * validate received frames, dispatch by EtherType, build outgoing frames. */
#ifndef NET_ETHERNET_H
#define NET_ETHERNET_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "net/netbuf.h"
#include "net/netif.h"

/* Named offsets of the Ethernet header. */
enum {
	ETH_DST = 0,
	ETH_SRC = 6,
	ETH_TYPE = 12,
	ETH_HLEN = 14,
	ETH_ZLEN = 60,          /* minimum frame without FCS: shorter ones are padded */
	ETH_FRAME_MAX = 1514,   /* without FCS */
};

enum {
	ETH_P_IPV4 = 0x0800,
	ETH_P_ARP = 0x0806,
};

extern const uint8_t eth_broadcast_addr[ETH_ALEN];
extern const uint8_t eth_zero_addr[ETH_ALEN];

static inline bool eth_addr_is_broadcast(const uint8_t *a)
{
	return memcmp(a, eth_broadcast_addr, ETH_ALEN) == 0;
}

/* Group bit (I/G): multicast, broadcast included. */
static inline bool eth_addr_is_multicast(const uint8_t *a)
{
	return (a[0] & 1) != 0;
}

static inline bool eth_addr_is_zero(const uint8_t *a)
{
	return memcmp(a, eth_zero_addr, ETH_ALEN) == 0;
}

/* "52:54:00:12:34:56" into buf (at least 18 bytes); returns buf. */
char *eth_format_addr(const uint8_t *mac, char *buf);

/* A validated Ethernet header, host order. */
struct eth_hdr {
	uint8_t dst[ETH_ALEN], src[ETH_ALEN];
	uint16_t type;
};

/* Decode the ETH_HLEN bytes at p (the caller checked there are that many). */
void eth_hdr_parse(const uint8_t *p, struct eth_hdr *h);

/* Receive one frame (nb->data at the Ethernet header); consumes nb. */
void eth_input(struct netif *nif, struct netbuf *nb);

/* Prepend the Ethernet header (our MAC as source), pad to ETH_ZLEN and
 * hand the frame to nif->transmit. Consumes nb. Returns the transmit
 * function's result, or NET_ENOMEM if there is no headroom. */
int eth_output(struct netif *nif, struct netbuf *nb, const uint8_t *dst_mac, uint16_t ethertype);

struct eth_stats {
	uint64_t rx_frames, rx_short, rx_not_ours, rx_broadcast, rx_multicast, rx_unknown_type;
	uint64_t rx_oversize;   /* longer than ETH_FRAME_MAX: dropped */
	uint64_t tx_frames, tx_no_headroom, tx_errors;
};
extern struct eth_stats eth_stats;

#endif
