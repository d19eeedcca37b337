/* IPv4 reassembly (RFC 791 3.2, RFC 815, RFC 1122 3.3.2) with the defences
 * RFC 5722 asks of IPv6 applied to IPv4: an overlap drops the whole
 * datagram (no teardrop), a total over 65535 is refused (no ping of
 * death), and the work is bounded in datagrams, fragments and time.
 *
 * Fragments wait as the netbufs they arrived in (bounded in number); the
 * complete datagram is then copied into one netbuf, a large one
 * (netbuf_alloc_large) when it does not fit the pool's 2 KiB buffers. */
#ifndef NET_IPV4_REASM_H
#define NET_IPV4_REASM_H

#include <stdint.h>

#include "net/ipv4.h"
#include "net/netbuf.h"
#include "net/netif.h"

enum {
	IPV4_REASM_MAX_DATAGRAMS = 8,   /* in progress at once */
	IPV4_REASM_MAX_FRAGS = 32,      /* fragments held per datagram */
	IPV4_REASM_MAX_NETBUFS = 64,    /* fragments held, all datagrams */
	/* The largest datagram we reassemble (header + payload): 16 KiB is
	 * enough for a ping -s 16000 or a large DNS answer, and bounds the
	 * memory one datagram can take. */
	IPV4_REASM_MAX_SIZE = 16384,
	IPV4_REASM_TIMEOUT_MS = 60000, /* RFC 1122 3.3.2: 60-120 s recommended */
};

/* Take one fragment (nb->data at its payload, ih its parsed header,
 * ih->raw its header bytes inside nb). Consumes nb. Returns the complete
 * datagram (data at the payload, *out describing the reassembled header,
 * out->raw pointing at a header rebuilt in the netbuf), or NULL while the
 * datagram is incomplete or if it was dropped. */
struct netbuf *ipv4_reasm_input(struct netif *nif, struct netbuf *nb, const struct ipv4_hdr *ih,
				struct ipv4_hdr *out, uint64_t now);

/* Expire datagrams older than IPV4_REASM_TIMEOUT_MS; for one whose first
 * fragment had arrived, send ICMP time exceeded (reassembly). */
void ipv4_reasm_tick(uint64_t now);
uint64_t ipv4_reasm_next_deadline(void);
/* Drop everything in progress; ipv4_init calls it. */
void ipv4_reasm_flush(void);
/* Datagrams in progress, fragments held. */
void ipv4_reasm_usage(uint32_t *datagrams, uint32_t *netbufs);

struct ipv4_reasm_stats {
	uint64_t started, completed, timeouts, overlaps, duplicates, oversize, too_big;
	uint64_t bad_frag_len, inconsistent, table_full, frags_full, netbufs_full, no_memory;
	uint64_t poisoned_drops;
};
extern struct ipv4_reasm_stats ipv4_reasm_stats;

#endif
