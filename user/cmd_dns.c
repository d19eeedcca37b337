/* dns: the resolver's servers (per interface) and its cache with the time
 * each entry has left; `dns -f` empties the cache. */
#include <string.h>

#include "kernel/clock.h"
#include "kernel/printf.h"
#include "net/dns.h"
#include "net/netif.h"
#include "user/command.h"
#include "user/netfmt.h"
#include "user/shell.h"

static void dns_print_entry(const struct dns_cache_info *e, void *ctx)
{
	static char name[DNS_NAME_TEXT_MAX], target[DNS_NAME_TEXT_MAX];
	(void)ctx;
	dns_name_to_text(e->name, name, sizeof name);
	kprintf("  %-32s %6u s  ", name, e->ttl_left);
	switch (e->kind) {
	case DNS_CACHE_A:
		kprintf("A");
		for (unsigned i = 0; i < e->naddrs; i++)
			kprintf(" %s", netfmt_ip(e->addrs[i]));
		kprintf("\n");
		break;
	case DNS_CACHE_CNAME:
		dns_name_to_text(e->target, target, sizeof target);
		kprintf("CNAME %s.\n", target);
		break;
	case DNS_CACHE_NXDOMAIN:
		kprintf("NXDOMAIN (negative)\n");
		break;
	case DNS_CACHE_NODATA:
		kprintf("no A record (negative)\n");
		break;
	}
}

static int cmd_dns(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "-f") == 0) {
		int n = dns_cache_flush();
		kprintf("dns: cache flushed (%d %s)\n", n, n == 1 ? "entry" : "entries");
		return 0;
	}
	if (argc > 1)
		return shell_usage_error("dns", "unknown argument %s", argv[1]);

	kprintf("Servers (asked in this order, %u s then %u s each):\n", DNS_TIMEOUT_FIRST_MS / 1000,
		(DNS_TIMEOUT_FIRST_MS << 1) / 1000);
	unsigned servers = 0;
	for (struct netif *nif = netif_list(); nif; nif = nif->next) {
		for (unsigned i = 0; i < nif->dns_count && i < NETIF_DNS_MAX; i++, servers++)
			kprintf("  %-6s %s%s\n", nif->name, netfmt_ip(nif->dns[i]),
				nif->addr_source == NETIF_ADDR_DHCP ? "  (from DHCP)" : "");
	}
	if (!servers)
		kprintf("  (none: run dhcp, or ifconfig IF ADDR dns SERVER)\n");

	kprintf("Cache:\n");
	kprintf("  %-32s %8s  %s\n", "NAME", "TTL", "DATA");
	int n = dns_cache_foreach(dns_print_entry, NULL, now_ms());
	if (n == 0)
		kprintf("  (empty)\n");
	return 0;
}

COMMAND(dns, .name = "dns", .usage = "dns [-f]",
	.summary = "show the DNS servers and the resolver cache; -f flushes the cache",
	.example = "dns -f", .run = cmd_dns);
