/* TCP as a state x segment matrix (RFC 9293 3.10.7): the handshake both
 * ways and its failures, closing in every order, RST and SYN in every
 * state with the RFC 5961 defences, malformed segments, listeners under
 * a SYN flood, ICMP errors. */
#include "net/trace.h"
#include "tests/unit/tcp/tcp_fixture.h"

/* ---- opening ---- */

static void test_syn_carries_mss_and_window_scale(void)
{
	struct tcp_conn *c = tcp_fixture_syn_sent();

	CHECK(fx_got.opts.mss_ok);
	CHECK_EQ_INT(fx_got.opts.mss, 1460);     /* MTU 1500 - 40 */
	CHECK(fx_got.opts.ws_ok);
	CHECK_EQ_INT(fx_got.opts.ws, 3);         /* 256 KiB needs a shift of 3 */
	CHECK_EQ_INT(fx_got.wnd, 65535);         /* unscaled in a SYN */
	CHECK_EQ_INT(fx_got.sport, LPORT);
	CHECK_EQ_INT(fx_got.dport, RPORT);
	CHECK_EQ_INT(tcp_conn_state(c), TCP_SYN_SENT);
	fx_tcp_end(c, NULL);
}

static void test_handshake_active(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	/* The window we advertise is scaled: 256 KiB >> 3 = 32768, so the
	 * peer may send more than 64 KiB. */
	CHECK_EQ_INT(fx_got.wnd, 32768);
	CHECK(((uint32_t)fx_got.wnd << 3) > 65535);
	CHECK_EQ_INT(c->snd_mss, PEER_MSS);      /* honoured */
	CHECK_EQ_INT(c->snd_wscale, PEER_WS);
	CHECK_EQ_INT(c->rcv_wscale, 3);
	CHECK_EQ_INT(c->snd_una, L + 1);
	CHECK_EQ_INT(c->rcv_nxt, R + 1);
	CHECK_EQ_INT(c->srtt_us, RTT_MS * 1000); /* the SYN was timed */
	/* IW: min(4 * 1000, max(2 * 1000, 4380)) = 4000. */
	CHECK_EQ_INT(c->cwnd, 4000);
	CHECK(tcp_conn_wait(c)->wakes > 0);
	fx_tcp_end(c, NULL);
}

static void test_handshake_no_options_means_536_and_no_scaling(void)
{
	struct tcp_conn *c = tcp_fixture_syn_sent();

	fx_peer(SEG(.seq = R, .ack = L + 1, .flags = SYN | ACK, .wnd = 5000));
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	CHECK_EQ_INT(c->snd_mss, TCP_MSS_DEFAULT);
	CHECK_EQ_INT(c->snd_wscale, 0);
	CHECK_EQ_INT(c->rcv_wscale, 0);
	CHECK_EQ_INT(fx_got.wnd, 65535); /* unscaled: capped at 64 KiB - 1 */
	CHECK_EQ_INT(c->snd_wnd, 5000);
	fx_tcp_end(c, NULL);
}

static void test_syn_lost_backoff_then_timeout(void)
{
	struct tcp_conn *c = tcp_fixture_syn_sent();
	/* RFC 6298: initial RTO 1 s, doubled on each timeout up to 60 s;
	 * RFC 9293 MUST-23: a SYN is retried for at least 3 minutes. */
	static const uint64_t gaps[] = { 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000 };

	for (size_t i = 0; i < sizeof gaps / sizeof gaps[0]; i++) {
		fx_advance(gaps[i] - 1);
		EXPECT_NOTHING();
		fx_advance(1);
		EXPECT_SEG(L, 0, SYN, 0);
	}
	CHECK_EQ_INT(c->retransmits, 8);
	fx_advance(60000); /* the ninth timeout, 183 s in: syn_retries (8) used up */
	EXPECT_NOTHING();
	CHECK_EQ_INT(tcp_conn_state(c), TCP_CLOSED);
	CHECK_EQ_INT(tcp_conn_error(c), NET_ETIMEDOUT);
	CHECK_EQ_INT(tcp_conn_send(c, "x", 1), NET_ETIMEDOUT);
	fx_tcp_end(c, NULL);
}

static void test_lost_syn_then_established_uses_iw_one_and_no_sample(void)
{
	struct tcp_conn *c = tcp_fixture_syn_sent();

	fx_advance(1000);
	EXPECT_SEG(L, 0, SYN, 0);
	fx_advance(50);
	fx_peer(SEG(.seq = R, .ack = L + 1, .flags = SYN | ACK, .mss = PEER_MSS));
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	CHECK_EQ_INT(c->srtt_us, 0);      /* Karn: the SYN went twice */
	CHECK_EQ_INT(c->cwnd, PEER_MSS);  /* RFC 5681 3.1: IW 1 after a lost SYN */
	fx_tcp_end(c, NULL);
}

static void test_bad_synack_ack_gets_reset(void)
{
	struct tcp_conn *c = tcp_fixture_syn_sent();

	fx_peer(SEG(.seq = R, .ack = L + 7, .flags = SYN | ACK));
	EXPECT_SEG(L + 7, 0, RST, 0); /* <SEQ=SEG.ACK><CTL=RST> */
	CHECK_EQ_INT(tcp_conn_state(c), TCP_SYN_SENT);
	fx_peer(SEG(.seq = R, .ack = L, .flags = SYN | ACK)); /* acks nothing */
	EXPECT_SEG(L, 0, RST, 0);
	CHECK_EQ_INT(tcp_stats.drop_bad_synack, 2);
	/* The right one still works. */
	fx_peer(SEG(.seq = R, .ack = L + 1, .flags = SYN | ACK));
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	CHECK_EQ_INT(tcp_conn_state(c), TCP_ESTABLISHED);
	fx_tcp_end(c, NULL);
}

static void test_rst_in_syn_sent(void)
{
	struct tcp_conn *c = tcp_fixture_syn_sent();

	fx_peer(SEG(.seq = 0, .flags = RST)); /* no ACK: ignored */
	CHECK_EQ_INT(tcp_conn_state(c), TCP_SYN_SENT);
	fx_peer(SEG(.seq = 0, .ack = L + 5, .flags = RST | ACK)); /* unacceptable ACK: ignored */
	EXPECT_NOTHING();
	CHECK_EQ_INT(tcp_conn_state(c), TCP_SYN_SENT);
	fx_peer(SEG(.seq = 0, .ack = L + 1, .flags = RST | ACK)); /* refused */
	EXPECT_NOTHING();
	CHECK_EQ_INT(tcp_conn_state(c), TCP_CLOSED);
	CHECK_EQ_INT(tcp_conn_error(c), NET_ECONNREFUSED);
	CHECK_EQ_INT(tcp_conn_recv(c, fx_rx_data, 1), NET_ECONNREFUSED);
	fx_tcp_end(c, NULL);
}

static void test_handshake_passive(void)
{
	struct tcp_conn *l;
	struct tcp_conn *child = tcp_fixture_syn_received(&l);

	CHECK(child != NULL);
	CHECK(fx_got.opts.mss_ok && fx_got.opts.mss == 1460);
	CHECK(fx_got.opts.ws_ok && fx_got.opts.ws == 3); /* answered because offered */
	CHECK_EQ_INT(l->half_open, 1);
	CHECK(tcp_conn_accept(l) == NULL); /* not yet established */
	fx_peer(SEG(.seq = R + 1, .ack = L + 1, .flags = ACK, .data = "GET", .len = 3));
	struct tcp_conn *c = tcp_conn_accept(l);
	CHECK(c == child);
	CHECK_EQ_INT(tcp_conn_state(c), TCP_ESTABLISHED);
	CHECK_EQ_INT(tcp_conn_readable(c), 3); /* text with the handshake's ACK */
	CHECK_EQ_INT(l->half_open, 0);
	CHECK_EQ_INT(l->accept_count, 0);
	CHECK(tcp_conn_wait(l)->wakes > 0);
	fx_tcp_end(c, l);
}

static void test_syn_without_window_scale_gets_none(void)
{
	struct tcp_conn *l = tcp_fixture_listen();
	fx_peer(SEG(.seq = R, .flags = SYN, .mss = 1200));
	EXPECT_SEG(L, R + 1, SYN | ACK, 0);
	CHECK(!fx_got.opts.ws_ok);
	CHECK_EQ_INT(fx_conn()->snd_mss, 1200);
	fx_tcp_end(l, NULL); /* closing the listener takes the child along */
}

static void test_synack_lost_resent_on_timer_and_on_syn(void)
{
	struct tcp_conn *l;

	tcp_fixture_syn_received(&l);
	fx_advance(999);
	EXPECT_NOTHING();
	fx_advance(1);
	EXPECT_SEG(L, R + 1, SYN | ACK, 0); /* the timer */
	fx_peer(SEG(.seq = R, .flags = SYN, .mss = PEER_MSS));
	EXPECT_SEG(L, R + 1, SYN | ACK, 0); /* the peer's SYN again */
	CHECK_EQ_INT(tcp_conn_count(), 2);
	/* Unanswered, the child gives up after synack_retries and goes. */
	fx_run(200000);
	int synacks = 0;
	while (fx_pop_seg(&fx_got))
		synacks++;
	CHECK_EQ_INT(synacks, 4); /* the fifth retransmission by the timer */
	CHECK_EQ_INT(tcp_conn_count(), 1);
	CHECK_EQ_INT(l->half_open, 0);
	fx_tcp_end(l, NULL);
}

static void test_no_listener_gets_reset(void)
{
	fx_tcp_setup();
	fx_peer(SEG(.seq = R, .flags = SYN, .dport = 81));
	EXPECT_SEG(0, R + 1, RST | ACK, 0); /* <SEQ=0><ACK=SEG.SEQ+SEG.LEN> */
	fx_peer(SEG(.seq = R, .ack = 1234, .flags = ACK, .dport = 81, .data = "xy", .len = 2));
	EXPECT_SEG(1234, 0, RST, 0);         /* <SEQ=SEG.ACK> */
	fx_peer(SEG(.seq = R, .flags = RST, .dport = 81));
	EXPECT_NOTHING();                    /* never a RST for a RST */
	fx_peer(SEG(.seq = R, .flags = FIN, .dport = 81, .data = "abc", .len = 3));
	EXPECT_SEG(0, R + 4, RST | ACK, 0);  /* SEG.LEN counts the FIN */
	CHECK_EQ_INT(tcp_stats.drop_no_conn, 4);
	fx_tcp_end(NULL, NULL);
}

/* A flood to closed ports draws at most TCP_RST_PER_SECOND_MAX RSTs a
 * second; the rest are counted, and the budget comes back a second on. */
static void test_rst_rate_limited(void)
{
	fx_tcp_setup();
	for (int i = 0; i < TCP_RST_PER_SECOND_MAX + 50; i++)
		fx_peer(SEG(.seq = R + (uint32_t)i, .flags = SYN, .dport = 81));
	CHECK_EQ_INT(fx_tx_pending(), TCP_RST_PER_SECOND_MAX);
	CHECK_EQ_INT(tcp_stats.rst_out, TCP_RST_PER_SECOND_MAX);
	CHECK_EQ_INT(tcp_stats.rst_rate_limited, 50);
	while (fx_tx_pending())
		netbuf_free(fx_pop());
	fx_advance(1000);
	fx_peer(SEG(.seq = R, .flags = SYN, .dport = 81));
	EXPECT_SEG(0, R + 1, RST | ACK, 0);
	fx_tcp_end(NULL, NULL);
}

static void test_listener_answers_ack_with_reset(void)
{
	struct tcp_conn *l = tcp_fixture_listen();

	fx_peer(SEG(.seq = R, .ack = 555, .flags = ACK));
	EXPECT_SEG(555, 0, RST, 0);
	fx_peer(SEG(.seq = R, .flags = RST));
	fx_peer(SEG(.seq = R, .flags = FIN));
	EXPECT_NOTHING();
	CHECK_EQ_INT(tcp_conn_count(), 1);
	fx_tcp_end(l, NULL);
}

static void test_simultaneous_open(void)
{
	struct tcp_conn *c = tcp_fixture_syn_sent();

	/* Our SYN and the peer's cross (RFC 9293 figure 7). */
	fx_peer(SEG(.seq = R, .flags = SYN, .mss = PEER_MSS, .ws = PEER_WS));
	EXPECT_SEG(L, R + 1, SYN | ACK, 0);
	CHECK_EQ_INT(tcp_conn_state(c), TCP_SYN_RECEIVED);
	fx_peer(SEG(.seq = R, .ack = L + 1, .flags = SYN | ACK, .mss = PEER_MSS, .ws = PEER_WS));
	CHECK_EQ_INT(tcp_conn_state(c), TCP_ESTABLISHED);
	CHECK_EQ_INT(c->snd_una, L + 1);
	CHECK_EQ_INT(c->rcv_nxt, R + 1);
	/* Data flows. */
	CHECK_EQ_INT(tcp_conn_send(c, "hello", 5), 5);
	fx_pop_seg(&fx_got); /* maybe an ACK first */
	if (fx_got.len == 0)
		fx_pop_seg(&fx_got);
	CHECK_EQ_INT(fx_got.seq, L + 1);
	CHECK_EQ_INT(fx_got.len, 5);
	fx_tcp_end(c, NULL);
}

static void test_syn_flood_is_bounded(void)
{
	struct tcp_conn *l = tcp_fixture_listen();

	for (int i = 0; i < 500; i++)
		fx_peer(SEG(.seq = R + (uint32_t)i * 77, .flags = SYN, .sport = (uint16_t)(1000 + i)));
	CHECK_EQ_INT(l->half_open, tcp_settings.syn_backlog);
	CHECK_EQ_INT(tcp_conn_count(), 1 + (int)tcp_settings.syn_backlog);
	CHECK_EQ_INT(tcp_stats.drop_syn_flood, 500 - tcp_settings.syn_backlog);
	fake_link_flush(&eth0);
	CHECK(fx_in_use() == 0);
	/* Half-open children time out and free their places. */
	fx_run(70000);
	fake_link_flush(&eth0);
	CHECK_EQ_INT(tcp_conn_count(), 1);
	CHECK_EQ_INT(l->half_open, 0);
	/* A real client still gets in. */
	fx_learn(PEER_IP, PEER_MAC); /* the ARP entry aged meanwhile */
	fx_peer(SEG(.seq = R, .flags = SYN));
	EXPECT_SEG(L, R + 1, SYN | ACK, 0);
	fx_tcp_end(l, NULL);
}

static void test_accept_backlog_is_bounded(void)
{
	struct tcp_conn *l = tcp_fixture_listen(); /* backlog 4 */

	for (int i = 0; i < 6; i++) {
		uint16_t port = (uint16_t)(2000 + i);
		fx_peer(SEG(.seq = R, .flags = SYN, .sport = port));
		if (fx_pop_seg(&fx_got))
			fx_peer(SEG(.seq = R + 1, .ack = L + 1, .flags = ACK, .sport = port));
	}
	CHECK_EQ_INT(l->accept_count, 4);
	CHECK_EQ_INT(tcp_stats.drop_listen_overflow, 2);
	struct tcp_conn *a = tcp_conn_accept(l);
	CHECK(a != NULL);
	fake_link_flush(&eth0);
	/* Closing the listener resets the four not accepted. */
	tcp_conn_close(l);
	int resets = 0;
	while (fx_pop_seg(&fx_got))
		resets += (fx_got.flags & RST) != 0;
	CHECK_EQ_INT(resets, 3);
	CHECK_EQ_INT(tcp_conn_count(), 1);
	fx_tcp_end(a, NULL);
}

/* ---- closing ---- */

static void test_active_close_and_time_wait(void)
{
	tcp_fixture_time_wait();
	struct tcp_conn *c = fx_conn();
	CHECK(c->sndbuf.buf == NULL && c->rcvbuf.buf == NULL); /* an orphan keeps no buffers */
	CHECK(tcp_conn_mem(c) == sizeof *c);
	/* 2 * MSL, MSL 30 s by default. */
	fx_advance(59999);
	CHECK_EQ_INT(tcp_conn_count(), 1);
	fx_advance(1);
	CHECK_EQ_INT(tcp_conn_count(), 0);
	EXPECT_NOTHING();
	fx_tcp_end(NULL, NULL);
}

static void test_time_wait_reacks_fin_and_restarts(void)
{
	tcp_fixture_time_wait();
	fx_advance(30000);
	fx_peer(SEG(.seq = R + 1, .ack = L + 2, .flags = FIN | ACK)); /* our ACK was lost */
	EXPECT_SEG(L + 2, R + 2, ACK, 0);
	fx_advance(59999);
	CHECK_EQ_INT(tcp_conn_count(), 1); /* restarted */
	fx_advance(1);
	CHECK_EQ_INT(tcp_conn_count(), 0);
	fx_tcp_end(NULL, NULL);
}

static void test_time_wait_new_syn_reopens(void)
{
	struct tcp_conn *l = tcp_fixture_listen();
	tcp_conn_close(l);
	/* Make TIME_WAIT on a server port: passive open, we close first. */
	l = tcp_conn_new();
	tcp_conn_bind(l, 0, LPORT);
	tcp_conn_listen(l, 4);
	fx_peer(SEG(.seq = R, .flags = SYN));
	EXPECT_SEG(L, R + 1, SYN | ACK, 0);
	fx_peer(SEG(.seq = R + 1, .ack = L + 1, .flags = ACK));
	struct tcp_conn *c = tcp_conn_accept(l);
	tcp_conn_close(c);
	EXPECT_SEG(L + 1, R + 1, FIN | ACK, 0);
	fx_peer(SEG(.seq = R + 1, .ack = L + 2, .flags = FIN | ACK));
	EXPECT_SEG(L + 2, R + 2, ACK, 0);
	CHECK_EQ_INT(fx_conn()->state, TCP_TIME_WAIT);
	/* An old SYN (not above rcv_nxt): challenge ACK, no reopen. */
	fx_peer(SEG(.seq = R, .flags = SYN));
	EXPECT_SEG(L + 2, R + 2, ACK, 0);
	CHECK_EQ_INT(fx_conn()->state, TCP_TIME_WAIT);
	/* A new incarnation above it: reopened through the listener, and
	 * our ISS above everything the old one sent (the ISN generator would
	 * give L again here). */
	fx_peer(SEG(.seq = R + 5000, .flags = SYN));
	EXPECT_SEG(L + 2 + TCP_REOPEN_ISS_GAP, R + 5001, SYN | ACK, 0);
	CHECK_EQ_INT(fx_conn()->state, TCP_SYN_RECEIVED);
	CHECK_EQ_INT(tcp_stats.tw_reopens, 1);
	/* Without a listener the old connection would have stayed. */
	fx_tcp_end(l, NULL);
}

static void test_passive_close(void)
{
	struct tcp_conn *c = tcp_fixture_close_wait();
	char b[4];

	CHECK_EQ_INT(tcp_conn_recv(c, b, sizeof b), 0); /* end of stream */
	/* Half-closed: we may still send. */
	CHECK_EQ_INT(tcp_conn_send(c, "late", 4), 4);
	EXPECT_SEG(L + 1, R + 2, ACK | PSH, 4);
	tcp_conn_close(c);
	EXPECT_SEG(L + 5, R + 2, FIN | ACK, 0);
	CHECK_EQ_INT(fx_conn()->state, TCP_LAST_ACK);
	fx_peer(SEG(.seq = R + 2, .ack = L + 6, .flags = ACK));
	CHECK_EQ_INT(tcp_conn_count(), 0);
	EXPECT_NOTHING();
	fx_tcp_end(NULL, NULL);
}

static void test_simultaneous_close(void)
{
	tcp_fixture_closing();
	fx_peer(SEG(.seq = R + 2, .ack = L + 2, .flags = ACK));
	CHECK_EQ_INT(fx_conn()->state, TCP_TIME_WAIT);
	EXPECT_NOTHING();
	fx_advance(60000);
	CHECK_EQ_INT(tcp_conn_count(), 0);
	fx_tcp_end(NULL, NULL);
}

static void test_fin_and_ack_in_one_segment(void)
{
	tcp_fixture_fin_wait_1();
	fx_peer(SEG(.seq = R + 1, .ack = L + 2, .flags = FIN | ACK));
	EXPECT_SEG(L + 2, R + 2, ACK, 0);
	CHECK_EQ_INT(fx_conn()->state, TCP_TIME_WAIT);
	fx_advance(60000);
	fx_tcp_end(NULL, NULL);
}

static void test_lost_fin_retransmitted(void)
{
	tcp_fixture_fin_wait_1();
	fx_advance_until_tx(10, 5000);
	EXPECT_SEG(L + 1, R + 1, FIN | ACK, 0);
	fx_peer(SEG(.seq = R + 1, .ack = L + 2, .flags = FIN | ACK));
	EXPECT_SEG(L + 2, R + 2, ACK, 0);
	fx_advance(60000);
	fx_tcp_end(NULL, NULL);
}

static void test_orphan_fin_wait_2_times_out(void)
{
	tcp_fixture_fin_wait_2();
	fx_advance(tcp_settings.fin_wait2_ms);
	CHECK_EQ_INT(tcp_conn_count(), 0);
	fx_tcp_end(NULL, NULL);
}

static void test_half_close_keeps_receiving(void)
{
	struct tcp_conn *c = tcp_fixture_established();
	char b[16];

	CHECK_EQ_INT(tcp_conn_shutdown_send(c), NET_OK);
	EXPECT_SEG(L + 1, R + 1, FIN | ACK, 0);
	CHECK_EQ_INT(tcp_conn_send(c, "x", 1), NET_ECLOSED);
	fx_peer(SEG(.seq = R + 1, .ack = L + 2, .flags = ACK, .data = "still here", .len = 10));
	CHECK_EQ_INT(tcp_conn_state(c), TCP_FIN_WAIT_2);
	CHECK_EQ_INT(tcp_conn_recv(c, b, sizeof b), 10);
	CHECK_EQ_MEM(b, "still here", 10);
	fx_peer(SEG(.seq = R + 11, .ack = L + 2, .flags = FIN | ACK));
	EXPECT_SEG(L + 2, R + 12, ACK, 0);
	CHECK_EQ_INT(tcp_conn_state(c), TCP_TIME_WAIT);
	CHECK_EQ_INT(tcp_conn_recv(c, b, sizeof b), 0);
	/* TIME_WAIT runs out while the application still holds it. */
	fx_advance(60000);
	CHECK_EQ_INT(tcp_conn_state(c), TCP_CLOSED);
	CHECK_EQ_INT(tcp_conn_error(c), NET_OK);
	CHECK_EQ_INT(tcp_conn_recv(c, b, sizeof b), 0);
	CHECK_EQ_INT(tcp_conn_close(c), NET_OK);
	fx_tcp_end(NULL, NULL);
}

static void test_close_with_unread_data_resets(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	fx_peer(SEG(.seq = R + 1, .ack = L + 1, .flags = ACK | PSH, .data = "unread", .len = 6));
	fake_link_flush(&eth0);
	tcp_conn_close(c);
	EXPECT_SEG(L + 1, R + 7, RST | ACK, 0);
	CHECK_EQ_INT(tcp_conn_count(), 0);
	fx_tcp_end(NULL, NULL);
}

static void test_data_after_close_resets(void)
{
	tcp_fixture_fin_wait_2();
	fx_peer(SEG(.seq = R + 1, .ack = L + 2, .flags = ACK, .data = "more", .len = 4));
	EXPECT_SEG(L + 2, R + 1, RST | ACK, 0);
	CHECK_EQ_INT(tcp_conn_count(), 0);
	CHECK_EQ_INT(tcp_stats.drop_after_close, 1);
	fx_tcp_end(NULL, NULL);
}

static void test_abort_sends_reset(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	tcp_conn_abort(c);
	EXPECT_SEG(L + 1, R + 1, RST | ACK, 0);
	fx_tcp_end(NULL, NULL);
}

/* ---- RST and SYN in every state (RFC 9293 3.10.7.4; RFC 5961) ---- */

enum fx_state { FX_SYN_RECEIVED, FX_ESTABLISHED, FX_FIN_WAIT_1, FX_FIN_WAIT_2, FX_CLOSE_WAIT, FX_CLOSING,
		FX_LAST_ACK, FX_TIME_WAIT, FX_COUNT };

/* Put a connection in state s; returns the application's handle (NULL
 * when the application closed it) and the peer's next sequence number. */
static struct tcp_conn *fx_enter(enum fx_state s, uint32_t *peer_nxt, struct tcp_conn **listener)
{
	*listener = NULL;
	switch (s) {
	case FX_SYN_RECEIVED:
		tcp_fixture_syn_received(listener);
		*peer_nxt = R + 1;
		return NULL;
	case FX_ESTABLISHED:
		*peer_nxt = R + 1;
		return tcp_fixture_established();
	case FX_FIN_WAIT_1:
		tcp_fixture_fin_wait_1();
		*peer_nxt = R + 1;
		return NULL;
	case FX_FIN_WAIT_2:
		tcp_fixture_fin_wait_2();
		*peer_nxt = R + 1;
		return NULL;
	case FX_CLOSE_WAIT:
		*peer_nxt = R + 2;
		return tcp_fixture_close_wait();
	case FX_CLOSING:
		tcp_fixture_closing();
		*peer_nxt = R + 2;
		return NULL;
	case FX_LAST_ACK:
		tcp_fixture_last_ack();
		*peer_nxt = R + 2;
		return NULL;
	default:
		tcp_fixture_time_wait();
		*peer_nxt = R + 2;
		return NULL;
	}
}

static void test_rst_every_state(void)
{
	for (int s = 0; s < FX_COUNT; s++) {
		for (int kind = 0; kind < 3; kind++) {
			uint32_t nxt;
			struct tcp_conn *l, *c = fx_enter((enum fx_state)s, &nxt, &l);
			enum tcp_state before = fx_conn()->state;
			if (kind == 0) {
				/* Out of the window: ignored silently. */
				fx_peer(SEG(.seq = nxt + 10000000, .flags = RST));
				EXPECT_NOTHING();
				CHECK(fx_conn() && fx_conn()->state == before);
			} else if (kind == 1) {
				/* In the window, not exact: a challenge ACK. */
				fx_peer(SEG(.seq = nxt + 100, .flags = RST));
				CHECK(fx_pop_seg(&fx_got) && fx_got.flags == ACK && fx_got.ack == nxt);
				CHECK(fx_conn() && fx_conn()->state == before);
			} else {
				/* Exactly RCV.NXT: the connection goes. */
				fx_peer(SEG(.seq = nxt, .flags = RST));
				EXPECT_NOTHING();
				CHECK(fx_conn() == NULL);
				if (c) {
					CHECK_EQ_INT(tcp_conn_state(c), TCP_CLOSED);
					CHECK_EQ_INT(tcp_conn_error(c), NET_ECONNRESET);
				}
			}
			if (kind == 1 || kind == 0) {
				struct tcp_conn *o = fx_conn();
				if (c)
					tcp_conn_abort(c);
				else if (o && !l)
					tcp_conn_free(o); /* an orphan: drop it for the leak check */
			} else if (c) {
				tcp_conn_close(c);
			}
			fake_link_flush(&eth0);
			if (check_case_failed) {
				printf("  (state %d, kind %d)\n", s, kind);
				check_case_failed = 0; /* report once, keep looking */
				check_failed_cases++;
			}
			fx_tcp_end(l, NULL);
		}
	}
}

static void test_challenge_ack_rate_limit(void)
{
	struct tcp_conn *c = tcp_fixture_established();
	int acks = 0;

	for (int i = 0; i < 25; i++)
		fx_peer(SEG(.seq = R + 1 + 50, .flags = RST));
	while (fx_pop_seg(&fx_got))
		acks++;
	CHECK_EQ_INT(acks, 10);
	CHECK_EQ_INT(tcp_stats.challenge_acks_limited, 15);
	fx_advance(1000); /* a new second */
	fx_peer(SEG(.seq = R + 1 + 50, .flags = RST));
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	CHECK_EQ_INT(tcp_conn_state(c), TCP_ESTABLISHED);
	fx_tcp_end(c, NULL);
}

static void test_syn_in_established_gets_challenge_ack(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	fx_peer(SEG(.seq = R + 1, .flags = SYN));      /* in window */
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	fx_peer(SEG(.seq = R - 5000, .flags = SYN));   /* out of window */
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	CHECK_EQ_INT(tcp_conn_state(c), TCP_ESTABLISHED);
	CHECK_EQ_INT(tcp_stats.syn_in_synchronized, 2);
	fx_tcp_end(c, NULL);
}

static void test_ack_range_checks(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	/* Acknowledges data never sent: ACK and drop (3.10.7.4 fifth). */
	fx_peer(SEG(.seq = R + 1, .ack = L + 100, .flags = ACK, .data = "zz", .len = 2));
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	CHECK_EQ_INT(tcp_conn_readable(c), 0);
	/* Far below SND.UNA - MAX.SND.WND (RFC 5961 5.2): challenge ACK, dropped. */
	fx_peer(SEG(.seq = R + 1, .ack = L - 100000, .flags = ACK, .data = "zz", .len = 2));
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	CHECK_EQ_INT(tcp_conn_readable(c), 0);
	CHECK_EQ_INT(tcp_stats.drop_ack_too_new, 1);
	CHECK_EQ_INT(tcp_stats.drop_ack_too_old, 1);
	/* An old but plausible ACK still delivers text. */
	fx_peer(SEG(.seq = R + 1, .ack = L, .flags = ACK, .data = "ok", .len = 2));
	CHECK_EQ_INT(tcp_conn_readable(c), 2);
	fx_tcp_end(c, NULL);
}

static void test_segment_without_ack_dropped(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	fx_peer(SEG(.seq = R + 1, .flags = PSH, .data = "no", .len = 2));
	EXPECT_NOTHING();
	CHECK_EQ_INT(tcp_conn_readable(c), 0);
	CHECK_EQ_INT(tcp_stats.drop_no_ack, 1);
	fx_tcp_end(c, NULL);
}

static void test_out_of_window_data_gets_ack(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	fx_peer(SEG(.seq = R + 1 + 300000, .ack = L + 1, .flags = ACK, .data = "far", .len = 3));
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	fx_peer(SEG(.seq = R - 100, .ack = L + 1, .flags = ACK, .data = "old", .len = 3));
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	CHECK_EQ_INT(tcp_conn_readable(c), 0);
	CHECK_EQ_INT(tcp_stats.drop_out_of_window, 2);
	fx_tcp_end(c, NULL);
}

/* ---- malformed ---- */

static void test_malformed_options_rejected(void)
{
	static const uint8_t len0[4] = { 2, 0, 1, 1 };
	static const uint8_t len1[4] = { 1, 1, 8, 1 };
	static const uint8_t past[4] = { 1, 1, 2, 4 };
	struct tcp_conn *l = tcp_fixture_listen();

	fx_peer(SEG(.seq = R, .flags = SYN, .opt_raw = len0, .opt_len = 4));
	fx_peer(SEG(.seq = R, .flags = SYN, .opt_raw = len1, .opt_len = 4));
	fx_peer(SEG(.seq = R, .flags = SYN, .opt_raw = past, .opt_len = 4));
	EXPECT_NOTHING(); /* dropped, not even a RST */
	CHECK_EQ_INT(tcp_stats.drop_bad_options, 3);
	CHECK_EQ_INT(tcp_conn_count(), 1);
	/* Unknown options are skipped: this SYN is fine. */
	static const uint8_t odd[8] = { 99, 6, 1, 2, 3, 4, 1, 0 };
	fx_peer(SEG(.seq = R, .flags = SYN, .opt_raw = odd, .opt_len = 8));
	EXPECT_SEG(L, R + 1, SYN | ACK, 0);
	fx_tcp_end(l, NULL);
}

static void test_bad_checksum_and_short_dropped(void)
{
	struct tcp_conn *c = tcp_fixture_established();
	uint8_t tiny[12] = { 0 };

	fx_peer(SEG(.seq = R + 1, .ack = L + 1, .flags = ACK, .data = "bad", .len = 3, .bad_sum = true));
	fx_inject_ipv4(PEER_IP, OUR_IP, IPV4_PROTO_TCP, 1, 0, tiny, sizeof tiny);
	EXPECT_NOTHING();
	CHECK_EQ_INT(tcp_conn_readable(c), 0);
	CHECK_EQ_INT(tcp_stats.drop_bad_checksum, 1);
	CHECK_EQ_INT(tcp_stats.drop_short, 1);
	fx_tcp_end(c, NULL);
}

static void test_broadcast_dropped(void)
{
	struct tcp_conn *l = tcp_fixture_listen();
	uint8_t seg[20];
	struct tcp_hdr h = { .sport = RPORT, .dport = LPORT, .seq = R, .flags = TCP_SYN, .wnd = 100 };

	tcp_hdr_emit(seg, &h);
	be16_put(seg + TCP_SUM, tcp_checksum(PEER_IP, IPV4_ADDR(10, 0, 2, 255), seg, 20));
	fx_inject_ipv4(PEER_IP, IPV4_ADDR(10, 0, 2, 255), IPV4_PROTO_TCP, 1, 0, seg, 20);
	EXPECT_NOTHING();
	CHECK_EQ_INT(tcp_conn_count(), 1);
	fx_tcp_end(l, NULL);
}

/* ---- ICMP ---- */

/* An ICMP error from the gateway quoting the last segment we sent. */
static void fx_icmp_about(uint8_t type, uint8_t code, uint32_t seq)
{
	uint8_t quote[28], msg[64];

	fx_ipv4(quote, OUR_IP, PEER_IP, IPV4_PROTO_TCP, 7, 0x4000, 64, 20);
	be16_put(quote + 20, LPORT);
	be16_put(quote + 22, RPORT);
	be32_put(quote + 24, seq);
	size_t n = fx_icmp(msg, type, code, 0, quote, sizeof quote);
	fx_inject_ipv4(GW_IP, OUR_IP, IPV4_PROTO_ICMP, 9, 0, msg, n);
}

static void test_icmp_port_unreachable_refuses_connect(void)
{
	struct tcp_conn *c = tcp_fixture_syn_sent();

	fx_icmp_about(ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, L + 99); /* not our sequence */
	CHECK_EQ_INT(tcp_conn_state(c), TCP_SYN_SENT);
	fx_icmp_about(ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, L);
	CHECK_EQ_INT(tcp_conn_state(c), TCP_CLOSED);
	CHECK_EQ_INT(tcp_conn_error(c), NET_ECONNREFUSED);
	fx_tcp_end(c, NULL);
}

static void test_icmp_soft_error_kept_for_timeout(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	tcp_settings.max_retries = 2;
	CHECK_EQ_INT(tcp_conn_send(c, "abc", 3), 3);
	EXPECT_SEG(L + 1, R + 1, ACK | PSH, 3);
	fx_icmp_about(ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, L + 1);
	CHECK_EQ_INT(tcp_conn_state(c), TCP_ESTABLISHED); /* MUST-54: not aborted */
	CHECK_EQ_INT(tcp_conn_error(c), NET_OK);
	fx_run(100000);
	fake_link_flush(&eth0);
	CHECK_EQ_INT(tcp_conn_state(c), TCP_CLOSED);
	CHECK_EQ_INT(tcp_conn_error(c), NET_EHOSTUNREACH);
	fx_tcp_end(c, NULL);
}

/* ---- the application's side ---- */

static void test_api_errors_and_ports(void)
{
	fx_tcp_setup();
	struct tcp_conn *a = tcp_conn_new(), *b = tcp_conn_new();

	CHECK_EQ_INT(tcp_conn_bind(a, 0, 5000), NET_OK);
	CHECK_EQ_INT(tcp_conn_listen(a, 1), NET_OK);
	CHECK_EQ_INT(tcp_conn_bind(b, 0, 5000), NET_EADDRINUSE);
	CHECK_EQ_INT(tcp_conn_send(b, "x", 1), NET_ENOTCONN);
	CHECK_EQ_INT(tcp_conn_recv(b, fx_rx_data, 1), NET_ENOTCONN);
	CHECK_EQ_INT(tcp_conn_connect(b, 0, 80), NET_EINVAL);
	CHECK_EQ_INT(tcp_conn_connect(b, IPV4_ADDR(224, 0, 0, 1), 80), NET_EINVAL);
	CHECK_EQ_INT(tcp_conn_connect(b, PEER_IP, RPORT), NET_OK); /* ephemeral port */
	uint16_t lport;
	tcp_conn_endpoints(b, NULL, &lport, NULL, NULL);
	CHECK(lport >= 49152);
	CHECK_EQ_INT(tcp_conn_connect(b, PEER_IP, RPORT), NET_EINVAL);
	CHECK_EQ_INT(tcp_conn_listen(b, 1), NET_EINVAL);
	fake_link_flush(&eth0);
	/* netstat's view */
	CHECK_EQ_INT(tcp_foreach(NULL, NULL, sys_now_ms()), 2);
	fx_tcp_end(a, b);
}

static void test_table_full_evicts_time_wait(void)
{
	tcp_fixture_time_wait();
	tcp_settings.max_conns = 1;
	struct tcp_conn *c = tcp_conn_new(); /* the TIME_WAIT orphan makes room */
	CHECK(c != NULL);
	CHECK_EQ_INT(tcp_stats.tw_evicted, 1);
	CHECK(tcp_conn_new() == NULL);       /* nothing else to evict */
	fx_tcp_end(c, NULL);
}

/* ---- what `fetch -v` is told (net/trace.h) ---- */

static int trace_states[16], trace_n, trace_rtts, trace_rexmts;
static uint64_t trace_tw_ms;

static void trace_cb(void *ctx, const struct net_trace_event *ev)
{
	(void)ctx;
	if (ev->kind == NET_TRACE_TCP_STATE && trace_n < 16) {
		trace_states[trace_n++] = ev->new_state;
		if (ev->new_state == TCP_TIME_WAIT)
			trace_tw_ms = ev->timer_ms;
		CHECK_EQ_INT(ev->lport, LPORT);
		CHECK_EQ_INT(ev->raddr, PEER_IP);
	}
	trace_rtts += ev->kind == NET_TRACE_TCP_RTT;
	trace_rexmts += ev->kind == NET_TRACE_TCP_RETRANSMIT;
}

static void test_trace_tells_the_journey(void)
{
	static const int want[] = { TCP_SYN_SENT, TCP_ESTABLISHED, TCP_FIN_WAIT_1, TCP_FIN_WAIT_2,
				    TCP_TIME_WAIT, TCP_CLOSED };
	trace_n = trace_rtts = trace_rexmts = 0;
	fx_tcp_setup();
	net_trace_set(trace_cb, NULL);
	struct tcp_conn *c = tcp_conn_new();
	tcp_conn_bind(c, 0, LPORT);
	tcp_conn_connect(c, PEER_IP, RPORT);
	fx_advance(1000); /* a lost SYN */
	fx_peer(SEG(.seq = R, .ack = L + 1, .flags = SYN | ACK));
	tcp_conn_close(c);
	fx_peer(SEG(.seq = R + 1, .ack = L + 2, .flags = ACK));
	fx_peer(SEG(.seq = R + 1, .ack = L + 2, .flags = FIN | ACK));
	fx_run(60000);
	net_trace_set(NULL, NULL);
	CHECK_EQ_INT(trace_n, 6);
	for (int i = 0; i < 6 && i < trace_n; i++)
		CHECK_EQ_INT(trace_states[i], want[i]);
	CHECK_EQ_INT(trace_tw_ms, 60000);
	CHECK_EQ_INT(trace_rexmts, 1);
	CHECK_EQ_INT(trace_rtts, 1); /* the FIN's; not the SYN's, sent twice (Karn) */
	fake_link_flush(&eth0);
	fx_tcp_end(NULL, NULL);
}

int main(void)
{
	check_suite = "tcp_state";
	RUN(test_syn_carries_mss_and_window_scale);
	RUN(test_handshake_active);
	RUN(test_handshake_no_options_means_536_and_no_scaling);
	RUN(test_syn_lost_backoff_then_timeout);
	RUN(test_lost_syn_then_established_uses_iw_one_and_no_sample);
	RUN(test_bad_synack_ack_gets_reset);
	RUN(test_rst_in_syn_sent);
	RUN(test_handshake_passive);
	RUN(test_syn_without_window_scale_gets_none);
	RUN(test_synack_lost_resent_on_timer_and_on_syn);
	RUN(test_no_listener_gets_reset);
	RUN(test_rst_rate_limited);
	RUN(test_listener_answers_ack_with_reset);
	RUN(test_simultaneous_open);
	RUN(test_syn_flood_is_bounded);
	RUN(test_accept_backlog_is_bounded);
	RUN(test_active_close_and_time_wait);
	RUN(test_time_wait_reacks_fin_and_restarts);
	RUN(test_time_wait_new_syn_reopens);
	RUN(test_passive_close);
	RUN(test_simultaneous_close);
	RUN(test_fin_and_ack_in_one_segment);
	RUN(test_lost_fin_retransmitted);
	RUN(test_orphan_fin_wait_2_times_out);
	RUN(test_half_close_keeps_receiving);
	RUN(test_close_with_unread_data_resets);
	RUN(test_data_after_close_resets);
	RUN(test_abort_sends_reset);
	RUN(test_rst_every_state);
	RUN(test_challenge_ack_rate_limit);
	RUN(test_syn_in_established_gets_challenge_ack);
	RUN(test_ack_range_checks);
	RUN(test_segment_without_ack_dropped);
	RUN(test_out_of_window_data_gets_ack);
	RUN(test_malformed_options_rejected);
	RUN(test_bad_checksum_and_short_dropped);
	RUN(test_broadcast_dropped);
	RUN(test_icmp_port_unreachable_refuses_connect);
	RUN(test_icmp_soft_error_kept_for_timeout);
	RUN(test_api_errors_and_ports);
	RUN(test_table_full_evicts_time_wait);
	RUN(test_trace_tells_the_journey);
	return check_report();
}
