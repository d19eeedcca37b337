/* The fault injector. Decisions per frame, in this order: loss (a timed
 * blackout, a random loss, a Gilbert-Elliott burst: the frame is gone),
 * corruption (one random bit flipped, or a run of bytes changed),
 * duplication (a copy takes the same path), then the rate limit (the frame
 * waits its turn on a link of that rate; a full queue drops it), delay with
 * jitter and reordering (the frame waits in a bounded hold queue; a
 * reordered one waits NETEM_REORDER_EXTRA_MS longer). Held frames leave
 * from netem_tick in release-time order. Every draw from the generator is
 * made only by an impairment that is on, so adding one never changes the
 * decisions of a configuration that does not use it. */
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
	uint64_t depart_us;      /* when it leaves the rate queue; 0 without a rate */
	uint64_t order;          /* FIFO among equal release times */
	enum netem_dir dir;
};

struct netem {
	struct netem_config cfg;
	struct netem_stats st;
	uint64_t rng;
	bool ge_bad[NETEM_DIRS];             /* Gilbert-Elliott state, each way */
	uint64_t busy_until_us[NETEM_DIRS];  /* the rate-limited link is free from then */
	uint64_t frames_seen;                /* both ways, until the blackout starts */
	bool blackout_started;
	uint64_t blackout_until;
};

/* One hold queue for every interface: frames are few, and one table keeps
 * netem_next_deadline a single scan. */
static struct {
	struct netem_held held[NETEM_QUEUE_MAX];
	unsigned count;
	uint64_t order;
} hold;

#define PCT(x) ((uint32_t)((x) * NETEM_PPM / 100))

/* The standard profiles (robustness catalog 2b). Delays apply each way, so
 * the round trip is twice the delay. */
static const struct netem_profile netem_profile_table[] = {
	{ "P0", "clean", "no impairment: the baseline", { 0 } },
	{ "P1", "lan", "1 ms each way", { .delay_ms = 1 } },
	{ "P2", "wan", "25 +- 5 ms each way, 20 Mbit/s, queue of 200",
	  { .delay_ms = 25, .jitter_ms = 5, .rate_kbit = 20000, .limit = 200 } },
	{ "P3", "lossy-2", "2% loss and 10 ms each way", { .loss_ppm = PCT(2), .delay_ms = 10 } },
	{ "P4", "burst", "Gilbert-Elliott loss, p 1% r 25% (mean burst 4, 3.8% lost)",
	  { .ge_p_ppm = PCT(1), .ge_r_ppm = PCT(25) } },
	{ "P5", "reorder", "10 ms each way, 25% of frames held 5 ms longer",
	  { .delay_ms = 10, .reorder_ppm = PCT(25) } },
	{ "P6", "dup", "5% duplicated", { .dup_ppm = PCT(5) } },
	{ "P7", "corrupt", "1% corrupted: one bit, or 2-8 bytes", { .corrupt_ppm = PCT(1), .corrupt_bytes = 8 } },
	{ "P8", "blackout-3", "everything lost for 3 s from the 5th frame",
	  { .blackout_ms = 3000, .blackout_after = 4 } },
	{ "P8-30", "blackout-30", "everything lost for 30 s from the 5th frame",
	  { .blackout_ms = 30000, .blackout_after = 4 } },
	{ "P9", "long-fat", "300 ms each way, 10 Mbit/s", { .delay_ms = 300, .rate_kbit = 10000 } },
	{ "P10", "congestion", "20 Mbit/s with a queue of 10 frames", { .rate_kbit = 20000, .limit = 10 } },
	{ "P11", "chaos", "20 +- 5 ms, 1% loss, 1% dup, 5% reorder, 0.1% corrupt",
	  { .delay_ms = 20, .jitter_ms = 5, .loss_ppm = PCT(1), .dup_ppm = PCT(1), .reorder_ppm = PCT(5),
	    .corrupt_ppm = PCT(0.1) } },
	/* smoltcp's suggested start; its "4 packets per 50 ms" is about
	 * 1 Mbit/s of full frames, with a queue of 4. */
	{ "P12", "stress", "15% loss, 15% corrupt, 1 Mbit/s with a queue of 4",
	  { .loss_ppm = PCT(15), .corrupt_ppm = PCT(15), .corrupt_bytes = 8, .rate_kbit = 1000, .limit = 4 } },
};

const struct netem_profile *netem_profile_at(unsigned i)
{
	return i < sizeof netem_profile_table / sizeof netem_profile_table[0] ? &netem_profile_table[i] : NULL;
}

const struct netem_profile *netem_profile_find(const char *name)
{
	const struct netem_profile *p;
	for (unsigned i = 0; (p = netem_profile_at(i)) != NULL; i++)
		if (strcasecmp(name, p->name) == 0 || strcasecmp(name, p->id) == 0)
			return p;
	return NULL;
}

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

static bool netem_config_valid(const struct netem_config *cfg)
{
	if (cfg->loss_ppm > NETEM_PPM || cfg->dup_ppm > NETEM_PPM || cfg->reorder_ppm > NETEM_PPM ||
	    cfg->corrupt_ppm > NETEM_PPM || cfg->ge_p_ppm > NETEM_PPM || cfg->ge_r_ppm > NETEM_PPM)
		return false;
	if (cfg->delay_ms > NETEM_DELAY_MAX_MS || cfg->jitter_ms > NETEM_DELAY_MAX_MS)
		return false;
	/* A bad state nothing leaves is a blackout: say so with blackout. */
	if (cfg->ge_p_ppm && !cfg->ge_r_ppm)
		return false;
	return cfg->rate_kbit <= NETEM_RATE_MAX_KBIT && cfg->limit <= NETEM_LIMIT_DEFAULT &&
	       cfg->corrupt_bytes <= NETEM_CORRUPT_BYTES_MAX && cfg->blackout_ms <= NETEM_BLACKOUT_MAX_MS;
}

int netem_configure(struct netif *nif, const struct netem_config *cfg)
{
	if (!netem_config_valid(cfg))
		return NET_EINVAL;
	struct netem *ne = nif->netem;
	if (!ne) {
		ne = sys_alloc(sizeof *ne);
		if (!ne)
			return NET_ENOMEM;
		memset(ne, 0, sizeof *ne);
		nif->netem = ne;
	}
	/* Counters carry on; the link's state starts afresh. */
	struct netem_stats st = ne->st;
	memset(ne, 0, sizeof *ne);
	ne->st = st;
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

/* Frames of nif going dir that have not yet left the rate queue. */
static unsigned netem_rate_backlog(const struct netif *nif, enum netem_dir dir, uint64_t now_us)
{
	unsigned n = 0;
	for (unsigned i = 0; i < hold.count; i++)
		if (hold.held[i].nif == nif && hold.held[i].dir == dir && hold.held[i].depart_us > now_us)
			n++;
	return n;
}

/* When a frame of len bytes queued now has been clocked out at the rate. */
static uint64_t netem_rate_depart(struct netem *ne, enum netem_dir dir, size_t len, uint64_t now_us)
{
	uint64_t start = ne->busy_until_us[dir] > now_us ? ne->busy_until_us[dir] : now_us;
	/* bits / (kbit/s) is milliseconds; times 1000 for microseconds. */
	uint64_t tx_us = ((uint64_t)len + NETEM_WIRE_OVERHEAD) * 8 * 1000 / ne->cfg.rate_kbit;
	ne->busy_until_us[dir] = start + tx_us;
	return start + tx_us;
}

/* The delay of one frame: delay_ms, moved uniformly by up to jitter_ms
 * either way, never below zero. */
static uint64_t netem_delay(struct netem *ne)
{
	uint64_t d = ne->cfg.delay_ms, j = ne->cfg.jitter_ms;
	if (!j)
		return d;
	uint64_t r = netem_rand(ne) % (2 * j + 1);
	return d + r > j ? d + r - j : 0;
}

/* Apply the rate, delay and reordering to one frame: hold it, or pass it
 * on now. */
static void netem_forward(struct netif *nif, struct netbuf *nb, enum netem_dir dir)
{
	struct netem *ne = nif->netem;
	uint64_t now = sys_now_ms(), extra = 0, depart_us = 0, start = now;
	if (netem_chance(ne, ne->cfg.reorder_ppm)) {
		extra = NETEM_REORDER_EXTRA_MS;
		ne->st.reordered[dir]++;
	}
	if (ne->cfg.rate_kbit) {
		unsigned limit = ne->cfg.limit ? ne->cfg.limit : NETEM_LIMIT_DEFAULT;
		if (netem_rate_backlog(nif, dir, now * 1000) >= limit) {
			ne->st.over_limit[dir]++;
			netbuf_free(nb);
			return;
		}
		depart_us = netem_rate_depart(ne, dir, nb->len, now * 1000);
		start = (depart_us + 999) / 1000;
		ne->st.rate_queued[dir]++;
	}
	uint64_t wait = netem_delay(ne) + extra;
	uint64_t release = start + wait;
	if (release <= now) {
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
	if (extra == 0 && wait)
		ne->st.delayed[dir]++;
	ne->st.passed[dir]++;
	hold.held[hold.count++] = (struct netem_held){
		.nb = nb, .nif = nif, .release_ms = release, .depart_us = depart_us, .order = hold.order++, .dir = dir,
	};
	sys_kick();
}

/* True while the blackout lasts; it starts once blackout_after frames have
 * been seen and ends blackout_ms later, once per configuration. */
static bool netem_blackout(struct netem *ne, uint64_t now)
{
	if (!ne->cfg.blackout_ms)
		return false;
	if (!ne->blackout_started) {
		if (ne->frames_seen < ne->cfg.blackout_after) {
			ne->frames_seen++;
			return false;
		}
		ne->blackout_started = true;
		ne->blackout_until = now + ne->cfg.blackout_ms;
	}
	return now < ne->blackout_until;
}

/* One step of the Gilbert-Elliott chain for dir: true if the frame falls
 * in the bad state (and is lost). */
static bool netem_ge_lost(struct netem *ne, enum netem_dir dir)
{
	if (!ne->cfg.ge_p_ppm)
		return false;
	if (ne->ge_bad[dir])
		ne->ge_bad[dir] = !netem_chance(ne, ne->cfg.ge_r_ppm);
	else
		ne->ge_bad[dir] = netem_chance(ne, ne->cfg.ge_p_ppm);
	return ne->ge_bad[dir];
}

/* Whether the frame is lost, each cause counted apart. */
static bool netem_lost(struct netem *ne, enum netem_dir dir)
{
	if (netem_blackout(ne, sys_now_ms())) {
		ne->st.blackout_lost[dir]++;
		return true;
	}
	if (netem_chance(ne, ne->cfg.loss_ppm)) {
		ne->st.dropped[dir]++;
		return true;
	}
	if (netem_ge_lost(ne, dir)) {
		ne->st.burst_lost[dir]++;
		return true;
	}
	return false;
}

/* Change 2..corrupt_bytes consecutive bytes of the frame, each for sure
 * (xor with a non-zero byte). */
static void netem_corrupt_run(struct netem *ne, struct netbuf *nb)
{
	size_t n = 2 + (size_t)(netem_rand(ne) % (ne->cfg.corrupt_bytes - 1));
	if (n > nb->len)
		n = nb->len;
	size_t off = (size_t)(netem_rand(ne) % (nb->len - n + 1));
	for (size_t i = 0; i < n; i++)
		nb->data[off + i] ^= (uint8_t)(1 + netem_rand(ne) % 255);
}

static void netem_corrupt(struct netem *ne, struct netbuf *nb, enum netem_dir dir)
{
	ne->st.corrupted[dir]++;
	if (ne->cfg.corrupt_bytes >= 2 && (netem_rand(ne) & 1)) {
		netem_corrupt_run(ne, nb);
		ne->st.bytes_corrupted[dir]++;
		return;
	}
	uint64_t r = netem_rand(ne);
	nb->data[(r >> 3) % nb->len] ^= (uint8_t)(1u << (r & 7));
}

static void netem_apply(struct netif *nif, struct netbuf *nb, enum netem_dir dir)
{
	struct netem *ne = nif->netem;
	if (netem_lost(ne, dir)) {
		netbuf_free(nb);
		return;
	}
	if (nb->len && netem_chance(ne, ne->cfg.corrupt_ppm))
		netem_corrupt(ne, nb, dir);
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
