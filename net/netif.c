/* The interface list and the calls drivers and DHCP make on an interface. */
#include "net/netif.h"

#include <string.h>

#include "net/arp.h"
#include "net/ethernet.h"
#include "net/netem.h"

static struct netif *netif_head;

void netif_register(struct netif *nif)
{
	struct netif **pp = &netif_head;

	/* Append, so the first interface registered is the first listed. */
	for (; *pp; pp = &(*pp)->next)
		if (*pp == nif)
			return;
	nif->next = NULL;
	*pp = nif;
}

void netif_unregister(struct netif *nif)
{
	for (struct netif **pp = &netif_head; *pp; pp = &(*pp)->next) {
		if (*pp == nif) {
			*pp = nif->next;
			nif->next = NULL;
			arp_flush(nif);
			return;
		}
	}
}

struct netif *netif_find(const char *name)
{
	for (struct netif *n = netif_head; n; n = n->next)
		if (strncmp(n->name, name, NETIF_NAME_MAX) == 0)
			return n;
	return NULL;
}

struct netif *netif_list(void)
{
	return netif_head;
}

struct netif *netif_default(void)
{
	for (struct netif *n = netif_head; n; n = n->next)
		if (!n->is_loopback && n->link_up)
			return n;
	return NULL;
}

void netif_set_ipv4(struct netif *nif, uint32_t ip, uint32_t netmask, uint32_t gateway,
		    enum netif_addr_source src)
{
	nif->ip = ip;
	nif->netmask = netmask;
	nif->gateway = gateway;
	nif->addr_source = ip ? src : NETIF_ADDR_NONE;
	if (ip && nif->link_up && !nif->is_loopback)
		arp_announce(nif);
}

void netif_set_link(struct netif *nif, bool up)
{
	bool was_up = nif->link_up;

	nif->link_up = up;
	if (was_up && !up) {
		/* Neighbours may be gone or moved when the link comes back. */
		arp_flush(nif);
	} else if (!was_up && up && nif->ip && !nif->is_loopback) {
		arp_announce(nif);
	}
}

void netif_input(struct netif *nif, struct netbuf *nb)
{
	nif->stats.rx_packets++;
	nif->stats.rx_bytes += nb->len;
	nb->netif = nif;
	if (nif->netem)
		netem_input(nif, nb);
	else
		eth_input(nif, nb);
}
