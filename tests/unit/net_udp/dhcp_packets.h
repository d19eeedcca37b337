/* DHCP server packets as annotated bytes, imitating what QEMU's slirp and
 * dnsmasq send, shared by the DHCP unit and stack tests. xid and chaddr
 * are patched per test to match the client. */
#ifndef TESTS_UNIT_NET_UDP_DHCP_PACKETS_H
#define TESTS_UNIT_NET_UDP_DHCP_PACKETS_H

#include <stddef.h>
#include <stdint.h>

#include "net/dhcp.h"
#include "net/ipv4.h"

#define SLIRP_SERVER IPV4_ADDR(10, 0, 2, 2)
#define SLIRP_GUEST IPV4_ADDR(10, 0, 2, 15)
#define SLIRP_DNS IPV4_ADDR(10, 0, 2, 3)

/* QEMU slirp's OFFER (its struct bootp, 548 bytes). xid and chaddr are
 * patched per test to match the client's DISCOVER. */
static const uint8_t __attribute__((unused)) slirp_offer[548] = {
	[DHCP_OP] = 2, 1, 6, 0,                 /* BOOTREPLY, Ethernet, hlen 6, hops 0 */
	[DHCP_XID] = 0, 0, 0, 0,                /* xid (patched) */
	[DHCP_SECS] = 0, 0, 0x80, 0x00,         /* secs 0, flags: broadcast */
	[DHCP_YIADDR] = 10, 0, 2, 15,           /* yiaddr: your address 10.0.2.15 */
	[DHCP_SIADDR] = 10, 0, 2, 2,            /* siaddr: the server 10.0.2.2 */
	[DHCP_CHADDR] = 0x52, 0x54, 0, 0x12, 0x34, 0x56, /* chaddr (patched) */
	[DHCP_COOKIE] = 99, 130, 83, 99,        /* magic cookie */
	[DHCP_OPTIONS] = 53, 1, DHCP_OFFER,     /* message type OFFER */
	54, 4, 10, 0, 2, 2,                     /* server identifier 10.0.2.2 */
	51, 4, 0x00, 0x01, 0x51, 0x80,          /* lease time 86400 s */
	1, 4, 255, 255, 255, 0,                 /* subnet mask /24 */
	3, 4, 10, 0, 2, 2,                      /* router 10.0.2.2 */
	6, 4, 10, 0, 2, 3,                      /* DNS server 10.0.2.3 */
	255,                                    /* end; zero padding follows */
};

/* slirp's ACK: the same with message type ACK. */
static const size_t __attribute__((unused)) slirp_ack_type_at = DHCP_OPTIONS + 2;

/* dnsmasq's ACK with a one-hour lease and explicit T1/T2, options slirp
 * does not send (broadcast address, domain, hostname) and two DNS servers. */
static const uint8_t __attribute__((unused)) dnsmasq_ack[320] = {
	[DHCP_OP] = 2, 1, 6, 0,                 /* BOOTREPLY, Ethernet, hlen 6, hops 0 */
	[DHCP_XID] = 0, 0, 0, 0,                /* xid (patched) */
	[DHCP_SECS] = 0, 0, 0x80, 0x00,         /* secs 0, flags: broadcast */
	[DHCP_YIADDR] = 10, 0, 2, 15,           /* yiaddr 10.0.2.15 */
	[DHCP_SIADDR] = 10, 0, 2, 2,            /* siaddr */
	[DHCP_CHADDR] = 0x52, 0x54, 0, 0x12, 0x34, 0x56, /* chaddr (patched) */
	[DHCP_COOKIE] = 99, 130, 83, 99,        /* magic cookie */
	[DHCP_OPTIONS] = 53, 1, DHCP_ACK,       /* message type ACK */
	54, 4, 10, 0, 2, 2,                     /* server identifier 10.0.2.2 */
	51, 4, 0x00, 0x00, 0x0e, 0x10,          /* lease time 3600 s */
	58, 4, 0x00, 0x00, 0x07, 0x08,          /* T1 1800 s */
	59, 4, 0x00, 0x00, 0x0c, 0x4e,          /* T2 3150 s */
	1, 4, 255, 255, 255, 0,                 /* subnet mask /24 */
	28, 4, 10, 0, 2, 255,                   /* broadcast address (not used) */
	3, 4, 10, 0, 2, 2,                      /* router 10.0.2.2 */
	6, 8, 10, 0, 2, 3, 10, 0, 2, 4,         /* DNS servers 10.0.2.3, 10.0.2.4 */
	15, 6, 'n', 'e', 't', 'l', 'a', 'b',    /* domain name (not used) */
	12, 6, 'p', 'i', 'g', 'e', 'o', 'n',    /* host name (not used) */
	255,                                    /* end */
};

/* dnsmasq's NAK to a REQUEST for an address it will not give. */
static const uint8_t __attribute__((unused)) dnsmasq_nak[300] = {
	[DHCP_OP] = 2, 1, 6, 0,                 /* BOOTREPLY, Ethernet, hlen 6, hops 0 */
	[DHCP_XID] = 0, 0, 0, 0,                /* xid (patched) */
	[DHCP_SECS] = 0, 0, 0x80, 0x00,         /* flags: broadcast */
	[DHCP_CHADDR] = 0x52, 0x54, 0, 0x12, 0x34, 0x56, /* chaddr (patched); yiaddr 0 */
	[DHCP_COOKIE] = 99, 130, 83, 99,        /* magic cookie */
	[DHCP_OPTIONS] = 53, 1, DHCP_NAK,       /* message type NAK */
	54, 4, 10, 0, 2, 2,                     /* server identifier 10.0.2.2 */
	56, 13, 'w', 'r', 'o', 'n', 'g', ' ', 'a', 'd', 'd', 'r', 'e', 's', 's', /* message */
	255,                                    /* end */
};

#endif
