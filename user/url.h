/* URLs for fetch: the http scheme of RFC 3986 (generic syntax) and RFC 9110
 * section 4.2.1, and the resolution of a Location header's reference
 * against the URL it came from (RFC 3986 section 5.2).
 *
 * What is accepted, and why:
 * - "www.google.com" alone means "http://www.google.com/": people type
 *   names, not URLs. "host:port/path" works the same way.
 * - Only http. "https://" is refused with its own error until Pigeon has
 *   TLS; any other scheme is refused as unsupported.
 * - The scheme is case-insensitive; the host is lower-cased (RFC 3986
 *   6.2.2.1), so "HTTP://WWW.Google.COM" is "http://www.google.com/".
 * - Hosts are DNS names (letters, digits, '-', '_', non-empty labels, one
 *   trailing dot allowed) or IPv4 dotted quads; a host made only of digits
 *   and dots must be a valid dotted quad. IPv6 literals ("[...]"),
 *   percent-encoded hosts and userinfo ("user@host") are refused.
 * - The port is 1..65535 (default 80); an empty port ("host:/") means 80.
 * - Path and query are kept as they were written: percent-encoding is left
 *   intact, but each '%' must start a valid escape (two hex digits), and
 *   spaces, control characters and bytes above 0x7e are refused, so the
 *   request line can never be split or smuggled.
 * - The fragment ("#...") is never sent, so it is dropped.
 *
 * Portable C (no kernel calls): built into the kernel and the host tests. */
#ifndef USER_URL_H
#define USER_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	URL_HOST_MAX = 254,        /* a DNS name's 253 characters and a NUL */
	URL_TARGET_MAX = 1024,     /* path and query, with the NUL */
	/* "http://" host ":65535" target: every URL url_format can write. */
	URL_TEXT_MAX = 7 + URL_HOST_MAX + 6 + URL_TARGET_MAX,
	URL_HTTP_PORT = 80,
};

/* Why a URL was refused: 0 or negative. url_strerror() words each one. */
enum url_err {
	URL_OK = 0,
	URL_EEMPTY = -1,        /* nothing to parse */
	URL_EHTTPS = -2,        /* https: no TLS yet */
	URL_ESCHEME = -3,       /* a scheme other than http */
	URL_ESLASHES = -4,      /* "http:" not followed by "//" */
	URL_EUSERINFO = -5,     /* "user@host" */
	URL_ENOHOST = -6,       /* empty host */
	URL_EHOSTCHAR = -7,     /* a character not allowed in a host name */
	URL_EHOSTLABEL = -8,    /* an empty label ("a..b", ".a") or one over 63 */
	URL_EHOSTLONG = -9,     /* host name over 253 characters */
	URL_EIPV4 = -10,        /* digits and dots, but not a dotted quad */
	URL_EIPV6 = -11,        /* "[...]" literal: no IPv6 */
	URL_EPORT = -12,        /* port not a number */
	URL_EPORTRANGE = -13,   /* port 0 or above 65535 */
	URL_EPATHCHAR = -14,    /* space, control or non-ASCII in path or query */
	URL_EPERCENT = -15,     /* '%' not followed by two hex digits */
	URL_ETOOLONG = -16,     /* path and query over URL_TARGET_MAX - 1 */
};

/* A parsed http URL. Strings are NUL-terminated. */
struct url {
	char host[URL_HOST_MAX];       /* lower case, no port */
	uint16_t port;                 /* 80 when not given */
	/* The request target (RFC 9112 3.2.1 origin-form): the path, which
	 * always starts with '/', then "?query" if there was one. */
	char target[URL_TARGET_MAX];
	size_t path_len;               /* target[path_len] is '?' or the NUL */
};

/* Parse what a user typed (or an absolute Location). Returns URL_OK and
 * fills *u, or a URL_E* code (u is then unspecified). */
int url_parse(const char *text, struct url *u);

/* Resolve a URI reference (a Location header's value: absolute,
 * scheme-relative "//host/path", absolute path, relative path, query-only
 * or empty) against base, per RFC 3986 5.2.2 with dot segments removed
 * (5.2.4). Returns URL_OK with *out filled (out may be base), or URL_E*. */
int url_resolve(const struct url *base, const char *ref, struct url *out);

/* RFC 3986 5.2.4: remove "." and ".." segments from path (NUL-terminated,
 * modified in place; the result is never longer). */
void url_remove_dot_segments(char *path);

/* "http://host[:port]/path?query" into buf (the port only when not 80).
 * Returns the length it needs (without the NUL); the text is cut, and
 * still terminated, if size is too small. */
size_t url_format(const struct url *u, char *buf, size_t size);

/* True when the host is a dotted quad; *addr gets it in host byte order. */
bool url_host_ipv4(const struct url *u, uint32_t *addr);

/* "https is not supported (no TLS yet): try http://...", etc. */
const char *url_strerror(int err);

#endif
