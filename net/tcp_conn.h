/* Inside TCP: the connection block (RFC 9293 3.3.1 "Transmission Control
 * Block"), the counters, and what tcp.c, tcp_in.c, tcp_out.c, tcp_timer.c
 * and tcp_cc.c share. Nothing outside net/tcp*.c includes this; the rest
 * of the system sees struct tcp_conn only through net/tcp.h. */
#ifndef NET_TCP_CONN_H
#define NET_TCP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/tcp.h"
#include "net/tcp_reass.h"
#include "net/tcp_ring.h"
#include "net/tcp_seq.h"
#include "net/tcp_wire.h"

enum {
	TCP_CONN_MAX = 256,      /* hard bound on the table; tcp_settings.max_conns <= this */
	TCP_BACKLOG_MAX = 64,    /* listen() backlog is clamped to this */
	TCP_DUPACK_THRESH = 3,   /* RFC 5681 3.2: the third duplicate ACK */
	TCP_RTT_G_US = 1000,     /* RFC 6298 "G": our clock ticks in ms */
	TCP_REOPEN_ISS_GAP = 1u << 20, /* a reopened 4-tuple starts this far above the old one */
	/* RSTs answering segments no connection takes, per second at most
	 * (BSD's limit): a flood to closed ports cannot become a flood out. */
	TCP_RST_PER_SECOND_MAX = 200,
};

/* The timers of one connection: deadlines in ms, 0 when not running
 * (ARCHITECTURE.md: timers are deadlines checked by netd). */
enum tcp_timer {
	TCP_T_REXMT,    /* retransmission (RFC 6298), SYN and SYN-ACK included */
	TCP_T_PERSIST,  /* zero-window probe (RFC 9293 3.8.6.1) */
	TCP_T_DELACK,   /* delayed ACK (RFC 9293 3.8.6.3) */
	TCP_T_KEEP,     /* keepalive (RFC 9293 3.8.4) */
	TCP_T_2MSL,     /* TIME_WAIT, and FIN_WAIT_2 of an orphan */
	TCP_T_COUNT,
};

/* Connection flags. */
enum {
	TF_ACKNOW = 1u << 0,      /* send an ACK at the next tcp_output */
	TF_DELACK = 1u << 1,      /* an ACK is owed; the delayed-ACK timer runs */
	TF_NODELAY = 1u << 2,     /* Nagle off (TCP_OPT_NODELAY) */
	TF_KEEPALIVE = 1u << 3,   /* TCP_OPT_KEEPALIVE */
	TF_FIN_QUEUED = 1u << 4,  /* the sending side is shut: FIN after the data */
	TF_RCV_FIN = 1u << 5,     /* the peer's FIN is in (end of stream) */
	TF_RCV_FIN_OOO = 1u << 6, /* the peer's FIN came beyond a hole, at rcv_fin_seq */
	TF_FORCE = 1u << 7,       /* persist probe: send one byte into a zero window */
	TF_RECOVERY = 1u << 8,    /* in fast recovery (RFC 6582) */
	TF_RTT_TIMING = 1u << 9,  /* rtt_seq is being timed */
	TF_PASSIVE = 1u << 10,    /* opened by a listener */
	TF_APP = 1u << 11,        /* the application holds the connection */
	TF_SYN_REXMT = 1u << 12,  /* the SYN (or SYN-ACK) was retransmitted */
	TF_SACK_OK = 1u << 13,    /* SACK-permitted offered (SYN_SENT) or agreed: we send SACK blocks */
	TF_SYN_ACKED = 1u << 14,  /* our SYN is acknowledged: data starts at snd_una */
	TF_WSCALE = 1u << 15,     /* window scale offered (SYN_SENT) or agreed */
	TF_QUEUED = 1u << 16,     /* in its listener's accept queue */
	TF_FIN_ACKED = 1u << 17,  /* our FIN is acknowledged: nothing left to send */
};

struct tcp_conn {
	enum tcp_state state;
	uint32_t flags;               /* TF_* */
	int error;                    /* sticky NET_E* that ended it */
	int soft_error;               /* last ICMP soft error; told on timeout */
	uint32_t laddr, raddr;        /* host order; laddr 0 = any (listener) */
	uint16_t lport, rport;

	/* Send sequence space (RFC 9293 3.3.1). snd_max (BSD) is the highest
	 * sequence number sent plus one: snd_nxt goes back to snd_una to
	 * retransmit, snd_max does not. */
	uint32_t iss, snd_una, snd_nxt, snd_max;
	uint32_t snd_wnd, snd_wl1, snd_wl2;
	uint32_t max_sndwnd;          /* largest window offered: SWS, RFC 5961 5.2 */
	uint16_t snd_mss;             /* most data bytes per segment we send */
	uint16_t rcv_mss;             /* MSS we announced */
	uint8_t snd_wscale, rcv_wscale; /* RFC 7323: peer's shift, our shift */

	/* Receive sequence space. rcv_adv is the right edge we last
	 * advertised (rcv_nxt + window); it never moves left. */
	uint32_t irs, rcv_nxt, rcv_adv, rcv_fin_seq;

	/* Congestion control (RFC 5681, RFC 6582). */
	uint32_t cwnd, ssthresh, recover;
	uint32_t dupacks;

	/* Round-trip time and retransmission timeout (RFC 6298). */
	uint32_t srtt_us, rttvar_us;  /* 0/0 before the first sample */
	uint32_t rto_ms;              /* before backoff */
	uint32_t rxtshift;            /* timeouts in a row: the backoff */
	uint32_t persist_shift;
	uint32_t rtt_seq;             /* the segment being timed (Karn) */
	uint64_t rtt_start_ms;

	uint64_t timer[TCP_T_COUNT];  /* deadlines, 0 = off */
	uint32_t keep_probes;         /* unanswered keepalives */
	uint32_t persist_unanswered;  /* zero-window probes since the peer last spoke */
	uint32_t unacked_segs;        /* in-order segments not yet ACKed */
	uint64_t last_rx_ms;          /* for keepalive: when the peer last spoke */

	/* RFC 5961 7: challenge ACKs in the current second. */
	uint64_t challenge_start_ms;
	uint32_t challenge_count;

	struct tcp_ring sndbuf;       /* byte 0 is sequence tcp_snd_seq0() */
	struct tcp_ring rcvbuf;       /* byte 0 is the oldest unread */
	/* A sleeping reader's buffer (tcp_conn_reader_begin): len 0 = none. */
	struct {
		uint8_t *buf;
		uint32_t len, got;
	} reader;
	struct tcp_reass reass;       /* filled ranges past rcv_nxt */
	/* SACK blocks to report (RFC 2018 4), the most recent first:
	 * [left, right) sequence numbers of data held past rcv_nxt. */
	uint32_t sack_blk[TCP_SACK_BLOCKS_MAX][2];
	uint32_t sack_n;

	/* Listeners and their children. */
	struct tcp_conn *listener;    /* a child not yet accepted: its listener */
	struct tcp_conn *accept_next; /* next in the listener's accept queue */
	struct tcp_conn *accept_head, *accept_tail;
	uint32_t backlog, accept_count, half_open;

	struct sys_wait *wait;
	uint64_t retransmits, segs_in, segs_out;
};

/* Global counters, one per drop reason (STYLE.md 7), group "tcp". */
struct tcp_stats {
	uint64_t segs_in, segs_out, bytes_in, bytes_out;
	/* input validation ladder */
	uint64_t drop_short, drop_bad_hlen, drop_bad_options, drop_bad_checksum, drop_bad_addr;
	/* no one to take it */
	uint64_t drop_no_conn, drop_listen_ack, drop_listen_overflow, drop_syn_flood;
	uint64_t drop_no_memory;
	/* RFC 9293 3.10.7 */
	uint64_t drop_bad_synack, drop_syn_sent_other, drop_out_of_window, drop_no_ack;
	uint64_t drop_ack_too_new, drop_ack_too_old, drop_rst_out_of_window;
	uint64_t drop_dup_data, drop_reass_full, drop_after_close;
	uint64_t drop_listen_syn_fin;   /* SYN+FIN to a listener (attack testbench T3) */
	uint64_t rst_in, rst_out, rst_rate_limited, challenge_acks, challenge_acks_limited, syn_in_synchronized;
	/* activity */
	uint64_t active_opens, passive_opens, established, closes, resets_by_peer;
	uint64_t timeouts, keepalive_timeouts, tw_reopens, tw_evicted;
	uint64_t retransmits, rto_expired, fast_retransmits, partial_acks, dupacks_in;
	uint64_t persist_probes, keepalive_probes, delayed_acks, window_updates;
	uint64_t ooo_segments, ooo_bytes, dup_bytes;
	uint64_t icmp_soft, icmp_hard, icmp_unmatched;
};
extern struct tcp_stats tcp_stats;

/* The connection table: slots 0..TCP_CONN_MAX-1, NULL when free. */
extern struct tcp_conn *tcp_conns[TCP_CONN_MAX];

/* ---- tcp.c: the table and life cycle ---- */

/* A zeroed connection in the table (evicting the oldest orphaned
 * TIME_WAIT when full), or NULL. */
struct tcp_conn *tcp_conn_alloc(void);
/* Remove from the table, its listener and every queue, and free it with
 * its buffers. */
void tcp_conn_free(struct tcp_conn *c);
/* Give c its send and receive rings (halving from the settings while
 * memory is short); NET_OK or NET_ENOMEM. */
int tcp_conn_buffers_alloc(struct tcp_conn *c);
/* The exact 4-tuple match (any state but LISTEN), or NULL. */
struct tcp_conn *tcp_conn_lookup(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport);
/* The listener for a segment to laddr:lport, the bound address before
 * the wildcard, or NULL. */
struct tcp_conn *tcp_listener_lookup(uint32_t laddr, uint16_t lport);
struct net_trace_event;
/* Fill in c's 4-tuple and hand ev to the stack's observer (net/trace.h);
 * callers test net_trace_on() first. */
void tcp_trace(const struct tcp_conn *c, struct net_trace_event *ev);
/* Enter state s (traced) and wake whoever waits on c. */
void tcp_conn_set_state(struct tcp_conn *c, enum tcp_state s);
/* The connection is over (reset, timeout, refused; err NET_OK for a
 * normal end): CLOSED, timers off, waiter told. An orphan is freed.
 * Returns true if c was freed (the caller must not touch it again). */
bool tcp_conn_closed(struct tcp_conn *c, int err);
/* A passive child completed its handshake: move it to its listener's
 * accept queue. false (and c is reset and freed) when the queue is full. */
bool tcp_conn_accept_ready(struct tcp_conn *c, uint64_t now);
/* Give back the rings of an orphan that will never read or send again. */
void tcp_conn_drop_buffers(struct tcp_conn *c);
/* Enter TIME_WAIT (RFC 9293 3.10.7.4): 2*MSL timer, buffers of an
 * orphan given back. */
void tcp_conn_time_wait(struct tcp_conn *c, uint64_t now);
/* The sequence number of sndbuf byte 0: snd_una, or one past it while
 * our SYN is not yet acknowledged (the SYN takes one sequence number). */
static inline uint32_t tcp_snd_seq0(const struct tcp_conn *c)
{
	return c->snd_una + ((c->flags & TF_SYN_ACKED) ? 0u : 1u);
}
/* The MSS we can receive on the route to raddr (RFC 9293 3.7.1: the
 * MTU less 40 bytes of fixed headers), bounded by what fits a netbuf. */
uint16_t tcp_mss_for(uint32_t raddr);
/* The smallest window-scale shift that lets a 16-bit window field
 * describe a buffer of size bytes (RFC 7323 2.3), at most 14. */
uint8_t tcp_wscale_for(uint32_t size);
/* Bytes of the connection held in memory (tcp_conn_info.mem_bytes). */
size_t tcp_conn_mem(const struct tcp_conn *c);

#endif
