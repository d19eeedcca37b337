/* arp: the ARP cache; `arp -d IP` deletes one entry, `arp -d` all. */
#include <string.h>

#include "kernel/clock.h"
#include "kernel/printf.h"
#include "net/arp.h"
#include "net/err.h"
#include "net/ipv4.h"
#include "user/command.h"
#include "user/netfmt.h"
#include "user/shell.h"

static void arp_print(const struct arp_entry_info *e, void *ctx)
{
	(void)ctx;
	char mac[MAC_STR_LEN];
	kprintf("%-15s %-17s %-6s %-10s %6llu.%01llu s %8llu.%01llu s %6u\n", netfmt_ip(e->ip),
		e->state == ARP_INCOMPLETE ? "(incomplete)" : netfmt_mac(e->mac, mac), e->nif ? e->nif->name : "?",
		arp_state_name(e->state), (unsigned long long)(e->age_ms / 1000), (unsigned long long)(e->age_ms % 1000 / 100),
		(unsigned long long)(e->expires_in_ms / 1000), (unsigned long long)(e->expires_in_ms % 1000 / 100),
		e->queued);
}

static int cmd_arp(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "-d") == 0) {
		if (argc == 2) {
			arp_flush(NULL);
			kprintf("arp: cache flushed\n");
			return 0;
		}
		uint32_t ip;
		if (argc > 3 || ipv4_parse_addr(argv[2], &ip) != 0)
			return shell_usage_error("arp", "-d takes one IPv4 address, or none for all");
		if (arp_delete(ip) != NET_OK) {
			kprintf("arp: no entry for %s\n", argv[2]);
			return 1;
		}
		return 0;
	}
	if (argc > 1)
		return shell_usage_error("arp", "unknown argument %s", argv[1]);
	kprintf("%-15s %-17s %-6s %-10s %8s %10s %6s\n", "ADDRESS", "HWADDRESS", "IFACE", "STATE", "AGE", "NEXT", "QUEUED");
	if (arp_foreach(arp_print, NULL, now_ms()) == 0)
		kprintf("(empty)\n");
	return 0;
}

COMMAND(arp, .name = "arp", .usage = "arp [-d [IP]]", .summary = "show the ARP cache, or delete entries",
	.example = "arp -d 10.0.2.2", .run = cmd_arp);
