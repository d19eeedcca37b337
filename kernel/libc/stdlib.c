/* The kernel's stdlib.h: strtoul, strtol, strtoull (C11 7.22.1.4).
 *
 * Leading white space, an optional sign, then digits in base 2..36; base 0
 * picks 16 for "0x", 8 for a leading "0", else 10; base 16 also accepts
 * "0x". *end points just past the last digit used, or at s when there were
 * none. An out-of-range value saturates as in C (there is no errno here). */
#include <stdlib.h>

#include <stdbool.h>
#include <stdint.h>

#include <ctype.h>

enum { BASE_MAX = 36 };

struct parsed {
	uintmax_t mag;   /* magnitude, saturated at limit + 1 when it overflowed */
	bool negative;
	bool overflow;   /* the magnitude exceeded limit */
};

static int digit_value(int c)
{
	if (isdigit(c))
		return c - '0';
	if (isalpha(c))
		return tolower(c) - 'a' + 10;
	return BASE_MAX; /* larger than any base's digits */
}

/* Parses the common syntax; magnitudes above limit set overflow. */
static struct parsed parse_number(const char *s, char **end, int base, uintmax_t limit)
{
	struct parsed r = { 0, false, false };
	const char *p = s;
	bool any = false;

	if (end)
		*end = (char *)s;
	if (base < 0 || base == 1 || base > BASE_MAX)
		return r;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		r.negative = *p++ == '-';
	/* "0x" is a prefix only when a hex digit follows; otherwise the "0"
	 * alone is the number and *end points at the 'x'. */
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    isxdigit((unsigned char)p[2])) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}

	for (;; p++) {
		int d = digit_value((unsigned char)*p);
		if (d >= base)
			break;
		any = true;
		if (r.overflow)
			continue;
		if (r.mag > (limit - (uintmax_t)d) / (uintmax_t)base)
			r.overflow = true;
		else
			r.mag = r.mag * (uintmax_t)base + (uintmax_t)d;
	}
	if (!any) {
		r.negative = false;
		return r;
	}
	if (end)
		*end = (char *)p;
	return r;
}

/* A '-' negates the value in the unsigned type, as C specifies. */
unsigned long long strtoull(const char *s, char **end, int base)
{
	struct parsed r = parse_number(s, end, base, (unsigned long long)-1);

	if (r.overflow)
		return (unsigned long long)-1;
	return r.negative ? 0ull - (unsigned long long)r.mag : (unsigned long long)r.mag;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	struct parsed r = parse_number(s, end, base, (unsigned long)-1);

	if (r.overflow)
		return (unsigned long)-1;
	return r.negative ? 0ul - (unsigned long)r.mag : (unsigned long)r.mag;
}

long strtol(const char *s, char **end, int base)
{
	/* The negative range is one larger: allow LONG_MAX + 1 for '-'. */
	uintmax_t max_pos = (uintmax_t)__LONG_MAX__;
	struct parsed r = parse_number(s, end, base, max_pos + 1);

	if (r.negative) {
		if (r.overflow)
			return -__LONG_MAX__ - 1;
		return r.mag == max_pos + 1 ? -__LONG_MAX__ - 1 : -(long)r.mag;
	}
	if (r.overflow || r.mag > max_pos)
		return __LONG_MAX__;
	return (long)r.mag;
}
