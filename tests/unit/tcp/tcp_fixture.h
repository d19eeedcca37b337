/* The TCP test kit: the real stack on the fake link (net_fixture.h), a
 * scripted peer at 10.0.2.3, and a fixture per TCP state.
 *
 * Both initial sequence numbers sit just below the 2^32 wrap (ours fixed
 * through tcp_isn_set_fixed), so every test crosses it. The peer's
 * segments are written as a template with overrides:
 *
 *   fx_peer(SEG(.seq = R + 1, .ack = L + 1, .flags = TCP_ACK_FLAG, .data = "hi", .len = 2));
 *
 * and ours are read back with fx_pop_seg / EXPECT_SEG / EXPECT_NOTHING.
 * fx_tcp_end() closes the test: it aborts what the test still holds, then
 * checks that no connection and no netbuf is left. */
#ifndef TESTS_UNIT_TCP_FIXTURE_H
#define TESTS_UNIT_TCP_FIXTURE_H

#include "net/tcp.h"
#include "net/tcp_conn.h"
#include "net/tcp_isn.h"
#include "net/tcp_wire.h"
#include "tests/unit/net/net_fixture.h"

#define L 0xfffffff0u   /* our ISS: 16 bytes below the wrap */
#define R 0xffffff80u   /* the peer's ISS: 128 bytes below it */
#define LPORT 80        /* our port (listener, or bound client) */
#define RPORT 40000     /* the peer's */
#define PEER_MSS 1000   /* the peer's MSS option in the fixtures */
#define PEER_WS 2       /* and its window scale */
#define RTT_MS 100      /* the handshake RTT the fixtures simulate */

/* One segment as the peer sends it or as we sent it. */
struct tseg {
	uint32_t seq, ack;
	uint8_t flags;
	uint32_t wnd;             /* field value (not scaled) */
	int mss, ws;              /* options: -1 absent */
	const uint8_t *opt_raw;   /* raw options instead (a multiple of 4 bytes) */
	size_t opt_len;
	const void *data;
	size_t len;
	uint16_t sport, dport;    /* 0: RPORT / LPORT */
	uint32_t src;             /* 0: PEER_IP */
	bool bad_sum;
	/* Filled by fx_pop_seg only. */
	struct tcp_opts opts;
	uint8_t hlen;
};

/* The template's defaults come first and the test's overrides after: the
 * override is the point, so GCC's warning about it is off here. */
#pragma GCC diagnostic ignored "-Woverride-init"
#define SEG(...) ((struct tseg){ .wnd = 8192, .mss = -1, .ws = -1, __VA_ARGS__ })
#define ACK TCP_ACK_FLAG
#define SYN TCP_SYN
#define FIN TCP_FIN
#define RST TCP_RST
#define PSH TCP_PSH

static uint8_t fx_rx_data[2048];

/* Build s as the peer's frame (Ethernet, IPv4, TCP) at f; returns its
 * length. */
static inline size_t fx_build(struct tseg s, uint8_t *f)
{
	struct tcp_hdr h;
	uint8_t *seg = f + ETH_HLEN + 20;

	memset(&h, 0, sizeof h);
	h.sport = s.sport ? s.sport : RPORT;
	h.dport = s.dport ? s.dport : LPORT;
	h.seq = s.seq;
	h.ack = s.ack;
	h.flags = s.flags;
	h.wnd = (uint16_t)s.wnd;
	if (s.mss >= 0) {
		h.opts.mss_ok = true;
		h.opts.mss = (uint16_t)s.mss;
	}
	if (s.ws >= 0) {
		h.opts.ws_ok = true;
		h.opts.ws = (uint8_t)s.ws;
	}
	size_t hlen = tcp_hdr_emit(seg, &h);
	if (s.opt_raw) {
		memcpy(seg + TCP_HLEN, s.opt_raw, s.opt_len);
		hlen = TCP_HLEN + s.opt_len;
		seg[TCP_OFF] = (uint8_t)((hlen / 4) << 4);
	}
	if (s.len)
		memcpy(seg + hlen, s.data, s.len);
	uint32_t src = s.src ? s.src : PEER_IP;
	be16_put(seg + TCP_SUM, 0);
	be16_put(seg + TCP_SUM, tcp_checksum(src, OUR_IP, seg, hlen + s.len));
	if (s.bad_sum)
		seg[TCP_SUM] ^= 0x40;
	fx_eth(f, OUR_MAC, PEER_MAC, ETH_P_IPV4);
	fx_ipv4(f + ETH_HLEN, src, OUR_IP, IPV4_PROTO_TCP, 1, 0x4000, 64, hlen + s.len);
	return ETH_HLEN + 20 + hlen + s.len;
}

/* Inject s as the peer's segment. */
static inline void fx_peer(struct tseg s)
{
	uint8_t f[1600];
	size_t n = fx_build(s, f);
	fake_link_inject(&eth0, f, n);
}

/* Decode a frame we sent (len bytes at p) as TCP into out: false if it is
 * not a well-formed TCP segment. Data is copied to fx_rx_data. */
static inline bool fx_parse_frame(const uint8_t *p, size_t len, struct tseg *out)
{
	struct tcp_hdr h;
	const uint8_t *ip = p + ETH_HLEN;

	memset(out, 0, sizeof *out);
	if (len < ETH_HLEN + 40 || be16_get(p + ETH_TYPE) != ETH_P_IPV4 || ip[IPV4_PROTO] != IPV4_PROTO_TCP ||
	    csum_compute(ip, 20) != 0)
		return false;
	size_t total = be16_get(ip + IPV4_TOTAL_LEN);
	if (total < 40 || total > len - ETH_HLEN)
		return false;
	size_t tlen = total - 20;
	const uint8_t *t = ip + 20;
	if (tcp_hdr_parse(t, tlen, &h) != TCP_PARSE_OK ||
	    tcp_checksum(be32_get(ip + IPV4_SRC), be32_get(ip + IPV4_DST), t, tlen) != 0)
		return false;
	out->seq = h.seq;
	out->ack = h.ack;
	out->flags = h.flags;
	out->wnd = h.wnd;
	out->sport = h.sport;
	out->dport = h.dport;
	out->src = be32_get(ip + IPV4_SRC);
	out->opts = h.opts;
	out->hlen = h.hlen;
	out->len = tlen - h.hlen;
	memcpy(fx_rx_data, t + h.hlen, out->len);
	out->data = fx_rx_data;
	return true;
}

/* The link answers ARP: a reply (from PEER_MAC) to any request we sent
 * for an address other than our own. Returns false for other frames. */
static inline bool fx_arp_answer(const struct netbuf *nb)
{
	const uint8_t *a = nb->data + ETH_HLEN;
	uint8_t f[60] = { 0 };

	if (nb->len < ETH_HLEN + 28 || be16_get(nb->data + ETH_TYPE) != ETH_P_ARP)
		return false;
	uint32_t target = be32_get(a + ARP_TPA);
	if (be16_get(a + ARP_OPER) != ARP_OP_REQUEST || target == OUR_IP)
		return true; /* ARP, but nothing to answer */
	uint8_t *r = f + fx_eth(f, OUR_MAC, PEER_MAC, ETH_P_ARP);
	be16_put(r + ARP_HTYPE, 1);
	be16_put(r + ARP_PTYPE, 0x0800);
	r[ARP_HLEN] = 6;
	r[ARP_PLEN] = 4;
	be16_put(r + ARP_OPER, ARP_OP_REPLY);
	memcpy(r + ARP_SHA, PEER_MAC, 6);
	be32_put(r + ARP_SPA, target);
	memcpy(r + ARP_THA, OUR_MAC, 6);
	be32_put(r + ARP_TPA, OUR_IP);
	fake_link_inject(&eth0, f, sizeof f);
	return true;
}

/* Pop the next frame we sent and decode it as TCP (false if none, or not
 * a well-formed TCP segment from us). ARP requests for the peer are
 * answered and skipped. Data is copied to fx_rx_data. */
static inline bool fx_pop_seg(struct tseg *out)
{
	struct netbuf *nb = fx_pop();

	memset(out, 0, sizeof *out);
	while (nb && be16_get(nb->data + ETH_TYPE) == ETH_P_ARP) {
		fx_arp_answer(nb);
		netbuf_free(nb);
		nb = fx_pop();
	}
	if (!nb)
		return false;
	bool ok = fx_parse_frame(nb->data, nb->len, out);
	netbuf_free(nb);
	return ok;
}

/* Pop one segment and check its sequence, acknowledgment (when the ACK
 * bit is expected), flags and length; the decoded segment is in fx_got. */
static struct tseg fx_got;
#define EXPECT_SEG(seq_, ack_, flags_, len_)                                              \
	do {                                                                              \
		if (!fx_pop_seg(&fx_got)) {                                               \
			CHECK_FAIL_AT(__FILE__, __LINE__, "expected a segment, none sent");     \
			break;                                                            \
		}                                                                         \
		CHECK_EQ_INT(fx_got.seq, (uint32_t)(seq_));                               \
		if ((flags_) & TCP_ACK_FLAG)                                              \
			CHECK_EQ_INT(fx_got.ack, (uint32_t)(ack_));                       \
		CHECK_EQ_INT(fx_got.flags, (flags_));                                     \
		CHECK_EQ_INT(fx_got.len, (len_));                                         \
	} while (0)
#define EXPECT_NOTHING() CHECK_EQ_INT(fx_tx_pending(), 0)

/* Move the clock and run the stack's timers. */
static inline void fx_advance(uint64_t ms)
{
	fake_clock_advance(ms);
	net_tick(sys_now_ms());
}

/* Run the clock forward ms, stopping at every timer deadline on the way
 * as netd would. */
static inline void fx_run(uint64_t ms)
{
	uint64_t end = sys_now_ms() + ms;
	for (;;) {
		uint64_t next = net_next_deadline();
		if (next > end)
			break;
		if (next > sys_now_ms())
			fake_clock_set(next);
		net_tick(sys_now_ms());
	}
	fake_clock_set(end);
	net_tick(end);
}

/* Run the clock forward in steps of step ms until a frame is sent or
 * max ms passed; returns the ms that passed. */
static inline uint64_t fx_advance_until_tx(uint64_t step, uint64_t max)
{
	uint64_t t = 0;
	while (fx_tx_pending() == 0 && t < max) {
		fx_advance(step);
		t += step;
	}
	return t;
}

/* ---- fixtures: one per state ---- */

static inline void fx_tcp_setup(void)
{
	fx_setup();
	tcp_init();
	tcp_isn_set_fixed(true, L);
	fx_learn(PEER_IP, PEER_MAC);
}

/* The connection of the test's 4-tuple, whoever holds it, or NULL. */
static inline struct tcp_conn *fx_conn(void)
{
	return tcp_conn_lookup(OUR_IP, LPORT, PEER_IP, RPORT);
}

/* Our listener on LPORT. */
static inline struct tcp_conn *tcp_fixture_listen(void)
{
	struct tcp_conn *l;

	fx_tcp_setup();
	l = tcp_conn_new();
	CHECK(l != NULL);
	CHECK_EQ_INT(tcp_conn_bind(l, 0, LPORT), NET_OK);
	CHECK_EQ_INT(tcp_conn_listen(l, 4), NET_OK);
	return l;
}

/* An active open from OUR_IP:LPORT to the peer: our SYN popped. */
static inline struct tcp_conn *tcp_fixture_syn_sent(void)
{
	struct tcp_conn *c;

	fx_tcp_setup();
	c = tcp_conn_new();
	CHECK(c != NULL);
	CHECK_EQ_INT(tcp_conn_bind(c, 0, LPORT), NET_OK);
	CHECK_EQ_INT(tcp_conn_connect(c, PEER_IP, RPORT), NET_OK);
	EXPECT_SEG(L, 0, SYN, 0);
	return c;
}

/* Active open, established after an RTT of RTT_MS: the peer's SYN-ACK
 * (MSS 1000, window scale 2, window 8192 << 2) and our ACK popped. */
static inline struct tcp_conn *tcp_fixture_established(void)
{
	struct tcp_conn *c = tcp_fixture_syn_sent();

	fake_clock_advance(RTT_MS);
	fx_peer(SEG(.seq = R, .ack = L + 1, .flags = SYN | ACK, .mss = PEER_MSS, .ws = PEER_WS));
	EXPECT_SEG(L + 1, R + 1, ACK, 0);
	CHECK_EQ_INT(tcp_conn_state(c), TCP_ESTABLISHED);
	return c;
}

/* Passive open: a SYN to the listener and our SYN-ACK popped; returns
 * the half-open child. */
static inline struct tcp_conn *tcp_fixture_syn_received(struct tcp_conn **listener)
{
	struct tcp_conn *l = tcp_fixture_listen();

	if (listener)
		*listener = l;
	fx_peer(SEG(.seq = R, .flags = SYN, .mss = PEER_MSS, .ws = PEER_WS));
	EXPECT_SEG(L, R + 1, SYN | ACK, 0);
	return fx_conn();
}

/* Passive open completed and accepted. */
static inline struct tcp_conn *tcp_fixture_established_passive(struct tcp_conn **listener)
{
	struct tcp_conn *l;

	tcp_fixture_syn_received(&l);
	fake_clock_advance(RTT_MS);
	fx_peer(SEG(.seq = R + 1, .ack = L + 1, .flags = ACK));
	EXPECT_NOTHING();
	struct tcp_conn *c = tcp_conn_accept(l);
	CHECK(c != NULL);
	if (listener)
		*listener = l;
	return c;
}

/* Established, then the application closed: our FIN popped. The
 * connection is an orphan now (use fx_conn()). */
static inline void tcp_fixture_fin_wait_1(void)
{
	struct tcp_conn *c = tcp_fixture_established();
	CHECK_EQ_INT(tcp_conn_close(c), NET_OK);
	EXPECT_SEG(L + 1, R + 1, FIN | ACK, 0);
	CHECK_EQ_INT(fx_conn()->state, TCP_FIN_WAIT_1);
}

static inline void tcp_fixture_fin_wait_2(void)
{
	tcp_fixture_fin_wait_1();
	fx_peer(SEG(.seq = R + 1, .ack = L + 2, .flags = ACK));
	EXPECT_NOTHING();
	CHECK_EQ_INT(fx_conn()->state, TCP_FIN_WAIT_2);
}

static inline void tcp_fixture_time_wait(void)
{
	tcp_fixture_fin_wait_2();
	fx_peer(SEG(.seq = R + 1, .ack = L + 2, .flags = FIN | ACK));
	EXPECT_SEG(L + 2, R + 2, ACK, 0);
	CHECK_EQ_INT(fx_conn()->state, TCP_TIME_WAIT);
}

/* Both FINs crossed: ours unacknowledged when the peer's came. */
static inline void tcp_fixture_closing(void)
{
	tcp_fixture_fin_wait_1();
	fx_peer(SEG(.seq = R + 1, .ack = L + 1, .flags = FIN | ACK));
	EXPECT_SEG(L + 2, R + 2, ACK, 0);
	CHECK_EQ_INT(fx_conn()->state, TCP_CLOSING);
}

/* The peer closed first; the application still holds the connection. */
static inline struct tcp_conn *tcp_fixture_close_wait(void)
{
	struct tcp_conn *c = tcp_fixture_established();
	fx_peer(SEG(.seq = R + 1, .ack = L + 1, .flags = FIN | ACK));
	EXPECT_SEG(L + 1, R + 2, ACK, 0);
	CHECK_EQ_INT(tcp_conn_state(c), TCP_CLOSE_WAIT);
	return c;
}

/* CLOSE_WAIT and the application closed: our FIN popped; an orphan. */
static inline void tcp_fixture_last_ack(void)
{
	struct tcp_conn *c = tcp_fixture_close_wait();
	CHECK_EQ_INT(tcp_conn_close(c), NET_OK);
	EXPECT_SEG(L + 1, R + 2, FIN | ACK, 0);
	CHECK_EQ_INT(fx_conn()->state, TCP_LAST_ACK);
}

/* End a test: abort the connections passed (NULL ends the list), then
 * check nothing is left: no connection, no netbuf, no allocation. */
static inline void fx_tcp_end(struct tcp_conn *c1, struct tcp_conn *c2)
{
	if (c1)
		tcp_conn_abort(c1);
	if (c2)
		tcp_conn_abort(c2);
	CHECK_EQ_INT(tcp_conn_count(), 0);
	tcp_init(); /* whatever a failed test left */
	fx_teardown();
}

#endif
