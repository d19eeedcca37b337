/* Host tests of user/http_wire.c: the request we send and the streaming
 * response parser: every framing, every truncation point, every slice
 * size, malformed lines, the limits, and the framing conflicts of
 * RFC 9112 section 6.3. */
#include <stdlib.h>
#include <string.h>

#include "kernel/version.h"
#include "tests/unit/check.h"
#include "user/http_wire.h"

static struct http_parser parser;   /* 18 KiB: not on the stack */

enum { BODY_MAX = 1 << 16 };

struct outcome {
	int result;             /* HTTP_PARSE_DONE, HTTP_PARSE_MORE or an error */
	unsigned headers;       /* HTTP_PARSE_HEADERS events */
	unsigned interim;       /* HTTP_PARSE_INTERIM events */
	char body[BODY_MAX];
	size_t body_len;
	size_t used;            /* bytes the parser took in all */
};

static struct outcome out;

/* Feed msg[0, len) in slices of `slice` bytes (0: all at once) until the
 * response is done or refused; then, if finish, tell the parser the
 * connection closed. */
static void feed(const char *msg, size_t len, size_t slice, bool head, bool finish, struct outcome *o)
{
	memset(o, 0, sizeof *o);
	http_parser_init(&parser, head);
	size_t off = 0;
	int r = HTTP_PARSE_MORE;
	while (off < len || r != HTTP_PARSE_MORE) {
		size_t n = len - off;
		if (slice && n > slice)
			n = slice;
		/* Feed this slice until the parser has taken all of it. */
		size_t sl_off = 0;
		do {
			size_t used, blen;
			const uint8_t *body;
			r = http_parse(&parser, msg + off + sl_off, n - sl_off, &used, &body, &blen);
			if (used > n - sl_off) {
				CHECK_FAIL_AT(__FILE__, __LINE__, "used %zu of %zu", used, n - sl_off);
				o->result = -1000;
				return;
			}
			sl_off += used;
			o->used += used;
			if (r < 0 || r == HTTP_PARSE_DONE) {
				o->result = r;
				return;
			}
			if (r == HTTP_PARSE_HEADERS)
				o->headers++;
			if (r == HTTP_PARSE_INTERIM)
				o->interim++;
			if (r == HTTP_PARSE_BODY) {
				CHECK(blen > 0 && body >= (const uint8_t *)msg && body + blen <= (const uint8_t *)msg + len);
				if (o->body_len + blen <= BODY_MAX)
					memcpy(o->body + o->body_len, body, blen);
				o->body_len += blen;
			}
		} while (r != HTTP_PARSE_MORE);
		if (sl_off != n) {
			CHECK_FAIL_AT(__FILE__, __LINE__, "MORE with %zu of %zu used", sl_off, n);
			o->result = -1000;
			return;
		}
		off += n;
		if (off == len)
			break;
	}
	o->result = finish ? http_parse_finish(&parser) : HTTP_PARSE_MORE;
}

static void feed_str(const char *msg, bool finish, struct outcome *o)
{
	feed(msg, strlen(msg), 0, false, finish, o);
}

#define EXPECT_BODY(o, text)                                                              \
	do {                                                                              \
		CHECK_EQ_INT((o)->body_len, strlen(text));                                \
		if ((o)->body_len == strlen(text))                                        \
			CHECK_EQ_MEM((o)->body, text, strlen(text));                      \
	} while (0)

/* ---- valid responses, used by several tests ---- */

static const char resp_length[] =
	"HTTP/1.1 200 OK\r\n"
	"Content-Type: text/html\r\n"
	"Content-Length: 13\r\n"
	"\r\n"
	"Hello, world!";

static const char resp_chunked[] =
	"HTTP/1.1 200 OK\r\n"
	"Transfer-Encoding: chunked\r\n"
	"\r\n"
	"1\r\nH\r\n"                              /* a one-byte chunk */
	"0c;name=value\r\nello, worl\nd\r\n"      /* 12 bytes (an LF inside), an extension */
	"1 ; a ; b=\"q;x\"\r\n!\r\n"              /* BWS, two extensions, a quoted ';' */
	"000\r\n"                                 /* the last chunk, leading zeros */
	"Trailer-One: 1\r\n"                      /* trailers: read and dropped */
	"Trailer-Two:2\r\n"
	"\r\n";

static const char resp_close[] =
	"HTTP/1.0 200 OK\r\n"
	"Server: old\r\n"
	"\r\n"
	"until the end";

static const char resp_interim[] =
	"HTTP/1.1 100 Continue\r\n\r\n"
	"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

static void test_content_length(void)
{
	feed_str(resp_length, false, &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_DONE);
	CHECK_EQ_INT(out.headers, 1);
	EXPECT_BODY(&out, "Hello, world!");
	CHECK_EQ_INT(parser.status, 200);
	CHECK_EQ_STR(parser.reason, "OK");
	CHECK_EQ_INT(parser.version_minor, 1);
	CHECK_EQ_INT(parser.framing, HTTP_FRAME_LENGTH);
	CHECK_EQ_INT(parser.content_length, 13);
	CHECK_EQ_INT(parser.body_bytes, 13);
	CHECK_EQ_INT(parser.nfields, 2);
	CHECK_EQ_STR(http_field_get(&parser, "content-type"), "text/html");
	CHECK_EQ_STR(http_field_get(&parser, "CONTENT-LENGTH"), "13");
	CHECK(http_field_get(&parser, "Location") == NULL);
	CHECK(http_parser_has_headers(&parser));
	/* Done is final: nothing more is taken. */
	size_t used, blen;
	const uint8_t *body;
	CHECK_EQ_INT(http_parse(&parser, "xyz", 3, &used, &body, &blen), HTTP_PARSE_DONE);
	CHECK_EQ_INT(used, 0);
	CHECK_EQ_INT(http_parse_finish(&parser), HTTP_PARSE_DONE);
}

static void test_bytes_after_the_body_are_not_taken(void)
{
	char msg[256];
	snprintf(msg, sizeof msg, "%sHTTP/1.1 200 OK\r\n\r\n", resp_length);
	feed_str(msg, false, &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_DONE);
	EXPECT_BODY(&out, "Hello, world!");
	CHECK_EQ_INT(out.used, strlen(resp_length));
}

static void test_chunked(void)
{
	feed_str(resp_chunked, false, &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_DONE);
	EXPECT_BODY(&out, "Hello, worl\nd!");
	CHECK_EQ_INT(parser.framing, HTTP_FRAME_CHUNKED);
	CHECK_EQ_INT(out.used, strlen(resp_chunked));
	/* Upper-case hex, LF-only lines, no trailer. */
	feed_str("HTTP/1.1 200 OK\nTransfer-Encoding: Chunked\n\nA\n0123456789\n0\n\n", false, &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_DONE);
	EXPECT_BODY(&out, "0123456789");
}

static void test_close_delimited(void)
{
	feed_str(resp_close, false, &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_MORE);           /* until the close */
	CHECK_EQ_INT(parser.framing, HTTP_FRAME_CLOSE);
	CHECK_EQ_INT(parser.version_minor, 0);
	feed_str(resp_close, true, &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_DONE);
	EXPECT_BODY(&out, "until the end");
	/* An empty close-delimited body. */
	feed_str("HTTP/1.1 200 OK\r\n\r\n", true, &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_DONE);
	CHECK_EQ_INT(out.body_len, 0);
}

static void test_no_body(void)
{
	/* HEAD: the headers describe a body that is not sent. */
	const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
	feed(head, strlen(head), 0, true, false, &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_DONE);
	CHECK_EQ_INT(out.headers, 1);
	CHECK_EQ_INT(parser.framing, HTTP_FRAME_NONE);
	CHECK_EQ_INT(parser.content_length, 0);
	/* A HEAD response that claims chunked: still nothing. */
	const char *head2 = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	feed(head2, strlen(head2), 0, true, false, &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_DONE);
	feed_str("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nXXXXX", false, &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_DONE);
	CHECK_EQ_INT(out.body_len, 0);
	feed_str("HTTP/1.1 304 Not Modified\r\n\r\n", false, &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_DONE);
	feed_str("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false, &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_DONE);
	CHECK_EQ_INT(parser.framing, HTTP_FRAME_LENGTH);
}

static void test_interim_skipped(void)
{
	feed_str(resp_interim, false, &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_DONE);
	CHECK_EQ_INT(out.interim, 2);
	CHECK_EQ_INT(out.headers, 1);
	CHECK_EQ_INT(parser.status, 200);
	CHECK_EQ_INT(parser.interim, 2);
	CHECK_EQ_INT(parser.nfields, 1);                     /* the 103's Link is gone */
	EXPECT_BODY(&out, "ok");
	/* 101: we never asked to switch protocols. */
	feed_str("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", false, &out);
	CHECK_EQ_INT(out.result, HTTP_WIRE_EINTERIM);
	/* An endless stream of 1xx ends. */
	char many[1024] = "";
	for (int i = 0; i <= HTTP_INTERIM_MAX; i++)
		strcat(many, "HTTP/1.1 100 Continue\r\n\r\n");
	feed_str(many, false, &out);
	CHECK_EQ_INT(out.result, HTTP_WIRE_EINTERIM);
	CHECK_EQ_INT(out.interim, HTTP_INTERIM_MAX);
}

/* RFC 9112 6.3 point 3: Transfer-Encoding chunked wins over Content-Length. */
static void test_chunked_wins_over_length(void)
{
	feed_str("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "5\r\nabcde\r\n0\r\n\r\n", false, &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_DONE);
	CHECK_EQ_INT(parser.framing, HTTP_FRAME_CHUNKED);
	EXPECT_BODY(&out, "abcde");
	/* Even when the Content-Length is garbage. */
	feed_str("HTTP/1.1 200 OK\r\nContent-Length: nope\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false,
		 &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_DONE);
}

static void test_transfer_codings_refused(void)
{
	static const char *const bad[] = {
		"gzip",                 /* cannot decode it */
		"gzip, chunked",
		"chunked, chunked",     /* chunked twice (RFC 9112 6.1) */
		"chunked;q=1",
		"",                     /* present but empty */
		"identity",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char msg[256];
		snprintf(msg, sizeof msg, "HTTP/1.1 200 OK\r\nTransfer-Encoding: %s\r\n\r\n0\r\n\r\n", bad[i]);
		feed_str(msg, false, &out);
		if (out.result != HTTP_WIRE_ECODING)
			CHECK_FAIL_AT(__FILE__, __LINE__, "Transfer-Encoding: %s gave %d", bad[i], out.result);
	}
	/* Split across two fields, the list is the same. */
	feed_str("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", false, &out);
	CHECK_EQ_INT(out.result, HTTP_WIRE_ECODING);
}

static void expect_length(const char *fields, int want, uint64_t len)
{
	char msg[512];
	snprintf(msg, sizeof msg, "HTTP/1.1 200 OK\r\n%s\r\n", fields);
	feed_str(msg, false, &out);
	int got = out.result;
	if (got != want)
		CHECK_FAIL_AT(__FILE__, __LINE__, "%s: %d, expected %d", fields, got, want);
	if (want == HTTP_PARSE_MORE && parser.content_length != len)
		CHECK_FAIL_AT(__FILE__, __LINE__, "%s: length %llu", fields,
			      (unsigned long long)parser.content_length);
}

static void test_content_length_values(void)
{
	expect_length("Content-Length: 5\r\n", HTTP_PARSE_MORE, 5);
	expect_length("Content-Length:5\r\n", HTTP_PARSE_MORE, 5);
	expect_length("Content-Length: 00005 \t\r\n", HTTP_PARSE_MORE, 5);
	expect_length("Content-Length: 5, 5\r\n", HTTP_PARSE_MORE, 5);       /* a list of one value */
	expect_length("Content-Length: 5\r\ncontent-length: 5\r\n", HTTP_PARSE_MORE, 5);
	expect_length("Content-Length: 18446744073709551615\r\n", HTTP_PARSE_MORE, UINT64_MAX);
	expect_length("Content-Length: 18446744073709551616\r\n", HTTP_WIRE_ECLENBIG, 0);
	expect_length("Content-Length: 99999999999999999999999\r\n", HTTP_WIRE_ECLENBIG, 0);
	expect_length("Content-Length: 5, 6\r\n", HTTP_WIRE_ECLENDIFF, 0);
	expect_length("Content-Length: 5\r\nContent-Length: 6\r\n", HTTP_WIRE_ECLENDIFF, 0);
	expect_length("Content-Length: abc\r\n", HTTP_WIRE_ECLEN, 0);
	expect_length("Content-Length: -1\r\n", HTTP_WIRE_ECLEN, 0);
	expect_length("Content-Length: +5\r\n", HTTP_WIRE_ECLEN, 0);
	expect_length("Content-Length: 0x10\r\n", HTTP_WIRE_ECLEN, 0);
	expect_length("Content-Length: 1 2\r\n", HTTP_WIRE_ECLEN, 0);
	expect_length("Content-Length: \r\n", HTTP_WIRE_ECLEN, 0);
	expect_length("Content-Length: ,\r\n", HTTP_WIRE_ECLEN, 0);
}

static void expect_chunked_error(const char *chunks, int want)
{
	static char msg[2 * HTTP_HEAD_MAX];
	snprintf(msg, sizeof msg, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%s", chunks);
	feed_str(msg, true, &out);
	if (out.result != want)
		CHECK_FAIL_AT(__FILE__, __LINE__, "%s: %d (%s), expected %d", chunks, out.result,
			      http_wire_strerror(out.result), want);
}

static void test_chunk_errors(void)
{
	expect_chunked_error("10000000000000000\r\n", HTTP_WIRE_ECHUNKBIG);  /* 2^64 */
	expect_chunked_error("ffffffffffffffff0\r\n", HTTP_WIRE_ECHUNKBIG);
	expect_chunked_error("zz\r\n", HTTP_WIRE_ECHUNK);
	expect_chunked_error("\r\n", HTTP_WIRE_ECHUNK);                      /* no size */
	expect_chunked_error(" 5\r\nabcde\r\n", HTTP_WIRE_ECHUNK);           /* leading space */
	expect_chunked_error(";ext\r\n", HTTP_WIRE_ECHUNK);
	expect_chunked_error("5 x\r\nabcde\r\n", HTTP_WIRE_ECHUNK);
	expect_chunked_error("-5\r\n", HTTP_WIRE_ECHUNK);
	expect_chunked_error("5\rx\nabcde\r\n", HTTP_WIRE_ECHUNK);           /* a bare CR */
	expect_chunked_error("5;\x01\r\n", HTTP_WIRE_ECHUNK);                /* a control byte */
	expect_chunked_error("5\r\nabcdeX\r\n", HTTP_WIRE_ECHUNKEND);        /* data too long */
	expect_chunked_error("5\r\nabcde\rX", HTTP_WIRE_ECHUNKEND);
	expect_chunked_error("0\r\nno colon here\r\n\r\n", HTTP_WIRE_ETRAILER);
	expect_chunked_error("0\r\n: no name\r\n\r\n", HTTP_WIRE_ETRAILER);
	expect_chunked_error("0\r\n folded: x\r\n\r\n", HTTP_WIRE_ETRAILER);
	expect_chunked_error("0\r\nA: b\rc\r\n\r\n", HTTP_WIRE_ETRAILER);
	/* The size line's bound: extensions included. */
	char line[HTTP_CHUNK_LINE_MAX + 64];
	memset(line, 'x', sizeof line);
	memcpy(line, "5;", 2);
	strcpy(line + HTTP_CHUNK_LINE_MAX + 1, "\r\n");
	expect_chunked_error(line, HTTP_WIRE_ECHUNKLINE);
	strcpy(line + HTTP_CHUNK_LINE_MAX - 2, "\r\nabcde\r\n0\r\n\r\n");  /* exactly the bound */
	expect_chunked_error(line, HTTP_PARSE_DONE);
	/* The trailer's bound. */
	static char trailer[HTTP_HEAD_MAX + 64];
	strcpy(trailer, "0\r\nX: ");
	memset(trailer + 6, 'y', HTTP_HEAD_MAX);
	strcpy(trailer + 6 + HTTP_HEAD_MAX, "\r\n\r\n");
	expect_chunked_error(trailer, HTTP_WIRE_ETRAILER);
	/* Almost 2^60: fine to announce (the close then cuts it). */
	expect_chunked_error("fffffffffffffff\r\nabc", HTTP_WIRE_ECLOSEDCHUNK);
}

/* The catalog's row P1 on the host: the framing edges the QEMU test
 * (tests/qemu/test_http_abuse.py) sends from a real server. */
static void test_p1_framing_edges(void)
{
	/* A Content-Length with a number in front of garbage is garbage. */
	expect_length("Content-Length: 12abc\r\n", HTTP_WIRE_ECLEN, 0);
	expect_length("Content-Length: 5\r\nContent-Length: 5x\r\n", HTTP_WIRE_ECLEN, 0);
	/* Transfer-Encoding wins whichever field comes first. */
	feed_str("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
		 "5\r\nabcde\r\n0\r\n\r\n", false, &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_DONE);
	EXPECT_BODY(&out, "abcde");
	/* Leading zeros are not an overflow: only the value counts. */
	expect_chunked_error("00000000000000000000005\r\nabcde\r\n0\r\n\r\n", HTTP_PARSE_DONE);
	EXPECT_BODY(&out, "abcde");
	/* Upper case overflows like lower case; "0x" is not hex syntax. */
	expect_chunked_error("FFFFFFFFFFFFFFFF0\r\n", HTTP_WIRE_ECHUNKBIG);
	expect_chunked_error("0x10\r\n", HTTP_WIRE_ECHUNK);
	expect_chunked_error("+5\r\nabcde\r\n", HTTP_WIRE_ECHUNK);
	/* A last-chunk with an extension, then trailers (one empty). */
	expect_chunked_error("3\r\nabc\r\n0000;final=yes\r\nX-Sum: 0\r\nX-Empty:\r\n\r\n", HTTP_PARSE_DONE);
	EXPECT_BODY(&out, "abc");
	/* The body's bytes after an error are never handed out: a good
	 * chunk, then a bad size, gives the good chunk only. */
	expect_chunked_error("5\r\nhello\r\n-5\r\nworld\r\n", HTTP_WIRE_ECHUNK);
	EXPECT_BODY(&out, "hello");
	/* The largest length is taken at its word, then cut by the close. */
	feed_str("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\nten bytes\n", true, &out);
	CHECK_EQ_INT(out.result, HTTP_WIRE_ECLOSEDBODY);
	EXPECT_BODY(&out, "ten bytes\n");
}

static void expect_head_error(const char *msg, int want)
{
	feed_str(msg, true, &out);
	if (out.result != want)
		CHECK_FAIL_AT(__FILE__, __LINE__, "%s: %d (%s), expected %d (%s)", msg, out.result,
			      http_wire_strerror(out.result), want, http_wire_strerror(want));
}

static void test_status_lines(void)
{
	expect_head_error("HTTP/1.1 200\r\n\r\n", HTTP_PARSE_DONE);                 /* no reason */
	CHECK_EQ_STR(parser.reason, "");
	expect_head_error("HTTP/1.1 200 \r\n\r\n", HTTP_PARSE_DONE);                /* empty reason */
	expect_head_error("HTTP/1.1 404 Not  Found \r\n\r\n", HTTP_PARSE_DONE);
	CHECK_EQ_STR(parser.reason, "Not  Found ");
	CHECK_EQ_INT(parser.status, 404);
	expect_head_error("\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", HTTP_PARSE_DONE);      /* empty lines first */
	expect_head_error("HTTP/1.1 599 Custom\r\n\r\n", HTTP_PARSE_DONE);
	expect_head_error("HTTP/2 200 OK\r\n\r\n", HTTP_WIRE_EVERSION);
	expect_head_error("HTTP/2.0 200 OK\r\n\r\n", HTTP_WIRE_EVERSION);
	expect_head_error("HTTP/1.x 200 OK\r\n\r\n", HTTP_WIRE_EVERSION);
	expect_head_error("http/1.1 200 OK\r\n\r\n", HTTP_WIRE_EVERSION);          /* case-sensitive */
	expect_head_error("ICY 200 OK\r\n\r\n", HTTP_WIRE_EVERSION);
	expect_head_error("<html>\r\n\r\n", HTTP_WIRE_EVERSION);                    /* HTTP/0.9 style */
	expect_head_error(" HTTP/1.1 200 OK\r\n\r\n", HTTP_WIRE_EVERSION);
	expect_head_error("HTTP/1.1  200 OK\r\n\r\n", HTTP_WIRE_ESTATUS);
	expect_head_error("HTTP/1.1 20 OK\r\n\r\n", HTTP_WIRE_ESTATUS);
	expect_head_error("HTTP/1.1 2000 OK\r\n\r\n", HTTP_WIRE_ESTATUS);
	expect_head_error("HTTP/1.1 abc OK\r\n\r\n", HTTP_WIRE_ESTATUS);
	expect_head_error("HTTP/1.1 099 OK\r\n\r\n", HTTP_WIRE_ESTATUS);
	expect_head_error("HTTP/1.1 600 OK\r\n\r\n", HTTP_WIRE_ESTATUS);
	expect_head_error("HTTP/1.1\r\n\r\n", HTTP_WIRE_ESTATUS);
	expect_head_error("HTTP/1.1 200\tOK\r\n\r\n", HTTP_WIRE_ESTATUS);
	expect_head_error("HTTP/1.1 200 O\x1bK\r\n\r\n", HTTP_WIRE_ESTATUS);        /* control byte */
	expect_head_error("HTTP/1.1 200 O\rK\r\n\r\n", HTTP_WIRE_ESTATUS);          /* bare CR */
	/* A NUL is a byte like any other to the length, and refused. */
	static const char nul[] = "HTTP/1.1 200 O\0K\r\n\r\n";
	feed(nul, sizeof nul - 1, 0, false, true, &out);
	CHECK_EQ_INT(out.result, HTTP_WIRE_ESTATUS);
}

static void test_header_lines(void)
{
	expect_head_error("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", HTTP_WIRE_EFIELD);
	expect_head_error("HTTP/1.1 200 OK\r\nName : v\r\n\r\n", HTTP_WIRE_EFIELD);   /* space before ':' */
	expect_head_error("HTTP/1.1 200 OK\r\n: v\r\n\r\n", HTTP_WIRE_EFIELD);
	expect_head_error("HTTP/1.1 200 OK\r\nNa(me: v\r\n\r\n", HTTP_WIRE_EFIELD);   /* not a token */
	expect_head_error("HTTP/1.1 200 OK\r\nName: a\x01b\r\n\r\n", HTTP_WIRE_EFIELD);
	expect_head_error("HTTP/1.1 200 OK\r\nName: a\rb\r\n\r\n", HTTP_WIRE_EFIELD);
	expect_head_error("HTTP/1.1 200 OK\r\nName: a\x7f\r\n\r\n", HTTP_WIRE_EFIELD);
	expect_head_error("HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", HTTP_WIRE_EOBSFOLD);
	expect_head_error("HTTP/1.1 200 OK\r\nA: b\r\n\tfolded\r\n\r\n", HTTP_WIRE_EOBSFOLD);
	expect_head_error("HTTP/1.1 200 OK\r\n X: first\r\n\r\n", HTTP_WIRE_EOBSFOLD);
	/* Good ones: empty value, obs-text, trimming, tabs inside. */
	expect_head_error("HTTP/1.1 200 OK\r\nEmpty:\r\nX-Odd: caf\xc3\xa9\r\nPad: \t a \t b \t\r\n"
			  "Content-Length: 0\r\n\r\n",
			  HTTP_PARSE_DONE);
	CHECK_EQ_STR(http_field_get(&parser, "empty"), "");
	CHECK_EQ_STR(http_field_get(&parser, "x-odd"), "caf\xc3\xa9");
	CHECK_EQ_STR(http_field_get(&parser, "pad"), "a \t b");
	CHECK_EQ_STR(parser.fields[0].name, "Empty");   /* names as received */
}

static void test_header_limits(void)
{
	static char msg[HTTP_HEAD_MAX * 2];
	int n;

	/* HTTP_FIELDS_MAX fields: fine; one more: refused. */
	n = sprintf(msg, "HTTP/1.1 200 OK\r\n");
	for (int i = 0; i < HTTP_FIELDS_MAX; i++)
		n += sprintf(msg + n, "F%d: %d\r\n", i, i);
	strcpy(msg + n, "\r\n");
	feed_str(msg, true, &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_DONE);
	CHECK_EQ_INT(parser.nfields, HTTP_FIELDS_MAX);
	CHECK_EQ_STR(http_field_get(&parser, "f99"), "99");
	n += sprintf(msg + n, "One: more\r\n");
	strcpy(msg + n, "\r\n");
	feed_str(msg, true, &out);
	CHECK_EQ_INT(out.result, HTTP_WIRE_EFIELDS);

	/* A block of exactly HTTP_HEAD_MAX bytes: fine; one more: refused. */
	const char *start = "HTTP/1.1 200 OK\r\nBig: ";
	size_t fill = HTTP_HEAD_MAX - strlen(start) - 4;
	strcpy(msg, start);
	memset(msg + strlen(start), 'b', fill);
	strcpy(msg + strlen(start) + fill, "\r\n\r\n");
	CHECK_EQ_INT(strlen(msg), HTTP_HEAD_MAX);
	feed_str(msg, true, &out);
	CHECK_EQ_INT(out.result, HTTP_PARSE_DONE);
	CHECK_EQ_INT(strlen(http_field_get(&parser, "big")), fill);
	memset(msg + strlen(start), 'b', fill + 1);
	strcpy(msg + strlen(start) + fill + 1, "\r\n\r\n");
	feed_str(msg, true, &out);
	CHECK_EQ_INT(out.result, HTTP_WIRE_EHEADBIG);
	/* A header block that never ends is refused at the bound, not later. */
	memset(msg, 'x', sizeof msg);
	memcpy(msg, "HTTP/1.1 200 OK\r\nX: ", 20);
	feed(msg, sizeof msg, 100, false, false, &out);
	CHECK_EQ_INT(out.result, HTTP_WIRE_EHEADBIG);
	CHECK_EQ_INT(out.used, HTTP_HEAD_MAX + 1);
	/* Endless empty lines too. */
	memset(msg, '\n', sizeof msg);
	feed(msg, sizeof msg, 0, false, false, &out);
	CHECK_EQ_INT(out.result, HTTP_WIRE_EHEADBIG);
}

static void test_closed_early(void)
{
	feed_str("", true, &out);
	CHECK_EQ_INT(out.result, HTTP_WIRE_ENORESPONSE);
	feed_str("HTTP/1.1 200 OK\r\n", true, &out);
	CHECK_EQ_INT(out.result, HTTP_WIRE_ECLOSEDHEAD);
	feed_str("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", true, &out);
	CHECK_EQ_INT(out.result, HTTP_WIRE_ECLOSEDBODY);
	EXPECT_BODY(&out, "12345");
	feed_str("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n123", true, &out);
	CHECK_EQ_INT(out.result, HTTP_WIRE_ECLOSEDCHUNK);
	/* Errors are sticky. */
	size_t used, blen;
	const uint8_t *body;
	CHECK_EQ_INT(http_parse(&parser, "45\r\n", 4, &used, &body, &blen), HTTP_WIRE_ECLOSEDCHUNK);
	CHECK_EQ_INT(used, 0);
	CHECK_EQ_INT(http_parse_finish(&parser), HTTP_WIRE_ECLOSEDCHUNK);
}

/* Every prefix of a valid response, whole and byte by byte: the result is
 * "more" or a clean "closed" error (never a crash, never a wrong body),
 * and the body so far is a prefix of the true body. */
static void truncate_all(const char *msg, const char *body, bool close_framed)
{
	size_t len = strlen(msg);
	for (size_t k = 0; k < len; k++) {
		for (int bytewise = 0; bytewise < 2; bytewise++) {
			feed(msg, k, bytewise ? 1 : 0, false, false, &out);
			if (out.result != HTTP_PARSE_MORE)
				CHECK_FAIL_AT(__FILE__, __LINE__, "prefix %zu: %d", k, out.result);
			if (out.body_len > strlen(body) || memcmp(out.body, body, out.body_len) != 0)
				CHECK_FAIL_AT(__FILE__, __LINE__, "prefix %zu: wrong body", k);
			int r = http_parse_finish(&parser);
			bool ok = close_framed && http_parser_has_headers(&parser) ? r == HTTP_PARSE_DONE
				  : (r == HTTP_WIRE_ENORESPONSE || r == HTTP_WIRE_ECLOSEDHEAD ||
				     r == HTTP_WIRE_ECLOSEDBODY || r == HTTP_WIRE_ECLOSEDCHUNK);
			if (!ok)
				CHECK_FAIL_AT(__FILE__, __LINE__, "prefix %zu closed: %d", k, r);
		}
	}
	/* And whole, in every slice size. */
	for (size_t slice = 1; slice <= len; slice++) {
		feed(msg, len, slice, false, close_framed, &out);
		if (out.result != HTTP_PARSE_DONE || out.body_len != strlen(body) ||
		    memcmp(out.body, body, out.body_len) != 0)
			CHECK_FAIL_AT(__FILE__, __LINE__, "slices of %zu: %d, %zu body bytes", slice, out.result,
				      out.body_len);
	}
}

static void test_truncation_length(void)
{
	truncate_all(resp_length, "Hello, world!", false);
}

static void test_truncation_chunked(void)
{
	truncate_all(resp_chunked, "Hello, worl\nd!", false);
}

static void test_truncation_close(void)
{
	truncate_all(resp_close, "until the end", true);
}

static void test_truncation_interim(void)
{
	truncate_all(resp_interim, "ok", false);
}

/* Random bytes after a valid status line: errors or progress, never a
 * crash (under the sanitizers) and never more body than bytes fed. */
static void test_garbage(void)
{
	static char msg[4096];
	srand(9);
	for (int round = 0; round < 300; round++) {
		size_t n = (size_t)sprintf(msg, "HTTP/1.1 200 OK\r\n%s", round % 2 ? "Transfer-Encoding: chunked\r\n\r\n" : "");
		size_t len = n + (size_t)(rand() % 2000);
		for (size_t i = n; i < len; i++) {
			int r = rand() % 8;
			msg[i] = r == 0 ? '\r' : r == 1 ? '\n' : r == 2 ? ':' : r == 3 ? "0123456789abcdef;"[rand() % 17]
										 : (char)(rand() % 256);
		}
		feed(msg, len, (size_t)(1 + rand() % 64), false, true, &out);
		CHECK(out.body_len <= len);
		CHECK(out.result == HTTP_PARSE_DONE || out.result < 0);
	}
}

static void test_strerror(void)
{
	for (int e = HTTP_WIRE_EVERSION; e >= HTTP_WIRE_ECLOSEDCHUNK; e--)
		CHECK(strcmp(http_wire_strerror(e), "unknown HTTP error") != 0);
	CHECK_EQ_STR(http_wire_strerror(-100), "unknown HTTP error");
	CHECK_EQ_STR(http_wire_strerror(HTTP_WIRE_EHEADBIG), "response headers larger than 16384 bytes");
}

static void test_request_format(void)
{
	char buf[HTTP_REQUEST_MAX];
	struct url u;

	CHECK(url_parse("www.google.com", &u) == URL_OK);
	size_t n = http_request_format(buf, sizeof buf, &u, false);
	const char *want = "GET / HTTP/1.1\r\n"
			   "Host: www.google.com\r\n"
			   "User-Agent: Pigeon/" PIGEON_VERSION "\r\n"
			   "Accept: */*\r\n"
			   "Connection: close\r\n"
			   "\r\n";
	CHECK_EQ_STR(buf, want);
	CHECK_EQ_INT(n, strlen(want));
	CHECK(url_parse("http://192.0.2.80:8080/a%20b?q=1#frag", &u) == URL_OK);
	http_request_format(buf, sizeof buf, &u, true);
	CHECK(strncmp(buf, "HEAD /a%20b?q=1 HTTP/1.1\r\nHost: 192.0.2.80:8080\r\n", 49) == 0);
	CHECK_EQ_INT(http_request_format(buf, 20, &u, false), 0);   /* too small */
}

int main(void)
{
	check_suite = "http.wire";
	RUN(test_content_length);
	RUN(test_bytes_after_the_body_are_not_taken);
	RUN(test_chunked);
	RUN(test_close_delimited);
	RUN(test_no_body);
	RUN(test_interim_skipped);
	RUN(test_chunked_wins_over_length);
	RUN(test_transfer_codings_refused);
	RUN(test_content_length_values);
	RUN(test_chunk_errors);
	RUN(test_p1_framing_edges);
	RUN(test_status_lines);
	RUN(test_header_lines);
	RUN(test_header_limits);
	RUN(test_closed_early);
	RUN(test_truncation_length);
	RUN(test_truncation_chunked);
	RUN(test_truncation_close);
	RUN(test_truncation_interim);
	RUN(test_garbage);
	RUN(test_strerror);
	RUN(test_request_format);
	return check_report();
}
