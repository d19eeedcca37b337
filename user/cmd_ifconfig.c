/* ifconfig: show interfaces (addresses, MAC, MTU, link, counters) or set a
 * static IPv4 configuration, which stops DHCP on that interface. */
#include <string.h>

#include "drivers/e1000.h"
#include "kernel/netd.h"
#include "kernel/printf.h"
#include "net/dhcp.h"
#include "net/ipv4.h"
#include "net/netem.h"
#include "net/netif.h"
#include "user/command.h"
#include "user/netfmt.h"
#include "user/shell.h"

static const char *const addr_source_names[] = {
	[NETIF_ADDR_NONE] = "unconfigured", [NETIF_ADDR_STATIC] = "static", [NETIF_ADDR_DHCP] = "dhcp",
};

static void ifconfig_show(const struct netif *nif)
{
	char mac[MAC_STR_LEN];
	kprintf("%s: link %s  mtu %u  mac %s\n", nif->name, nif->link_up ? "up" : "DOWN", nif->mtu,
		netfmt_mac(nif->mac, mac));
	if (nif->ip) {
		kprintf("    inet %s/%d", netfmt_ip(nif->ip), netfmt_mask_to_prefix(nif->netmask));
		if (nif->gateway)
			kprintf("  gw %s", netfmt_ip(nif->gateway));
		for (unsigned i = 0; i < nif->dns_count; i++)
			kprintf("%s%s", i ? "," : "  dns ", netfmt_ip(nif->dns[i]));
		kprintf("  (%s)\n", addr_source_names[nif->addr_source]);
	} else {
		kprintf("    no IPv4 address%s\n", nif->is_loopback ? "" : " (waiting for DHCP?)");
	}
	const struct netif_counters *s = &nif->stats;
	kprintf("    rx %llu packets %llu bytes, %llu dropped, %llu errors\n", (unsigned long long)s->rx_packets,
		(unsigned long long)s->rx_bytes, (unsigned long long)s->rx_dropped, (unsigned long long)s->rx_errors);
	kprintf("    tx %llu packets %llu bytes, %llu dropped, %llu errors\n", (unsigned long long)s->tx_packets,
		(unsigned long long)s->tx_bytes, (unsigned long long)s->tx_dropped, (unsigned long long)s->tx_errors);
	struct netem_config nc;
	if (netem_status(nif, &nc, NULL)) {
		char a[16], b[16], c[16], d[16];
		kprintf("    netem: loss %s dup %s reorder %s delay %ums corrupt %s seed %llu (see netem %s)\n",
			netfmt_ppm(nc.loss_ppm, a), netfmt_ppm(nc.dup_ppm, b), netfmt_ppm(nc.reorder_ppm, c), nc.delay_ms,
			netfmt_ppm(nc.corrupt_ppm, d), (unsigned long long)nc.seed, nif->name);
	}
	if (nif == netd_eth0() && netd_nic()) {
		struct e1000_stats st;
		e1000_get_stats(netd_nic(), &st);
		kprintf("    e1000 irq %u: %llu interrupts, rx no-buffer %llu, overruns %llu, missed %llu, errors %llu, "
			"tx ring-full %llu, link changes %llu; rings %u rx, %u tx\n",
			st.irq_line, (unsigned long long)st.interrupts, (unsigned long long)st.rx_no_buffer,
			(unsigned long long)st.rx_overruns, (unsigned long long)st.rx_missed,
			(unsigned long long)st.rx_errors, (unsigned long long)st.tx_ring_full,
			(unsigned long long)st.link_changes, st.rx_ring, st.tx_ring);
	}
}

/* ifconfig IF ADDR[/PREFIX] [gw GW] [dns DNS[,DNS...]] */
static int ifconfig_set(struct netif *nif, int argc, char **argv)
{
	uint32_t ip, gw = 0, dns[NETIF_DNS_MAX];
	int prefix, ndns = 0;
	bool had_prefix;
	if (netfmt_parse_cidr(argv[2], &ip, &prefix, &had_prefix) != 0)
		return shell_usage_error("ifconfig", "%s is not an address like 192.0.2.10/24", argv[2]);
	for (int i = 3; i < argc; i += 2) {
		if (i + 1 >= argc)
			return shell_usage_error("ifconfig", "%s needs an address", argv[i]);
		if (strcmp(argv[i], "gw") == 0) {
			if (ipv4_parse_addr(argv[i + 1], &gw) != 0)
				return shell_usage_error("ifconfig", "gateway %s is not an IPv4 address", argv[i + 1]);
		} else if (strcmp(argv[i], "dns") == 0) {
			char list[64];
			strlcpy(list, argv[i + 1], sizeof list);
			for (char *tok = list, *comma; tok && *tok; tok = comma) {
				comma = strchr(tok, ',');
				if (comma)
					*comma++ = 0;
				if (ndns == NETIF_DNS_MAX)
					return shell_usage_error("ifconfig", "at most %d DNS servers", NETIF_DNS_MAX);
				if (ipv4_parse_addr(tok, &dns[ndns]) != 0)
					return shell_usage_error("ifconfig", "DNS server %s is not an IPv4 address", tok);
				ndns++;
			}
		} else {
			return shell_usage_error("ifconfig", "unknown word %s (gw or dns)", argv[i]);
		}
	}
	uint32_t mask = netfmt_prefix_to_mask(prefix);
	if (gw && (gw & mask) != (ip & mask))
		return shell_usage_error("ifconfig", "gateway %s is not inside %s/%d", netfmt_ip(gw), netfmt_ip(ip), prefix);
	dhcp_stop(nif);
	netif_set_ipv4(nif, ip, mask, gw, NETIF_ADDR_STATIC);
	if (ndns) {
		memcpy(nif->dns, dns, sizeof dns[0] * ndns);
		nif->dns_count = (uint8_t)ndns;
	}
	if (!had_prefix)
		kprintf("ifconfig: no prefix given; using /24\n");
	ifconfig_show(nif);
	return 0;
}

static int cmd_ifconfig(int argc, char **argv)
{
	if (argc == 1) {
		for (struct netif *nif = netif_list(); nif; nif = nif->next)
			ifconfig_show(nif);
		return 0;
	}
	struct netif *nif = netif_find(argv[1]);
	if (!nif)
		return shell_usage_error("ifconfig", "no interface %s (see ifconfig)", argv[1]);
	if (argc == 2) {
		ifconfig_show(nif);
		return 0;
	}
	if (nif->is_loopback)
		return shell_usage_error("ifconfig", "%s is fixed at 127.0.0.1/8", nif->name);
	return ifconfig_set(nif, argc, argv);
}

COMMAND(ifconfig, .name = "ifconfig", .usage = "ifconfig [IF [ADDR/PREFIX [gw GW] [dns DNS[,DNS]]]]",
	.summary = "show interfaces, or set a static IPv4 address (stops DHCP)",
	.example = "ifconfig eth0 192.0.2.10/24 gw 192.0.2.1 dns 192.0.2.1", .run = cmd_ifconfig);
