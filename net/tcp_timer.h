/* TCP's timers (RFC 9293 3.8; RFC 6298 for the retransmission timeout):
 * each connection keeps one deadline per timer (struct tcp_conn.timer[]);
 * netd calls tcp_timer_tick when the earliest has come. */
#ifndef NET_TCP_TIMER_H
#define NET_TCP_TIMER_H

#include <stdint.h>

#include "net/tcp_conn.h"

extern const char *const tcp_timer_name[TCP_T_COUNT];

/* Run every timer whose deadline has passed (registered with the stack). */
void tcp_timer_tick(uint64_t now);
/* The earliest deadline of any connection, UINT64_MAX if none. */
uint64_t tcp_timer_next(void);

static inline void tcp_timer_stop(struct tcp_conn *c, enum tcp_timer t)
{
	c->timer[t] = 0;
}
static inline void tcp_timer_set(struct tcp_conn *c, enum tcp_timer t, uint64_t deadline)
{
	c->timer[t] = deadline ? deadline : 1;
}
void tcp_timer_stop_all(struct tcp_conn *c);

/* The retransmission timeout now: the RFC 6298 RTO times the backoff of
 * c->rxtshift timeouts in a row, clamped to [rto_min, rto_max]. */
uint32_t tcp_rto_current(const struct tcp_conn *c);
/* (Re)start the retransmission timer at now + tcp_rto_current(). */
void tcp_timer_rexmt_arm(struct tcp_conn *c, uint64_t now);
/* Start the persist timer: RTO times the persist backoff. */
void tcp_timer_persist_arm(struct tcp_conn *c, uint64_t now);
/* Arm the delayed-ACK timer unless it runs. */
void tcp_timer_delack_arm(struct tcp_conn *c, uint64_t now);
/* Arm the keepalive timer (if the option is on) from now. */
void tcp_timer_keep_arm(struct tcp_conn *c, uint64_t now);
/* One round-trip sample (RFC 6298 2.2, 2.3): update SRTT, RTTVAR, RTO,
 * and clear the backoff (Karn: samples only come from segments sent once). */
void tcp_rtt_sample(struct tcp_conn *c, uint64_t rtt_ms);

#endif
