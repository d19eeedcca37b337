/* Congestion control: RFC 5681 (slow start, congestion avoidance, fast
 * retransmit) with the NewReno modification of fast recovery (RFC 6582). */
#include "net/tcp_cc.h"

#include "net/tcp_out.h"
#include "net/tcp_timer.h"

enum {
	TCP_CWND_MAX = (uint32_t)TCP_WIN_MAX << TCP_WSCALE_MAX,
	TCP_RTO_SYN_LOST_MS = 3000, /* RFC 6298 5.7 */
};

/* ssthresh after a loss (RFC 5681 eq. 4): max(FlightSize / 2, 2 * SMSS). */
static uint32_t tcp_cc_half_flight(const struct tcp_conn *c)
{
	uint32_t flight = c->snd_max - c->snd_una;
	uint32_t half = flight / 2;
	uint32_t floor = 2u * c->snd_mss;
	return half > floor ? half : floor;
}

void tcp_cc_init(struct tcp_conn *c)
{
	uint32_t mss = c->snd_mss;

	/* RFC 5681 3.1: IW = 4380 bytes clamped to 2..4 segments; one
	 * segment if the SYN or SYN-ACK was lost. Then no RTT was measured
	 * (Karn) and the RTO that expired may be too short for this path:
	 * RFC 6298 5.7 starts the data at an RTO of 3 s, not backed off. */
	if (c->flags & TF_SYN_REXMT) {
		c->cwnd = mss;
		if (c->rto_ms < TCP_RTO_SYN_LOST_MS)
			c->rto_ms = TCP_RTO_SYN_LOST_MS;
		c->rxtshift = 0;
	} else {
		uint32_t iw = 4380;
		if (iw > 4 * mss)
			iw = 4 * mss;
		if (iw < 2 * mss)
			iw = 2 * mss;
		c->cwnd = iw;
	}
	c->ssthresh = TCP_CWND_MAX; /* "arbitrarily high" at first */
	c->dupacks = 0;
	c->flags &= ~TF_RECOVERY;
}

void tcp_cc_newack(struct tcp_conn *c, uint32_t acked, uint64_t now)
{
	uint32_t mss = c->snd_mss;

	if (c->flags & TF_RECOVERY) {
		if (SEQ_GT(c->snd_una, c->recover)) {
			/* RFC 6582 3.2 step 3, full ACK: deflate to
			 * min(ssthresh, max(FlightSize, SMSS) + SMSS). */
			uint32_t flight = c->snd_max - c->snd_una;
			uint32_t w = (flight > mss ? flight : mss) + mss;
			c->cwnd = w < c->ssthresh ? w : c->ssthresh;
			c->flags &= ~TF_RECOVERY;
			c->dupacks = 0;
			return;
		}
		/* Partial ACK: the next hole is lost too. Retransmit it,
		 * deflate cwnd by what was acknowledged, add back one SMSS if
		 * that was at least one (step 4); the timer restarts with it
		 * ("Slow-but-Steady", RFC 6582 4.1). */
		tcp_stats.partial_acks++;
		tcp_output_rexmt_first(c, now);
		c->cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
		if (acked >= mss)
			c->cwnd += mss;
		if (c->cwnd < mss)
			c->cwnd = mss;
		return;
	}
	c->dupacks = 0;
	/* Grow only a window that was in use (RFC 7661 in spirit): an
	 * application sending little must not earn a huge cwnd to burst
	 * with later. */
	uint32_t flight_before = c->snd_max - c->snd_una + acked;
	if (flight_before + mss < c->cwnd)
		return;
	if (c->cwnd <= c->ssthresh) {
		/* Slow start (RFC 5681 eq. 2): at most one SMSS per ACK. */
		c->cwnd += acked < mss ? acked : mss;
	} else {
		/* Congestion avoidance (eq. 3): about one SMSS per RTT. */
		uint32_t inc = (uint32_t)((uint64_t)mss * mss / c->cwnd);
		c->cwnd += inc ? inc : 1;
	}
	if (c->cwnd > TCP_CWND_MAX)
		c->cwnd = TCP_CWND_MAX;
}

void tcp_cc_dupack(struct tcp_conn *c, uint64_t now)
{
	tcp_stats.dupacks_in++;
	c->dupacks++;
	if (c->flags & TF_RECOVERY) {
		/* RFC 6582 3.2 step 5 (RFC 5681 3.2 step 4): each further
		 * duplicate means a segment left the network. */
		c->cwnd += c->snd_mss;
		return;
	}
	if (c->dupacks != TCP_DUPACK_THRESH)
		return;
	/* RFC 6582 3.2 step 2: only if the ACK covers recover, so that
	 * duplicates of one window's losses start one recovery, not several.
	 * (recover is the highest sequence number sent when the last
	 * recovery or timeout began.) */
	if (!SEQ_GT(c->snd_una, c->recover))
		return;
	tcp_stats.fast_retransmits++;
	c->ssthresh = tcp_cc_half_flight(c);
	c->recover = c->snd_max - 1;
	c->flags |= TF_RECOVERY;
	tcp_output_rexmt_first(c, now);
	c->cwnd = c->ssthresh + TCP_DUPACK_THRESH * c->snd_mss;
}

void tcp_cc_rto(struct tcp_conn *c)
{
	/* Eq. 4 on the first timeout only: after that FlightSize counts
	 * retransmissions, and ssthresh stays. */
	if (c->rxtshift == 1)
		c->ssthresh = tcp_cc_half_flight(c);
	c->cwnd = c->snd_mss; /* the loss window, one segment */
	c->recover = c->snd_max - 1; /* RFC 6582 4: no fast retransmit on this window */
	c->flags &= ~TF_RECOVERY;
	c->dupacks = 0;
}
