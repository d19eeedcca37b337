/* ARP (RFC 826, RFC 1122 2.3.2): resolves next-hop IPv4 addresses to MACs
 * with a bounded cache, queues packets while a resolution is in progress,
 * answers requests for our addresses and announces them (gratuitous ARP). */
#ifndef NET_ARP_H
#define NET_ARP_H

#include <stdbool.h>
#include <stdint.h>

#include "net/netbuf.h"
#include "net/netif.h"

/* Named offsets of an ARP packet for Ethernet/IPv4 (RFC 826). */
enum {
	ARP_HTYPE = 0,
	ARP_PTYPE = 2,
	ARP_HLEN = 4,
	ARP_PLEN = 5,
	ARP_OPER = 6,
	ARP_SHA = 8,
	ARP_SPA = 14,
	ARP_THA = 18,
	ARP_TPA = 24,
	ARP_PKT_LEN = 28,
	ARP_HTYPE_ETHERNET = 1,
	ARP_OP_REQUEST = 1,
	ARP_OP_REPLY = 2,
};

/* Policy. */
enum {
	ARP_CACHE_SIZE = 32,        /* entries, all interfaces */
	ARP_MAX_INCOMPLETE = 16,    /* resolutions in progress at once */
	ARP_QUEUE_PER_ENTRY = 4,    /* packets waiting for one address */
	ARP_QUEUE_TOTAL = 32,       /* packets waiting, all addresses */
	ARP_TRIES = 3,              /* requests sent before giving up */
	ARP_RETRY_MS = 1000,
	ARP_REACHABLE_MS = 60000,   /* a confirmed entry is trusted this long */
	ARP_STALE_MS = 120000,      /* then kept (and re-probed if used) this long */
	ARP_PROBE_MIN_MS = 1000,    /* at most one refresh request per second */
};

enum arp_state {
	ARP_FREE,
	ARP_INCOMPLETE,  /* request sent, no answer yet; packets may wait */
	ARP_REACHABLE,   /* answered recently */
	ARP_STALE,       /* old: still used, re-verified when used */
};

/* Receive one ARP packet (Ethernet header already pulled); consumes nb. */
void arp_input(struct netif *nif, struct netbuf *nb);

/* Send nb (data at the IPv4 header) to next_hop on nif: at once if its
 * MAC is known, else queued while ARP asks. Consumes nb. Returns NET_OK
 * (sent or queued), or NET_ENOMEM if the queue or the cache is full. */
int arp_resolve(struct netif *nif, uint32_t next_hop, struct netbuf *nb);

/* Broadcast a gratuitous ARP request for nif's address (RFC 5227 2.3). */
void arp_announce(struct netif *nif);

/* Timers: retries, giving up, aging. */
void arp_tick(uint64_t now);
/* The earliest deadline of any entry, UINT64_MAX if none. */
uint64_t arp_next_deadline(void);

/* One cache entry as the shell shows it. */
struct arp_entry_info {
	struct netif *nif;
	uint32_t ip;
	uint8_t mac[ETH_ALEN];
	enum arp_state state;
	uint64_t age_ms;         /* since last confirmed (or first asked) */
	uint64_t expires_in_ms;  /* until the next state change */
	uint32_t queued;         /* packets waiting */
};
/* Call fn for each entry in use; returns how many. */
int arp_foreach(void (*fn)(const struct arp_entry_info *e, void *ctx), void *ctx, uint64_t now);
/* Delete the entry for ip (any interface); NET_OK or NET_ENOENT. Waiting
 * packets are dropped. */
int arp_delete(uint32_t ip);
/* Delete every entry of nif, or of all interfaces when nif is NULL. */
void arp_flush(struct netif *nif);
/* The MAC of ip if known (REACHABLE or STALE); false otherwise. */
bool arp_lookup(struct netif *nif, uint32_t ip, uint8_t mac[ETH_ALEN]);
const char *arp_state_name(enum arp_state st);

/* Reset the cache (frees waiting packets); net_init calls it. */
void arp_init(void);

struct arp_stats {
	uint64_t rx_packets, rx_short, rx_bad_htype, rx_bad_ptype, rx_bad_len, rx_bad_op;
	uint64_t rx_bad_sender_mac, rx_own_mac, rx_bad_sender_ip, rx_conflict;
	uint64_t rx_requests, rx_replies, rx_unsolicited, rx_not_for_us;
	uint64_t tx_requests, tx_replies, tx_announces;
	uint64_t resolved, updated, created, evicted, cache_full, timeouts;
	uint64_t queued, queue_full, queue_dropped;
};
extern struct arp_stats arp_stats;

#endif
