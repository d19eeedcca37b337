/* Host tests for kernel/libc/stdlib.c: strtoul, strtol and strtoull agree
 * with glibc on value and end pointer over a table of inputs and bases,
 * including signs, prefixes, junk and every overflow edge. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check.h"
#include "tests/unit/kernel/pg_libc.h"

static const char *const inputs[] = {
	"0", "1", "42", "  42  ", "\t\n+17", "-1", "-0", "+", "-", "", "   ", "abc",
	"12abc", "0x", "0x1f", "0X1A", "0xg", "-0x10", "0x-1", "010", "08", "0777", "09",
	"1010", "z", "Zz", "zz9", "7fffffffffffffff", "8000000000000000", "ffffffffffffffff",
	"10000000000000000",
	"9223372036854775807", "9223372036854775808", "9223372036854775809",
	"-9223372036854775807", "-9223372036854775808", "-9223372036854775809",
	"18446744073709551615", "18446744073709551616", "99999999999999999999999",
	"-18446744073709551615", "-18446744073709551616",
	"0x7FFFFFFFFFFFFFFF", "0x8000000000000000", "-0x8000000000000000", "0x1ffffffffffffffff",
	"1777777777777777777777", "2000000000000000000000", "0000000000000000000000000001",
	"- 1", "+-1", "1 2", "4294967296", "-4294967296",
};

static const int bases[] = { 0, 2, 8, 10, 16, 36 };

static void test_strtoul_table(void)
{
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
		for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
			const char *s = inputs[i];
			char *e1, *e2;
			unsigned long want = strtoul(s, &e1, bases[b]);
			unsigned long got = pg_strtoul(s, &e2, bases[b]);
			if (want != got || e1 != e2)
				CHECK_FAIL_AT(__FILE__, __LINE__, "strtoul(\"%s\", %d) = %lu end+%td, glibc %lu end+%td",
					      s, bases[b], got, e2 - s, want, e1 - s);
		}
}

static void test_strtol_table(void)
{
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
		for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
			const char *s = inputs[i];
			char *e1, *e2;
			long want = strtol(s, &e1, bases[b]);
			long got = pg_strtol(s, &e2, bases[b]);
			if (want != got || e1 != e2)
				CHECK_FAIL_AT(__FILE__, __LINE__, "strtol(\"%s\", %d) = %ld end+%td, glibc %ld end+%td",
					      s, bases[b], got, e2 - s, want, e1 - s);
		}
}

static void test_strtoull_table(void)
{
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
		for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
			const char *s = inputs[i];
			char *e1, *e2;
			unsigned long long want = strtoull(s, &e1, bases[b]);
			unsigned long long got = pg_strtoull(s, &e2, bases[b]);
			if (want != got || e1 != e2)
				CHECK_FAIL_AT(__FILE__, __LINE__, "strtoull(\"%s\", %d) = %llu, glibc %llu", s,
					      bases[b], got, want);
		}
}

/* Every base from 2 to 36 on digits and letters. */
static void test_all_bases(void)
{
	static const char *const s[] = { "10", "zz", "Hello", "0x10", "123456789abcdefghijklmnopqrstuvwxyz" };

	for (int base = 2; base <= 36; base++)
		for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
			char *e1, *e2;
			unsigned long want = strtoul(s[i], &e1, base);
			unsigned long got = pg_strtoul(s[i], &e2, base);
			if (want != got || e1 != e2)
				CHECK_FAIL_AT(__FILE__, __LINE__, "strtoul(\"%s\", %d)", s[i], base);
		}
}

/* Bad bases parse nothing: 0 and *end == s. */
static void test_bad_base(void)
{
	const char *s = "123";
	char *e = NULL;

	CHECK_EQ_INT(pg_strtoul(s, &e, 1), 0);
	CHECK(e == s);
	CHECK_EQ_INT(pg_strtol(s, &e, 37), 0);
	CHECK(e == s);
	CHECK_EQ_INT(pg_strtoull(s, &e, -2), 0);
	CHECK(e == s);
}

static void test_null_end(void)
{
	CHECK_EQ_INT(pg_strtoul("1234", NULL, 10), 1234);
	CHECK_EQ_INT(pg_strtol("-1234", NULL, 0), -1234);
	CHECK(pg_strtol("-9223372036854775808", NULL, 10) == LONG_MIN);
	CHECK(pg_strtol("9223372036854775808", NULL, 10) == LONG_MAX);
	CHECK(pg_strtoul("-1", NULL, 10) == ULONG_MAX);
	CHECK(pg_strtoull("18446744073709551616", NULL, 10) == ULLONG_MAX);
}

int main(void)
{
	check_suite = "kernel.stdlib";
	RUN(test_strtoul_table);
	RUN(test_strtol_table);
	RUN(test_strtoull_table);
	RUN(test_all_bases);
	RUN(test_bad_base);
	RUN(test_null_end);
	return check_report();
}
