/* netd: the network thread. It owns all protocol state: it drains the NIC
 * rings in batches, runs received frames up the stack and runs the stack's
 * timers; interrupt handlers only wake it. */
#ifndef KERNEL_NETD_H
#define KERNEL_NETD_H

#include <stdint.h>

/* Start netd (probes the NIC, brings up the stack, starts DHCP). */
void netd_start(void);
/* Wake netd: safe from interrupt handlers. */
void netd_kick(void);

struct netif;
struct e1000;
/* The Ethernet interface and its NIC, or NULL when there is none. */
struct netif *netd_eth0(void);
struct e1000 *netd_nic(void);

/* When eth0 came to life, in microseconds since boot (0: not yet). QEMU's
 * e1000 holds received frames for a second after the receiver is enabled,
 * so these show where the time to a DHCP lease goes. */
struct netd_timeline {
	uint64_t rx_enabled_us;   /* RCTL written */
	uint64_t first_frame_us;  /* the first frame handed up */
	uint64_t bound_us;        /* the first DHCP lease */
};
void netd_get_timeline(struct netd_timeline *t);

#endif
