/* Segment arrival (RFC 9293 3.10.7): tcp_input (declared in net/tcp.h)
 * validates a segment, finds its connection and runs the event
 * processing of its state. This header describes a segment in flight
 * through those steps. */
#ifndef NET_TCP_IN_H
#define NET_TCP_IN_H

#include <stdint.h>

#include "net/tcp_wire.h"

/* One received segment, validated, in host order. */
struct tcp_seg {
	uint32_t src, dst;        /* IPv4 addresses: src is the peer */
	struct tcp_hdr h;
	uint32_t seq;             /* h.seq, advanced as the front is trimmed */
	const uint8_t *data;      /* the text; valid while the netbuf is */
	uint32_t dlen;
	uint32_t len;             /* SEG.LEN: text plus one each for SYN and FIN */
};

#endif
