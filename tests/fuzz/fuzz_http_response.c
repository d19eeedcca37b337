/* Fuzz target http_response: a server's response through the streaming
 * HTTP/1.1 parser (user/http_wire.c), fed in the slices a TCP connection
 * might deliver: status line, fields, Content-Length, chunked framing,
 * trailers, 1xx responses, the close.
 *
 * Checks: every call consumes within its slice and makes progress (a
 * parser that returns without using bytes or reporting an event would
 * hang fetch); body bytes are pointers into the slice and add up to
 * body_bytes, and to Content-Length when a length-framed body completes;
 * after DONE or an error the parser stays there; the results it reports
 * (status, fields) are in range.
 *
 * Input:
 *   u8 ctl   bit 0: the request was HEAD
 *            bits 1-7: slicing: 0 = the whole input at once, else slices
 *                      of 1..2n bytes from a generator seeded by n
 *   then the bytes the server sent. */
#include <string.h>

#include "user/http_wire.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_head(const struct http_parser *p)
{
	FUZZ_ASSERT(p->status >= 100 && p->status <= 599);
	FUZZ_ASSERT(p->nfields <= HTTP_FIELDS_MAX);
	for (unsigned i = 0; i < p->nfields; i++) {
		const char *n = p->fields[i].name, *v = p->fields[i].value;
		FUZZ_ASSERT(n >= p->head && n < p->head + sizeof p->head && v >= p->head && v < p->head + sizeof p->head);
		FUZZ_ASSERT(memchr(n, 0, (size_t)(p->head + sizeof p->head - n)) != NULL);
		FUZZ_ASSERT(n[0] != 0);
	}
	if (p->framing == HTTP_FRAME_NONE)
		FUZZ_ASSERT(p->body_bytes == 0);
	(void)http_field_get(p, "content-length");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_parser p;  /* large: off the stack */
	struct fuzz_in in = { data, size };
	uint8_t ctl = fuzz_u8(&in);
	uint32_t rng = ctl >> 1, calls = 0;
	uint64_t body_total = 0;
	int r = HTTP_PARSE_MORE;
	bool headers = false;

	http_parser_init(&p, ctl & 1);
	while (in.n && r >= 0 && r != HTTP_PARSE_DONE) {
		size_t want = in.n, left;
		if (rng) {
			rng = rng * 1103515245u + 12345u;
			want = 1 + (rng >> 16) % (2 * (ctl >> 1));
		}
		const uint8_t *s = fuzz_bytes(&in, want, &left);
		for (;;) {
			size_t used;
			const uint8_t *body;
			size_t body_len;
			FUZZ_ASSERT(++calls <= 4 * size + 64); /* no progress: a hang */
			r = http_parse(&p, s, left, &used, &body, &body_len);
			FUZZ_ASSERT(used <= left);
			if (r < 0 || r == HTTP_PARSE_DONE)
				break;
			if (r == HTTP_PARSE_MORE) {
				FUZZ_ASSERT(used == left);
				break;
			}
			if (r == HTTP_PARSE_BODY) {
				FUZZ_ASSERT(headers && body_len > 0 && body_len <= used);
				FUZZ_ASSERT(body >= s && body + body_len <= s + used);
				body_total += body_len;
			}
			if (r == HTTP_PARSE_HEADERS) {
				FUZZ_ASSERT(!headers && http_parser_has_headers(&p));
				headers = true;
				check_head(&p);
			}
			if (r == HTTP_PARSE_INTERIM)
				FUZZ_ASSERT(!headers && p.status >= 100 && p.status < 200);
			s += used;
			left -= used;
		}
	}
	FUZZ_ASSERT(body_total == p.body_bytes);
	if (r >= 0 && r != HTTP_PARSE_DONE)
		r = http_parse_finish(&p);
	if (r == HTTP_PARSE_DONE) {
		FUZZ_ASSERT(http_parser_has_headers(&p));
		check_head(&p);
		if (p.framing == HTTP_FRAME_LENGTH)
			FUZZ_ASSERT(p.body_bytes == p.content_length);
	}
	/* Sticky: DONE stays DONE and takes nothing; an error repeats. */
	size_t used;
	const uint8_t *body;
	size_t body_len;
	int again = http_parse(&p, "x", 1, &used, &body, &body_len);
	if (r == HTTP_PARSE_DONE)
		FUZZ_ASSERT(again == HTTP_PARSE_DONE && used == 0);
	else if (r < 0)
		FUZZ_ASSERT(again == r);
	(void)http_wire_strerror(r);
	return 0;
}
