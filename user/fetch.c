/* fetch: get a URL over HTTP/1.1 and show it (user/http.h does the work).
 *
 *   fetch [-i | -I] [-o null] [--sha256] [-L N] [-v] URL
 *
 * By default the body is printed made safe for the terminal
 * (user/termsafe.h), then one summary line:
 *   200 OK, 14213 bytes in 84 ms (165 KiB/s)
 * -i shows the response headers before the body (those of each redirect
 * too), -I sends HEAD and shows the headers, -o null drops the body and
 * draws a progress bar in place instead, --sha256 prints the body's
 * SHA-256, -L N follows at most N redirects (default 5; 0: none), -v tells
 * the steps as they happen. A failure is one line naming the step:
 *   fetch: www.nosuch.test: DNS NXDOMAIN */
#include <stdio.h>
#include <string.h>

#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/printf.h"
#include "kernel/sched.h"
#include "net/sys.h"
#include "net/tcp.h"
#include "user/command.h"
#include "user/http.h"
#include "user/journey.h"
#include "user/netfmt.h"
#include "user/sha256.h"
#include "user/shell.h"
#include "user/termsafe.h"
#include "user/whoami.h"

enum {
	FETCH_PROGRESS_MS = 100,      /* redraw the bar at most 10 times a second */
	FETCH_CLOSE_WAIT_MS = 2000,   /* -v: how long the close may take to be told */
	FETCH_BAR_WIDTH = 24,
	FETCH_SLOW_MS = 10000,        /* from here durations show in seconds */
};

enum { FETCH_TIMEOUT_MAX_S = 3600 };

struct fetch_opts {
	bool show_headers;            /* -i */
	bool head;                    /* -I */
	bool discard;                 /* -o null */
	bool sha256;                  /* --sha256 */
	bool verbose;                 /* -v */
	unsigned long max_redirects;  /* -L */
	unsigned long timeout_s;      /* -T: connect and idle limit, 0 = the defaults */
	const char *url;
};

/* What the sink needs while the body streams. */
struct fetch_run {
	const struct fetch_opts *o;
	struct termsafe text;
	struct sha256 hash;
	uint64_t body_start_ms;
	uint64_t last_draw_ms;
	uint64_t total;               /* expected body bytes, 0 if unknown */
	uint64_t bytes;               /* body bytes so far */
	bool bar_drawn;
	bool body_shown;              /* text went to the console */
};

/* Large state, off the shell thread's stack: one fetch runs at a time. */
static struct http_client fetch_client;
static struct fetch_run fetch_state;

/* "812 B", "14.2 KiB", "63.9 MiB" into buf. */
static char *fetch_fmt_bytes(uint64_t n, char *buf, size_t size)
{
	if (n < 1024)
		snprintf(buf, size, "%llu B", (unsigned long long)n);
	else if (n < 1024 * 1024)
		snprintf(buf, size, "%llu.%llu KiB", (unsigned long long)(n / 1024),
			 (unsigned long long)(n % 1024 * 10 / 1024));
	else
		snprintf(buf, size, "%llu.%llu MiB", (unsigned long long)(n >> 20),
			 (unsigned long long)((n & 0xfffff) * 10 >> 20));
	return buf;
}

/* A rate: bytes over ms, as "41 B/s", "165 KiB/s" or "12.3 MiB/s". */
static char *fetch_fmt_rate(uint64_t bytes, uint64_t ms, char *buf, size_t size)
{
	uint64_t per_s = bytes * 1000 / (ms ? ms : 1);
	if (per_s < 1024)
		snprintf(buf, size, "%llu B/s", (unsigned long long)per_s);
	else if (per_s < 1024 * 1024)
		snprintf(buf, size, "%llu KiB/s", (unsigned long long)(per_s / 1024));
	else
		snprintf(buf, size, "%llu.%llu MiB/s", (unsigned long long)(per_s >> 20),
			 (unsigned long long)((per_s & 0xfffff) * 10 >> 20));
	return buf;
}

static char *fetch_fmt_ms(uint64_t ms, char *buf, size_t size)
{
	if (ms < FETCH_SLOW_MS)
		snprintf(buf, size, "%llu ms", (unsigned long long)ms);
	else
		snprintf(buf, size, "%llu.%llu s", (unsigned long long)(ms / 1000),
			 (unsigned long long)(ms % 1000 / 100));
	return buf;
}

static void fetch_console_out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	console_write(s, n);
}

/* -o null: "[#####.....]  45%  28.8 MiB of 64.0 MiB  12.1 MiB/s  ETA 3 s",
 * drawn over itself with CR and erase-to-end-of-line (ESC [ K), which both
 * the serial terminal and the VGA console understand. */
static void fetch_progress(struct fetch_run *r, uint64_t bytes, bool final)
{
	uint64_t now = now_ms();
	if (!final && r->bar_drawn && now - r->last_draw_ms < FETCH_PROGRESS_MS)
		return;
	r->last_draw_ms = now;
	r->bar_drawn = true;

	uint64_t ms = now - r->body_start_ms;
	char got[24], total[24], rate[24], line[160];
	size_t n = 0;
	fetch_fmt_bytes(bytes, got, sizeof got);
	fetch_fmt_rate(bytes, ms, rate, sizeof rate);
	if (r->total) {
		uint64_t pct = bytes >= r->total ? 100 : bytes * 100 / r->total;
		unsigned fill = (unsigned)(pct * FETCH_BAR_WIDTH / 100);
		line[n++] = '[';
		for (unsigned i = 0; i < FETCH_BAR_WIDTH; i++)
			line[n++] = i < fill ? '#' : '.';
		line[n++] = ']';
		n += (size_t)snprintf(line + n, sizeof line - n, " %3llu%%  %s of %s  %s", (unsigned long long)pct,
				      got, fetch_fmt_bytes(r->total, total, sizeof total), rate);
		uint64_t per_s = bytes * 1000 / (ms ? ms : 1);
		uint64_t left = r->total - bytes;
		/* Rounded up without adding to left: a Content-Length near
		 * 2^64 (the server's word) must not wrap to "ETA 0 s". */
		if (!final && per_s && bytes < r->total) {
			uint64_t eta = left / per_s + (left % per_s != 0);
			snprintf(line + n, sizeof line - n, "  ETA %llu s", (unsigned long long)eta);
		}
	} else {
		snprintf(line, sizeof line, "%s  %s", got, rate);
	}
	kprintf("\r%s\x1b[K%s", line, final ? "\n" : "");
}

static void fetch_on_headers(void *ctx, const struct http_parser *p, bool follow)
{
	struct fetch_run *r = ctx;
	(void)follow;
	if (r->o->show_headers || r->o->head) {
		kprintf("HTTP/1.%u %u %s\n", p->version_minor, p->status, p->reason);
		for (unsigned i = 0; i < p->nfields; i++)
			kprintf("%s: %s\n", p->fields[i].name, p->fields[i].value);
		kprintf("\n");
	}
	r->total = p->framing == HTTP_FRAME_LENGTH ? p->content_length : 0;
	r->body_start_ms = r->last_draw_ms = now_ms();
}

static int fetch_on_body(void *ctx, const uint8_t *data, size_t len)
{
	struct fetch_run *r = ctx;
	r->bytes += len;
	if (r->o->sha256)
		sha256_update(&r->hash, data, len);
	if (r->o->discard)
		fetch_progress(r, r->bytes, false);
	else {
		if (r->o->verbose)
			journey_flush(); /* the story so far first, then the body */
		termsafe_write(&r->text, data, len);
		r->body_shown = true;
	}
	return 0;
}

/* -v: the client's steps, told in order with the stack's (user/journey.h). */
static void fetch_on_event(void *ctx, const struct http_event *ev)
{
	char text[URL_TEXT_MAX];
	(void)ctx;
	switch (ev->kind) {
	case HTTP_EV_URL:
		url_format(ev->url, text, sizeof text);
		journey_say("url", "%s: host %s, port %u, target %s", text, ev->url->host, ev->url->port,
			ev->url->target);
		break;
	case HTTP_EV_RESOLVED:
		journey_say("http", "%s is %s (%s)", ev->url->host, netfmt_ip(ev->addr),
			ev->dns->literal ? "a literal address" : ev->dns->from_cache ? "DNS cache" : "DNS");
		break;
	case HTTP_EV_CONNECTING:
		journey_say("http", "connecting to %s:%u", netfmt_ip(ev->addr), ev->port);
		break;
	case HTTP_EV_CONNECTED:
		journey_say("http", "connected to %s:%u in %llu ms", netfmt_ip(ev->addr), ev->port,
			(unsigned long long)ev->elapsed_ms);
		break;
	case HTTP_EV_REQUEST:
		journey_say("http", "> %s (%llu bytes with headers)", ev->text, (unsigned long long)ev->bytes);
		break;
	case HTTP_EV_INTERIM:
		journey_say("http", "< %u (interim, skipped)", ev->status);
		break;
	case HTTP_EV_STATUS:
		journey_say("http", "< HTTP/1.%u %u %s", ev->parser->version_minor, ev->status, ev->text);
		break;
	case HTTP_EV_REDIRECT:
		journey_say("http", "%u: redirected to %s", ev->status, ev->text);
		break;
	case HTTP_EV_DONE:
		journey_say("http", "response complete: %llu body bytes in %llu ms", (unsigned long long)ev->bytes,
			(unsigned long long)ev->elapsed_ms);
		break;
	}
}

/* -v: the close is part of the story. Wait (briefly) until no connection
 * is between ESTABLISHED and TIME_WAIT, so FIN/ACK and TIME_WAIT are told
 * before the prompt returns. */
static void fetch_count_closing(const struct tcp_conn_info *ci, void *ctx)
{
	if (ci->state != TCP_LISTEN && ci->state != TCP_TIME_WAIT && ci->state != TCP_CLOSED)
		(*(int *)ctx)++;
}

static void fetch_wait_closed(void)
{
	for (int waited = 0; waited < FETCH_CLOSE_WAIT_MS; waited += 10) {
		int closing = 0;
		tcp_foreach(fetch_count_closing, &closing, sys_now_ms());
		if (closing == 0 || console_interrupted())
			return;
		sleep_ms(10);
	}
}

static int fetch_parse(int argc, char **argv, struct fetch_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_redirects = HTTP_REDIRECTS_DEFAULT;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-i") == 0) {
			o->show_headers = true;
		} else if (strcmp(a, "-I") == 0) {
			o->head = true;
		} else if (strcmp(a, "-v") == 0) {
			o->verbose = true;
		} else if (strcmp(a, "--sha256") == 0) {
			o->sha256 = true;
		} else if (strcmp(a, "-o") == 0) {
			if (i + 1 >= argc)
				return shell_usage_error("fetch", "-o needs an argument (null)");
			if (strcmp(argv[++i], "null") != 0)
				return shell_usage_error("fetch", "-o %s: only -o null is supported (no file system)",
							 argv[i]);
			o->discard = true;
		} else if (strcmp(a, "-L") == 0) {
			if (i + 1 >= argc ||
			    netfmt_parse_uint(argv[++i], 0, HTTP_REDIRECTS_MAX, &o->max_redirects) != 0)
				return shell_usage_error("fetch", "-L takes a redirect limit from 0 to %d",
							 HTTP_REDIRECTS_MAX);
		} else if (strcmp(a, "-T") == 0) {
			if (i + 1 >= argc || netfmt_parse_uint(argv[++i], 1, FETCH_TIMEOUT_MAX_S, &o->timeout_s) != 0)
				return shell_usage_error("fetch", "-T takes seconds from 1 to %d", FETCH_TIMEOUT_MAX_S);
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			kprintf("usage: fetch [-i | -I] [-o null] [--sha256] [-L N] [-T S] [-v] URL\n"
				"  URL       www.google.com, http://host[:port][/path][?query]\n"
				"  -i        show the response headers, then the body\n"
				"  -I        HEAD: the headers only\n"
				"  -o null   drop the body; show a progress bar\n"
				"  --sha256  print the SHA-256 of the body\n"
				"  -L N      follow at most N redirects (default %d, 0: none)\n"
				"  -T S      give up connecting, or waiting for the next byte, after S seconds\n"
				"            (default %d)\n"
				"  -v        tell each step as it happens\n",
				HTTP_REDIRECTS_DEFAULT, HTTP_IDLE_TIMEOUT_MS / 1000);
			return -1;
		} else if (a[0] == '-' && a[1] != '\0') {
			return shell_usage_error("fetch", "unknown option %s", a);
		} else if (o->url) {
			return shell_usage_error("fetch", "one URL only (got %s and %s)", o->url, a);
		} else {
			o->url = a;
		}
	}
	if (!o->url)
		return shell_usage_error("fetch", "which URL?");
	return 0;
}

/* The line after a complete response. */
static void fetch_summary(const struct fetch_opts *o, const struct http_result *res, struct fetch_run *r)
{
	char t[24], rate[24];

	if (!o->discard && !o->head && res->body_bytes) {
		if (termsafe_finish(&r->text))
			kprintf("[binary body: %llu bytes, not shown]\n", (unsigned long long)res->body_bytes);
		else if (!r->text.at_line_start)
			kprintf("\n");
	}
	if (o->discard && res->body_bytes)
		fetch_progress(r, res->body_bytes, true);
	if (res->redirects)
		kprintf("followed %u redirect%s to %s\n", res->redirects, res->redirects == 1 ? "" : "s", res->url);
	kprintf("%u%s%s, %llu bytes in %s (%s)\n", res->status, res->reason[0] ? " " : "", res->reason,
		(unsigned long long)res->body_bytes, fetch_fmt_ms(res->elapsed_ms, t, sizeof t),
		fetch_fmt_rate(res->body_bytes, res->elapsed_ms, rate, sizeof rate));
	if (o->sha256) {
		uint8_t d[SHA256_DIGEST_LEN];
		char hex[2 * SHA256_DIGEST_LEN + 1];
		sha256_final(&r->hash, d);
		sha256_hex(d, hex);
		kprintf("sha256 %s\n", hex);
	}
}

static int cmd_fetch(int argc, char **argv)
{
	struct fetch_opts o;
	struct http_result res;
	struct fetch_run *r = &fetch_state;

	int rc = fetch_parse(argc, argv, &o);
	if (rc != 0)
		return rc < 0 ? 0 : 1;
	memset(r, 0, sizeof *r);
	r->o = &o;
	termsafe_init(&r->text, fetch_console_out, NULL);
	sha256_init(&r->hash);

	const struct http_sink sink = { .headers = fetch_on_headers, .body = fetch_on_body, .ctx = r };
	const struct http_observer observer = { .event = fetch_on_event, .ctx = r };
	const struct http_request req = {
		.url = o.url,
		.head = o.head,
		.max_redirects = (unsigned)o.max_redirects,
		.connect_timeout_ms = o.timeout_s * 1000,
		.idle_timeout_ms = o.timeout_s * 1000,
		.sink = &sink,
		.observer = o.verbose ? &observer : NULL,
	};
	console_interrupted();   /* forget an old Ctrl-C */
	bool started_journey = o.verbose && journey_start();
	int err = http_fetch(&fetch_client, &req, &res);
	if (o.verbose) {
		fetch_wait_closed();
		journey_flush();
		if (started_journey)
			journey_stop();
	}
	if (err == HTTP_OK) {
		fetch_summary(&o, &res, r);
		/* Issue 11: did an address translator stand between us and the
		 * server? Asked only with -v, only of servers that offer /whoami. */
		if (o.verbose && res.addr)
			whoami_tell_nat(res.host, res.port, res.addr);
		return 0;
	}
	/* Finish the line a body or the bar was on, then say what failed. */
	if (r->bar_drawn || (r->body_shown && !termsafe_finish(&r->text) && !r->text.at_line_start))
		kprintf("\n");
	char msg[URL_TEXT_MAX + 96];
	kprintf("%sfetch: %s\n", err == HTTP_EINTR ? "^C\n" : "", http_result_error(&res, msg, sizeof msg));
	return 1;
}

COMMAND(fetch, .name = "fetch", .usage = "fetch [-i | -I] [-o null] [--sha256] [-L N] [-T S] [-v] URL",
	.summary = "get a web page over HTTP/1.1 and show it",
	.example = "fetch www.google.com   (fetch -o null --sha256 http://host/big; fetch -h)", .run = cmd_fetch);
