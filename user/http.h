/* The HTTP/1.1 client (RFC 9110, RFC 9112) over the socket API: one GET
 * or HEAD, its redirects followed, the body streamed to a sink.
 *
 * The steps, each with its own timeout and its own error:
 *   URL -> DNS (net/dns.h; skipped when the host has not changed since
 *   the last hop) -> TCP connect -> request -> response headers (1xx
 *   skipped) -> body, read with an idle timeout -> close.
 * Redirects (301, 302, 303, 307, 308 with a Location) are followed up to
 * max_redirects times: the Location is resolved against the current URL
 * (RFC 3986 5.2), each hop is a new connection (we always send
 * "Connection: close"), and a URL seen before in the chain is a loop.
 * 303 asks for a GET; we only ever send GET or HEAD, and HEAD stays HEAD
 * (RFC 9110 15.4.4). max_redirects 0: a redirect is the final response.
 * The next URL is settled as soon as the redirect's headers are in. Its
 * body is then read and dropped when it has a length or chunks (at most
 * HTTP_REDIRECT_DRAIN_MAX bytes) so that the connection closes cleanly;
 * otherwise (close-delimited, or too long) the connection is reset.
 *
 * Ctrl-C (NET_EINTR from the socket, or sys_interrupted() between reads)
 * resets the connection and returns HTTP_EINTR at once.
 *
 * The parser (user/http_wire.h) is separate and pure; this file is the
 * I/O around it. Steps are reported through an optional observer, so a
 * command can narrate them (fetch -v); nothing here prints. */
#ifndef USER_HTTP_H
#define USER_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/dns.h"
#include "user/http_wire.h"
#include "user/url.h"

enum {
	HTTP_REDIRECTS_DEFAULT = 5,
	HTTP_REDIRECTS_MAX = 20,            /* the most -L accepts */
	HTTP_CONNECT_TIMEOUT_MS = 10000,
	HTTP_IDLE_TIMEOUT_MS = 10000,       /* between received bytes */
	HTTP_RECV_BUF = 65536,              /* a large read lends TCP a large buffer (tcp_conn_reader_begin) */
	HTTP_REDIRECT_DRAIN_MAX = 65536,
};

/* The client's outcomes: 0 or negative; http_result_error() says which
 * step failed and why, with res->detail's code (URL_E*, DNS_E*, NET_E*
 * or HTTP_WIRE_E*, as noted). */
enum http_err {
	HTTP_OK = 0,
	HTTP_EURL = -1,        /* the URL or a Location is refused: URL_E* */
	HTTP_EDNS = -2,        /* the host did not resolve: DNS_E* */
	HTTP_ECONNECT = -3,    /* no connection: NET_E* */
	HTTP_ESEND = -4,       /* the request could not be sent: NET_E* */
	HTTP_ERECV = -5,       /* the connection failed while reading: NET_E* */
	HTTP_ETIMEOUT = -6,    /* nothing received for the idle timeout */
	HTTP_EPROTO = -7,      /* a bad or cut response: HTTP_WIRE_E* */
	HTTP_EREDIRECTS = -8,  /* more redirects than allowed */
	HTTP_ELOOP = -9,       /* a redirect back to a URL already fetched */
	HTTP_EINTR = -10,      /* Ctrl-C */
	HTTP_ESINK = -11,      /* the sink asked to stop */
};

/* What the client tells an observer, in order. Pointers are valid during
 * the call only. */
enum http_event_kind {
	HTTP_EV_URL,           /* url: the URL about to be fetched, split */
	HTTP_EV_RESOLVED,      /* url, dns (the resolver's answer), addr */
	HTTP_EV_CONNECTING,    /* addr, port */
	HTTP_EV_CONNECTED,     /* addr, port, elapsed_ms (the handshake) */
	HTTP_EV_REQUEST,       /* text: the request line; bytes: request size */
	HTTP_EV_INTERIM,       /* status: a 1xx skipped */
	HTTP_EV_STATUS,        /* status, text: reason; parser: the headers */
	HTTP_EV_REDIRECT,      /* status, text: the next URL (url: it, split) */
	HTTP_EV_DONE,          /* bytes: body bytes (dropped ones for a redirect);
				* elapsed_ms since the request was sent */
};

struct http_event {
	enum http_event_kind kind;
	const struct url *url;
	const struct dns_result *dns;
	const struct http_parser *parser;
	uint32_t addr;                  /* host byte order */
	uint16_t port;
	unsigned status;
	const char *text;
	uint64_t bytes;
	uint64_t elapsed_ms;
};

struct http_observer {
	void (*event)(void *ctx, const struct http_event *ev);
	void *ctx;
};

/* Where the response goes; either callback may be NULL. */
struct http_sink {
	/* Each final (non-1xx) response's header block, before its body.
	 * follow: it is a redirect about to be followed (its body is then
	 * dropped, never given to body()). */
	void (*headers)(void *ctx, const struct http_parser *p, bool follow);
	/* Bytes of the last response's body, as they arrive. Return 0 to go
	 * on, anything else to stop (HTTP_ESINK). */
	int (*body)(void *ctx, const uint8_t *data, size_t len);
	void *ctx;
};

struct http_request {
	const char *url;               /* as typed: see user/url.h */
	bool head;                     /* HEAD instead of GET */
	unsigned max_redirects;        /* 0..HTTP_REDIRECTS_MAX */
	uint64_t dns_timeout_ms;       /* 0: DNS_RESOLVE_TIMEOUT_MS */
	uint64_t connect_timeout_ms;   /* 0: HTTP_CONNECT_TIMEOUT_MS */
	uint64_t idle_timeout_ms;      /* 0: HTTP_IDLE_TIMEOUT_MS */
	const struct http_sink *sink;
	const struct http_observer *observer;  /* may be NULL */
};

struct http_result {
	int err;                       /* HTTP_OK or HTTP_E* */
	int detail;                    /* the code behind err, see enum http_err */
	unsigned status;               /* of the last response, 0 if none */
	char reason[64];
	uint64_t body_bytes;           /* of the last response */
	bool length_known;             /* Content-Length given */
	uint64_t content_length;
	bool got_headers;              /* the last response's headers came */
	unsigned redirects;            /* followed */
	char url[URL_TEXT_MAX];        /* the last URL asked (or refused) */
	bool url_from_location;        /* url is a Location value */
	char host[URL_HOST_MAX];       /* the last host */
	uint32_t addr;                 /* ... its address, 0 before DNS */
	uint16_t port;
	uint64_t timeout_ms;           /* the timeout behind HTTP_ETIMEOUT/ECONNECT */
	uint64_t elapsed_ms;           /* the whole fetch */
};

/* All the client's working memory (about 64 KiB: keep it off the stack). */
struct http_client {
	struct http_parser parser;
	struct url url;
	struct url next;
	struct dns_result dns;
	char visited[HTTP_REDIRECTS_MAX + 1][URL_TEXT_MAX];
	char request[HTTP_REQUEST_MAX];
	uint8_t buf[HTTP_RECV_BUF];
};

/* Fetch req->url, following redirects; blocks the calling thread. Returns
 * res->err (HTTP_OK when a final response was read whole, whatever its
 * status). res is always filled as far as the fetch went. */
int http_fetch(struct http_client *c, const struct http_request *req, struct http_result *res);

/* One line saying what failed and where, e.g. "www.nosuch.test: DNS
 * NXDOMAIN", "192.0.2.80:81: connection refused", "timed out waiting for
 * response headers (10 s)". Returns buf. */
char *http_result_error(const struct http_result *res, char *buf, size_t size);

#endif
