/* The formatter behind kprintf, snprintf and the shell (C11 7.21.6.1,
 * without floating point: the kernel is built -mgeneral-regs-only).
 *
 * Each conversion is parsed into a struct spec (flags, width, precision,
 * length), its argument fetched at the width the length modifier names,
 * then emitted as: left padding, sign or prefix, zero padding, digits,
 * right padding. Output goes one character at a time through a callback,
 * so the same code feeds the serial console and a bounded buffer. */
#include "kernel/printf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum {
	FLAG_LEFT = 1 << 0,  /* '-' */
	FLAG_ZERO = 1 << 1,  /* '0' */
	FLAG_PLUS = 1 << 2,  /* '+' */
	FLAG_SPACE = 1 << 3, /* ' ' */
	FLAG_ALT = 1 << 4,   /* '#' */
};

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_PTRDIFF, LEN_MAX };

/* 64 bits in octal is 22 digits. */
enum { DIGITS_MAX = 24 };

struct spec {
	unsigned flags;
	int width;     /* 0 when absent */
	int prec;      /* -1 when absent */
	enum length len;
	char conv;
};

struct sink {
	void (*out)(void *ctx, char c);
	void *ctx;
	int count;
};

static void emit(struct sink *s, char c)
{
	s->out(s->ctx, c);
	if (s->count < __INT_MAX__)
		s->count++;
}

static void emit_repeat(struct sink *s, char c, int n)
{
	while (n-- > 0)
		emit(s, c);
}

/* Writes the digits of v in base (8, 10 or 16) backwards from buf's end;
 * returns how many. Zero produces no digits: precision decides about it. */
static int digits_format(char *buf, uintmax_t v, unsigned base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	while (v) {
		buf[DIGITS_MAX - 1 - n++] = set[v % base];
		v /= base;
	}
	return n;
}

/* Emits an integer conversion. prefix is the sign or "0x" ("" when none). */
static void integer_emit(struct sink *s, const struct spec *sp, uintmax_t v, const char *prefix,
			 unsigned base)
{
	char buf[DIGITS_MAX];
	int ndig = digits_format(buf, v, base, sp->conv == 'X');
	int zeros = 0, plen = 0, body, pad;

	while (prefix[plen])
		plen++;
	if (sp->prec >= 0) {
		if (sp->prec > ndig)
			zeros = sp->prec - ndig;
	} else if (ndig == 0) {
		zeros = 1; /* "0": without a precision zero prints one digit */
	}
	/* '#' with 'o' makes the first digit a 0 (C11 7.21.6.1p6). */
	if (sp->conv == 'o' && (sp->flags & FLAG_ALT) && zeros == 0)
		zeros = 1;
	body = plen + zeros + ndig;
	pad = sp->width > body ? sp->width - body : 0;
	/* '0' pads between sign and digits, unless '-' or a precision is given. */
	if ((sp->flags & FLAG_ZERO) && !(sp->flags & FLAG_LEFT) && sp->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(sp->flags & FLAG_LEFT))
		emit_repeat(s, ' ', pad);
	for (int i = 0; i < plen; i++)
		emit(s, prefix[i]);
	emit_repeat(s, '0', zeros);
	for (int i = DIGITS_MAX - ndig; i < DIGITS_MAX; i++)
		emit(s, buf[i]);
	if (sp->flags & FLAG_LEFT)
		emit_repeat(s, ' ', pad);
}

/* Emits n bytes of str padded to the field width. */
static void string_emit(struct sink *s, const struct spec *sp, const char *str, int n)
{
	int pad = sp->width > n ? sp->width - n : 0;

	if (!(sp->flags & FLAG_LEFT))
		emit_repeat(s, ' ', pad);
	for (int i = 0; i < n; i++)
		emit(s, str[i]);
	if (sp->flags & FLAG_LEFT)
		emit_repeat(s, ' ', pad);
}

/* Parses a decimal field (width or precision), saturating at INT_MAX. */
static int field_parse(const char **fmt)
{
	int v = 0;

	while (**fmt >= '0' && **fmt <= '9') {
		int d = *(*fmt)++ - '0';
		v = v > (__INT_MAX__ - d) / 10 ? __INT_MAX__ : v * 10 + d;
	}
	return v;
}

static enum length length_parse(const char **fmt)
{
	switch (**fmt) {
	case 'h':
		if ((*fmt)[1] == 'h') {
			*fmt += 2;
			return LEN_CHAR;
		}
		(*fmt)++;
		return LEN_SHORT;
	case 'l':
		if ((*fmt)[1] == 'l') {
			*fmt += 2;
			return LEN_LLONG;
		}
		(*fmt)++;
		return LEN_LONG;
	case 'z':
		(*fmt)++;
		return LEN_SIZE;
	case 't':
		(*fmt)++;
		return LEN_PTRDIFF;
	case 'j':
		(*fmt)++;
		return LEN_MAX;
	default:
		return LEN_INT;
	}
}

int vcbprintf(void (*out)(void *ctx, char c), void *ctx, const char *fmt, va_list ap)
{
	struct sink s = { out, ctx, 0 };
	va_list args;

	/* A copy, so that va_arg on it is well defined whatever the caller's
	 * va_list is (an array type on x86-64). */
	va_copy(args, ap);
	while (*fmt) {
		const char *start = fmt;
		struct spec sp = { 0, 0, -1, LEN_INT, 0 };

		if (*fmt != '%') {
			emit(&s, *fmt++);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.flags |= FLAG_LEFT;
			else if (*fmt == '0')
				sp.flags |= FLAG_ZERO;
			else if (*fmt == '+')
				sp.flags |= FLAG_PLUS;
			else if (*fmt == ' ')
				sp.flags |= FLAG_SPACE;
			else if (*fmt == '#')
				sp.flags |= FLAG_ALT;
			else
				break;
		}
		if (*fmt == '*') {
			fmt++;
			sp.width = va_arg(args, int);
			/* A negative '*' width is the '-' flag and its magnitude. */
			if (sp.width < 0) {
				sp.flags |= FLAG_LEFT;
				sp.width = sp.width == -__INT_MAX__ - 1 ? __INT_MAX__ : -sp.width;
			}
		} else {
			sp.width = field_parse(&fmt);
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				fmt++;
				sp.prec = va_arg(args, int);
				if (sp.prec < 0)
					sp.prec = -1; /* as if omitted */
			} else {
				sp.prec = field_parse(&fmt);
			}
		}
		sp.len = length_parse(&fmt);
		sp.conv = *fmt;
		if (sp.conv)
			fmt++;

		switch (sp.conv) {
		case 'd':
		case 'i': {
			intmax_t v;
			switch (sp.len) {
			case LEN_CHAR: v = (signed char)va_arg(args, int); break;
			case LEN_SHORT: v = (short)va_arg(args, int); break;
			case LEN_LONG: v = va_arg(args, long); break;
			case LEN_LLONG: v = va_arg(args, long long); break;
			case LEN_SIZE: v = (ptrdiff_t)va_arg(args, size_t); break;
			case LEN_PTRDIFF: v = va_arg(args, ptrdiff_t); break;
			case LEN_MAX: v = va_arg(args, intmax_t); break;
			default: v = va_arg(args, int); break;
			}
			/* Negate in unsigned arithmetic: -INT64_MIN overflows intmax_t. */
			uintmax_t mag = v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;
			const char *sign = v < 0 ? "-" : (sp.flags & FLAG_PLUS) ? "+" : (sp.flags & FLAG_SPACE) ? " " : "";
			integer_emit(&s, &sp, mag, sign, 10);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			uintmax_t v;
			switch (sp.len) {
			case LEN_CHAR: v = (unsigned char)va_arg(args, unsigned); break;
			case LEN_SHORT: v = (unsigned short)va_arg(args, unsigned); break;
			case LEN_LONG: v = va_arg(args, unsigned long); break;
			case LEN_LLONG: v = va_arg(args, unsigned long long); break;
			case LEN_SIZE: v = va_arg(args, size_t); break;
			case LEN_PTRDIFF: v = (size_t)va_arg(args, ptrdiff_t); break;
			case LEN_MAX: v = va_arg(args, uintmax_t); break;
			default: v = va_arg(args, unsigned); break;
			}
			unsigned base = sp.conv == 'u' ? 10 : sp.conv == 'o' ? 8 : 16;
			const char *prefix = "";
			/* '#' prefixes 0x only to a non-zero value. */
			if ((sp.flags & FLAG_ALT) && v != 0 && base == 16)
				prefix = sp.conv == 'X' ? "0X" : "0x";
			integer_emit(&s, &sp, v, prefix, base);
			break;
		}
		case 'p': {
			/* Always 0x-prefixed hex, NULL included ("0x0"). */
			uintptr_t v = (uintptr_t)va_arg(args, void *);
			sp.conv = 'x';
			integer_emit(&s, &sp, v, "0x", 16);
			break;
		}
		case 's': {
			const char *str = va_arg(args, const char *);
			int n = 0;
			if (!str)
				str = "(null)";
			/* Never read past the precision: the string may be unterminated. */
			while ((sp.prec < 0 || n < sp.prec) && str[n] && n < __INT_MAX__)
				n++;
			string_emit(&s, &sp, str, n);
			break;
		}
		case 'c': {
			char c = (char)va_arg(args, int);
			string_emit(&s, &sp, &c, 1);
			break;
		}
		case '%':
			emit(&s, '%');
			break;
		default:
			/* Unknown or truncated conversion: show it as written. */
			while (start < fmt)
				emit(&s, *start++);
			break;
		}
	}
	va_end(args);
	return s.count;
}

struct bounded {
	char *buf;
	size_t size;
	size_t pos;
};

/* Stores while room remains for the terminator; counting goes on in vcbprintf. */
static void bounded_out(void *ctx, char c)
{
	struct bounded *b = ctx;

	if (b->pos + 1 < b->size)
		b->buf[b->pos++] = c;
}

/* C99 semantics: writes at most size-1 characters, terminates whenever
 * size > 0, and returns the length the whole output would have had. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct bounded b = { buf, size, 0 };
	int n = vcbprintf(bounded_out, &b, fmt, ap);

	if (size)
		buf[b.pos] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
