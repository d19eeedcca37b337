/* The netbuf pool, the four verbs and bounded queues (see net/netbuf.h).
 * The pool is a free list threaded through the netbufs' next pointers:
 * allocation and free are O(1) and never touch sys_alloc, except for the
 * rare large netbuf that carries a reassembled datagram. */
#include "net/netbuf.h"

#include <stdbool.h>
#include <string.h>

#include "net/sys.h"

static struct netbuf *pool_base;
static uint32_t pool_count;
static struct netbuf *free_list;
static struct netbuf_stats stats;

void netbuf_pool_init(struct netbuf *storage, uint32_t n)
{
	pool_base = storage;
	pool_count = n;
	free_list = NULL;
	memset(&stats, 0, sizeof stats);
	stats.total = n;
	/* Thread the list backwards so the first allocation is storage[0]. */
	for (uint32_t i = n; i-- > 0;) {
		struct netbuf *nb = &storage[i];
		nb->ext = NULL;
		nb->ext_size = 0;
		nb->flags = NETBUF_F_FREE;
		nb->next = free_list;
		free_list = nb;
	}
}

/* Storage of nb: its own buffer, or its external block. */
static uint8_t *nb_base(const struct netbuf *nb)
{
	return nb->ext ? nb->ext : (uint8_t *)nb->buf;
}

static size_t nb_capacity(const struct netbuf *nb)
{
	return nb->ext ? nb->ext_size : NETBUF_SIZE;
}

static struct netbuf *pool_take(size_t offset)
{
	struct netbuf *nb = free_list;

	if (!nb) {
		stats.alloc_failures++;
		return NULL;
	}
	free_list = nb->next;
	nb->next = NULL;
	nb->netif = NULL;
	nb->rx_time_ms = 0;
	nb->flags = 0;
	nb->ext = NULL;
	nb->ext_size = 0;
	nb->data = nb->buf + offset;
	nb->len = 0;
	stats.allocs++;
	if (++stats.in_use > stats.high_water)
		stats.high_water = stats.in_use;
	return nb;
}

struct netbuf *netbuf_alloc(void)
{
	return pool_take(NETBUF_HEADROOM);
}

struct netbuf *netbuf_alloc_rx(void)
{
	return pool_take(0);
}

struct netbuf *netbuf_alloc_large(size_t size)
{
	struct netbuf *nb;
	uint8_t *ext;

	if (size <= NETBUF_SIZE - NETBUF_HEADROOM)
		return netbuf_alloc();
	if (size > SIZE_MAX - NETBUF_HEADROOM)
		return NULL;
	nb = pool_take(NETBUF_HEADROOM);
	if (!nb)
		return NULL;
	ext = sys_alloc(NETBUF_HEADROOM + size);
	if (!ext) {
		netbuf_free(nb);
		stats.alloc_failures++;
		return NULL;
	}
	nb->ext = ext;
	nb->ext_size = NETBUF_HEADROOM + size;
	nb->data = ext + NETBUF_HEADROOM;
	stats.large_in_use++;
	stats.large_bytes += nb->ext_size;
	return nb;
}

/* Is nb one of ours and in use? A bad free is refused and counted rather
 * than corrupting the free list. */
static bool nb_valid_for_free(const struct netbuf *nb)
{
	uintptr_t base = (uintptr_t)pool_base, p = (uintptr_t)nb;

	if (p < base || p >= base + (uintptr_t)pool_count * sizeof(struct netbuf) ||
	    (p - base) % sizeof(struct netbuf) != 0) {
		sys_log(SYS_LOG_ERR, "netbuf_free: %p is not a netbuf", (const void *)nb);
		return false;
	}
	if (nb->flags & NETBUF_F_FREE) {
		sys_log(SYS_LOG_ERR, "netbuf_free: double free of %p", (const void *)nb);
		return false;
	}
	return true;
}

void netbuf_free(struct netbuf *nb)
{
	if (!nb)
		return;
	if (!nb_valid_for_free(nb)) {
		stats.bad_frees++;
		return;
	}
	if (nb->ext) {
		stats.large_in_use--;
		stats.large_bytes -= nb->ext_size;
		sys_free(nb->ext);
		nb->ext = NULL;
		nb->ext_size = 0;
	}
	nb->flags = NETBUF_F_FREE;
	nb->data = NULL;
	nb->len = 0;
	nb->next = free_list;
	free_list = nb;
	stats.in_use--;
}

void netbuf_free_chain(struct netbuf *nb)
{
	while (nb) {
		struct netbuf *next = nb->next;
		netbuf_free(nb);
		nb = next;
	}
}

struct netbuf *netbuf_clone(const struct netbuf *nb)
{
	size_t head = netbuf_headroom(nb);
	struct netbuf *c;

	if (nb->ext) {
		c = netbuf_alloc_large(nb_capacity(nb) - NETBUF_HEADROOM);
		if (!c)
			return NULL;
		c->data = nb_base(c) + head;
	} else {
		c = pool_take(head);
		if (!c)
			return NULL;
	}
	memcpy(c->data, nb->data, nb->len);
	c->len = nb->len;
	c->netif = nb->netif;
	c->rx_time_ms = nb->rx_time_ms;
	c->flags = nb->flags & (uint16_t)~NETBUF_F_FREE;
	return c;
}

uint8_t *netbuf_push(struct netbuf *nb, size_t n)
{
	if (n > netbuf_headroom(nb))
		return NULL;
	nb->data -= n;
	nb->len += n;
	return nb->data;
}

uint8_t *netbuf_pull(struct netbuf *nb, size_t n)
{
	uint8_t *p = nb->data;

	if (n > nb->len)
		return NULL;
	nb->data += n;
	nb->len -= n;
	return p;
}

uint8_t *netbuf_put(struct netbuf *nb, size_t n)
{
	uint8_t *p = nb->data + nb->len;

	if (n > netbuf_tailroom(nb))
		return NULL;
	nb->len += n;
	return p;
}

int netbuf_trim(struct netbuf *nb, size_t len)
{
	if (len > nb->len)
		return -1;
	nb->len = len;
	return 0;
}

size_t netbuf_headroom(const struct netbuf *nb)
{
	return (size_t)(nb->data - nb_base(nb));
}

size_t netbuf_tailroom(const struct netbuf *nb)
{
	return nb_capacity(nb) - netbuf_headroom(nb) - nb->len;
}

void netbuf_get_stats(struct netbuf_stats *st)
{
	*st = stats;
}

void netbuf_queue_init(struct netbuf_queue *q, uint32_t limit)
{
	q->head = q->tail = NULL;
	q->count = 0;
	q->limit = limit;
	q->dropped = 0;
}

int netbuf_queue_push(struct netbuf_queue *q, struct netbuf *nb)
{
	if (q->count >= q->limit) {
		q->dropped++;
		netbuf_free(nb);
		return -1;
	}
	nb->next = NULL;
	if (q->tail)
		q->tail->next = nb;
	else
		q->head = nb;
	q->tail = nb;
	q->count++;
	return 0;
}

struct netbuf *netbuf_queue_pop(struct netbuf_queue *q)
{
	struct netbuf *nb = q->head;

	if (!nb)
		return NULL;
	q->head = nb->next;
	if (!q->head)
		q->tail = NULL;
	nb->next = NULL;
	q->count--;
	return nb;
}

void netbuf_queue_flush(struct netbuf_queue *q)
{
	struct netbuf *nb;

	while ((nb = netbuf_queue_pop(q)))
		netbuf_free(nb);
}
