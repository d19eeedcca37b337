/* Fuzz target url: what a user types, and a server's Location header,
 * through url_parse, url_resolve (RFC 3986 5.2) and the request line
 * built from the result (user/url.c, user/http_wire.c).
 *
 * Checks: a parsed URL is what url.h promises (a lower-case host of
 * allowed characters, a port 1..65535, a target starting with '/', no
 * space, control or non-ASCII byte anywhere, so a request can never be
 * split); formatting it and parsing the text again gives the same URL;
 * a resolved reference obeys the same rules; removing dot segments
 * never lengthens a path.
 *
 * Input: the text typed, then a NUL, then the Location value (each cut
 * at URL_TEXT_MAX bytes). */
#include <ctype.h>
#include <string.h>

#include "user/http_wire.h"
#include "user/url.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s)
{
	for (; *s; s++)
		FUZZ_ASSERT((unsigned char)*s > 0x20 && (unsigned char)*s < 0x7f);
}

static void check_url(const struct url *u)
{
	static char text[URL_TEXT_MAX + 16], req[HTTP_REQUEST_MAX];
	struct url again;

	FUZZ_ASSERT(memchr(u->host, 0, sizeof u->host) && memchr(u->target, 0, sizeof u->target));
	FUZZ_ASSERT(u->host[0] != 0 && u->port != 0);
	for (const char *h = u->host; *h; h++)
		FUZZ_ASSERT(!isupper((unsigned char)*h) && (isalnum((unsigned char)*h) || strchr("-_.", *h)));
	FUZZ_ASSERT(u->target[0] == '/');
	check_text(u->target);
	FUZZ_ASSERT(u->path_len <= strlen(u->target));
	FUZZ_ASSERT(u->target[u->path_len] == '?' || u->target[u->path_len] == 0);
	FUZZ_ASSERT(strchr(u->target, '#') == NULL);

	size_t n = url_format(u, text, sizeof text);
	FUZZ_ASSERT(n < sizeof text);
	FUZZ_ASSERT(url_parse(text, &again) == URL_OK);
	FUZZ_ASSERT(strcmp(again.host, u->host) == 0 && again.port == u->port);
	FUZZ_ASSERT(strcmp(again.target, u->target) == 0 && again.path_len == u->path_len);

	size_t r = http_request_format(req, sizeof req, u, false);
	if (r) {
		/* The request line is one line: the target adds no line break. */
		const char *eol = strstr(req, "\r\n");
		FUZZ_ASSERT(eol && (size_t)(eol - req) == 4 + strlen(u->target) + 9);
	}
	uint32_t addr;
	(void)url_host_ipv4(u, &addr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[URL_TEXT_MAX + 1], ref[URL_TEXT_MAX + 1], path[URL_TEXT_MAX + 1];
	struct url u, out;
	const uint8_t *nul = memchr(data, 0, size);
	size_t n1 = nul ? (size_t)(nul - data) : size;
	size_t n2 = nul ? size - n1 - 1 : 0;

	if (n1 > URL_TEXT_MAX)
		n1 = URL_TEXT_MAX;
	if (n2 > URL_TEXT_MAX)
		n2 = URL_TEXT_MAX;
	memcpy(text, data, n1);
	text[n1] = 0;
	memcpy(ref, nul ? nul + 1 : data, n2);
	ref[n2] = 0;

	int err = url_parse(text, &u);
	(void)url_strerror(err);
	if (err != URL_OK)
		return 0;
	check_url(&u);
	if (url_resolve(&u, ref, &out) == URL_OK)
		check_url(&out);

	memcpy(path, ref, n2 + 1);
	url_remove_dot_segments(path);
	FUZZ_ASSERT(strlen(path) <= n2);
	return 0;
}
