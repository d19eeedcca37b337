/* The resolver's cache: a small table searched linearly (32 entries is
 * cheaper to scan than to index), expiry by deadline, LRU eviction. */
#include "net/dns_cache.h"

#include <string.h>

struct dns_cache_entry {
	bool in_use;
	enum dns_cache_kind kind;
	struct dns_name name;
	struct dns_name target;
	uint32_t addrs[DNS_ADDRS_MAX];
	uint8_t naddrs;
	uint64_t expires_ms;
	uint64_t used_ms;          /* last stored or read, for LRU */
};

static struct dns_cache_entry dns_cache[DNS_CACHE_MAX];

static bool dns_cache_live(const struct dns_cache_entry *e, uint64_t now)
{
	return e->in_use && e->expires_ms > now;
}

int dns_cache_flush(void)
{
	int n = 0;
	for (int i = 0; i < DNS_CACHE_MAX; i++)
		n += dns_cache[i].in_use;
	memset(dns_cache, 0, sizeof dns_cache);
	return n;
}

/* The live entry for name of the given kind, or NULL. NXDOMAIN is about
 * the name, whatever type was asked, so it matches any kind. */
static struct dns_cache_entry *dns_cache_find(const struct dns_name *name, enum dns_cache_kind kind, uint64_t now)
{
	for (int i = 0; i < DNS_CACHE_MAX; i++) {
		struct dns_cache_entry *e = &dns_cache[i];
		if (!dns_cache_live(e, now) || !dns_name_equal(&e->name, name))
			continue;
		if (e->kind == kind)
			return e;
	}
	return NULL;
}

/* A slot for a new entry about name: the same name's entry that the new
 * one supersedes, else a free or expired slot, else the least recently
 * used. An A answer replaces NODATA and NXDOMAIN and vice versa. */
static struct dns_cache_entry *dns_cache_slot(const struct dns_name *name, enum dns_cache_kind kind, uint64_t now)
{
	struct dns_cache_entry *victim = NULL;

	for (int i = 0; i < DNS_CACHE_MAX; i++) {
		struct dns_cache_entry *e = &dns_cache[i];
		if (e->in_use && dns_name_equal(&e->name, name) &&
		    (e->kind == kind || (kind != DNS_CACHE_CNAME && e->kind != DNS_CACHE_CNAME)))
			return e;
	}
	for (int i = 0; i < DNS_CACHE_MAX; i++) {
		struct dns_cache_entry *e = &dns_cache[i];
		if (!dns_cache_live(e, now))
			return e;
		if (!victim || e->used_ms < victim->used_ms)
			victim = e;
	}
	return victim;
}

/* Seconds from the wire to milliseconds of life, with RFC 2181 section 8's
 * rule (a TTL with the top bit set is 0) and our cap. */
static uint64_t dns_cache_life_ms(uint32_t ttl, uint32_t cap)
{
	if (ttl & 0x80000000u)
		return 0;
	return (uint64_t)(ttl < cap ? ttl : cap) * 1000;
}

static struct dns_cache_entry *dns_cache_store(const struct dns_name *name, enum dns_cache_kind kind, uint64_t life_ms,
					       uint64_t now)
{
	if (life_ms == 0)
		return NULL;
	struct dns_cache_entry *e = dns_cache_slot(name, kind, now);
	memset(e, 0, sizeof *e);
	e->in_use = true;
	e->kind = kind;
	e->name = *name;
	e->expires_ms = now + life_ms;
	e->used_ms = now;
	return e;
}

void dns_cache_put_a(const struct dns_name *name, const uint32_t *addrs, unsigned n, uint32_t ttl, uint64_t now)
{
	if (n == 0)
		return;
	struct dns_cache_entry *e = dns_cache_store(name, DNS_CACHE_A, dns_cache_life_ms(ttl, DNS_TTL_MAX), now);
	if (!e)
		return;
	e->naddrs = (uint8_t)(n < DNS_ADDRS_MAX ? n : DNS_ADDRS_MAX);
	memcpy(e->addrs, addrs, e->naddrs * sizeof addrs[0]);
}

void dns_cache_put_cname(const struct dns_name *name, const struct dns_name *target, uint32_t ttl, uint64_t now)
{
	struct dns_cache_entry *e = dns_cache_store(name, DNS_CACHE_CNAME, dns_cache_life_ms(ttl, DNS_TTL_MAX), now);
	if (e)
		e->target = *target;
}

void dns_cache_put_negative(const struct dns_name *name, enum dns_cache_kind kind, uint32_t ttl, uint64_t now)
{
	if (kind != DNS_CACHE_NXDOMAIN && kind != DNS_CACHE_NODATA)
		return;
	dns_cache_store(name, kind, dns_cache_life_ms(ttl, DNS_NEG_TTL_MAX), now);
}

/* Seconds left, rounded up so a live entry never shows 0. */
static uint32_t dns_cache_ttl_left(const struct dns_cache_entry *e, uint64_t now)
{
	return (uint32_t)((e->expires_ms - now + 999) / 1000);
}

enum dns_cache_hit dns_cache_lookup(const struct dns_name *name, unsigned chain_max, dns_cache_chain_fn fn, void *ctx,
				    uint32_t *addrs, unsigned *naddrs, uint32_t *ttl, uint64_t now)
{
	const struct dns_name *cur = name;
	uint32_t least = UINT32_MAX;

	*naddrs = 0;
	/* A cached CNAME loop ends when chain_max is spent: a miss, and the
	 * server's answer then shows the loop. */
	for (unsigned hops = 0; hops <= chain_max; hops++) {
		struct dns_cache_entry *e;
		if ((e = dns_cache_find(cur, DNS_CACHE_NXDOMAIN, now)) ||
		    (e = dns_cache_find(cur, DNS_CACHE_NODATA, now)) ||
		    (e = dns_cache_find(cur, DNS_CACHE_A, now))) {
			uint32_t left = dns_cache_ttl_left(e, now);
			e->used_ms = now;
			*ttl = left < least ? left : least;
			if (e->kind == DNS_CACHE_A) {
				*naddrs = e->naddrs;
				memcpy(addrs, e->addrs, e->naddrs * sizeof addrs[0]);
				return DNS_CACHE_HIT_A;
			}
			return e->kind == DNS_CACHE_NXDOMAIN ? DNS_CACHE_HIT_NXDOMAIN : DNS_CACHE_HIT_NODATA;
		}
		e = dns_cache_find(cur, DNS_CACHE_CNAME, now);
		if (!e || hops == chain_max)
			return DNS_CACHE_MISS;
		uint32_t left = dns_cache_ttl_left(e, now);
		if (left < least)
			least = left;
		e->used_ms = now;
		if (fn)
			fn(&e->name, &e->target, ctx);
		cur = &e->target;
	}
	return DNS_CACHE_MISS;
}

int dns_cache_foreach(void (*fn)(const struct dns_cache_info *e, void *ctx), void *ctx, uint64_t now)
{
	int n = 0;
	for (int i = 0; i < DNS_CACHE_MAX; i++) {
		const struct dns_cache_entry *e = &dns_cache[i];
		if (!dns_cache_live(e, now))
			continue;
		struct dns_cache_info info = {
			.kind = e->kind,
			.name = &e->name,
			.target = e->kind == DNS_CACHE_CNAME ? &e->target : NULL,
			.addrs = e->addrs,
			.naddrs = e->naddrs,
			.ttl_left = dns_cache_ttl_left(e, now),
		};
		fn(&info, ctx);
		n++;
	}
	return n;
}
