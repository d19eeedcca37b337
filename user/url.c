/* URL parsing and reference resolution (RFC 3986 sections 3 and 5).
 * The contract and what is accepted are in user/url.h. */
#include "user/url.h"

#include <stdio.h>
#include <string.h>

enum {
	URL_LABEL_MAX = 63,        /* RFC 1035 2.3.4 */
	URL_NAME_MAX = 253,        /* a name's text without the trailing dot */
	URL_PORT_MAX = 65535,
};

static const char *const url_err_text[] = {
	[0] = "ok",
	[-URL_EEMPTY] = "empty URL",
	[-URL_EHTTPS] = "https is not supported (no TLS yet)",
	[-URL_ESCHEME] = "unsupported scheme (only http:// is)",
	[-URL_ESLASHES] = "expected // after http:",
	[-URL_EUSERINFO] = "user names in URLs (user@host) are not supported",
	[-URL_ENOHOST] = "no host name",
	[-URL_EHOSTCHAR] = "character not allowed in a host name",
	[-URL_EHOSTLABEL] = "empty or over-long label in the host name",
	[-URL_EHOSTLONG] = "host name longer than 253 characters",
	[-URL_EIPV4] = "malformed IPv4 address",
	[-URL_EIPV6] = "IPv6 addresses are not supported",
	[-URL_EPORT] = "port is not a number",
	[-URL_EPORTRANGE] = "port out of range (1-65535)",
	[-URL_EPATHCHAR] = "space, control or non-ASCII character in the path (percent-encode it)",
	[-URL_EPERCENT] = "'%' not followed by two hex digits",
	[-URL_ETOOLONG] = "path and query too long",
};

const char *url_strerror(int err)
{
	if (err > 0 || -err >= (int)(sizeof url_err_text / sizeof url_err_text[0]) || !url_err_text[-err])
		return "unknown URL error";
	return url_err_text[-err];
}

static bool url_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool url_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool url_is_hex(char c)
{
	return url_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char url_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

/* The length of a scheme at the start of s (RFC 3986 3.1:
 * ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"), or 0 if there is none.
 * typed: s is what a person typed, where "host:80" has no scheme: unless
 * the name is http or https, a colon followed by a digit, by nothing, or
 * by '/' that does not start "//" is then a port. A reference (a
 * Location) follows the RFC strictly. */
static size_t url_scheme_len(const char *s, bool typed)
{
	size_t n = 0;
	if (!url_is_alpha(s[0]))
		return 0;
	while (url_is_alpha(s[n]) || url_is_digit(s[n]) || s[n] == '+' || s[n] == '-' || s[n] == '.')
		n++;
	if (s[n] != ':')
		return 0;
	const char *after = s + n + 1;
	bool http = (n == 4 && strncasecmp(s, "http", 4) == 0) || (n == 5 && strncasecmp(s, "https", 5) == 0);
	if (typed && !http && strncmp(after, "//", 2) != 0 &&
	    (*after == '\0' || *after == '/' || url_is_digit(*after)))
		return 0;
	return n;
}

/* A path or query byte that may go into a request line as it is. */
static bool url_target_char_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

/* Check path-and-query text [s, s+len) (the fragment already cut off) and
 * store it as u->target: "/" first if the path is empty, dot segments
 * removed from the path (RFC 3986 5.2.4 and 6.2.2.3), the query as it is. */
static int url_set_target(struct url *u, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!url_target_char_ok((unsigned char)s[i]))
			return URL_EPATHCHAR;
		if (s[i] == '%' && (i + 2 >= len || !url_is_hex(s[i + 1]) || !url_is_hex(s[i + 2])))
			return URL_EPERCENT;
	}
	size_t slash = (len == 0 || s[0] != '/') ? 1 : 0;
	if (slash + len >= URL_TARGET_MAX)
		return URL_ETOOLONG;
	char *t = u->target;
	if (slash)
		t[0] = '/';
	memmove(t + slash, s, len);     /* s may be u->target itself */
	t[slash + len] = '\0';
	/* Remove dot segments from the path; then slide the query down. */
	const char *q = strchr(t, '?');
	size_t path_len = q ? (size_t)(q - t) : slash + len;
	char query[URL_TARGET_MAX];
	size_t qlen = slash + len - path_len;
	memcpy(query, t + path_len, qlen + 1);
	t[path_len] = '\0';
	url_remove_dot_segments(t);
	if (t[0] == '\0') {            /* "" from a path such as "a/.." */
		t[0] = '/';
		t[1] = '\0';
	}
	u->path_len = strlen(t);
	memcpy(t + u->path_len, query, qlen + 1);
	return URL_OK;
}

/* A dotted quad "a.b.c.d", each part 0..255 without leading zeros beyond
 * "0" itself (a leading zero means octal to some parsers: refused). */
static bool url_parse_ipv4(const char *s, uint32_t *addr)
{
	uint32_t a = 0;
	for (int part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;
		while (url_is_digit(*s) && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s[-(int)digits] == '0'))
			return false;
		a = (a << 8) | v;
		if (part < 3 && *s++ != '.')
			return false;
	}
	if (*s != '\0')
		return false;
	*addr = a;
	return true;
}

bool url_host_ipv4(const struct url *u, uint32_t *addr)
{
	return url_parse_ipv4(u->host, addr);
}

/* Check the host text [s, s+len), lower-case it into u->host. */
static int url_set_host(struct url *u, const char *s, size_t len)
{
	bool only_digits_dots = true;

	if (len == 0)
		return URL_ENOHOST;
	if (s[0] == '[')
		return URL_EIPV6;
	/* One trailing dot names the root explicitly; it is not a label. */
	size_t name_len = s[len - 1] == '.' ? len - 1 : len;
	/* The text kept (trailing dot included) must fit u->host with its NUL. */
	if (name_len > URL_NAME_MAX || len >= URL_HOST_MAX)
		return URL_EHOSTLONG;
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0)
				return URL_EHOSTLABEL;
			label = 0;
			continue;
		}
		if (!url_is_alpha(c) && !url_is_digit(c) && c != '-' && c != '_')
			return URL_EHOSTCHAR;
		if (!url_is_digit(c))
			only_digits_dots = false;
		if (++label > URL_LABEL_MAX)
			return URL_EHOSTLABEL;
	}
	if (name_len == 0)
		return URL_EHOSTLABEL;
	for (size_t i = 0; i < len; i++)
		u->host[i] = url_lower(s[i]);
	u->host[len] = '\0';
	uint32_t addr;
	if (only_digits_dots && !url_parse_ipv4(u->host, &addr))
		return URL_EIPV4;
	return URL_OK;
}

/* The port text [s, s+len) (digits only); empty means the default. */
static int url_set_port(struct url *u, const char *s, size_t len)
{
	unsigned long v = 0;

	if (len == 0) {
		u->port = URL_HTTP_PORT;
		return URL_OK;
	}
	for (size_t i = 0; i < len; i++) {
		if (!url_is_digit(s[i]))
			return URL_EPORT;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > URL_PORT_MAX)
			return URL_EPORTRANGE;
	}
	if (v == 0)
		return URL_EPORTRANGE;
	u->port = (uint16_t)v;
	return URL_OK;
}

/* Parse "authority path-abempty [? query]" (no scheme, no "//"): the part
 * after "http://", or everything when the user typed a bare host. */
static int url_parse_rest(const char *s, struct url *u)
{
	size_t end = strcspn(s, "#");           /* the fragment is never sent */
	size_t auth = strcspn(s, "/?#");        /* the authority ends here */

	if (memchr(s, '@', auth))
		return URL_EUSERINFO;
	if (auth > 0 && s[0] == '[')
		return URL_EIPV6;
	const char *colon = memchr(s, ':', auth);
	size_t host_len = colon ? (size_t)(colon - s) : auth;
	int err = url_set_host(u, s, host_len);
	if (err != URL_OK)
		return err;
	if (colon)
		err = url_set_port(u, colon + 1, auth - host_len - 1);
	else
		u->port = URL_HTTP_PORT;
	if (err != URL_OK)
		return err;
	return url_set_target(u, s + auth, end - auth);
}

int url_parse(const char *text, struct url *u)
{
	if (!text || !*text)
		return URL_EEMPTY;
	size_t n = url_scheme_len(text, true);
	if (n == 0)
		return url_parse_rest(text, u);
	if (n == 5 && strncasecmp(text, "https", 5) == 0)
		return URL_EHTTPS;
	if (n != 4 || strncasecmp(text, "http", 4) != 0)
		return URL_ESCHEME;
	if (strncmp(text + n + 1, "//", 2) != 0)
		return URL_ESLASHES;
	return url_parse_rest(text + n + 3, u);
}

/* RFC 3986 5.2.4, in place: in points at what is left of the input, out
 * at the end of the output written so far (never ahead of in). */
void url_remove_dot_segments(char *path)
{
	char *in = path, *out = path;

	while (*in) {
		if (strncmp(in, "../", 3) == 0) {                 /* A */
			in += 3;
		} else if (strncmp(in, "./", 2) == 0) {
			in += 2;
		} else if (strncmp(in, "/./", 3) == 0) {          /* B */
			in += 2;
		} else if (strcmp(in, "/.") == 0) {
			in += 1;
			in[0] = '/';
		} else if (strncmp(in, "/../", 4) == 0 || strcmp(in, "/..") == 0) { /* C */
			in += in[3] == '/' ? 3 : 2;
			in[0] = '/';
			while (out > path && *--out != '/')
				;
		} else if (strcmp(in, ".") == 0 || strcmp(in, "..") == 0) { /* D */
			in += strlen(in);
		} else {                                           /* E */
			do
				*out++ = *in++;
			while (*in && *in != '/');
		}
	}
	*out = '\0';
}

/* A reference without a scheme or authority: a path with an optional
 * query, resolved per RFC 3986 5.2.2. The base has an authority and an
 * absolute path, so 5.2.3's merge is "base path up to its last '/'". */
static int url_resolve_path(const struct url *base, const char *ref, struct url *out)
{
	char buf[URL_TARGET_MAX];
	size_t end = strcspn(ref, "#");
	size_t path_len = strcspn(ref, "?#");
	size_t prefix;

	if (end == 0) {                 /* "" or "#frag": the base itself */
		if (out != base)
			*out = *base;
		return URL_OK;
	}
	if (path_len == 0) {            /* "?q": the base path, a new query */
		prefix = base->path_len;
	} else if (ref[0] == '/') {     /* an absolute path */
		prefix = 0;
	} else {                        /* a relative path: merge */
		prefix = 0;
		for (size_t i = 0; i < base->path_len; i++)
			if (base->target[i] == '/')
				prefix = i + 1;
	}
	if (prefix + end >= URL_TARGET_MAX)
		return URL_ETOOLONG;
	memcpy(buf, base->target, prefix);
	memcpy(buf + prefix, ref, end);
	struct url r = *base;
	int err = url_set_target(&r, buf, prefix + end);
	if (err == URL_OK)
		*out = r;
	return err;
}

int url_resolve(const struct url *base, const char *ref, struct url *out)
{
	struct url r;
	size_t n = url_scheme_len(ref, false);
	int err;

	if (n == 4 && strncasecmp(ref, "http", 4) == 0 && strncmp(ref + 5, "//", 2) != 0)
		/* "http:g" in an http base: a relative reference (RFC 3986
		 * 5.2.2's non-strict option, as browsers do). */
		return url_resolve_path(base, ref + 5, out);
	if (n > 0)
		err = url_parse(ref, &r);
	else if (strncmp(ref, "//", 2) == 0)        /* scheme-relative: http */
		err = url_parse_rest(ref + 2, &r);
	else
		return url_resolve_path(base, ref, out);
	if (err == URL_OK)
		*out = r;
	return err;
}

size_t url_format(const struct url *u, char *buf, size_t size)
{
	char port[8] = "";
	if (u->port != URL_HTTP_PORT)
		snprintf(port, sizeof port, ":%u", (unsigned)u->port);
	int n = snprintf(buf, size, "http://%s%s%s", u->host, port, u->target);
	return n < 0 ? 0 : (size_t)n;
}
