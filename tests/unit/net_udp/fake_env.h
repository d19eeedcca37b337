/* The world as UDP and DHCP see it, faked for host tests: an IPv4 layer
 * that records what it is asked to send instead of sending it, an ICMP that
 * records the errors it is asked for, and two Ethernet netifs. The clock,
 * random numbers and waits are tests/unit/net/fake_sys.c's; the netbuf pool
 * and the checksum are the real ones (net/netbuf.c, net/checksum.c). */
#ifndef TESTS_UNIT_NET_UDP_FAKE_ENV_H
#define TESTS_UNIT_NET_UDP_FAKE_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/ipv4.h"
#include "net/netbuf.h"
#include "net/netif.h"
#include "net/sys.h"
#include "tests/unit/net/fake_sys.h"

/* One datagram handed to ipv4_output (routed) or ipv4_output_if. */
struct fake_sent {
	struct netbuf *nb;     /* data = the UDP header; the test frees it */
	struct netif *nif;     /* NULL when routed */
	bool routed;
	uint32_t src, dst;
	uint8_t proto, ttl;
	uint64_t time_ms;      /* fake_now when sent */
};

/* One ICMP error UDP asked for. */
struct fake_icmp {
	struct netif *nif;
	uint8_t code;
	uint32_t about_src, about_dst;
};

extern struct netif fake_nif;        /* eth0, 52:54:00:12:34:56, link up, no address */
extern struct netif fake_nif2;       /* eth1, a second interface for demux tests */

/* Start a case: pool, clock 0, seed 42, empty records, both interfaces
 * unconfigured, udp_init(), dhcp_init(). */
void fake_reset(void);
/* End a case: close UDP and DHCP, free records; true when no netbuf is
 * left in use and every sys_alloc was given back. */
bool fake_teardown_clean(void);

/* Sent datagrams, oldest first. pop returns false when none is left. */
int fake_sent_count(void);
bool fake_sent_pop(struct fake_sent *out);
void fake_sent_clear(void);

int fake_icmp_count(void);
const struct fake_icmp *fake_icmp_last(void);

/* sys_wake calls so far on w. */
static inline int fake_wakes(const struct sys_wait *w)
{
	return w ? w->wakes : -1;
}

/* netif_set_ipv4 calls so far. */
int fake_set_ipv4_calls(void);

/* A netbuf holding a copy of len bytes, data at NETBUF_HEADROOM. */
struct netbuf *fake_nb(const void *bytes, size_t len);
/* An IPv4 header description for udp_input. */
struct ipv4_hdr fake_ih(uint32_t src, uint32_t dst, size_t payload_len);

#endif
