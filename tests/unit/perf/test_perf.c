/* net/perf.h: time is charged to exactly one stage at a time, nested
 * stages are excluded from their callers, and nothing is charged outside
 * the stack. */
#include <stdint.h>

#include "net/perf.h"
#include "tests/unit/check.h"

/* Burn about n TSC cycles. */
static void spin(uint64_t n)
{
	uint64_t t0 = perf_tsc();
	while (perf_tsc() - t0 < n)
		;
}

static uint64_t stages_total(void)
{
	uint64_t t = 0;
	for (int s = PERF_IDLE + 1; s < PERF_STAGES; s++)
		t += net_perf.cycles[s];
	return t;
}

static void test_idle_not_charged(void)
{
	perf_reset();
	spin(200000);
	CHECK_EQ_INT(stages_total(), 0);
	CHECK_EQ_INT(net_perf.current, PERF_IDLE);
}

static void test_nested_is_exclusive(void)
{
	perf_reset();
	uint64_t t0 = perf_tsc();
	enum perf_stage a = perf_enter(PERF_IPV4);
	spin(100000);
	enum perf_stage b = perf_enter(PERF_TCP_IN);
	spin(400000);
	enum perf_stage c = perf_enter(PERF_CHECKSUM);
	spin(100000);
	perf_leave(c);
	perf_leave(b);
	spin(100000);
	perf_leave(a);
	uint64_t wall = perf_tsc() - t0;

	CHECK_EQ_INT(a, PERF_IDLE);
	CHECK_EQ_INT(b, PERF_IPV4);
	CHECK_EQ_INT(c, PERF_TCP_IN);
	CHECK_EQ_INT(net_perf.current, PERF_IDLE);
	/* ipv4 ran about 200k cycles of its own, tcp in 400k, checksum 100k. */
	CHECK(net_perf.cycles[PERF_IPV4] >= 200000);
	CHECK(net_perf.cycles[PERF_TCP_IN] >= 400000);
	CHECK(net_perf.cycles[PERF_CHECKSUM] >= 100000);
	CHECK(net_perf.cycles[PERF_TCP_IN] < wall - 300000);   /* the checksum is not in it */
	CHECK(stages_total() <= wall);                         /* nothing counted twice */
	CHECK_EQ_INT(net_perf.entries[PERF_IPV4], 1);
	CHECK_EQ_INT(net_perf.entries[PERF_TCP_IN], 1);
}

static void test_reset_and_events(void)
{
	perf_count(PERF_EV_RX_BYTES, 1500);
	perf_count(PERF_EV_RX_BYTES, 60);
	CHECK(net_perf.events[PERF_EV_RX_BYTES] >= 1560);
	perf_reset();
	CHECK_EQ_INT(net_perf.events[PERF_EV_RX_BYTES], 0);
	CHECK_EQ_INT(net_perf.entries[PERF_IPV4], 0);
	CHECK(net_perf.since != 0);
	CHECK_EQ_STR(perf_stage_name(PERF_TCP_IN), "tcp in");
	CHECK_EQ_STR(perf_stage_name(PERF_STAGES), "?");
}

int main(void)
{
	check_suite = "perf";
	RUN(test_idle_not_charged);
	RUN(test_nested_is_exclusive);
	RUN(test_reset_and_events);
	return check_report();
}
