/* Bringing up the whole stack: the core (net_init) and every protocol
 * above it. The kernel calls this once; host tests of a single layer call
 * net_init and that layer's own init instead. */
#ifndef NET_STACK_INIT_H
#define NET_STACK_INIT_H

/* net_init(), then UDP, DHCP, TCP and DNS, in that order. */
void net_stack_init(void);

#endif
