/* Host tests of user/termsafe.c: what a body looks like on the terminal,
 * whatever slices it comes in, and when it is called binary. */
#include <string.h>

#include "tests/unit/check.h"
#include "user/termsafe.h"

static struct termsafe ts;
static char printed[1 << 16];
static size_t printed_len;

static void collect(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	if (printed_len + n < sizeof printed) {
		memcpy(printed + printed_len, s, n);
		printed_len += n;
		printed[printed_len] = '\0';
	}
}

/* Filter len bytes in slices of `slice` (0: at once); returns finish()'s answer. */
static bool show(const char *body, size_t len, size_t slice)
{
	printed_len = 0;
	printed[0] = '\0';
	termsafe_init(&ts, collect, NULL);
	for (size_t off = 0; off < len;) {
		size_t n = slice && len - off > slice ? slice : len - off;
		termsafe_write(&ts, (const uint8_t *)body + off, n);
		off += n;
	}
	return termsafe_finish(&ts);
}

/* The same output whatever the slicing. */
static void expect_shown(const char *body, size_t len, const char *want)
{
	for (size_t slice = 0; slice <= 3; slice++) {
		bool binary = show(body, len, slice);
		if (binary || strcmp(printed, want) != 0)
			CHECK_FAIL_AT(__FILE__, __LINE__, "slice %zu: \"%s\", expected \"%s\"", slice, printed, want);
	}
}

#define SHOW(lit, want) expect_shown(lit, sizeof lit - 1, want)

static void test_plain_text(void)
{
	SHOW("hello\n", "hello\n");
	SHOW("a\tb", "a\tb");
	SHOW("", "");
	CHECK(ts.at_line_start);
	SHOW("no newline", "no newline");
	CHECK(!ts.at_line_start);
}

static void test_line_endings(void)
{
	SHOW("one\r\ntwo\r\n", "one\ntwo\n");      /* CRLF is one newline */
	SHOW("a\rb", "a\\rb");                     /* a lone CR would overwrite the line */
	SHOW("end\r", "end\\r");
	SHOW("\r\r\n", "\\r\n");
}

/* Enough plain text that a few odd bytes do not make a body binary. */
#define TEXT "The quick brown fox jumps over the lazy dog. "

static void test_controls_escaped(void)
{
	SHOW(TEXT "\x1b[2J\x1b]0;owned\x07", TEXT "\\x1b[2J\\x1b]0;owned\\x07");   /* no terminal control */
	SHOW("del\x7f" TEXT, "del\\x7f" TEXT);
	SHOW("back\bspace" TEXT, "back\\x08space" TEXT);
}

static void test_utf8(void)
{
	SHOW("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa6", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa6");
	SHOW(TEXT "bad \xff end", TEXT "bad \\xff end");
	SHOW(TEXT "cut \xe2\x82", TEXT "cut \\xe2\\x82");        /* ends inside a character */
	SHOW(TEXT "lone \x80 cont", TEXT "lone \\x80 cont");
	SHOW(TEXT "\xc3(", TEXT "\\xc3(");                       /* lead byte then ASCII */
	SHOW("\xc2\x9b", "\xc2\x9b");                            /* U+009B is text in UTF-8 */
}

static void test_binary(void)
{
	static const uint8_t png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R' };
	CHECK(show((const char *)png, sizeof png, 0));
	CHECK_EQ_INT(printed_len, 0);
	CHECK_EQ_INT(ts.bytes, sizeof png);
	/* Many control bytes, no NUL. */
	char ctl[100];
	for (int i = 0; i < 100; i++)
		ctl[i] = i % 5 ? 'a' : 0x01;
	CHECK(show(ctl, sizeof ctl, 7));
	/* A few are fine (shown escaped). */
	for (int i = 0; i < 100; i++)
		ctl[i] = i % 20 ? 'a' : 0x01;
	CHECK(!show(ctl, sizeof ctl, 7));
	CHECK(strstr(printed, "\\x01") != NULL);
	/* Only the first TERMSAFE_SNIFF_LEN bytes decide; a NUL later is escaped. */
	static char big[3000];
	memset(big, 'x', sizeof big);
	big[2000] = '\0';
	CHECK(!show(big, sizeof big, 100));
	CHECK_EQ_INT(printed_len, sizeof big - 1 + 4);
	big[5] = '\0';
	CHECK(show(big, sizeof big, 100));
	CHECK_EQ_INT(printed_len, 0);
	CHECK_EQ_INT(ts.bytes, sizeof big);
	/* Latin-1 text is mostly broken UTF-8: binary when dense. */
	CHECK(termsafe_looks_binary((const uint8_t *)"\xe9\xe8\xe0\xf9\xe9\xe8\xe0\xf9", 8));
	CHECK(!termsafe_looks_binary((const uint8_t *)"", 0));
}

int main(void)
{
	check_suite = "http.termsafe";
	RUN(test_plain_text);
	RUN(test_line_endings);
	RUN(test_controls_escaped);
	RUN(test_utf8);
	RUN(test_binary);
	return check_report();
}
