/* dhcp: renew the lease now (or start over), optionally wait for it, and
 * show the lease. */
#include <string.h>

#include "kernel/console.h"
#include "kernel/printf.h"
#include "kernel/sched.h"
#include "net/dhcp.h"
#include "net/err.h"
#include "net/netif.h"
#include "user/command.h"
#include "user/netfmt.h"
#include "user/shell.h"

enum { DHCP_WAIT_MS = 30000 };

static void dhcp_show(struct netif *nif)
{
	struct dhcp_lease l;
	if (dhcp_status(nif, &l) != NET_OK) {
		kprintf("%s: DHCP is not running (static or unconfigured)\n", nif->name);
		return;
	}
	kprintf("%s: dhcp %s", nif->name, dhcp_state_name(l.state));
	if (l.addr)
		kprintf(", %s/%d from server %s, lease %u s, %u s left (renew at %u s, rebind at %u s)", netfmt_ip(l.addr),
			netfmt_mask_to_prefix(l.netmask), netfmt_ip(l.server), l.lease_s, l.time_left_s, l.t1_s, l.t2_s);
	kprintf("\n");
}

/* Wait until the client is bound; false on timeout or Ctrl-C. */
static bool dhcp_wait_bound(struct netif *nif)
{
	for (unsigned waited = 0; waited < DHCP_WAIT_MS; waited += 50) {
		struct dhcp_lease l;
		if (dhcp_status(nif, &l) == NET_OK && l.state == DHCP_BOUND)
			return true;
		if (console_interrupted())
			return false;
		sleep_ms(50);
	}
	return false;
}

static int cmd_dhcp(int argc, char **argv)
{
	bool wait = false, show_only = false;
	const char *ifname = "eth0";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-w") == 0)
			wait = true;
		else if (strcmp(argv[i], "-s") == 0)
			show_only = true;
		else if (argv[i][0] != '-')
			ifname = argv[i];
		else
			return shell_usage_error("dhcp", "unknown option %s", argv[i]);
	}
	struct netif *nif = netif_find(ifname);
	if (!nif || nif->is_loopback)
		return shell_usage_error("dhcp", "no Ethernet interface %s", ifname);
	if (show_only && wait) {
		/* `dhcp -s -w`: wait for the boot-time lease without renewing. */
		if (!dhcp_wait_bound(nif)) {
			kprintf("dhcp: no lease within %u s\n", DHCP_WAIT_MS / 1000);
			return 1;
		}
	} else if (!show_only) {
		int err = dhcp_renew_now(nif);
		if (err == NET_ENOENT)
			err = dhcp_start(nif);
		if (err != NET_OK) {
			kprintf("dhcp: %s\n", net_strerror(err));
			return 1;
		}
		if (wait && !dhcp_wait_bound(nif)) {
			kprintf("dhcp: no lease within %u s\n", DHCP_WAIT_MS / 1000);
			return 1;
		}
	}
	dhcp_show(nif);
	return 0;
}

COMMAND(dhcp, .name = "dhcp", .usage = "dhcp [IF] [-w] [-s]",
	.summary = "renew the DHCP lease now (-w waits for it, -s only shows it)",
	.example = "dhcp -s -w    (wait for the boot-time lease, then show it)", .run = cmd_dhcp);
