/* HTTP/1.1 messages (RFC 9112): the request we write and the streaming
 * response parser. Decisions and contracts are in user/http_wire.h. */
#include "user/http_wire.h"

#include <stdio.h>
#include <string.h>

#include "kernel/version.h"

enum http_state {
	ST_HEAD,            /* reading a header block into head[] */
	ST_BODY_LENGTH,     /* remaining bytes of a Content-Length body */
	ST_BODY_CLOSE,      /* everything until the close is body */
	ST_CHUNK_SIZE,      /* a chunk-size line */
	ST_CHUNK_DATA,      /* remaining bytes of a chunk */
	ST_CHUNK_DATA_END,  /* the CRLF after a chunk's data */
	ST_TRAILER,         /* trailer fields, up to the empty line */
	ST_DONE,
	ST_ERROR,
};

enum {
	HTTP_STATUS_MIN = 100,
	HTTP_STATUS_MAX = 599,
	HTTP_SWITCHING_PROTOCOLS = 101,
	HTTP_NO_CONTENT = 204,
	HTTP_NOT_MODIFIED = 304,
};

static const char *const http_wire_err_text[] = {
	[0] = "ok",
	[-HTTP_WIRE_EVERSION] = "not an HTTP/1.x response",
	[-HTTP_WIRE_ESTATUS] = "malformed status line",
	[-HTTP_WIRE_EFIELD] = "malformed header line",
	[-HTTP_WIRE_EOBSFOLD] = "folded header line (obs-fold)",
	[-HTTP_WIRE_EHEADBIG] = "response headers larger than 16384 bytes",
	[-HTTP_WIRE_EFIELDS] = "more than 100 header fields",
	[-HTTP_WIRE_ECLEN] = "malformed Content-Length",
	[-HTTP_WIRE_ECLENBIG] = "Content-Length too large",
	[-HTTP_WIRE_ECLENDIFF] = "conflicting Content-Length values",
	[-HTTP_WIRE_ECODING] = "unsupported Transfer-Encoding",
	[-HTTP_WIRE_ECHUNK] = "malformed chunk size",
	[-HTTP_WIRE_ECHUNKBIG] = "chunk size too large",
	[-HTTP_WIRE_ECHUNKLINE] = "chunk size line too long",
	[-HTTP_WIRE_ECHUNKEND] = "chunk data not followed by CRLF",
	[-HTTP_WIRE_ETRAILER] = "malformed trailer",
	[-HTTP_WIRE_EINTERIM] = "unexpected interim (1xx) responses",
	[-HTTP_WIRE_ENORESPONSE] = "connection closed with no response",
	[-HTTP_WIRE_ECLOSEDHEAD] = "connection closed in the response headers",
	[-HTTP_WIRE_ECLOSEDBODY] = "connection closed before the end of the body",
	[-HTTP_WIRE_ECLOSEDCHUNK] = "connection closed in the middle of a chunked body",
};

const char *http_wire_strerror(int err)
{
	if (err > 0 || -err >= (int)(sizeof http_wire_err_text / sizeof http_wire_err_text[0]) ||
	    !http_wire_err_text[-err])
		return "unknown HTTP error";
	return http_wire_err_text[-err];
}

size_t http_request_format(char *buf, size_t size, const struct url *u, bool head)
{
	char port[8] = "";
	if (u->port != URL_HTTP_PORT)
		snprintf(port, sizeof port, ":%u", (unsigned)u->port);
	int n = snprintf(buf, size,
			 "%s %s HTTP/1.1\r\n"
			 "Host: %s%s\r\n"
			 "User-Agent: " PIGEON_NAME "/" PIGEON_VERSION "\r\n"
			 "Accept: */*\r\n"
			 "Connection: close\r\n"
			 "\r\n",
			 head ? "HEAD" : "GET", u->target, u->host, port);
	return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

void http_parser_init(struct http_parser *p, bool head_request)
{
	memset(p, 0, sizeof *p);
	p->head_request = head_request;
	p->state = ST_HEAD;
	p->reason = "";
}

bool http_parser_has_headers(const struct http_parser *p)
{
	return p->have_headers;
}

/* Enter the error state; every later call returns err. */
static int http_fail(struct http_parser *p, int err)
{
	p->state = ST_ERROR;
	p->err = err;
	return err;
}

/* RFC 9110 5.6.2: tchar. */
static bool http_is_tchar(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool http_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int http_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A byte that may appear inside a status or field line: HTAB, SP, VCHAR
 * and obs-text (RFC 9110 5.5). */
static bool http_line_byte_ok(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* "HTTP/1.x NNN reason" in [s, s+len), NUL-terminated at s[len]. */
static int http_parse_status(struct http_parser *p, char *s, size_t len)
{
	if (len < 8 || memcmp(s, "HTTP/1.", 7) != 0 || !http_is_digit(s[7]))
		return HTTP_WIRE_EVERSION;
	p->version_minor = (unsigned)(s[7] - '0');
	if (len < 12 || s[8] != ' ')
		return HTTP_WIRE_ESTATUS;
	if (!http_is_digit(s[9]) || !http_is_digit(s[10]) || !http_is_digit(s[11]))
		return HTTP_WIRE_ESTATUS;
	unsigned status = (unsigned)((s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0'));
	if (status < HTTP_STATUS_MIN || status > HTTP_STATUS_MAX)
		return HTTP_WIRE_ESTATUS;
	if (len > 12 && s[12] != ' ')
		return HTTP_WIRE_ESTATUS;
	p->status = status;
	p->reason = len > 12 ? s + 13 : s + len;
	return HTTP_WIRE_OK;
}

/* "name: value" in [s, s+len), NUL-terminated at s[len]: the name and the
 * trimmed value become NUL-terminated strings in place. */
static int http_parse_field(struct http_parser *p, char *s, size_t len)
{
	if (s[0] == ' ' || s[0] == '\t')
		return HTTP_WIRE_EOBSFOLD;
	size_t n = 0;
	while (n < len && http_is_tchar(s[n]))
		n++;
	if (n == 0 || n == len || s[n] != ':')
		return HTTP_WIRE_EFIELD;
	if (p->nfields == HTTP_FIELDS_MAX)
		return HTTP_WIRE_EFIELDS;
	s[n] = '\0';
	char *v = s + n + 1, *end = s + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	p->fields[p->nfields].name = s;
	p->fields[p->nfields].value = v;
	p->nfields++;
	return HTTP_WIRE_OK;
}

const char *http_field_get(const struct http_parser *p, const char *name)
{
	for (unsigned i = 0; i < p->nfields; i++)
		if (strcasecmp(p->fields[i].name, name) == 0)
			return p->fields[i].value;
	return NULL;
}

/* The next element of a comma-separated list (RFC 9110 5.6.1) at *s:
 * [*start, *start + *len), trimmed; empty elements are skipped. Returns
 * false at the end of the list. */
static bool http_list_next(const char **s, const char **start, size_t *len)
{
	for (;;) {
		const char *p = *s;
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return false;
		const char *e = p;
		while (*e && *e != ',')
			e++;
		*s = e;
		const char *t = e;
		while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		*start = p;
		*len = (size_t)(t - p);
		return true;
	}
}

/* Transfer-Encoding: only "chunked", once, is ours to decode. Returns 1 if
 * the response is chunked, 0 if it has no Transfer-Encoding, or an error. */
static int http_framing_coding(const struct http_parser *p)
{
	bool present = false;
	unsigned chunked = 0;

	for (unsigned i = 0; i < p->nfields; i++) {
		if (strcasecmp(p->fields[i].name, "Transfer-Encoding") != 0)
			continue;
		present = true;
		const char *s = p->fields[i].value, *e;
		size_t n;
		while (http_list_next(&s, &e, &n)) {
			if (n != 7 || strncasecmp(e, "chunked", 7) != 0)
				return HTTP_WIRE_ECODING;
			chunked++;
		}
	}
	if (!present)
		return 0;
	return chunked == 1 ? 1 : HTTP_WIRE_ECODING;
}

/* Content-Length (RFC 9110 8.6): every value of every such field must be
 * the same decimal number. Returns 1 with *len set, 0 if absent, or an
 * error. */
static int http_framing_length(const struct http_parser *p, uint64_t *len)
{
	bool present = false;

	for (unsigned i = 0; i < p->nfields; i++) {
		if (strcasecmp(p->fields[i].name, "Content-Length") != 0)
			continue;
		const char *s = p->fields[i].value, *e;
		size_t n;
		bool any = false;
		while (http_list_next(&s, &e, &n)) {
			uint64_t v = 0;
			if (n == 0)
				return HTTP_WIRE_ECLEN;
			for (size_t k = 0; k < n; k++) {
				if (!http_is_digit(e[k]))
					return HTTP_WIRE_ECLEN;
				unsigned d = (unsigned)(e[k] - '0');
				if (v > (UINT64_MAX - d) / 10)
					return HTTP_WIRE_ECLENBIG;
				v = v * 10 + d;
			}
			if (present && v != *len)
				return HTTP_WIRE_ECLENDIFF;
			*len = v;
			present = any = true;
		}
		if (!any)
			return HTTP_WIRE_ECLEN;
	}
	return present ? 1 : 0;
}

/* The header block is complete in head[0, head_len): split and check its
 * lines, then decide the framing (RFC 9112 6.3). Returns the event. */
static int http_parse_block(struct http_parser *p)
{
	char *s = p->head, *end = p->head + p->head_len;
	bool first = true;

	p->nfields = 0;
	while (s < end) {
		char *lf = memchr(s, '\n', (size_t)(end - s));
		size_t len = (size_t)(lf - s);
		if (len && s[len - 1] == '\r')
			len--;
		s[len] = '\0';
		if (len == 0)
			break;                  /* the empty line: end of block */
		for (size_t i = 0; i < len; i++)
			if (!http_line_byte_ok((unsigned char)s[i]))
				return http_fail(p, first ? HTTP_WIRE_ESTATUS : HTTP_WIRE_EFIELD);
		int err = first ? http_parse_status(p, s, len) : http_parse_field(p, s, len);
		if (err != HTTP_WIRE_OK)
			return http_fail(p, err);
		first = false;
		s = lf + 1;
	}

	if (p->status < 200) {
		/* Interim: skip it and read the next block in its place. */
		if (p->status == HTTP_SWITCHING_PROTOCOLS || ++p->interim > HTTP_INTERIM_MAX)
			return http_fail(p, HTTP_WIRE_EINTERIM);
		p->head_len = p->line_start = 0;
		p->lines = 0;
		p->nfields = 0;
		return HTTP_PARSE_INTERIM;
	}

	p->have_headers = true;
	if (p->head_request || p->status == HTTP_NO_CONTENT || p->status == HTTP_NOT_MODIFIED) {
		p->framing = HTTP_FRAME_NONE;
		p->state = ST_DONE;
		return HTTP_PARSE_HEADERS;
	}
	int chunked = http_framing_coding(p);
	if (chunked < 0)
		return http_fail(p, chunked);
	if (chunked) {
		/* Chunked wins over any Content-Length (6.3 point 3). */
		p->framing = HTTP_FRAME_CHUNKED;
		p->state = ST_CHUNK_SIZE;
		return HTTP_PARSE_HEADERS;
	}
	int has_len = http_framing_length(p, &p->content_length);
	if (has_len < 0)
		return http_fail(p, has_len);
	if (has_len) {
		p->framing = HTTP_FRAME_LENGTH;
		p->remaining = p->content_length;
		p->state = p->remaining ? ST_BODY_LENGTH : ST_DONE;
	} else {
		p->framing = HTTP_FRAME_CLOSE;
		p->state = ST_BODY_CLOSE;
	}
	return HTTP_PARSE_HEADERS;
}

/* ST_HEAD: take bytes into head[] up to the end of the block. */
static int http_parse_head(struct http_parser *p, const uint8_t *d, size_t len, size_t *used)
{
	for (size_t i = 0; i < len; i++) {
		char c = (char)d[i];
		p->any_input = true;
		if (p->head_len == 0 && (c == '\r' || c == '\n')) {
			/* Empty lines before the status line (RFC 9112 2.2). */
			if (++p->skipped > HTTP_HEAD_MAX) {
				*used = i + 1;
				return http_fail(p, HTTP_WIRE_EHEADBIG);
			}
			continue;
		}
		if (p->head_len == HTTP_HEAD_MAX) {
			*used = i + 1;
			return http_fail(p, HTTP_WIRE_EHEADBIG);
		}
		p->head[p->head_len++] = c;
		if (c != '\n')
			continue;
		size_t line = p->head_len - 1 - p->line_start;
		if (line && p->head[p->head_len - 2] == '\r')
			line--;
		p->line_start = p->head_len;
		if (line == 0) {
			*used = i + 1;
			return http_parse_block(p);
		}
		/* The status line and at most HTTP_FIELDS_MAX fields. */
		if (++p->lines > 1 + HTTP_FIELDS_MAX) {
			*used = i + 1;
			return http_fail(p, HTTP_WIRE_EFIELDS);
		}
	}
	*used = len;
	return HTTP_PARSE_MORE;
}

/* ST_CHUNK_SIZE, one byte: chunk-size [ BWS ";" ext ] CRLF (7.1). */
static int http_chunk_size_byte(struct http_parser *p, char c)
{
	if (++p->line_len > HTTP_CHUNK_LINE_MAX)
		return http_fail(p, HTTP_WIRE_ECHUNKLINE);
	if (c == '\n') {
		if (p->digits == 0)
			return http_fail(p, HTTP_WIRE_ECHUNK);
		p->state = p->remaining ? ST_CHUNK_DATA : ST_TRAILER;
		p->line_len = 0;
		p->line_cr = p->hex_done = p->in_ext = p->seen_colon = false;
		p->digits = 0;
		return HTTP_WIRE_OK;
	}
	if (p->line_cr || (!http_line_byte_ok((unsigned char)c) && c != '\r'))
		return http_fail(p, HTTP_WIRE_ECHUNK);
	if (c == '\r') {
		p->line_cr = true;
		return HTTP_WIRE_OK;
	}
	if (p->in_ext)
		return HTTP_WIRE_OK;            /* extensions are ignored */
	int v = http_hex_value(c);
	if (v >= 0 && !p->hex_done) {
		if (p->remaining > (UINT64_MAX >> 4))
			return http_fail(p, HTTP_WIRE_ECHUNKBIG);
		p->remaining = (p->remaining << 4) | (uint64_t)v;
		p->digits++;
		return HTTP_WIRE_OK;
	}
	if (p->digits == 0)
		return http_fail(p, HTTP_WIRE_ECHUNK);
	if (c == ';')
		p->in_ext = true;
	else if (c == ' ' || c == '\t')
		p->hex_done = true;             /* BWS before ';' */
	else
		return http_fail(p, HTTP_WIRE_ECHUNK);
	return HTTP_WIRE_OK;
}

/* ST_CHUNK_DATA_END, one byte: the CRLF (or LF) after a chunk's data. */
static int http_chunk_end_byte(struct http_parser *p, char c)
{
	if (c == '\r' && !p->line_cr) {
		p->line_cr = true;
		return HTTP_WIRE_OK;
	}
	if (c != '\n')
		return http_fail(p, HTTP_WIRE_ECHUNKEND);
	p->line_cr = false;
	p->state = ST_CHUNK_SIZE;
	return HTTP_WIRE_OK;
}

/* ST_TRAILER, one byte: "name: value" lines up to an empty line (7.1.2).
 * Returns 1 at the end of the message. */
static int http_trailer_byte(struct http_parser *p, char c)
{
	if (++p->trailer_len > HTTP_HEAD_MAX)
		return http_fail(p, HTTP_WIRE_ETRAILER);
	if (c == '\n') {
		if (p->line_len == 0) {
			p->state = ST_DONE;
			return 1;
		}
		if (!p->seen_colon)
			return http_fail(p, HTTP_WIRE_ETRAILER);
		p->line_len = 0;
		p->line_cr = p->seen_colon = false;
		return HTTP_WIRE_OK;
	}
	if (p->line_cr || (!http_line_byte_ok((unsigned char)c) && c != '\r'))
		return http_fail(p, HTTP_WIRE_ETRAILER);
	if (c == '\r') {
		p->line_cr = true;
		return HTTP_WIRE_OK;
	}
	if (!p->seen_colon) {
		if (c == ':' && p->line_len > 0)
			p->seen_colon = true;
		else if (!http_is_tchar(c))
			return http_fail(p, HTTP_WIRE_ETRAILER);
	}
	p->line_len++;
	return HTTP_WIRE_OK;
}

/* Hand out up to len bytes of body (at most the remaining ones when
 * bounded), moving to next once a bounded part is used up. */
static int http_body_out(struct http_parser *p, const uint8_t *d, size_t len, bool bounded, int next,
			 size_t *used, const uint8_t **body, size_t *body_len)
{
	size_t n = len;
	if (bounded && n > p->remaining)
		n = (size_t)p->remaining;
	if (bounded) {
		p->remaining -= n;
		if (p->remaining == 0)
			p->state = next;
	}
	p->body_bytes += n;
	*body = d;
	*body_len = n;
	*used = n;
	return HTTP_PARSE_BODY;
}

int http_parse(struct http_parser *p, const void *data, size_t len, size_t *used,
	       const uint8_t **body, size_t *body_len)
{
	const uint8_t *d = data;
	size_t i = 0;

	*used = 0;
	*body = NULL;
	*body_len = 0;
	while (p->state != ST_ERROR && p->state != ST_DONE) {
		if (p->state == ST_HEAD)
			return http_parse_head(p, d, len, used);   /* i is 0 here */
		if (p->state == ST_BODY_CLOSE || p->state == ST_BODY_LENGTH || p->state == ST_CHUNK_DATA) {
			if (i == len) {
				*used = i;
				return HTTP_PARSE_MORE;
			}
			bool bounded = p->state != ST_BODY_CLOSE;
			int next = p->state == ST_CHUNK_DATA ? ST_CHUNK_DATA_END : ST_DONE;
			int ev = http_body_out(p, d + i, len - i, bounded, next, used, body, body_len);
			*used += i;
			return ev;
		}
		if (i == len) {
			*used = i;
			return HTTP_PARSE_MORE;
		}
		char c = (char)d[i++];
		int r;
		if (p->state == ST_CHUNK_SIZE)
			r = http_chunk_size_byte(p, c);
		else if (p->state == ST_CHUNK_DATA_END)
			r = http_chunk_end_byte(p, c);
		else
			r = http_trailer_byte(p, c);
		if (r < 0) {
			*used = i;
			return r;
		}
	}
	*used = i;
	return p->state == ST_DONE ? HTTP_PARSE_DONE : p->err;
}

int http_parse_finish(struct http_parser *p)
{
	switch (p->state) {
	case ST_DONE:
		return HTTP_PARSE_DONE;
	case ST_BODY_CLOSE:
		p->state = ST_DONE;
		return HTTP_PARSE_DONE;
	case ST_HEAD:
		return http_fail(p, p->any_input ? HTTP_WIRE_ECLOSEDHEAD : HTTP_WIRE_ENORESPONSE);
	case ST_BODY_LENGTH:
		return http_fail(p, HTTP_WIRE_ECLOSEDBODY);
	case ST_ERROR:
		return p->err;
	default:
		return http_fail(p, HTTP_WIRE_ECLOSEDCHUNK);
	}
}
