/* perf: where the stack's time goes (net/perf.h): cycles per layer and
 * driver stage, and per MiB received the events that cost exits to the
 * emulator (interrupts, tail writes) and the bytes copied. `perf reset`
 * starts a new measurement, e.g. just before a download. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kernel/clock.h"
#include "kernel/netd.h"
#include "kernel/printf.h"
#include "net/perf.h"
#include "user/command.h"
#include "user/shell.h"

#define MIB (1024ull * 1024ull)

/* value/div with two decimals, as text (the kernel has no floating point). */
static const char *perf_ratio(char *buf, size_t size, uint64_t value, uint64_t div)
{
	if (!div) {
		snprintf(buf, size, "-");
		return buf;
	}
	uint64_t hundredths = (value * 100 + div / 2) / div;
	snprintf(buf, size, "%llu.%02llu", (unsigned long long)(hundredths / 100),
		 (unsigned long long)(hundredths % 100));
	return buf;
}

/* Cycles as "123.4 M" or "5678 k". */
static const char *perf_cycles(char *buf, size_t size, uint64_t c)
{
	if (c >= 10000000ull)
		snprintf(buf, size, "%llu.%llu M", (unsigned long long)(c / 1000000),
			 (unsigned long long)(c / 100000 % 10));
	else
		snprintf(buf, size, "%llu k", (unsigned long long)(c / 1000));
	return buf;
}

static void perf_print_stages(const struct perf_state *p, uint64_t elapsed)
{
	uint64_t total = 0;
	char cyc[24], per[24];

	for (int s = PERF_IDLE + 1; s < PERF_STAGES; s++)
		total += p->cycles[s];
	kprintf("  %-12s %10s %11s %6s %12s\n", "stage", "entries", "cycles", "share", "cycles/entry");
	for (int s = PERF_IDLE + 1; s < PERF_STAGES; s++) {
		if (!p->entries[s])
			continue;
		uint64_t permille = total ? p->cycles[s] * 1000 / total : 0;
		kprintf("  %-12s %10llu %11s %3llu.%llu%% %12llu\n", perf_stage_name((enum perf_stage)s),
			(unsigned long long)p->entries[s], perf_cycles(cyc, sizeof cyc, p->cycles[s]),
			(unsigned long long)(permille / 10), (unsigned long long)(permille % 10),
			(unsigned long long)(p->cycles[s] / p->entries[s]));
	}
	uint64_t permille = elapsed ? total * 1000 / elapsed : 0;
	kprintf("  %-12s %10s %11s   (%llu.%llu%% of the %s s measured)\n", "all stages", "",
		perf_cycles(cyc, sizeof cyc, total), (unsigned long long)(permille / 10),
		(unsigned long long)(permille % 10),
		perf_ratio(per, sizeof per, elapsed, clock_tsc_khz() * 1000));
}

static void perf_print_events(const struct perf_state *p)
{
	const uint64_t *ev = p->events;
	uint64_t in = ev[PERF_EV_RX_BYTES], out = ev[PERF_EV_TX_BYTES];
	char a[24], b[24], c[24], d[24];

	kprintf("Traffic: %s MiB in (%llu frames), %s MiB out (%llu frames)\n",
		perf_ratio(a, sizeof a, in, MIB), (unsigned long long)ev[PERF_EV_RX_FRAMES],
		perf_ratio(b, sizeof b, out, MIB), (unsigned long long)ev[PERF_EV_TX_FRAMES]);
	if (!in)
		return;
	kprintf("Per MiB in: %s interrupts, %s RX batches (%s frames each), %s RDT writes,\n",
		perf_ratio(a, sizeof a, ev[PERF_EV_INTERRUPTS] * MIB, in),
		perf_ratio(b, sizeof b, ev[PERF_EV_RX_BATCHES] * MIB, in),
		perf_ratio(c, sizeof c, ev[PERF_EV_RX_FRAMES], ev[PERF_EV_RX_BATCHES]),
		perf_ratio(d, sizeof d, ev[PERF_EV_RDT_WRITES] * MIB, in));
	kprintf("            %s TX kicks (%s frames each)\n",
		perf_ratio(a, sizeof a, ev[PERF_EV_TDT_WRITES] * MIB, in),
		perf_ratio(b, sizeof b, ev[PERF_EV_TX_FRAMES], ev[PERF_EV_TDT_WRITES]));
	kprintf("Copies: %s bytes copied per byte in, %s per byte out\n",
		perf_ratio(a, sizeof a, ev[PERF_EV_COPY_RX], in),
		perf_ratio(b, sizeof b, ev[PERF_EV_COPY_TX], out));
}

static void perf_print_timeline(void)
{
	struct netd_timeline t;

	netd_get_timeline(&t);
	if (!t.rx_enabled_us)
		return;
	kprintf("Boot (ms after the kernel started): receiver on %llu", (unsigned long long)(t.rx_enabled_us / 1000));
	if (t.first_frame_us)
		kprintf(", first frame in %llu", (unsigned long long)(t.first_frame_us / 1000));
	if (t.bound_us)
		kprintf(", DHCP bound %llu", (unsigned long long)(t.bound_us / 1000));
	kprintf("\n");
}

static int perf_run(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "reset") == 0) {
		perf_reset();
		kprintf("perf: counters reset\n");
		return 0;
	}
	if (argc > 1)
		return shell_usage_error(argv[0], "unknown argument '%s' (try: perf, perf reset)", argv[1]);

	struct perf_state p = net_perf;
	uint64_t elapsed = perf_tsc() - p.since;
	kprintf("Cycles in the network stack since %s:\n", p.since ? "perf reset" : "boot");
	perf_print_stages(&p, elapsed);
	perf_print_events(&p);
	perf_print_timeline();
	return 0;
}

COMMAND(perf,
	.name = "perf",
	.usage = "perf [reset]",
	.summary = "cycles per network layer and driver stage, events and copies per MiB",
	.example = "perf reset; fetch -o null www.google.com/big.bin; perf",
	.run = perf_run);
