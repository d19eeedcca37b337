/* UDP (RFC 768; RFC 1122 section 4.1): header validation, port
 * demultiplexing to a small table of protocol control blocks, ephemeral
 * ports, output with the pseudo-header checksum, ICMP errors both ways.
 *
 * A pcb receives either through a callback (the DHCP client) or into a
 * bounded queue that a thread drains with udp_pcb_recv() and sleeps on with
 * sys_wait(udp_pcb_wait(pcb), timeout) (the socket layer). Everything here
 * runs on the network thread, or on an application thread between yields:
 * the scheduler is cooperative, so there are no locks. */
#ifndef NET_UDP_H
#define NET_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/ipv4.h"
#include "net/netbuf.h"
#include "net/netif.h"

/* Header field offsets (RFC 768). */
enum {
	UDP_SPORT = 0,
	UDP_DPORT = 2,
	UDP_LEN = 4,
	UDP_SUM = 6,
	UDP_HLEN = 8,
};

enum {
	UDP_EPHEMERAL_MIN = 49152, /* RFC 6335 dynamic range */
	UDP_EPHEMERAL_MAX = 65535,
	UDP_PCB_MAX = 16,          /* endpoints open at once */
	UDP_RXQ_LIMIT = 16,        /* datagrams queued per endpoint */
	UDP_PAYLOAD_MAX = 65535 - IPV4_HLEN - UDP_HLEN,
};

/* A UDP header in host byte order, filled only after validation. */
struct udp_hdr {
	uint16_t sport, dport;
	uint16_t len;  /* header + payload, 8 .. the IP payload length */
	uint16_t sum;  /* as sent; 0 means the sender computed none */
};

/* Where one received datagram came from and went to. */
struct udp_rx_info {
	struct netif *nif;
	uint32_t src_addr, dst_addr; /* host byte order */
	uint16_t src_port, dst_port;
};

/* Why udp_parse or udp_input refused a datagram; each has a counter. */
enum udp_drop {
	UDP_DROP_NONE = 0,
	UDP_DROP_SHORT,     /* fewer than 8 bytes: no header at all */
	UDP_DROP_BADLEN,    /* length field < 8 or > the IP payload */
	UDP_DROP_BADSUM,    /* non-zero checksum that does not verify */
	UDP_DROP_NOPORT,    /* unicast to a closed port (ICMP sent) */
	UDP_DROP_NOPORT_BC, /* broadcast/multicast to a closed port (silent) */
	UDP_DROP_QFULL,     /* the endpoint's queue was full */
	UDP_DROP_COUNT,
};

struct udp_stats {
	uint64_t in_datagrams;      /* delivered to an endpoint */
	uint64_t drops[UDP_DROP_COUNT];
	uint64_t out_datagrams;
	uint64_t out_errors;        /* no buffer room, no route, too big */
	uint64_t icmp_errors;       /* ICMP errors matched to a connected pcb */
	uint64_t icmp_unmatched;    /* ICMP errors about no connected pcb */
};

struct udp_pcb;

/* Callback delivery: nb->data is the payload (nb->len bytes); the callback
 * owns nb and must free or keep it. */
typedef void (*udp_recv_fn)(struct udp_pcb *pcb, struct netbuf *nb, const struct udp_rx_info *rx,
			    void *arg);

/* ---- wire format ---- */

/* Validate the header at p (len bytes: the whole IP payload) and fill h.
 * Checks the header fits and 8 <= length field <= len; the checksum needs
 * the pseudo-header, so udp_input checks it. Returns UDP_DROP_NONE or the
 * reason. */
enum udp_drop udp_parse(const uint8_t *p, size_t len, struct udp_hdr *h);
/* The checksum over the pseudo-header (src, dst, 17, len) and the len
 * bytes at p, checksum field as it is: 0 when a received datagram
 * verifies; when building (field zeroed) the value to store, except that a
 * result of 0 must be sent as 0xffff (0 means "no checksum", RFC 768). */
uint16_t udp_checksum(uint32_t src, uint32_t dst, const uint8_t *p, size_t len);

/* ---- endpoints ---- */

/* A fresh unbound endpoint, or NULL when the table is full. */
struct udp_pcb *udp_pcb_new(void);
/* Close pcb: frees its queued datagrams and its wait. The caller must not
 * use pcb afterwards, and no thread may still be sleeping on its wait. */
void udp_pcb_free(struct udp_pcb *pcb);
/* Bind to a local address (0 = any) and port (0 = a random ephemeral
 * port). NET_EADDRINUSE if another pcb holds the port on an overlapping
 * address, NET_EINVAL if already bound. */
int udp_pcb_bind(struct udp_pcb *pcb, uint32_t addr, uint16_t port);
/* Fix the remote end: only datagrams from it are delivered, ICMP errors
 * about it become pending errors, udp_pcb_send() goes to it. Binds an
 * ephemeral port first if unbound. remote_addr 0 disconnects. */
int udp_pcb_connect(struct udp_pcb *pcb, uint32_t remote_addr, uint16_t remote_port);
/* Deliver through fn instead of the queue (NULL restores the queue). */
void udp_pcb_set_recv(struct udp_pcb *pcb, udp_recv_fn fn, void *arg);
uint16_t udp_pcb_local_port(const struct udp_pcb *pcb);

/* Take the oldest queued datagram without blocking: *nb gets it (data =
 * payload; the caller owns it) and *rx, if non-NULL, where it came from.
 * A pending ICMP error is reported first, once. Returns NET_OK, the pending
 * NET_E* error, or NET_EAGAIN when the queue is empty. */
int udp_pcb_recv(struct udp_pcb *pcb, struct netbuf **nb, struct udp_rx_info *rx);
/* True when udp_pcb_recv would not return NET_EAGAIN. */
bool udp_pcb_readable(const struct udp_pcb *pcb);
/* The wait a thread sleeps on for udp_pcb_recv; woken on every delivery
 * and error. */
struct sys_wait *udp_pcb_wait(const struct udp_pcb *pcb);

/* Send nb (data = payload) from pcb to its connected remote. Consumes nb. */
int udp_pcb_send(struct udp_pcb *pcb, struct netbuf *nb);
/* Send nb from pcb to dst:dport (binding an ephemeral port if unbound).
 * Consumes nb. */
int udp_pcb_sendto(struct udp_pcb *pcb, struct netbuf *nb, uint32_t dst, uint16_t dport);

/* Send nb (data = payload) as one datagram, routed by ipv4_output. src 0
 * means the routed interface's address (it must be in the checksum, so
 * UDP resolves it). Consumes nb. Returns NET_OK or NET_E*. */
int udp_output(struct netbuf *nb, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport);
/* As udp_output, with the IPv4 time to live given (traceroute's probes;
 * 0 means the default). */
int udp_output_ttl(struct netbuf *nb, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint8_t ttl);
/* As udp_output, out of nif with no routing and src taken as given, even 0
 * (DHCP before it has an address: 0.0.0.0 -> 255.255.255.255). */
int udp_output_if(struct netif *nif, struct netbuf *nb, uint32_t src, uint16_t sport, uint32_t dst,
		  uint16_t dport);

/* ---- from IPv4 and ICMP ---- */

/* Called by ipv4_input for protocol 17 with nb->data at the UDP header;
 * consumes nb. */
void udp_input(struct netif *nif, struct netbuf *nb, const struct ipv4_hdr *ih);

/* Called by ICMP when a destination-unreachable or time-exceeded message
 * quotes a UDP datagram we sent: orig is the quoted IPv4 header, l4 the
 * first quoted bytes of the UDP header (l4_len >= 8), err a NET_E* code. */
void udp_icmp_error(const struct ipv4_hdr *orig, const uint8_t *l4, size_t l4_len, int err);

/* ---- diagnostics ---- */

const struct udp_stats *udp_get_stats(void);
/* Close every endpoint, zero the counters and register them with the stack
 * (group "udp"); net_init calls it, and host tests before each case. */
void udp_init(void);

#endif
