/* The TCP header and its options on the wire (RFC 9293 3.1 and 3.2;
 * window scale RFC 7323 2; SACK-permitted RFC 2018; timestamps RFC 7323 3).
 * Bytes become a host-order struct tcp_hdr only through tcp_hdr_parse,
 * and go back through tcp_hdr_emit; nothing else reads packet bytes. */
#ifndef NET_TCP_WIRE_H
#define NET_TCP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Named offsets of the fixed header (RFC 9293 3.1). */
enum {
	TCP_SPORT = 0,
	TCP_DPORT = 2,
	TCP_SEQ = 4,
	TCP_ACK = 8,
	TCP_OFF = 12,    /* data offset in the high 4 bits, in 32-bit words */
	TCP_FLAGS = 13,
	TCP_WIN = 14,
	TCP_SUM = 16,
	TCP_URP = 18,
	TCP_HLEN = 20,   /* the fixed header; options follow, up to 60 bytes */
	TCP_HLEN_OPT_MAX = 60,
};

/* Control bits (RFC 9293 3.1; ECE/CWR from RFC 3168, parsed and ignored). */
enum {
	TCP_FIN = 0x01,
	TCP_SYN = 0x02,
	TCP_RST = 0x04,
	TCP_PSH = 0x08,
	TCP_ACK_FLAG = 0x10,
	TCP_URG = 0x20,
	TCP_ECE = 0x40,
	TCP_CWR = 0x80,
};

/* Option kinds and their lengths. */
enum {
	TCPOPT_EOL = 0,
	TCPOPT_NOP = 1,
	TCPOPT_MSS = 2,            TCPOLEN_MSS = 4,
	TCPOPT_WSCALE = 3,         TCPOLEN_WSCALE = 3,
	TCPOPT_SACK_PERMITTED = 4, TCPOLEN_SACK_PERMITTED = 2,
	TCPOPT_SACK = 5,           /* 2 + 8 bytes per block */
	TCPOPT_TIMESTAMP = 8,      TCPOLEN_TIMESTAMP = 10,
};

enum {
	TCP_MSS_DEFAULT = 536, /* RFC 9293 3.7.1: assumed when no MSS option came */
	TCP_MSS_MIN = 64,      /* smaller announcements are raised to this */
	TCP_WSCALE_MAX = 14,   /* RFC 7323 2.3: larger shifts are taken as 14 */
	TCP_WIN_MAX = 65535,   /* the 16-bit window field */
	TCP_SACK_BLOCKS_MAX = 4, /* what 40 bytes of options hold (RFC 2018 3) */
};

/* The options we understand, host order. A flag says each was present. */
struct tcp_opts {
	bool mss_ok, ws_ok, sack_ok, ts_ok;
	uint16_t mss;
	uint8_t ws;                /* as received: not yet clamped to 14 */
	uint32_t ts_val, ts_ecr;
	/* SACK blocks (RFC 2018 3): [left, right) edges, sack_n of them. */
	uint8_t sack_n;
	uint32_t sack[TCP_SACK_BLOCKS_MAX][2];
};

/* A validated header in host order. */
struct tcp_hdr {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t hlen;              /* header bytes, options included: 20..60 */
	uint8_t flags;             /* TCP_FIN ... TCP_CWR */
	uint16_t wnd;              /* as on the wire: not yet scaled */
	uint16_t sum, urp;
	struct tcp_opts opts;
};

/* Why a header was refused; each reason has a counter in tcp_stats. */
enum tcp_parse_err {
	TCP_PARSE_OK = 0,
	TCP_PARSE_SHORT,           /* fewer than 20 bytes */
	TCP_PARSE_HLEN,            /* data offset < 5, or past the segment */
	TCP_PARSE_OPTLEN,          /* an option length of 0 or 1, or past the header */
};

/* Decode the header at p (len bytes: the whole segment) into h, options
 * included. Does not verify the checksum (tcp_checksum does). */
enum tcp_parse_err tcp_hdr_parse(const uint8_t *p, size_t len, struct tcp_hdr *h);

/* Decode the options area (len bytes after the fixed header). Unknown
 * kinds are stepped over by their length; a known kind with the wrong
 * length is ignored the same way. EOL ends the list. Returns
 * TCP_PARSE_OPTLEN for a length byte of 0 or 1 or one that runs past the
 * area (also a kind byte with no room for its length). */
enum tcp_parse_err tcp_opts_parse(const uint8_t *p, size_t len, struct tcp_opts *o);

/* Bytes the options in o take on the wire, padded to a multiple of 4. */
size_t tcp_opts_len(const struct tcp_opts *o);

/* Write the header h (with the options that h->opts marks present) at p,
 * which must have room for 20 + tcp_opts_len(&h->opts) bytes; the data
 * offset is computed and h->hlen ignored. The checksum field is written
 * as h->sum (0 while the sum is computed). Returns the header length. */
size_t tcp_hdr_emit(uint8_t *p, const struct tcp_hdr *h);

/* The checksum over the pseudo-header (src, dst, protocol 6, len) and
 * the len bytes at p (header and data). For a received segment whose
 * sum field is included, 0 means it verified. */
uint16_t tcp_checksum(uint32_t src, uint32_t dst, const uint8_t *p, size_t len);

#endif
