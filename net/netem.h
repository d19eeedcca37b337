/* Pigeon's own seeded fault injector on the netif path (these machines'
 * kernels have no tc netem). Applied to frames received from and sent to
 * the driver: loss, duplication, reordering, delay and bit corruption, each
 * decided by one xorshift generator seeded per interface, so a run is
 * deterministic for a seed and a given sequence of frames. */
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
};

struct netem_config {
	uint32_t loss_ppm, dup_ppm, reorder_ppm, corrupt_ppm;
	uint32_t delay_ms;
	uint64_t seed;
};

enum netem_dir { NETEM_RX, NETEM_TX, NETEM_DIRS };

struct netem_stats {
	uint64_t passed[NETEM_DIRS];
	uint64_t dropped[NETEM_DIRS];
	uint64_t duplicated[NETEM_DIRS];
	uint64_t reordered[NETEM_DIRS];
	uint64_t corrupted[NETEM_DIRS];
	uint64_t delayed[NETEM_DIRS];
	uint64_t queue_full[NETEM_DIRS]; /* frames dropped because the hold queue was full */
};

/* Start (or reconfigure, restarting the generator from cfg->seed) the
 * injector on nif. NET_OK, NET_EINVAL (a rate above 100%, delay too
 * long), NET_ENOMEM. */
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
