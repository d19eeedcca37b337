/* The server's side of HTTP/1.1 on the wire: see user/httpd_wire.h. */
#include "user/httpd_wire.h"

#include <stdio.h>
#include <string.h>

#include "kernel/version.h"

/* RFC 9110 5.6.2: tchar. */
static bool httpd_is_tchar(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* The end of the line starting at p (before its CR LF or LF), within
 * end; NULL when no line end has arrived yet. *next gets the next line. */
static const char *httpd_line_end(const char *p, const char *end, const char **next)
{
	for (const char *q = p; q < end; q++) {
		if (*q == '\n') {
			*next = q + 1;
			return q > p && q[-1] == '\r' ? q - 1 : q;
		}
	}
	return NULL;
}

/* Copy [p, e) into out (cap octets, NUL-terminated); false if too long. */
static bool httpd_copy(char *out, size_t cap, const char *p, const char *e)
{
	size_t n = (size_t)(e - p);
	if (n >= cap)
		return false;
	memcpy(out, p, n);
	out[n] = 0;
	return true;
}

/* "METHOD SP target SP HTTP/1.x" (RFC 9112 3). Returns 0 or -status. */
static int httpd_request_line(const char *p, const char *e, struct httpd_request *req)
{
	const char *m = p;
	while (p < e && httpd_is_tchar(*p))
		p++;
	if (p == m || p == e || *p != ' ')
		return -400;
	if (!httpd_copy(req->method_text, sizeof req->method_text, m, p))
		return -501;   /* no method we know is that long */
	const char *t = ++p;
	while (p < e && *p != ' ') {
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return -400;
		p++;
	}
	if (p == t || p == e)
		return -400;
	if (!httpd_copy(req->target, sizeof req->target, t, p))
		return -414;
	p++;
	if (e - p != 8 || memcmp(p, "HTTP/", 5) != 0 || p[6] != '.' || p[5] < '0' || p[5] > '9' || p[7] < '0' ||
	    p[7] > '9')
		return -400;
	if (p[5] != '1')
		return -505;
	req->minor = (unsigned)(p[7] - '0');
	if (strcmp(req->method_text, "GET") == 0)
		req->method = HTTPD_GET;
	else if (strcmp(req->method_text, "HEAD") == 0)
		req->method = HTTPD_HEAD;
	else
		req->method = HTTPD_OTHER;
	if (req->target[0] != '/' && !(req->target[0] == '*' && !req->target[1] &&
				       strcmp(req->method_text, "OPTIONS") == 0))
		return -400;   /* absolute-form and authority-form are for proxies */
	return 0;
}

/* True if the comma-separated list value holds token (any case). */
static bool httpd_list_has(const char *v, const char *token)
{
	size_t n = strlen(token);
	while (*v) {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		const char *s = v;
		while (*v && *v != ',')
			v++;
		const char *e = v;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if ((size_t)(e - s) == n && strncasecmp(s, token, n) == 0)
			return true;
	}
	return false;
}

/* One field line "name: value" (RFC 9112 5). Returns 0 or -status. */
static int httpd_field(const char *p, const char *e, struct httpd_request *req, unsigned *hosts, bool *close,
		       bool *keep, bool *have_len)
{
	char name[32], value[HTTPD_HOST_MAX];
	const char *n = p;

	if (*p == ' ' || *p == '\t')
		return -400;   /* obs-fold */
	while (p < e && httpd_is_tchar(*p))
		p++;
	if (p == n || p == e || *p != ':')
		return -400;
	bool known = httpd_copy(name, sizeof name, n, p);
	p++;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	for (const char *q = p; q < e; q++)
		if ((unsigned char)*q < ' ' && *q != '\t')
			return -400;
	if (!known)
		return 0;      /* a long name is none we act on */
	if (strcasecmp(name, "Transfer-Encoding") == 0)
		return -501;
	if (strcasecmp(name, "Host") == 0) {
		(*hosts)++;
		if (!httpd_copy(req->host, sizeof req->host, p, e))
			return -400;
		return 0;
	}
	bool fits = httpd_copy(value, sizeof value, p, e);
	if (strcasecmp(name, "Connection") == 0) {
		if (!fits)
			return 0;
		if (httpd_list_has(value, "close"))
			*close = true;
		if (httpd_list_has(value, "keep-alive"))
			*keep = true;
		return 0;
	}
	if (strcasecmp(name, "Content-Length") == 0) {
		size_t v = 0;
		if (!fits || p == e)
			return -400;
		for (const char *q = p; q < e; q++) {
			if (*q < '0' || *q > '9')
				return -400;
			if (v > HTTPD_BODY_MAX)
				return -413;
			v = v * 10 + (size_t)(*q - '0');
		}
		if (v > HTTPD_BODY_MAX)
			return -413;
		if (*have_len && v != req->content_length)
			return -400;
		*have_len = true;
		req->content_length = v;
	}
	return 0;
}

int httpd_request_parse(const char *buf, size_t len, struct httpd_request *req)
{
	const char *p = buf, *end = buf + len, *next, *e;
	unsigned hosts = 0;
	bool close = false, keep = false, have_len = false;
	int err;

	memset(req, 0, sizeof *req);
	/* RFC 9112 2.2: skip a few empty lines before the request line. */
	while (p < end && (*p == '\r' || *p == '\n')) {
		if (p - buf >= HTTPD_LEADING_CRLF_MAX)
			return -400;
		p++;
	}
	/* Is the whole head here? Find the empty line that ends it. */
	const char *q = p;
	for (;;) {
		e = httpd_line_end(q, end, &next);
		if (!e)
			return len >= HTTPD_HEAD_MAX ? -431 : HTTPD_NEED_MORE;
		if ((size_t)(next - buf) > HTTPD_HEAD_MAX)
			return -431;
		if (e == q && q != p)
			break;
		if (e == q)
			return -400;   /* an empty request line */
		q = next;
	}
	const char *head_end = next;

	e = httpd_line_end(p, head_end, &next);
	err = httpd_request_line(p, e, req);
	if (err)
		return err;
	for (p = next; (e = httpd_line_end(p, head_end, &next)) && e != p; p = next) {
		err = httpd_field(p, e, req, &hosts, &close, &keep, &have_len);
		if (err)
			return err;
	}
	if (req->minor >= 1 && hosts != 1)
		return -400;   /* RFC 9112 3.2 */
	if (hosts > 1)
		return -400;
	req->keep_alive = req->minor >= 1 ? !close : keep && !close;
	return (int)(head_end - buf);
}

const char *httpd_reason(unsigned status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

size_t httpd_response_head(char *out, size_t cap, unsigned status, const char *content_type, size_t content_length,
			   bool keep_alive, const char *extra)
{
	int n = snprintf(out, cap,
			 "HTTP/1.1 %u %s\r\n"
			 "Server: Pigeon/%s\r\n"
			 "Content-Type: %s\r\n"
			 "Content-Length: %zu\r\n"
			 "Connection: %s\r\n"
			 "%s\r\n",
			 status, httpd_reason(status), PIGEON_VERSION, content_type, content_length,
			 keep_alive ? "keep-alive" : "close", extra ? extra : "");
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}
