/* Terminal-safe printing of network bytes; the rules are in user/termsafe.h. */
#include "user/termsafe.h"

#include <string.h>

void termsafe_init(struct termsafe *t, void (*out)(void *ctx, const char *s, size_t n), void *ctx)
{
	memset(t, 0, sizeof *t);
	t->out = out;
	t->ctx = ctx;
	t->mode = TERMSAFE_SNIFFING;
	t->at_line_start = true;
}

/* The length of the UTF-8 sequence a lead byte starts (RFC 3629 4), or 0
 * if it cannot start one. */
static unsigned termsafe_utf8_len(uint8_t b)
{
	if (b >= 0xc2 && b <= 0xdf)
		return 2;
	if (b >= 0xe0 && b <= 0xef)
		return 3;
	if (b >= 0xf0 && b <= 0xf4)
		return 4;
	return 0;
}

static bool termsafe_is_cont(uint8_t b)
{
	return (b & 0xc0) == 0x80;
}

/* A control byte a text file would not contain. */
static bool termsafe_is_control(uint8_t b)
{
	return (b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f') || b == 0x7f;
}

bool termsafe_looks_binary(const uint8_t *d, size_t n)
{
	size_t suspicious = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t b = d[i];
		if (b == 0)
			return true;
		if (termsafe_is_control(b)) {
			suspicious++;
		} else if (b >= 0x80) {
			unsigned need = termsafe_utf8_len(b);
			unsigned k = 1;
			while (k < need && i + k < n && termsafe_is_cont(d[i + k]))
				k++;
			if (need == 0 || (k < need && i + k < n))
				suspicious++;   /* broken (a sequence cut at n is fine) */
			else
				i += k - 1;
		}
	}
	return suspicious * TERMSAFE_BINARY_RATIO > n;
}

static void termsafe_flush(struct termsafe *t)
{
	if (t->buf_len)
		t->out(t->ctx, t->buf, t->buf_len);
	t->buf_len = 0;
}

static void termsafe_put(struct termsafe *t, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (t->buf_len + n > sizeof t->buf)
		termsafe_flush(t);
	memcpy(t->buf + t->buf_len, s, n);
	t->buf_len += n;
	t->at_line_start = s[n - 1] == '\n';
}

static void termsafe_put_escaped(struct termsafe *t, uint8_t b)
{
	static const char hex[] = "0123456789abcdef";
	char e[4] = { '\\', 'x', hex[b >> 4], hex[b & 15] };
	termsafe_put(t, e, sizeof e);
}

/* A partial UTF-8 sequence that turned out broken: escape its bytes. */
static void termsafe_drop_utf8(struct termsafe *t)
{
	for (unsigned i = 0; i < t->utf8_len; i++)
		termsafe_put_escaped(t, t->utf8[i]);
	t->utf8_len = t->utf8_need = 0;
}

/* One body byte, in text mode. */
static void termsafe_byte(struct termsafe *t, uint8_t b)
{
	if (t->utf8_need) {
		if (termsafe_is_cont(b)) {
			t->utf8[t->utf8_len++] = b;
			if (t->utf8_len == t->utf8_need) {
				termsafe_put(t, (const char *)t->utf8, t->utf8_len);
				t->utf8_len = t->utf8_need = 0;
			}
			return;
		}
		termsafe_drop_utf8(t);
	}
	if (t->pending_cr) {
		t->pending_cr = false;
		if (b == '\n') {
			termsafe_put(t, "\n", 1);
			return;
		}
		termsafe_put(t, "\\r", 2);
	}
	if (b == '\r') {
		t->pending_cr = true;
	} else if (b == '\n' || b == '\t' || (b >= 0x20 && b < 0x7f)) {
		char c = (char)b;
		termsafe_put(t, &c, 1);
	} else if (b >= 0x80 && termsafe_utf8_len(b)) {
		t->utf8[0] = b;
		t->utf8_len = 1;
		t->utf8_need = termsafe_utf8_len(b);
	} else {
		termsafe_put_escaped(t, b);
	}
}

static void termsafe_text(struct termsafe *t, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		termsafe_byte(t, d[i]);
	termsafe_flush(t);
}

/* The sniff buffer is full, or the body ended: decide, then print it. */
static void termsafe_decide(struct termsafe *t)
{
	if (termsafe_looks_binary(t->sniff, t->sniffed)) {
		t->mode = TERMSAFE_BINARY;
		return;
	}
	t->mode = TERMSAFE_TEXT;
	termsafe_text(t, t->sniff, t->sniffed);
}

void termsafe_write(struct termsafe *t, const uint8_t *data, size_t len)
{
	t->bytes += len;
	if (t->mode == TERMSAFE_SNIFFING) {
		size_t n = sizeof t->sniff - t->sniffed;
		if (n > len)
			n = len;
		memcpy(t->sniff + t->sniffed, data, n);
		t->sniffed += n;
		data += n;
		len -= n;
		if (t->sniffed < sizeof t->sniff)
			return;
		termsafe_decide(t);
	}
	if (t->mode == TERMSAFE_TEXT)
		termsafe_text(t, data, len);
}

bool termsafe_finish(struct termsafe *t)
{
	if (t->mode == TERMSAFE_SNIFFING)
		termsafe_decide(t);
	if (t->mode == TERMSAFE_BINARY)
		return true;
	termsafe_drop_utf8(t);
	if (t->pending_cr) {
		t->pending_cr = false;
		termsafe_put(t, "\\r", 2);
	}
	termsafe_flush(t);
	return false;
}
