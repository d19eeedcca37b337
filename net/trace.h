/* The stack's observer interface: what `fetch -v` and `trace on` show.
 *
 * The stack never prints. When an observer is set, it reports two kinds of
 * event: every frame that crosses an interface (the first bytes, for the
 * headers), and notes on decisions that no packet shows (the route chosen,
 * an ARP or DNS cache hit, a TCP state change, a measured RTT). The
 * observer runs in the thread that caused the event, synchronously: it must
 * copy what it needs and return at once (user/journey.c queues events and
 * prints them from its own thread).
 */
#ifndef NET_TRACE_H
#define NET_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/netbuf.h"
#include "net/netif.h"

enum {
	NET_TRACE_FRAME_BYTES = 160, /* Ethernet (14) + IPv4 (up to 60) + TCP (up to 60) headers */
	NET_TRACE_NAME_MAX = 256, /* a DNS name in text, with its NUL */
};

enum net_trace_kind {
	NET_TRACE_FRAME_IN,
	NET_TRACE_FRAME_OUT,
	NET_TRACE_ROUTE,        /* dst, next_hop, nif, on_link */
	NET_TRACE_ARP_HIT,      /* ip, mac */
	NET_TRACE_ARP_WAIT,     /* ip: a packet waits for resolution */
	NET_TRACE_DNS_QUERY,    /* name, server, port (our source port), id */
	NET_TRACE_DNS_ANSWER,   /* name, server, id, rcode, addr (first), count, ttl, elapsed_ms */
	NET_TRACE_DNS_CACHED,   /* name, addr, ttl (remaining) */
	NET_TRACE_TCP_STATE,    /* 4-tuple, old_state, new_state, timer_ms (TIME_WAIT length) */
	NET_TRACE_TCP_RTT,      /* 4-tuple, rtt_us */
	NET_TRACE_TCP_RETRANSMIT, /* 4-tuple, seq, len */
	NET_TRACE_KINDS,
};

struct net_trace_event {
	enum net_trace_kind kind;
	const struct netif *nif;
	/* frames */
	size_t frame_len;                        /* whole frame */
	size_t captured;                         /* bytes in frame[] */
	uint8_t frame[NET_TRACE_FRAME_BYTES];
	/* notes */
	uint32_t ip, next_hop, server, addr;     /* host order */
	uint8_t mac[ETH_ALEN];
	bool on_link;
	char name[NET_TRACE_NAME_MAX];
	uint16_t port, id;
	uint8_t rcode;
	uint32_t count, ttl, elapsed_ms;
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	int old_state, new_state;
	uint64_t timer_ms;
	uint32_t rtt_us;
	uint32_t seq, len;
};

typedef void (*net_trace_fn)(void *ctx, const struct net_trace_event *ev);

/* Set the one observer (NULL stops tracing). */
void net_trace_set(net_trace_fn fn, void *ctx);

/* The singleton the hooks test first, so that tracing off costs one load. */
extern net_trace_fn net_trace_observer;
static inline bool net_trace_on(void) { return net_trace_observer != NULL; }

/* Hooks for the stack: report a frame (nb->data at the Ethernet header),
 * or a note filled by the caller (kind and the fields it names). */
void net_trace_frame(enum net_trace_kind dir, const struct netif *nif, const struct netbuf *nb);
void net_trace_note(const struct net_trace_event *ev);

#endif
