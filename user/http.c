/* The HTTP/1.1 client's I/O: DNS, connect, request, read, redirects.
 * The contract is in user/http.h; the bytes are parsed by user/http_wire.c. */
#include "user/http.h"

#include <stdio.h>
#include <string.h>

#include "net/err.h"
#include "net/socket.h"
#include "net/sys.h"

enum {
	HTTP_MOVED_PERMANENTLY = 301,
	HTTP_FOUND = 302,
	HTTP_SEE_OTHER = 303,
	HTTP_TEMPORARY_REDIRECT = 307,
	HTTP_PERMANENT_REDIRECT = 308,
};

/* One hop: the state of a single request and its response. */
struct http_hop {
	struct http_client *c;
	const struct http_request *req;
	struct http_result *res;
	struct socket *sock;
	bool follow;                   /* the response is a redirect to follow */
	const char *location;          /* its Location (in the parser) */
	uint64_t dropped;              /* body bytes of a redirect, read and dropped */
	bool drain_cut;                /* ... and the rest left unread */
	uint64_t sent_ms;              /* when the request went out */
};

static void http_emit(const struct http_request *req, struct http_event *ev)
{
	if (req->observer && req->observer->event)
		req->observer->event(req->observer->ctx, ev);
}

static uint64_t http_or(uint64_t v, uint64_t dflt)
{
	return v ? v : dflt;
}

static bool http_is_redirect(unsigned status)
{
	return status == HTTP_MOVED_PERMANENTLY || status == HTTP_FOUND || status == HTTP_SEE_OTHER ||
	       status == HTTP_TEMPORARY_REDIRECT || status == HTTP_PERMANENT_REDIRECT;
}

/* Record a failure in res; returns err. */
static int http_set_error(struct http_result *res, int err, int detail)
{
	res->err = err;
	res->detail = detail;
	return err;
}

/* DNS for the hop's host, unless the address from the last hop is for the
 * same host. */
static int http_resolve(struct http_client *c, const struct http_request *req, struct http_result *res)
{
	if (res->addr && strcmp(res->host, c->url.host) == 0)
		return HTTP_OK;
	memcpy(res->host, c->url.host, sizeof res->host);
	res->addr = 0;
	int st = dns_resolve(c->url.host, &c->dns, http_or(req->dns_timeout_ms, DNS_RESOLVE_TIMEOUT_MS));
	if (st == DNS_EINTR)
		return http_set_error(res, HTTP_EINTR, NET_EINTR);
	if (st != DNS_OK)
		return http_set_error(res, HTTP_EDNS, st);
	res->addr = c->dns.addrs[0];
	struct http_event ev = { .kind = HTTP_EV_RESOLVED, .url = &c->url, .dns = &c->dns, .addr = res->addr };
	http_emit(req, &ev);
	return HTTP_OK;
}

static int http_connect(struct http_hop *h)
{
	struct http_result *res = h->res;
	struct sock_addr to = { .addr = res->addr, .port = h->c->url.port };
	struct http_event ev = { .kind = HTTP_EV_CONNECTING, .url = &h->c->url, .addr = to.addr, .port = to.port };

	res->port = to.port;
	http_emit(h->req, &ev);
	int err = sock_open(SOCK_STREAM, &h->sock);
	if (err != NET_OK) {
		h->sock = NULL;
		return http_set_error(res, HTTP_ECONNECT, err);
	}
	uint64_t t0 = sys_now_ms();
	res->timeout_ms = http_or(h->req->connect_timeout_ms, HTTP_CONNECT_TIMEOUT_MS);
	err = sock_connect(h->sock, &to, res->timeout_ms);
	if (err == NET_EINTR)
		return http_set_error(res, HTTP_EINTR, err);
	if (err != NET_OK)
		return http_set_error(res, HTTP_ECONNECT, err);
	ev.kind = HTTP_EV_CONNECTED;
	ev.elapsed_ms = sys_now_ms() - t0;
	http_emit(h->req, &ev);
	return HTTP_OK;
}

static int http_send_request(struct http_hop *h)
{
	struct http_client *c = h->c;
	size_t len = http_request_format(c->request, sizeof c->request, &c->url, h->req->head);
	if (len == 0)
		return http_set_error(h->res, HTTP_EURL, URL_ETOOLONG);
	uint64_t idle = http_or(h->req->idle_timeout_ms, HTTP_IDLE_TIMEOUT_MS);
	long n = sock_send(h->sock, c->request, len, idle);
	if (n == NET_EINTR)
		return http_set_error(h->res, HTTP_EINTR, NET_EINTR);
	if (n < 0 || (size_t)n != len)
		return http_set_error(h->res, HTTP_ESEND, n < 0 ? (int)n : NET_ETIMEDOUT);
	h->sent_ms = sys_now_ms();
	/* The request line alone, for the observer. */
	char line[URL_TARGET_MAX + 16];
	size_t eol = strcspn(c->request, "\r");
	if (eol >= sizeof line)
		eol = sizeof line - 1;
	memcpy(line, c->request, eol);
	line[eol] = '\0';
	struct http_event ev = { .kind = HTTP_EV_REQUEST, .url = &c->url, .text = line, .bytes = len };
	http_emit(h->req, &ev);
	return HTTP_OK;
}

static int http_next_hop(struct http_hop *h);

/* The final response's header block is in: is it a redirect we follow?
 * If so, the next URL is settled now, before any of the body is read, so
 * that a bad Location, the limit or a loop end the fetch at once. */
static int http_on_headers(struct http_hop *h)
{
	const struct http_parser *p = &h->c->parser;
	struct http_result *res = h->res;

	res->status = p->status;
	snprintf(res->reason, sizeof res->reason, "%s", p->reason);
	res->got_headers = true;
	res->length_known = p->framing == HTTP_FRAME_LENGTH;
	res->content_length = p->content_length;
	h->location = http_field_get(p, "Location");
	h->follow = http_is_redirect(p->status) && h->location && h->req->max_redirects > 0;
	struct http_event ev = { .kind = HTTP_EV_STATUS, .url = &h->c->url, .parser = p,
				 .status = p->status, .text = p->reason };
	http_emit(h->req, &ev);
	const struct http_sink *sink = h->req->sink;
	if (sink && sink->headers)
		sink->headers(sink->ctx, p, h->follow);
	return h->follow ? http_next_hop(h) : HTTP_OK;
}

/* Body bytes: to the sink, or dropped for a redirect. */
static int http_on_body(struct http_hop *h, const uint8_t *data, size_t len)
{
	if (h->follow) {
		h->dropped += len;
		return HTTP_OK;
	}
	h->res->body_bytes += len;
	const struct http_sink *sink = h->req->sink;
	if (sink && sink->body && sink->body(sink->ctx, data, len) != 0)
		return http_set_error(h->res, HTTP_ESINK, 0);
	return HTTP_OK;
}

/* Parse n received bytes (n == 0: the server closed). Returns 1 when the
 * response is complete, 0 for more, or an HTTP_E* error. */
static int http_feed(struct http_hop *h, size_t n)
{
	struct http_parser *p = &h->c->parser;
	size_t off = 0;

	if (n == 0) {
		int ev = http_parse_finish(p);
		return ev == HTTP_PARSE_DONE ? 1 : http_set_error(h->res, HTTP_EPROTO, ev);
	}
	for (;;) {
		size_t used, blen;
		const uint8_t *body;
		int ev = http_parse(p, h->c->buf + off, n - off, &used, &body, &blen);
		off += used;
		if (ev < 0)
			return http_set_error(h->res, HTTP_EPROTO, ev);
		switch (ev) {
		case HTTP_PARSE_MORE:
			return 0;
		case HTTP_PARSE_INTERIM: {
			struct http_event e = { .kind = HTTP_EV_INTERIM, .url = &h->c->url, .status = p->status };
			http_emit(h->req, &e);
			break;
		}
		case HTTP_PARSE_HEADERS: {
			int err = http_on_headers(h);
			if (err != HTTP_OK)
				return err;
			/* A redirect's body is dropped: read to its end when it
			 * is framed (so the close is clean), else not at all. */
			if (h->follow && p->framing == HTTP_FRAME_CLOSE) {
				h->drain_cut = true;
				return 1;
			}
			break;
		}
		case HTTP_PARSE_BODY: {
			int err = http_on_body(h, body, blen);
			if (err != HTTP_OK)
				return err;
			if (h->follow && h->dropped > HTTP_REDIRECT_DRAIN_MAX) {
				h->drain_cut = true;
				return 1;
			}
			break;
		}
		case HTTP_PARSE_DONE:
			return 1;
		}
	}
}

/* Read the response until it is complete. */
static int http_read_response(struct http_hop *h)
{
	struct http_client *c = h->c;
	struct http_result *res = h->res;
	uint64_t idle = http_or(h->req->idle_timeout_ms, HTTP_IDLE_TIMEOUT_MS);

	http_parser_init(&c->parser, h->req->head);
	for (;;) {
		long n = sock_recv(h->sock, c->buf, sizeof c->buf, idle);
		if (n == NET_EINTR || sys_interrupted())
			return http_set_error(res, HTTP_EINTR, NET_EINTR);
		if (n == NET_ETIMEDOUT) {
			res->timeout_ms = idle;
			return http_set_error(res, HTTP_ETIMEOUT, NET_ETIMEDOUT);
		}
		if (n < 0)
			return http_set_error(res, HTTP_ERECV, (int)n);
		int r = http_feed(h, (size_t)n);
		if (r < 0)
			return r;
		if (r == 1)
			break;
	}
	struct http_event ev = { .kind = HTTP_EV_DONE, .url = &c->url, .status = res->status,
				 .bytes = h->follow ? h->dropped : res->body_bytes,
				 .elapsed_ms = sys_now_ms() - h->sent_ms };
	http_emit(h->req, &ev);
	return HTTP_OK;
}

/* One request and its response on a new connection. */
static int http_hop_run(struct http_hop *h)
{
	int err = http_resolve(h->c, h->req, h->res);
	if (err == HTTP_OK)
		err = http_connect(h);
	if (err == HTTP_OK)
		err = http_send_request(h);
	if (err == HTTP_OK)
		err = http_read_response(h);
	if (h->sock) {
		/* A complete response leaves nothing unread: close politely.
		 * Otherwise (an error, Ctrl-C, a redirect body too long to
		 * drain) reset, so that neither side waits. */
		if (err == HTTP_OK && !h->drain_cut)
			sock_close(h->sock);
		else
			sock_abort(h->sock);
		h->sock = NULL;
	}
	return err;
}

/* The next URL from the redirect whose headers just came, checked
 * against the limit and the chain so far; into c->next. */
static int http_next_hop(struct http_hop *h)
{
	struct http_client *c = h->c;
	struct http_result *res = h->res;

	snprintf(res->url, sizeof res->url, "%s", h->location);
	res->url_from_location = true;
	int err = url_resolve(&c->url, h->location, &c->next);
	if (err != URL_OK)
		return http_set_error(res, HTTP_EURL, err);
	url_format(&c->next, res->url, sizeof res->url);
	res->url_from_location = false;
	if (res->redirects >= h->req->max_redirects)
		return http_set_error(res, HTTP_EREDIRECTS, (int)h->req->max_redirects);
	for (unsigned i = 0; i <= res->redirects; i++)
		if (strcmp(c->visited[i], res->url) == 0)
			return http_set_error(res, HTTP_ELOOP, 0);
	struct http_event ev = { .kind = HTTP_EV_REDIRECT, .url = &c->next, .status = res->status, .text = res->url };
	http_emit(h->req, &ev);
	return HTTP_OK;
}

int http_fetch(struct http_client *c, const struct http_request *req, struct http_result *res)
{
	uint64_t start = sys_now_ms();
	struct http_hop h = { .c = c, .req = req, .res = res };

	memset(res, 0, sizeof *res);
	snprintf(res->url, sizeof res->url, "%s", req->url ? req->url : "");
	int err = url_parse(req->url, &c->url);
	if (err != URL_OK) {
		http_set_error(res, HTTP_EURL, err);
		goto out;
	}
	for (;;) {
		url_format(&c->url, c->visited[res->redirects], sizeof c->visited[0]);
		memcpy(res->url, c->visited[res->redirects], sizeof res->url);
		struct http_event ev = { .kind = HTTP_EV_URL, .url = &c->url };
		http_emit(req, &ev);
		h.follow = h.drain_cut = false;
		h.dropped = 0;
		h.location = NULL;
		res->status = 0;
		res->reason[0] = '\0';
		res->body_bytes = 0;
		res->got_headers = false;
		if (http_hop_run(&h) != HTTP_OK || !h.follow)
			break;
		res->redirects++;
		c->url = c->next;
	}
out:
	res->elapsed_ms = sys_now_ms() - start;
	return res->err;
}

/* ---- messages ---- */

static const char *http_ip(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	return buf;
}

/* "NXDOMAIN" and friends: what a person who knows DNS looks for. */
static const char *http_dns_words(int st)
{
	switch (st) {
	case DNS_ENXDOMAIN:
		return "DNS NXDOMAIN";
	case DNS_ESERVFAIL:
		return "DNS SERVFAIL";
	case DNS_EREFUSED:
		return "DNS REFUSED";
	case DNS_ENODATA:
		return "DNS NODATA (no IPv4 address)";
	case DNS_ETIMEDOUT:
		return "DNS timed out (no server answered)";
	default:
		return NULL;
	}
}

static const char *http_net_words(int err)
{
	return err == NET_ECONNRESET ? "connection reset by peer" : net_strerror(err);
}

char *http_result_error(const struct http_result *res, char *buf, size_t size)
{
	char ip[16];
	unsigned secs = (unsigned)((res->timeout_ms + 999) / 1000);
	unsigned long long bytes = (unsigned long long)res->body_bytes;
	const char *words;

	switch (res->err) {
	case HTTP_OK:
		snprintf(buf, size, "ok");
		break;
	case HTTP_EURL:
		if (res->detail == URL_EHTTPS && !res->url_from_location)
			snprintf(buf, size, "%s: try http://%s", url_strerror(res->detail),
				 strstr(res->url, "://") ? strstr(res->url, "://") + 3 : res->url);
		else if (res->url_from_location)
			snprintf(buf, size, "bad redirect to %s: %s", res->url, url_strerror(res->detail));
		else
			snprintf(buf, size, "%s: %s", res->url, url_strerror(res->detail));
		break;
	case HTTP_EDNS:
		words = http_dns_words(res->detail);
		if (words)
			snprintf(buf, size, "%s: %s", res->host, words);
		else
			snprintf(buf, size, "%s: DNS: %s", res->host, dns_strerror(res->detail));
		break;
	case HTTP_ECONNECT:
		if (res->detail == NET_ETIMEDOUT)
			snprintf(buf, size, "%s:%u: timed out connecting (%u s)", http_ip(res->addr, ip), res->port,
				 secs);
		else
			snprintf(buf, size, "%s:%u: %s", http_ip(res->addr, ip), res->port,
				 net_strerror(res->detail));
		break;
	case HTTP_ESEND:
		snprintf(buf, size, "%s:%u: sending the request: %s", http_ip(res->addr, ip), res->port,
			 http_net_words(res->detail));
		break;
	case HTTP_ETIMEOUT:
		if (!res->got_headers)
			snprintf(buf, size, "timed out waiting for response headers (%u s)", secs);
		else
			snprintf(buf, size, "timed out waiting for the body after %llu bytes (%u s)", bytes, secs);
		break;
	case HTTP_ERECV:
		if (!res->got_headers)
			snprintf(buf, size, "%s while waiting for response headers", http_net_words(res->detail));
		else
			snprintf(buf, size, "%s after %llu body bytes", http_net_words(res->detail), bytes);
		break;
	case HTTP_EPROTO:
		if (res->detail == HTTP_WIRE_ECLOSEDBODY)
			snprintf(buf, size, "connection closed after %llu of %llu body bytes", bytes,
				 (unsigned long long)res->content_length);
		else if (res->detail == HTTP_WIRE_ECLOSEDCHUNK)
			snprintf(buf, size, "connection closed in the middle of a chunked body after %llu bytes",
				 bytes);
		else
			snprintf(buf, size, "bad response from %s:%u: %s", http_ip(res->addr, ip), res->port,
				 http_wire_strerror(res->detail));
		break;
	case HTTP_EREDIRECTS:
		snprintf(buf, size, "too many redirects (%d)", res->detail);
		break;
	case HTTP_ELOOP:
		snprintf(buf, size, "redirect loop at %s", res->url);
		break;
	case HTTP_EINTR:
		snprintf(buf, size, "interrupted");
		break;
	case HTTP_ESINK:
		snprintf(buf, size, "stopped after %llu body bytes", bytes);
		break;
	default:
		snprintf(buf, size, "error %d", res->err);
		break;
	}
	return buf;
}
