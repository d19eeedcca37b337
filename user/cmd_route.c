/* route: the routing table as IPv4 output sees it: one on-link route per
 * configured interface and the default route through its gateway. */
#include <stdio.h>

#include "kernel/printf.h"
#include "net/netif.h"
#include "user/command.h"
#include "user/netfmt.h"
#include "user/shell.h"

static int cmd_route(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return shell_usage_error("route", "takes no arguments");
	kprintf("%-18s %-15s %-6s %s\n", "DESTINATION", "GATEWAY", "IFACE", "SOURCE");
	struct netif *def = netif_default();
	for (struct netif *nif = netif_list(); nif; nif = nif->next) {
		if (!nif->ip)
			continue;
		char dest[24];
		snprintf(dest, sizeof dest, "%s/%d", netfmt_ip(nif->ip & nif->netmask), netfmt_mask_to_prefix(nif->netmask));
		kprintf("%-18s %-15s %-6s %s\n", dest, "on-link", nif->name, nif->is_loopback ? "loopback" : "connected");
	}
	if (def && def->gateway)
		kprintf("%-18s %-15s %-6s %s\n", "default", netfmt_ip(def->gateway), def->name,
			def->addr_source == NETIF_ADDR_DHCP ? "dhcp" : "static");
	else
		kprintf("(no default route: only on-link destinations are reachable)\n");
	return 0;
}

COMMAND(route, .name = "route", .usage = "route", .summary = "show the IPv4 routing table", .example = "route",
	.run = cmd_route);
