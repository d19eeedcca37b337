/* TCP output (RFC 9293 3.7, 3.8.6): segments are cut from the send ring
 * each time they are sent, so a retransmission is just a send from an
 * earlier sequence number. */
#include "net/tcp_out.h"

#include <stdbool.h>
#include <string.h>

#include "net/err.h"
#include "net/ipv4.h"
#include "net/netbuf.h"
#include "net/perf.h"
#include "net/sys.h"
#include "net/tcp_timer.h"
#include "net/trace.h"
#include "net/wire.h"

enum { CHALLENGE_WINDOW_MS = 1000 }; /* RFC 5961 7: the limit is per second */

/* Count a retransmission of len bytes (or a SYN/FIN) from seq, and tell
 * the observer. */
static void tcp_count_rexmt(struct tcp_conn *c, uint32_t seq, uint32_t len)
{
	c->retransmits++;
	tcp_stats.retransmits++;
	if (net_trace_on()) {
		struct net_trace_event ev = { .kind = NET_TRACE_TCP_RETRANSMIT, .seq = seq, .len = len };
		tcp_trace(c, &ev);
	}
}

/* Build one segment (header h, len bytes of ring from off) in a fresh
 * netbuf and hand it to IPv4. NET_ENOMEM when no netbuf was free (nothing
 * sent); otherwise what ipv4_output said, which the caller may ignore: a
 * segment lost after this point is recovered by the timers. */
static int tcp_xmit_segment(uint32_t src, uint32_t dst, struct tcp_hdr *h, const struct tcp_ring *ring,
			    uint32_t off, uint32_t len)
{
	struct netbuf *nb = netbuf_alloc();

	if (!nb) {
		tcp_stats.drop_no_memory++;
		return NET_ENOMEM;
	}
	if (len) {
		uint8_t *d = netbuf_put(nb, len);
		if (!d) {
			netbuf_free(nb);
			return NET_EMSGSIZE;
		}
		tcp_ring_peek(ring, off, d, len);
		perf_count(PERF_EV_COPY_TX, len);
	}
	uint8_t *p = netbuf_push(nb, TCP_HLEN + tcp_opts_len(&h->opts));
	h->sum = 0;
	tcp_hdr_emit(p, h);
	be16_put(p + TCP_SUM, tcp_checksum(src, dst, p, nb->len));
	tcp_stats.segs_out++;
	tcp_stats.bytes_out += len;
	return ipv4_output(nb, src, dst, IPV4_PROTO_TCP, IPV4_DEFAULT_TTL);
}

static int tcp_xmit(uint32_t src, uint32_t dst, struct tcp_hdr *h, const struct tcp_ring *ring,
		    uint32_t off, uint32_t len)
{
	enum perf_stage prev = perf_enter(PERF_TCP_OUT);
	int rc = tcp_xmit_segment(src, dst, h, ring, off, len);
	perf_leave(prev);
	return rc;
}

uint32_t tcp_rcv_window(const struct tcp_conn *c)
{
	/* Before the buffers exist (a SYN-ACK from a listener) offer what the
	 * settings promise, up to what an unscaled SYN can say. */
	if (!c->rcvbuf.buf)
		return c->state == TCP_SYN_RECEIVED ? (tcp_settings.rcvbuf < TCP_WIN_MAX ? tcp_settings.rcvbuf
											    : TCP_WIN_MAX)
						    : 0;
	uint32_t space = tcp_ring_space(&c->rcvbuf);
	uint32_t max = (uint32_t)TCP_WIN_MAX << c->rcv_wscale;
	if (space > max)
		space = max;
	uint32_t adv = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	/* Receiver SWS avoidance (RFC 9293 3.8.6.2.2): keep the right edge
	 * until it can move by min(half the buffer, one MSS). */
	uint32_t step = c->rcvbuf.size / 2 < c->rcv_mss ? c->rcvbuf.size / 2 : c->rcv_mss;
	if (space <= adv || space - adv < step)
		return adv;
	return space;
}

/* Send one segment of this connection: seq, len bytes from the send
 * ring, flags. Fills in ACK (always RCV.NXT when the ACK bit is set), the
 * window and, on SYNs, the options. Notes that the owed ACK went. */
static int tcp_emit(struct tcp_conn *c, uint32_t seq, uint32_t len, uint8_t flags)
{
	struct tcp_hdr h;
	uint32_t win = tcp_rcv_window(c);

	memset(&h, 0, sizeof h);
	h.sport = c->lport;
	h.dport = c->rport;
	h.seq = seq;
	h.flags = flags;
	if (flags & TCP_ACK_FLAG)
		h.ack = c->rcv_nxt;
	if (flags & TCP_SYN) {
		/* RFC 7323 2.2: the window of a SYN is never scaled. */
		h.wnd = (uint16_t)(win < TCP_WIN_MAX ? win : TCP_WIN_MAX);
		h.opts.mss_ok = true;
		h.opts.mss = c->rcv_mss;
		if (c->flags & TF_WSCALE) {
			h.opts.ws_ok = true;
			h.opts.ws = c->rcv_wscale;
		}
		h.opts.sack_ok = (c->flags & TF_SACK_OK) != 0;
	} else {
		win >>= c->rcv_wscale;
		h.wnd = (uint16_t)(win < TCP_WIN_MAX ? win : TCP_WIN_MAX);
		/* SACK blocks ride on pure ACKs only, so a full-sized data
		 * segment never grows past the MTU (RFC 6691). */
		if ((c->flags & TF_SACK_OK) && (flags & TCP_ACK_FLAG) && !(flags & TCP_RST) && len == 0) {
			h.opts.sack_n = (uint8_t)c->sack_n;
			memcpy(h.opts.sack, c->sack_blk, sizeof h.opts.sack);
		}
	}
	uint32_t off = len ? seq - tcp_snd_seq0(c) : 0;
	int err = tcp_xmit(c->laddr, c->raddr, &h, &c->sndbuf, off, len);
	if (err == NET_ENOMEM || err == NET_EMSGSIZE)
		return err;
	c->segs_out++;
	if (flags & TCP_ACK_FLAG) {
		uint32_t edge = c->rcv_nxt + ((flags & TCP_SYN) ? h.wnd : (uint32_t)h.wnd << c->rcv_wscale);
		if (SEQ_GT(edge, c->rcv_adv))
			c->rcv_adv = edge;
		c->flags &= ~(TF_ACKNOW | TF_DELACK);
		c->unacked_segs = 0;
		tcp_timer_stop(c, TCP_T_DELACK);
	}
	return NET_OK;
}

/* The sequence number of a segment that carries no data, SYN or FIN: an
 * ACK. While retransmitting, SND.NXT is behind SND.MAX and so maybe
 * behind the peer's RCV.NXT, and an empty segment below RCV.NXT is
 * unacceptable (RFC 9293 3.10.7.4): the peer drops it (and the ACK and
 * window it carries) and answers with an ACK of its own, which two ends
 * both retransmitting then bounce forever. So SND.MAX, as BSD's
 * tcp_output does; except while probing a zero window, where the peer
 * takes only RCV.NXT, which SND.NXT (pulled back to SND.UNA) is. */
static uint32_t tcp_ack_seq(const struct tcp_conn *c)
{
	return c->timer[TCP_T_PERSIST] ? c->snd_nxt : c->snd_max;
}

/* SYN_SENT and SYN_RECEIVED: the SYN (or SYN-ACK) when snd_nxt is back
 * at iss (first send, or the retransmission timer rewound it). */
static void tcp_output_syn(struct tcp_conn *c, uint64_t now)
{
	if (c->snd_nxt != c->iss) {
		/* SYN already out: only an ACK can be owed (SYN_RECEIVED). */
		if (c->state == TCP_SYN_RECEIVED && (c->flags & TF_ACKNOW))
			tcp_emit(c, tcp_ack_seq(c), 0, TCP_ACK_FLAG);
		return;
	}
	uint8_t flags = TCP_SYN | (c->state == TCP_SYN_RECEIVED ? TCP_ACK_FLAG : 0);
	if (tcp_emit(c, c->iss, 0, flags) == NET_OK) {
		c->snd_nxt = c->iss + 1;
		if (SEQ_GT(c->snd_nxt, c->snd_max))
			c->snd_max = c->snd_nxt;
		if (c->flags & TF_SYN_REXMT) {
			tcp_count_rexmt(c, c->iss, 0);
		} else if (!(c->flags & TF_RTT_TIMING)) {
			c->flags |= TF_RTT_TIMING;
			c->rtt_seq = c->iss;
			c->rtt_start_ms = now;
		}
	}
	/* Armed even when no netbuf was free: the timer retries. */
	if (!c->timer[TCP_T_REXMT])
		tcp_timer_rexmt_arm(c, now);
}

/* ESTABLISHED and later: data, FIN and ACKs. */
static void tcp_output_data(struct tcp_conn *c, uint64_t now)
{
	for (;;) {
		uint32_t seq0 = tcp_snd_seq0(c);
		uint32_t data_end = seq0 + c->sndbuf.len;
		if (c->flags & TF_FIN_ACKED) {
			/* Everything we will ever send is acknowledged. */
			if (c->flags & TF_ACKNOW)
				tcp_emit(c, tcp_ack_seq(c), 0, TCP_ACK_FLAG);
			return;
		}
		bool fin_queued = (c->flags & TF_FIN_QUEUED) != 0;
		uint32_t end = data_end + (fin_queued ? 1 : 0);
		bool force = (c->flags & TF_FORCE) != 0;

		/* Zero window (RFC 9293 3.8.6.1): pull snd_nxt back to snd_una
		 * and leave it to the persist timer to probe (as BSD does). */
		if (c->snd_wnd == 0 && !force && SEQ_LT(c->snd_una, end)) {
			c->snd_nxt = c->snd_una;
			tcp_timer_stop(c, TCP_T_REXMT);
			c->rxtshift = 0;
			if (!c->timer[TCP_T_PERSIST])
				tcp_timer_persist_arm(c, now);
			if (c->flags & TF_ACKNOW)
				tcp_emit(c, tcp_ack_seq(c), 0, TCP_ACK_FLAG);
			return;
		}

		/* Limited transmit (RFC 3042): the first two duplicate ACKs
		 * each let one new segment go beyond cwnd, to keep the ACK
		 * clock running and reach the third. */
		uint32_t cwnd = c->cwnd;
		if (!(c->flags & TF_RECOVERY) && c->dupacks < TCP_DUPACK_THRESH && c->snd_nxt == c->snd_max)
			cwnd += c->dupacks * c->snd_mss;
		uint32_t wnd = c->snd_wnd < cwnd ? c->snd_wnd : cwnd;
		uint32_t win_end = c->snd_una + wnd;
		if (force && SEQ_LEQ(win_end, c->snd_nxt))
			win_end = c->snd_nxt + 1; /* the probe: one byte past the window */
		uint32_t usable = SEQ_LT(c->snd_nxt, win_end) ? win_end - c->snd_nxt : 0;
		uint32_t len = SEQ_LT(c->snd_nxt, data_end) ? data_end - c->snd_nxt : 0;
		if (len > usable)
			len = usable;
		if (len > c->snd_mss)
			len = c->snd_mss;
		bool fin = fin_queued && c->snd_nxt + len == data_end;
		bool all = c->snd_nxt + len == data_end;

		bool send = fin || force;
		if (len) {
			if (len == c->snd_mss)
				send = true;
			else if (SEQ_LT(c->snd_nxt, c->snd_max))
				send = true; /* retransmitting what was sent before */
			/* Nagle (RFC 9293 3.7.4): a short segment goes when it
			 * empties the buffer and nothing is unacknowledged. */
			else if (all && ((c->flags & TF_NODELAY) || c->snd_max == c->snd_una))
				send = true;
			/* Sender SWS avoidance (3.8.6.2.1): or when it fills half
			 * the largest window the peer ever offered. */
			else if (c->max_sndwnd && len >= c->max_sndwnd / 2)
				send = true;
		}
		if (!send) {
			if (c->flags & TF_ACKNOW)
				tcp_emit(c, tcp_ack_seq(c), 0, TCP_ACK_FLAG);
			/* Data waits, nothing is in flight to bring an ACK, the
			 * window is too small to use: the persist timer breaks
			 * the deadlock (RFC 9293 3.8.6.2.1, BSD's setpersist). */
			if (SEQ_LT(c->snd_nxt, data_end) && c->snd_max == c->snd_una && !c->timer[TCP_T_REXMT] &&
			    !c->timer[TCP_T_PERSIST])
				tcp_timer_persist_arm(c, now);
			/* Anything outstanding always has a timer watching it. */
			if (SEQ_GT(c->snd_max, c->snd_una) && !c->timer[TCP_T_REXMT] && !c->timer[TCP_T_PERSIST])
				tcp_timer_rexmt_arm(c, now);
			return;
		}

		uint32_t seq = c->snd_nxt;
		uint8_t flags = TCP_ACK_FLAG | (fin ? TCP_FIN : 0) | (len && all ? TCP_PSH : 0);
		if (tcp_emit(c, seq, len, flags) != NET_OK) {
			/* Out of netbufs: try again when the timer fires. */
			if (!c->timer[TCP_T_REXMT] && !c->timer[TCP_T_PERSIST])
				tcp_timer_rexmt_arm(c, now);
			return;
		}
		bool rexmt = SEQ_LT(seq, c->snd_max);
		if (rexmt)
			tcp_count_rexmt(c, seq, len);
		c->snd_nxt = seq + len + (fin ? 1 : 0);
		if (SEQ_GT(c->snd_nxt, c->snd_max)) {
			/* Karn: time only a segment sent for the first time. */
			if (!rexmt && !(c->flags & TF_RTT_TIMING)) {
				c->flags |= TF_RTT_TIMING;
				c->rtt_seq = seq;
				c->rtt_start_ms = now;
			}
			c->snd_max = c->snd_nxt;
		}
		if (!c->timer[TCP_T_REXMT] && !c->timer[TCP_T_PERSIST] && SEQ_GT(c->snd_max, c->snd_una))
			tcp_timer_rexmt_arm(c, now);
		if (force) {
			c->flags &= ~TF_FORCE;
			return;
		}
		if (fin || (len == 0))
			return;
	}
}

void tcp_output(struct tcp_conn *c, uint64_t now)
{
	switch (c->state) {
	case TCP_CLOSED:
	case TCP_LISTEN:
		return;
	case TCP_SYN_SENT:
	case TCP_SYN_RECEIVED:
		tcp_output_syn(c, now);
		return;
	case TCP_TIME_WAIT:
		/* Nothing left to send but ACKs of the peer's FIN. */
		if (c->flags & TF_ACKNOW)
			tcp_emit(c, tcp_ack_seq(c), 0, TCP_ACK_FLAG);
		return;
	default:
		tcp_output_data(c, now);
		return;
	}
}

void tcp_output_rexmt_first(struct tcp_conn *c, uint64_t now)
{
	uint32_t data_end = tcp_snd_seq0(c) + c->sndbuf.len;
	uint32_t seq = c->snd_una;
	uint32_t len = SEQ_LT(seq, data_end) ? data_end - seq : 0;

	if (c->flags & TF_FIN_ACKED)
		return;

	if (len > c->snd_mss)
		len = c->snd_mss;
	/* The FIN goes again too if it had gone and this segment reaches it. */
	bool fin = (c->flags & TF_FIN_QUEUED) && seq + len == data_end && SEQ_GT(c->snd_max, data_end);
	if (!len && !fin)
		return;
	uint8_t flags = TCP_ACK_FLAG | (fin ? TCP_FIN : 0) | (seq + len == data_end && len ? TCP_PSH : 0);
	if (tcp_emit(c, seq, len, flags) == NET_OK)
		tcp_count_rexmt(c, seq, len);
	c->flags &= ~TF_RTT_TIMING; /* Karn: the timed segment may be this one */
	uint32_t next = seq + len + (fin ? 1 : 0);
	if (SEQ_LT(c->snd_nxt, next))
		c->snd_nxt = next;
	/* The segment may reach past what had been sent (the application
	 * wrote more since): SND.MAX must cover that, or its ACK would look
	 * like one for data never sent and be refused. */
	if (SEQ_GT(c->snd_nxt, c->snd_max))
		c->snd_max = c->snd_nxt;
	tcp_timer_rexmt_arm(c, now);
}

void tcp_send_ack(struct tcp_conn *c, uint64_t now)
{
	c->flags |= TF_ACKNOW;
	tcp_output(c, now);
	/* In states where output sends nothing by itself, send it here. */
	if (c->flags & TF_ACKNOW)
		tcp_emit(c, tcp_ack_seq(c), 0, TCP_ACK_FLAG);
}

/* RFC 5961 7: one more ACK this second, or false (counted) when the
 * connection has had its tcp_settings.challenge_ack_limit. */
static bool tcp_ack_budget(struct tcp_conn *c, uint64_t now)
{
	if (now - c->challenge_start_ms >= CHALLENGE_WINDOW_MS) {
		c->challenge_start_ms = now;
		c->challenge_count = 0;
	}
	if (c->challenge_count >= tcp_settings.challenge_ack_limit) {
		tcp_stats.challenge_acks_limited++;
		return false;
	}
	c->challenge_count++;
	return true;
}

void tcp_send_challenge_ack(struct tcp_conn *c, uint64_t now)
{
	if (!tcp_ack_budget(c, now))
		return;
	tcp_stats.challenge_acks++;
	tcp_emit(c, tcp_ack_seq(c), 0, TCP_ACK_FLAG);
}

void tcp_send_ack_limited(struct tcp_conn *c, uint64_t now)
{
	if (tcp_ack_budget(c, now))
		tcp_send_ack(c, now);
}

void tcp_send_rst(struct tcp_conn *c)
{
	tcp_stats.rst_out++;
	tcp_emit(c, c->snd_max, 0, TCP_RST | TCP_ACK_FLAG);
}

void tcp_send_keepalive(struct tcp_conn *c, uint64_t now)
{
	(void)now;
	tcp_stats.keepalive_probes++;
	tcp_emit(c, c->snd_una - 1, 0, TCP_ACK_FLAG);
}

/* RSTs sent by tcp_respond_rst in the current one-second window. */
static struct {
	uint64_t start;
	uint32_t sent;
	bool running;
} tcp_rst_window;

void tcp_out_init(void)
{
	memset(&tcp_rst_window, 0, sizeof tcp_rst_window);
}

static bool tcp_rst_budget(uint64_t now)
{
	if (!tcp_rst_window.running || now - tcp_rst_window.start >= 1000) {
		tcp_rst_window.running = true;
		tcp_rst_window.start = now;
		tcp_rst_window.sent = 0;
	}
	if (tcp_rst_window.sent >= TCP_RST_PER_SECOND_MAX) {
		tcp_stats.rst_rate_limited++;
		return false;
	}
	tcp_rst_window.sent++;
	return true;
}

void tcp_respond_rst(const struct tcp_seg *seg)
{
	struct tcp_hdr h;

	if ((seg->h.flags & TCP_RST) || !tcp_rst_budget(sys_now_ms()))
		return;
	memset(&h, 0, sizeof h);
	h.sport = seg->h.dport;
	h.dport = seg->h.sport;
	if (seg->h.flags & TCP_ACK_FLAG) {
		h.seq = seg->h.ack;
		h.flags = TCP_RST;
	} else {
		h.seq = 0;
		h.ack = seg->h.seq + seg->len;
		h.flags = TCP_RST | TCP_ACK_FLAG;
	}
	tcp_stats.rst_out++;
	tcp_xmit(seg->dst, seg->src, &h, NULL, 0, 0);
}

void tcp_window_maybe_update(struct tcp_conn *c, uint64_t now)
{
	if (c->state != TCP_ESTABLISHED && c->state != TCP_FIN_WAIT_1 && c->state != TCP_FIN_WAIT_2)
		return;
	uint32_t adv = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	uint32_t win = tcp_rcv_window(c);
	uint32_t step = 2u * c->rcv_mss;
	if (step > c->rcvbuf.size / 2)
		step = c->rcvbuf.size / 2;
	/* Only when the sender could be running short: while it still has
	 * half a buffer of window, the ACKs netd sends for its data carry the
	 * new window anyway, and each update from a reading application is
	 * one more transmit (an exit to the emulator) per read. */
	if (adv >= c->rcvbuf.size / 2)
		return;
	if (win > adv && win - adv >= step) {
		tcp_stats.window_updates++;
		tcp_send_ack(c, now);
	}
}
