/* The DNS stub resolver (RFC 1034, RFC 1035; hardened as RFC 5452 asks):
 * names to IPv4 addresses for applications.
 *
 * - Servers: every interface's nif->dns[] (from DHCP or ifconfig), in
 *   interface order, duplicates skipped.
 * - Schedule: DNS_TRIES rounds over the servers; in round r each server
 *   gets one query and waits DNS_TIMEOUT_FIRST_MS << r for its answer
 *   (1 s, then 2 s). A server that answers with an error (SERVFAIL,
 *   REFUSED, a malformed answer, ICMP unreachable) is not asked again.
 *   Total with n servers silent: n * 3 s (one server: 3 s), and never more
 *   than the caller's timeout.
 * - Hardening: each query has a random ID and goes out from a fresh UDP
 *   socket on a random ephemeral port; an answer counts only if it comes
 *   from the server's address and port 53 to that port, carries the ID,
 *   and echoes the question (name ignoring case, type, class). Anything
 *   else is dropped and counted, and the real answer is still awaited.
 *   Each query's socket closes when its wait ends: a later answer is lost.
 * - Answers: CNAME chains in the answer are followed (DNS_CHAIN_MAX names,
 *   loops refused); when the server gives the chain but not the target's
 *   A record, the target is asked for (at most DNS_CHASE_MAX times).
 *   A truncated (TC) answer is asked again over TCP; if that fails the
 *   error is DNS_ETRUNCATED.
 * - Names: a dotted IPv4 address is returned as it is, without DNS. One
 *   trailing dot is accepted. A name without a dot is asked as it is:
 *   there is no search list.
 * - Cache: see net/dns_cache.h; answers and NXDOMAIN/NODATA are kept for
 *   their TTL.
 */
#ifndef NET_DNS_H
#define NET_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/dns_cache.h"
#include "net/dns_wire.h"

/* The resolver's outcomes: 0 or negative. */
enum dns_status {
	DNS_OK = 0,
	DNS_ENXDOMAIN = -1,    /* the name does not exist (RCODE 3) */
	DNS_ESERVFAIL = -2,    /* the server could not answer (RCODE 2) */
	DNS_EREFUSED = -3,     /* the server refused (RCODE 5) */
	DNS_ENODATA = -4,      /* the name exists but has no A record */
	DNS_ETIMEDOUT = -5,    /* no server answered in time */
	DNS_ENOSERVERS = -6,   /* no DNS server is configured */
	DNS_EBADNAME = -7,     /* not a valid domain name */
	DNS_ETRUNCATED = -8,   /* truncated answer and the TCP retry failed */
	DNS_EMALFORMED = -9,   /* the server's answer failed validation */
	DNS_ECHAIN = -10,      /* CNAME chain too long, or a loop */
	DNS_ESERVER = -11,     /* another RCODE (FORMERR, NOTIMP...) */
	DNS_EUNREACH = -12,    /* every server was unreachable (ICMP, no route) */
	DNS_EINTR = -13,       /* Ctrl-C */
	DNS_ENOMEM = -14,
};

enum {
	DNS_TRIES = 2,                 /* rounds over the server list */
	DNS_TIMEOUT_FIRST_MS = 1000,   /* wait in round 0; doubled each round */
	DNS_SERVERS_MAX = 6,           /* distinct servers asked, all interfaces */
	DNS_CHAIN_MAX = 8,             /* CNAMEs followed from the name asked */
	DNS_CHASE_MAX = 4,             /* extra queries for a chain's target */
	DNS_RESOLVE_TIMEOUT_MS = 10000, /* a default for callers; above n * 3 s */
};

/* The answer to dns_resolve, and how it was obtained. */
struct dns_result {
	/* names[0] is the name asked (no trailing dot); names[i + 1] is the
	 * target of names[i]'s CNAME; names[nnames - 1] is the canonical name
	 * that owns addrs (or that does not exist, or has no A record). */
	char names[DNS_CHAIN_MAX + 1][DNS_NAME_TEXT_MAX];
	unsigned nnames;
	uint32_t addrs[DNS_ADDRS_MAX];  /* host byte order, in the server's order */
	unsigned naddrs;
	uint32_t ttl;                   /* seconds the answer (or its absence) holds */
	uint8_t rcode;                  /* of the last answer, as sent */
	bool literal;                   /* a dotted quad: no DNS at all */
	bool from_cache;
	bool via_tcp;
	uint32_t server;                /* who answered last, 0 for cache/literal */
	uint16_t id;                    /* that answer's query ID */
	unsigned queries;               /* queries sent */
	uint64_t elapsed_ms;
	int net_err;                    /* the network error behind EUNREACH/ETRUNCATED, or 0 */
	/* A PTR lookup (dns_resolve_ptr): the name the address points to,
	 * as text without the trailing dot; "" otherwise. */
	char ptr[DNS_NAME_TEXT_MAX];
};

/* Resolve name to IPv4 addresses, blocking the calling thread (it sleeps
 * on sockets; Ctrl-C ends it with DNS_EINTR) for at most timeout_ms.
 * Returns DNS_OK with res->naddrs >= 1, or a dns_status; res is filled as
 * far as the resolution went (names, rcode, server) either way. */
int dns_resolve(const char *name, struct dns_result *res, uint64_t timeout_ms);

/* ---- reverse lookups (RFC 1035 3.5): PTR under in-addr.arpa ---- */

/* (dns_ptr_qname, in net/dns_wire.h, makes the name asked.) */
/* Resolve addr to the name its PTR record gives, blocking as dns_resolve
 * does (same servers, schedule and checks; positive answers are not
 * cached). Returns DNS_OK with the name in name (no trailing dot, cut to
 * len), DNS_ENXDOMAIN / DNS_ENODATA when the address has no name, or
 * another dns_status. res, if not NULL, is filled as dns_resolve fills it
 * (res->ptr holds the name). */
int dns_resolve_ptr(uint32_t addr, char *name, size_t len, uint64_t timeout_ms, struct dns_result *res);

/* "name does not exist (NXDOMAIN)", "timed out"... */
const char *dns_strerror(int status);

/* The servers dns_resolve would ask, in order; returns how many (<= max). */
unsigned dns_servers(uint32_t *out, unsigned max);

/* Counters (group "dns" in netstat -s). */
struct dns_stats {
	uint64_t resolves, literal, cache_hits, cache_misses;
	uint64_t queries_sent, send_errors, timeouts, answers;
	uint64_t drop_source, drop_port, drop_short, drop_not_response, drop_id, drop_question;
	uint64_t malformed, truncated, tcp_queries, tcp_failures;
	uint64_t nxdomain, nodata, servfail, refused, other_rcode, chases, chain_errors;
};
extern struct dns_stats dns_stats;

/* Empty the cache and the counters and register the counters with the
 * stack; net_init calls it (tests too, before each case). */
void dns_init(void);

#endif
