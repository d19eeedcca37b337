/* The resolver's cache (RFC 1035 7.4; negative caching RFC 2308): one
 * entry per (name, type) RRset, A or CNAME, plus negative entries for a
 * name that does not exist (NXDOMAIN) or has no A record (NODATA). Each
 * entry expires by its TTL on the stack's clock; the table is bounded and
 * evicts the expired, then the least recently used. Entries hold names in
 * wire form; the caller passes `now` (milliseconds, sys_now_ms()). */
#ifndef NET_DNS_CACHE_H
#define NET_DNS_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "net/dns_wire.h"

enum {
	DNS_CACHE_MAX = 32,          /* entries */
	DNS_ADDRS_MAX = 8,           /* addresses kept per name */
	DNS_TTL_MAX = 86400,         /* cap on any TTL, seconds (1 day) */
	DNS_NEG_TTL_MAX = 10800,     /* cap on negative TTLs (RFC 2308 5: 3 hours) */
	DNS_NEG_TTL_DEFAULT = 10,    /* negative answer without an SOA, seconds */
};

enum dns_cache_kind {
	DNS_CACHE_A,          /* addrs[] */
	DNS_CACHE_CNAME,      /* target */
	DNS_CACHE_NXDOMAIN,   /* the name does not exist, for any type */
	DNS_CACHE_NODATA,     /* the name exists, with no A record */
};

/* What dns_cache_foreach shows of one live entry. */
struct dns_cache_info {
	enum dns_cache_kind kind;
	const struct dns_name *name;
	const struct dns_name *target;   /* CNAME only */
	const uint32_t *addrs;           /* A only */
	unsigned naddrs;
	uint32_t ttl_left;               /* seconds, rounded up */
};

/* What a lookup found, after following cached CNAMEs from the name. */
enum dns_cache_hit {
	DNS_CACHE_MISS,       /* nothing usable: ask a server */
	DNS_CACHE_HIT_A,      /* addresses of the chain's last name */
	DNS_CACHE_HIT_NXDOMAIN,
	DNS_CACHE_HIT_NODATA,
};

/* Chain visitor: called for each CNAME followed, owner -> target. */
typedef void (*dns_cache_chain_fn)(const struct dns_name *owner, const struct dns_name *target, void *ctx);

/* Empty the cache; returns how many live entries were dropped. */
int dns_cache_flush(void);
/* Store (replacing the same name and kind) for ttl seconds; ttl 0 stores
 * nothing (RFC 1035 3.2.1: use only for the transaction in progress). */
void dns_cache_put_a(const struct dns_name *name, const uint32_t *addrs, unsigned n, uint32_t ttl, uint64_t now);
void dns_cache_put_cname(const struct dns_name *name, const struct dns_name *target, uint32_t ttl, uint64_t now);
void dns_cache_put_negative(const struct dns_name *name, enum dns_cache_kind kind, uint32_t ttl, uint64_t now);
/* Look name up, following cached CNAMEs (at most chain_max, a loop is a
 * miss) and calling fn for each. On a hit, addrs/naddrs get the addresses
 * (HIT_A, at most DNS_ADDRS_MAX) and *ttl the least time left on the chain. */
enum dns_cache_hit dns_cache_lookup(const struct dns_name *name, unsigned chain_max, dns_cache_chain_fn fn, void *ctx,
				    uint32_t *addrs, unsigned *naddrs, uint32_t *ttl, uint64_t now);
/* Visit every live entry; returns how many. */
int dns_cache_foreach(void (*fn)(const struct dns_cache_info *e, void *ctx), void *ctx, uint64_t now);

#endif
