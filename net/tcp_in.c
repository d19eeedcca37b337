/* TCP input: RFC 9293 3.10.7 "SEGMENT ARRIVES", step by step, with the
 * RFC 5961 defences (3.2 RST, 4.2 SYN, 5.2 ACK) folded into the steps
 * they amend. Each step ends in one of three named exits:
 *
 *   drop             free the segment, say nothing
 *   drop_after_ack   free it and send an ACK (<SEQ=SND.MAX><ACK=RCV.NXT>),
 *                    at most challenge_ack_limit a second (no ACK storms)
 *   drop_with_reset  free it and answer with a RST built from it
 *
 * tcp_input always consumes the netbuf. */
#include "net/tcp_in.h"

#include <string.h>

#include "net/checksum.h"
#include "net/err.h"
#include "net/ipv4.h"
#include "net/perf.h"
#include "net/sys.h"
#include "net/tcp.h"
#include "net/tcp_cc.h"
#include "net/tcp_conn.h"
#include "net/tcp_isn.h"
#include "net/tcp_out.h"
#include "net/tcp_timer.h"

/* The send MSS from the peer's option (absent: 536), never above our own. */
static uint16_t tcp_peer_mss(const struct tcp_conn *c, const struct tcp_opts *o)
{
	uint32_t mss = o->mss_ok ? o->mss : TCP_MSS_DEFAULT;
	if (mss < TCP_MSS_MIN)
		mss = TCP_MSS_MIN;
	if (mss > c->rcv_mss)
		mss = c->rcv_mss;
	return (uint16_t)mss;
}

/* RFC 9293 3.10.7.4 first step, the four cases of the acceptability test. */
static bool tcp_seq_acceptable(uint32_t seq, uint32_t len, uint32_t rcv_nxt, uint32_t rcv_wnd)
{
	if (len == 0) {
		if (rcv_wnd == 0)
			return seq == rcv_nxt;
		return SEQ_IN(seq, rcv_nxt, rcv_nxt + rcv_wnd);
	}
	if (rcv_wnd == 0)
		return false;
	return SEQ_IN(seq, rcv_nxt, rcv_nxt + rcv_wnd) || SEQ_IN(seq + len - 1, rcv_nxt, rcv_nxt + rcv_wnd);
}

/* Out-of-order data landed at offset off past rcv_nxt: the SACK block
 * holding it goes first (RFC 2018 4: "the first SACK block MUST specify
 * the contiguous block of data containing the segment which triggered
 * this ACK"), older blocks it swallowed go, the rest follow. */
static void tcp_sack_note(struct tcp_conn *c, uint32_t off)
{
	uint32_t left = 0, right = 0;

	for (uint32_t i = 0; i < c->reass.count; i++) {
		if (c->reass.r[i].start <= off && off < c->reass.r[i].end) {
			left = c->rcv_nxt + c->reass.r[i].start;
			right = c->rcv_nxt + c->reass.r[i].end;
		}
	}
	if (left == right)
		return;
	uint32_t n = 0;
	uint32_t keep[TCP_SACK_BLOCKS_MAX][2];
	for (uint32_t i = 0; i < c->sack_n && n < TCP_SACK_BLOCKS_MAX - 1; i++) {
		/* Blocks now inside the new one are stale. */
		if (SEQ_GEQ(c->sack_blk[i][0], left) && SEQ_LEQ(c->sack_blk[i][1], right))
			continue;
		keep[n][0] = c->sack_blk[i][0];
		keep[n][1] = c->sack_blk[i][1];
		n++;
	}
	c->sack_blk[0][0] = left;
	c->sack_blk[0][1] = right;
	for (uint32_t i = 0; i < n; i++) {
		c->sack_blk[i + 1][0] = keep[i][0];
		c->sack_blk[i + 1][1] = keep[i][1];
	}
	c->sack_n = n + 1;
}

/* rcv_nxt moved: blocks it reached are no longer news. */
static void tcp_sack_trim(struct tcp_conn *c)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < c->sack_n; i++) {
		if (SEQ_LEQ(c->sack_blk[i][0], c->rcv_nxt))
			continue;
		c->sack_blk[n][0] = c->sack_blk[i][0];
		c->sack_blk[n][1] = c->sack_blk[i][1];
		n++;
	}
	c->sack_n = n;
}

/* Store n bytes at offset off past rcv_nxt, leaving alone the bytes of
 * ranges already held: the first copy of a byte wins, as it does for
 * bytes before rcv_nxt, so a later overlap cannot rewrite accepted data. */
static void tcp_rcv_store(struct tcp_conn *c, uint32_t off, const uint8_t *d, uint32_t n)
{
	uint32_t pos = off, end = off + n;

	for (uint32_t i = 0; i < c->reass.count && pos < end; i++) {
		const struct tcp_reass_range *r = &c->reass.r[i];
		if (r->end <= pos)
			continue;
		if (r->start >= end)
			break;
		if (r->start > pos)
			tcp_ring_write_at(&c->rcvbuf, pos, d + (pos - off), r->start - pos);
		pos = r->end;
	}
	if (pos < end)
		tcp_ring_write_at(&c->rcvbuf, pos, d + (pos - off), end - pos);
}

/* In-order data with nothing held before it: copy what fits straight into
 * a sleeping reader's buffer (tcp_conn_reader_begin), the one copy it
 * needs. Returns the bytes taken; the rest goes to the receive buffer. */
static uint32_t tcp_in_to_reader(struct tcp_conn *c, const uint8_t *d, uint32_t n)
{
	if (c->rcvbuf.len || c->reader.got >= c->reader.len)
		return 0;
	uint32_t k = c->reader.len - c->reader.got;
	if (k > n)
		k = n;
	memcpy(c->reader.buf + c->reader.got, d, k);
	c->reader.got += k;
	return k;
}

/* The FIN is in order (RFC 9293 3.10.7.4 eighth step). */
static void tcp_in_fin(struct tcp_conn *c, uint64_t now)
{
	c->rcv_nxt++;
	c->flags |= TF_RCV_FIN | TF_ACKNOW;
	c->flags &= ~TF_RCV_FIN_OOO;
	/* Nothing comes after the FIN: forget what was held beyond it (its
	 * offsets would no longer match the ring, and SACK would report it). */
	tcp_reass_init(&c->reass);
	c->sack_n = 0;
	switch (c->state) {
	case TCP_SYN_RECEIVED:
	case TCP_ESTABLISHED:
		tcp_conn_set_state(c, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT_1:
		/* Our FIN is not acknowledged yet (that ACK would have moved
		 * us to FIN_WAIT_2 in the fifth step): simultaneous close. */
		tcp_conn_set_state(c, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT_2:
		tcp_conn_time_wait(c, now);
		break;
	default:
		break;
	}
	sys_wake(c->wait);
}

/* Seventh and eighth steps: the segment's text and FIN, in a state that
 * still receives. seg->seq is acceptable; the front is trimmed here. */
static void tcp_in_text(struct tcp_conn *c, struct tcp_seg *seg, uint64_t now)
{
	uint32_t seq = seg->seq;
	const uint8_t *d = seg->data;
	uint32_t n = seg->dlen;
	bool fin = (seg->h.flags & TCP_FIN) != 0;

	if (c->flags & TF_RCV_FIN) {
		/* Text after the FIN means nothing (CLOSE_WAIT and on): just
		 * acknowledge again, the peer may have missed our ACK. */
		if (seg->len)
			c->flags |= TF_ACKNOW;
		return;
	}
	/* Trim what we already have off the front (first step: "segments
	 * ... whose data has already been received ... are acknowledged"). */
	if (SEQ_LT(seq, c->rcv_nxt)) {
		uint32_t dup = c->rcv_nxt - seq;
		if (dup >= n) {
			tcp_stats.dup_bytes += n;
			tcp_stats.drop_dup_data += n ? 1 : 0;
			if (fin && SEQ_LT(seq + n, c->rcv_nxt))
				fin = false;   /* a FIN we already took */
			seq += n;
			d += n;
			n = 0;
		} else {
			tcp_stats.dup_bytes += dup;
			seq += dup;
			d += dup;
			n -= dup;
		}
		c->flags |= TF_ACKNOW;
	}
	/* Trim to the window we offered and the room we have (first step:
	 * the tail "may be trimmed"); a trimmed tail takes the FIN along. */
	uint32_t off = SEQ_GT(seq, c->rcv_nxt) ? seq - c->rcv_nxt : 0;
	uint32_t wnd = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	uint32_t room = tcp_ring_space(&c->rcvbuf);
	uint32_t limit = wnd < room ? wnd : room;
	if (off + n > limit) {
		if (n || fin)
			c->flags |= TF_ACKNOW; /* text cut: say where we are (a bare ACK cuts nothing) */
		n = limit > off ? limit - off : 0;
		fin = false;
	}
	/* Nothing past the FIN is data (eighth step): a FIN already seen
	 * beyond a hole bounds what may still come (the first FIN's place
	 * holds), and a FIN now ends what was held beyond it. */
	if ((c->flags & TF_RCV_FIN_OOO) && off + n > c->rcv_fin_seq - c->rcv_nxt) {
		uint32_t fin_off = c->rcv_fin_seq - c->rcv_nxt;
		/* Only when text was cut: a bare ACK from a peer whose FIN we
		 * hold (its SEQ is past the FIN) must not be answered, or two
		 * such peers ACK each other's ACKs for ever. */
		if (n || fin)
			c->flags |= TF_ACKNOW;
		n = fin_off > off ? fin_off - off : 0;
		fin = false;
	}
	if (fin && tcp_reass_trim(&c->reass, off + n))
		c->sack_n = 0; /* blocks may name what is gone (reneging, RFC 2018 8) */

	if (n && off == 0) {
		/* In order: take it and whatever out-of-order data it joins. */
		bool had_holes = c->reass.count != 0;
		uint32_t direct = had_holes ? 0 : tcp_in_to_reader(c, d, n);
		if (direct < n)
			tcp_rcv_store(c, 0, d + direct, n - direct);
		perf_count(PERF_EV_COPY_RX, n);
		uint32_t more = tcp_reass_advance(&c->reass, n - direct);
		tcp_ring_commit(&c->rcvbuf, n - direct + more);
		c->rcv_nxt += n + more;
		if (c->sack_n)
			tcp_sack_trim(c);
		tcp_stats.bytes_in += n;
		if (had_holes) {
			/* RFC 5681 4.2: ACK at once when a hole is (partly) filled. */
			c->flags |= TF_ACKNOW;
		} else if (++c->unacked_segs >= 2) {
			/* RFC 9293 3.8.6.3: at least every second full segment. */
			c->flags |= TF_ACKNOW;
		} else {
			c->flags |= TF_DELACK;
			tcp_timer_delack_arm(c, now);
		}
		sys_wake(c->wait);
	} else if (n) {
		/* Out of order: keep it in the ring past the held bytes, note
		 * the range, and send a duplicate ACK at once (RFC 5681 4.2). */
		tcp_rcv_store(c, off, d, n); /* before the range is noted */
		if (tcp_reass_add(&c->reass, off, off + n) == 0) {
			perf_count(PERF_EV_COPY_RX, n);
			tcp_stats.ooo_segments++;
			tcp_stats.ooo_bytes += n;
			if (c->flags & TF_SACK_OK)
				tcp_sack_note(c, off);
		} else {
			tcp_stats.drop_reass_full++;
			fin = false;
		}
		c->flags |= TF_ACKNOW;
	}

	if (fin) {
		uint32_t fin_seq = seq + n;
		if (fin_seq == c->rcv_nxt) {
			tcp_in_fin(c, now);
		} else {
			/* A FIN beyond a hole: keep its place for when the hole fills. */
			c->flags |= TF_RCV_FIN_OOO | TF_ACKNOW;
			c->rcv_fin_seq = fin_seq;
		}
	} else if ((c->flags & TF_RCV_FIN_OOO) && c->rcv_fin_seq == c->rcv_nxt) {
		tcp_in_fin(c, now);
	}
}

/* RFC 9293 3.10.7.2: a segment for a listener. A SYN that reopens a
 * TIME_WAIT 4-tuple passes the old connection's snd_max as min_iss: the
 * new incarnation must start above it (RFC 9293 3.10.7.4, RFC 1122
 * 4.2.2.13 (a)); otherwise min_iss is NULL. */
static void tcp_in_listen(struct tcp_conn *l, struct tcp_seg *seg, uint64_t now, const uint32_t *min_iss)
{
	const struct tcp_hdr *h = &seg->h;

	/* First: a RST to a listener is ignored. */
	if (h->flags & TCP_RST)
		goto drop;
	/* Second: any ACK is bad here. */
	if (h->flags & TCP_ACK_FLAG) {
		tcp_stats.drop_listen_ack++;
		goto drop_with_reset;
	}
	/* Third: a SYN. */
	if (!(h->flags & TCP_SYN)) {
		tcp_stats.drop_syn_sent_other++;
		goto drop;
	}
	/* SYN+FIN is no opening anyone makes: a scan or an attack (BSD drops
	 * it too); answering it would create a half-open child. */
	if (h->flags & TCP_FIN) {
		tcp_stats.drop_listen_syn_fin++;
		goto drop;
	}
	/* Bounded: established children waiting for accept, and half-open
	 * ones (a SYN flood fills only these; the peer retries). */
	if (l->accept_count >= l->backlog) {
		tcp_stats.drop_listen_overflow++;
		goto drop;
	}
	if (l->half_open >= tcp_settings.syn_backlog) {
		tcp_stats.drop_syn_flood++;
		goto drop;
	}
	struct tcp_conn *c = tcp_conn_alloc();
	if (!c) {
		tcp_stats.drop_no_memory++;
		goto drop;
	}
	c->listener = l;
	l->half_open++;
	c->flags |= TF_PASSIVE | (l->flags & (TF_NODELAY | TF_KEEPALIVE));
	c->laddr = seg->dst;
	c->lport = l->lport;
	c->raddr = seg->src;
	c->rport = h->sport;
	c->rcv_mss = tcp_mss_for(c->raddr);
	c->snd_mss = tcp_peer_mss(c, &h->opts);
	if (h->opts.ws_ok && tcp_settings.window_scaling) {
		c->flags |= TF_WSCALE;
		c->snd_wscale = h->opts.ws > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : h->opts.ws;
		c->rcv_wscale = tcp_wscale_for(tcp_settings.rcvbuf);
	}
	if (h->opts.sack_ok && tcp_settings.sack)
		c->flags |= TF_SACK_OK;
	c->irs = seg->seq;
	c->rcv_nxt = seg->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->snd_wnd = h->wnd;  /* a SYN's window is never scaled */
	c->max_sndwnd = c->snd_wnd;
	c->snd_wl1 = seg->seq;
	c->iss = tcp_isn(c->laddr, c->lport, c->raddr, c->rport, now);
	if (min_iss && !SEQ_GT(c->iss, *min_iss))
		c->iss = *min_iss + TCP_REOPEN_ISS_GAP;
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->snd_wl2 = c->iss;
	c->recover = c->iss;
	c->rto_ms = tcp_settings.rto_initial_ms;
	c->cwnd = c->snd_mss;
	c->last_rx_ms = now;
	tcp_stats.passive_opens++;
	tcp_conn_set_state(c, TCP_SYN_RECEIVED);
	/* Text in the SYN is not kept: it is not acknowledged, so the peer
	 * sends it again once we are established. */
	tcp_output(c, now);
	return;

drop_with_reset:
	tcp_respond_rst(seg);
drop:
	return;
}

/* RFC 9293 3.10.7.3: a segment for a connection in SYN_SENT. */
static void tcp_in_syn_sent(struct tcp_conn *c, struct tcp_seg *seg, uint64_t now)
{
	const struct tcp_hdr *h = &seg->h;
	bool ack = (h->flags & TCP_ACK_FLAG) != 0;

	/* First: the ACK must acknowledge our SYN and nothing more. */
	if (ack && (SEQ_LEQ(h->ack, c->iss) || SEQ_GT(h->ack, c->snd_max))) {
		tcp_stats.drop_bad_synack++;
		if (h->flags & TCP_RST)
			goto drop;
		goto drop_with_reset;
	}
	/* Second: a RST counts only with an acceptable ACK (RFC 5961 3.2
	 * keeps this test for SYN_SENT). */
	if (h->flags & TCP_RST) {
		if (!ack) {
			tcp_stats.drop_rst_out_of_window++;
			goto drop;
		}
		tcp_stats.rst_in++;
		tcp_conn_closed(c, NET_ECONNREFUSED);
		return;
	}
	/* Fourth: neither SYN nor RST. */
	if (!(h->flags & TCP_SYN)) {
		tcp_stats.drop_syn_sent_other++;
		goto drop;
	}
	c->irs = seg->seq;
	c->rcv_nxt = seg->seq + 1;
	/* What our SYN offered (unscaled), now that it has a left edge. */
	uint32_t space = tcp_ring_space(&c->rcvbuf);
	c->rcv_adv = c->rcv_nxt + (space < TCP_WIN_MAX ? space : TCP_WIN_MAX);
	c->snd_mss = tcp_peer_mss(c, &h->opts);
	if ((c->flags & TF_WSCALE) && h->opts.ws_ok) {
		c->snd_wscale = h->opts.ws > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : h->opts.ws;
	} else {
		/* RFC 7323 2.2: scaling only when both SYNs carry the option. */
		c->flags &= ~TF_WSCALE;
		c->snd_wscale = 0;
		c->rcv_wscale = 0;
	}
	if (!h->opts.sack_ok)
		c->flags &= ~TF_SACK_OK; /* RFC 2018 2: only if both SYNs say so */
	c->snd_wnd = h->wnd;
	c->max_sndwnd = c->snd_wnd;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = ack ? h->ack : c->iss;
	c->last_rx_ms = now;

	if (!ack) {
		/* Simultaneous open: SYN_RECEIVED, and our SYN goes again as a
		 * SYN-ACK <SEQ=ISS><ACK=RCV.NXT>. */
		c->snd_nxt = c->iss;
		tcp_conn_set_state(c, TCP_SYN_RECEIVED);
		tcp_output(c, now);
		return;
	}
	c->snd_una = h->ack;
	c->flags |= TF_SYN_ACKED | TF_ACKNOW;
	if ((c->flags & TF_RTT_TIMING) && SEQ_GT(h->ack, c->rtt_seq)) {
		c->flags &= ~TF_RTT_TIMING;
		tcp_rtt_sample(c, now - c->rtt_start_ms);
	}
	tcp_timer_stop(c, TCP_T_REXMT);
	c->rxtshift = 0;
	tcp_cc_init(c);
	tcp_stats.established++;
	tcp_conn_set_state(c, (c->flags & TF_FIN_QUEUED) ? TCP_FIN_WAIT_1 : TCP_ESTABLISHED);
	tcp_timer_keep_arm(c, now);
	/* Text or FIN in the SYN-ACK: on to the sixth step without the SYN. */
	seg->seq++;
	seg->len--;
	if (seg->len)
		tcp_in_text(c, seg, now);
	tcp_output(c, now);
	return;

drop_with_reset:
	tcp_respond_rst(seg);
drop:
	return;
}

/* The state changes our FIN being acknowledged brings (fifth step). */
static bool tcp_in_fin_acked(struct tcp_conn *c, uint64_t now)
{
	switch (c->state) {
	case TCP_FIN_WAIT_1:
		tcp_conn_set_state(c, TCP_FIN_WAIT_2);
		/* An orphan cannot wait for the peer's FIN for ever, and
		 * needs its rings no more (text now earns a RST). */
		if (!(c->flags & TF_APP)) {
			tcp_timer_set(c, TCP_T_2MSL, now + tcp_settings.fin_wait2_ms);
			tcp_conn_drop_buffers(c);
		}
		return false;
	case TCP_CLOSING:
		tcp_conn_time_wait(c, now);
		return false;
	case TCP_LAST_ACK:
		tcp_stats.closes++;
		return tcp_conn_closed(c, NET_OK);
	default:
		return false;
	}
}

/* RFC 9293 3.10.7.4: SYN_RECEIVED and the synchronized states. */
static void tcp_in_synchronized(struct tcp_conn *c, struct tcp_seg *seg, uint64_t now)
{
	const struct tcp_hdr *h = &seg->h;
	uint8_t fl = h->flags;
	bool syn_ack_in_syn_received = false;

	/* TIME_WAIT and a new SYN above everything the old connection used:
	 * RFC 9293 3.10.7.4 (fourth step, note on TIME-WAIT) and RFC 6191
	 * allow a new incarnation. Hand it to the listener, if any. */
	if (c->state == TCP_TIME_WAIT && (fl & TCP_SYN) && !(fl & (TCP_ACK_FLAG | TCP_RST)) &&
	    SEQ_GT(seg->seq, c->rcv_nxt)) {
		struct tcp_conn *l = tcp_listener_lookup(c->laddr, c->lport);
		if (l) {
			uint32_t old_max = c->snd_max;
			tcp_stats.tw_reopens++;
			tcp_conn_free(c);
			tcp_in_listen(l, seg, now, &old_max);
			return;
		}
	}
	/* SYN_RECEIVED and the peer's SYN again (its SYN is at irs). */
	if (c->state == TCP_SYN_RECEIVED && (fl & TCP_SYN) && !(fl & TCP_RST) && seg->seq == c->irs) {
		if (!(fl & TCP_ACK_FLAG)) {
			/* Our SYN-ACK was lost: send it again now. */
			c->snd_nxt = c->iss;
			tcp_output(c, now);
			return;
		}
		/* Simultaneous open (RFC 9293 figure 7, line 6): the peer's
		 * SYN-ACK completes the handshake; its SYN is old news. */
		seg->seq++;
		seg->len--;
		fl &= (uint8_t)~TCP_SYN;
		syn_ack_in_syn_received = true;
	}

	/* First: is the segment in the window? */
	uint32_t rcv_wnd = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	if (!tcp_seq_acceptable(seg->seq, seg->len, c->rcv_nxt, rcv_wnd)) {
		if (rcv_wnd == 0 && seg->seq == c->rcv_nxt && !(fl & TCP_SYN)) {
			/* Zero window: the ACK, RST and window still count; the
			 * text does not (a window probe gets our ACK). */
			seg->dlen = 0;
			seg->len = 0;
			fl &= (uint8_t)~TCP_FIN;
			c->flags |= TF_ACKNOW;
		} else if (fl & TCP_RST) {
			tcp_stats.drop_rst_out_of_window++;
			goto drop;
		} else {
			tcp_stats.drop_out_of_window++;
			/* The peer's FIN again in TIME_WAIT: restart 2*MSL. */
			if (c->state == TCP_TIME_WAIT && (fl & TCP_FIN))
				tcp_timer_set(c, TCP_T_2MSL, now + 2ull * tcp_settings.msl_ms);
			if (fl & TCP_SYN) {
				tcp_stats.syn_in_synchronized++;
				goto drop_with_challenge;
			}
			goto drop_after_ack;
		}
	}
	c->last_rx_ms = now;
	c->persist_unanswered = 0;
	c->keep_probes = 0;

	/* Second: RST (RFC 5961 3.2). Exactly at RCV.NXT resets; anywhere
	 * else in the window earns a challenge ACK, since a blind attacker
	 * cannot know RCV.NXT but the real peer answers it with a RST that is. */
	if (fl & TCP_RST) {
		if (seg->seq != c->rcv_nxt)
			goto drop_with_challenge;
		tcp_stats.rst_in++;
		switch (c->state) {
		case TCP_SYN_RECEIVED:
			/* Passive: back to LISTEN, which for us means the child
			 * goes; active (simultaneous open): refused. */
			tcp_conn_closed(c, (c->flags & TF_PASSIVE) ? NET_ECONNRESET : NET_ECONNREFUSED);
			return;
		case TCP_ESTABLISHED:
		case TCP_FIN_WAIT_1:
		case TCP_FIN_WAIT_2:
		case TCP_CLOSE_WAIT:
			tcp_stats.resets_by_peer++;
			tcp_conn_closed(c, NET_ECONNRESET);
			return;
		default: /* CLOSING, LAST_ACK, TIME_WAIT */
			tcp_conn_closed(c, NET_OK);
			return;
		}
	}

	/* Fourth: a SYN in a synchronized state (RFC 5961 4.2): challenge
	 * ACK, whatever its sequence number. */
	if (fl & TCP_SYN) {
		tcp_stats.syn_in_synchronized++;
		goto drop_with_challenge;
	}

	/* Fifth: the ACK field. */
	if (!(fl & TCP_ACK_FLAG)) {
		tcp_stats.drop_no_ack++;
		goto drop;
	}
	if (c->state == TCP_SYN_RECEIVED) {
		if (!SEQ_GT(h->ack, c->snd_una) || SEQ_GT(h->ack, c->snd_max)) {
			tcp_stats.drop_bad_synack++;
			goto drop_with_reset;
		}
		c->snd_wnd = syn_ack_in_syn_received ? h->wnd : (uint32_t)h->wnd << c->snd_wscale;
		if (c->snd_wnd > c->max_sndwnd)
			c->max_sndwnd = c->snd_wnd;
		c->snd_wl1 = seg->seq;
		c->snd_wl2 = h->ack;
		if ((c->flags & TF_RTT_TIMING) && SEQ_GT(h->ack, c->rtt_seq)) {
			c->flags &= ~TF_RTT_TIMING;
			tcp_rtt_sample(c, now - c->rtt_start_ms);
		}
		tcp_cc_init(c);
		tcp_stats.established++;
		tcp_conn_set_state(c, (c->flags & TF_FIN_QUEUED) ? TCP_FIN_WAIT_1 : TCP_ESTABLISHED);
		if ((c->flags & TF_PASSIVE) && c->listener && !tcp_conn_accept_ready(c, now))
			return; /* the accept queue was full: reset and freed */
		tcp_timer_keep_arm(c, now);
	}

	/* RFC 5961 5.2: acceptable only in [SND.UNA - MAX.SND.WND, SND.NXT]
	 * (SND.NXT being our snd_max). */
	if (SEQ_GT(h->ack, c->snd_max)) {
		tcp_stats.drop_ack_too_new++;
		goto drop_after_ack;
	}
	if (SEQ_LT(h->ack, c->snd_una - c->max_sndwnd)) {
		tcp_stats.drop_ack_too_old++;
		goto drop_with_challenge;
	}
	uint32_t seg_wnd = syn_ack_in_syn_received ? h->wnd : (uint32_t)h->wnd << c->snd_wscale;
	if (SEQ_LEQ(h->ack, c->snd_una)) {
		/* RFC 5681 2: a duplicate ACK carries no text, no SYN or FIN,
		 * acknowledges nothing new, leaves the window alone, and comes
		 * while data is outstanding. The ACK of a zero-window probe
		 * is none: no loss, nothing to retransmit (BSD too). */
		if (h->ack == c->snd_una && seg->dlen == 0 && !(fl & TCP_FIN) && seg_wnd == c->snd_wnd &&
		    SEQ_GT(c->snd_max, c->snd_una) && !c->timer[TCP_T_PERSIST])
			tcp_cc_dupack(c, now);
	} else {
		uint32_t acked = h->ack - c->snd_una;
		uint32_t seq0 = tcp_snd_seq0(c);
		uint32_t data_end = seq0 + c->sndbuf.len;
		bool fin_acked = (c->flags & TF_FIN_QUEUED) && SEQ_GT(h->ack, data_end);
		uint32_t data_acked = SEQ_GT(h->ack, data_end) ? c->sndbuf.len
				      : SEQ_GT(h->ack, seq0)     ? h->ack - seq0
								 : 0;
		/* Karn's rule: the timed segment was sent once, so its ACK
		 * measures a round trip (RFC 6298 3). */
		if ((c->flags & TF_RTT_TIMING) && SEQ_GT(h->ack, c->rtt_seq)) {
			c->flags &= ~TF_RTT_TIMING;
			tcp_rtt_sample(c, now - c->rtt_start_ms);
		}
		tcp_ring_consume(&c->sndbuf, data_acked);
		c->snd_una = h->ack;
		c->flags |= TF_SYN_ACKED;
		if (SEQ_LT(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		tcp_cc_newack(c, acked, now);
		/* RFC 6298 5.2, 5.3: stop the timer when all is acknowledged,
		 * else restart it (a partial ACK in recovery just did). */
		if (c->snd_una == c->snd_max)
			tcp_timer_stop(c, TCP_T_REXMT);
		else if (!(c->flags & TF_RECOVERY))
			tcp_timer_rexmt_arm(c, now);
		if (data_acked)
			sys_wake(c->wait);
		if (fin_acked) {
			c->flags |= TF_FIN_ACKED;
			if (tcp_in_fin_acked(c, now))
				return; /* LAST_ACK done: the connection is gone */
		}
	}
	/* The send window (fifth step, ESTABLISHED): from the newest segment
	 * only, as SND.WL1/SND.WL2 order them. */
	if (SEQ_LT(c->snd_wl1, seg->seq) || (c->snd_wl1 == seg->seq && SEQ_LEQ(c->snd_wl2, h->ack))) {
		c->snd_wnd = seg_wnd;
		c->snd_wl1 = seg->seq;
		c->snd_wl2 = h->ack;
		if (seg_wnd > c->max_sndwnd)
			c->max_sndwnd = seg_wnd;
		if (seg_wnd && c->timer[TCP_T_PERSIST]) {
			/* The window opened: stop probing and send normally,
			 * from snd_una (a probe byte not acknowledged goes
			 * again with the rest). */
			tcp_timer_stop(c, TCP_T_PERSIST);
			c->persist_shift = 0;
			c->snd_nxt = c->snd_una;
		}
	}

	/* Sixth (URG) is not supported: urgent data is delivered inline.
	 * Seventh and eighth: text and FIN. */
	switch (c->state) {
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
		if (seg->dlen && !(c->flags & TF_APP) && !c->listener) {
			/* RFC 1122 4.2.2.13: text after the application closed
			 * cannot be delivered; say so with a RST. */
			tcp_stats.drop_after_close++;
			tcp_send_rst(c);
			tcp_conn_closed(c, NET_ECONNRESET);
			return;
		}
		tcp_in_text(c, seg, now);
		break;
	case TCP_TIME_WAIT:
		/* The peer's FIN again: acknowledge, and restart 2*MSL. */
		if (fl & TCP_FIN) {
			c->flags |= TF_ACKNOW;
			tcp_timer_set(c, TCP_T_2MSL, now + 2ull * tcp_settings.msl_ms);
		}
		break;
	default:
		/* CLOSE_WAIT, CLOSING, LAST_ACK: the FIN is in; text and FIN
		 * again are only acknowledged. */
		if (seg->len)
			c->flags |= TF_ACKNOW;
		break;
	}
	tcp_output(c, now);
	return;

drop_with_challenge:
	tcp_send_challenge_ack(c, now);
	return;
drop_after_ack:
	tcp_send_ack_limited(c, now);
	return;
drop_with_reset:
	tcp_respond_rst(seg);
	return;
drop:
	return;
}

void tcp_input(struct netif *nif, struct netbuf *nb, const struct ipv4_hdr *ih)
{
	uint64_t now = nb->rx_time_ms ? nb->rx_time_ms : sys_now_ms();
	struct tcp_seg seg;

	tcp_stats.segs_in++;
	/* The validation ladder: one reason, one counter. */
	switch (tcp_hdr_parse(nb->data, nb->len, &seg.h)) {
	case TCP_PARSE_OK:
		break;
	case TCP_PARSE_SHORT:
		tcp_stats.drop_short++;
		goto drop;
	case TCP_PARSE_HLEN:
		tcp_stats.drop_bad_hlen++;
		goto drop;
	case TCP_PARSE_OPTLEN:
		tcp_stats.drop_bad_options++;
		goto drop;
	}
	if (!csum_verified(tcp_checksum(ih->src, ih->dst, nb->data, nb->len))) {
		tcp_stats.drop_bad_checksum++;
		goto drop;
	}
	/* RFC 9293 3.9.1 / RFC 1122 4.2.3.10: TCP is unicast only. Our own
	 * address as the source on a real link is spoofed (the land attack:
	 * a SYN from ourselves would open a connection to ourselves). */
	if ((nb->flags & (NETBUF_F_BROADCAST | NETBUF_F_MULTICAST)) || ipv4_is_broadcast(nif, ih->dst) ||
	    ipv4_is_multicast(ih->dst) || ih->src == 0 || ipv4_is_broadcast(nif, ih->src) ||
	    ipv4_is_multicast(ih->src) || (ih->src == nif->ip && !nif->is_loopback)) {
		tcp_stats.drop_bad_addr++;
		goto drop;
	}
	seg.src = ih->src;
	seg.dst = ih->dst;
	seg.seq = seg.h.seq;
	seg.data = nb->data + seg.h.hlen;
	seg.dlen = (uint32_t)(nb->len - seg.h.hlen);
	seg.len = seg.dlen + ((seg.h.flags & TCP_SYN) ? 1 : 0) + ((seg.h.flags & TCP_FIN) ? 1 : 0);

	struct tcp_conn *c = tcp_conn_lookup(seg.dst, seg.h.dport, seg.src, seg.h.sport);
	if (!c)
		c = tcp_listener_lookup(seg.dst, seg.h.dport);
	if (!c) {
		/* RFC 9293 3.10.7.1: no connection, so reset. */
		tcp_stats.drop_no_conn++;
		tcp_respond_rst(&seg);
		goto drop;
	}
	c->segs_in++;
	switch (c->state) {
	case TCP_LISTEN:
		tcp_in_listen(c, &seg, now, NULL);
		break;
	case TCP_SYN_SENT:
		tcp_in_syn_sent(c, &seg, now);
		break;
	default:
		tcp_in_synchronized(c, &seg, now);
		break;
	}
drop:
	netbuf_free(nb);
}
