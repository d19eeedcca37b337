/* netem: Pigeon's own seeded fault injector on an interface, in both
 * directions. `netem eth0 loss 5% dup 1% reorder 25% delay 10ms corrupt
 * 0.1% seed 7`, `netem eth0 off`, `netem` to show; `netem profiles` lists
 * the standard profiles and `netem [IF] profile NAME [seed N] [more
 * settings]` applies one (settings after the name override it). */
#include <stdio.h>
#include <string.h>

#include "kernel/printf.h"
#include "net/err.h"
#include "net/netem.h"
#include "net/netif.h"
#include "user/command.h"
#include "user/netfmt.h"
#include "user/shell.h"

/* kbit/s as "20mbit" or "500kbit" into buf (16 bytes); returns buf. */
static char *netem_fmt_rate(uint32_t kbit, char *buf)
{
	if (kbit % 1000 == 0)
		snprintf(buf, 16, "%umbit", kbit / 1000);
	else
		snprintf(buf, 16, "%ukbit", kbit);
	return buf;
}

/* The settings of c that are on, beyond the first five, as "jitter 5ms
 * rate 20mbit ..." into buf (len bytes). */
static void netem_fmt_extras(const struct netem_config *c, char *buf, size_t len)
{
	char a[16], b[16];
	size_t n = 0;
	buf[0] = '\0';
	if (c->jitter_ms)
		n += (size_t)snprintf(buf + n, len - n, " jitter %ums", c->jitter_ms);
	if (c->ge_p_ppm && n < len)
		n += (size_t)snprintf(buf + n, len - n, " gemodel %s %s", netfmt_ppm(c->ge_p_ppm, a),
				      netfmt_ppm(c->ge_r_ppm, b));
	if (c->rate_kbit && n < len)
		n += (size_t)snprintf(buf + n, len - n, " rate %s limit %u", netem_fmt_rate(c->rate_kbit, a),
				      c->limit ? c->limit : (unsigned)NETEM_LIMIT_DEFAULT);
	if (c->corrupt_bytes && n < len)
		n += (size_t)snprintf(buf + n, len - n, " bytes %u", c->corrupt_bytes);
	if (c->blackout_ms && n < len)
		snprintf(buf + n, len - n, " blackout %ums after %u", c->blackout_ms, c->blackout_after);
}

static void netem_show(const struct netif *nif)
{
	struct netem_config c;
	struct netem_stats st;
	if (!netem_status(nif, &c, &st)) {
		kprintf("%s: netem off\n", nif->name);
		return;
	}
	char a[16], b[16], d[16], e[16], x[160];
	netem_fmt_extras(&c, x, sizeof x);
	kprintf("%s: netem loss %s dup %s reorder %s delay %ums corrupt %s%s seed %llu\n", nif->name,
		netfmt_ppm(c.loss_ppm, a), netfmt_ppm(c.dup_ppm, b), netfmt_ppm(c.reorder_ppm, d), c.delay_ms,
		netfmt_ppm(c.corrupt_ppm, e), x, (unsigned long long)c.seed);
	static const char *const dir[NETEM_DIRS] = { "rx", "tx" };
	for (int i = 0; i < NETEM_DIRS; i++) {
		kprintf("    %s: %llu passed, %llu dropped, %llu duplicated, %llu reordered, %llu corrupted, "
			"%llu delayed, %llu lost to a full queue\n",
			dir[i], (unsigned long long)st.passed[i], (unsigned long long)st.dropped[i],
			(unsigned long long)st.duplicated[i], (unsigned long long)st.reordered[i],
			(unsigned long long)st.corrupted[i], (unsigned long long)st.delayed[i],
			(unsigned long long)st.queue_full[i]);
		kprintf("        %llu lost in bursts, %llu in the blackout, %llu rate-queued, %llu over the limit, "
			"%llu with bytes corrupted\n",
			(unsigned long long)st.burst_lost[i], (unsigned long long)st.blackout_lost[i],
			(unsigned long long)st.rate_queued[i], (unsigned long long)st.over_limit[i],
			(unsigned long long)st.bytes_corrupted[i]);
	}
}

static void netem_list_profiles(void)
{
	const struct netem_profile *p;
	for (unsigned i = 0; (p = netem_profile_at(i)) != NULL; i++) {
		char a[16], b[16], d[16], e[16], x[160];
		const struct netem_config *c = &p->cfg;
		netem_fmt_extras(c, x, sizeof x);
		kprintf("%-5s %-11s %s\n      loss %s dup %s reorder %s delay %ums corrupt %s%s\n", p->id, p->name,
			p->summary, netfmt_ppm(c->loss_ppm, a), netfmt_ppm(c->dup_ppm, b), netfmt_ppm(c->reorder_ppm, d),
			c->delay_ms, netfmt_ppm(c->corrupt_ppm, e), x);
	}
}

/* "20mbit", "500kbit", "1gbit" or a number of kbit/s; 0, or -1. */
static int netem_parse_rate(const char *s, uint32_t *kbit)
{
	static const struct {
		const char *unit;
		unsigned long mul;
	} units[] = { { "kbit", 1 }, { "mbit", 1000 }, { "gbit", 1000000 }, { "", 1 } };
	char num[16];
	size_t n = strspn(s, "0123456789");
	if (n == 0 || n >= sizeof num)
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	for (unsigned i = 0; i < sizeof units / sizeof units[0]; i++) {
		unsigned long v;
		if (strcmp(s + n, units[i].unit) != 0)
			continue;
		if (netfmt_parse_uint(num, 1, NETEM_RATE_MAX_KBIT / units[i].mul, &v) != 0)
			return -1;
		*kbit = (uint32_t)(v * units[i].mul);
		return 0;
	}
	return -1;
}

/* A setting with a percentage value, or NULL. */
static uint32_t *netem_ppm_field(struct netem_config *c, const char *key)
{
	return strcmp(key, "loss") == 0	     ? &c->loss_ppm
	       : strcmp(key, "dup") == 0     ? &c->dup_ppm
	       : strcmp(key, "reorder") == 0 ? &c->reorder_ppm
	       : strcmp(key, "corrupt") == 0 ? &c->corrupt_ppm
	       : strcmp(key, "ge-p") == 0    ? &c->ge_p_ppm
	       : strcmp(key, "ge-r") == 0    ? &c->ge_r_ppm
					     : NULL;
}

/* A setting with a count value: its field and its maximum, or NULL. */
static uint32_t *netem_count_field(struct netem_config *c, const char *key, unsigned long *max)
{
	if (strcmp(key, "limit") == 0) {
		*max = NETEM_LIMIT_DEFAULT;
		return &c->limit;
	}
	if (strcmp(key, "bytes") == 0) {
		*max = NETEM_CORRUPT_BYTES_MAX;
		return &c->corrupt_bytes;
	}
	if (strcmp(key, "after") == 0) {
		*max = 4294967295ul;
		return &c->blackout_after;
	}
	return NULL;
}

/* A setting with a time value: its field and its maximum, or NULL. */
static uint32_t *netem_ms_field(struct netem_config *c, const char *key, uint32_t *max)
{
	*max = NETEM_DELAY_MAX_MS;
	if (strcmp(key, "delay") == 0)
		return &c->delay_ms;
	if (strcmp(key, "jitter") == 0)
		return &c->jitter_ms;
	*max = NETEM_BLACKOUT_MAX_MS;
	return strcmp(key, "blackout") == 0 ? &c->blackout_ms : NULL;
}

/* One `key value` setting into c; 0, or 1 after printing why not. */
static int netem_parse_setting(struct netem_config *c, const char *key, const char *val)
{
	uint32_t *field, max_ms;
	unsigned long max, v;
	if ((field = netem_ppm_field(c, key)) != NULL) {
		if (netfmt_parse_percent_ppm(val, field) != 0)
			return shell_usage_error("netem", "%s takes a percentage like 5%% or 0.1%%, not %s", key, val);
	} else if ((field = netem_ms_field(c, key, &max_ms)) != NULL) {
		if (netfmt_parse_ms(val, max_ms, field) != 0)
			return shell_usage_error("netem", "%s takes a time like 10ms (at most %u ms), not %s", key,
						 max_ms, val);
	} else if ((field = netem_count_field(c, key, &max)) != NULL) {
		if (netfmt_parse_uint(val, 0, max, &v) != 0)
			return shell_usage_error("netem", "%s takes a number up to %lu, not %s", key, max, val);
		*field = (uint32_t)v;
	} else if (strcmp(key, "rate") == 0) {
		if (netem_parse_rate(val, &c->rate_kbit) != 0)
			return shell_usage_error("netem", "rate takes a rate like 20mbit or 500kbit, not %s", val);
	} else if (strcmp(key, "seed") == 0) {
		if (netfmt_parse_uint(val, 0, 4294967295ul, &v) != 0)
			return shell_usage_error("netem", "seed takes a number, not %s", val);
		c->seed = v;
	} else {
		return shell_usage_error("netem", "unknown impairment %s", key);
	}
	return 0;
}

/* argv[i..argc) as settings over c: `key value` pairs, and `gemodel P R`. */
static int netem_parse_settings(struct netem_config *c, int argc, char **argv, int i)
{
	while (i < argc) {
		const char *key = argv[i];
		if (strcmp(key, "gemodel") == 0) {
			if (i + 2 >= argc)
				return shell_usage_error("netem", "gemodel takes two percentages: P (good to bad) R (back)");
			if (netem_parse_setting(c, "ge-p", argv[i + 1]) || netem_parse_setting(c, "ge-r", argv[i + 2]))
				return 1;
			i += 3;
			continue;
		}
		if (i + 1 >= argc)
			return shell_usage_error("netem", "%s needs a value", key);
		if (netem_parse_setting(c, key, argv[i + 1]))
			return 1;
		i += 2;
	}
	return 0;
}

static int netem_apply_config(struct netif *nif, const struct netem_config *c)
{
	int err = netem_configure(nif, c);
	if (err != NET_OK) {
		kprintf("netem: %s\n", net_strerror(err));
		return 1;
	}
	netem_show(nif);
	return 0;
}

/* `profile NAME [settings]` at argv[i]: the profile, then the overrides. */
static int netem_apply_profile(struct netif *nif, int argc, char **argv, int i)
{
	if (i + 1 >= argc)
		return shell_usage_error("netem", "profile needs a name (netem profiles lists them)");
	const struct netem_profile *p = netem_profile_find(argv[i + 1]);
	if (!p)
		return shell_usage_error("netem", "no profile %s (netem profiles lists them)", argv[i + 1]);
	struct netem_config c = p->cfg;
	if (netem_parse_settings(&c, argc, argv, i + 2))
		return 1;
	kprintf("%s: profile %s (%s): %s\n", nif->name, p->id, p->name, p->summary);
	return netem_apply_config(nif, &c);
}

static int cmd_netem(int argc, char **argv)
{
	if (argc == 1) {
		for (struct netif *nif = netif_list(); nif; nif = nif->next)
			netem_show(nif);
		return 0;
	}
	if (strcmp(argv[1], "profiles") == 0) {
		netem_list_profiles();
		return 0;
	}
	if (strcmp(argv[1], "profile") == 0) {
		struct netif *nif = netif_default();
		if (!nif)
			return shell_usage_error("netem", "no interface is up (see ifconfig)");
		return netem_apply_profile(nif, argc, argv, 1);
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
	if (strcmp(argv[2], "profile") == 0)
		return netem_apply_profile(nif, argc, argv, 2);
	struct netem_config c = { 0 };
	if (netem_parse_settings(&c, argc, argv, 2))
		return 1;
	return netem_apply_config(nif, &c);
}

COMMAND(netem, .name = "netem",
	.usage = "netem [IF [off | profile NAME [SETTINGS] | SETTINGS]] | netem profiles\n"
		 "  SETTINGS: loss P% dup P% reorder P% delay MS jitter MS corrupt P% bytes N (2-8: runs of bytes)\n"
		 "            gemodel P% R% (burst loss) rate 20mbit limit N blackout MS after FRAMES seed N",
	.summary = "impair an interface on purpose (seeded loss, bursts, duplication, reordering, delay, rate, "
		   "corruption, blackout; standard profiles P0-P12)",
	.example = "netem eth0 loss 5% dup 1% reorder 25% delay 10ms corrupt 0.1% seed 7   (netem profile lossy-2 seed 3)",
	.run = cmd_netem);
