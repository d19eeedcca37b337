/* struct netif: one network interface, its identity and its counters.
 * Identity (MAC, addresses) lives here, never in protocol statics. */
#ifndef NET_NETIF_H
#define NET_NETIF_H

#include <stdbool.h>
#include <stdint.h>

#include "net/netbuf.h"

#define NETIF_NAME_MAX 8
#define NETIF_DNS_MAX 3
#define ETH_ALEN 6

struct netif;
struct netem;

/* Transmit one complete frame (Ethernet header included). Consumes nb. */
typedef int (*netif_transmit_fn)(struct netif *nif, struct netbuf *nb);

struct netif_counters {
	uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
	uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
};

enum netif_addr_source { NETIF_ADDR_NONE, NETIF_ADDR_STATIC, NETIF_ADDR_DHCP };

struct netif {
	char name[NETIF_NAME_MAX];        /* "eth0", "lo" */
	uint8_t mac[ETH_ALEN];
	uint16_t mtu;                     /* IP MTU: 1500 on Ethernet */
	bool link_up;
	bool is_loopback;
	/* IPv4 configuration, host byte order; 0 = unset. */
	uint32_t ip, netmask, gateway;
	uint32_t dns[NETIF_DNS_MAX];
	uint8_t dns_count;
	enum netif_addr_source addr_source;
	struct netif_counters stats;
	netif_transmit_fn transmit;
	void *driver;                     /* the driver's own state */
	struct netem *netem;              /* fault injector, NULL when off (net/netem.h) */
	struct netif *next;               /* list of all interfaces */
};

/* Add nif to the end of the interface list (once). */
void netif_register(struct netif *nif);
/* Remove nif from the list and forget its ARP entries. */
void netif_unregister(struct netif *nif);
/* First interface with that name, or NULL. */
struct netif *netif_find(const char *name);
/* Interface list head (iterate with ->next). */
struct netif *netif_list(void);
/* The first non-loopback interface that is up, for default routing. */
struct netif *netif_default(void);

/* Set the IPv4 configuration; announces the address (gratuitous ARP)
 * when ip is non-zero and the link is up. */
void netif_set_ipv4(struct netif *nif, uint32_t ip, uint32_t netmask, uint32_t gateway,
		    enum netif_addr_source src);
/* Link state change from the driver: flushes state that depended on the link. */
void netif_set_link(struct netif *nif, bool up);

/* Receive one frame from a driver; consumes nb. */
void netif_input(struct netif *nif, struct netbuf *nb);

#endif
