/* The out-of-order part of the receive window (RFC 9293 3.10.7.4, the
 * segment-text step: segments beyond RCV.NXT "may be held"). The bytes
 * themselves wait in the receive ring past the held data (tcp_ring
 * write_at); this records which ranges of the window are filled, as
 * offsets from RCV.NXT, merged and sorted. It is bounded twice: by the
 * window in bytes, and by TCP_REASS_MAX ranges (holes), so a peer that
 * scatters one-byte segments cannot make it grow. */
#ifndef NET_TCP_REASS_H
#define NET_TCP_REASS_H

#include <stdint.h>

enum { TCP_REASS_MAX = 64 }; /* holes: 512 bytes of ranges per connection */

struct tcp_reass {
	struct tcp_reass_range {
		uint32_t start, end;   /* [start, end) from RCV.NXT; start > 0 */
	} r[TCP_REASS_MAX];
	uint32_t count;
};

void tcp_reass_init(struct tcp_reass *q);
/* Record [start, end) (start < end) as filled, merging with neighbours.
 * Returns 0, or -1 when it would need a new range and all are in use
 * (the caller drops the segment). */
int tcp_reass_add(struct tcp_reass *q, uint32_t start, uint32_t end);
/* RCV.NXT is about to move past n in-order bytes: forget what they cover.
 * Returns how many further bytes right after them were already held out
 * of order (now in order too); offsets are then rebased on the new
 * RCV.NXT = old + n + returned. */
uint32_t tcp_reass_advance(struct tcp_reass *q, uint32_t n);
/* Forget what is held at offset end or beyond (the peer's FIN is at end:
 * nothing after it is data). Returns the bytes forgotten. */
uint32_t tcp_reass_trim(struct tcp_reass *q, uint32_t end);
/* Bytes held out of order. */
uint32_t tcp_reass_bytes(const struct tcp_reass *q);
/* Offset just past the last held byte (0 if none). */
uint32_t tcp_reass_end(const struct tcp_reass *q);

#endif
