/* The world every stack-level fuzz target runs in: the whole of net/ on
 * the host's fake platform (simulated clock, seeded random), an Ethernet
 * interface at slirp's addresses, and the application state a frame can
 * meet (a TCP connection with data in flight, a listener, UDP endpoints).
 *
 * Each input builds the world afresh (fuzz_world_begin), runs, checks the
 * stack's invariants after every step (fuzz_world_check) and tears it all
 * down again (fuzz_world_end), which also checks that nothing leaked. A
 * broken invariant aborts with a message: libFuzzer keeps the input.
 *
 * The addresses are QEMU slirp's, so frames captured from a real run
 * (tests/fuzz/gen_corpus.py) mean something here:
 *
 *   eth0   52:54:00:12:34:56  10.0.2.15/24, gateway 10.0.2.2, DNS 10.0.2.3
 *   gw     52:55:0a:00:02:02  10.0.2.2 (slirp answers ARP for x with 52:55:<x>)
 *   web    198.51.100.10:80, through the gateway (netlab's www.google.com)
 *
 * The TCP client connection goes from 10.0.2.15:FW_CLIENT_PORT to web:80
 * with both initial sequence numbers fixed (ours FW_ISS, the web's
 * FW_PEER_ISS), so seeds made once stay in sequence. */
#ifndef TESTS_FUZZ_FUZZ_WORLD_H
#define TESTS_FUZZ_FUZZ_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/ipv4.h"
#include "net/netbuf.h"
#include "net/tcp.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/unit/net/fake_link.h"

#define FW_OUR_IP IPV4_ADDR(10, 0, 2, 15)
#define FW_MASK IPV4_ADDR(255, 255, 255, 0)
#define FW_GW_IP IPV4_ADDR(10, 0, 2, 2)
#define FW_DNS_IP IPV4_ADDR(10, 0, 2, 3)
#define FW_WEB_IP IPV4_ADDR(198, 51, 100, 10)

enum {
	FW_POOL = 512,             /* netbufs */
	FW_T0_MS = 1000000,        /* the clock when a world begins */
	FW_CLIENT_PORT = 49200,    /* our end of the client connection */
	FW_WEB_PORT = 80,
	FW_LISTEN_PORT = 80,       /* our listener (any address) */
	FW_UDP_PORT = 5000,        /* a UDP endpoint with a receive queue */
	FW_ISS = 0xfffffff0u,      /* our ISN: 16 below the wrap */
	FW_PEER_ISS = 0x7ffffff0u, /* the web server's, in the seeds */
	FW_PEER_MSS = 1460,
	FW_PEER_WSCALE = 7,
	FW_PEER_WND = 502,         /* field value, shifted by FW_PEER_WSCALE */
	FW_REQUEST_LEN = 78,       /* bytes of the request sent at start */
	FW_BUF = 16384,            /* TCP send and receive buffers: windows close */
	FW_MAX_CONNS = 16,
	FW_TIMER_STEPS_MAX = 4000, /* deadlines run per fuzz_world_run */
};

extern const uint8_t fw_our_mac[6];
extern const uint8_t fw_gw_mac[6];
extern const uint8_t fw_eth1_mac[6];

/* What a world should contain beyond eth0 and its ARP entries. */
struct fuzz_world_cfg {
	bool tcp_client;   /* the established client connection, request in flight */
	bool tcp_listen;   /* a listener on FW_LISTEN_PORT */
	bool udp;          /* a queue endpoint on FW_UDP_PORT */
	bool eth1;         /* a second link (for DHCP), no address */
	bool eth0_no_addr; /* eth0 without its address (DHCP on eth0) */
	bool arp_any;      /* answer ARP for every address but ours, not only
	                      the gateway's and the DNS server's */
};

struct fuzz_world {
	struct fake_link eth0, eth1;
	struct tcp_conn *client;    /* NULL once closed or aborted */
	struct tcp_conn *listener;
	struct udp_pcb *udp;
	uint64_t now;
	uint64_t ticks;             /* net_tick calls so far */
	long alloc_base;
	struct fuzz_world_cfg cfg;
	/* Shown every frame the stack transmits, before it is dropped. */
	void (*tx_hook)(struct fake_link *l, const uint8_t *frame, size_t len);
};

extern struct fuzz_world fw;

/* Build the world afresh (the whole stack reset). */
void fuzz_world_begin(const struct fuzz_world_cfg *cfg);
/* Deliver one frame of len bytes on link l. */
void fuzz_world_inject(struct fake_link *l, const uint8_t *frame, size_t len);
/* Move the clock forward ms, stopping at every deadline on the way as
 * netd would, and checking after each tick that no deadline was left in
 * the past (a stuck timer is netd spinning forever). */
void fuzz_world_run(uint64_t ms);
/* Drop what the links transmitted (after showing each to fw.tx_hook);
 * ARP requests for the gateway and the DNS server (or any other host,
 * cfg.arp_any) are answered first, as slirp would (52:55 and the
 * address), so traffic keeps flowing. Returns how many frames were taken. */
int fuzz_world_drain(void);
/* Every invariant of the stack; aborts if one is broken. */
void fuzz_world_check(void);
/* Tear down: free everything, then check the pool, the allocator and the
 * connection table are back to empty. */
void fuzz_world_end(void);

/* Frame building for harnesses: an Ethernet + IPv4 header (20 bytes, DF,
 * checksum filled) at f for a payload of len bytes; returns 34. */
size_t fuzz_ipv4_frame(uint8_t *f, const uint8_t *dst_mac, const uint8_t *src_mac, uint32_t src,
		       uint32_t dst, uint8_t proto, size_t len);
/* A UDP datagram from src:sport to dst:dport carrying payload, as a
 * frame from the gateway's MAC to mac; returns its length (at most
 * cap, payload cut to fit). */
size_t fuzz_udp_frame(uint8_t *f, size_t cap, const uint8_t *mac, uint32_t src, uint16_t sport,
		      uint32_t dst, uint16_t dport, const uint8_t *payload, size_t len);

#endif
