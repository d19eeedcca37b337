/* The loopback interface "lo" (127.0.0.1/8). Frames it transmits are
 * queued and delivered on the next net_tick(), never recursively from
 * inside the transmit call, so a reply cannot re-enter the code that sent
 * the request. */
#ifndef NET_LOOPBACK_H
#define NET_LOOPBACK_H

#include <stdbool.h>

#include "net/netif.h"

enum {
	LOOPBACK_MTU = 1500,
	LOOPBACK_QUEUE = 64,   /* frames waiting for delivery */
};

/* Create and register lo (once; later calls return the same interface). */
struct netif *loopback_init(void);
/* The loopback interface, or NULL before loopback_init. */
struct netif *loopback_netif(void);
/* Deliver the frames queued before this call. Returns how many. */
int loopback_poll(void);
/* True if frames wait for delivery. */
bool loopback_pending(void);
/* Drop queued frames (tests, shutdown). */
void loopback_flush(void);

#endif
