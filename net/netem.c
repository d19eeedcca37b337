/* The fault injector. Decisions per frame, in this order: loss (the frame
 * is gone), corruption (one random bit of the frame flipped), duplication
 * (a copy takes the same path), then delay and reordering (the frame waits
 * in a bounded hold queue; a reordered one waits NETEM_REORDER_EXTRA_MS
 * longer). Held frames leave from netem_tick in release-time order. */
#include "net/netem.h"

#include <string.h>

#include "net/err.h"
#include "net/ethernet.h"
#include "net/stack.h"
#include "net/sys.h"

struct netem_held {
	struct netbuf *nb;
	struct netif *nif;
	uint64_t release_ms;
	uint64_t order;          /* FIFO among equal release times */
	enum netem_dir dir;
};

struct netem {
	struct netem_config cfg;
	struct netem_stats st;
	uint64_t rng;
};

/* One hold queue for every interface: frames are few, and one table keeps
 * netem_next_deadline a single scan. */
static struct {
	struct netem_held held[NETEM_QUEUE_MAX];
	unsigned count;
	uint64_t order;
} hold;

static uint64_t netem_rand(struct netem *ne)
{
	/* xorshift64*: small, fast and good enough to decide coin flips. */
	uint64_t x = ne->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	ne->rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static bool netem_chance(struct netem *ne, uint32_t ppm)
{
	return ppm && (uint32_t)(netem_rand(ne) % NETEM_PPM) < ppm;
}

int netem_configure(struct netif *nif, const struct netem_config *cfg)
{
	if (cfg->loss_ppm > NETEM_PPM || cfg->dup_ppm > NETEM_PPM || cfg->reorder_ppm > NETEM_PPM ||
	    cfg->corrupt_ppm > NETEM_PPM || cfg->delay_ms > NETEM_DELAY_MAX_MS)
		return NET_EINVAL;
	struct netem *ne = nif->netem;
	if (!ne) {
		ne = sys_alloc(sizeof *ne);
		if (!ne)
			return NET_ENOMEM;
		memset(ne, 0, sizeof *ne);
		nif->netem = ne;
	}
	ne->cfg = *cfg;
	/* A zero state would stay zero: mix the seed first (splitmix64 step). */
	uint64_t z = cfg->seed + 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	ne->rng = (z ^ (z >> 31)) | 1;
	return NET_OK;
}

static void netem_release(struct netem_held *h)
{
	if (h->dir == NETEM_RX)
		eth_input(h->nif, h->nb);
	else
		h->nif->transmit(h->nif, h->nb);
}

/* Release every held frame of nif (NULL: of all) whose time is <= now. */
static void netem_release_due(struct netif *nif, uint64_t now)
{
	for (;;) {
		int best = -1;
		for (unsigned i = 0; i < hold.count; i++) {
			struct netem_held *h = &hold.held[i];
			if ((nif && h->nif != nif) || h->release_ms > now)
				continue;
			if (best < 0 || h->release_ms < hold.held[best].release_ms ||
			    (h->release_ms == hold.held[best].release_ms && h->order < hold.held[best].order))
				best = (int)i;
		}
		if (best < 0)
			return;
		struct netem_held h = hold.held[best];
		hold.held[best] = hold.held[--hold.count];
		netem_release(&h);
	}
}

void netem_disable(struct netif *nif)
{
	if (!nif->netem)
		return;
	netem_release_due(nif, UINT64_MAX);
	sys_free(nif->netem);
	nif->netem = NULL;
}

bool netem_status(const struct netif *nif, struct netem_config *cfg, struct netem_stats *st)
{
	if (!nif->netem)
		return false;
	if (cfg)
		*cfg = nif->netem->cfg;
	if (st)
		*st = nif->netem->st;
	return true;
}

/* Apply delay/reorder to one frame: hold it, or pass it on now. */
static void netem_forward(struct netif *nif, struct netbuf *nb, enum netem_dir dir)
{
	struct netem *ne = nif->netem;
	uint64_t extra = 0;
	if (netem_chance(ne, ne->cfg.reorder_ppm)) {
		extra = NETEM_REORDER_EXTRA_MS;
		ne->st.reordered[dir]++;
	}
	uint64_t wait = ne->cfg.delay_ms + extra;
	if (wait == 0) {
		ne->st.passed[dir]++;
		struct netem_held h = { .nb = nb, .nif = nif, .dir = dir };
		netem_release(&h);
		return;
	}
	if (hold.count == NETEM_QUEUE_MAX) {
		ne->st.queue_full[dir]++;
		netbuf_free(nb);
		return;
	}
	if (extra == 0)
		ne->st.delayed[dir]++;
	ne->st.passed[dir]++;
	hold.held[hold.count++] = (struct netem_held){
		.nb = nb, .nif = nif, .release_ms = sys_now_ms() + wait, .order = hold.order++, .dir = dir,
	};
	sys_kick();
}

static void netem_apply(struct netif *nif, struct netbuf *nb, enum netem_dir dir)
{
	struct netem *ne = nif->netem;
	if (netem_chance(ne, ne->cfg.loss_ppm)) {
		ne->st.dropped[dir]++;
		netbuf_free(nb);
		return;
	}
	if (nb->len && netem_chance(ne, ne->cfg.corrupt_ppm)) {
		uint64_t r = netem_rand(ne);
		nb->data[(r >> 3) % nb->len] ^= (uint8_t)(1u << (r & 7));
		ne->st.corrupted[dir]++;
	}
	if (netem_chance(ne, ne->cfg.dup_ppm)) {
		struct netbuf *copy = netbuf_clone(nb);
		if (copy) {
			copy->netif = nb->netif;
			ne->st.duplicated[dir]++;
			netem_forward(nif, copy, dir);
		}
	}
	netem_forward(nif, nb, dir);
}

void netem_input(struct netif *nif, struct netbuf *nb) { netem_apply(nif, nb, NETEM_RX); }

int netem_output(struct netif *nif, struct netbuf *nb)
{
	netem_apply(nif, nb, NETEM_TX);
	return NET_OK;
}

void netem_tick(uint64_t now_ms) { netem_release_due(NULL, now_ms); }

uint64_t netem_next_deadline(void)
{
	uint64_t next = UINT64_MAX;
	for (unsigned i = 0; i < hold.count; i++)
		if (hold.held[i].release_ms < next)
			next = hold.held[i].release_ms;
	return next;
}

void netem_reset(void)
{
	for (unsigned i = 0; i < hold.count; i++)
		netbuf_free(hold.held[i].nb);
	hold.count = 0;
}

void netem_init(void)
{
	netem_reset();
	net_timer_register("netem", netem_tick, netem_next_deadline);
}
