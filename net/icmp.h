/* ICMP for IPv4 (RFC 792, RFC 1122 3.2.2): echo replies, a ping API,
 * errors received and delivered to the protocol they concern, and errors
 * sent (rate limited, never about errors, broadcasts or later fragments). */
#ifndef NET_ICMP_H
#define NET_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/ipv4.h"
#include "net/netbuf.h"
#include "net/netif.h"

/* Named offsets of the ICMP header (RFC 792). */
enum {
	ICMP_TYPE = 0,
	ICMP_CODE = 1,
	ICMP_CSUM = 2,
	ICMP_ECHO_ID = 4,     /* echo request/reply */
	ICMP_ECHO_SEQ = 6,
	ICMP_PTR = 4,         /* parameter problem: offset of the bad octet */
	ICMP_NEXT_MTU = 6,    /* dest unreachable, fragmentation needed (RFC 1191) */
	ICMP_HLEN = 8,
	ICMP_QUOTE_DATA = 8,  /* bytes of the offending payload quoted in errors */
};

enum {
	ICMP_ECHO_REPLY = 0,
	ICMP_DEST_UNREACH = 3,
	ICMP_SOURCE_QUENCH = 4,
	ICMP_REDIRECT = 5,
	ICMP_ECHO_REQUEST = 8,
	ICMP_TIME_EXCEEDED = 11,
	ICMP_PARAM_PROBLEM = 12,
};

/* Destination unreachable codes. */
enum {
	ICMP_UNREACH_NET = 0,
	ICMP_UNREACH_HOST = 1,
	ICMP_UNREACH_PROTO = 2,
	ICMP_UNREACH_PORT = 3,
	ICMP_UNREACH_FRAG_NEEDED = 4,
	ICMP_UNREACH_SRC_ROUTE = 5,
};

/* Time exceeded codes. */
enum {
	ICMP_TIMXCEED_TTL = 0,
	ICMP_TIMXCEED_REASS = 1,
};

/* Receive one ICMP message (nb->data at the ICMP header); consumes nb. */
void icmp_input(struct netif *nif, struct netbuf *nb, const struct ipv4_hdr *ih);

/* Send an ICMP error about a datagram we received. ih describes it as
 * ipv4_input delivered it (ih->raw: its header and payload); nb is the
 * netbuf it arrived in (for the link-broadcast flag; may be NULL) and is
 * not consumed. Nothing is sent about ICMP errors, broadcasts or
 * multicasts, fragments other than the first, or bad source addresses,
 * and errors are rate limited. Returns NET_OK if one was sent, else a
 * NET_E* code saying why not (NET_EAGAIN: rate limited). */
int icmp_send_error(struct netif *nif, const struct netbuf *nb, const struct ipv4_hdr *ih,
		    uint8_t type, uint8_t code);
/* The two errors other protocols send: port unreachable (UDP, code
 * ICMP_UNREACH_PORT) and reassembly time exceeded. Same contract. */
int icmp_send_dest_unreach(struct netif *nif, const struct netbuf *nb, const struct ipv4_hdr *ih,
			   uint8_t code);
int icmp_send_time_exceeded(struct netif *nif, const struct netbuf *nb, const struct ipv4_hdr *ih,
			    uint8_t code);

/* Deliver an error about a datagram of ours to its protocol, as if an ICMP
 * message of (type, code) had come from `from`: the quoted header is orig,
 * l4 the first l4_len bytes of its payload. Used by icmp_input and, for a
 * failed ARP resolution, by ipv4_resolve_failed. */
void icmp_deliver_error(uint32_t from, uint8_t type, uint8_t code, const struct ipv4_hdr *orig,
			const uint8_t *l4, size_t l4_len);

/* ---- observing errors (traceroute) ----
 * One observer at a time sees every ICMP error about a datagram of ours
 * before it is delivered to its protocol, with what the protocol is not
 * told: who reported it, the type and code. It runs on the network thread
 * and must only note the facts and wake its thread. */
struct icmp_error_info {
	uint32_t from;                 /* the reporting router or host */
	uint8_t type, code;
	const struct ipv4_hdr *orig;   /* the quoted header of our datagram */
	const uint8_t *l4;             /* the first quoted bytes of its payload */
	size_t l4_len;                 /* >= ICMP_QUOTE_DATA */
};
typedef void (*icmp_error_observer_fn)(const struct icmp_error_info *e, void *arg);
/* Install fn (NET_EAGAIN if another observer is installed); NULL fn removes
 * the observer whose arg matches. */
int icmp_error_observer_set(icmp_error_observer_fn fn, void *arg);

/* The NET_E* code an ICMP error maps to (dest unreach host -> NET_EHOSTUNREACH...). */
int icmp_error_to_net_err(uint8_t type, uint8_t code);
/* A description, e.g. "Destination Host Unreachable", "Time to live exceeded". */
const char *icmp_error_name(uint8_t type, uint8_t code);

/* ---- ping sessions (the `ping` command) ---- */

enum {
	ICMP_PING_QUEUE = 16,       /* replies kept per session before dropping */
	ICMP_PING_SESSIONS = 4,
	ICMP_PING_DATA_MAX = 16384, /* largest payload: must fit reassembly */
};

/* One reply or error received for a session. */
struct icmp_ping_reply {
	uint16_t seq;
	uint8_t ttl;             /* of the reply datagram */
	uint32_t from;           /* who answered (or reported the error) */
	size_t bytes;            /* ICMP message length (header + data) */
	uint64_t rx_time_ms;
	int err;                 /* NET_OK for an echo reply, else NET_E* */
	uint8_t type, code;      /* the ICMP type/code (0/0 for a reply) */
	bool data_ok;            /* the echoed data is what we sent */
};

struct icmp_ping;

/* Open a session with a random identifier; NULL if all are in use or out
 * of memory. */
struct icmp_ping *icmp_ping_open(void);
/* Close it, dropping queued replies. */
void icmp_ping_close(struct icmp_ping *p);
/* Send one echo request with len bytes of data (a known pattern) to dst.
 * ttl 0 means the default; flags IPV4_OUT_DF to forbid fragmentation.
 * Returns NET_OK or NET_E* (NET_EMSGSIZE when too big). */
int icmp_ping_send(struct icmp_ping *p, uint32_t dst, uint16_t seq, size_t len, uint8_t ttl,
		   unsigned flags);
/* Take the oldest queued reply; false if there is none. */
bool icmp_ping_recv(struct icmp_ping *p, struct icmp_ping_reply *out);
/* Where to sleep for the next reply (sys_wait with a timeout). */
struct sys_wait *icmp_ping_waiter(struct icmp_ping *p);
uint16_t icmp_ping_id(const struct icmp_ping *p);
/* Replies dropped because the session's queue was full. */
uint32_t icmp_ping_dropped(const struct icmp_ping *p);

/* Reset ICMP state (rate limiter; sessions must be closed); net_init calls it. */
void icmp_init(void);

struct icmp_stats {
	uint64_t rx_packets, rx_short, rx_bad_checksum, rx_unknown_type;
	uint64_t rx_echo_requests, rx_echo_broadcast_ignored, rx_echo_replies, rx_echo_unmatched;
	uint64_t rx_errors, rx_bad_quote, rx_quote_not_ours, rx_errors_unhandled;
	uint64_t tx_echo_replies, tx_echo_requests, tx_errors;
	uint64_t tx_error_suppressed, tx_error_rate_limited;
	uint64_t ping_queue_full;
};
extern struct icmp_stats icmp_stats;

#endif
