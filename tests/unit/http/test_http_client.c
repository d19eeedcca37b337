/* Host tests of user/http.c, the client's I/O, over the scripted network
 * of fake_net.c: the bytes it sends, the steps it reports, redirects
 * (relative, to another host, 303, limits, loops), and every failure with
 * the exact line fetch prints for it. */
#include <stdlib.h>
#include <string.h>

#include "kernel/version.h"
#include "net/err.h"
#include "tests/unit/check.h"
#include "tests/unit/http/fake_net.h"
#include "user/http.h"

#define STARTS_WITH(s, prefix) CHECK(strncmp((s), (prefix), strlen(prefix)) == 0)

enum {
	GOOGLE = 0xc633640a,   /* 198.51.100.10 */
	WEB = 0xc633640b,      /* 198.51.100.11 */
	DOC = 0xc0000250,      /* 192.0.2.80 */
};

static struct http_client client;   /* ~64 KiB: not on the stack */
static struct http_result res;

/* What the sink and the observer saw. */
static struct {
	char body[1 << 17];
	size_t body_len;
	unsigned headers_calls, follows;
	int stop_after;                 /* body(): ask to stop once this many bytes came (0: never) */
	char events[64];                /* one letter per event */
	unsigned nevents;
	char request_line[256];
	char redirect_to[URL_TEXT_MAX];
} seen;

static void on_headers(void *ctx, const struct http_parser *p, bool follow)
{
	(void)ctx;
	(void)p;
	seen.headers_calls++;
	seen.follows += follow;
}

static int on_body(void *ctx, const uint8_t *data, size_t len)
{
	(void)ctx;
	if (seen.body_len + len <= sizeof seen.body)
		memcpy(seen.body + seen.body_len, data, len);
	seen.body_len += len;
	return seen.stop_after && seen.body_len >= (size_t)seen.stop_after;
}

/* U(rl) R(esolved) c(onnecting) C(onnected) Q(request) I(nterim) S(tatus)
 * L(ocation followed) D(one). */
static void on_event(void *ctx, const struct http_event *ev)
{
	static const char letters[] = "URcCQISLD";
	(void)ctx;
	if (seen.nevents < sizeof seen.events - 1)
		seen.events[seen.nevents++] = letters[ev->kind];
	if (ev->kind == HTTP_EV_REQUEST)
		snprintf(seen.request_line, sizeof seen.request_line, "%s", ev->text);
	if (ev->kind == HTTP_EV_REDIRECT)
		snprintf(seen.redirect_to, sizeof seen.redirect_to, "%s", ev->text);
}

static const struct http_sink sink = { .headers = on_headers, .body = on_body };
static const struct http_observer observer = { .event = on_event };

static void setup(void)
{
	fake_net_reset();
	memset(&seen, 0, sizeof seen);
	fake_dns("www.google.com", DNS_OK, GOOGLE);
	fake_dns("web.example.test", DNS_OK, WEB);
}

static int fetch(const char *url, bool head, unsigned max_redirects)
{
	struct http_request req = {
		.url = url, .head = head, .max_redirects = max_redirects,
		.sink = &sink, .observer = &observer,
	};
	int err = http_fetch(&client, &req, &res);
	CHECK_EQ_INT(err, res.err);
	CHECK_EQ_INT(fake_net.open_sockets, 0);    /* every socket closed or aborted */
	return err;
}

/* The one-line failure text. */
static const char *error_line(void)
{
	static char buf[URL_TEXT_MAX + 128];
	return http_result_error(&res, buf, sizeof buf);
}

static const char page[] =
	"HTTP/1.1 200 OK\r\n"
	"Content-Type: text/html\r\n"
	"Content-Length: 18\r\n"
	"\r\n"
	"<html>hello</html>";

static void test_get(void)
{
	setup();
	struct fake_server *s = fake_server(GOOGLE, 80, FAKE_HANG, page, NULL);
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_OK);
	CHECK_EQ_STR(s->sent, "GET / HTTP/1.1\r\n"
			      "Host: www.google.com\r\n"
			      "User-Agent: Pigeon/" PIGEON_VERSION "\r\n"
			      "Accept: */*\r\n"
			      "Connection: close\r\n"
			      "\r\n");
	CHECK_EQ_INT(res.status, 200);
	CHECK_EQ_STR(res.reason, "OK");
	CHECK_EQ_INT(res.body_bytes, 18);
	CHECK(res.length_known && res.content_length == 18);
	CHECK_EQ_INT(seen.body_len, 18);
	CHECK_EQ_MEM(seen.body, "<html>hello</html>", 18);
	CHECK_EQ_STR(res.url, "http://www.google.com/");
	/* Done at the end of the Content-Length, without waiting for a
	 * close that a keep-alive server would not send: closed politely. */
	CHECK_EQ_INT(fake_net.closes, 1);
	CHECK_EQ_INT(fake_net.aborts, 0);
	CHECK_EQ_STR(seen.events, "URcCQSD");
	CHECK_EQ_STR(seen.request_line, "GET / HTTP/1.1");
	CHECK_EQ_INT(seen.headers_calls, 1);
	CHECK_EQ_INT(seen.follows, 0);
	CHECK_EQ_STR(error_line(), "ok");
}

/* The same response a byte per recv, with a 1xx first and a port. */
static void test_get_bytewise(void)
{
	static const char resp[] = "HTTP/1.1 100 Continue\r\n\r\n"
				   "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "3;x=y\r\nabc\r\n1\r\nd\r\n0\r\nT: 1\r\n\r\n";
	setup();
	struct fake_server *s = fake_server(DOC, 8080, FAKE_HANG, NULL);
	for (size_t i = 0; i < sizeof resp - 1; i++)
		fake_server_piece(s, resp + i, 1);
	CHECK_EQ_INT(fetch("http://192.0.2.80:8080/x?y=1", true, 5), HTTP_OK);
	STARTS_WITH(s->sent, "HEAD /x?y=1 HTTP/1.1\r\nHost: 192.0.2.80:8080\r\n");
	/* HEAD: no body even though the headers announce one. */
	CHECK_EQ_INT(seen.body_len, 0);
	CHECK_EQ_STR(seen.events, "URcCQISD");
	setup();
	s = fake_server(DOC, 8080, FAKE_HANG, NULL);
	for (size_t i = 0; i < sizeof resp - 1; i++)
		fake_server_piece(s, resp + i, 1);
	CHECK_EQ_INT(fetch("http://192.0.2.80:8080/x", false, 5), HTTP_OK);
	CHECK_EQ_INT(seen.body_len, 4);
	CHECK_EQ_MEM(seen.body, "abcd", 4);
	CHECK_EQ_INT(fake_net.closes, 1);
}

static void test_close_delimited(void)
{
	setup();
	fake_server(GOOGLE, 80, FAKE_CLOSE, "HTTP/1.0 200 OK\r\n\r\nfirst ", "second", NULL);
	CHECK_EQ_INT(fetch("http://www.google.com/", false, 5), HTTP_OK);
	CHECK_EQ_INT(seen.body_len, 12);
	CHECK_EQ_MEM(seen.body, "first second", 12);
	CHECK(!res.length_known);
}

static const char redirect2[] = "HTTP/1.1 302 Found\r\nLocation: http://web.example.test/final\r\n"
				"Content-Length: 0\r\n\r\n";
static const char final_page[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal";

static void test_redirect_chain(void)
{
	setup();
	/* Each fake server replays one script to every connection, so the
	 * chain moves port, then host: google:80 -> google:81 -> web:80. */
	fake_server(GOOGLE, 80, FAKE_HANG, "HTTP/1.1 301 Moved Permanently\r\nLocation: "
					  "http://www.google.com:81/redirect2\r\nContent-Length: 9\r\n\r\nmoved 301",
		    NULL);
	struct fake_server *g81 = fake_server(GOOGLE, 81, FAKE_HANG, redirect2, NULL);
	struct fake_server *web = fake_server(WEB, 80, FAKE_HANG, final_page, NULL);
	CHECK_EQ_INT(fetch("www.google.com/redirect1", false, 5), HTTP_OK);
	CHECK_EQ_INT(res.status, 200);
	CHECK_EQ_INT(res.redirects, 2);
	CHECK_EQ_STR(res.url, "http://web.example.test/final");
	CHECK_EQ_INT(seen.body_len, 5);                 /* redirect bodies are dropped */
	CHECK_EQ_MEM(seen.body, "final", 5);
	CHECK_EQ_INT(seen.headers_calls, 3);
	CHECK_EQ_INT(seen.follows, 2);
	/* DNS again only when the host changed. */
	CHECK_EQ_INT(fake_net.resolves, 2);
	STARTS_WITH(g81->sent, "GET /redirect2 HTTP/1.1\r\nHost: www.google.com:81\r\n");
	STARTS_WITH(web->sent, "GET /final HTTP/1.1\r\nHost: web.example.test\r\n");
	CHECK_EQ_STR(seen.events, "URcCQSLD" "UcCQSLD" "URcCQSD");
	CHECK_EQ_INT(fake_net.closes, 3);
}

/* A URL seen before in the chain is a loop, found before the limit. */
static void test_redirect_loop(void)
{
	setup();
	fake_server(GOOGLE, 80, FAKE_HANG, "HTTP/1.1 302 Found\r\nLocation: /a\r\nContent-Length: 0\r\n\r\n", NULL);
	CHECK_EQ_INT(fetch("http://www.google.com/a", false, 5), HTTP_ELOOP);
	CHECK_EQ_STR(error_line(), "redirect loop at http://www.google.com/a");
	CHECK_EQ_INT(res.redirects, 0);
	/* Through a second URL: /b -> /a -> /a (a relative Location). */
	setup();
	fake_server(GOOGLE, 80, FAKE_HANG, "HTTP/1.1 307 Temporary Redirect\r\nLocation: a\r\n"
					  "Content-Length: 0\r\n\r\n", NULL);
	CHECK_EQ_INT(fetch("http://www.google.com/b", false, 5), HTTP_ELOOP);
	CHECK_EQ_INT(res.redirects, 1);
	CHECK_EQ_STR(seen.redirect_to, "http://www.google.com/a");
	CHECK_EQ_STR(error_line(), "redirect loop at http://www.google.com/a");
}

static void test_too_many_redirects(void)
{
	setup();
	/* Each port redirects to the next one. */
	static char resp[8][128];
	for (int i = 0; i < 8; i++) {
		snprintf(resp[i], sizeof resp[i],
			 "HTTP/1.1 308 Permanent Redirect\r\nLocation: //www.google.com:%d/\r\nContent-Length: 0\r\n\r\n",
			 8001 + i);
		fake_server(GOOGLE, (uint16_t)(8000 + i), FAKE_HANG, resp[i], NULL);
	}
	CHECK_EQ_INT(fetch("http://www.google.com:8000/", false, 5), HTTP_EREDIRECTS);
	CHECK_EQ_STR(error_line(), "too many redirects (5)");
	CHECK_EQ_INT(res.redirects, 5);
	CHECK_EQ_INT(fake_net.servers[5].connects, 1);
	CHECK_EQ_INT(fake_net.servers[6].connects, 0);
	/* -L 2. */
	setup();
	for (int i = 0; i < 8; i++)
		fake_server(GOOGLE, (uint16_t)(8000 + i), FAKE_HANG, resp[i], NULL);
	CHECK_EQ_INT(fetch("http://www.google.com:8000/", false, 2), HTTP_EREDIRECTS);
	CHECK_EQ_STR(error_line(), "too many redirects (2)");
	/* -L 0: the redirect is the answer. */
	setup();
	fake_server(GOOGLE, 8000, FAKE_HANG, resp[0], NULL);
	CHECK_EQ_INT(fetch("http://www.google.com:8000/", false, 0), HTTP_OK);
	CHECK_EQ_INT(res.status, 308);
	CHECK_EQ_INT(seen.follows, 0);
}

static void test_redirect_special_cases(void)
{
	/* 303 on HEAD stays HEAD; other 3xx (300, 304) are not followed. */
	setup();
	fake_server(GOOGLE, 80, FAKE_HANG, "HTTP/1.1 303 See Other\r\nLocation: http://web.example.test/x\r\n\r\n",
		    NULL);
	struct fake_server *web = fake_server(WEB, 80, FAKE_HANG, final_page, NULL);
	CHECK_EQ_INT(fetch("www.google.com", true, 5), HTTP_OK);
	STARTS_WITH(web->sent, "HEAD /x HTTP/1.1\r\n");
	setup();
	fake_server(GOOGLE, 80, FAKE_HANG, "HTTP/1.1 300 Multiple Choices\r\nLocation: /x\r\nContent-Length: 2\r\n\r\nab",
		    NULL);
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_OK);
	CHECK_EQ_INT(res.status, 300);
	CHECK_EQ_INT(seen.body_len, 2);
	/* A redirect without Location is the final answer. */
	setup();
	fake_server(GOOGLE, 80, FAKE_HANG, "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n", NULL);
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_OK);
	CHECK_EQ_INT(res.status, 302);
	/* A Location we refuse. */
	setup();
	fake_server(GOOGLE, 80, FAKE_HANG, "HTTP/1.1 301 Moved\r\nLocation: https://www.google.com/\r\n\r\n", NULL);
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_EURL);
	CHECK_EQ_STR(error_line(), "bad redirect to https://www.google.com/: https is not supported (no TLS yet)");
	/* A Location longer than any URL we hold: refused, named cut to
	 * the bound, and the reason still fits on fetch's line. */
	setup();
	static char longloc[8192];
	int k = snprintf(longloc, sizeof longloc, "HTTP/1.1 302 Found\r\nLocation: /");
	memset(longloc + k, 'L', 4000);
	strcpy(longloc + k + 4000, "\r\nContent-Length: 0\r\n\r\n");
	fake_server(GOOGLE, 80, FAKE_HANG, longloc, NULL);
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_EURL);
	CHECK_EQ_INT(res.detail, URL_ETOOLONG);
	CHECK_EQ_INT(strlen(res.url), URL_TEXT_MAX - 1);
	char line[URL_TEXT_MAX + 96];      /* fetch's buffer for the line */
	http_result_error(&res, line, sizeof line);
	CHECK(strncmp(line, "bad redirect to /LLL", 20) == 0);
	CHECK(strlen(line) > strlen(": path and query too long") &&
	      strcmp(line + strlen(line) - strlen(": path and query too long"), ": path and query too long") == 0);
	/* A big redirect body is not read to its end: the connection is reset. */
	setup();
	static char big[HTTP_REDIRECT_DRAIN_MAX + 4096];
	int n = snprintf(big, sizeof big, "HTTP/1.1 302 Found\r\nLocation: http://web.example.test/\r\n"
					  "Content-Length: %d\r\n\r\n", HTTP_REDIRECT_DRAIN_MAX + 2048);
	memset(big + n, 'x', sizeof big - (size_t)n);
	struct fake_server *g = fake_server(GOOGLE, 80, FAKE_HANG, NULL);
	fake_server_piece(g, big, sizeof big);
	fake_server(WEB, 80, FAKE_HANG, final_page, NULL);
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_OK);
	CHECK_EQ_INT(fake_net.aborts, 1);
	CHECK_EQ_INT(seen.body_len, 5);
}

static void test_url_errors(void)
{
	setup();
	CHECK_EQ_INT(fetch("https://www.google.com/search?q=x", false, 5), HTTP_EURL);
	CHECK_EQ_STR(error_line(), "https is not supported (no TLS yet): try http://www.google.com/search?q=x");
	CHECK_EQ_INT(fetch("http://h:0/", false, 5), HTTP_EURL);
	CHECK_EQ_STR(error_line(), "http://h:0/: port out of range (1-65535)");
	CHECK_EQ_INT(fetch("", false, 5), HTTP_EURL);
	CHECK_EQ_STR(error_line(), ": empty URL");
	CHECK_EQ_INT(fake_net.resolves, 0);
}

static void test_dns_errors(void)
{
	setup();
	CHECK_EQ_INT(fetch("www.nosuch.test", false, 5), HTTP_EDNS);
	CHECK_EQ_STR(error_line(), "www.nosuch.test: DNS NXDOMAIN");
	fake_dns("servfail.test", DNS_ESERVFAIL, 0);
	CHECK_EQ_INT(fetch("servfail.test", false, 5), HTTP_EDNS);
	CHECK_EQ_STR(error_line(), "servfail.test: DNS SERVFAIL");
	fake_dns("nodata.test", DNS_ENODATA, 0);
	CHECK_EQ_INT(fetch("nodata.test", false, 5), HTTP_EDNS);
	CHECK_EQ_STR(error_line(), "nodata.test: DNS NODATA (no IPv4 address)");
	fake_dns("slow.test", DNS_ETIMEDOUT, 0);
	CHECK_EQ_INT(fetch("slow.test", false, 5), HTTP_EDNS);
	CHECK_EQ_STR(error_line(), "slow.test: DNS timed out (no server answered)");
	fake_dns("none.test", DNS_ENOSERVERS, 0);
	CHECK_EQ_INT(fetch("none.test", false, 5), HTTP_EDNS);
	CHECK_EQ_STR(error_line(), "none.test: DNS: no DNS server is configured");
	fake_dns("intr.test", DNS_EINTR, 0);
	CHECK_EQ_INT(fetch("intr.test", false, 5), HTTP_EINTR);
	CHECK_EQ_STR(error_line(), "interrupted");
	/* The redirect's new host fails: named as such. */
	setup();
	fake_server(GOOGLE, 80, FAKE_HANG, "HTTP/1.1 302 Found\r\nLocation: http://gone.test/\r\n\r\n", NULL);
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_EDNS);
	CHECK_EQ_STR(error_line(), "gone.test: DNS NXDOMAIN");
	CHECK_EQ_INT(fake_net.aborts, 1);   /* the 302 had no framing: close-delimited, reset to end it */
}

static void test_connect_errors(void)
{
	setup();
	CHECK_EQ_INT(fetch("http://192.0.2.80:81/", false, 5), HTTP_ECONNECT);
	CHECK_EQ_STR(error_line(), "192.0.2.80:81: connection refused");
	struct fake_server *s = fake_server(GOOGLE, 80, FAKE_HANG, NULL);
	s->on_connect = FAKE_SILENT;
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_ECONNECT);
	CHECK_EQ_STR(error_line(), "198.51.100.10:80: timed out connecting (10 s)");
	CHECK_EQ_INT(fake_net.last_timeout_ms, HTTP_CONNECT_TIMEOUT_MS);
	CHECK_EQ_INT(fake_net.aborts, 2);
}

static void test_read_errors(void)
{
	/* Accepts and never answers. */
	setup();
	fake_server(GOOGLE, 80, FAKE_HANG, NULL);
	uint64_t t0 = fake_net.now_ms;
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_ETIMEOUT);
	CHECK_EQ_STR(error_line(), "timed out waiting for response headers (10 s)");
	CHECK_EQ_INT(fake_net.now_ms - t0, HTTP_IDLE_TIMEOUT_MS);
	CHECK_EQ_INT(res.elapsed_ms, HTTP_IDLE_TIMEOUT_MS);
	CHECK_EQ_INT(fake_net.aborts, 1);
	/* Stops in the middle of the body. */
	setup();
	fake_server(GOOGLE, 80, FAKE_HANG, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", NULL);
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_ETIMEOUT);
	CHECK_EQ_STR(error_line(), "timed out waiting for the body after 5 bytes (10 s)");
	/* Resets in the middle of the body. */
	setup();
	fake_server(GOOGLE, 80, FAKE_RESET, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", "12345", "678",
		    NULL);
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_ERECV);
	CHECK_EQ_STR(error_line(), "connection reset by peer after 8 body bytes");
	CHECK_EQ_INT(seen.body_len, 8);
	/* Resets before the headers. */
	setup();
	fake_server(GOOGLE, 80, FAKE_RESET, "HTTP/1.1 200 OK\r\n", NULL);
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_ERECV);
	CHECK_EQ_STR(error_line(), "connection reset by peer while waiting for response headers");
	/* Closes early, each framing. */
	setup();
	fake_server(GOOGLE, 80, FAKE_CLOSE, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", NULL);
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_EPROTO);
	CHECK_EQ_STR(error_line(), "connection closed after 5 of 10 body bytes");
	setup();
	fake_server(GOOGLE, 80, FAKE_CLOSE, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n123", NULL);
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_EPROTO);
	CHECK_EQ_STR(error_line(), "connection closed in the middle of a chunked body after 3 bytes");
	setup();
	fake_server(GOOGLE, 80, FAKE_CLOSE, NULL);
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_EPROTO);
	CHECK_EQ_STR(error_line(), "bad response from 198.51.100.10:80: connection closed with no response");
	/* Not HTTP at all. */
	setup();
	fake_server(GOOGLE, 80, FAKE_CLOSE, "SSH-2.0-OpenSSH_9.2\r\n\r\n", NULL);
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_EPROTO);
	CHECK_EQ_STR(error_line(), "bad response from 198.51.100.10:80: not an HTTP/1.x response");
	CHECK_EQ_INT(fake_net.aborts, 1);
}

static void test_interrupt_and_stop(void)
{
	/* Ctrl-C while the body streams: reset, and back at once. */
	setup();
	fake_server(GOOGLE, 80, FAKE_CTRL_C, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc", NULL);
	uint64_t t0 = fake_net.now_ms;
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_EINTR);
	CHECK_EQ_STR(error_line(), "interrupted");
	CHECK_EQ_INT(fake_net.aborts, 1);
	CHECK_EQ_INT(fake_net.now_ms, t0);
	/* The sink says stop. */
	setup();
	fake_server(GOOGLE, 80, FAKE_HANG, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", "67890", NULL);
	seen.stop_after = 5;
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_ESINK);
	CHECK_EQ_STR(error_line(), "stopped after 5 body bytes");
	CHECK_EQ_INT(fake_net.aborts, 1);
}

/* A long body in big pieces: streamed, never held. */
static void test_large_body(void)
{
	static char piece[HTTP_RECV_BUF * 3 + 7];
	static char head[80];
	setup();
	memset(piece, 'z', sizeof piece);
	snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", 2 * sizeof piece);
	struct fake_server *s = fake_server(GOOGLE, 80, FAKE_HANG, head, NULL);
	fake_server_piece(s, piece, sizeof piece);
	fake_server_piece(s, piece, sizeof piece);
	CHECK_EQ_INT(fetch("www.google.com", false, 5), HTTP_OK);
	CHECK_EQ_INT(res.body_bytes, 2 * sizeof piece);
	CHECK_EQ_INT(seen.body_len, 2 * sizeof piece);
}

int main(void)
{
	check_suite = "http.client";
	RUN(test_get);
	RUN(test_get_bytewise);
	RUN(test_close_delimited);
	RUN(test_redirect_chain);
	RUN(test_redirect_loop);
	RUN(test_too_many_redirects);
	RUN(test_redirect_special_cases);
	RUN(test_url_errors);
	RUN(test_dns_errors);
	RUN(test_connect_errors);
	RUN(test_read_errors);
	RUN(test_interrupt_and_stop);
	RUN(test_large_body);
	return check_report();
}
