/* A fake Ethernet link for host tests: frames the stack transmits are
 * kept in a queue the test pops and inspects; frames the test injects go
 * up through netif_input. Both directions can be written to a pcap file. */
#ifndef TESTS_UNIT_NET_FAKE_LINK_H
#define TESTS_UNIT_NET_FAKE_LINK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "net/netbuf.h"
#include "net/netif.h"

struct fake_link {
	struct netif nif;          /* first, so a netif pointer is the link */
	struct netbuf_queue tx;    /* transmitted frames, oldest first */
	uint64_t tx_count;
	int tx_result;             /* what transmit returns (after freeing on error) */
	FILE *pcap;
};

/* Set up an interface named name with mac, MTU 1500, link up (not registered). */
void fake_link_init(struct fake_link *fl, const char *name, const uint8_t mac[6]);
/* The oldest transmitted frame not yet popped (caller frees), or NULL. */
struct netbuf *fake_link_pop(struct fake_link *fl);
/* Drop every transmitted frame. */
void fake_link_flush(struct fake_link *fl);
/* Deliver a received frame of len bytes to the stack. */
void fake_link_inject(struct fake_link *fl, const uint8_t *frame, size_t len);
/* Write both directions to path as a pcap (Ethernet); NULL closes. */
void fake_link_pcap(struct fake_link *fl, const char *path);

#endif
