/* Pigeon's own seeded fault injector on the netif path (these machines'
 * kernels have no tc netem). Applied to frames received from and sent to
 * the driver: loss (random, in Gilbert-Elliott bursts, or a timed
 * blackout), duplication, reordering, delay with jitter, a rate limit with
 * a bounded queue, and corruption (one bit, or a run of bytes), each
 * decided by one xorshift generator seeded per interface, so a run is
 * deterministic for a seed and a given sequence of frames. Named profiles
 * (netem_profile_find) bundle the standard settings P0-P12. */
#ifndef NET_NETEM_H
#define NET_NETEM_H

#include <stdbool.h>
#include <stdint.h>

#include "net/netbuf.h"
#include "net/netif.h"

enum {
	NETEM_PPM = 1000000,     /* rates are in parts per million */
	NETEM_QUEUE_MAX = 512,   /* frames held for delay or reordering, both directions */
	NETEM_DELAY_MAX_MS = 10000,
	/* A reordered frame is held this much longer than the others, so
	 * frames sent after it overtake it. */
	NETEM_REORDER_EXTRA_MS = 5,
	NETEM_RATE_MAX_KBIT = 10000000,  /* 10 Gbit/s */
	NETEM_LIMIT_DEFAULT = 1000,      /* frames waiting for the rate, as netem's limit */
	NETEM_CORRUPT_BYTES_MAX = 8,
	NETEM_BLACKOUT_MAX_MS = 600000,
	/* Per frame on the wire beyond the frame: preamble, SFD, FCS, gap. */
	NETEM_WIRE_OVERHEAD = 24,
};

struct netem_config {
	uint32_t loss_ppm, dup_ppm, reorder_ppm, corrupt_ppm;
	uint32_t delay_ms;
	uint32_t jitter_ms;        /* each frame's delay is uniform in delay +- jitter (>= 0) */
	/* Gilbert-Elliott burst loss, per direction: per frame, the chance
	 * to go from the good state to the bad one (p) and back (r). Every
	 * frame in the bad state is lost: mean burst 1/r frames, loss rate
	 * p / (p + r), as netem's `loss gemodel p r`. */
	uint32_t ge_p_ppm, ge_r_ppm;
	uint32_t rate_kbit;        /* 0: no limit; else frames leave one at a time at this rate */
	uint32_t limit;            /* frames waiting for the rate (each way); 0: NETEM_LIMIT_DEFAULT */
	/* Everything lost both ways for blackout_ms, starting at the frame
	 * after the first blackout_after frames seen (both ways) since the
	 * configuration: counted in frames, so it falls mid-transfer the
	 * same way on a fast or a slow machine. */
	uint32_t blackout_ms, blackout_after;
	/* 0 or 1: a corrupted frame has one bit flipped. 2..8: half of them
	 * instead get a run of 2..corrupt_bytes bytes overwritten at random,
	 * which the Internet checksum misses about once in 65536. */
	uint32_t corrupt_bytes;
	uint64_t seed;
};

/* A named set of impairments (the standard profiles). */
struct netem_profile {
	const char *id;            /* "P3" */
	const char *name;          /* "lossy-2" */
	const char *summary;
	struct netem_config cfg;   /* seed 0: the caller sets it */
};

/* The profile called name (its name or id, any case), or NULL. */
const struct netem_profile *netem_profile_find(const char *name);
/* The i-th profile, or NULL past the end. */
const struct netem_profile *netem_profile_at(unsigned i);

enum netem_dir { NETEM_RX, NETEM_TX, NETEM_DIRS };

struct netem_stats {
	uint64_t passed[NETEM_DIRS];
	uint64_t dropped[NETEM_DIRS];
	uint64_t duplicated[NETEM_DIRS];
	uint64_t reordered[NETEM_DIRS];
	uint64_t corrupted[NETEM_DIRS];
	uint64_t delayed[NETEM_DIRS];
	uint64_t queue_full[NETEM_DIRS]; /* frames dropped because the hold queue was full */
	uint64_t burst_lost[NETEM_DIRS]; /* lost in a Gilbert-Elliott bad state */
	uint64_t blackout_lost[NETEM_DIRS];
	uint64_t rate_queued[NETEM_DIRS]; /* frames that waited for the rate limit */
	uint64_t over_limit[NETEM_DIRS];  /* dropped: the rate queue held `limit` frames */
	uint64_t bytes_corrupted[NETEM_DIRS]; /* frames given a run of bytes, not one bit */
};

/* Start (or reconfigure, restarting the generator from cfg->seed) the
 * injector on nif. NET_OK, NET_EINVAL (a rate above 100%, delay too
 * long, a rate too high), NET_ENOMEM. */
int netem_configure(struct netif *nif, const struct netem_config *cfg);
/* Stop it: held frames are delivered or sent at once, in order. */
void netem_disable(struct netif *nif);
/* The configuration and counters of nif's injector; false if it has none. */
bool netem_status(const struct netif *nif, struct netem_config *cfg, struct netem_stats *st);

/* The hooks: netif_input and eth_output call these when nif->netem is set.
 * Both consume nb. netem_output returns NET_OK for a frame it dropped on
 * purpose: to the layers above, a lost frame was sent. */
void netem_input(struct netif *nif, struct netbuf *nb);
int netem_output(struct netif *nif, struct netbuf *nb);

/* Release held frames whose time came; the stack's timer table runs it. */
void netem_tick(uint64_t now_ms);
uint64_t netem_next_deadline(void);
/* Free every held frame (net_reset, for tests). */
void netem_reset(void);
/* Drop held frames and register the timer; net_init calls it. */
void netem_init(void);

#endif
