/* The byte rings TCP keeps per connection (ARCHITECTURE.md: segments are
 * built from the send ring on every (re)transmission, as the BSD stack
 * does; received bytes wait in the receive ring until the application
 * reads them).
 *
 *   buf                head              head+len          buf+size
 *   |....free....|<---- len bytes held ---->|.....free.....|  (wraps)
 *
 * Bytes past the held ones may be written in advance (write_at) and
 * taken in later (commit): that is where out-of-order data waits, so the
 * reassembly queue costs no memory beyond the receive window. */
#ifndef NET_TCP_RING_H
#define NET_TCP_RING_H

#include <stdint.h>

struct tcp_ring {
	uint8_t *buf;      /* NULL until storage is given */
	uint32_t size;     /* bytes of storage */
	uint32_t head;     /* offset of the oldest byte held */
	uint32_t len;      /* bytes held */
};

static inline uint32_t tcp_ring_space(const struct tcp_ring *r)
{
	return r->size - r->len;
}

/* Use size bytes at buf (may be NULL with size 0), empty. */
void tcp_ring_init(struct tcp_ring *r, uint8_t *buf, uint32_t size);
/* Append up to n bytes; returns how many fitted. */
uint32_t tcp_ring_write(struct tcp_ring *r, const void *src, uint32_t n);
/* Store n bytes off bytes after the held ones without holding them yet;
 * the caller guarantees off + n <= tcp_ring_space(r). */
void tcp_ring_write_at(struct tcp_ring *r, uint32_t off, const void *src, uint32_t n);
/* Hold the next n bytes already stored by write_at (n <= space). */
void tcp_ring_commit(struct tcp_ring *r, uint32_t n);
/* Copy n held bytes starting off bytes in, without removing them; the
 * caller guarantees off + n <= len. */
void tcp_ring_peek(const struct tcp_ring *r, uint32_t off, void *dst, uint32_t n);
/* Remove up to n bytes from the front; returns how many. */
uint32_t tcp_ring_consume(struct tcp_ring *r, uint32_t n);
/* Copy out and remove up to n bytes; returns how many. */
uint32_t tcp_ring_read(struct tcp_ring *r, void *dst, uint32_t n);

#endif
