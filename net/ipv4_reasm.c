/* IPv4 reassembly: see net/ipv4_reasm.h for the policy and its bounds. */
#include "net/ipv4_reasm.h"

#include <stdbool.h>
#include <string.h>

#include "net/checksum.h"
#include "net/icmp.h"
#include "net/perf.h"
#include "net/wire.h"

struct ipv4_reasm_stats ipv4_reasm_stats;

/* One fragment held: len payload bytes at nb->data, at offset off. */
struct reasm_frag {
	uint32_t off, len;
	struct netbuf *nb;
};

/* One datagram in progress, keyed by (src, dst, id, proto) (RFC 791). */
struct reasm {
	bool used;
	bool poisoned;            /* dropped: later fragments are dropped too */
	bool have_last;
	struct netif *nif;
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
	uint64_t deadline;
	uint32_t total;           /* payload length, once the last fragment came */
	struct ipv4_hdr first;    /* header of the offset-0 fragment, if held */
	uint32_t nfrags;
	struct reasm_frag frags[IPV4_REASM_MAX_FRAGS];  /* sorted by offset */
};

static struct reasm reasm_table[IPV4_REASM_MAX_DATAGRAMS];
static uint32_t reasm_netbufs;  /* fragments held, all datagrams */

static void reasm_free_frags(struct reasm *r)
{
	for (uint32_t i = 0; i < r->nfrags; i++)
		netbuf_free(r->frags[i].nb);
	reasm_netbufs -= r->nfrags;
	r->nfrags = 0;
}

static void reasm_release(struct reasm *r)
{
	reasm_free_frags(r);
	memset(r, 0, sizeof *r);
}

/* Give up on r but remember its key until the deadline, so the rest of a
 * bad datagram is dropped instead of starting a new reassembly. */
static void reasm_poison(struct reasm *r)
{
	reasm_free_frags(r);
	r->poisoned = true;
}

static struct reasm *reasm_find(const struct ipv4_hdr *h)
{
	for (int i = 0; i < IPV4_REASM_MAX_DATAGRAMS; i++) {
		struct reasm *r = &reasm_table[i];
		if (r->used && r->src == h->src && r->dst == h->dst && r->id == h->id &&
		    r->proto == h->proto)
			return r;
	}
	return NULL;
}

static struct reasm *reasm_start(struct netif *nif, const struct ipv4_hdr *h, uint64_t now)
{
	for (int i = 0; i < IPV4_REASM_MAX_DATAGRAMS; i++) {
		struct reasm *r = &reasm_table[i];
		if (r->used)
			continue;
		memset(r, 0, sizeof *r);
		r->used = true;
		r->nif = nif;
		r->src = h->src;
		r->dst = h->dst;
		r->id = h->id;
		r->proto = h->proto;
		/* The timer is not restarted by later fragments (RFC 791's
		 * lower bound; a trickle of fragments cannot pin a slot). */
		r->deadline = now + IPV4_REASM_TIMEOUT_MS;
		ipv4_reasm_stats.started++;
		return r;
	}
	return NULL;
}

/* How [off, end) sits against what r holds: 0 new bytes only, 1 entirely
 * already held with the same bytes (a duplicate, RFC 791 allows them),
 * -1 any other overlap (the datagram must be dropped, RFC 5722). */
static int reasm_classify(const struct reasm *r, uint32_t off, uint32_t end, const uint8_t *data)
{
	uint32_t covered = 0;
	bool overlap = false;

	for (uint32_t i = 0; i < r->nfrags; i++) {
		const struct reasm_frag *f = &r->frags[i];
		uint32_t fend = f->off + f->len;
		uint32_t lo, hi;

		if (fend <= off || f->off >= end)
			continue;
		overlap = true;
		lo = f->off > off ? f->off : off;
		hi = fend < end ? fend : end;
		if (memcmp(data + (lo - off), f->nb->data + (lo - f->off), hi - lo) != 0)
			return -1;
		covered += hi - lo;
	}
	if (!overlap)
		return 0;
	return covered == end - off ? 1 : -1;
}

static void reasm_insert(struct reasm *r, uint32_t off, uint32_t len, struct netbuf *nb)
{
	uint32_t i = r->nfrags;

	while (i > 0 && r->frags[i - 1].off > off) {
		r->frags[i] = r->frags[i - 1];
		i--;
	}
	r->frags[i].off = off;
	r->frags[i].len = len;
	r->frags[i].nb = nb;
	r->nfrags++;
	reasm_netbufs++;
}

static bool reasm_complete(const struct reasm *r)
{
	uint32_t next = 0;

	if (!r->have_last)
		return false;
	for (uint32_t i = 0; i < r->nfrags; i++) {
		if (r->frags[i].off != next)
			return false;
		next += r->frags[i].len;
	}
	return next == r->total;
}

/* Copy the held fragments into one netbuf behind a rebuilt header (the
 * first fragment's, options kept, length and fragment fields fixed). */
static struct netbuf *reasm_build(struct reasm *r, struct ipv4_hdr *out, uint64_t now)
{
	size_t hlen = r->first.hlen, size = hlen + r->total;
	struct netbuf *nb = netbuf_alloc_large(size);
	uint8_t *p;

	if (!nb) {
		ipv4_reasm_stats.no_memory++;
		reasm_release(r);
		return NULL;
	}
	p = netbuf_put(nb, size);
	memcpy(p, r->first.raw, hlen);
	be16_put(p + IPV4_TOTAL_LEN, (uint16_t)size);
	be16_put(p + IPV4_FLAGS_FRAG, r->first.df ? IPV4_FLAG_DF : 0);
	be16_put(p + IPV4_CSUM, 0);
	be16_put(p + IPV4_CSUM, csum_compute(p, hlen));
	for (uint32_t i = 0; i < r->nfrags; i++)
		memcpy(p + hlen + r->frags[i].off, r->frags[i].nb->data, r->frags[i].len);
	perf_count(PERF_EV_COPY_RX, size - hlen);
	*out = r->first;
	out->total_len = (uint16_t)size;
	out->mf = false;
	out->frag_off = 0;
	out->raw = p;
	nb->netif = r->nif;
	nb->rx_time_ms = now;
	nb->flags = r->frags[0].nb->flags;
	netbuf_pull(nb, hlen);
	ipv4_reasm_stats.completed++;
	reasm_release(r);
	return nb;
}

struct netbuf *ipv4_reasm_input(struct netif *nif, struct netbuf *nb, const struct ipv4_hdr *ih,
				struct ipv4_hdr *out, uint64_t now)
{
	uint32_t off = ih->frag_off, len = (uint32_t)nb->len, end = off + len;
	struct reasm *r = reasm_find(ih);
	int kind;

	if (r && r->poisoned) {
		ipv4_reasm_stats.poisoned_drops++;
		goto drop;
	}
	/* Every fragment but the last carries a multiple of 8 bytes (RFC 791),
	 * and an empty fragment adds nothing. */
	if (len == 0 || (ih->mf && len % 8 != 0)) {
		ipv4_reasm_stats.bad_frag_len++;
		goto drop;
	}
	if (ih->hlen + end > IPV4_MAX_DATAGRAM) {
		ipv4_reasm_stats.oversize++;  /* ping of death */
		goto drop_datagram;
	}
	if (ih->hlen + end > IPV4_REASM_MAX_SIZE) {
		ipv4_reasm_stats.too_big++;
		goto drop_datagram;
	}
	if (!r) {
		r = reasm_start(nif, ih, now);
		if (!r) {
			ipv4_reasm_stats.table_full++;
			goto drop;
		}
	}
	/* The last fragment fixes the length; nothing may lie beyond it. */
	if (!ih->mf) {
		if ((r->have_last && r->total != end) ||
		    (r->nfrags && r->frags[r->nfrags - 1].off + r->frags[r->nfrags - 1].len > end)) {
			ipv4_reasm_stats.inconsistent++;
			goto drop_datagram;
		}
	} else if (r->have_last && end > r->total) {
		ipv4_reasm_stats.inconsistent++;
		goto drop_datagram;
	}
	kind = reasm_classify(r, off, end, nb->data);
	if (kind < 0) {
		ipv4_reasm_stats.overlaps++;  /* teardrop and friends */
		goto drop_datagram;
	}
	if (kind > 0) {
		ipv4_reasm_stats.duplicates++;
		netbuf_free(nb);
		return NULL;
	}
	if (r->nfrags >= IPV4_REASM_MAX_FRAGS) {
		ipv4_reasm_stats.frags_full++;
		goto drop_datagram;
	}
	if (reasm_netbufs >= IPV4_REASM_MAX_NETBUFS) {
		ipv4_reasm_stats.netbufs_full++;
		goto drop;  /* others may finish and make room */
	}
	if (!ih->mf) {
		r->have_last = true;
		r->total = end;
	}
	if (off == 0)
		r->first = *ih;  /* its raw bytes live in nb, which r now holds */
	reasm_insert(r, off, len, nb);
	if (!reasm_complete(r))
		return NULL;
	return reasm_build(r, out, now);

drop_datagram:
	if (r)
		reasm_poison(r);
drop:
	netbuf_free(nb);
	return NULL;
}

void ipv4_reasm_tick(uint64_t now)
{
	for (int i = 0; i < IPV4_REASM_MAX_DATAGRAMS; i++) {
		struct reasm *r = &reasm_table[i];

		if (!r->used || now < r->deadline)
			continue;
		if (!r->poisoned) {
			ipv4_reasm_stats.timeouts++;
			/* RFC 792: time exceeded (reassembly) only if the first
			 * fragment came; it is the one quoted. */
			if (r->nfrags && r->frags[0].off == 0)
				icmp_send_time_exceeded(r->nif, r->frags[0].nb, &r->first,
							ICMP_TIMXCEED_REASS);
		}
		reasm_release(r);
	}
}

uint64_t ipv4_reasm_next_deadline(void)
{
	uint64_t next = UINT64_MAX;

	for (int i = 0; i < IPV4_REASM_MAX_DATAGRAMS; i++)
		if (reasm_table[i].used && reasm_table[i].deadline < next)
			next = reasm_table[i].deadline;
	return next;
}

void ipv4_reasm_flush(void)
{
	for (int i = 0; i < IPV4_REASM_MAX_DATAGRAMS; i++)
		if (reasm_table[i].used)
			reasm_release(&reasm_table[i]);
	reasm_netbufs = 0;
}

void ipv4_reasm_usage(uint32_t *datagrams, uint32_t *netbufs)
{
	uint32_t n = 0;

	for (int i = 0; i < IPV4_REASM_MAX_DATAGRAMS; i++)
		n += reasm_table[i].used;
	*datagrams = n;
	*netbufs = reasm_netbufs;
}
