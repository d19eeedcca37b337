/* The fault injector: each impairment alone, determinism for a seed, and
 * held frames released on time, in order, and on disable. */
#include "net/netem.h"
#include "tests/unit/net/net_fixture.h"

enum { ECHO_ID = 0x4242 };

/* An echo request from PEER; the stack answers it out of eth0. */
static void inject_echo(uint16_t seq)
{
	uint8_t p[64];
	uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	size_t n = fx_icmp(p, 8, 0, (uint32_t)ECHO_ID << 16 | seq, data, sizeof data);
	fx_inject_ipv4(PEER_IP, OUR_IP, IPV4_PROTO_ICMP, seq, 0, p, n);
}

/* The echo sequence number of a sent reply (Ethernet + 20-byte IPv4 + ICMP). */
static uint16_t reply_seq(const struct netbuf *nb)
{
	return be16_get(nb->data + ETH_HLEN + 20 + 6);
}

static void setup(const struct netem_config *cfg)
{
	fx_setup();
	fx_learn(PEER_IP, PEER_MAC);
	CHECK_EQ_INT(netem_configure(&eth0.nif, cfg), NET_OK);
}

static void teardown(void)
{
	netem_disable(&eth0.nif);
	fx_teardown();
}

static void test_off_passes_everything(void)
{
	struct netem_config cfg = { .seed = 1 };
	setup(&cfg);
	for (int i = 1; i <= 20; i++)
		inject_echo((uint16_t)i);
	CHECK_EQ_INT(fx_tx_pending(), 20);
	struct netem_stats st;
	CHECK(netem_status(&eth0.nif, NULL, &st));
	CHECK_EQ_INT(st.passed[NETEM_RX], 20);
	CHECK_EQ_INT(st.passed[NETEM_TX], 20);
	teardown();
}

static void test_total_loss_each_direction(void)
{
	struct netem_config cfg = { .loss_ppm = NETEM_PPM, .seed = 1 };
	setup(&cfg);
	inject_echo(1);
	CHECK_EQ_INT(fx_tx_pending(), 0);
	struct netem_stats st;
	netem_status(&eth0.nif, NULL, &st);
	CHECK_EQ_INT(st.dropped[NETEM_RX], 1);
	CHECK_EQ_INT(st.dropped[NETEM_TX], 0);
	teardown();
}

/* The same seed and input give the same decisions; another seed differs. */
static unsigned lossy_run(uint64_t seed, uint8_t *pattern)
{
	struct netem_config cfg = { .loss_ppm = NETEM_PPM / 2, .seed = seed };
	setup(&cfg);
	unsigned got = 0;
	for (int i = 0; i < 200; i++) {
		inject_echo((uint16_t)i);
		pattern[i] = (uint8_t)fx_tx_pending();
		got += fx_tx_pending();
		fake_link_flush(&eth0);
	}
	teardown();
	return got;
}

static void test_seeded_loss_is_deterministic(void)
{
	uint8_t a[200], b[200], c[200];
	unsigned na = lossy_run(7, a), nb = lossy_run(7, b), nc = lossy_run(8, c);
	CHECK_EQ_INT(na, nb);
	CHECK_EQ_MEM(a, b, sizeof a);
	CHECK(memcmp(a, c, sizeof a) != 0);
	/* Both directions lose half: about a quarter of the replies survive. */
	CHECK(na > 20 && na < 90);
	(void)nc;
}

static void test_delay_holds_until_due(void)
{
	struct netem_config cfg = { .delay_ms = 10, .seed = 1 };
	setup(&cfg);
	inject_echo(1);
	CHECK_EQ_INT(fx_tx_pending(), 0);
	CHECK_EQ_INT(net_next_deadline(), FX_T0 + 10);
	fake_clock_advance(9);
	net_tick(FX_T0 + 9);
	CHECK_EQ_INT(fx_tx_pending(), 0);
	fake_clock_advance(1);
	net_tick(FX_T0 + 10);
	/* Held on the way in, answered, and the answer held on the way out. */
	CHECK_EQ_INT(fx_tx_pending(), 0);
	fake_clock_advance(10);
	net_tick(FX_T0 + 20);
	CHECK_EQ_INT(fx_tx_pending(), 1);
	teardown();
}

static void test_duplication(void)
{
	struct netem_config cfg = { .dup_ppm = NETEM_PPM, .seed = 1 };
	setup(&cfg);
	inject_echo(1);
	/* Request duplicated on the way in (2 replies), each reply duplicated. */
	CHECK_EQ_INT(fx_tx_pending(), 4);
	teardown();
}

static unsigned bits_differ(const uint8_t *a, const uint8_t *b, size_t n)
{
	unsigned d = 0;
	for (size_t i = 0; i < n; i++)
		d += (unsigned)__builtin_popcount(a[i] ^ b[i]);
	return d;
}

static void test_corruption_flips_one_bit(void)
{
	struct netem_config cfg = { .corrupt_ppm = NETEM_PPM, .seed = 3 };
	setup(&cfg);
	uint8_t frame[100];
	for (size_t i = 0; i < sizeof frame; i++)
		frame[i] = (uint8_t)(i * 7);
	for (int round = 0; round < 20; round++) {
		struct netbuf *nb = netbuf_alloc();
		memcpy(netbuf_put(nb, sizeof frame), frame, sizeof frame);
		CHECK_EQ_INT(netem_output(&eth0.nif, nb), NET_OK);
		struct netbuf *out = fx_pop();
		CHECK(out != NULL);
		if (!out)
			break;
		CHECK_EQ_INT(out->len, sizeof frame);
		CHECK_EQ_INT(bits_differ(out->data, frame, sizeof frame), 1);
		netbuf_free(out);
	}
	struct netem_stats st;
	netem_status(&eth0.nif, NULL, &st);
	CHECK_EQ_INT(st.corrupted[NETEM_TX], 20);
	uint64_t before = st.corrupted[NETEM_RX];
	inject_echo(1);
	netem_status(&eth0.nif, NULL, &st);
	CHECK_EQ_INT(st.corrupted[NETEM_RX], before + 1);
	teardown();
}

static void test_reorder_changes_order_not_content(void)
{
	struct netem_config cfg = { .reorder_ppm = NETEM_PPM / 4, .seed = 11 };
	setup(&cfg);
	uint16_t order[64];
	unsigned n = 0;
	for (int i = 0; i < 64; i++) {
		inject_echo((uint16_t)i);
		struct netbuf *nb;
		while ((nb = fx_pop()) != NULL) {
			order[n++] = reply_seq(nb);
			netbuf_free(nb);
		}
		fake_clock_advance(1);
		net_tick(sys_now_ms());
	}
	fake_clock_advance(NETEM_REORDER_EXTRA_MS * 4);
	net_tick(sys_now_ms());
	struct netbuf *nb;
	while ((nb = fx_pop()) != NULL) {
		order[n < 64 ? n : 63] = reply_seq(nb);
		n++;
		netbuf_free(nb);
	}
	CHECK_EQ_INT(n, 64);
	bool seen[64] = { false }, inversion = false;
	for (unsigned i = 0; i < 64 && i < n; i++) {
		if (order[i] < 64)
			seen[order[i]] = true;
		if (i && order[i] < order[i - 1])
			inversion = true;
	}
	for (int i = 0; i < 64; i++)
		CHECK(seen[i]);
	CHECK(inversion);
	teardown();
}

static void test_disable_releases_held_frames(void)
{
	struct netem_config cfg = { .delay_ms = 1000, .seed = 1 };
	setup(&cfg);
	inject_echo(1);
	inject_echo(2);
	CHECK_EQ_INT(fx_tx_pending(), 0);
	netem_disable(&eth0.nif);
	/* Requests released in order and answered at once, without netem. */
	CHECK_EQ_INT(fx_tx_pending(), 2);
	struct netbuf *a = fx_pop(), *b = fx_pop();
	CHECK(a && b && reply_seq(a) == 1 && reply_seq(b) == 2);
	if (a)
		netbuf_free(a);
	if (b)
		netbuf_free(b);
	teardown();
}

static void test_bad_config_refused(void)
{
	fx_setup();
	struct netem_config cfg = { .loss_ppm = NETEM_PPM + 1 };
	CHECK_EQ_INT(netem_configure(&eth0.nif, &cfg), NET_EINVAL);
	cfg = (struct netem_config){ .delay_ms = NETEM_DELAY_MAX_MS + 1 };
	CHECK_EQ_INT(netem_configure(&eth0.nif, &cfg), NET_EINVAL);
	CHECK(eth0.nif.netem == NULL);
	fx_teardown();
}

int main(void)
{
	check_suite = "net.netem";
	RUN(test_off_passes_everything);
	RUN(test_total_loss_each_direction);
	RUN(test_seeded_loss_is_deterministic);
	RUN(test_delay_holds_until_due);
	RUN(test_duplication);
	RUN(test_corruption_flips_one_bit);
	RUN(test_reorder_changes_order_not_content);
	RUN(test_disable_releases_held_frames);
	RUN(test_bad_config_refused);
	return check_report();
}
