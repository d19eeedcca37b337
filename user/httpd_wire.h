/* The server's side of HTTP/1.1 on the wire (RFC 9112): parsing one
 * request head from the bytes a connection has delivered so far, and the
 * status line and headers of a response. Portable C (no kernel calls):
 * built into the kernel and the host tests.
 *
 * Decisions (each RFC section named):
 * - 9112 2.2: lines end in CRLF or a bare LF; empty lines before the
 *   request line are skipped (at most HTTPD_LEADING_CRLF_MAX octets).
 * - 9112 3: "METHOD SP target SP HTTP/1.x", single spaces; a method is a
 *   token; the target is origin-form ("/...") or "*" only for OPTIONS.
 * - 9112 3.2: an HTTP/1.1 request without exactly one Host is a 400.
 * - 9112 5: a field name is a token directly followed by ':'; obs-fold
 *   (a line starting with whitespace) is a 400.
 * - 9112 6: a request with Transfer-Encoding is refused (501: we read no
 *   chunked bodies); Content-Length must be digits, the same if repeated;
 *   a body is read and discarded (at most HTTPD_BODY_MAX).
 * - 9112 9.3: HTTP/1.1 keeps the connection unless "Connection: close";
 *   HTTP/1.0 closes unless "Connection: keep-alive".
 * - The head is bounded by HTTPD_HEAD_MAX (431 when longer).
 */
#ifndef USER_HTTPD_WIRE_H
#define USER_HTTPD_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	HTTPD_HEAD_MAX = 4096,        /* request line + headers */
	HTTPD_METHOD_MAX = 16,
	HTTPD_TARGET_MAX = 256,
	HTTPD_HOST_MAX = 128,
	HTTPD_BODY_MAX = 65536,       /* request body we are willing to skip */
	HTTPD_LEADING_CRLF_MAX = 16,
};

/* The outcome of httpd_request_parse: > 0 is the head's length in octets;
 * 0 means "incomplete, read more"; < 0 is an HTTP status to answer with
 * (negated) before closing the connection. */
enum {
	HTTPD_NEED_MORE = 0,
};

enum httpd_method { HTTPD_GET, HTTPD_HEAD, HTTPD_OTHER };

/* One parsed request head, in host terms. */
struct httpd_request {
	enum httpd_method method;
	char method_text[HTTPD_METHOD_MAX];
	char target[HTTPD_TARGET_MAX];  /* path and query, as sent */
	char host[HTTPD_HOST_MAX];      /* "" when absent (HTTP/1.0) */
	unsigned minor;                 /* HTTP/1.<minor> */
	bool keep_alive;                /* after this response (9112 9.3) */
	size_t content_length;          /* body octets that follow the head */
};

/* Parse the request head at the start of buf (len octets received so
 * far). Returns the head's length (the body or the next request starts
 * there) with *req filled, HTTPD_NEED_MORE, or -STATUS (-400, -431, -501,
 * -505, -413) for a request that cannot be served. */
int httpd_request_parse(const char *buf, size_t len, struct httpd_request *req);

/* The reason phrase of a status we send ("OK", "Not Found"...). */
const char *httpd_reason(unsigned status);

/* Status line and headers into out (cap octets): Server, Content-Type,
 * Content-Length, Connection, and extra (already CRLF-terminated lines,
 * may be NULL). Returns the length, or 0 when it does not fit. */
size_t httpd_response_head(char *out, size_t cap, unsigned status, const char *content_type, size_t content_length,
			   bool keep_alive, const char *extra);

#endif
