/* A long randomized soak: bulk transfers of several MiB between Pigeon's
 * TCP and a scripted peer across an impaired link (seeded loss,
 * duplication, reordering, delay and corruption in both directions),
 * each byte verified, ending with a full close and no leak.
 *
 * The peer is a small TCP of the test's own: a receiver that keeps
 * out-of-order data and ACKs every segment, and a sender with a fixed
 * window, go-back-N on timeout and retransmission on three duplicate
 * ACKs. It is deliberately simpler than Pigeon's; what is under test is
 * Pigeon's side. Time is simulated, one millisecond per step. */
#include <stdlib.h>

#include "tests/unit/tcp/tcp_fixture.h"

enum {
	SOAK_BYTES = 8 << 20,     /* per direction */
	LINK_MAX = 8192,          /* frames in flight per direction */
	SOAK_MSS = 1460,
	PEER_WIN = 256 * 1024,    /* the peer's receive window, announced with shift 2 */
	PEER_CWND = 64 * 1024,    /* the peer sender's fixed window */
	PEER_RTO_MS = 250,
	SIM_LIMIT_MS = 900 * 1000,
};

static uint8_t *pattern;       /* the bytes each side sends */
static uint8_t *peer_rx;       /* what the peer received, by offset */
static uint8_t *peer_have;     /* which of those it has */

/* ---- a seeded, impaired link ---- */

static uint32_t link_rng = 1;
static uint32_t rnd(void)
{
	link_rng ^= link_rng << 13;
	link_rng ^= link_rng >> 17;
	link_rng ^= link_rng << 5;
	return link_rng;
}
static bool chance(uint32_t per_mille)
{
	return rnd() % 1000 < per_mille;
}

struct impair {
	uint32_t loss, dup, reorder, corrupt; /* per mille */
	uint32_t delay_ms, jitter_ms;
};

struct frame {
	uint64_t due;
	size_t len;
	uint8_t data[1514];
};

struct link {
	struct frame *f;
	size_t n;
	struct impair im;
	uint64_t sent, dropped, duplicated, corrupted;
};

static struct link to_peer, to_us;

static void link_send(struct link *l, const uint8_t *p, size_t len, uint64_t now)
{
	l->sent++;
	if (chance(l->im.loss)) {
		l->dropped++;
		return;
	}
	int copies = chance(l->im.dup) ? 2 : 1;
	l->duplicated += (uint64_t)(copies - 1);
	for (int i = 0; i < copies && l->n < LINK_MAX && len <= sizeof l->f[0].data; i++) {
		struct frame *fr = &l->f[l->n++];
		fr->due = now + l->im.delay_ms + (chance(l->im.reorder) ? 1 + rnd() % l->im.jitter_ms : 0);
		fr->len = len;
		memcpy(fr->data, p, len);
		if (chance(l->im.corrupt) && len > ETH_HLEN + 20) {
			/* One flipped bit past the IPv4 header: TCP's checksum must catch it. */
			size_t at = ETH_HLEN + 20 + rnd() % (len - ETH_HLEN - 20);
			fr->data[at] ^= (uint8_t)(1u << (rnd() % 8));
			l->corrupted++;
		}
	}
}

/* Take the next due frame (in due order, then sending order); false if none. */
static bool link_take(struct link *l, uint64_t now, struct frame *out)
{
	size_t best = l->n;
	for (size_t i = 0; i < l->n; i++)
		if (l->f[i].due <= now && (best == l->n || l->f[i].due < l->f[best].due))
			best = i;
	if (best == l->n)
		return false;
	*out = l->f[best];
	memmove(&l->f[best], &l->f[best + 1], (l->n - best - 1) * sizeof l->f[0]);
	l->n--;
	return true;
}

/* ---- the scripted peer ---- */

struct peer {
	bool synced;              /* handshake done from the peer's view */
	uint32_t irs, iss;        /* Pigeon's ISS, the peer's ISS */
	/* receiving */
	uint32_t rcv_nxt;
	size_t rx_contig;         /* bytes received in order */
	bool fin_rcvd;
	/* sending: tx_total bytes, then a FIN at iss + 1 + tx_total */
	size_t tx_total;
	uint32_t snd_una, snd_nxt, snd_max;
	uint32_t wnd;             /* Pigeon's window, scaled */
	int dupacks;
	uint64_t rto_at;
	bool fin_sent, fin_acked;
	bool rst_seen;
};

static struct peer P;

static uint32_t peer_fin_seq(void)
{
	return P.iss + 1 + (uint32_t)P.tx_total;
}

static void peer_emit(uint32_t seq, uint8_t flags, const uint8_t *data, size_t len, uint64_t now, bool syn_opts)
{
	uint8_t f[1600];
	struct tseg s = SEG(.seq = seq, .ack = P.rcv_nxt, .flags = flags, .data = data, .len = len);

	s.wnd = PEER_WIN / 4 - 1; /* 16-bit field, shift 2 */
	if (syn_opts) {
		s.mss = SOAK_MSS;
		s.ws = 2;
		s.wnd = 65535;
	}
	link_send(&to_us, f, fx_build(s, f), now);
}

/* Send the segment at seq: data, or the FIN if seq is its place. */
static uint32_t peer_send_segment(uint32_t seq, uint32_t max_len, uint64_t now)
{
	size_t off = seq - (P.iss + 1);
	if (off < P.tx_total) {
		size_t len = P.tx_total - off < SOAK_MSS ? P.tx_total - off : SOAK_MSS;
		if (len > max_len)
			len = max_len;
		peer_emit(seq, ACK | PSH, pattern + off, len, now, false);
		return (uint32_t)len;
	}
	if (seq == peer_fin_seq() && P.fin_sent) {
		peer_emit(seq, ACK | FIN, NULL, 0, now, false);
		return 1;
	}
	return 0;
}

/* Send what the windows allow; then the FIN. */
static void peer_output(uint64_t now)
{
	if (!P.synced)
		return;
	uint32_t win = P.wnd < PEER_CWND ? P.wnd : PEER_CWND;
	while (SEQ_LT(P.snd_nxt, peer_fin_seq()) && SEQ_LT(P.snd_nxt, P.snd_una + win)) {
		uint32_t n = peer_send_segment(P.snd_nxt, P.snd_una + win - P.snd_nxt, now);
		P.snd_nxt += n;
		if (!P.rto_at)
			P.rto_at = now + PEER_RTO_MS;
	}
	/* A sending peer closes after its data; a receiving one once
	 * Pigeon has closed. */
	bool want_fin = P.tx_total ? true : P.fin_rcvd;
	if (want_fin && P.snd_nxt == peer_fin_seq() && !P.fin_acked) {
		P.fin_sent = true;
		peer_send_segment(P.snd_nxt, 1, now);
		P.snd_nxt++;
		if (!P.rto_at)
			P.rto_at = now + PEER_RTO_MS;
	}
	if (SEQ_GT(P.snd_nxt, P.snd_max))
		P.snd_max = P.snd_nxt;
}

/* A segment from Pigeon reaches the peer. */
static void peer_input(const struct tseg *s, uint64_t now)
{
	if (s->flags & RST) {
		P.rst_seen = true;
		return;
	}
	if (s->flags & SYN) {
		P.irs = s->seq;
		if (!P.fin_rcvd)
			P.rcv_nxt = s->seq + 1;
		if (!(s->flags & ACK)) {
			/* Pigeon connects: answer (again) with a SYN-ACK. */
			P.snd_una = P.iss;
			P.snd_nxt = P.snd_max = P.iss + 1;
			peer_emit(P.iss, SYN | ACK, NULL, 0, now, true);
			return;
		}
		if (s->ack != P.iss + 1)
			return;
		/* Our SYN answered: ACK it (again, for a copy). */
		if (!P.synced) {
			P.snd_una = P.snd_nxt = P.snd_max = P.iss + 1;
			P.wnd = s->wnd; /* unscaled in a SYN */
			P.synced = true;
			P.rto_at = 0;
		}
		peer_emit(P.snd_nxt, ACK, NULL, 0, now, false);
		return;
	}
	if (!(s->flags & ACK))
		return;
	if (!P.synced) {
		if (s->ack != P.iss + 1)
			return;
		P.synced = true; /* Pigeon's ACK of our SYN-ACK */
		P.snd_una = P.iss + 1;
	}
	/* The ACK field. */
	uint32_t wnd = (uint32_t)s->wnd << 3;
	if (SEQ_GT(s->ack, P.snd_una) && SEQ_LEQ(s->ack, P.snd_max)) {
		P.snd_una = s->ack;
		if (SEQ_LT(P.snd_nxt, P.snd_una))
			P.snd_nxt = P.snd_una;
		P.dupacks = 0;
		P.rto_at = P.snd_una == P.snd_max ? 0 : now + PEER_RTO_MS;
		if (P.fin_sent && P.snd_una == peer_fin_seq() + 1)
			P.fin_acked = true;
	} else if (s->ack == P.snd_una && s->len == 0 && !(s->flags & FIN) && P.snd_una != P.snd_max &&
		   wnd == P.wnd) {
		if (++P.dupacks == 3)
			peer_send_segment(P.snd_una, SOAK_MSS, now);
	}
	P.wnd = wnd;
	/* The text: kept wherever it lands. */
	bool ack_now = s->len > 0 || (s->flags & FIN);
	if (s->len && !P.fin_rcvd) {
		uint32_t off = s->seq - (P.irs + 1);
		for (size_t i = 0; i < s->len; i++) {
			size_t at = (size_t)off + i;
			if (at < SOAK_BYTES && !peer_have[at]) {
				peer_have[at] = 1;
				peer_rx[at] = ((const uint8_t *)s->data)[i];
			}
		}
		while (P.rx_contig < SOAK_BYTES && peer_have[P.rx_contig])
			P.rx_contig++;
		P.rcv_nxt = P.irs + 1 + (uint32_t)P.rx_contig;
	}
	if ((s->flags & FIN) && !P.fin_rcvd && s->seq + s->len == P.irs + 1 + (uint32_t)P.rx_contig) {
		P.fin_rcvd = true;
		P.rcv_nxt++;
	}
	if (ack_now)
		peer_emit(P.snd_nxt, ACK, NULL, 0, now, false);
}

static void peer_timer(uint64_t now)
{
	if (!P.rto_at || now < P.rto_at)
		return;
	P.rto_at = now + PEER_RTO_MS;
	if (!P.synced) {
		peer_emit(P.iss, SYN, NULL, 0, now, true);
		return;
	}
	P.dupacks = 0;
	if (P.wnd == 0)
		peer_send_segment(P.snd_una, SOAK_MSS, now); /* a probe: Pigeon ACKs it */
	else
		P.snd_nxt = P.snd_una;                        /* go back N */
}

/* ---- the run ---- */

static void soak_setup(uint32_t seed, const struct impair *im)
{
	fx_tcp_setup();
	tcp_isn_set_fixed(false, 0); /* RFC 6528 ISNs this time */
	tcp_settings.msl_ms = 2000;
	link_rng = seed;
	memset(&P, 0, sizeof P);
	P.iss = R;
	memset(peer_have, 0, SOAK_BYTES);
	memset(peer_rx, 0, SOAK_BYTES);
	to_peer.n = to_us.n = 0;
	to_peer.im = to_us.im = *im;
	to_peer.sent = to_peer.dropped = to_peer.duplicated = to_peer.corrupted = 0;
	to_us.sent = to_us.dropped = to_us.duplicated = to_us.corrupted = 0;
}

/* Move frames: Pigeon's out to the link, due ones to either side. */
static void soak_step(uint64_t now)
{
	struct netbuf *nb;
	struct frame fr;
	struct tseg s;

	fake_clock_set(now);
	net_tick(now);
	while ((nb = fx_pop())) {
		if (!fx_arp_answer(nb))
			link_send(&to_peer, nb->data, nb->len, now);
		netbuf_free(nb);
	}
	while (link_take(&to_peer, now, &fr))
		if (fx_parse_frame(fr.data, fr.len, &s) && s.dport == RPORT)
			peer_input(&s, now);
	peer_timer(now);
	peer_output(now);
	while (link_take(&to_us, now, &fr))
		fake_link_inject(&eth0, fr.data, fr.len);
}

/* Pigeon sends SOAK_BYTES to the peer and closes. */
static void soak_pigeon_sends(uint32_t seed, const struct impair *im)
{
	soak_setup(seed, im);
	uint64_t t0 = sys_now_ms(), now = t0;
	struct tcp_conn *c = tcp_conn_new();
	CHECK_EQ_INT(tcp_conn_bind(c, 0, LPORT), NET_OK);
	CHECK_EQ_INT(tcp_conn_connect(c, PEER_IP, RPORT), NET_OK);
	size_t sent = 0;
	bool closed = false;
	while (now - t0 < SIM_LIMIT_MS) {
		now++;
		if (!closed) {
			while (sent < SOAK_BYTES) {
				long n = tcp_conn_send(c, pattern + sent, SOAK_BYTES - sent);
				if (n <= 0) {
					CHECK(n == 0);
					break;
				}
				sent += (size_t)n;
			}
			if (sent == SOAK_BYTES) {
				tcp_conn_close(c);
				closed = true;
			}
		}
		soak_step(now);
		if (closed && tcp_conn_count() == 0 && P.fin_acked)
			break;
	}
	CHECK(closed);
	CHECK_EQ_INT(P.rx_contig, SOAK_BYTES);
	CHECK(P.fin_rcvd);
	CHECK(!P.rst_seen);
	CHECK_EQ_MEM(peer_rx, pattern, SOAK_BYTES);
	CHECK_EQ_INT(tcp_conn_count(), 0);
	printf("  send seed %u: %.1f s simulated, %llu retransmits, %llu fast, %llu rto, link %llu/%llu lost, "
	       "%llu dup, %llu corrupt\n",
	       seed, (double)(now - t0) / 1000, (unsigned long long)tcp_stats.retransmits,
	       (unsigned long long)tcp_stats.fast_retransmits, (unsigned long long)tcp_stats.rto_expired,
	       (unsigned long long)(to_peer.dropped + to_us.dropped),
	       (unsigned long long)(to_peer.sent + to_us.sent),
	       (unsigned long long)(to_peer.duplicated + to_us.duplicated),
	       (unsigned long long)(to_peer.corrupted + to_us.corrupted));
	fx_tcp_end(NULL, NULL);
}

/* The peer connects to Pigeon's listener and sends SOAK_BYTES; Pigeon's
 * reader pauses now and then, so the window shuts and reopens. */
static void soak_pigeon_receives(uint32_t seed, const struct impair *im)
{
	static uint8_t buf[65536];

	soak_setup(seed, im);
	uint64_t t0 = sys_now_ms(), now = t0;
	struct tcp_conn *l = tcp_conn_new();
	CHECK_EQ_INT(tcp_conn_bind(l, 0, LPORT), NET_OK);
	CHECK_EQ_INT(tcp_conn_listen(l, 1), NET_OK);
	P.tx_total = SOAK_BYTES;
	P.snd_una = P.iss;
	P.snd_nxt = P.snd_max = P.iss + 1;
	peer_emit(P.iss, SYN, NULL, 0, now, true);
	P.rto_at = now + PEER_RTO_MS;
	struct tcp_conn *c = NULL;
	size_t got = 0;
	bool eof = false, mismatch = false;
	while (now - t0 < SIM_LIMIT_MS) {
		now++;
		if (!c)
			c = tcp_conn_accept(l);
		/* Read in bursts, with a pause every 1.5 s of 300 ms. */
		bool pause = (now - t0) % 1500 < 300;
		if (c && !eof && !pause) {
			for (int i = 0; i < 4; i++) {
				long n = tcp_conn_recv(c, buf, sizeof buf);
				if (n == 0) {
					eof = true;
					tcp_conn_close(c);
					break;
				}
				if (n < 0) {
					CHECK(n == NET_EAGAIN);
					break;
				}
				if (got + (size_t)n > SOAK_BYTES || memcmp(buf, pattern + got, (size_t)n) != 0)
					mismatch = true;
				got += (size_t)n;
			}
		}
		soak_step(now);
		if (eof && tcp_conn_count() == 1 && P.fin_acked)
			break;
	}
	CHECK(!mismatch);
	CHECK_EQ_INT(got, SOAK_BYTES);
	CHECK(eof);
	CHECK(!P.rst_seen);
	CHECK_EQ_INT(tcp_conn_count(), 1); /* the listener */
	printf("  recv seed %u: %.1f s simulated, %llu out-of-order segments, %llu duplicate bytes, "
	       "%llu window updates, link %llu/%llu lost\n",
	       seed, (double)(now - t0) / 1000, (unsigned long long)tcp_stats.ooo_segments,
	       (unsigned long long)tcp_stats.dup_bytes, (unsigned long long)tcp_stats.window_updates,
	       (unsigned long long)(to_peer.dropped + to_us.dropped),
	       (unsigned long long)(to_peer.sent + to_us.sent));
	fx_tcp_end(l, NULL);
}

/* ---- Pigeon against Pigeon, through a hairpin ----
 *
 * Both ends are Pigeon's TCP in this one stack. The client connects to
 * VIRT_S:80; the link rewrites what it sends as coming from VIRT_C to
 * our own address, where the listener is; the server's answers to VIRT_C
 * are rewritten as coming from VIRT_S. Each packet crosses the impaired
 * link once, addresses and checksums fixed up on the way. */
#define VIRT_S IPV4_ADDR(10, 0, 2, 80)
#define VIRT_C IPV4_ADDR(10, 0, 2, 81)
enum { HAIRPIN_PORT = 80 };

/* Rewrite a frame Pigeon sent into the one it should receive; false if
 * it is not part of the hairpin. */
static bool hairpin_rewrite(uint8_t *f, size_t len)
{
	uint8_t *ip = f + ETH_HLEN;
	if (len < ETH_HLEN + 40 || be16_get(f + ETH_TYPE) != ETH_P_IPV4 || ip[IPV4_PROTO] != IPV4_PROTO_TCP)
		return false;
	uint32_t src = be32_get(ip + IPV4_SRC), dst = be32_get(ip + IPV4_DST);
	size_t tlen = be16_get(ip + IPV4_TOTAL_LEN) - 20u;
	uint8_t *t = ip + 20;
	uint32_t nsrc, ndst = OUR_IP;
	if (src != OUR_IP || tlen > len - ETH_HLEN - 20)
		return false;
	if (dst == VIRT_S && be16_get(t + TCP_DPORT) == HAIRPIN_PORT)
		nsrc = VIRT_C;          /* client to server */
	else if (dst == VIRT_C && be16_get(t + TCP_SPORT) == HAIRPIN_PORT)
		nsrc = VIRT_S;          /* server to client */
	else
		return false;
	memcpy(f + ETH_DST, OUR_MAC, 6);
	memcpy(f + ETH_SRC, PEER_MAC, 6);
	be32_put(ip + IPV4_SRC, nsrc);
	be32_put(ip + IPV4_DST, ndst);
	be16_put(ip + IPV4_CSUM, 0);
	be16_put(ip + IPV4_CSUM, csum_compute(ip, 20));
	be16_put(t + TCP_SUM, 0);
	be16_put(t + TCP_SUM, tcp_checksum(nsrc, ndst, t, tlen));
	return true;
}

static void test_soak_pigeon_to_pigeon(void)
{
	static const struct impair im = {
		.loss = 30, .dup = 10, .reorder = 150, .corrupt = 2, .delay_ms = 3, .jitter_ms = 6,
	};
	static uint8_t buf[65536];
	const size_t total = 2u << 20;

	soak_setup(21, &im);
	uint64_t t0 = sys_now_ms(), now = t0;
	struct tcp_conn *l = tcp_conn_new(), *srv = NULL, *cli = tcp_conn_new();
	CHECK_EQ_INT(tcp_conn_bind(l, 0, HAIRPIN_PORT), NET_OK);
	CHECK_EQ_INT(tcp_conn_listen(l, 1), NET_OK);
	CHECK_EQ_INT(tcp_conn_connect(cli, VIRT_S, HAIRPIN_PORT), NET_OK);
	/* Each side sends its own bytes: the client pattern from 0, the
	 * server pattern from 1 MiB on. */
	struct side {
		struct tcp_conn *c;
		const uint8_t *out;
		size_t sent, got;
		bool shut, eof, bad, closed;
	} side[2] = { { cli, pattern, 0, 0, false, false, false, false },
		      { NULL, pattern + (1u << 20), 0, 0, false, false, false, false } };
	while (now - t0 < SIM_LIMIT_MS) {
		struct netbuf *nb;
		struct frame fr;

		now++;
		if (!srv && (srv = tcp_conn_accept(l)) != NULL)
			side[1].c = srv;
		for (int i = 0; i < 2; i++) {
			struct side *sd = &side[i];
			const uint8_t *expect = side[1 - i].out;
			if (!sd->c || sd->closed)
				continue;
			while (sd->sent < total) {
				long n = tcp_conn_send(sd->c, sd->out + sd->sent, total - sd->sent);
				if (n <= 0)
					break;
				sd->sent += (size_t)n;
			}
			if (sd->sent == total && !sd->shut) {
				tcp_conn_shutdown_send(sd->c);
				sd->shut = true;
			}
			for (;;) {
				long n = tcp_conn_recv(sd->c, buf, sizeof buf);
				if (n == 0)
					sd->eof = true;
				if (n <= 0)
					break;
				if (sd->got + (size_t)n > total || memcmp(buf, expect + sd->got, (size_t)n))
					sd->bad = true;
				sd->got += (size_t)n;
			}
			if (sd->eof && sd->shut) {
				tcp_conn_close(sd->c);
				sd->closed = true;
			}
		}
		fake_clock_set(now);
		net_tick(now);
		while ((nb = fx_pop())) {
			if (!fx_arp_answer(nb) && hairpin_rewrite(nb->data, nb->len))
				link_send(&to_us, nb->data, nb->len, now);
			netbuf_free(nb);
		}
		while (link_take(&to_us, now, &fr))
			fake_link_inject(&eth0, fr.data, fr.len);
		if (side[0].closed && side[1].closed && tcp_conn_count() == 1)
			break;
	}
	for (int i = 0; i < 2; i++) {
		CHECK(!side[i].bad);
		CHECK_EQ_INT(side[i].got, total);
		CHECK(side[i].closed);
	}
	CHECK_EQ_INT(tcp_conn_count(), 1); /* the listener */
	printf("  pigeon<->pigeon: 2 x %zu bytes in %.1f s simulated, %llu retransmits, %llu fast, "
	       "%llu rto, %llu out-of-order segments, link %llu/%llu lost\n",
	       total, (double)(now - t0) / 1000, (unsigned long long)tcp_stats.retransmits,
	       (unsigned long long)tcp_stats.fast_retransmits, (unsigned long long)tcp_stats.rto_expired,
	       (unsigned long long)tcp_stats.ooo_segments, (unsigned long long)to_us.dropped,
	       (unsigned long long)to_us.sent);
	fx_tcp_end(l, NULL);
}

static const struct impair clean = { .delay_ms = 2, .jitter_ms = 1 };
/* Loss, duplication, reordering and corruption together. */
static const struct impair hostile = {
	.loss = 30, .dup = 10, .reorder = 100, .corrupt = 5, .delay_ms = 5, .jitter_ms = 8,
};
/* The issue's acceptance profile: loss 5%, reorder 25%, dup 1%, corrupt 0.1%, 10 ms. */
static const struct impair issue = {
	.loss = 50, .dup = 10, .reorder = 250, .corrupt = 1, .delay_ms = 10, .jitter_ms = 10,
};

static void test_soak_send_clean(void)
{
	soak_pigeon_sends(1, &clean);
}

static void test_soak_send_hostile(void)
{
	soak_pigeon_sends(7, &hostile);
}

static void test_soak_send_issue_profile(void)
{
	for (uint32_t seed = 1; seed <= 3; seed++)
		soak_pigeon_sends(seed, &issue);
}

static void test_soak_receive_clean(void)
{
	soak_pigeon_receives(2, &clean);
}

static void test_soak_receive_hostile(void)
{
	soak_pigeon_receives(11, &hostile);
}

static void test_soak_receive_issue_profile(void)
{
	for (uint32_t seed = 1; seed <= 3; seed++)
		soak_pigeon_receives(seed, &issue);
}

int main(void)
{
	check_suite = "tcp_soak";
	pattern = malloc(SOAK_BYTES);
	peer_rx = malloc(SOAK_BYTES);
	peer_have = malloc(SOAK_BYTES);
	to_peer.f = malloc(LINK_MAX * sizeof *to_peer.f);
	to_us.f = malloc(LINK_MAX * sizeof *to_us.f);
	uint32_t x = 12345;
	for (size_t i = 0; i < SOAK_BYTES; i++) {
		x = x * 1103515245u + 12345u;
		pattern[i] = (uint8_t)(x >> 16);
	}
	RUN(test_soak_send_clean);
	RUN(test_soak_send_hostile);
	RUN(test_soak_send_issue_profile);
	RUN(test_soak_receive_clean);
	RUN(test_soak_receive_hostile);
	RUN(test_soak_receive_issue_profile);
	RUN(test_soak_pigeon_to_pigeon);
	free(pattern);
	free(peer_rx);
	free(peer_have);
	free(to_peer.f);
	free(to_us.f);
	return check_report();
}
