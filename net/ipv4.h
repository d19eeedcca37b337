/* IPv4 (RFC 791, RFC 1122): header validation, routing, fragmentation on
 * send, reassembly on receive, protocol dispatch. */
#ifndef NET_IPV4_H
#define NET_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/netbuf.h"
#include "net/netif.h"

enum {
	IPV4_HLEN = 20,
	IPV4_PROTO_ICMP = 1,
	IPV4_PROTO_TCP = 6,
	IPV4_PROTO_UDP = 17,
	IPV4_DEFAULT_TTL = 64,
};

#define IPV4_ADDR(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define IPV4_BROADCAST 0xffffffffu

/* A validated IPv4 header in host byte order. */
struct ipv4_hdr {
	uint8_t hlen;        /* header length in bytes (IHL * 4) */
	uint8_t tos;
	uint16_t total_len;
	uint16_t id;
	bool df, mf;         /* don't fragment, more fragments */
	uint16_t frag_off;   /* offset in bytes */
	uint8_t ttl;
	uint8_t proto;
	uint32_t src, dst;
	/* The header as it was on the wire (hlen bytes), followed by the
	 * payload; valid while the netbuf it came from is. ICMP quotes it. */
	const uint8_t *raw;
};

/* Named offsets of the IPv4 header (RFC 791 3.1). */
enum {
	IPV4_VER_IHL = 0,
	IPV4_TOS = 1,
	IPV4_TOTAL_LEN = 2,
	IPV4_ID = 4,
	IPV4_FLAGS_FRAG = 6,   /* 3 flag bits, 13-bit offset in 8-byte units */
	IPV4_TTL = 8,
	IPV4_PROTO = 9,
	IPV4_CSUM = 10,
	IPV4_SRC = 12,
	IPV4_DST = 16,
};
#define IPV4_FLAG_RESERVED 0x8000
#define IPV4_FLAG_DF 0x4000
#define IPV4_FLAG_MF 0x2000
#define IPV4_FRAG_MASK 0x1fff
#define IPV4_MAX_DATAGRAM 65535

/* Why ipv4_hdr_parse refused a header. */
enum ipv4_parse_err {
	IPV4_PARSE_OK = 0,
	IPV4_PARSE_SHORT,      /* fewer than 20 bytes */
	IPV4_PARSE_VERSION,    /* version is not 4 */
	IPV4_PARSE_HLEN,       /* IHL < 5, or the header is longer than the bytes */
	IPV4_PARSE_TOTAL_LEN,  /* total length < header length */
};

/* Decode the fixed header and the header length from len bytes at p into
 * h (host order, h->raw = p). Checks version, IHL and total length against
 * the header, not against len (a quoted header in an ICMP error is
 * truncated) and not the checksum: callers do those. */
enum ipv4_parse_err ipv4_hdr_parse(const uint8_t *p, size_t len, struct ipv4_hdr *h);

/* Protocol dispatch (BSD inetsw[] style): the handler of each IP protocol,
 * for received datagrams and for ICMP errors quoting one we sent. A
 * protocol with no entry is answered with ICMP protocol unreachable. */
typedef void (*ipv4_input_fn)(struct netif *nif, struct netbuf *nb, const struct ipv4_hdr *ih);
typedef void (*ipv4_icmp_error_fn)(const struct ipv4_hdr *orig, const uint8_t *l4, size_t l4_len,
				   int err);
/* Install (or with NULL input, remove) the handler of proto; TCP uses this
 * when it arrives. Until then protocol 6 is counted (ipv4.rx_tcp_no_handler)
 * and dropped. */
void ipv4_set_protocol(uint8_t proto, ipv4_input_fn input, ipv4_icmp_error_fn icmp_error);
/* The ICMP error handler of proto, or NULL. */
ipv4_icmp_error_fn ipv4_protocol_icmp_error(uint8_t proto);

/* Receive one datagram (Ethernet header already pulled); consumes nb.
 * Upper layers get nb with data at their header and hdr describing it. */
void ipv4_input(struct netif *nif, struct netbuf *nb);

/* Send nb (data = the transport header and payload) to dst. The route picks
 * the interface and next hop; src 0 means the interface's address. Adds the
 * IPv4 header, fragments if needed. Consumes nb. Returns NET_OK or NET_E*
 * (NET_ENETUNREACH when there is no route). A datagram waiting for ARP
 * counts as sent. */
int ipv4_output(struct netbuf *nb, uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl);
/* The source address a datagram to dst leaving nif gets when the caller
 * gives 0: what a checksum over the pseudo-header must cover. */
uint32_t ipv4_source_for(const struct netif *nif, uint32_t dst);
/* As ipv4_output, on a given interface with no routing (DHCP: src 0,
 * dst 255.255.255.255). */
int ipv4_output_if(struct netif *nif, struct netbuf *nb, uint32_t src, uint32_t dst, uint8_t proto,
		   uint8_t ttl);

enum { IPV4_OUT_DF = 1 << 0 }; /* set Don't Fragment: too big = NET_EMSGSIZE */
/* The general form of both: nif NULL means route; flags IPV4_OUT_*. */
int ipv4_output_flags(struct netif *nif, struct netbuf *nb, uint32_t src, uint32_t dst, uint8_t proto,
		      uint8_t ttl, unsigned flags);

/* Called by ARP when it gives up on a next hop, once per datagram that was
 * waiting (nb->data at its IPv4 header). Tells the sender's protocol the
 * host is unreachable, as if an ICMP host unreachable had come. Consumes nb. */
void ipv4_resolve_failed(struct netif *nif, struct netbuf *nb);

/* True if addr is one of our interface addresses (any interface). */
bool ipv4_is_local(uint32_t addr);
/* True if addr is the limited broadcast or nif's subnet broadcast. */
bool ipv4_is_broadcast(const struct netif *nif, uint32_t addr);
static inline bool ipv4_is_multicast(uint32_t addr) { return (addr >> 28) == 0xe; }
static inline bool ipv4_is_loopback(uint32_t addr) { return (addr >> 24) == 127; }

/* Reset IPv4 state (identification counter, reassembly); net_init calls it. */
void ipv4_init(void);

/* Counters, one per drop reason (shown by netstat -s). */
struct ipv4_stats {
	uint64_t rx_packets, rx_delivered;
	uint64_t rx_short, rx_bad_version, rx_bad_hlen, rx_bad_len, rx_bad_checksum;
	uint64_t rx_bad_src, rx_martian, rx_bad_options, rx_options, rx_ttl_zero;
	uint64_t rx_not_ours, rx_multicast, rx_unknown_proto, rx_tcp_no_handler;
	uint64_t rx_fragments, rx_reassembled;
	uint64_t tx_packets, tx_fragments, tx_no_route, tx_too_big, tx_no_buffer, tx_link_down;
	uint64_t tx_resolve_failed;
};
extern struct ipv4_stats ipv4_stats;

/* The interface and next hop for dst; returns NET_OK or NET_ENETUNREACH. */
int ipv4_route(uint32_t dst, struct netif **nif, uint32_t *next_hop);

/* "a.b.c.d" to host-order address; returns 0 on success, -1 if malformed
 * (not exactly four decimal parts 0..255). */
int ipv4_parse_addr(const char *s, uint32_t *addr);
/* Host-order address to "a.b.c.d" in buf (at least 16 bytes); returns buf. */
char *ipv4_format_addr(uint32_t addr, char *buf);

#endif
