/* ARP for IPv4 over Ethernet (RFC 826), with the cache rules of
 * RFC 1122 2.3.2: entries age out, requests are retried a bounded number
 * of times, and packets wait in bounded queues while a request is out.
 *
 * The cache cannot be flooded into uselessness: only a request addressed
 * to us, or an answer to our own request, creates an entry; unsolicited
 * replies and gratuitous ARPs only refresh entries we already have; and
 * when the cache is full the entry evicted is the one we sent through
 * least recently, so passively learned entries (a flood of requests from
 * distinct senders) evict each other and never the gateway in use. */
#include "net/arp.h"

#include <string.h>

#include "net/err.h"
#include "net/ethernet.h"
#include "net/ipv4.h"
#include "net/sys.h"
#include "net/trace.h"
#include "net/wire.h"

struct arp_stats arp_stats;

struct arp_entry {
	enum arp_state state;
	struct netif *nif;
	uint32_t ip;
	uint8_t mac[ETH_ALEN];
	uint8_t tries;           /* requests sent while INCOMPLETE */
	uint64_t deadline;       /* next retry (INCOMPLETE) or state change */
	uint64_t confirmed;      /* last answer (or first request, INCOMPLETE) */
	uint64_t last_used;      /* last packet sent through it; 0 = never */
	uint64_t last_probe;     /* last refresh request (STALE) */
	struct netbuf_queue queue;
};

static struct arp_entry arp_cache[ARP_CACHE_SIZE];
static uint32_t arp_queued_total;  /* packets waiting, all entries */

static const char *const arp_state_names[] = {
	[ARP_FREE] = "free",
	[ARP_INCOMPLETE] = "incomplete",
	[ARP_REACHABLE] = "reachable",
	[ARP_STALE] = "stale",
};

const char *arp_state_name(enum arp_state st)
{
	return (unsigned)st < sizeof arp_state_names / sizeof arp_state_names[0] ? arp_state_names[st]
										  : "?";
}

/* Build and send one ARP packet from nif's addresses; Ethernet dst is
 * broadcast for a request with no known target MAC. */
static void arp_send(struct netif *nif, uint16_t op, const uint8_t *tha, uint32_t tpa,
		     const uint8_t *eth_dst)
{
	struct netbuf *nb = netbuf_alloc();
	uint8_t *p;

	if (!nb)
		return;
	p = netbuf_put(nb, ARP_PKT_LEN);
	be16_put(p + ARP_HTYPE, ARP_HTYPE_ETHERNET);
	be16_put(p + ARP_PTYPE, ETH_P_IPV4);
	p[ARP_HLEN] = ETH_ALEN;
	p[ARP_PLEN] = 4;
	be16_put(p + ARP_OPER, op);
	memcpy(p + ARP_SHA, nif->mac, ETH_ALEN);
	be32_put(p + ARP_SPA, nif->ip);
	memcpy(p + ARP_THA, tha, ETH_ALEN);
	be32_put(p + ARP_TPA, tpa);
	if (op == ARP_OP_REQUEST)
		arp_stats.tx_requests++;
	else
		arp_stats.tx_replies++;
	eth_output(nif, nb, eth_dst, ETH_P_ARP);
}

static void arp_send_request(struct netif *nif, uint32_t ip)
{
	arp_send(nif, ARP_OP_REQUEST, eth_zero_addr, ip, eth_broadcast_addr);
}

void arp_announce(struct netif *nif)
{
	/* Gratuitous ARP: a request for our own address, so neighbours
	 * holding an old MAC for it update their caches (RFC 5227 2.3). */
	arp_stats.tx_announces++;
	arp_send_request(nif, nif->ip);
}

static struct arp_entry *arp_find(const struct netif *nif, uint32_t ip)
{
	for (int i = 0; i < ARP_CACHE_SIZE; i++) {
		struct arp_entry *e = &arp_cache[i];
		if (e->state != ARP_FREE && e->nif == nif && e->ip == ip)
			return e;
	}
	return NULL;
}

/* Forget e; its waiting packets are handed back through *waiting (so
 * the caller can report them after the cache is consistent again). */
static void arp_entry_clear(struct arp_entry *e, struct netbuf_queue *waiting)
{
	struct netbuf *nb;

	while ((nb = netbuf_queue_pop(&e->queue))) {
		arp_queued_total--;
		if (waiting)
			netbuf_queue_push(waiting, nb);
		else {
			arp_stats.queue_dropped++;
			netbuf_free(nb);
		}
	}
	memset(e, 0, sizeof *e);
	e->state = ARP_FREE;
}

/* A slot for a new entry: a free one, else evict the resolved entry we
 * sent through least recently (never one with packets waiting). NULL
 * when every entry is a resolution in progress. */
static struct arp_entry *arp_entry_alloc(struct netif *nif, uint32_t ip)
{
	struct arp_entry *victim = NULL;

	for (int i = 0; i < ARP_CACHE_SIZE; i++) {
		struct arp_entry *e = &arp_cache[i];
		if (e->state == ARP_FREE) {
			victim = e;
			goto init;
		}
		if (e->state == ARP_INCOMPLETE)
			continue;
		if (!victim || e->last_used < victim->last_used ||
		    (e->last_used == victim->last_used && e->confirmed < victim->confirmed))
			victim = e;
	}
	if (!victim) {
		arp_stats.cache_full++;
		return NULL;
	}
	arp_stats.evicted++;
	arp_entry_clear(victim, NULL);
init:
	victim->nif = nif;
	victim->ip = ip;
	netbuf_queue_init(&victim->queue, ARP_QUEUE_PER_ENTRY);
	return victim;
}

static int arp_count_incomplete(void)
{
	int n = 0;

	for (int i = 0; i < ARP_CACHE_SIZE; i++)
		n += arp_cache[i].state == ARP_INCOMPLETE;
	return n;
}

/* Record mac for e (an answer, or a request from it to us). Packets that
 * were waiting go out now. */
static void arp_entry_confirm(struct arp_entry *e, const uint8_t *mac, uint64_t now)
{
	struct netbuf_queue waiting;
	struct netbuf *nb;

	netbuf_queue_init(&waiting, ARP_QUEUE_PER_ENTRY);
	if (e->state == ARP_INCOMPLETE) {
		arp_stats.resolved++;
		while ((nb = netbuf_queue_pop(&e->queue))) {
			arp_queued_total--;
			netbuf_queue_push(&waiting, nb);
		}
	} else {
		arp_stats.updated++;
	}
	memcpy(e->mac, mac, ETH_ALEN);
	e->state = ARP_REACHABLE;
	e->tries = 0;
	e->confirmed = now;
	e->deadline = now + ARP_REACHABLE_MS;
	/* Send after the entry is complete: transmit may loop back into us. */
	while ((nb = netbuf_queue_pop(&waiting)))
		eth_output(e->nif, nb, mac, ETH_P_IPV4);
}

void arp_input(struct netif *nif, struct netbuf *nb)
{
	uint64_t now = nb->rx_time_ms ? nb->rx_time_ms : sys_now_ms();
	const uint8_t *p;
	uint8_t sha[ETH_ALEN];
	uint32_t spa, tpa;
	uint16_t op;
	struct arp_entry *e;
	bool for_us, merged = false;

	arp_stats.rx_packets++;
	p = netbuf_pull(nb, ARP_PKT_LEN);
	if (!p) {
		arp_stats.rx_short++;
		goto drop;
	}
	if (be16_get(p + ARP_HTYPE) != ARP_HTYPE_ETHERNET) {
		arp_stats.rx_bad_htype++;
		goto drop;
	}
	if (be16_get(p + ARP_PTYPE) != ETH_P_IPV4) {
		arp_stats.rx_bad_ptype++;
		goto drop;
	}
	if (p[ARP_HLEN] != ETH_ALEN || p[ARP_PLEN] != 4) {
		arp_stats.rx_bad_len++;
		goto drop;
	}
	op = be16_get(p + ARP_OPER);
	if (op != ARP_OP_REQUEST && op != ARP_OP_REPLY) {
		arp_stats.rx_bad_op++;
		goto drop;
	}
	memcpy(sha, p + ARP_SHA, ETH_ALEN);
	spa = be32_get(p + ARP_SPA);
	tpa = be32_get(p + ARP_TPA);
	if (eth_addr_is_multicast(sha) || eth_addr_is_zero(sha)) {
		arp_stats.rx_bad_sender_mac++;
		goto drop;
	}
	if (memcmp(sha, nif->mac, ETH_ALEN) == 0) {
		arp_stats.rx_own_mac++;  /* our own broadcast, looped back */
		goto drop;
	}
	if (spa == IPV4_BROADCAST || ipv4_is_multicast(spa) || ipv4_is_loopback(spa)) {
		arp_stats.rx_bad_sender_ip++;
		goto drop;
	}
	if (nif->ip && spa == nif->ip) {
		arp_stats.rx_conflict++;
		sys_log(SYS_LOG_WARN, "arp: %s: another host claims our address", nif->name);
		goto drop;
	}
	for_us = nif->ip && tpa == nif->ip;

	/* RFC 826 "packet reception": merge the sender into an entry we
	 * have; a sender address 0 is an RFC 5227 probe and teaches nothing. */
	if (spa != 0 && (e = arp_find(nif, spa))) {
		arp_entry_confirm(e, sha, now);
		merged = true;
	}
	if (op == ARP_OP_REQUEST) {
		arp_stats.rx_requests++;
		if (!for_us) {
			arp_stats.rx_not_for_us++;
			goto drop;
		}
		/* Target is us: add the sender if new (RFC 826), then answer. */
		if (!merged && spa != 0 && (e = arp_entry_alloc(nif, spa))) {
			arp_stats.created++;
			memcpy(e->mac, sha, ETH_ALEN);
			e->state = ARP_REACHABLE;
			e->confirmed = now;
			e->deadline = now + ARP_REACHABLE_MS;
			e->last_used = 0;  /* learned, not used: first to evict */
		}
		arp_send(nif, ARP_OP_REPLY, sha, spa, sha);
	} else {
		arp_stats.rx_replies++;
		if (!merged)
			arp_stats.rx_unsolicited++;  /* never creates an entry */
	}
drop:
	netbuf_free(nb);
}

static void arp_trace(enum net_trace_kind kind, const struct netif *nif, uint32_t ip, const uint8_t *mac)
{
	if (!net_trace_on())
		return;
	struct net_trace_event ev = { .kind = kind, .nif = nif, .ip = ip };
	if (mac)
		memcpy(ev.mac, mac, ETH_ALEN);
	net_trace_note(&ev);
}

/* Drop the oldest packet waiting on e (which holds at least one). */
static void arp_queue_drop_oldest(struct arp_entry *e)
{
	netbuf_free(netbuf_queue_pop(&e->queue));
	arp_queued_total--;
	arp_stats.queue_dropped++;
}

/* The shared budget is spent and e wants to queue one more. RFC 1122
 * 2.3.2.2 asks that the latest packet to each address be kept, so the
 * room comes from e's own oldest packet, or, if e holds none, from the
 * address holding the most (with at most ARP_MAX_INCOMPLETE addresses
 * sharing ARP_QUEUE_TOTAL packets, one of them holds two or more).
 * False if no packet can be given up. */
static bool arp_queue_make_room(struct arp_entry *e)
{
	struct arp_entry *most = NULL;

	if (e->queue.count) {
		arp_queue_drop_oldest(e);
		return true;
	}
	for (int i = 0; i < ARP_CACHE_SIZE; i++) {
		struct arp_entry *o = &arp_cache[i];
		if (o->state == ARP_INCOMPLETE && o->queue.count >= 2 &&
		    (!most || o->queue.count > most->queue.count))
			most = o;
	}
	if (!most)
		return false;
	arp_queue_drop_oldest(most);
	return true;
}

int arp_resolve(struct netif *nif, uint32_t next_hop, struct netbuf *nb)
{
	uint64_t now = sys_now_ms();
	struct arp_entry *e = arp_find(nif, next_hop);

	if (e && e->state != ARP_INCOMPLETE) {
		e->last_used = now;
		if (e->state == ARP_STALE && now - e->last_probe >= ARP_PROBE_MIN_MS) {
			/* Still send, but ask the neighbour to confirm (a unicast
			 * poll, RFC 1122 2.3.2.1); no answer and it ages out. */
			e->last_probe = now;
			arp_send(nif, ARP_OP_REQUEST, e->mac, next_hop, e->mac);
		}
		arp_trace(NET_TRACE_ARP_HIT, nif, next_hop, e->mac);
		return eth_output(nif, nb, e->mac, ETH_P_IPV4);
	}
	if (!e) {
		if (arp_count_incomplete() >= ARP_MAX_INCOMPLETE) {
			arp_stats.cache_full++;
			goto drop;
		}
		e = arp_entry_alloc(nif, next_hop);
		if (!e)
			goto drop;
		e->state = ARP_INCOMPLETE;
		e->tries = 1;
		e->confirmed = now;
		e->last_used = now;
		e->deadline = now + ARP_RETRY_MS;
		arp_trace(NET_TRACE_ARP_WAIT, nif, next_hop, NULL);
		arp_send_request(nif, next_hop);
	}
	if (arp_queued_total >= ARP_QUEUE_TOTAL) {
		arp_stats.queue_full++;
		if (!arp_queue_make_room(e))
			goto drop;
	} else if (e->queue.count >= e->queue.limit) {
		arp_queue_drop_oldest(e);
	}
	netbuf_queue_push(&e->queue, nb);
	arp_queued_total++;
	arp_stats.queued++;
	return NET_OK;
drop:
	netbuf_free(nb);
	return NET_ENOMEM;
}

void arp_tick(uint64_t now)
{
	for (int i = 0; i < ARP_CACHE_SIZE; i++) {
		struct arp_entry *e = &arp_cache[i];
		struct netbuf_queue waiting;
		struct netif *nif = e->nif;
		struct netbuf *nb;

		if (e->state == ARP_FREE || now < e->deadline)
			continue;
		switch (e->state) {
		case ARP_INCOMPLETE:
			if (e->tries < ARP_TRIES) {
				e->tries++;
				e->deadline = now + ARP_RETRY_MS;
				arp_send_request(nif, e->ip);
				break;
			}
			/* No answer: the waiting packets' senders learn the host
			 * is unreachable, after the entry is gone. */
			arp_stats.timeouts++;
			netbuf_queue_init(&waiting, ARP_QUEUE_PER_ENTRY);
			arp_entry_clear(e, &waiting);
			while ((nb = netbuf_queue_pop(&waiting)))
				ipv4_resolve_failed(nif, nb);
			break;
		case ARP_REACHABLE:
			e->state = ARP_STALE;
			e->deadline = now + ARP_STALE_MS;
			break;
		case ARP_STALE:
			arp_entry_clear(e, NULL);
			break;
		case ARP_FREE:
			break;
		}
	}
}

uint64_t arp_next_deadline(void)
{
	uint64_t next = UINT64_MAX;

	for (int i = 0; i < ARP_CACHE_SIZE; i++)
		if (arp_cache[i].state != ARP_FREE && arp_cache[i].deadline < next)
			next = arp_cache[i].deadline;
	return next;
}

int arp_foreach(void (*fn)(const struct arp_entry_info *e, void *ctx), void *ctx, uint64_t now)
{
	int n = 0;

	for (int i = 0; i < ARP_CACHE_SIZE; i++) {
		const struct arp_entry *e = &arp_cache[i];
		struct arp_entry_info info;

		if (e->state == ARP_FREE)
			continue;
		info.nif = e->nif;
		info.ip = e->ip;
		memcpy(info.mac, e->mac, ETH_ALEN);
		info.state = e->state;
		info.age_ms = now > e->confirmed ? now - e->confirmed : 0;
		info.expires_in_ms = e->deadline > now ? e->deadline - now : 0;
		info.queued = e->queue.count;
		fn(&info, ctx);
		n++;
	}
	return n;
}

int arp_delete(uint32_t ip)
{
	int found = NET_ENOENT;

	for (int i = 0; i < ARP_CACHE_SIZE; i++) {
		if (arp_cache[i].state != ARP_FREE && arp_cache[i].ip == ip) {
			arp_entry_clear(&arp_cache[i], NULL);
			found = NET_OK;
		}
	}
	return found;
}

void arp_flush(struct netif *nif)
{
	for (int i = 0; i < ARP_CACHE_SIZE; i++)
		if (arp_cache[i].state != ARP_FREE && (!nif || arp_cache[i].nif == nif))
			arp_entry_clear(&arp_cache[i], NULL);
}

bool arp_lookup(struct netif *nif, uint32_t ip, uint8_t mac[ETH_ALEN])
{
	const struct arp_entry *e = arp_find(nif, ip);

	if (!e || e->state == ARP_INCOMPLETE)
		return false;
	memcpy(mac, e->mac, ETH_ALEN);
	return true;
}

void arp_init(void)
{
	arp_flush(NULL);
	arp_queued_total = 0;
	memset(&arp_stats, 0, sizeof arp_stats);
}
