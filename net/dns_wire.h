/* The DNS message format (RFC 1035 section 4; RFC 2181 sections 8 and 11):
 * domain names in wire form, building a query, and parsing a response with
 * every length and compression pointer checked before it is followed.
 *
 * A name is kept uncompressed in wire form (length-prefixed labels ending
 * in the root's zero byte), never as text: comparisons are exact about
 * label boundaries and case-insensitive for ASCII (RFC 4343). Text is for
 * people only (dns_name_to_text).
 *
 * Compression pointers are accepted only when they point strictly before
 * the start of the label run that contains them (and past the header):
 * each jump then moves backwards, so a loop cannot exist; a jump limit is
 * kept as a second guard. */
#ifndef NET_DNS_WIRE_H
#define NET_DNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Header field offsets (RFC 1035 4.1.1). */
enum {
	DNS_ID = 0,
	DNS_FLAGS = 2,
	DNS_QDCOUNT = 4,
	DNS_ANCOUNT = 6,
	DNS_NSCOUNT = 8,
	DNS_ARCOUNT = 10,
	DNS_HLEN = 12,
};

/* The flags word, bit by bit (RFC 1035 4.1.1). */
#define DNS_FLAG_QR 0x8000        /* response */
#define DNS_OPCODE_MASK 0x7800    /* 0 = standard query */
#define DNS_FLAG_AA 0x0400        /* authoritative answer */
#define DNS_FLAG_TC 0x0200        /* truncated: retry over TCP */
#define DNS_FLAG_RD 0x0100        /* recursion desired */
#define DNS_FLAG_RA 0x0080        /* recursion available */
#define DNS_RCODE_MASK 0x000f

/* Response codes (RFC 1035 4.1.1). */
enum {
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_FORMERR = 1,
	DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_NOTIMP = 4,
	DNS_RCODE_REFUSED = 5,
};

/* Record types and the class we use (RFC 1035 3.2.2, 3.2.4; RFC 3596). */
enum {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_AAAA = 28,
	DNS_CLASS_IN = 1,
};

/* Offsets in the fixed parts that follow a name (RFC 1035 4.1.2, 4.1.3). */
enum {
	DNS_Q_TYPE = 0,
	DNS_Q_CLASS = 2,
	DNS_Q_FIXED = 4,
	DNS_RR_TYPE = 0,
	DNS_RR_CLASS = 2,
	DNS_RR_TTL = 4,
	DNS_RR_RDLENGTH = 8,
	DNS_RR_FIXED = 10,
	DNS_A_RDLEN = 4,
	DNS_SOA_FIXED = 20,        /* SERIAL REFRESH RETRY EXPIRE MINIMUM */
	DNS_SOA_MINIMUM = 16,      /* offset in that fixed part */
};

enum {
	DNS_PORT = 53,
	DNS_LABEL_MAX = 63,        /* octets in one label (RFC 1035 2.3.4) */
	DNS_NAME_MAX = 255,        /* octets in a name, wire form (RFC 1035 2.3.4) */
	DNS_NAME_TEXT_MAX = 256,   /* a name as text, with its NUL */
	DNS_PTR_JUMPS_MAX = 32,    /* compression pointers followed per name */
	DNS_LABEL_PTR = 0xc0,      /* top bits of a pointer; 0x40 and 0x80 are reserved */
	DNS_PTR_OFFSET_MASK = 0x3fff,
	DNS_UDP_MAX = 512,         /* without EDNS (RFC 1035 4.2.1) */
	DNS_QUERY_MAX = DNS_HLEN + DNS_NAME_MAX + DNS_Q_FIXED,
	DNS_MSG_AN_MAX = 16,       /* answer records kept from one response */
	DNS_MSG_NS_MAX = 4,        /* authority records kept (for the SOA) */
};

/* Why a name or message was refused. */
enum dns_wire_err {
	DNS_WIRE_OK = 0,
	DNS_WIRE_TRUNCATED = -1,   /* a field runs past the end of the message */
	DNS_WIRE_BADPTR = -2,      /* pointer not strictly backwards, or into the header */
	DNS_WIRE_LOOP = -3,        /* more than DNS_PTR_JUMPS_MAX pointers */
	DNS_WIRE_BADLABEL = -4,    /* label type 0x40/0x80: a length over 63 */
	DNS_WIRE_NAMELEN = -5,     /* a name over 255 octets */
	DNS_WIRE_BADRDATA = -6,    /* RDLENGTH disagrees with the record's type */
	DNS_WIRE_BADCOUNT = -7,    /* more than one question */
	DNS_WIRE_BADNAME = -8,     /* text that is not a domain name */
	DNS_WIRE_NOSPACE = -9,     /* the output buffer is too small */
};

/* A domain name in uncompressed wire form; len counts the final zero. */
struct dns_name {
	uint8_t len;
	uint8_t wire[DNS_NAME_MAX];
};

struct dns_hdr {
	uint16_t id, flags;
	uint16_t qdcount, ancount, nscount, arcount;
};

struct dns_question {
	struct dns_name name;
	uint16_t type, class;
};

/* One resource record, host order; rdata decoded for the types we use. */
struct dns_rr {
	struct dns_name name;
	uint16_t type, class;
	uint32_t ttl;
	uint16_t rdlen;
	union {
		uint32_t a;               /* A */
		struct dns_name target;   /* CNAME, NS, PTR */
		uint32_t soa_minimum;     /* SOA: the negative-caching TTL field */
	} rd;
};

/* A parsed response. Every record of the answer and authority sections
 * was validated; the first DNS_MSG_AN_MAX / DNS_MSG_NS_MAX are kept. The
 * additional section is not read: a stub resolver has no use for it, and
 * records there are the easiest to forge (RFC 5452 section 6). */
struct dns_msg {
	struct dns_hdr hdr;
	struct dns_question q;        /* valid when hdr.qdcount == 1 */
	struct dns_rr an[DNS_MSG_AN_MAX];
	struct dns_rr ns[DNS_MSG_NS_MAX];
	uint8_t an_kept, ns_kept;
};

/* ---- names ---- */

/* Text to wire form: labels of 1..63 printable non-space characters (a
 * backslash is an ordinary character) separated by dots, one trailing dot
 * allowed, 255 octets in all. The root (".") and "" are refused. */
int dns_name_from_text(const char *text, struct dns_name *out);
/* Wire form to text: dotted, no trailing dot ("." for the root); octets
 * that are not printable, and '.' or '\' inside a label, as \DDD. Returns
 * the length, or DNS_WIRE_NOSPACE when it does not fit cap (with the NUL). */
int dns_name_to_text(const struct dns_name *n, char *buf, size_t cap);
/* Same name, ignoring ASCII case. */
bool dns_name_equal(const struct dns_name *a, const struct dns_name *b);
/* True when name is zone or below it (a zone's SOA may cover it). */
bool dns_name_in_zone(const struct dns_name *name, const struct dns_name *zone);
/* Read the possibly compressed name at msg[*off] (msg is the whole
 * message, len bytes); *off moves past the name as it sits in place. */
int dns_name_read(const uint8_t *msg, size_t len, size_t *off, struct dns_name *out);

enum { DNS_PTR_QNAME_MAX = sizeof "255.255.255.255.in-addr.arpa" };

/* The name a PTR query for addr (host order) asks (RFC 1035 3.5): the four
 * octets in reverse order under in-addr.arpa, 198.51.100.10 ->
 * "10.100.51.198.in-addr.arpa". buf should hold DNS_PTR_QNAME_MAX bytes. */
void dns_ptr_qname(uint32_t addr, char *buf, size_t cap);

/* ---- messages ---- */

/* A standard query: id, RD set, one question (qname, qtype, class IN).
 * Returns the length written to buf, or DNS_WIRE_NOSPACE. */
int dns_query_build(uint8_t *buf, size_t cap, uint16_t id, const struct dns_name *qname, uint16_t qtype);
/* The fixed header alone, for the cheap checks before a full parse. */
int dns_hdr_parse(const uint8_t *msg, size_t len, struct dns_hdr *h);
/* Header, question (at most one), answer and authority sections. Returns
 * DNS_WIRE_OK or the first reason the message is unusable. */
int dns_msg_parse(const uint8_t *msg, size_t len, struct dns_msg *m);

/* "NXDOMAIN", "SERVFAIL"... ("RCODE?" for others) and "A", "CNAME"... */
const char *dns_rcode_name(unsigned rcode);
const char *dns_type_name(unsigned type);
const char *dns_wire_strerror(int err);

#endif
