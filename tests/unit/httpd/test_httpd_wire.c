/* httpd's request parser: whole and partial heads, keep-alive rules,
 * pipelining, and every refusal (RFC 9112), from literal requests. */
#include <string.h>

#include "tests/unit/check.h"
#include "user/httpd_wire.h"

static struct httpd_request req;

static int parse(const char *s)
{
	return httpd_request_parse(s, strlen(s), &req);
}

static void test_get_keep_alive(void)
{
	const char *s = "GET /hello.txt?x=1 HTTP/1.1\r\nHost: pigeon\r\nUser-Agent: t\r\n\r\n";
	CHECK_EQ_INT(parse(s), strlen(s));
	CHECK_EQ_INT(req.method, HTTPD_GET);
	CHECK_EQ_STR(req.target, "/hello.txt?x=1");
	CHECK_EQ_STR(req.host, "pigeon");
	CHECK_EQ_INT(req.minor, 1);
	CHECK(req.keep_alive);
	CHECK_EQ_INT(req.content_length, 0);
}

static void test_connection_rules(void)
{
	CHECK(parse("HEAD / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, close\r\n\r\n") > 0);
	CHECK_EQ_INT(req.method, HTTPD_HEAD);
	CHECK(!req.keep_alive);
	CHECK(parse("GET / HTTP/1.0\r\n\r\n") > 0);
	CHECK(!req.keep_alive);
	CHECK(parse("GET / HTTP/1.0\r\nconnection: keep-alive\r\n\r\n") > 0);
	CHECK(req.keep_alive);
}

static void test_partial_then_whole(void)
{
	const char *s = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	for (size_t i = 0; i < strlen(s); i++)
		CHECK_EQ_INT(httpd_request_parse(s, i, &req), HTTPD_NEED_MORE);
	CHECK_EQ_INT(parse(s), strlen(s));
}

static void test_pipelined_and_bare_lf(void)
{
	const char *s = "\r\nGET /a HTTP/1.1\nHost: a\n\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n";
	int n = parse(s);
	CHECK_EQ_INT(n, strlen("\r\nGET /a HTTP/1.1\nHost: a\n\n"));
	CHECK_EQ_STR(req.target, "/a");
	CHECK_EQ_INT(parse(s + n), strlen(s + n));
	CHECK_EQ_STR(req.target, "/b");
}

static void test_body_length(void)
{
	CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello") > 0);
	CHECK_EQ_INT(req.content_length, 5);
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"), -400);
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"), -400);
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n"), -413);
	CHECK_EQ_INT(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"), -501);
}

static void test_refusals(void)
{
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\n\r\n"), -400);                       /* no Host */
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), -400); /* two */
	CHECK_EQ_INT(parse("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"), -400);          /* two spaces */
	CHECK_EQ_INT(parse("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n"), -400);   /* absolute-form */
	CHECK_EQ_INT(parse("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), -505);
	CHECK_EQ_INT(parse("GET / HTTQ/1.1\r\nHost: a\r\n\r\n"), -400);
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n"), -400);
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n"), -400);
	CHECK_EQ_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nX: a\001b\r\n\r\n"), -400);
	CHECK_EQ_INT(parse("\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
	CHECK(parse("DELETE / HTTP/1.1\r\nHost: a\r\n\r\n") > 0);
	CHECK_EQ_INT(req.method, HTTPD_OTHER);
}

static void test_head_too_large(void)
{
	static char big[HTTPD_HEAD_MAX + 64];
	memset(big, 'a', sizeof big);
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	CHECK_EQ_INT(httpd_request_parse(big, sizeof big, &req), -431);
	CHECK_EQ_INT(httpd_request_parse(big, 100, &req), HTTPD_NEED_MORE);
}

static void test_response_head(void)
{
	char out[256];
	size_t n = httpd_response_head(out, sizeof out, 404, "text/plain", 7, false, NULL);
	const char *want = "HTTP/1.1 404 Not Found\r\nServer: Pigeon/0.1\r\nContent-Type: text/plain\r\n"
			   "Content-Length: 7\r\nConnection: close\r\n\r\n";
	CHECK_EQ_INT(n, strlen(want));
	CHECK_EQ_STR(out, want);
	CHECK_EQ_INT(httpd_response_head(out, 20, 200, "text/plain", 7, true, NULL), 0);
}

int main(void)
{
	check_suite = "httpd_wire";
	RUN(test_get_keep_alive);
	RUN(test_connection_rules);
	RUN(test_partial_then_whole);
	RUN(test_pipelined_and_bare_lf);
	RUN(test_body_length);
	RUN(test_refusals);
	RUN(test_head_too_large);
	RUN(test_response_head);
	return check_report();
}
