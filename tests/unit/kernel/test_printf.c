/* Host tests for kernel/printf.c: every combination of flags, width,
 * precision, length modifier and conversion over a table of values is
 * compared with glibc's snprintf (output and return value); then the cases
 * where Pigeon chose its own answer (%p, NULL strings, unknown conversions)
 * and the C99 truncation rules of snprintf. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/check.h"
#include "tests/unit/kernel/pg_libc.h"

enum { OUT = 512, MAX_REPORTED = 5 };

static const char *const flag_sets[] = { "", "-", "0", "+", " ", "#", "-0", "+0", "- ", "#0", "-#", "+ ", "0#+" };
static const char *const widths[] = { "", "1", "5", "20", "*" };
static const char *const precisions[] = { "", ".", ".0", ".1", ".5", ".25", ".*" };
static const char *const lengths[] = { "", "hh", "h", "l", "ll", "z", "t", "j" };
static const char int_convs[] = "diuxXo";

static const int64_t values[] = {
	0, 1, -1, 7, -7, 8, 42, -42, 127, 128, -128, 255, 256, 32767, -32768, 65535, 65536,
	INT32_MAX, INT32_MIN, UINT32_MAX, (int64_t)UINT32_MAX + 1, 0x123456789abcdefLL,
	INT64_MAX, INT64_MIN, -1000000000000LL,
};

/* '*' arguments: a width that fits and a negative one (which means '-'). */
static const int stars[] = { 7, -7, 0 };

static int mismatches;

struct fmt_case {
	char fmt[32];
	int nstars;
};

static void fmt_build(struct fmt_case *c, const char *flags, const char *width, const char *prec,
		      const char *len, char conv)
{
	snprintf(c->fmt, sizeof c->fmt, "[%%%s%s%s%s%c]", flags, width, prec, len, conv);
	c->nstars = (width[0] == '*') + (prec[0] == '.' && prec[1] == '*');
}

/* Formats the same arguments with both implementations and compares. */
static void compare(const char *fmt, const char *ref, int ref_n, const char *got, int got_n,
		    const char *value_desc)
{
	if (ref_n == got_n && strcmp(ref, got) == 0)
		return;
	if (mismatches++ < MAX_REPORTED)
		printf("  mismatch: fmt \"%s\" value %s: got \"%s\" (%d), want \"%s\" (%d)\n", fmt, value_desc,
		       got, got_n, ref, ref_n);
	CHECK_FAIL_AT(__FILE__, __LINE__, "fmt \"%s\" value %s: got \"%s\", want \"%s\"", fmt, value_desc, got,
		      ref);
}

/* Both formatters on fmt with 0, 1 or 2 leading '*' ints, then one value. */
#define FORMAT_BOTH(fmt, nstars, s0, s1, value)                                          \
	do {                                                                             \
		switch (nstars) {                                                        \
		case 0:                                                                  \
			rn = snprintf(ref, sizeof ref, fmt, value);                      \
			gn = pg_snprintf(got, sizeof got, fmt, value);                   \
			break;                                                           \
		case 1:                                                                  \
			rn = snprintf(ref, sizeof ref, fmt, s0, value);                  \
			gn = pg_snprintf(got, sizeof got, fmt, s0, value);               \
			break;                                                           \
		default:                                                                 \
			rn = snprintf(ref, sizeof ref, fmt, s0, s1, value);              \
			gn = pg_snprintf(got, sizeof got, fmt, s0, s1, value);           \
			break;                                                           \
		}                                                                        \
	} while (0)

/* Passes the value at the type the length modifier names. */
static void int_case(const struct fmt_case *c, const char *len, int64_t v, int s0, int s1)
{
	char ref[OUT], got[OUT], desc[64];
	int rn, gn;

	snprintf(desc, sizeof desc, "%lld *=%d,%d", (long long)v, s0, s1);
	if (len[0] == 0 || len[0] == 'h')
		FORMAT_BOTH(c->fmt, c->nstars, s0, s1, (int)v);
	else if (strcmp(len, "l") == 0)
		FORMAT_BOTH(c->fmt, c->nstars, s0, s1, (long)v);
	else if (strcmp(len, "ll") == 0)
		FORMAT_BOTH(c->fmt, c->nstars, s0, s1, (long long)v);
	else if (strcmp(len, "z") == 0)
		FORMAT_BOTH(c->fmt, c->nstars, s0, s1, (size_t)v);
	else if (strcmp(len, "t") == 0)
		FORMAT_BOTH(c->fmt, c->nstars, s0, s1, (ptrdiff_t)v);
	else
		FORMAT_BOTH(c->fmt, c->nstars, s0, s1, (intmax_t)v);
	compare(c->fmt, ref, rn, got, gn, desc);
}

static void test_integers_vs_glibc(void)
{
	size_t nf = sizeof flag_sets / sizeof flag_sets[0], nw = sizeof widths / sizeof widths[0];
	size_t np = sizeof precisions / sizeof precisions[0], nl = sizeof lengths / sizeof lengths[0];
	long cases = 0;

	for (size_t f = 0; f < nf; f++)
		for (size_t w = 0; w < nw; w++)
			for (size_t p = 0; p < np; p++)
				for (size_t l = 0; l < nl; l++)
					for (const char *cv = int_convs; *cv; cv++) {
						struct fmt_case c;
						fmt_build(&c, flag_sets[f], widths[w], precisions[p], lengths[l], *cv);
						for (size_t v = 0; v < sizeof values / sizeof values[0]; v++)
							for (size_t s = 0; s < (c.nstars ? 3u : 1u); s++) {
								int_case(&c, lengths[l], values[v], stars[s], stars[2 - s]);
								cases++;
							}
					}
	/* Make sure the loops really ran (a quarter million formats). */
	CHECK(cases > 200000);
}

static void test_strings_chars_vs_glibc(void)
{
	static const char *const strs[] = { "", "a", "hello", "www.google.com", "tab\there" };
	static const int chars[] = { 'x', '%', ' ', 0x7e };
	size_t nf = sizeof flag_sets / sizeof flag_sets[0], nw = sizeof widths / sizeof widths[0];
	size_t np = sizeof precisions / sizeof precisions[0];

	for (size_t f = 0; f < nf; f++) {
		if (strchr(flag_sets[f], '0') || strchr(flag_sets[f], '#') || strchr(flag_sets[f], '+') ||
		    strchr(flag_sets[f], ' '))
			continue; /* undefined for %s and %c */
		for (size_t w = 0; w < nw; w++)
			for (size_t p = 0; p < np; p++) {
				struct fmt_case c;
				char ref[OUT], got[OUT];
				int rn, gn;

				fmt_build(&c, flag_sets[f], widths[w], precisions[p], "", 's');
				for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
					for (size_t s = 0; s < (c.nstars ? 3u : 1u); s++) {
						FORMAT_BOTH(c.fmt, c.nstars, stars[s], stars[2 - s], strs[i]);
						compare(c.fmt, ref, rn, got, gn, strs[i]);
					}
				if (precisions[p][0])
					continue; /* precision is undefined for %c */
				fmt_build(&c, flag_sets[f], widths[w], "", "", 'c');
				for (size_t i = 0; i < sizeof chars / sizeof chars[0]; i++)
					for (size_t s = 0; s < (c.nstars ? 3u : 1u); s++) {
						FORMAT_BOTH(c.fmt, c.nstars, stars[s], stars[2 - s], chars[i]);
						compare(c.fmt, ref, rn, got, gn, "char");
					}
			}
	}
}

/* Non-NULL %p is %#lx in glibc too; compare flags and widths there. */
static void test_pointer_vs_glibc(void)
{
	static const char *const fmts[] = { "%p", "%20p", "%-20p|", "%1p", "[%p %p]" };
	void *ptrs[] = { (void *)0x1, (void *)0xb8000, (void *)&mismatches, (void *)UINTPTR_MAX };

	for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++)
		for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++) {
			char ref[OUT], got[OUT];
			int rn = snprintf(ref, sizeof ref, fmts[f], ptrs[i], ptrs[i]);
			int gn = pg_snprintf(got, sizeof got, fmts[f], ptrs[i], ptrs[i]);
			compare(fmts[f], ref, rn, got, gn, "pointer");
		}
}

/* Our formatter without the format attribute, for formats that gcc would
 * rightly reject at compile time but that the kernel must survive. */
static int raw(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = pg_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_own_choices(void)
{
	char buf[64];

	CHECK_EQ_INT(pg_snprintf(buf, sizeof buf, "%p", (void *)0), 3);
	CHECK_EQ_STR(buf, "0x0");
	pg_snprintf(buf, sizeof buf, "%5p|%-5p|", (void *)0, (void *)0);
	CHECK_EQ_STR(buf, "  0x0|0x0  |");
	pg_snprintf(buf, sizeof buf, "%p", (void *)0xdeadbeef);
	CHECK_EQ_STR(buf, "0xdeadbeef");
	raw(buf, sizeof buf, "[%s]", (char *)NULL);
	CHECK_EQ_STR(buf, "[(null)]");
	raw(buf, sizeof buf, "[%8s|%-8s|%.3s]", (char *)NULL, (char *)NULL, (char *)NULL);
	CHECK_EQ_STR(buf, "[  (null)|(null)  |(nu]");
	/* Unknown conversions print as written, the argument is not consumed. */
	raw(buf, sizeof buf, "a%yb %d", 5);
	CHECK_EQ_STR(buf, "a%yb 5");
	raw(buf, sizeof buf, "%-08.3yz");
	CHECK_EQ_STR(buf, "%-08.3yz");
	raw(buf, sizeof buf, "50%");
	CHECK_EQ_STR(buf, "50%");
	pg_snprintf(buf, sizeof buf, "100%%");
	CHECK_EQ_STR(buf, "100%");
}

static void test_int64_limits(void)
{
	char buf[64];

	pg_snprintf(buf, sizeof buf, "%lld", (long long)INT64_MIN);
	CHECK_EQ_STR(buf, "-9223372036854775808");
	pg_snprintf(buf, sizeof buf, "%+025jd", (intmax_t)INT64_MIN);
	CHECK_EQ_STR(buf, "-000009223372036854775808");
	pg_snprintf(buf, sizeof buf, "%llu", (unsigned long long)UINT64_MAX);
	CHECK_EQ_STR(buf, "18446744073709551615");
	pg_snprintf(buf, sizeof buf, "%#llo", (unsigned long long)UINT64_MAX);
	CHECK_EQ_STR(buf, "01777777777777777777777");
	pg_snprintf(buf, sizeof buf, "%#llX", (unsigned long long)UINT64_MAX);
	CHECK_EQ_STR(buf, "0XFFFFFFFFFFFFFFFF");
	pg_snprintf(buf, sizeof buf, "%05d|%-5d|%+d|% d", -42, -42, 42, 42);
	CHECK_EQ_STR(buf, "-0042|-42  |+42| 42");
}

/* C99 7.19.6.5: at most size-1 characters and a NUL, the would-be length back. */
static void test_truncation(void)
{
	char buf[8];

	memset(buf, 'x', sizeof buf);
	CHECK_EQ_INT(pg_snprintf(buf, sizeof buf, "%s", "hello, world"), 12);
	CHECK_EQ_STR(buf, "hello, ");
	memset(buf, 'x', sizeof buf);
	CHECK_EQ_INT(pg_snprintf(buf, 1, "%d", 12345), 5);
	CHECK_EQ_INT(buf[0], 0);
	CHECK_EQ_INT(buf[1], 'x');
	memset(buf, 'x', sizeof buf);
	CHECK_EQ_INT(pg_snprintf(buf, 0, "%d", 12345), 5);
	CHECK_EQ_INT(buf[0], 'x');
	CHECK_EQ_INT(pg_snprintf(NULL, 0, "%s%d", "abc", -1), 5);
	CHECK_EQ_INT(pg_snprintf(buf, sizeof buf, "%7d", 1), 7);
	CHECK_EQ_STR(buf, "      1");
	CHECK_EQ_INT(pg_snprintf(buf, sizeof buf, "%8d", 1), 8);
	CHECK_EQ_STR(buf, "       ");
	CHECK_EQ_INT(raw(buf, sizeof buf, ""), 0);
	CHECK_EQ_STR(buf, "");
}

/* %.Ns must not read past N bytes: the array has no terminator. */
static void test_precision_bounds_read(void)
{
	char unterminated[4] = { 'a', 'b', 'c', 'd' };
	char buf[16];

	CHECK_EQ_INT(pg_snprintf(buf, sizeof buf, "%.4s|%.*s", unterminated, 2, unterminated), 7);
	CHECK_EQ_STR(buf, "abcd|ab");
}

struct counter {
	int calls;
	char last;
};

static void count_out(void *ctx, char c)
{
	struct counter *k = ctx;

	k->calls++;
	k->last = c;
}

static int cb_format(struct counter *k, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vcbprintf(count_out, k, fmt, ap);
	va_end(ap);
	return n;
}

/* The callback sees every character, however long the output. */
static void test_vcbprintf_callback(void)
{
	struct counter k = { 0, 0 };

	CHECK_EQ_INT(cb_format(&k, "%300d!", 5), 301);
	CHECK_EQ_INT(k.calls, 301);
	CHECK_EQ_INT(k.last, '!');
	k.calls = 0;
	CHECK_EQ_INT(cb_format(&k, "%-*s|", 1000, "x"), 1001);
	CHECK_EQ_INT(k.calls, 1001);
}

static int v_wrapper(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = pg_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_vsnprintf_many_args(void)
{
	char buf[128];

	/* More arguments than fit in registers: the rest come from the stack. */
	CHECK_EQ_INT(v_wrapper(buf, sizeof buf, "%d %ld %s %c %x %llu %d %d %d %zu", 1, 2L, "three", '4', 5,
			       6ULL, 7, 8, 9, (size_t)10),
		     24);
	CHECK_EQ_STR(buf, "1 2 three 4 5 6 7 8 9 10");
}

int main(void)
{
	check_suite = "kernel.printf";
	RUN(test_integers_vs_glibc);
	RUN(test_strings_chars_vs_glibc);
	RUN(test_pointer_vs_glibc);
	RUN(test_own_choices);
	RUN(test_int64_limits);
	RUN(test_truncation);
	RUN(test_precision_bounds_read);
	RUN(test_vcbprintf_callback);
	RUN(test_vsnprintf_many_args);
	return check_report();
}
