/* host: look a name up and print the answer the way the Unix tool does:
 * aliases first, then one line per address; errors in host's words. An
 * address is looked up the other way, by PTR. */
#include <string.h>

#include "kernel/printf.h"
#include "net/dns.h"
#include "net/err.h"
#include "net/ipv4.h"
#include "user/command.h"
#include "user/netfmt.h"
#include "user/shell.h"

/* -v: where the answer came from and what it cost. */
static void host_print_details(const struct dns_result *r)
{
	if (r->literal) {
		kprintf(";; a literal address: no DNS query\n");
		return;
	}
	if (r->from_cache) {
		kprintf(";; from the cache, TTL %u s left\n", r->ttl);
		return;
	}
	if (r->server)
		kprintf(";; answer from %s#53 over %s, query id 0x%04x, rcode %s\n", netfmt_ip(r->server),
			r->via_tcp ? "TCP" : "UDP", r->id, dns_rcode_name(r->rcode));
	kprintf(";; %u %s sent, %llu ms", r->queries, r->queries == 1 ? "query" : "queries",
		(unsigned long long)r->elapsed_ms);
	if (r->server)
		kprintf(", TTL %u s", r->ttl);
	kprintf("\n");
}

/* "a is an alias for b." for each link of the chain. */
static void host_print_aliases(const struct dns_result *r)
{
	for (unsigned i = 0; i + 1 < r->nnames; i++)
		kprintf("%s is an alias for %s.\n", r->names[i], r->names[i + 1]);
}

/* host ADDR: the reverse lookup (PTR), printed as the Unix tool does. */
static int host_reverse(const char *text, uint32_t addr, bool verbose)
{
	static struct dns_result r;
	char qname[DNS_PTR_QNAME_MAX];
	int st = dns_resolve_ptr(addr, NULL, 0, DNS_RESOLVE_TIMEOUT_MS, &r);

	dns_ptr_qname(addr, qname, sizeof qname);
	switch (st) {
	case DNS_OK:
		kprintf("%s domain name pointer %s.\n", qname, r.ptr);
		break;
	case DNS_ENXDOMAIN:
	case DNS_ESERVFAIL:
	case DNS_EREFUSED:
	case DNS_ESERVER:
		kprintf("Host %s not found: %u(%s)\n", qname, r.rcode, dns_rcode_name(r.rcode));
		break;
	case DNS_ENODATA:
		kprintf("%s has no PTR record\n", qname);
		break;
	case DNS_ETIMEDOUT:
		kprintf(";; connection timed out; no servers could be reached\n");
		break;
	case DNS_EUNREACH:
		kprintf(";; communications error: %s; no servers could be reached\n", net_strerror(r.net_err));
		break;
	case DNS_ENOSERVERS:
		kprintf("host: no DNS servers configured (run dhcp, or ifconfig IF ADDR dns SERVER)\n");
		break;
	default:
		kprintf("host: %s: %s\n", text, dns_strerror(st));
		break;
	}
	if (verbose && st != DNS_ENOSERVERS)
		host_print_details(&r);
	return st == DNS_OK || st == DNS_ENODATA ? 0 : 1;
}

static int cmd_host(int argc, char **argv)
{
	static struct dns_result r;   /* ~2.5 KiB: off the thread's stack */
	bool verbose = false;
	const char *name = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = true;
		else if (argv[i][0] == '-')
			return shell_usage_error("host", "unknown option %s", argv[i]);
		else if (name)
			return shell_usage_error("host", "one name only (got %s and %s)", name, argv[i]);
		else
			name = argv[i];
	}
	if (!name)
		return shell_usage_error("host", "which name?");

	uint32_t addr;
	if (ipv4_parse_addr(name, &addr) == 0)
		return host_reverse(name, addr, verbose);

	int st = dns_resolve(name, &r, DNS_RESOLVE_TIMEOUT_MS);
	const char *canonical = r.names[r.nnames ? r.nnames - 1 : 0];
	switch (st) {
	case DNS_OK:
		host_print_aliases(&r);
		for (unsigned i = 0; i < r.naddrs; i++)
			kprintf("%s has address %s\n", canonical, netfmt_ip(r.addrs[i]));
		break;
	case DNS_ENXDOMAIN:
	case DNS_ESERVFAIL:
	case DNS_EREFUSED:
	case DNS_ESERVER:
		host_print_aliases(&r);
		kprintf("Host %s not found: %u(%s)\n", name, r.rcode, dns_rcode_name(r.rcode));
		break;
	case DNS_ENODATA:
		host_print_aliases(&r);
		kprintf("%s has no A record\n", canonical);
		break;
	case DNS_ETIMEDOUT:
		kprintf(";; connection timed out; no servers could be reached\n");
		break;
	case DNS_EUNREACH:
		kprintf(";; communications error: %s; no servers could be reached\n", net_strerror(r.net_err));
		break;
	case DNS_ENOSERVERS:
		kprintf("host: no DNS servers configured (run dhcp, or ifconfig IF ADDR dns SERVER)\n");
		break;
	case DNS_EBADNAME:
		kprintf("host: '%s' is not a legal name\n", name);
		break;
	case DNS_ETRUNCATED:
		kprintf("host: %s: %s (%s)\n", name, dns_strerror(st), net_strerror(r.net_err));
		break;
	default:
		kprintf("host: %s: %s\n", name, dns_strerror(st));
		break;
	}
	if (verbose && st != DNS_EBADNAME && st != DNS_ENOSERVERS)
		host_print_details(&r);
	return st == DNS_OK || st == DNS_ENODATA ? 0 : 1;
}

COMMAND(host, .name = "host", .usage = "host [-v] NAME|ADDR",
	.summary = "look up a name's IPv4 addresses with DNS, or an address's name (PTR)",
	.example = "host -v www.google.com   (a name without a dot is asked as it is)", .run = cmd_host);
