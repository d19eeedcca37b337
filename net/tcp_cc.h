/* Congestion control: slow start and congestion avoidance (RFC 5681 3.1),
 * fast retransmit and NewReno fast recovery (RFC 5681 3.2, RFC 6582),
 * and the reaction to a retransmission timeout (RFC 5681 3.1 eq. 4). */
#ifndef NET_TCP_CC_H
#define NET_TCP_CC_H

#include <stdint.h>

#include "net/tcp_conn.h"

/* The initial window once the handshake is over (RFC 5681 3.1: IW of
 * 2..4 segments, 1 if the SYN had to be retransmitted). */
void tcp_cc_init(struct tcp_conn *c);
/* An ACK acknowledged acked new bytes (c->snd_una already advanced):
 * grow cwnd, or in recovery handle a partial or full ACK. */
void tcp_cc_newack(struct tcp_conn *c, uint32_t acked, uint64_t now);
/* A duplicate ACK (RFC 5681 2 "DUPLICATE ACKNOWLEDGMENT"): count it; the
 * third starts fast retransmit, later ones inflate cwnd. */
void tcp_cc_dupack(struct tcp_conn *c, uint64_t now);
/* The retransmission timer expired (c->rxtshift already counts it). */
void tcp_cc_rto(struct tcp_conn *c);

#endif
