/* Where the time goes: cycles spent in each layer and driver stage, and
 * the event counts that explain them (interrupts, RX batches, tail writes,
 * bytes copied). Always on: a stage switch is two TSC reads and a few adds.
 *
 * Time is exclusive. Entering a stage charges the cycles since the last
 * switch to the stage that was running; leaving charges them to the stage
 * being left and resumes its caller:
 *
 *   enum perf_stage prev = perf_enter(PERF_IPV4);
 *   ipv4_input(nif, nb);          // may enter PERF_TCP_IN, PERF_CHECKSUM...
 *   perf_leave(prev);
 *
 * so the stages add up to the whole stack, with no layer counted twice.
 * Threads switch only in yield() and the stack never yields inside a
 * stage, so one "current stage" is enough. Interrupt handlers take no
 * part (their few cycles land in whatever stage they interrupt). */
#ifndef NET_PERF_H
#define NET_PERF_H

#include <stdint.h>

enum perf_stage {
	PERF_IDLE,          /* outside the stack: not accounted */
	PERF_NIC_RX,        /* harvesting RX descriptors, refilling, RDT */
	PERF_NIC_TX,        /* filling TX descriptors, TDT writes */
	PERF_NIC_RECLAIM,   /* taking back sent buffers */
	PERF_ETHERNET,      /* netif demux, Ethernet header, capture/trace hooks */
	PERF_ARP,
	PERF_IPV4,          /* header checks, routing, reassembly, fragmentation */
	PERF_ICMP,
	PERF_UDP,           /* with the DHCP and DNS handlers it delivers to */
	PERF_TCP_IN,        /* segment processing (RFC 9293 3.10.7) */
	PERF_TCP_OUT,       /* segment building and sending */
	PERF_TIMERS,        /* the stack's timers (retransmission, delayed ACK...) */
	PERF_SOCKET,        /* socket calls: the copies to and from applications */
	PERF_CHECKSUM,      /* the Internet checksum, wherever it is needed */
	PERF_STAGES
};

enum perf_event {
	PERF_EV_RX_BATCHES,   /* passes over the RX ring that found frames */
	PERF_EV_RX_FRAMES,    /* frames those passes handed up */
	PERF_EV_RDT_WRITES,   /* RX tail writes (each an exit to the emulator) */
	PERF_EV_TDT_WRITES,   /* TX tail writes: one per burst ("TX kicks") */
	PERF_EV_TX_FRAMES,    /* frames given to the NIC */
	PERF_EV_COPY_RX,      /* payload bytes copied on the way in */
	PERF_EV_COPY_TX,      /* payload bytes copied on the way out */
	PERF_EV_RX_BYTES,     /* frame bytes the NIC handed up */
	PERF_EV_TX_BYTES,     /* frame bytes given to the NIC */
	PERF_EV_INTERRUPTS,   /* NIC interrupts with a cause for us */
	PERF_EVENTS
};

struct perf_state {
	uint64_t cycles[PERF_STAGES];
	uint64_t entries[PERF_STAGES];
	uint64_t events[PERF_EVENTS];
	uint64_t mark;            /* TSC at the last switch */
	uint64_t since;           /* TSC at boot or the last reset */
	enum perf_stage current;
};

extern struct perf_state net_perf;   /* the one set of counters */

static inline uint64_t perf_tsc(void)
{
	return __builtin_ia32_rdtsc();
}

static inline enum perf_stage perf_enter(enum perf_stage s)
{
	uint64_t now = perf_tsc();
	enum perf_stage prev = net_perf.current;

	if (prev != PERF_IDLE)
		net_perf.cycles[prev] += now - net_perf.mark;
	net_perf.mark = now;
	net_perf.current = s;
	net_perf.entries[s]++;
	return prev;
}

static inline void perf_leave(enum perf_stage prev)
{
	uint64_t now = perf_tsc();

	net_perf.cycles[net_perf.current] += now - net_perf.mark;
	net_perf.mark = now;
	net_perf.current = prev;
}

static inline void perf_count(enum perf_event e, uint64_t n)
{
	net_perf.events[e] += n;
}

/* A stage's short name for tables ("nic rx", "tcp in", ...). */
const char *perf_stage_name(enum perf_stage s);
/* Zero every counter (the current stage keeps running). */
void perf_reset(void);

#endif
