/* Fakes of IPv4 output and routing, ICMP error sending and netif
 * configuration, for the UDP and DHCP host tests. The platform (net/sys.h)
 * is the core tests' fake, tests/unit/net/fake_sys.c. */
#include "tests/unit/net_udp/fake_env.h"

#include <stdio.h>
#include <string.h>

#include "net/dhcp.h"
#include "net/err.h"
#include "net/icmp.h"
#include "net/stack.h"
#include "net/sys.h"
#include "net/udp.h"

enum { FAKE_POOL = 64, FAKE_SENT_MAX = 64, FAKE_SEED = 42 };

struct netif fake_nif;
struct netif fake_nif2;

static struct netbuf fake_pool[FAKE_POOL];
static struct fake_sent sent[FAKE_SENT_MAX];
static int sent_head, sent_count;
static struct fake_icmp icmp_last;
static int icmp_count;
static int set_ipv4_calls;


/* ---- IPv4, as far as UDP uses it ---- */

static int fake_record(struct netif *nif, struct netbuf *nb, uint32_t src, uint32_t dst, uint8_t proto,
		       uint8_t ttl, bool routed)
{
	if (sent_count == FAKE_SENT_MAX) {
		netbuf_free(nb);
		return NET_ENOMEM;
	}
	sent[(sent_head + sent_count) % FAKE_SENT_MAX] = (struct fake_sent){
		.nb = nb, .nif = nif, .routed = routed, .src = src, .dst = dst,
		.proto = proto, .ttl = ttl, .time_ms = sys_now_ms(),
	};
	sent_count++;
	return NET_OK;
}

int ipv4_route(uint32_t dst, struct netif **nif, uint32_t *next_hop)
{
	/* eth0 is the only route, on-link or via its gateway. */
	if (!fake_nif.ip)
		return NET_ENETUNREACH;
	*nif = &fake_nif;
	bool on_link = (dst & fake_nif.netmask) == (fake_nif.ip & fake_nif.netmask);
	if (!on_link && !fake_nif.gateway)
		return NET_ENETUNREACH;
	*next_hop = on_link ? dst : fake_nif.gateway;
	return NET_OK;
}

int ipv4_output(struct netbuf *nb, uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl)
{
	struct netif *nif;
	uint32_t hop;
	if (ipv4_route(dst, &nif, &hop) != NET_OK) {
		netbuf_free(nb);
		return NET_ENETUNREACH;
	}
	return fake_record(NULL, nb, src ? src : nif->ip, dst, proto, ttl, true);
}

int ipv4_output_if(struct netif *nif, struct netbuf *nb, uint32_t src, uint32_t dst, uint8_t proto,
		   uint8_t ttl)
{
	return fake_record(nif, nb, src, dst, proto, ttl, false);
}

uint32_t ipv4_source_for(const struct netif *nif, uint32_t dst)
{
	return nif->is_loopback && !ipv4_is_loopback(dst) ? dst : nif->ip;
}

bool ipv4_is_broadcast(const struct netif *nif, uint32_t addr)
{
	if (addr == IPV4_BROADCAST)
		return true;
	return nif && nif->ip && nif->netmask != 0xffffffffu &&
	       (addr & nif->netmask) == (nif->ip & nif->netmask) && (addr | nif->netmask) == IPV4_BROADCAST;
}

char *ipv4_format_addr(uint32_t a, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}

int icmp_send_dest_unreach(struct netif *nif, const struct netbuf *nb, const struct ipv4_hdr *ih,
			   uint8_t code)
{
	(void)nb;
	icmp_count++;
	icmp_last = (struct fake_icmp){ .nif = nif, .code = code, .about_src = ih->src, .about_dst = ih->dst };
	return NET_OK;
}

void netif_set_ipv4(struct netif *nif, uint32_t ip, uint32_t netmask, uint32_t gateway,
		    enum netif_addr_source src)
{
	set_ipv4_calls++;
	nif->ip = ip;
	nif->netmask = netmask;
	nif->gateway = gateway;
	nif->addr_source = ip ? src : NETIF_ADDR_NONE;
}

/* ---- net/stack.h registration: accepted and ignored ---- */

int net_timer_register(const char *name, net_tick_fn tick, net_deadline_fn next)
{
	(void)name;
	(void)tick;
	(void)next;
	return 0;
}

int net_counters_register(const struct net_counter_group *g)
{
	(void)g;
	return 0;
}

/* ---- the test's side ---- */

static void fake_netif_init(struct netif *nif, const char *name, uint8_t last)
{
	memset(nif, 0, sizeof *nif);
	snprintf(nif->name, sizeof nif->name, "%s", name);
	const uint8_t mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, last };
	memcpy(nif->mac, mac, ETH_ALEN);
	nif->mtu = 1500;
	nif->link_up = true;
}

void fake_reset(void)
{
	netbuf_pool_init(fake_pool, FAKE_POOL);
	fake_clock_set(0);
	fake_random_seed(FAKE_SEED);
	fake_log_clear();
	sent_head = sent_count = 0;
	icmp_count = 0;
	set_ipv4_calls = 0;
	fake_netif_init(&fake_nif, "eth0", 0x56);
	fake_netif_init(&fake_nif2, "eth1", 0x57);
	udp_init();
	dhcp_init();
	dhcp_set_event_handler(NULL);
}

void fake_sent_clear(void)
{
	struct fake_sent s;
	while (fake_sent_pop(&s))
		netbuf_free(s.nb);
}

bool fake_teardown_clean(void)
{
	dhcp_stop(&fake_nif);
	dhcp_stop(&fake_nif2);
	udp_init();
	fake_sent_clear();
	struct netbuf_stats st;
	netbuf_get_stats(&st);
	return st.in_use == 0 && st.large_in_use == 0 && st.bad_frees == 0 && fake_alloc_live() == 0;
}

int fake_sent_count(void)
{
	return sent_count;
}

bool fake_sent_pop(struct fake_sent *out)
{
	if (!sent_count)
		return false;
	*out = sent[sent_head];
	sent_head = (sent_head + 1) % FAKE_SENT_MAX;
	sent_count--;
	return true;
}

int fake_icmp_count(void)
{
	return icmp_count;
}

const struct fake_icmp *fake_icmp_last(void)
{
	return icmp_count ? &icmp_last : NULL;
}

int fake_set_ipv4_calls(void)
{
	return set_ipv4_calls;
}

struct netbuf *fake_nb(const void *bytes, size_t len)
{
	struct netbuf *nb = netbuf_alloc();
	if (!nb)
		return NULL;
	uint8_t *p = netbuf_put(nb, len);
	if (!p) {
		netbuf_free(nb);
		return NULL;
	}
	memcpy(p, bytes, len);
	return nb;
}

struct ipv4_hdr fake_ih(uint32_t src, uint32_t dst, size_t payload_len)
{
	return (struct ipv4_hdr){
		.hlen = IPV4_HLEN,
		.total_len = (uint16_t)(IPV4_HLEN + payload_len),
		.ttl = 64,
		.proto = IPV4_PROTO_UDP,
		.src = src,
		.dst = dst,
	};
}
