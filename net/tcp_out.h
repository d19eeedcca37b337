/* Segment departure: building segments from the send ring (RFC 9293 3.7,
 * 3.8.6), with Nagle (3.7.4) and silly-window avoidance on both sides
 * (3.8.6.2), and the control segments TCP sends on its own (ACKs, RST,
 * keepalives, challenge ACKs). Every segment goes out through
 * ipv4_output; ARP is IPv4's business. */
#ifndef NET_TCP_OUT_H
#define NET_TCP_OUT_H

#include <stdint.h>

#include "net/tcp_conn.h"
#include "net/tcp_in.h"

/* Forget the RST rate window (tcp_init). */
void tcp_out_init(void);

/* Send whatever the state, the windows and the flags allow now: SYN or
 * SYN-ACK, data, FIN, an owed ACK (TF_ACKNOW), a persist probe
 * (TF_FORCE). Arms the retransmission or persist timer as needed. */
void tcp_output(struct tcp_conn *c, uint64_t now);

/* Retransmit one segment from snd_una regardless of the windows (fast
 * retransmit, NewReno partial ACK) and restart the retransmission timer. */
void tcp_output_rexmt_first(struct tcp_conn *c, uint64_t now);

/* An ACK now: <SEQ=SND.MAX><ACK=RCV.NXT><CTL=ACK> (SND.NXT while
 * probing a zero window: see tcp_ack_seq in tcp_out.c). */
void tcp_send_ack(struct tcp_conn *c, uint64_t now);
/* RFC 5961 7: the same ACK, at most tcp_settings.challenge_ack_limit per
 * second per connection. */
void tcp_send_challenge_ack(struct tcp_conn *c, uint64_t now);
/* The ACK that answers a segment dropped as unacceptable (outside the
 * window, or acknowledging what we never sent), under the same limit:
 * two ends that disagree about the sequence space (after injected data,
 * say) would otherwise answer each other's answers forever, an ACK storm.
 * Linux limits its out-of-window ACKs likewise. */
void tcp_send_ack_limited(struct tcp_conn *c, uint64_t now);
/* Reset the connection from our side: <SEQ=SND.MAX><ACK=RCV.NXT><CTL=RST,ACK>. */
void tcp_send_rst(struct tcp_conn *c);
/* A keepalive probe (RFC 9293 3.8.4): <SEQ=SND.UNA-1><ACK=RCV.NXT><CTL=ACK>. */
void tcp_send_keepalive(struct tcp_conn *c, uint64_t now);
/* The reset answering a segment that has no connection (RFC 9293
 * 3.10.7.1): <SEQ=SEG.ACK><CTL=RST> if it had ACK, else
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. Never answers a RST. */
void tcp_respond_rst(const struct tcp_seg *seg);

/* The receive window we may offer now, in bytes (RFC 9293 3.8.6.2.2:
 * the right edge moves only by at least min(buffer/2, MSS), and never
 * left). */
uint32_t tcp_rcv_window(const struct tcp_conn *c);
/* After the application read: send a window update if the window opened
 * by enough to matter. */
void tcp_window_maybe_update(struct tcp_conn *c, uint64_t now);

#endif
