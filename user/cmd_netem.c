/* netem: Pigeon's own seeded fault injector on an interface, in both
 * directions. `netem eth0 loss 5% dup 1% reorder 25% delay 10ms corrupt
 * 0.1% seed 7`, `netem eth0 off`, `netem` to show. */
#include <string.h>

#include "kernel/printf.h"
#include "net/err.h"
#include "net/netem.h"
#include "net/netif.h"
#include "user/command.h"
#include "user/netfmt.h"
#include "user/shell.h"

static void netem_show(const struct netif *nif)
{
	struct netem_config c;
	struct netem_stats st;
	if (!netem_status(nif, &c, &st)) {
		kprintf("%s: netem off\n", nif->name);
		return;
	}
	char a[16], b[16], d[16], e[16];
	kprintf("%s: netem loss %s dup %s reorder %s delay %ums corrupt %s seed %llu\n", nif->name,
		netfmt_ppm(c.loss_ppm, a), netfmt_ppm(c.dup_ppm, b), netfmt_ppm(c.reorder_ppm, d), c.delay_ms,
		netfmt_ppm(c.corrupt_ppm, e), (unsigned long long)c.seed);
	static const char *const dir[NETEM_DIRS] = { "rx", "tx" };
	for (int i = 0; i < NETEM_DIRS; i++)
		kprintf("    %s: %llu passed, %llu dropped, %llu duplicated, %llu reordered, %llu corrupted, "
			"%llu delayed, %llu lost to a full queue\n",
			dir[i], (unsigned long long)st.passed[i], (unsigned long long)st.dropped[i],
			(unsigned long long)st.duplicated[i], (unsigned long long)st.reordered[i],
			(unsigned long long)st.corrupted[i], (unsigned long long)st.delayed[i],
			(unsigned long long)st.queue_full[i]);
}

static int cmd_netem(int argc, char **argv)
{
	if (argc == 1) {
		for (struct netif *nif = netif_list(); nif; nif = nif->next)
			netem_show(nif);
		return 0;
	}
	struct netif *nif = netif_find(argv[1]);
	if (!nif)
		return shell_usage_error("netem", "no interface %s (see ifconfig)", argv[1]);
	if (argc == 2) {
		netem_show(nif);
		return 0;
	}
	if (argc == 3 && strcmp(argv[2], "off") == 0) {
		netem_disable(nif);
		kprintf("%s: netem off\n", nif->name);
		return 0;
	}
	struct netem_config c = { 0 };
	for (int i = 2; i < argc; i += 2) {
		const char *key = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!val)
			return shell_usage_error("netem", "%s needs a value", key);
		uint32_t *ppm = strcmp(key, "loss") == 0      ? &c.loss_ppm
				: strcmp(key, "dup") == 0     ? &c.dup_ppm
				: strcmp(key, "reorder") == 0 ? &c.reorder_ppm
				: strcmp(key, "corrupt") == 0 ? &c.corrupt_ppm
							      : NULL;
		if (ppm) {
			if (netfmt_parse_percent_ppm(val, ppm) != 0)
				return shell_usage_error("netem", "%s takes a percentage like 5%% or 0.1%%, not %s", key, val);
		} else if (strcmp(key, "delay") == 0) {
			if (netfmt_parse_ms(val, NETEM_DELAY_MAX_MS, &c.delay_ms) != 0)
				return shell_usage_error("netem", "delay takes a time like 10ms (at most %u ms), not %s",
							 NETEM_DELAY_MAX_MS, val);
		} else if (strcmp(key, "seed") == 0) {
			unsigned long seed;
			if (netfmt_parse_uint(val, 0, 4294967295ul, &seed) != 0)
				return shell_usage_error("netem", "seed takes a number, not %s", val);
			c.seed = seed;
		} else {
			return shell_usage_error("netem", "unknown impairment %s", key);
		}
	}
	int err = netem_configure(nif, &c);
	if (err != NET_OK) {
		kprintf("netem: %s\n", net_strerror(err));
		return 1;
	}
	netem_show(nif);
	return 0;
}

COMMAND(netem, .name = "netem",
	.usage = "netem [IF [off | loss P% dup P% reorder P% delay MS corrupt P% seed N]]",
	.summary = "impair an interface on purpose (seeded loss, duplication, reordering, delay, corruption)",
	.example = "netem eth0 loss 5% dup 1% reorder 25% delay 10ms corrupt 0.1% seed 7", .run = cmd_netem);
