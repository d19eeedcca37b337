/* HTTP/1.1 on the wire (RFC 9112, with RFC 9110's semantics): the request
 * line and headers we send, and a streaming parser for the response.
 *
 * The parser is fed whatever slices the connection delivers (one byte or
 * a whole buffer) and never buffers the body: body bytes are handed back
 * as pointers into the caller's input. Only the header block is kept,
 * bounded by HTTP_HEAD_MAX bytes and HTTP_FIELDS_MAX fields.
 *
 * Decisions (each RFC 9112 section named):
 * - 2.2: a line ends in CRLF or a bare LF; a bare CR inside a line is an
 *   error. Empty lines before the status line are skipped.
 * - 4: the status line is "HTTP/1.x NNN reason" (major version 1, three
 *   digits 100..599); the reason may be empty, and "HTTP/1.1 200" without
 *   the space before it is accepted.
 * - 5.1, 5.2: a field name is a token directly followed by ':'; a line
 *   starting with whitespace (obs-fold) is refused rather than unfolded.
 *   Values are trimmed of spaces and tabs; control bytes are refused.
 * - 6.3 (framing), in order: HEAD, 1xx, 204 and 304 have no body; a
 *   Transfer-Encoding of "chunked" is chunked and wins over a
 *   Content-Length (which is then ignored: the connection is closed after
 *   the response anyway); any other transfer coding is refused (we cannot
 *   decode it); a Content-Length is the body length (a list or repeated
 *   header of one same value is accepted, differing values or an overflow
 *   are refused); otherwise the body runs until the server closes.
 * - 7.1: chunk sizes are hex, checked for overflow; extensions after ';'
 *   are ignored; each chunk's data must be followed by CRLF; the
 *   chunk-size line is bounded (HTTP_CHUNK_LINE_MAX); trailer fields are
 *   read and dropped, bounded by HTTP_HEAD_MAX.
 * - 1xx interim responses (RFC 9110 15.2) are skipped, at most
 *   HTTP_INTERIM_MAX of them; 101 is refused (we never ask to upgrade).
 *
 * Portable C (no kernel calls): built into the kernel and the host tests.
 */
#ifndef USER_HTTP_WIRE_H
#define USER_HTTP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "user/url.h"

enum {
	HTTP_HEAD_MAX = 16384,      /* status line and fields, each block */
	HTTP_FIELDS_MAX = 100,      /* header fields per response */
	HTTP_CHUNK_LINE_MAX = 1024, /* a chunk-size line with its extensions */
	HTTP_INTERIM_MAX = 8,       /* 1xx responses before the final one */
	HTTP_REQUEST_MAX = 1536,    /* the request we send */
};

/* Why a response was refused: 0 or negative; http_wire_strerror() words it. */
enum http_wire_err {
	HTTP_WIRE_OK = 0,
	HTTP_WIRE_EVERSION = -1,     /* status line not "HTTP/1.x" */
	HTTP_WIRE_ESTATUS = -2,      /* malformed status line */
	HTTP_WIRE_EFIELD = -3,       /* malformed header field line */
	HTTP_WIRE_EOBSFOLD = -4,     /* a folded (continuation) header line */
	HTTP_WIRE_EHEADBIG = -5,     /* header block over HTTP_HEAD_MAX */
	HTTP_WIRE_EFIELDS = -6,      /* more than HTTP_FIELDS_MAX fields */
	HTTP_WIRE_ECLEN = -7,        /* Content-Length not a number */
	HTTP_WIRE_ECLENBIG = -8,     /* Content-Length overflows */
	HTTP_WIRE_ECLENDIFF = -9,    /* several Content-Length values differ */
	HTTP_WIRE_ECODING = -10,     /* a transfer coding other than chunked */
	HTTP_WIRE_ECHUNK = -11,      /* malformed chunk-size line */
	HTTP_WIRE_ECHUNKBIG = -12,   /* chunk size overflows */
	HTTP_WIRE_ECHUNKLINE = -13,  /* chunk-size line over HTTP_CHUNK_LINE_MAX */
	HTTP_WIRE_ECHUNKEND = -14,   /* chunk data not followed by CRLF */
	HTTP_WIRE_ETRAILER = -15,    /* malformed or oversized trailer */
	HTTP_WIRE_EINTERIM = -16,    /* too many 1xx responses, or a 101 */
	HTTP_WIRE_ENORESPONSE = -17, /* closed before any byte of a response */
	HTTP_WIRE_ECLOSEDHEAD = -18, /* closed inside the header block */
	HTTP_WIRE_ECLOSEDBODY = -19, /* closed before Content-Length bytes */
	HTTP_WIRE_ECLOSEDCHUNK = -20, /* closed inside a chunked body */
};

/* What http_parse() stopped for (non-negative results). */
enum http_parse_event {
	HTTP_PARSE_MORE = 0,      /* all input used; feed more (or finish) */
	HTTP_PARSE_INTERIM = 1,   /* a 1xx was skipped (status holds it) */
	HTTP_PARSE_HEADERS = 2,   /* the final response's header block is in */
	HTTP_PARSE_BODY = 3,      /* *body, *body_len: bytes of the body */
	HTTP_PARSE_DONE = 4,      /* the response is complete */
};

/* How the body's end is found (RFC 9112 6.3). */
enum http_framing {
	HTTP_FRAME_NONE,          /* no body (HEAD, 204, 304) */
	HTTP_FRAME_LENGTH,        /* Content-Length */
	HTTP_FRAME_CHUNKED,
	HTTP_FRAME_CLOSE,         /* until the server closes */
};

struct http_field {
	const char *name;         /* as received; compare case-insensitively */
	const char *value;        /* trimmed */
};

/* The parser's state: one response (with its 1xx) per init. Large (the
 * header block lives here): keep it off small stacks. */
struct http_parser {
	/* Results, valid from HTTP_PARSE_HEADERS on (status also after
	 * HTTP_PARSE_INTERIM). */
	unsigned version_minor;           /* HTTP/1.x */
	unsigned status;                  /* 100..599 */
	const char *reason;               /* in head[] */
	struct http_field fields[HTTP_FIELDS_MAX];
	unsigned nfields;
	enum http_framing framing;
	uint64_t content_length;          /* HTTP_FRAME_LENGTH */
	uint64_t body_bytes;              /* body bytes handed out so far */
	unsigned interim;                 /* 1xx responses skipped */

	/* Internal. */
	int state;
	bool head_request;
	bool have_headers;                /* the final block is in */
	char head[HTTP_HEAD_MAX + 1];     /* the header block being read */
	size_t head_len;
	size_t line_start;                /* offset of the current line in head */
	unsigned lines;                   /* lines of this block so far */
	size_t skipped;                   /* empty lines before the status */
	bool any_input;                   /* a byte of this response came */
	uint64_t remaining;               /* of the current chunk or body */
	size_t line_len;                  /* chunk-size / trailer line so far */
	size_t trailer_len;               /* trailer section so far */
	bool line_cr;                     /* a CR was just seen on this line */
	bool hex_done;                    /* chunk size: its digits ended */
	bool in_ext;                      /* chunk size: after ';' */
	bool seen_colon;                  /* trailer line: after the name */
	unsigned digits;                  /* chunk size: hex digits seen */
	int err;                          /* sticky once set */
};

/* Start on a new response. head_request: the request was HEAD (so the
 * response has no body whatever its headers say). */
void http_parser_init(struct http_parser *p, bool head_request);

/* Feed len bytes. Parses until an event: returns it (>= 0) with *used set
 * to the bytes consumed (call again with the rest), or an HTTP_WIRE_E*
 * code (< 0) on malformed input, and again on every later call.
 * HTTP_PARSE_BODY sets *body and *body_len (a part of data). After
 * HTTP_PARSE_DONE, every call returns HTTP_PARSE_DONE with *used 0 (bytes
 * after the response are not ours). len may be 0. */
int http_parse(struct http_parser *p, const void *data, size_t len, size_t *used,
	       const uint8_t **body, size_t *body_len);

/* The connection ended (the server closed). Returns HTTP_PARSE_DONE if the
 * response is complete (or ran until the close, HTTP_FRAME_CLOSE), else the
 * HTTP_WIRE_ECLOSED* (or HTTP_WIRE_ENORESPONSE) error saying where. */
int http_parse_finish(struct http_parser *p);

/* True once the header block of the final response is in. */
bool http_parser_has_headers(const struct http_parser *p);

/* The first field of that name (case-insensitive), or NULL. */
const char *http_field_get(const struct http_parser *p, const char *name);

/* "malformed status line", ... */
const char *http_wire_strerror(int err);

/* Write the request for u into buf: "METHOD target HTTP/1.1" and Host
 * (with ":port" when not 80), User-Agent Pigeon/<version>, Accept (any),
 * Connection: close. Returns its length, or 0 if size is too small. */
size_t http_request_format(char *buf, size_t size, const struct url *u, bool head);

#endif
