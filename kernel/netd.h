/* netd: the network thread. It owns all protocol state: it drains the NIC
 * rings in batches, runs received frames up the stack and runs the stack's
 * timers; interrupt handlers only wake it. */
#ifndef KERNEL_NETD_H
#define KERNEL_NETD_H

/* Start netd (probes the NIC, brings up the stack, starts DHCP). */
void netd_start(void);
/* Wake netd: safe from interrupt handlers. */
void netd_kick(void);

struct netif;
struct e1000;
/* The Ethernet interface and its NIC, or NULL when there is none. */
struct netif *netd_eth0(void);
struct e1000 *netd_nic(void);

#endif
