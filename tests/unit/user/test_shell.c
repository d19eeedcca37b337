/* Host tests for the shell and its basic commands (user/shell.c and
 * user/cmd_*.c), linked against small stand-ins for the kernel services
 * they call. Console output is captured; scripted keys drive the prompt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include "tests/unit/check.h"
#include "kernel/bootinfo.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/heap.h"
#include "net/netbuf.h"
#include "kernel/panic.h"
#include "kernel/pmm.h"
#include "kernel/power.h"
#include "kernel/printf.h"
#include "kernel/sched.h"
#include "user/command.h"
#include "user/shell.h"

/* ---- the stand-in kernel ---- */

static char out[65536];
static size_t out_len;
static jmp_buf escape;      /* where reboot, power_off, panic and key exhaustion land */
static const char *escape_why;
static const int *keys;
static size_t keys_left;
static bool interrupted;
static int clears;

static void out_append(const char *s, size_t n)
{
	if (out_len + n >= sizeof out)
		n = sizeof out - 1 - out_len;
	memcpy(out + out_len, s, n);
	out_len += n;
	out[out_len] = '\0';
}

static void out_reset(void)
{
	out_len = 0;
	out[0] = '\0';
}

void console_write(const char *s, size_t n) { out_append(s, n); }
void console_putc(char c) { out_append(&c, 1); }
void console_clear(void) { clears++; }
/* Redraw after notices and the journey: no other writer in these tests. */
void console_set_line_owner(void (*redraw)(void *ctx), void *ctx) { (void)redraw; (void)ctx; }
void journey_flush(void) {}
struct thread *thread_current(void) { return NULL; }
void console_set_foreground(const struct thread *t) { (void)t; }

bool console_interrupted(void)
{
	bool was = interrupted;
	interrupted = false;
	return was;
}

int console_getkey(uint64_t timeout_ms)
{
	(void)timeout_ms;
	if (keys_left == 0) {
		escape_why = "keys";
		longjmp(escape, 1);
	}
	keys_left--;
	return *keys++;
}

int vkprintf(const char *fmt, va_list ap)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	if (n > 0)
		out_append(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vkprintf(fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	(void)fmt;
	escape_why = "panic";
	longjmp(escape, 1);
}

void power_off(void)
{
	escape_why = "power_off";
	longjmp(escape, 1);
}

void reboot(void)
{
	escape_why = "reboot";
	longjmp(escape, 1);
}

/* Enough of the contract in kernel/bootinfo.h for these tests. */
int bootinfo_cmdline_get(const char *cmdline, const char *key, char *buf, size_t buflen)
{
	size_t klen = strlen(key);
	for (const char *p = cmdline; *p; p++) {
		if ((p == cmdline || p[-1] == ' ') && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			const char *v = p + klen + 1, *end;
			if (*v == '"') {
				v++;
				end = strchr(v, '"');
				if (!end)
					return -1;
			} else {
				end = strchr(v, ' ');
				if (!end)
					end = v + strlen(v);
			}
			size_t n = (size_t)(end - v);
			if (n + 1 > buflen)
				return -1;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return (int)n;
		}
	}
	return -1;
}

static struct thread fake_threads[3] = {
	{ .id = 0, .name = "idle", .state = THREAD_RUNNABLE, .switches = 10, .run_us = 1500 },
	{ .id = 1, .name = "netd", .state = THREAD_BLOCKED, .switches = 7, .run_us = 2 },
	{ .id = 2, .name = "shell", .state = THREAD_RUNNING, .switches = 3, .run_us = 12345 },
};

void thread_foreach(void (*fn)(const struct thread *t, void *ctx), void *ctx)
{
	for (size_t i = 0; i < 3; i++)
		fn(&fake_threads[i], ctx);
}

const char *thread_state_name(enum thread_state s)
{
	static const char *names[] = { "runnable", "running", "sleeping", "blocked", "dead" };
	return names[s];
}

static uint64_t fake_now_us, fake_idle_us;
uint64_t now_us(void) { return fake_now_us; }
uint64_t now_ms(void) { return fake_now_us / 1000; }
uint64_t sched_idle_us(void) { return fake_idle_us; }

size_t pmm_total_pages(void) { return 32768; }   /* 128 MiB */
size_t pmm_free_pages(void) { return 30720; }    /* 120 MiB */

void netbuf_get_stats(struct netbuf_stats *st)
{
	memset(st, 0, sizeof *st);
	st->total = 1024;
	st->in_use = 256;
	st->high_water = 300;
}

void heap_get_stats(struct heap_stats *st)
{
	*st = (struct heap_stats){ .arena_bytes = 4u << 20, .used_bytes = 81920, .peak_bytes = 102400,
				   .free_bytes = (4u << 20) - 81920, .largest_free = 3u << 20,
				   .allocs = 40, .frees = 28, .failures = 0, .live = 12 };
}

/* ---- helpers ---- */

static int run(const char *line)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s", line);
	out_reset();
	return shell_run_line(buf);
}

/* Run fn until it escapes through a stand-in that does not return. */
#define ESCAPES(call) (setjmp(escape) == 0 ? ((call), (const char *)NULL) : escape_why)

/* ---- cases ---- */

static void test_unknown_command(void)
{
	CHECK_EQ_INT(run("frobnicate a b"), 1);
	CHECK_EQ_STR(out, "unknown command: frobnicate (try help)\n");
}

static void test_echo_quotes(void)
{
	CHECK_EQ_INT(run("echo  \"hello   world\"  again"), 0);
	CHECK_EQ_STR(out, "hello   world again\n");
	run("echo");
	CHECK_EQ_STR(out, "\n");
}

static void test_semicolons(void)
{
	CHECK_EQ_INT(run("echo a; echo b;; nope ; echo \"c;d\""), 0);
	CHECK_EQ_STR(out, "a\nb\nunknown command: nope (try help)\nc;d\n");
}

static void test_parse_errors(void)
{
	char line[256] = "echo";
	for (int i = 0; i < 32; i++)
		strcat(line, " x");
	CHECK_EQ_INT(run(line), 1);
	CHECK_EQ_STR(out, "shell: too many arguments (at most 32)\n");
	CHECK_EQ_INT(run("echo \"open"), 1);
	CHECK_EQ_STR(out, "shell: unterminated quote\n");
}

static void test_dash_h_everywhere(void)
{
	for_each_command(c) {
		char line[64];
		snprintf(line, sizeof line, "%s -h", c->name);
		CHECK_EQ_INT(run(line), 0);
		char want[128];
		snprintf(want, sizeof want, "usage: %s\n", c->usage);
		CHECK_EQ_STR(out, want);
		CHECK(c->summary && c->summary[0]);
		CHECK(strncmp(c->usage, c->name, strlen(c->name)) == 0);
	}
}

static void test_help_sorted(void)
{
	CHECK_EQ_INT(run("help"), 0);
	const char *order[] = { "  clear ", "  echo ", "  help ", "  mem ", "  panic-test ",
				"  poweroff ", "  ps ", "  reboot ", "  uptime " };
	const char *at = out;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		const char *hit = strstr(at, order[i]);
		CHECK(hit != NULL);
		if (hit)
			at = hit;
	}
}

static void test_help_name(void)
{
	CHECK_EQ_INT(run("help panic-test"), 0);
	CHECK(strstr(out, "usage: panic-test [pf|ud|de|gp|stack|panic]\n") == out);
	CHECK(strstr(out, "example: panic-test pf\n") != NULL);
	CHECK_EQ_INT(run("help nosuch"), 1);
	CHECK_EQ_STR(out, "help: unknown command: nosuch (try help)\n");
	CHECK_EQ_INT(run("help a b"), 1);
	CHECK(strstr(out, "usage: help [NAME]\n") != NULL);
}

/* Tab completion's candidates: command names for a command's first word
 * and after `help`, sorted; nothing for other arguments. */
static void test_complete(void)
{
	const char *cand[8];

	CHECK_EQ_INT(shell_complete(NULL, "ec", 0, cand, 8), 1);
	CHECK_EQ_STR(cand[0], "echo");
	CHECK_EQ_INT(shell_complete(NULL, "p", 0, cand, 8), 3);
	CHECK_EQ_STR(cand[0], "panic-test");
	CHECK_EQ_STR(cand[1], "poweroff");
	CHECK_EQ_STR(cand[2], "ps");
	CHECK_EQ_INT(shell_complete(NULL, "p", 0, cand, 2), 3);  /* counted past max */
	CHECK_EQ_INT(shell_complete(NULL, "help up", 5, cand, 8), 1);
	CHECK_EQ_STR(cand[0], "uptime");
	CHECK_EQ_INT(shell_complete(NULL, "echo; h", 6, cand, 8), 2);
	CHECK_EQ_STR(cand[0], "help");
	CHECK_EQ_STR(cand[1], "history");
	CHECK_EQ_INT(shell_complete(NULL, "  m", 2, cand, 8), 1);
	CHECK_EQ_INT(shell_complete(NULL, "echo ec", 5, cand, 8), 0);
	CHECK_EQ_INT(shell_complete(NULL, "zz", 0, cand, 8), 0);
}

static void test_suggest(void)
{
	CHECK_EQ_STR(shell_suggest("ecoh"), "echo");
	CHECK_EQ_STR(shell_suggest("uptim"), "uptime");
	CHECK(shell_suggest("frobnicate") == NULL);
	CHECK(shell_suggest("x") == NULL);
	CHECK_EQ_INT(run("hepl"), 1);
	CHECK_EQ_STR(out, "unknown command: hepl (try help; did you mean help?)\n");
	CHECK_EQ_INT(run("help poweof"), 1);
	CHECK_EQ_STR(out, "help: unknown command: poweof (try help; did you mean poweroff?)\n");
}

/* `help NAME` shows an example for every command. */
static void test_every_example(void)
{
	for_each_command(c) {
		char line[64];
		CHECK(c->example != NULL && c->example[0] != '\0');
		snprintf(line, sizeof line, "help %s", c->name);
		CHECK_EQ_INT(run(line), 0);
		CHECK(strstr(out, "example: ") != NULL);
	}
}

static void test_history(void)
{
	CHECK_EQ_INT(shell_autorun("autorun=\"echo one; echo two\""), 2);
	CHECK_EQ_INT(run("history"), 0);
	CHECK(strstr(out, "   1  echo one\n") != NULL);
	CHECK(strstr(out, "   2  echo two\n") != NULL);
	CHECK_EQ_INT(run("history x"), 1);
}

static void test_uptime(void)
{
	fake_now_us = 12345678;     /* 12.345678 s */
	fake_idle_us = 12234567;    /* 99.1 % */
	CHECK_EQ_INT(run("uptime"), 0);
	CHECK_EQ_STR(out, "up 0:00:12.345, 3 threads, cpu idle 99.1%\n");
	fake_now_us = (26ull * 3600 + 62) * 1000000 + 5000;
	fake_idle_us = 0;
	run("uptime");
	CHECK_EQ_STR(out, "up 1d 2:01:02.005, 3 threads, cpu idle 0.0%\n");
	CHECK_EQ_INT(run("uptime now"), 1);
	CHECK_EQ_STR(out, "uptime: unexpected argument 'now'\nusage: uptime\n");
}

static void test_mem(void)
{
	CHECK_EQ_INT(run("mem"), 0);
	CHECK(strstr(out, "  total        131072 KiB  (128.0 MiB)\n") != NULL);
	CHECK(strstr(out, "  free         122880 KiB  (120.0 MiB)\n") != NULL);
	CHECK(strstr(out, "  used             80 KiB\n") != NULL);
	CHECK(strstr(out, "  largest        3072 KiB  (3.0 MiB)\n") != NULL);
	CHECK(strstr(out, "12 live allocations (40 allocs, 28 frees, 0 failed)") != NULL);
}

static void test_ps(void)
{
	CHECK_EQ_INT(run("ps"), 0);
	CHECK(strstr(out, "ID  NAME") != NULL);
	CHECK(strstr(out, "   2  shell            running            3       12.345\n") != NULL);
	CHECK(strstr(out, "   1  netd             blocked            7        0.002\n") != NULL);
}

static void test_clear(void)
{
	clears = 0;
	CHECK_EQ_INT(run("clear"), 0);
	CHECK_EQ_INT(clears, 1);
}

static void test_power(void)
{
	char line[] = "poweroff";
	out_reset();
	CHECK_EQ_STR(ESCAPES(shell_run_line(line)), "power_off");
	char line2[] = "reboot";
	CHECK_EQ_STR(ESCAPES(shell_run_line(line2)), "reboot");
	CHECK_EQ_INT(run("reboot now"), 1);
}

static void test_panic_test_args(void)
{
	char line[] = "panic-test panic";
	out_reset();
	CHECK_EQ_STR(ESCAPES(shell_run_line(line)), "panic");
	CHECK_EQ_INT(run("panic-test xx"), 1);
	CHECK_EQ_STR(out, "panic-test: unknown kind 'xx'\nusage: panic-test [pf|ud|de|gp|stack|panic]\n");
}

static void test_autorun(void)
{
	out_reset();
	CHECK_EQ_INT(shell_autorun("console=ttyS0 autorun=\"echo one;  echo two ; ;\" quiet"), 2);
	CHECK_EQ_STR(out, SHELL_PROMPT "echo one\none\n" SHELL_PROMPT "echo two\ntwo\n");
	CHECK_EQ_INT(shell_autorun("quiet"), 0);
	CHECK_EQ_INT(shell_autorun(NULL), 0);
}

static void test_interactive(void)
{
	/* "ech" Left Right "o hi" Enter, then Ctrl-C on a half line, then Up
	 * (recalls "echo hi") Enter; then the keys run out. */
	static const int script[] = { 'e', 'c', 'h', KEY_LEFT, KEY_RIGHT, 'o', ' ', 'h', 'i', '\r',
				      'x', KEY_CTRL('C'), KEY_UP, '\r' };
	keys = script;
	keys_left = sizeof script / sizeof script[0];
	out_reset();
	interrupted = true;     /* a stale Ctrl-C must not reach the command */
	CHECK_EQ_STR(ESCAPES(shell_thread(NULL)), "keys");
	CHECK(!interrupted);
	CHECK_EQ_STR(out, SHELL_PROMPT "ech\bho hi\r\nhi\n"
			  SHELL_PROMPT "x^C\r\n" SHELL_PROMPT "\x1b[Kecho hi\r\nhi\n" SHELL_PROMPT);
}

int main(void)
{
	check_suite = "shell";
	RUN(test_unknown_command);
	RUN(test_echo_quotes);
	RUN(test_semicolons);
	RUN(test_parse_errors);
	RUN(test_dash_h_everywhere);
	RUN(test_help_sorted);
	RUN(test_help_name);
	RUN(test_complete);
	RUN(test_suggest);
	RUN(test_every_example);
	RUN(test_history);
	RUN(test_uptime);
	RUN(test_mem);
	RUN(test_ps);
	RUN(test_clear);
	RUN(test_power);
	RUN(test_panic_test_args);
	RUN(test_autorun);
	RUN(test_interactive);
	return check_report();
}
