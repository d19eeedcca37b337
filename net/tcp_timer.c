/* TCP timers: retransmission (RFC 6298, with Karn's rule and exponential
 * backoff), persist (RFC 9293 3.8.6.1), delayed ACK (3.8.6.3), keepalive
 * (3.8.4) and TIME_WAIT (3.10.7.4, 2*MSL). One deadline per timer per
 * connection; a table maps each timer to its handler. */
#include "net/tcp_timer.h"

#include "net/err.h"
#include "net/sys.h"
#include "net/tcp_cc.h"
#include "net/tcp_out.h"
#include "net/trace.h"

const char *const tcp_timer_name[TCP_T_COUNT] = {
	[TCP_T_REXMT] = "rexmt",
	[TCP_T_PERSIST] = "persist",
	[TCP_T_DELACK] = "delack",
	[TCP_T_KEEP] = "keepalive",
	[TCP_T_2MSL] = "2msl",
};

/* RTO multipliers for 0, 1, 2... timeouts in a row (RFC 6298 5.5: double
 * each time; the clamp to rto_max ends the growth). */
static const uint32_t tcp_backoff[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024 };
enum { TCP_BACKOFF_N = sizeof tcp_backoff / sizeof tcp_backoff[0] };

static uint32_t tcp_backed_off(uint32_t base, uint32_t shift)
{
	uint64_t t = (uint64_t)base * tcp_backoff[shift < TCP_BACKOFF_N ? shift : TCP_BACKOFF_N - 1];
	if (t < tcp_settings.rto_min_ms)
		t = tcp_settings.rto_min_ms;
	if (t > tcp_settings.rto_max_ms)
		t = tcp_settings.rto_max_ms;
	return (uint32_t)t;
}

uint32_t tcp_rto_current(const struct tcp_conn *c)
{
	return tcp_backed_off(c->rto_ms, c->rxtshift);
}

void tcp_timer_rexmt_arm(struct tcp_conn *c, uint64_t now)
{
	tcp_timer_set(c, TCP_T_REXMT, now + tcp_rto_current(c));
}

void tcp_timer_persist_arm(struct tcp_conn *c, uint64_t now)
{
	tcp_timer_set(c, TCP_T_PERSIST, now + tcp_backed_off(c->rto_ms, c->persist_shift));
}

void tcp_timer_delack_arm(struct tcp_conn *c, uint64_t now)
{
	if (!c->timer[TCP_T_DELACK])
		tcp_timer_set(c, TCP_T_DELACK, now + tcp_settings.delack_ms);
}

void tcp_timer_keep_arm(struct tcp_conn *c, uint64_t now)
{
	if (c->flags & TF_KEEPALIVE)
		tcp_timer_set(c, TCP_T_KEEP, now + tcp_settings.keep_idle_ms);
	else
		tcp_timer_stop(c, TCP_T_KEEP);
}

void tcp_timer_stop_all(struct tcp_conn *c)
{
	for (int t = 0; t < TCP_T_COUNT; t++)
		c->timer[t] = 0;
}

void tcp_rtt_sample(struct tcp_conn *c, uint64_t rtt_ms)
{
	uint64_t r64 = rtt_ms * 1000;
	uint32_t r = r64 > 0x7fffffffu ? 0x7fffffffu : (uint32_t)r64;

	if (c->srtt_us == 0 && c->rttvar_us == 0) {
		/* 2.2: the first measurement. */
		c->srtt_us = r;
		c->rttvar_us = r / 2;
	} else {
		/* 2.3: RTTVAR <- 3/4 RTTVAR + 1/4 |SRTT - R'|,
		 *      SRTT <- 7/8 SRTT + 1/8 R' (RTTVAR first, with the old SRTT). */
		uint32_t delta = c->srtt_us > r ? c->srtt_us - r : r - c->srtt_us;
		c->rttvar_us = (uint32_t)(((uint64_t)c->rttvar_us * 3 + delta) / 4);
		c->srtt_us = (uint32_t)(((uint64_t)c->srtt_us * 7 + r) / 8);
	}
	/* RTO <- SRTT + max(G, 4 * RTTVAR), rounded up to whole ms. */
	uint64_t k = 4ull * c->rttvar_us;
	uint64_t rto_us = c->srtt_us + (k > TCP_RTT_G_US ? k : TCP_RTT_G_US);
	uint64_t rto_ms = (rto_us + 999) / 1000;
	if (rto_ms < tcp_settings.rto_min_ms)
		rto_ms = tcp_settings.rto_min_ms;
	if (rto_ms > tcp_settings.rto_max_ms)
		rto_ms = tcp_settings.rto_max_ms;
	c->rto_ms = (uint32_t)rto_ms;
	c->rxtshift = 0;
	if (net_trace_on()) {
		struct net_trace_event ev = { .kind = NET_TRACE_TCP_RTT, .rtt_us = r };
		tcp_trace(c, &ev);
	}
}

/* Retransmission timeout (RFC 6298 5.4-5.6; RFC 9293 3.8.3 R2 as the
 * retry limit; RFC 5681 3.1 for cwnd). */
static void tcp_timer_rexmt(struct tcp_conn *c, uint64_t now)
{
	bool syn = c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED;
	uint32_t limit = c->state == TCP_SYN_SENT       ? tcp_settings.syn_retries
			 : c->state == TCP_SYN_RECEIVED ? tcp_settings.synack_retries
							: tcp_settings.max_retries;

	if (c->rxtshift >= limit) {
		tcp_stats.timeouts++;
		if (!syn)
			tcp_send_rst(c);
		/* A soft error seen meanwhile (host unreachable) says more. */
		tcp_conn_closed(c, c->soft_error ? c->soft_error : NET_ETIMEDOUT);
		return;
	}
	c->rxtshift++;
	tcp_stats.rto_expired++;
	c->flags &= ~TF_RTT_TIMING; /* Karn: nothing sent twice is timed */
	if (syn) {
		c->flags |= TF_SYN_REXMT;
		c->snd_nxt = c->iss;
	} else {
		tcp_cc_rto(c);
		c->snd_nxt = c->snd_una; /* go back: resend from the oldest unacknowledged */
	}
	tcp_output(c, now); /* re-arms the timer with the backed-off RTO */
	if (!c->timer[TCP_T_REXMT] && !c->timer[TCP_T_PERSIST] && SEQ_GT(c->snd_max, c->snd_una))
		tcp_timer_rexmt_arm(c, now);
}

/* Zero-window probe: one byte (or the FIN) past the window, forced. */
static void tcp_timer_persist(struct tcp_conn *c, uint64_t now)
{
	if (c->persist_unanswered >= tcp_settings.max_retries) {
		tcp_stats.timeouts++;
		tcp_conn_closed(c, NET_ETIMEDOUT);
		return;
	}
	c->persist_unanswered++;
	tcp_stats.persist_probes++;
	if (c->persist_shift + 1 < TCP_BACKOFF_N)
		c->persist_shift++;
	/* The next probe, set first so that the probe sent now does not
	 * start the retransmission timer. */
	tcp_timer_persist_arm(c, now);
	c->snd_nxt = c->snd_una;
	c->flags |= TF_FORCE;
	tcp_output(c, now);
	c->flags &= ~TF_FORCE;
	/* A window that was small but open took the data: from here the
	 * retransmission timer watches it. */
	if (c->snd_wnd != 0 && SEQ_GT(c->snd_max, c->snd_una)) {
		tcp_timer_stop(c, TCP_T_PERSIST);
		if (!c->timer[TCP_T_REXMT])
			tcp_timer_rexmt_arm(c, now);
	}
}

static void tcp_timer_delack(struct tcp_conn *c, uint64_t now)
{
	if (!(c->flags & TF_DELACK))
		return;
	tcp_stats.delayed_acks++;
	tcp_send_ack(c, now);
}

static void tcp_timer_keep(struct tcp_conn *c, uint64_t now)
{
	if (!(c->flags & TF_KEEPALIVE))
		return;
	if (c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT && c->state != TCP_FIN_WAIT_2)
		return;
	uint64_t idle = now - c->last_rx_ms;
	if (c->keep_probes == 0 && idle < tcp_settings.keep_idle_ms) {
		/* The peer spoke since the timer was set: wait from then. */
		tcp_timer_set(c, TCP_T_KEEP, c->last_rx_ms + tcp_settings.keep_idle_ms);
		return;
	}
	if (c->keep_probes >= tcp_settings.keep_count) {
		tcp_stats.keepalive_timeouts++;
		tcp_conn_closed(c, NET_ETIMEDOUT);
		return;
	}
	c->keep_probes++;
	tcp_send_keepalive(c, now);
	tcp_timer_set(c, TCP_T_KEEP, now + tcp_settings.keep_intvl_ms);
}

/* TIME_WAIT is over (or an orphan waited too long in FIN_WAIT_2). */
static void tcp_timer_2msl(struct tcp_conn *c, uint64_t now)
{
	(void)now;
	if (c->state == TCP_FIN_WAIT_2)
		tcp_stats.timeouts++;
	tcp_conn_closed(c, NET_OK);
}

static void (*const tcp_timer_handler[TCP_T_COUNT])(struct tcp_conn *c, uint64_t now) = {
	[TCP_T_REXMT] = tcp_timer_rexmt,
	[TCP_T_PERSIST] = tcp_timer_persist,
	[TCP_T_DELACK] = tcp_timer_delack,
	[TCP_T_KEEP] = tcp_timer_keep,
	[TCP_T_2MSL] = tcp_timer_2msl,
};

void tcp_timer_tick(uint64_t now)
{
	for (int i = 0; i < TCP_CONN_MAX; i++) {
		struct tcp_conn *c = tcp_conns[i];
		for (int t = 0; c && t < TCP_T_COUNT; t++) {
			if (!c->timer[t] || c->timer[t] > now)
				continue;
			c->timer[t] = 0;
			tcp_timer_handler[t](c, now);
			/* The handler may have freed the connection. */
			if (tcp_conns[i] != c)
				break;
		}
	}
}

uint64_t tcp_timer_next(void)
{
	uint64_t next = UINT64_MAX;

	for (int i = 0; i < TCP_CONN_MAX; i++) {
		const struct tcp_conn *c = tcp_conns[i];
		if (!c)
			continue;
		for (int t = 0; t < TCP_T_COUNT; t++)
			if (c->timer[t] && c->timer[t] < next)
				next = c->timer[t];
	}
	return next;
}
