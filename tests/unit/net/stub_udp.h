/* A test double of net/udp.c for the core stack's tests: records what
 * IPv4 and ICMP hand to UDP. */
#ifndef TESTS_UNIT_NET_STUB_UDP_H
#define TESTS_UNIT_NET_STUB_UDP_H

#include <stddef.h>
#include <stdint.h>

#include "net/ipv4.h"

struct stub_udp {
	int inputs;                 /* udp_input calls */
	size_t last_len;            /* UDP bytes of the last one */
	uint32_t last_src, last_dst;
	uint8_t last_data[64];      /* its first bytes */
	int port_unreach_rc;        /* icmp_send_dest_unreach result, if asked */
	int send_port_unreach;      /* answer every datagram with port unreachable */
	int errors;                 /* udp_icmp_error calls */
	int last_err;
	struct ipv4_hdr last_orig;
	uint8_t last_l4[8];
	size_t last_l4_len;
};
extern struct stub_udp stub_udp;

#endif
