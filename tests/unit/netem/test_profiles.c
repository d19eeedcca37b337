/* The standard fault profiles (robustness catalog 2b) of net/netem.c: each
 * one's statistics over many frames with a fixed seed. Frames go out
 * through netem_output on the fake link, one or more per simulated
 * millisecond; each carries its sequence number in every 32-bit word, so
 * a frame is recognised even when corrupted, and compared with what was
 * sent. The bounds are the profile's rate plus or minus about four
 * standard deviations: with the fixed seed the run is deterministic, and
 * the bounds say what the numbers mean. */
#include "net/netem.h"
#include "tests/unit/net/net_fixture.h"

enum {
	MAX_OUT = 24000,
	FRAME_LEN = 1000,
	WORDS = FRAME_LEN / 4,
	SEED = 2024,
};

/* What came out of the link, in order. */
static struct {
	unsigned n;
	uint32_t seq[MAX_OUT];
	uint64_t sent_ms[MAX_OUT];   /* when the frame was handed to netem */
	uint64_t out_ms[MAX_OUT];
	uint8_t bits[MAX_OUT];       /* bits differing from what was sent (capped) */
	uint8_t run[MAX_OUT];        /* length of the changed byte range */
	bool run_all_changed[MAX_OUT];
} out;

static uint64_t sent_at[MAX_OUT];
static unsigned not_sent;        /* the pool was empty (counted, not hidden) */

static void frame_fill(uint8_t *p, uint32_t seq)
{
	for (unsigned w = 0; w < WORDS; w++)
		be32_put(p + 4 * w, seq);
}

/* The sequence number most words of the frame agree on. */
static uint32_t frame_seq(const uint8_t *p)
{
	uint32_t a = be32_get(p), b = be32_get(p + 4 * (WORDS / 2));
	return a == b ? a : be32_get(p + 4 * (WORDS - 1));
}

static void record(struct netbuf *nb)
{
	if (out.n >= MAX_OUT || nb->len != FRAME_LEN) {
		CHECK(out.n < MAX_OUT && nb->len == FRAME_LEN);
		return;
	}
	uint8_t want[FRAME_LEN];
	uint32_t seq = frame_seq(nb->data);
	frame_fill(want, seq);
	unsigned bits = 0;
	int first = -1, last = -1;
	for (unsigned i = 0; i < FRAME_LEN; i++) {
		if (nb->data[i] == want[i])
			continue;
		bits += (unsigned)__builtin_popcount(nb->data[i] ^ want[i]);
		if (first < 0)
			first = (int)i;
		last = (int)i;
	}
	unsigned k = out.n++;
	out.seq[k] = seq;
	out.sent_ms[k] = seq < MAX_OUT ? sent_at[seq] : 0;
	out.out_ms[k] = sys_now_ms();
	out.bits[k] = (uint8_t)(bits > 255 ? 255 : bits);
	out.run[k] = (uint8_t)(first < 0 ? 0 : (last - first + 1 > 255 ? 255 : last - first + 1));
	out.run_all_changed[k] = true;
	for (int i = first; first >= 0 && i <= last; i++)
		if (nb->data[i] == want[i])
			out.run_all_changed[k] = false;
}

static void drain(void)
{
	struct netbuf *nb;
	while ((nb = fx_pop()) != NULL) {
		record(nb);
		netbuf_free(nb);
	}
}

static void send_frame(uint32_t seq)
{
	struct netbuf *nb = netbuf_alloc();
	if (!nb) {
		not_sent++;
		return;
	}
	frame_fill(netbuf_put(nb, FRAME_LEN), seq);
	sent_at[seq] = sys_now_ms();
	CHECK_EQ_INT(netem_output(&eth0.nif, nb), NET_OK);
}

static void step_ms(unsigned ms)
{
	for (unsigned i = 0; i < ms; i++) {
		fake_clock_advance(1);
		net_tick(sys_now_ms());
		drain();
	}
}

/* Send frames through profile p (seed SEED unless seed): per_ms frames
 * every every_ms milliseconds, then let the held ones out. */
static struct netem_stats pump_seed(const char *name, unsigned frames, unsigned per_ms, unsigned every_ms,
				    uint64_t seed)
{
	const struct netem_profile *p = netem_profile_find(name);
	struct netem_stats st;
	memset(&st, 0, sizeof st);
	memset(&out, 0, sizeof out);
	not_sent = 0;
	CHECK(p != NULL);
	if (!p)
		return st;
	fx_setup();
	struct netem_config cfg = p->cfg;
	cfg.seed = seed;
	CHECK_EQ_INT(netem_configure(&eth0.nif, &cfg), NET_OK);
	for (unsigned i = 0; i < frames; i++) {
		send_frame(i);
		drain();
		if ((i + 1) % per_ms == 0)
			step_ms(every_ms);
	}
	step_ms(NETEM_DELAY_MAX_MS + 1000);
	CHECK(netem_status(&eth0.nif, NULL, &st));
	CHECK_EQ_INT(not_sent, 0);
	netem_disable(&eth0.nif);
	fx_teardown();
	return st;
}

static struct netem_stats pump(const char *name, unsigned frames, unsigned per_ms, unsigned every_ms)
{
	return pump_seed(name, frames, per_ms, every_ms, SEED);
}

/* lo <= 1e6 * part / whole <= hi, in ppm. */
static bool ppm_between(uint64_t part, uint64_t whole, uint32_t lo, uint32_t hi)
{
	uint64_t ppm = whole ? part * NETEM_PPM / whole : 0;
	return ppm >= lo && ppm <= hi;
}

/* The rate the frames left at, in kbit/s (the wire's overhead counted). */
static uint64_t out_kbit(void)
{
	uint64_t span = out.out_ms[out.n - 1] - out.out_ms[0];
	return (uint64_t)out.n * (FRAME_LEN + NETEM_WIRE_OVERHEAD) * 8 / (span ? span : 1);
}

static unsigned inversions(void)
{
	unsigned n = 0;
	for (unsigned i = 1; i < out.n; i++)
		n += out.seq[i] < out.seq[i - 1];
	return n;
}

/* Each of the first `frames` sequence numbers came out exactly once. */
static bool each_once(unsigned frames)
{
	static uint8_t seen[MAX_OUT];
	memset(seen, 0, sizeof seen);
	for (unsigned i = 0; i < out.n; i++)
		if (out.seq[i] < MAX_OUT)
			seen[out.seq[i]]++;
	for (unsigned i = 0; i < frames; i++)
		if (seen[i] != 1)
			return false;
	return out.n == frames;
}

static void delay_range(uint64_t *lo, uint64_t *hi)
{
	*lo = UINT64_MAX;
	*hi = 0;
	for (unsigned i = 0; i < out.n; i++) {
		uint64_t d = out.out_ms[i] - out.sent_ms[i];
		*lo = d < *lo ? d : *lo;
		*hi = d > *hi ? d : *hi;
	}
}

static void test_every_profile_named_and_valid(void)
{
	static const char *const names[] = { "clean",	  "lan",	 "wan",	       "lossy-2", "burst",
					     "reorder",	  "dup",	 "corrupt",    "blackout-3", "blackout-30",
					     "long-fat",  "congestion", "chaos",      "stress" };
	unsigned count = 0;
	while (netem_profile_at(count))
		count++;
	CHECK_EQ_INT(count, sizeof names / sizeof names[0]);
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		const struct netem_profile *p = netem_profile_find(names[i]);
		CHECK(p != NULL);
		if (!p)
			continue;
		CHECK(netem_profile_find(p->id) == p);
		fx_setup();
		CHECK_EQ_INT(netem_configure(&eth0.nif, &p->cfg), NET_OK);
		netem_disable(&eth0.nif);
		fx_teardown();
	}
	char id[16];
	for (int i = 0; i <= 12; i++) {
		snprintf(id, sizeof id, "P%d", i);
		CHECK(netem_profile_find(id) != NULL);
	}
	CHECK(netem_profile_find("LOSSY-2") == netem_profile_find("p3"));
	CHECK(netem_profile_find("blackout-3") == netem_profile_find("P8"));
	CHECK(netem_profile_find("P13") == NULL);
	CHECK(netem_profile_find("") == NULL);
}

static void test_bad_settings_refused(void)
{
	fx_setup();
	struct netem_config c = { .ge_p_ppm = 10000 };   /* a bad state with no way out */
	CHECK_EQ_INT(netem_configure(&eth0.nif, &c), NET_EINVAL);
	c = (struct netem_config){ .corrupt_bytes = NETEM_CORRUPT_BYTES_MAX + 1 };
	CHECK_EQ_INT(netem_configure(&eth0.nif, &c), NET_EINVAL);
	c = (struct netem_config){ .rate_kbit = NETEM_RATE_MAX_KBIT + 1 };
	CHECK_EQ_INT(netem_configure(&eth0.nif, &c), NET_EINVAL);
	c = (struct netem_config){ .limit = NETEM_LIMIT_DEFAULT + 1, .rate_kbit = 1000 };
	CHECK_EQ_INT(netem_configure(&eth0.nif, &c), NET_EINVAL);
	c = (struct netem_config){ .jitter_ms = NETEM_DELAY_MAX_MS + 1 };
	CHECK_EQ_INT(netem_configure(&eth0.nif, &c), NET_EINVAL);
	c = (struct netem_config){ .blackout_ms = NETEM_BLACKOUT_MAX_MS + 1 };
	CHECK_EQ_INT(netem_configure(&eth0.nif, &c), NET_EINVAL);
	CHECK(eth0.nif.netem == NULL);
	fx_teardown();
}

/* P0: everything out at once, untouched. */
static void test_p0_clean(void)
{
	struct netem_stats st = pump("clean", 2000, 1, 1);
	CHECK(each_once(2000));
	CHECK_EQ_INT(inversions(), 0);
	uint64_t lo, hi;
	delay_range(&lo, &hi);
	CHECK_EQ_INT(hi, 0);
	CHECK_EQ_INT(st.passed[NETEM_TX], 2000);
}

/* P1: exactly 1 ms, order kept. */
static void test_p1_lan(void)
{
	pump("lan", 2000, 1, 1);
	CHECK(each_once(2000));
	CHECK_EQ_INT(inversions(), 0);
	uint64_t lo, hi;
	delay_range(&lo, &hi);
	CHECK_EQ_INT(lo, 1);
	CHECK_EQ_INT(hi, 1);
}

/* P2: 25 +- 5 ms (plus under 1 ms on the wire), spread over the whole
 * range, which reorders frames 2 ms apart; offered 2x the rate, it
 * delivers 20 Mbit/s and drops beyond the 200-frame queue. */
static void test_p2_wan(void)
{
	pump("wan", 5000, 1, 2);
	CHECK(each_once(5000));
	uint64_t lo, hi;
	delay_range(&lo, &hi);
	CHECK(lo >= 20 && lo <= 21);
	CHECK(hi >= 30 && hi <= 31);
	CHECK(inversions() > 100);

	/* 5 frames of 1000 bytes a millisecond: 40 Mbit/s offered. */
	struct netem_stats st = pump("wan", 20000, 5, 1);
	CHECK(st.over_limit[NETEM_TX] > 0);
	CHECK_EQ_INT(st.queue_full[NETEM_TX], 0);
	CHECK_EQ_INT(out.n + st.over_limit[NETEM_TX], 20000);
	CHECK(out_kbit() >= 19000 && out_kbit() <= 21000);
}

/* P3: 2% lost, the rest 10 ms late. */
static void test_p3_lossy2(void)
{
	struct netem_stats st = pump("lossy-2", 20000, 1, 1);
	CHECK(ppm_between(st.dropped[NETEM_TX], 20000, 16000, 24000));
	CHECK_EQ_INT(out.n + st.dropped[NETEM_TX], 20000);
	uint64_t lo, hi;
	delay_range(&lo, &hi);
	CHECK(lo == 10 && hi == 10);
	CHECK_EQ_INT(inversions(), 0);
}

/* P4: Gilbert-Elliott p 1% r 25%: p / (p + r) = 3.85% lost, in runs of
 * mean 1 / r = 4 frames. */
static void test_p4_burst(void)
{
	struct netem_stats st = pump("burst", 20000, 1, 1);
	CHECK(ppm_between(st.burst_lost[NETEM_TX], 20000, 30000, 47000));
	CHECK_EQ_INT(st.dropped[NETEM_TX], 0);
	/* Runs of missing sequence numbers. */
	unsigned runs = 0, lost = 0, longest = 0;
	uint32_t expect = 0;
	for (unsigned i = 0; i <= out.n; i++) {
		uint32_t seq = i < out.n ? out.seq[i] : 20000;
		if (seq > expect) {
			runs++;
			lost += seq - expect;
			longest = seq - expect > longest ? seq - expect : longest;
		}
		expect = seq + 1;
	}
	CHECK_EQ_INT(lost, st.burst_lost[NETEM_TX]);
	CHECK(runs > 0);
	unsigned mean_x10 = runs ? lost * 10 / runs : 0;
	CHECK(mean_x10 >= 33 && mean_x10 <= 47);
	CHECK(longest >= 10);   /* bursts, not single losses */
}

/* P5: 25% held 5 ms longer behind a 10 ms delay: overtaken, none lost. */
static void test_p5_reorder(void)
{
	struct netem_stats st = pump("reorder", 20000, 1, 1);
	CHECK(each_once(20000));
	CHECK(ppm_between(st.reordered[NETEM_TX], 20000, 235000, 265000));
	CHECK(inversions() > 3000);
	uint64_t lo, hi;
	delay_range(&lo, &hi);
	CHECK(lo == 10 && hi == 10 + NETEM_REORDER_EXTRA_MS);
}

/* P6: 5% come out twice, identical. */
static void test_p6_dup(void)
{
	struct netem_stats st = pump("dup", 20000, 1, 1);
	CHECK(ppm_between(st.duplicated[NETEM_TX], 20000, 44000, 56000));
	CHECK_EQ_INT(out.n, 20000 + st.duplicated[NETEM_TX]);
	unsigned twice = 0;
	for (unsigned i = 1; i < out.n; i++) {
		twice += out.seq[i] == out.seq[i - 1];
		CHECK(out.bits[i] == 0);
	}
	CHECK_EQ_INT(twice, st.duplicated[NETEM_TX]);
}

/* P7: 1% corrupted, about half by one bit, half by a run of 2..8 bytes
 * every one of which changed. */
static void test_p7_corrupt(void)
{
	struct netem_stats st = pump("corrupt", 20000, 1, 1);
	CHECK_EQ_INT(out.n, 20000);
	CHECK(ppm_between(st.corrupted[NETEM_TX], 20000, 8000, 12000));
	unsigned one_bit = 0, runs = 0, other = 0;
	for (unsigned i = 0; i < out.n; i++) {
		if (out.bits[i] == 0)
			continue;
		if (out.bits[i] == 1)
			one_bit++;
		else if (out.run[i] >= 2 && out.run[i] <= NETEM_CORRUPT_BYTES_MAX && out.run_all_changed[i])
			runs++;
		else
			other++;
	}
	CHECK_EQ_INT(other, 0);
	CHECK_EQ_INT(one_bit + runs, st.corrupted[NETEM_TX]);
	CHECK_EQ_INT(runs, st.bytes_corrupted[NETEM_TX]);
	CHECK(ppm_between(runs, st.corrupted[NETEM_TX], 350000, 650000));
}

/* P8: four frames pass, then nothing for exactly 3 s, then all again. */
static void test_p8_blackout(void)
{
	/* One frame every 10 ms for 5 s. */
	struct netem_stats st = pump("blackout-3", 500, 1, 10);
	CHECK_EQ_INT(st.blackout_lost[NETEM_TX], 300);
	CHECK_EQ_INT(out.n, 200);
	for (unsigned i = 0; i < out.n; i++)
		CHECK(out.seq[i] < 4 || out.seq[i] >= 304);
	CHECK(out.n > 4 && out.out_ms[4] - out.out_ms[3] >= 3000 && out.out_ms[4] - out.out_ms[3] <= 3010);

	st = pump("blackout-30", 4000, 1, 10);
	CHECK_EQ_INT(st.blackout_lost[NETEM_TX], 3000);
	CHECK_EQ_INT(out.n, 1000);
}

/* P9: 300 ms late plus its time on a 10 Mbit/s wire; a window's worth
 * in flight fits the hold queue. */
static void test_p9_long_fat(void)
{
	struct netem_stats st = pump("long-fat", 3000, 1, 1);
	CHECK(each_once(3000));
	CHECK_EQ_INT(st.queue_full[NETEM_TX], 0);
	uint64_t lo, hi;
	delay_range(&lo, &hi);
	CHECK(lo >= 300 && hi <= 302);
}

/* P10: a burst of 100 at once: the one on the wire and 10 queued go, the
 * rest are dropped; offered 2x, it carries the full 20 Mbit/s. */
static void test_p10_congestion(void)
{
	struct netem_stats st = pump("congestion", 100, 100, 1);
	CHECK_EQ_INT(out.n, 10);
	CHECK_EQ_INT(st.over_limit[NETEM_TX], 90);

	st = pump("congestion", 10000, 5, 1);
	CHECK_EQ_INT(out.n + st.over_limit[NETEM_TX], 10000);
	CHECK(out_kbit() >= 19000 && out_kbit() <= 21000);
}

/* P11: each impairment at its rate, delays within 20 +- 5 (+5 reordered). */
static void test_p11_chaos(void)
{
	struct netem_stats st = pump("chaos", 20000, 1, 1);
	CHECK(ppm_between(st.dropped[NETEM_TX], 20000, 7000, 13000));
	CHECK(ppm_between(st.duplicated[NETEM_TX], 20000, 7000, 13000));
	CHECK(ppm_between(st.reordered[NETEM_TX], 20000, 41000, 59000));
	CHECK(st.corrupted[NETEM_TX] >= 5 && st.corrupted[NETEM_TX] <= 40);
	CHECK_EQ_INT(out.n + st.dropped[NETEM_TX], 20000 + st.duplicated[NETEM_TX]);
	uint64_t lo, hi;
	delay_range(&lo, &hi);
	CHECK(lo >= 15 && hi <= 25 + NETEM_REORDER_EXTRA_MS);
}

/* P12: 15% lost, 15% of the rest corrupted; a burst meets the queue of 4. */
static void test_p12_stress(void)
{
	/* One frame every 10 ms: under the 1 Mbit/s, so no queue drops. */
	struct netem_stats st = pump("stress", 3000, 1, 10);
	CHECK_EQ_INT(st.over_limit[NETEM_TX], 0);
	CHECK(ppm_between(st.dropped[NETEM_TX], 3000, 120000, 180000));
	CHECK(ppm_between(st.corrupted[NETEM_TX], 3000 - st.dropped[NETEM_TX], 120000, 180000));
	st = pump("stress", 50, 50, 1);
	CHECK(out.n <= 4);
	CHECK(st.over_limit[NETEM_TX] >= 50 - 4 - st.dropped[NETEM_TX]);
}

/* The same seed gives the same frames in the same order; another does not. */
static void test_chaos_deterministic(void)
{
	static uint32_t first[MAX_OUT];
	pump_seed("chaos", 5000, 1, 1, 5);
	unsigned n1 = out.n;
	memcpy(first, out.seq, sizeof first);
	pump_seed("chaos", 5000, 1, 1, 5);
	CHECK_EQ_INT(out.n, n1);
	CHECK_EQ_MEM(out.seq, first, n1 * sizeof first[0]);
	pump_seed("chaos", 5000, 1, 1, 6);
	CHECK(out.n != n1 || memcmp(out.seq, first, n1 * sizeof first[0]) != 0);
}

int main(void)
{
	check_suite = "netem.profiles";
	RUN(test_every_profile_named_and_valid);
	RUN(test_bad_settings_refused);
	RUN(test_p0_clean);
	RUN(test_p1_lan);
	RUN(test_p2_wan);
	RUN(test_p3_lossy2);
	RUN(test_p4_burst);
	RUN(test_p5_reorder);
	RUN(test_p6_dup);
	RUN(test_p7_corrupt);
	RUN(test_p8_blackout);
	RUN(test_p9_long_fat);
	RUN(test_p10_congestion);
	RUN(test_p11_chaos);
	RUN(test_p12_stress);
	RUN(test_chaos_deterministic);
	return check_report();
}
