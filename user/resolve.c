/* Name resolution for the commands. Dotted quads only until the DNS
 * resolver (net/dns.c) arrives. */
#include "user/resolve.h"

#include "net/err.h"
#include "net/ipv4.h"

int resolve_host(const char *name, uint32_t *addr)
{
	if (ipv4_parse_addr(name, addr) == 0)
		return NET_OK;
	return NET_ENOTSUP;
}
