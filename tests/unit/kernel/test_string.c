/* Host tests for kernel/libc/string.c: every function against glibc or a
 * byte-at-a-time model, at every alignment, with overlap, n = 0, and guard
 * bytes around the destination to catch writes out of range. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tests/unit/check.h"
#include "tests/unit/kernel/pg_libc.h"

enum { BUF = 256, MAXOFF = 16, MAXLEN = 80, GUARD = 0xa5 };

static int sign(int x) { return (x > 0) - (x < 0); }

/* Fills b with a pattern that differs at every position. */
static void pattern(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 7 + seed * 13 + 1);
}

static void test_memcpy_alignments(void)
{
	uint8_t src[BUF], dst[BUF], want[BUF];

	pattern(src, sizeof src, 1);
	for (size_t so = 0; so < MAXOFF; so++)
		for (size_t d = 0; d < MAXOFF; d++)
			for (size_t n = 0; n <= MAXLEN; n++) {
				memset(dst, GUARD, sizeof dst);
				memset(want, GUARD, sizeof want);
				for (size_t i = 0; i < n; i++)
					want[d + i] = src[so + i];
				void *r = pg_memcpy(dst + d, src + so, n);
				if (r != dst + d || memcmp(dst, want, sizeof dst) != 0) {
					CHECK_FAIL_AT(__FILE__, __LINE__, "memcpy src+%zu dst+%zu n=%zu", so, d, n);
					return;
				}
			}
}

/* Overlap in both directions at every distance, against a copy through a
 * temporary buffer (which is what memmove means). */
static void test_memmove_overlap(void)
{
	uint8_t buf[BUF], want[BUF], tmp[BUF];

	for (size_t so = 0; so < 40; so++)
		for (size_t d = 0; d < 40; d++)
			for (size_t n = 0; n <= MAXLEN; n++) {
				pattern(buf, sizeof buf, 3);
				memcpy(want, buf, sizeof buf);
				memcpy(tmp, want + so, n);
				memcpy(want + d, tmp, n);
				void *r = pg_memmove(buf + d, buf + so, n);
				if (r != buf + d || memcmp(buf, want, sizeof buf) != 0) {
					CHECK_FAIL_AT(__FILE__, __LINE__, "memmove src+%zu dst+%zu n=%zu", so, d, n);
					return;
				}
			}
}

static void test_memset(void)
{
	uint8_t buf[BUF], want[BUF];
	const int values[] = { 0, 0x5a, 0xff, -1, 0x1ff, 0x100 };

	for (size_t v = 0; v < sizeof values / sizeof values[0]; v++)
		for (size_t d = 0; d < MAXOFF; d++)
			for (size_t n = 0; n <= MAXLEN; n++) {
				memset(buf, GUARD, sizeof buf);
				memset(want, GUARD, sizeof want);
				for (size_t i = 0; i < n; i++)
					want[d + i] = (uint8_t)values[v];
				void *r = pg_memset(buf + d, values[v], n);
				if (r != buf + d || memcmp(buf, want, sizeof buf) != 0) {
					CHECK_FAIL_AT(__FILE__, __LINE__, "memset c=%d dst+%zu n=%zu", values[v], d, n);
					return;
				}
			}
}

/* The sign must come from the first differing byte, read as unsigned. */
static void test_memcmp(void)
{
	uint8_t a[BUF], b[BUF];

	pattern(a, sizeof a, 5);
	for (size_t off = 0; off < MAXOFF; off++)
		for (size_t n = 0; n <= MAXLEN; n++) {
			memcpy(b, a, sizeof a);
			CHECK_EQ_INT(pg_memcmp(a + off, b + off, n), 0);
			for (size_t at = 0; at < n; at++) {
				b[off + at] = (uint8_t)(a[off + at] + 0x80);
				int want = sign(memcmp(a + off, b + off, n));
				int got = sign(pg_memcmp(a + off, b + off, n));
				if (want != got) {
					CHECK_FAIL_AT(__FILE__, __LINE__, "memcmp off %zu n %zu at %zu: %d vs %d", off, n,
						      at, got, want);
					return;
				}
				/* A difference past n is invisible. */
				CHECK_EQ_INT(pg_memcmp(a + off, b + off, at), 0);
				b[off + at] = a[off + at];
			}
		}
	CHECK(pg_memcmp("\x80", "\x01", 1) > 0);
	CHECK(pg_memcmp("\x01", "\x80", 1) < 0);
}

static void test_memchr(void)
{
	const char s[] = "abc\0def\xff";

	CHECK(pg_memchr(s, 'a', 8) == s);
	CHECK(pg_memchr(s, 'e', 8) == s + 5);
	CHECK(pg_memchr(s, 0, 8) == s + 3);
	CHECK(pg_memchr(s, 0xff, 8) == s + 7);
	CHECK(pg_memchr(s, 0x1ff, 8) == s + 7); /* c is converted to unsigned char */
	CHECK(pg_memchr(s, 'e', 5) == NULL);
	CHECK(pg_memchr(s, 'a', 0) == NULL);
}

static void test_strlen(void)
{
	char buf[BUF];

	for (size_t off = 0; off < MAXOFF; off++)
		for (size_t n = 0; n < MAXLEN; n++) {
			memset(buf, 'x', sizeof buf);
			buf[off + n] = 0;
			CHECK_EQ_INT(pg_strlen(buf + off), n);
			CHECK_EQ_INT(pg_strnlen(buf + off, n + 5), n);
			CHECK_EQ_INT(pg_strnlen(buf + off, n / 2), n / 2);
		}
	CHECK_EQ_INT(pg_strnlen("abc", 0), 0);
}

static void test_strcmp_family(void)
{
	static const char *const s[] = { "", "a", "ab", "abc", "abd", "b", "\x80", "\x7f", "ABC", "aBd", "abcdefghijklmnop" };
	enum { N = sizeof s / sizeof s[0] };

	for (size_t i = 0; i < N; i++)
		for (size_t j = 0; j < N; j++) {
			CHECK_EQ_INT(sign(pg_strcmp(s[i], s[j])), sign(strcmp(s[i], s[j])));
			CHECK_EQ_INT(sign(pg_strcasecmp(s[i], s[j])), sign(strcasecmp(s[i], s[j])));
			for (size_t n = 0; n < 6; n++) {
				CHECK_EQ_INT(sign(pg_strncmp(s[i], s[j], n)), sign(strncmp(s[i], s[j], n)));
				CHECK_EQ_INT(sign(pg_strncasecmp(s[i], s[j], n)), sign(strncasecmp(s[i], s[j], n)));
			}
		}
	CHECK_EQ_INT(pg_strcasecmp("Content-Length", "content-length"), 0);
	CHECK(pg_strcmp("\x80", "a") > 0); /* bytes compare as unsigned */
}

static void test_strchr_strrchr(void)
{
	const char *s = "hello, world";

	CHECK(pg_strchr(s, 'o') == s + 4);
	CHECK(pg_strrchr(s, 'o') == s + 8);
	CHECK(pg_strchr(s, 'z') == NULL);
	CHECK(pg_strrchr(s, 'z') == NULL);
	CHECK(pg_strchr(s, 0) == s + 12);
	CHECK(pg_strrchr(s, 0) == s + 12);
	CHECK(pg_strchr("", 'a') == NULL);
	CHECK(pg_strchr("\xe9t\xe9", 0xe9) != NULL); /* c converted to char */
}

static void test_strstr(void)
{
	static const char *const hay[] = { "", "a", "aaab", "abcabcabd", "www.google.com", "xyz" };
	static const char *const needle[] = { "", "a", "ab", "abd", "aab", "google", ".com", "xyzw", "z" };

	for (size_t i = 0; i < sizeof hay / sizeof hay[0]; i++)
		for (size_t j = 0; j < sizeof needle / sizeof needle[0]; j++)
			if (pg_strstr(hay[i], needle[j]) != strstr(hay[i], needle[j]))
				CHECK_FAIL_AT(__FILE__, __LINE__, "strstr(\"%s\", \"%s\")", hay[i], needle[j]);
}

static void test_strspn_strcspn(void)
{
	static const char *const s[] = { "", "abc", "  x", "a#b", "#", "http://h/p#frag" };
	static const char *const set[] = { "", "a", " ", "#", "abc", ":/" };

	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
		for (size_t j = 0; j < sizeof set / sizeof set[0]; j++) {
			CHECK_EQ_INT(pg_strspn(s[i], set[j]), strspn(s[i], set[j]));
			CHECK_EQ_INT(pg_strcspn(s[i], set[j]), strcspn(s[i], set[j]));
		}
}

static void test_strlcpy(void)
{
	char buf[8];

	memset(buf, 'x', sizeof buf);
	CHECK_EQ_INT(pg_strlcpy(buf, "abc", sizeof buf), 3);
	CHECK_EQ_STR(buf, "abc");
	CHECK_EQ_INT(pg_strlcpy(buf, "abcdefghij", sizeof buf), 10); /* truncated */
	CHECK_EQ_STR(buf, "abcdefg");
	memset(buf, 'x', sizeof buf);
	CHECK_EQ_INT(pg_strlcpy(buf, "abc", 1), 3);
	CHECK_EQ_INT(buf[0], 0);
	CHECK_EQ_INT(buf[1], 'x');
	memset(buf, 'x', sizeof buf);
	CHECK_EQ_INT(pg_strlcpy(buf, "abc", 0), 3); /* size 0: nothing written */
	CHECK_EQ_INT(buf[0], 'x');
	CHECK_EQ_INT(pg_strlcpy(buf, "", sizeof buf), 0);
	CHECK_EQ_STR(buf, "");
}

static void test_strlcat(void)
{
	char buf[8];

	pg_strlcpy(buf, "ab", sizeof buf);
	CHECK_EQ_INT(pg_strlcat(buf, "cd", sizeof buf), 4);
	CHECK_EQ_STR(buf, "abcd");
	CHECK_EQ_INT(pg_strlcat(buf, "efghij", sizeof buf), 10); /* truncated */
	CHECK_EQ_STR(buf, "abcdefg");
	CHECK_EQ_INT(pg_strlcat(buf, "z", sizeof buf), 8);
	CHECK_EQ_STR(buf, "abcdefg");
	/* No terminator within size: dst is not a string there; leave it. */
	memset(buf, 'x', sizeof buf);
	CHECK_EQ_INT(pg_strlcat(buf, "abc", 4), 7);
	CHECK_EQ_MEM(buf, "xxxxxxxx", 8);
	CHECK_EQ_INT(pg_strlcat(buf, "abc", 0), 3);
}

int main(void)
{
	check_suite = "kernel.string";
	RUN(test_memcpy_alignments);
	RUN(test_memmove_overlap);
	RUN(test_memset);
	RUN(test_memcmp);
	RUN(test_memchr);
	RUN(test_strlen);
	RUN(test_strcmp_family);
	RUN(test_strchr_strrchr);
	RUN(test_strstr);
	RUN(test_strspn_strcspn);
	RUN(test_strlcpy);
	RUN(test_strlcat);
	return check_report();
}
