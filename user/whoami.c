/* fetch -v's [nat] line: see user/whoami.h. */
#include "user/whoami.h"

#include <stdio.h>
#include <string.h>

#include "kernel/printf.h"
#include "net/err.h"
#include "net/ipv4.h"
#include "net/netif.h"
#include "user/http.h"
#include "user/netfmt.h"

enum { WHOAMI_BODY_MAX = 32 };

struct whoami_body {
	char text[WHOAMI_BODY_MAX];
	size_t len;
	bool overflow;
};

static int whoami_on_body(void *ctx, const uint8_t *data, size_t len)
{
	struct whoami_body *b = ctx;
	if (len > sizeof b->text - 1 - b->len) {
		b->overflow = true;
		return 0;
	}
	memcpy(b->text + b->len, data, len);
	b->len += len;
	b->text[b->len] = 0;
	return 0;
}

int whoami_ask(const char *host, uint16_t port, uint32_t *seen)
{
	static struct http_client client;   /* the parser's header block: off the stack */
	struct whoami_body body = { .len = 0 };
	struct http_result res;
	char url[URL_HOST_MAX + 24];

	snprintf(url, sizeof url, "http://%s:%u/whoami", host, port);
	const struct http_sink sink = { .body = whoami_on_body, .ctx = &body };
	const struct http_request req = {
		.url = url, .max_redirects = 0, .sink = &sink,
		.connect_timeout_ms = WHOAMI_TIMEOUT_MS, .idle_timeout_ms = WHOAMI_TIMEOUT_MS,
	};
	int err = http_fetch(&client, &req, &res);
	if (err != HTTP_OK)
		return err == HTTP_EINTR ? NET_EINTR : NET_ETIMEDOUT;
	if (res.status != 200 || body.overflow)
		return NET_ENOENT;
	/* One address, one line. */
	char *nl = strchr(body.text, '\n');
	if (nl)
		*nl = 0;
	if (ipv4_parse_addr(body.text, seen) != 0)
		return NET_ENOENT;
	return NET_OK;
}

void whoami_tell_nat(const char *host, uint16_t port, uint32_t addr)
{
	struct netif *nif;
	uint32_t next_hop, seen;
	char you[IPV4_STR_LEN];

	if (ipv4_route(addr, &nif, &next_hop) != NET_OK || !nif->ip)
		return;
	if (whoami_ask(host, port, &seen) != NET_OK)
		return;
	ipv4_format_addr(nif->ip, you);
	if (seen == nif->ip)
		kprintf("%13s[nat]  you are %s and the server saw %s: no address translation on the way\n", "", you,
			netfmt_ip(seen));
	else
		kprintf("%13s[nat]  you are %s; the server saw %s: the home router translated your address\n", "", you,
			netfmt_ip(seen));
}
