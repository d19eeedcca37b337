/* Printing bytes that came from the network on a terminal, safely.
 *
 * A body is streamed through a filter that never lets it drive the
 * terminal: control characters (ESC above all) are shown escaped as \xNN,
 * a CR before an LF is dropped (CRLF shows as one newline) and a lone CR
 * is shown as \r, tabs and newlines pass, well-formed UTF-8 passes and any
 * other byte above 0x7e is escaped.
 *
 * Binary bodies are summarised instead of shown: the first
 * TERMSAFE_SNIFF_LEN bytes are held back and looked at; if they contain a
 * NUL, or more than one in TERMSAFE_BINARY_RATIO of them are control
 * bytes or broken UTF-8, nothing is printed and termsafe_finish() says so.
 *
 * Portable C: output goes through a callback. */
#ifndef USER_TERMSAFE_H
#define USER_TERMSAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	TERMSAFE_SNIFF_LEN = 1024,
	TERMSAFE_BINARY_RATIO = 10,     /* more than 1 in 10 suspicious: binary */
	TERMSAFE_OUT_BUF = 256,
};

enum termsafe_mode { TERMSAFE_SNIFFING, TERMSAFE_TEXT, TERMSAFE_BINARY };

struct termsafe {
	void (*out)(void *ctx, const char *s, size_t n);
	void *ctx;
	enum termsafe_mode mode;
	uint8_t sniff[TERMSAFE_SNIFF_LEN];
	size_t sniffed;
	uint64_t bytes;                  /* body bytes seen */
	bool pending_cr;                 /* a CR waits to see if an LF follows */
	uint8_t utf8[4];                 /* a multi-byte character so far */
	unsigned utf8_len, utf8_need;
	bool at_line_start;              /* the last byte printed was '\n' (or none) */
	char buf[TERMSAFE_OUT_BUF];
	size_t buf_len;
};

void termsafe_init(struct termsafe *t, void (*out)(void *ctx, const char *s, size_t n), void *ctx);
/* Filter len more bytes of the body. */
void termsafe_write(struct termsafe *t, const uint8_t *data, size_t len);
/* The body has ended: decide if it was still being sniffed, flush what is
 * held. Returns true if it was binary (then nothing was printed). */
bool termsafe_finish(struct termsafe *t);

/* The sniffing rule on its own: does this start of a body look binary? */
bool termsafe_looks_binary(const uint8_t *d, size_t n);

#endif
