/* Name resolution for the commands: a dotted quad as it is, a name
 * through the DNS resolver (net/dns.h). */
#include "user/resolve.h"

#include "net/dns.h"
#include "net/err.h"
#include "net/ipv4.h"

/* The network error that best says why a name did not resolve. */
static int resolve_net_err(int st, const struct dns_result *r)
{
	switch (st) {
	case DNS_ENXDOMAIN:
	case DNS_ENODATA:
		return NET_ENOENT;
	case DNS_ETIMEDOUT:
		return NET_ETIMEDOUT;
	case DNS_EINTR:
		return NET_EINTR;
	case DNS_ENOMEM:
		return NET_ENOMEM;
	case DNS_EBADNAME:
		return NET_EINVAL;
	case DNS_ENOSERVERS:
		return NET_ENETUNREACH;
	case DNS_EUNREACH:
		return r->net_err ? r->net_err : NET_EHOSTUNREACH;
	default:
		return NET_EPROTO;
	}
}

int resolve_host(const char *name, uint32_t *addr)
{
	struct dns_result r;   /* ~2.5 KiB of a 32 KiB stack; no static: callers may sleep here at once */

	if (ipv4_parse_addr(name, addr) == 0)
		return NET_OK;
	int st = dns_resolve(name, &r, DNS_RESOLVE_TIMEOUT_MS);
	if (st != DNS_OK)
		return resolve_net_err(st, &r);
	*addr = r.addrs[0];
	return NET_OK;
}
