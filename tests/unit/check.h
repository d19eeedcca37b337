/* A tiny unit-test kit for host-built tests.
 *
 * Each test program prints one line per case, "PASS suite.case" or
 * "FAIL suite.case: reason (file:line)", and exits non-zero if any failed.
 * tests/run counts these lines for the summary of `make test`.
 *
 *   static void test_parse_ok(void) { CHECK(x == 1); CHECK_EQ_INT(y, 2); }
 *   int main(void) { RUN(test_parse_ok); return check_report(); }
 */
#ifndef TESTS_UNIT_CHECK_H
#define TESTS_UNIT_CHECK_H

#include <stdio.h>
#include <string.h>

static const char *check_suite __attribute__((unused)) = __FILE__;
static int check_failed_cases __attribute__((unused)), check_passed_cases __attribute__((unused));
static int check_case_failed __attribute__((unused));
static char check_reason[512] __attribute__((unused));

#define CHECK_FAIL_AT(file, line, ...)                                              \
	do {                                                                            \
		if (!check_case_failed) {                                                   \
			int n_ = snprintf(check_reason, sizeof check_reason, __VA_ARGS__);      \
			if (n_ >= 0 && (size_t)n_ < sizeof check_reason)                        \
				snprintf(check_reason + n_, sizeof check_reason - (size_t)n_,       \
					 " (%s:%d)", file, line);                                   \
		}                                                                           \
		check_case_failed = 1;                                                      \
	} while (0)

#define CHECK(cond)                                                                 \
	do {                                                                            \
		if (!(cond))                                                                \
			CHECK_FAIL_AT(__FILE__, __LINE__, "CHECK(%s)", #cond);                  \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                          \
	do {                                                                            \
		long long a_ = (long long)(a), b_ = (long long)(b);                         \
		if (a_ != b_)                                                               \
			CHECK_FAIL_AT(__FILE__, __LINE__, "%s == %lld, expected %s == %lld",    \
				      #a, a_, #b, b_);                                          \
	} while (0)

#define CHECK_EQ_STR(a, b)                                                          \
	do {                                                                            \
		const char *a_ = (a), *b_ = (b);                                            \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                                      \
			CHECK_FAIL_AT(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"",      \
				      #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");              \
	} while (0)

#define CHECK_EQ_MEM(a, b, n)                                                       \
	do {                                                                            \
		if (memcmp((a), (b), (n)) != 0)                                             \
			CHECK_FAIL_AT(__FILE__, __LINE__, "memory %s differs from %s", #a, #b); \
	} while (0)

/* Run one case; set check_suite first to name the suite (defaults to file). */
#define RUN(fn)                                                                     \
	do {                                                                            \
		check_case_failed = 0;                                                      \
		check_reason[0] = 0;                                                        \
		fn();                                                                       \
		if (check_case_failed) {                                                    \
			check_failed_cases++;                                                   \
			printf("FAIL %s.%s: %s\n", check_suite, #fn, check_reason);             \
		} else {                                                                    \
			check_passed_cases++;                                                   \
			printf("PASS %s.%s\n", check_suite, #fn);                               \
		}                                                                           \
		fflush(stdout);                                                             \
	} while (0)

static inline int check_report(void)
{
	return check_failed_cases ? 1 : 0;
}

#endif
