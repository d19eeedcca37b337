/* TCP data transfer in ESTABLISHED: both directions across the sequence
 * wrap, delayed ACKs, out-of-order, duplicate and overlapping segments,
 * FIN with data, segmentation by MSS and cwnd, Nagle, window scaling,
 * the receive window closing and opening, retransmission by timeout
 * (RTO schedule, Karn) and by duplicate ACKs (NewReno), zero-window
 * probing, keepalive. The fixture's handshake took RTT_MS = 100 ms, so
 * SRTT = 100 ms, RTTVAR = 50 ms and the RTO is 300 ms. */
#include "tests/unit/tcp/tcp_fixture.h"

static uint8_t pattern[300000];

static void fill_pattern(void)
{
	for (size_t i = 0; i < sizeof pattern; i++)
		pattern[i] = (uint8_t)(i * 7 + (i >> 8));
}

/* The peer sends len bytes of pattern starting at stream offset off. */
static void peer_data(uint32_t off, size_t len, uint8_t extra)
{
	fx_peer(SEG(.seq = R + 1 + off, .ack = L + 1, .flags = ACK | extra, .data = pattern + off, .len = len));
}

static void test_delayed_ack_40ms(void)
{
	struct tcp_conn *c = tcp_fixture_established();
	uint8_t b[200];

	peer_data(0, 100, PSH);
	EXPECT_NOTHING();
	fx_advance(tcp_settings.delack_ms - 1);
	EXPECT_NOTHING();
	fx_advance(1);
	EXPECT_SEG(L + 1, R + 101, ACK, 0);
	CHECK_EQ_INT(tcp_conn_recv(c, b, sizeof b), 100);
	CHECK_EQ_MEM(b, pattern, 100);
	CHECK_EQ_INT(tcp_stats.delayed_acks, 1);
	fx_tcp_end(c, NULL);
}

static void test_every_second_segment_acked_at_once(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	peer_data(0, 1000, 0);
	EXPECT_NOTHING();
	peer_data(1000, 1000, 0);
	EXPECT_SEG(L + 1, R + 2001, ACK, 0);
	EXPECT_NOTHING();
	CHECK_EQ_INT(c->timer[TCP_T_DELACK], 0);
	fx_tcp_end(c, NULL);
}

static void test_send_and_receive_across_the_wrap(void)
{
	struct tcp_conn *c = tcp_fixture_established();
	uint8_t b[400];

	/* Ours: L + 1 = 0xfffffff1, so 40 bytes cross 2^32. */
	CHECK_EQ_INT(tcp_conn_send(c, pattern, 40), 40);
	EXPECT_SEG(L + 1, R + 1, ACK | PSH, 40);
	CHECK_EQ_MEM(fx_got.data, pattern, 40);
	CHECK(c->timer[TCP_T_REXMT] != 0);
	fx_peer(SEG(.seq = R + 1, .ack = L + 41, .flags = ACK));
	CHECK_EQ_INT(c->snd_una, 25u);            /* wrapped: 0xfffffff0 + 41 */
	CHECK_EQ_INT(c->sndbuf.len, 0);
	CHECK_EQ_INT(c->timer[TCP_T_REXMT], 0);   /* all acknowledged: stopped */
	/* Theirs: R + 1 = 0xffffff81, 300 bytes cross it. */
	peer_data(0, 300, PSH);
	fx_advance(tcp_settings.delack_ms);
	EXPECT_SEG(L + 41, R + 301, ACK, 0);
	CHECK_EQ_INT(c->rcv_nxt, 0x000000adu);
	CHECK_EQ_INT(tcp_conn_recv(c, b, sizeof b), 300);
	CHECK_EQ_MEM(b, pattern, 300);
	CHECK_EQ_INT(tcp_conn_recv(c, b, sizeof b), NET_EAGAIN);
	fx_tcp_end(c, NULL);
}

static void test_out_of_order_then_fill(void)
{
	struct tcp_conn *c = tcp_fixture_established();
	uint8_t b[400];

	peer_data(200, 100, 0);                  /* third piece first */
	EXPECT_SEG(L + 1, R + 1, ACK, 0);        /* a duplicate ACK at once */
	peer_data(100, 100, 0);                  /* second */
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	CHECK_EQ_INT(tcp_conn_readable(c), 0);
	CHECK_EQ_INT(c->reass.count, 1);
	peer_data(0, 100, 0);                    /* the hole fills */
	EXPECT_SEG(L + 1, R + 301, ACK, 0);      /* ACKed at once */
	CHECK_EQ_INT(tcp_conn_recv(c, b, sizeof b), 300);
	CHECK_EQ_MEM(b, pattern, 300);
	CHECK_EQ_INT(c->reass.count, 0);
	CHECK_EQ_INT(tcp_stats.ooo_segments, 2);
	fx_tcp_end(c, NULL);
}

/* The peer offers SACK-permitted in its SYN-ACK. */
static struct tcp_conn *established_with_sack(void)
{
	struct tcp_conn *c = tcp_fixture_syn_sent();
	CHECK(fx_got.opts.sack_ok);              /* offered in our SYN */
	static const uint8_t opts[12] = { 2, 4, 0x03, 0xe8, 1, 3, 3, 2, 1, 1, 4, 2 }; /* MSS 1000, WS 2, SACKP */
	fake_clock_advance(RTT_MS);
	fx_peer(SEG(.seq = R, .ack = L + 1, .flags = SYN | ACK, .opt_raw = opts, .opt_len = 12));
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	CHECK(c->flags & TF_SACK_OK);
	return c;
}

static void test_sack_blocks_reported(void)
{
	struct tcp_conn *c = established_with_sack();

	peer_data(100, 100, 0);
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	CHECK_EQ_INT(fx_got.opts.sack_n, 1);
	CHECK_EQ_INT(fx_got.opts.sack[0][0], R + 101);
	CHECK_EQ_INT(fx_got.opts.sack[0][1], R + 201);
	peer_data(300, 100, 0);                  /* a second hole */
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	CHECK_EQ_INT(fx_got.opts.sack_n, 2);
	CHECK_EQ_INT(fx_got.opts.sack[0][0], R + 301); /* the newest first */
	CHECK_EQ_INT(fx_got.opts.sack[1][0], R + 101);
	peer_data(200, 100, 0);                  /* joins both: one block */
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	CHECK_EQ_INT(fx_got.opts.sack_n, 1);
	CHECK_EQ_INT(fx_got.opts.sack[0][0], R + 101);
	CHECK_EQ_INT(fx_got.opts.sack[0][1], R + 401);
	peer_data(0, 100, 0);                    /* all in order: no SACK */
	EXPECT_SEG(L + 1, R + 401, ACK, 0);
	CHECK_EQ_INT(fx_got.opts.sack_n, 0);
	fx_tcp_end(c, NULL);
}

static void test_no_sack_unless_both_offer(void)
{
	struct tcp_conn *c = tcp_fixture_established(); /* the peer did not offer */

	CHECK(!(c->flags & TF_SACK_OK));
	peer_data(100, 100, 0);
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	CHECK_EQ_INT(fx_got.opts.sack_n, 0);
	fx_tcp_end(c, NULL);
}

static void test_duplicate_and_overlapping_data(void)
{
	struct tcp_conn *c = tcp_fixture_established();
	uint8_t b[400];

	peer_data(0, 100, 0);
	peer_data(0, 100, 0);                    /* all duplicate: ACK at once */
	EXPECT_SEG(L + 1, R + 101, ACK, 0);
	peer_data(50, 100, 0);                   /* half old, half new */
	EXPECT_SEG(L + 1, R + 151, ACK, 0);
	/* Out of order pieces overlapping each other and the edge. */
	peer_data(250, 50, 0);
	peer_data(200, 80, 0);
	peer_data(140, 70, 0);                   /* old 140..150, joins 200.. */
	fake_link_flush(&eth0);
	CHECK_EQ_INT(c->rcv_nxt, R + 301);
	CHECK_EQ_INT(tcp_conn_recv(c, b, sizeof b), 300);
	CHECK_EQ_MEM(b, pattern, 300);
	CHECK_EQ_INT(tcp_stats.drop_out_of_window, 1); /* the whole copy */
	CHECK_EQ_INT(tcp_stats.dup_bytes, 50 + 10);     /* trimmed off the others */
	fx_tcp_end(c, NULL);
}

static void test_fin_with_data(void)
{
	struct tcp_conn *c = tcp_fixture_established();
	uint8_t b[100];

	peer_data(0, 60, FIN | PSH);
	EXPECT_SEG(L + 1, R + 62, ACK, 0);
	CHECK_EQ_INT(tcp_conn_state(c), TCP_CLOSE_WAIT);
	CHECK_EQ_INT(tcp_conn_recv(c, b, sizeof b), 60);
	CHECK_EQ_INT(tcp_conn_recv(c, b, sizeof b), 0);
	fx_tcp_end(c, NULL);
}

static void test_out_of_order_fin_waits_for_the_hole(void)
{
	struct tcp_conn *c = tcp_fixture_established();
	uint8_t b[100];

	peer_data(50, 50, FIN);                  /* the end and FIN first */
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	CHECK_EQ_INT(tcp_conn_state(c), TCP_ESTABLISHED);
	CHECK_EQ_INT(tcp_conn_recv(c, b, sizeof b), NET_EAGAIN);
	peer_data(0, 50, 0);
	EXPECT_SEG(L + 1, R + 102, ACK, 0);      /* data and FIN acknowledged */
	CHECK_EQ_INT(tcp_conn_state(c), TCP_CLOSE_WAIT);
	CHECK_EQ_INT(tcp_conn_recv(c, b, sizeof b), 100);
	CHECK_EQ_MEM(b, pattern, 100);
	CHECK_EQ_INT(tcp_conn_recv(c, b, sizeof b), 0);
	fx_tcp_end(c, NULL);
}

static void test_segments_by_mss_and_cwnd(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	CHECK_EQ_INT(tcp_conn_send(c, pattern, 10000), 10000);
	/* IW 4000 = four segments of the peer's MSS 1000. */
	for (uint32_t i = 0; i < 4; i++) {
		EXPECT_SEG(L + 1 + i * 1000, R + 1, ACK, 1000);
		CHECK_EQ_MEM(fx_got.data, pattern + i * 1000, 1000);
	}
	EXPECT_NOTHING();
	/* Slow start: an ACK of two segments grows cwnd by one SMSS, so
	 * three more go (two freed, one grown). */
	fx_peer(SEG(.seq = R + 1, .ack = L + 2001, .flags = ACK));
	CHECK_EQ_INT(c->cwnd, 5000);
	EXPECT_SEG(L + 4001, R + 1, ACK, 1000);
	EXPECT_SEG(L + 5001, R + 1, ACK, 1000);
	EXPECT_SEG(L + 6001, R + 1, ACK, 1000);
	EXPECT_NOTHING();
	fx_tcp_end(c, NULL);
}

static void test_nagle_and_nodelay(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	tcp_conn_send(c, "a", 1);
	EXPECT_SEG(L + 1, R + 1, ACK | PSH, 1);  /* nothing in flight: goes */
	tcp_conn_send(c, "b", 1);
	tcp_conn_send(c, "c", 1);
	EXPECT_NOTHING();                        /* held by Nagle */
	fx_peer(SEG(.seq = R + 1, .ack = L + 2, .flags = ACK));
	EXPECT_SEG(L + 2, R + 1, ACK | PSH, 2);  /* coalesced */
	tcp_conn_setopt(c, TCP_OPT_NODELAY, 1);
	tcp_conn_send(c, "d", 1);
	EXPECT_SEG(L + 4, R + 1, ACK | PSH, 1);  /* in flight, but no Nagle */
	fx_tcp_end(c, NULL);
}

static void test_peer_window_is_scaled(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	fx_peer(SEG(.seq = R + 1, .ack = L + 1, .flags = ACK, .wnd = 250)); /* 250 << 2 */
	CHECK_EQ_INT(c->snd_wnd, 1000);
	tcp_conn_send(c, pattern, 3000);
	EXPECT_SEG(L + 1, R + 1, ACK, 1000);
	EXPECT_NOTHING();
	fx_peer(SEG(.seq = R + 1, .ack = L + 1001, .flags = ACK, .wnd = 500)); /* 2000 */
	EXPECT_SEG(L + 1001, R + 1, ACK, 1000);
	EXPECT_SEG(L + 2001, R + 1, ACK | PSH, 1000);
	fx_tcp_end(c, NULL);
}

static void test_receive_more_than_64k_unread(void)
{
	struct tcp_conn *c = tcp_fixture_established();
	size_t total = 200000;

	for (size_t off = 0; off < total; off += 1000)
		peer_data((uint32_t)off, 1000, 0);
	fake_link_flush(&eth0);
	CHECK_EQ_INT(tcp_conn_readable(c), total); /* a 256 KiB window, unread */
	fx_advance(tcp_settings.delack_ms);
	fake_link_flush(&eth0);
	tcp_conn_send(c, "x", 1);
	EXPECT_SEG(L + 1, R + 1 + (uint32_t)total, ACK | PSH, 1);
	CHECK_EQ_INT((uint32_t)fx_got.wnd << 3, 262144 - total);
	static uint8_t b[200000];
	CHECK_EQ_INT(tcp_conn_recv(c, b, sizeof b), total);
	CHECK_EQ_MEM(b, pattern, total);
	fx_tcp_end(c, NULL);
}

static void test_window_closes_and_reopens(void)
{
	fx_tcp_setup();
	tcp_settings.rcvbuf = 16384;            /* small: no scaling needed */
	struct tcp_conn *c = tcp_conn_new();
	tcp_conn_bind(c, 0, LPORT);
	tcp_conn_connect(c, PEER_IP, RPORT);
	EXPECT_SEG(L, 0, SYN, 0);
	CHECK_EQ_INT(fx_got.opts.ws, 0);
	CHECK_EQ_INT(fx_got.wnd, 16384);
	fx_peer(SEG(.seq = R, .ack = L + 1, .flags = SYN | ACK, .mss = PEER_MSS, .ws = 0));
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	for (uint32_t off = 0; off < 16384; off += 1024)
		peer_data(off, 1024, 0);
	/* The last ACK shows the window shut. */
	struct tseg last = { 0 };
	while (fx_pop_seg(&fx_got))
		last = fx_got;
	CHECK_EQ_INT(last.ack, R + 1 + 16384);
	CHECK_EQ_INT(last.wnd, 0);
	/* A probe into the zero window: not taken, but acknowledged. */
	peer_data(16384, 1, 0);
	EXPECT_SEG(L + 1, R + 1 + 16384, ACK, 0);
	CHECK_EQ_INT(fx_got.wnd, 0);
	CHECK_EQ_INT(tcp_conn_readable(c), 16384);
	/* Reading a little: no update (silly window avoidance)... */
	uint8_t b[8192];
	CHECK_EQ_INT(tcp_conn_recv(c, b, 1000), 1000);
	EXPECT_NOTHING();
	/* ...reading more: a window update. */
	CHECK_EQ_INT(tcp_conn_recv(c, b, 3000), 3000);
	EXPECT_SEG(L + 1, R + 1 + 16384, ACK, 0);
	CHECK_EQ_INT(fx_got.wnd, 4000);
	CHECK_EQ_INT(tcp_stats.window_updates, 1);
	fx_tcp_end(c, NULL);
}

static void test_rto_schedule_and_karn(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	CHECK_EQ_INT(c->rto_ms, 300);
	tcp_conn_send(c, pattern, 100);
	EXPECT_SEG(L + 1, R + 1, ACK | PSH, 100);
	/* 300, then 600, then 1200 ms: doubled each time. */
	static const uint64_t gaps[] = { 300, 600, 1200 };
	for (size_t i = 0; i < 3; i++) {
		fx_advance(gaps[i] - 1);
		EXPECT_NOTHING();
		fx_advance(1);
		EXPECT_SEG(L + 1, R + 1, ACK | PSH, 100);
	}
	CHECK_EQ_INT(c->cwnd, PEER_MSS);         /* loss window */
	CHECK_EQ_INT(c->ssthresh, 2 * PEER_MSS);
	/* The ACK of the retransmitted segment gives no RTT sample (Karn):
	 * SRTT stays, the backed-off RTO stays until a clean sample. */
	fx_advance(500);
	fx_peer(SEG(.seq = R + 1, .ack = L + 101, .flags = ACK));
	CHECK_EQ_INT(c->srtt_us, 100000);
	CHECK_EQ_INT(c->rxtshift, 3);
	/* New data, answered after 20 ms: sampled, backoff cleared. */
	tcp_conn_send(c, pattern, 10);
	EXPECT_SEG(L + 101, R + 1, ACK | PSH, 10);
	fx_advance(20);
	fx_peer(SEG(.seq = R + 1, .ack = L + 111, .flags = ACK));
	CHECK_EQ_INT(c->srtt_us, (7 * 100000 + 20000) / 8);
	CHECK_EQ_INT(c->rxtshift, 0);
	CHECK_EQ_INT(c->retransmits, 3);
	fx_tcp_end(c, NULL);
}

static void test_rto_gives_up(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	tcp_conn_send(c, pattern, 100);
	int sent = 0, rst = 0;
	for (int s = 0; s < 20 * 60; s++) {
		while (fx_pop_seg(&fx_got)) {
			sent++;
			rst += (fx_got.flags & RST) != 0;
		}
		fx_run(1000);
	}
	CHECK_EQ_INT(sent, 1 + (int)tcp_settings.max_retries + 1); /* first, retries, RST */
	CHECK_EQ_INT(rst, 1);
	CHECK_EQ_INT(tcp_conn_state(c), TCP_CLOSED);
	CHECK_EQ_INT(tcp_conn_error(c), NET_ETIMEDOUT);
	CHECK_EQ_INT(tcp_conn_send(c, "x", 1), NET_ETIMEDOUT);
	fx_tcp_end(c, NULL);
}

/* Send n segments of 1000 bytes, all popped. */
static void send_segments(struct tcp_conn *c, int n)
{
	tcp_conn_send(c, pattern, (size_t)n * 1000);
	while (fx_pop_seg(&fx_got))
		;
}

/* Pop everything sent; true if a segment starting at seq was among it. */
static bool sent_seq(uint32_t seq)
{
	bool found = false;
	while (fx_pop_seg(&fx_got))
		found |= fx_got.seq == seq && fx_got.len > 0;
	return found;
}

static void test_fast_retransmit_and_recovery(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	fx_peer(SEG(.seq = R + 1, .ack = L + 1, .flags = ACK, .wnd = 10000)); /* 40000 */
	send_segments(c, 10);                    /* cwnd 4000: four out */
	/* The second is lost: the peer ACKs the first (cwnd 5000: two more
	 * go), then sends duplicates. */
	fx_peer(SEG(.seq = R + 1, .ack = L + 1001, .flags = ACK, .wnd = 10000));
	EXPECT_SEG(L + 4001, R + 1, ACK, 1000);
	EXPECT_SEG(L + 5001, R + 1, ACK, 1000);
	/* Limited transmit (RFC 3042): one new segment per early duplicate. */
	fx_peer(SEG(.seq = R + 1, .ack = L + 1001, .flags = ACK, .wnd = 10000));
	EXPECT_SEG(L + 6001, R + 1, ACK, 1000);
	fx_peer(SEG(.seq = R + 1, .ack = L + 1001, .flags = ACK, .wnd = 10000));
	EXPECT_SEG(L + 7001, R + 1, ACK, 1000);
	EXPECT_NOTHING();
	uint32_t snd_max = c->snd_max;
	fx_peer(SEG(.seq = R + 1, .ack = L + 1001, .flags = ACK, .wnd = 10000));
	EXPECT_SEG(L + 1001, R + 1, ACK, 1000);  /* at once, no timer */
	EXPECT_NOTHING();
	CHECK(c->flags & TF_RECOVERY);
	CHECK_EQ_INT(c->recover, snd_max - 1);
	CHECK_EQ_INT(c->ssthresh, 3500);         /* flight 7000 / 2 */
	CHECK_EQ_INT(c->cwnd, 3500 + 3 * 1000);
	CHECK_EQ_INT(tcp_stats.fast_retransmits, 1);
	/* Further duplicates inflate cwnd; new data goes once it covers a
	 * whole segment past what is in flight. */
	fx_peer(SEG(.seq = R + 1, .ack = L + 1001, .flags = ACK, .wnd = 10000));
	CHECK_EQ_INT(c->cwnd, 7500);
	EXPECT_NOTHING();
	fx_peer(SEG(.seq = R + 1, .ack = L + 1001, .flags = ACK, .wnd = 10000));
	CHECK_EQ_INT(c->cwnd, 8500);
	EXPECT_SEG(snd_max, R + 1, ACK, 1000);
	EXPECT_NOTHING();
	/* The full ACK ends recovery: cwnd = min(ssthresh, flight + SMSS). */
	fx_peer(SEG(.seq = R + 1, .ack = snd_max, .flags = ACK, .wnd = 10000));
	CHECK(!(c->flags & TF_RECOVERY));
	CHECK_EQ_INT(c->cwnd, 2000);
	CHECK_EQ_INT(c->rxtshift, 0);
	CHECK_EQ_INT(tcp_stats.rto_expired, 0);
	fx_tcp_end(c, NULL);
}

static void test_newreno_partial_ack_retransmits_next_hole(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	fx_peer(SEG(.seq = R + 1, .ack = L + 1, .flags = ACK, .wnd = 10000));
	send_segments(c, 10);
	/* Segments 1 and 3 (from 0) lost: ACKs for 0, then duplicates. */
	fx_peer(SEG(.seq = R + 1, .ack = L + 1001, .flags = ACK, .wnd = 10000));
	for (int i = 0; i < 2; i++)
		fx_peer(SEG(.seq = R + 1, .ack = L + 1001, .flags = ACK, .wnd = 10000));
	CHECK(!sent_seq(L + 1001));
	fx_peer(SEG(.seq = R + 1, .ack = L + 1001, .flags = ACK, .wnd = 10000));
	CHECK(sent_seq(L + 1001));
	/* The retransmission fills hole one; the peer now ACKs up to hole two. */
	fx_peer(SEG(.seq = R + 1, .ack = L + 3001, .flags = ACK, .wnd = 10000));
	CHECK(sent_seq(L + 3001));               /* partial ACK: next hole at once */
	CHECK(c->flags & TF_RECOVERY);
	CHECK_EQ_INT(tcp_stats.partial_acks, 1);
	CHECK_EQ_INT(tcp_stats.fast_retransmits, 1); /* one recovery, not two */
	CHECK_EQ_INT(tcp_stats.rto_expired, 0);
	/* And the ACK of everything sent ends it. */
	fx_peer(SEG(.seq = R + 1, .ack = c->snd_max, .flags = ACK, .wnd = 10000));
	CHECK(!(c->flags & TF_RECOVERY));
	fx_tcp_end(c, NULL);
}

static void test_zero_window_and_persist(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	fx_peer(SEG(.seq = R + 1, .ack = L + 1, .flags = ACK, .wnd = 0));
	CHECK_EQ_INT(c->snd_wnd, 0);
	tcp_conn_send(c, pattern, 100);
	EXPECT_NOTHING();
	CHECK(c->timer[TCP_T_PERSIST] != 0);
	CHECK_EQ_INT(c->timer[TCP_T_REXMT], 0);
	/* Probes of one byte, backing off: 600 ms, 1200 ms (RTO 300 << 1, << 2). */
	fx_advance(300);
	EXPECT_SEG(L + 1, R + 1, ACK, 1);
	CHECK_EQ_MEM(fx_got.data, pattern, 1);
	fx_peer(SEG(.seq = R + 1, .ack = L + 1, .flags = ACK, .wnd = 0));
	EXPECT_NOTHING();
	fx_advance(599);
	EXPECT_NOTHING();
	fx_advance(1);
	EXPECT_SEG(L + 1, R + 1, ACK, 1);
	CHECK_EQ_INT(tcp_stats.persist_probes, 2);
	CHECK_EQ_INT(tcp_conn_state(c), TCP_ESTABLISHED); /* never gives up while answered */
	/* The window opens: all the data goes. */
	fx_peer(SEG(.seq = R + 1, .ack = L + 1, .flags = ACK, .wnd = 1000));
	EXPECT_SEG(L + 1, R + 1, ACK | PSH, 100);
	CHECK_EQ_INT(c->timer[TCP_T_PERSIST], 0);
	CHECK(c->timer[TCP_T_REXMT] != 0);
	fx_tcp_end(c, NULL);
}

static void test_small_window_sent_by_persist(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	/* 100 << 2 = 400 bytes open, less than an MSS and than half the
	 * largest window seen: silly-window avoidance waits... */
	fx_peer(SEG(.seq = R + 1, .ack = L + 1, .flags = ACK, .wnd = 100));
	tcp_conn_send(c, pattern, 2000);
	EXPECT_NOTHING();
	/* ...until the persist timer sends what fits. */
	fx_advance(300);
	EXPECT_SEG(L + 1, R + 1, ACK, 400);
	fx_tcp_end(c, NULL);
}

static void test_keepalive(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	tcp_settings.keep_idle_ms = 10000;
	tcp_settings.keep_intvl_ms = 1000;
	tcp_settings.keep_count = 3;
	tcp_conn_setopt(c, TCP_OPT_KEEPALIVE, 1);
	fx_advance(9999);
	EXPECT_NOTHING();
	fx_advance(1);
	EXPECT_SEG(L, R + 1, ACK, 0);            /* SEG.SEQ = SND.UNA - 1 */
	/* The peer answers (with an ACK of our real edge): idle again. */
	fx_peer(SEG(.seq = R + 1, .ack = L + 1, .flags = ACK));
	fx_advance(9999);
	EXPECT_NOTHING();
	fx_advance(1);
	EXPECT_SEG(L, R + 1, ACK, 0);
	/* Now silence: three probes a second apart, then timed out. */
	fx_advance(1000);
	EXPECT_SEG(L, R + 1, ACK, 0);
	fx_advance(1000);
	EXPECT_SEG(L, R + 1, ACK, 0);
	fx_advance(1000);
	EXPECT_NOTHING();
	CHECK_EQ_INT(tcp_conn_state(c), TCP_CLOSED);
	CHECK_EQ_INT(tcp_conn_error(c), NET_ETIMEDOUT);
	fx_tcp_end(c, NULL);
}

static void test_send_buffer_bounded(void)
{
	struct tcp_conn *c = tcp_fixture_established();

	long n = tcp_conn_send(c, pattern, sizeof pattern);
	CHECK_EQ_INT(n, tcp_settings.sndbuf);
	CHECK_EQ_INT(tcp_conn_writable(c), 0);
	CHECK_EQ_INT(tcp_conn_send(c, pattern, 10), 0);
	fake_link_flush(&eth0);
	/* An ACK frees room and wakes the writer. */
	int wakes = tcp_conn_wait(c)->wakes;
	fx_peer(SEG(.seq = R + 1, .ack = L + 1001, .flags = ACK));
	CHECK_EQ_INT(tcp_conn_writable(c), 1000);
	CHECK(tcp_conn_wait(c)->wakes > wakes);
	struct tcp_conn_info info;
	memset(&info, 0, sizeof info);
	fake_link_flush(&eth0);
	fx_tcp_end(c, NULL);
}

static void fx_info_cb(const struct tcp_conn_info *i, void *ctx)
{
	*(struct tcp_conn_info *)ctx = *i;
}

static void test_info_for_netstat(void)
{
	struct tcp_conn *c = tcp_fixture_established();
	struct tcp_conn_info info;

	tcp_conn_send(c, pattern, 100);
	fake_link_flush(&eth0);
	CHECK_EQ_INT(tcp_foreach(fx_info_cb, &info, sys_now_ms()), 1);
	CHECK_EQ_INT(info.state, TCP_ESTABLISHED);
	CHECK_EQ_INT(info.laddr, OUR_IP);
	CHECK_EQ_INT(info.raddr, PEER_IP);
	CHECK_EQ_INT(info.lport, LPORT);
	CHECK_EQ_INT(info.rport, RPORT);
	CHECK_EQ_INT(info.sendq, 100);
	CHECK_EQ_INT(info.srtt_us, 100000);
	CHECK_EQ_INT(info.rto_ms, 300);
	CHECK_EQ_STR(info.timer, "rexmt");
	CHECK_EQ_INT(info.timer_ms, 300);
	CHECK_EQ_INT(info.mem_bytes, sizeof *c + 262144 + 131072);
	fx_tcp_end(c, NULL);
}

int main(void)
{
	check_suite = "tcp_data";
	fill_pattern();
	RUN(test_delayed_ack_40ms);
	RUN(test_every_second_segment_acked_at_once);
	RUN(test_send_and_receive_across_the_wrap);
	RUN(test_out_of_order_then_fill);
	RUN(test_sack_blocks_reported);
	RUN(test_no_sack_unless_both_offer);
	RUN(test_duplicate_and_overlapping_data);
	RUN(test_fin_with_data);
	RUN(test_out_of_order_fin_waits_for_the_hole);
	RUN(test_segments_by_mss_and_cwnd);
	RUN(test_nagle_and_nodelay);
	RUN(test_peer_window_is_scaled);
	RUN(test_receive_more_than_64k_unread);
	RUN(test_window_closes_and_reopens);
	RUN(test_rto_schedule_and_karn);
	RUN(test_rto_gives_up);
	RUN(test_fast_retransmit_and_recovery);
	RUN(test_newreno_partial_ack_retransmits_next_hole);
	RUN(test_zero_window_and_persist);
	RUN(test_small_window_sent_by_persist);
	RUN(test_keepalive);
	RUN(test_send_buffer_bounded);
	RUN(test_info_for_netstat);
	return check_report();
}
