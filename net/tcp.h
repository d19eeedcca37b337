/* TCP (RFC 9293): the connection API that net/socket.c builds blocking
 * calls on, and the entry points IPv4 and ICMP call.
 *
 * Every function here is non-blocking and runs to completion: it changes
 * state, maybe queues segments, and returns. A caller that must wait
 * (connect, send with a full buffer, recv with nothing to read, accept)
 * sleeps on tcp_conn_wait(c) with sys_wait() and tries again: the
 * connection's wait is woken on every state change, every arrival of data,
 * every ACK that frees send space, every error.
 *
 * Connections are owned by the application until tcp_conn_close() or
 * tcp_conn_abort(); after that TCP finishes the close (FIN_WAIT, TIME_WAIT)
 * on its own and frees the connection itself, so the caller must not touch
 * the pointer again. Listeners are owned likewise until tcp_conn_close().
 *
 * What is there (net/tcp*.c): all eleven states, active, passive and
 * simultaneous open and close, half-close; RFC 5961 challenge ACKs for
 * RST, SYN and ACK outside their ranges, rate limited per connection;
 * RFC 6528 ISNs; MSS, window scaling (RFC 7323) and, as a receiver, SACK
 * (RFC 2018) options; RFC 6298 retransmission with Karn's rule and
 * backoff; NewReno (RFC 5681, 6582) with limited transmit (RFC 3042);
 * delayed ACKs, Nagle, silly-window avoidance, zero-window probes,
 * keepalive. Out-of-order data waits in the receive ring (bounded by the
 * window and by TCP_REASS_MAX holes). Not there: timestamps/PAWS, urgent
 * data (delivered inline), SACK-based recovery as a sender (SACK blocks
 * from the peer are parsed and ignored), path MTU discovery.
 *
 * TIME_WAIT: a new SYN for a 4-tuple in TIME_WAIT reopens it only when
 * its sequence number is above the old connection's RCV.NXT and a
 * listener takes it (RFC 9293 3.10.7.4, RFC 1122 4.2.2.13); the new ISS
 * is then kept above the old SND.NXT. Any other SYN gets a challenge ACK.
 * When the table is full, the oldest orphan in TIME_WAIT makes room.
 */
#ifndef NET_TCP_H
#define NET_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/ipv4.h"
#include "net/netbuf.h"

enum tcp_state {
	TCP_CLOSED,
	TCP_LISTEN,
	TCP_SYN_SENT,
	TCP_SYN_RECEIVED,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSE_WAIT,
	TCP_CLOSING,
	TCP_LAST_ACK,
	TCP_TIME_WAIT,
	TCP_STATE_COUNT,
};

extern const char *const tcp_state_name[TCP_STATE_COUNT];

struct tcp_conn;
struct sys_wait;

/* Options an application may set (tcp_conn_setopt). */
enum tcp_opt {
	TCP_OPT_NODELAY,   /* 1 = Nagle off */
	TCP_OPT_KEEPALIVE, /* 1 = keepalive probes on an idle connection */
};

/* A fresh connection in CLOSED, or NULL when out of memory or the
 * connection table is full. */
struct tcp_conn *tcp_conn_new(void);
/* Bind the local end (addr 0 = any, port 0 = ephemeral chosen at connect
 * or listen). NET_EADDRINUSE, NET_EINVAL. */
int tcp_conn_bind(struct tcp_conn *c, uint32_t addr, uint16_t port);
/* Start an active open: sends SYN. NET_OK means "in progress": wait until
 * tcp_conn_state() is ESTABLISHED or tcp_conn_error() is set. Errors now:
 * NET_ENETUNREACH (no route), NET_EADDRINUSE (4-tuple busy), NET_EINVAL. */
int tcp_conn_connect(struct tcp_conn *c, uint32_t addr, uint16_t port);
/* Passive open with a bounded backlog of not-yet-accepted connections. */
int tcp_conn_listen(struct tcp_conn *c, int backlog);
/* Take an established connection from a listener's backlog; NULL when none
 * is waiting (wait on the listener's tcp_conn_wait). */
struct tcp_conn *tcp_conn_accept(struct tcp_conn *listener);

/* Copy up to len bytes into the send buffer; returns the number copied (0
 * when the buffer is full: wait and retry), or NET_ENOTCONN, NET_ECLOSED
 * (after shutdown of the sending side), or the connection's error. */
long tcp_conn_send(struct tcp_conn *c, const void *buf, size_t len);
/* Copy up to len received bytes out; returns the count, 0 at end of stream
 * (FIN received and all data read), NET_EAGAIN when nothing is there yet,
 * or the connection's error (NET_ECONNRESET, NET_ETIMEDOUT, ...). */
long tcp_conn_recv(struct tcp_conn *c, void *buf, size_t len);
/* A reader about to sleep because tcp_conn_recv said NET_EAGAIN lends its
 * buffer: in-order data that arrives while nothing else is held is copied
 * straight into it, once, instead of into the receive buffer and out
 * again. tcp_conn_reader_end() takes the buffer back (always call it after
 * the sleep, whatever woke it) and returns the bytes it received. */
void tcp_conn_reader_begin(struct tcp_conn *c, void *buf, size_t len);
size_t tcp_conn_reader_end(struct tcp_conn *c);
/* Stop sending (queue a FIN after the data): half-close. */
int tcp_conn_shutdown_send(struct tcp_conn *c);
/* Graceful close: like shutdown_send, and the application gives up the
 * connection. If unread received data remains, RFC 9293 3.10.4 applies:
 * the connection is reset instead. */
int tcp_conn_close(struct tcp_conn *c);
/* Send RST (where the state calls for it) and free. */
void tcp_conn_abort(struct tcp_conn *c);

enum tcp_state tcp_conn_state(const struct tcp_conn *c);
/* The sticky error that ended the connection (NET_ECONNREFUSED,
 * NET_ECONNRESET, NET_ETIMEDOUT, NET_EHOSTUNREACH...), or NET_OK. */
int tcp_conn_error(const struct tcp_conn *c);
/* Bytes that tcp_conn_recv can return now / free space in the send buffer. */
size_t tcp_conn_readable(const struct tcp_conn *c);
size_t tcp_conn_writable(const struct tcp_conn *c);
struct sys_wait *tcp_conn_wait(struct tcp_conn *c);
int tcp_conn_setopt(struct tcp_conn *c, enum tcp_opt opt, int value);
void tcp_conn_endpoints(const struct tcp_conn *c, uint32_t *laddr, uint16_t *lport, uint32_t *raddr,
			uint16_t *rport);

/* A snapshot of one connection or listener, for netstat. */
struct tcp_conn_info {
	enum tcp_state state;
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	size_t sendq, recvq;            /* bytes waiting in the buffers */
	uint32_t srtt_us, rttvar_us, rto_ms;
	uint32_t cwnd, ssthresh, snd_wnd, rcv_wnd;
	uint64_t retransmits, segs_in, segs_out;
	uint64_t timer_ms;              /* until the next timer (TIME_WAIT expiry ...), 0 if none */
	const char *timer;              /* which timer that is ("rexmt", "persist", "delack",
	                                   "keepalive", "2msl"), or NULL */
	uint32_t snd_mss;               /* data bytes per segment we send */
	int error;                      /* tcp_conn_error() */
	size_t mem_bytes;               /* memory this connection holds */
	/* Sequence space, for black-box tests (nettest tcb). */
	uint32_t iss, irs, snd_una, snd_nxt, snd_max, rcv_nxt;
};
/* Call fn for every connection and listener; returns how many. */
int tcp_foreach(void (*fn)(const struct tcp_conn_info *info, void *ctx), void *ctx, uint64_t now_ms);

/* Tunables, read when a connection is set up (buffers, MSL...) or when a
 * timer is armed. tcp_init resets them to the defaults below; change them
 * after it. */
struct tcp_settings {
	uint32_t rcvbuf;            /* receive buffer per connection: 256 KiB */
	uint32_t sndbuf;            /* send buffer per connection: 128 KiB */
	uint32_t max_conns;         /* connections + listeners: 64 (<= 256) */
	uint32_t msl_ms;            /* TIME_WAIT lasts 2 * MSL: MSL 30 s */
	uint32_t delack_ms;         /* delayed ACK: 40 ms (RFC 9293 MUST < 500) */
	uint32_t rto_initial_ms;    /* RFC 6298 2.1: 1 s */
	uint32_t rto_min_ms;        /* 200 ms */
	uint32_t rto_max_ms;        /* 60 s */
	uint32_t syn_retries;       /* SYN retransmissions: 8, over 3 min (RFC 9293 MUST-23) */
	uint32_t synack_retries;    /* SYN-ACK retransmissions of a half-open child: 5 */
	uint32_t max_retries;       /* data retransmissions before NET_ETIMEDOUT: 10 */
	uint32_t fin_wait2_ms;      /* an orphan in FIN_WAIT_2 gives up after: 60 s */
	uint32_t keep_idle_ms;      /* keepalive: idle before probing, 2 h (RFC 9293) */
	uint32_t keep_intvl_ms;     /* between probes: 75 s */
	uint32_t keep_count;        /* unanswered probes before NET_ETIMEDOUT: 9 */
	uint32_t challenge_ack_limit; /* RFC 5961 challenge ACKs per second per connection: 10 */
	uint32_t syn_backlog;       /* half-open (SYN_RECEIVED) children per listener: 32 */
	bool window_scaling;        /* offer RFC 7323 window scaling: on */
	bool sack;                  /* offer SACK-permitted and report SACK blocks
	                               as a receiver (RFC 2018): on. As a sender
	                               Pigeon ignores SACK blocks (NewReno). */
};
extern struct tcp_settings tcp_settings;

/* Connections and listeners alive (netstat; tests check for leaks). */
int tcp_conn_count(void);

/* ---- from IPv4 and ICMP, and the stack's timers ---- */

/* ipv4_input hands protocol 6 here; consumes nb (data at the TCP header). */
void tcp_input(struct netif *nif, struct netbuf *nb, const struct ipv4_hdr *ih);
/* ICMP error quoting a segment we sent (see udp_icmp_error). */
void tcp_icmp_error(const struct ipv4_hdr *orig, const uint8_t *l4, size_t l4_len, int err);
/* Free every connection, reset the settings and counters, register the
 * timer ("tcp"), the counter group ("tcp") and the IPv4 protocol handler
 * (tcp_input, tcp_icmp_error for protocol 6); the stack's start-up calls it. */
void tcp_init(void);

#endif
