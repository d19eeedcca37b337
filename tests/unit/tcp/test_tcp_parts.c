/* TCP's small parts alone: sequence arithmetic across the wrap, SipHash
 * against the reference vectors, RFC 6528 ISNs, the byte ring and the
 * reassembly ranges. */
#include <stdlib.h>

#include "net/tcp_isn.h"
#include "net/tcp_reass.h"
#include "net/tcp_ring.h"
#include "net/tcp_seq.h"
#include "tests/unit/check.h"
#include "tests/unit/net/fake_sys.h"

static void test_seq_compare_across_wrap(void)
{
	uint32_t a = 0xfffffff0u, b = 0x00000010u; /* b is 32 after a */

	CHECK(SEQ_LT(a, b));
	CHECK(SEQ_LEQ(a, b));
	CHECK(SEQ_GT(b, a));
	CHECK(SEQ_GEQ(b, a));
	CHECK(!SEQ_LT(b, a));
	CHECK(SEQ_LEQ(a, a) && SEQ_GEQ(a, a) && !SEQ_LT(a, a) && !SEQ_GT(a, a));
	CHECK_EQ_INT(SEQ_MAX(a, b), b);
	CHECK_EQ_INT(SEQ_MIN(a, b), a);
	CHECK(SEQ_IN(0u, a, b));
	CHECK(SEQ_IN(a, a, b));
	CHECK(!SEQ_IN(b, a, b));
	CHECK(!SEQ_IN(a - 1, a, b));
	/* Half the circle away is "after" by one and "before" by the other. */
	CHECK(SEQ_GT(0x7fffffffu, 0u));
	CHECK(SEQ_LT(0x80000001u, 0u));
}

static void test_siphash_reference_vectors(void)
{
	uint8_t key[16], msg[64];

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	/* From the SipHash paper's reference test vectors (key 00..0f,
	 * message 00..len-1). */
	CHECK(tcp_siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ull);
	CHECK(tcp_siphash24(key, msg, 15) == 0xa129ca6149be45e5ull);
	CHECK(tcp_siphash24(key, msg, 8) == 0x93f5f5799a932462ull);
}

static void test_isn_per_tuple_and_clock(void)
{
	fake_random_seed(7);
	tcp_isn_init();
	uint32_t a = tcp_isn(1, 2, 3, 4, 1000);
	uint32_t b = tcp_isn(1, 2, 3, 5, 1000);
	CHECK(a != b);                               /* each 4-tuple its own space */
	CHECK_EQ_INT(tcp_isn(1, 2, 3, 4, 1001) - a, 250); /* 4 us ticks: 250 a ms */
	CHECK_EQ_INT(tcp_isn(1, 2, 3, 4, 1000), a);  /* deterministic per key */
	tcp_isn_init();                              /* a new key, another space */
	CHECK(tcp_isn(1, 2, 3, 4, 1000) != a);
	tcp_isn_set_fixed(true, 0xfffffc00u);
	CHECK_EQ_INT(tcp_isn(9, 9, 9, 9, 5), 0xfffffc00u);
	tcp_isn_set_fixed(false, 0);
}

static void test_ring_wraps(void)
{
	uint8_t store[8], out[8];
	struct tcp_ring r;

	tcp_ring_init(&r, store, sizeof store);
	CHECK_EQ_INT(tcp_ring_write(&r, "abcdef", 6), 6);
	CHECK_EQ_INT(tcp_ring_read(&r, out, 4), 4);
	CHECK_EQ_MEM(out, "abcd", 4);
	/* Six more: only 6 fit (2 held), and they wrap around the end. */
	CHECK_EQ_INT(tcp_ring_write(&r, "ghijklmn", 8), 6);
	CHECK_EQ_INT(r.len, 8);
	CHECK_EQ_INT(tcp_ring_space(&r), 0);
	tcp_ring_peek(&r, 1, out, 6);
	CHECK_EQ_MEM(out, "fghijk", 6);
	CHECK_EQ_INT(tcp_ring_read(&r, out, 100), 8);
	CHECK_EQ_MEM(out, "efghijkl", 8);
	CHECK_EQ_INT(tcp_ring_consume(&r, 5), 0);
}

static void test_ring_write_ahead_survives_empty(void)
{
	uint8_t store[8], out[8];
	struct tcp_ring r;

	tcp_ring_init(&r, store, sizeof store);
	tcp_ring_write(&r, "ab", 2);
	tcp_ring_write_at(&r, 2, "EF", 2); /* bytes 4,5 arrive early */
	tcp_ring_read(&r, out, 2);         /* the ring empties meanwhile */
	tcp_ring_write_at(&r, 0, "cd", 2); /* then the hole fills */
	tcp_ring_commit(&r, 4);
	CHECK_EQ_INT(tcp_ring_read(&r, out, 8), 4);
	CHECK_EQ_MEM(out, "cdEF", 4);
}

static void test_reass_merge_and_advance(void)
{
	struct tcp_reass q;

	tcp_reass_init(&q);
	CHECK_EQ_INT(tcp_reass_add(&q, 10, 20), 0);
	CHECK_EQ_INT(tcp_reass_add(&q, 30, 40), 0);
	CHECK_EQ_INT(tcp_reass_add(&q, 20, 25), 0); /* touches the first: merged */
	CHECK_EQ_INT(q.count, 2);
	CHECK_EQ_INT(q.r[0].start, 10);
	CHECK_EQ_INT(q.r[0].end, 25);
	CHECK_EQ_INT(tcp_reass_add(&q, 5, 35), 0);  /* swallows both */
	CHECK_EQ_INT(q.count, 1);
	CHECK_EQ_INT(tcp_reass_bytes(&q), 35);
	CHECK_EQ_INT(tcp_reass_add(&q, 50, 60), 0);
	/* Five in-order bytes reach the range at 5: it joins. */
	CHECK_EQ_INT(tcp_reass_advance(&q, 5), 35);
	CHECK_EQ_INT(q.count, 1);
	CHECK_EQ_INT(q.r[0].start, 10); /* 50 - 40 */
	CHECK_EQ_INT(q.r[0].end, 20);
	/* In-order bytes that overlap part of a range. */
	CHECK_EQ_INT(tcp_reass_advance(&q, 15), 5);
	CHECK_EQ_INT(q.count, 0);
	CHECK_EQ_INT(tcp_reass_advance(&q, 3), 0);
}

static void test_reass_bounded(void)
{
	struct tcp_reass q;

	tcp_reass_init(&q);
	for (uint32_t i = 0; i < TCP_REASS_MAX; i++)
		CHECK_EQ_INT(tcp_reass_add(&q, 10 + 10 * i, 11 + 10 * i), 0);
	/* A new hole is refused; data joining a range is still taken. */
	CHECK_EQ_INT(tcp_reass_add(&q, 100000, 100001), -1);
	CHECK_EQ_INT(tcp_reass_add(&q, 11, 15), 0);
	CHECK_EQ_INT(q.count, TCP_REASS_MAX);
	CHECK_EQ_INT(tcp_reass_end(&q), 10 + 10 * (TCP_REASS_MAX - 1) + 1);
}

/* Random ranges against a byte map. */
static void test_reass_matches_bitmap(void)
{
	struct tcp_reass q;
	uint8_t map[400];

	srand(3);
	for (int round = 0; round < 200; round++) {
		tcp_reass_init(&q);
		memset(map, 0, sizeof map);
		for (int k = 0; k < 12; k++) {
			uint32_t s = 1 + (uint32_t)rand() % 350, len = 1 + (uint32_t)rand() % 40;
			if (tcp_reass_add(&q, s, s + len) == 0)
				memset(map + s, 1, len);
		}
		uint32_t bytes = 0;
		for (int i = 0; i < 400; i++)
			bytes += map[i];
		CHECK_EQ_INT(tcp_reass_bytes(&q), bytes);
		for (uint32_t i = 0; i + 1 < q.count; i++)
			CHECK(q.r[i].end < q.r[i + 1].start); /* sorted, disjoint, not touching */
		uint32_t n = 1 + (uint32_t)rand() % 100;
		uint32_t more = tcp_reass_advance(&q, n);
		uint32_t expect = 0;
		while (n + expect < 400 && map[n + expect])
			expect++;
		CHECK_EQ_INT(more, expect);
	}
}

int main(void)
{
	check_suite = "tcp_parts";
	RUN(test_seq_compare_across_wrap);
	RUN(test_siphash_reference_vectors);
	RUN(test_isn_per_tuple_and_clock);
	RUN(test_ring_wraps);
	RUN(test_ring_write_ahead_survives_empty);
	RUN(test_reass_merge_and_advance);
	RUN(test_reass_bounded);
	RUN(test_reass_matches_bitmap);
	return check_report();
}
