/* Byte rings for the TCP send and receive buffers. */
#include "net/tcp_ring.h"

#include <string.h>

void tcp_ring_init(struct tcp_ring *r, uint8_t *buf, uint32_t size)
{
	r->buf = buf;
	r->size = buf ? size : 0;
	r->head = 0;
	r->len = 0;
}

/* Storage position of logical offset off (from head); off <= size. */
static uint32_t ring_pos(const struct tcp_ring *r, uint32_t off)
{
	uint32_t pos = r->head + off;
	return pos >= r->size ? pos - r->size : pos;
}

void tcp_ring_write_at(struct tcp_ring *r, uint32_t off, const void *src, uint32_t n)
{
	if (n == 0)
		return;
	uint32_t pos = ring_pos(r, r->len + off);
	uint32_t first = r->size - pos < n ? r->size - pos : n;
	memcpy(r->buf + pos, src, first);
	memcpy(r->buf, (const uint8_t *)src + first, n - first);
}

void tcp_ring_commit(struct tcp_ring *r, uint32_t n)
{
	r->len += n;
}

uint32_t tcp_ring_write(struct tcp_ring *r, const void *src, uint32_t n)
{
	uint32_t space = tcp_ring_space(r);
	if (n > space)
		n = space;
	tcp_ring_write_at(r, 0, src, n);
	r->len += n;
	return n;
}

void tcp_ring_peek(const struct tcp_ring *r, uint32_t off, void *dst, uint32_t n)
{
	if (n == 0)
		return;
	uint32_t pos = ring_pos(r, off);
	uint32_t first = r->size - pos < n ? r->size - pos : n;
	memcpy(dst, r->buf + pos, first);
	memcpy((uint8_t *)dst + first, r->buf, n - first);
}

uint32_t tcp_ring_consume(struct tcp_ring *r, uint32_t n)
{
	if (n > r->len)
		n = r->len;
	/* head moves even when the ring empties: bytes stored past the held
	 * ones by write_at keep their place. */
	r->head = n ? ring_pos(r, n) : r->head;
	r->len -= n;
	return n;
}

uint32_t tcp_ring_read(struct tcp_ring *r, void *dst, uint32_t n)
{
	if (n > r->len)
		n = r->len;
	tcp_ring_peek(r, 0, dst, n);
	return tcp_ring_consume(r, n);
}
