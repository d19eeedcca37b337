/* struct netbuf: one packet, in one fixed-size buffer from a fixed pool.
 *
 *   buf                 data                    data+len          buf+NETBUF_SIZE
 *   |<--- headroom --->|<------ packet ------->|<--- tailroom --->|
 *
 * Going down, each layer push()es its header into the headroom. Going up,
 * each layer pull()s its header off the front; pull() returns NULL when the
 * packet is shorter than asked, so a pull is the bounds check of a fixed
 * header. put() appends at the tail, trim() cuts the tail (to drop
 * Ethernet padding, say).
 *
 * Ownership: whoever holds the pointer owns the netbuf and must either free
 * it or hand it on. "*_input(nb)" and "*_output(nb)" always consume it.
 */
#ifndef NET_NETBUF_H
#define NET_NETBUF_H

#include <stddef.h>
#include <stdint.h>

enum {
	ETH_HLEN_RESERVE = 16,    /* 14, rounded so the IP header is 4-aligned at +2 */
	IPV4_HLEN_MAX = 60,
	TCP_HLEN_MAX = 60,
	NETBUF_HEADROOM = ETH_HLEN_RESERVE + IPV4_HLEN_MAX + TCP_HLEN_MAX,
	NETBUF_SIZE = 2048,       /* one Ethernet frame (1518) plus headroom fits */
	NETBUF_POOL_COUNT = 1024, /* the whole pool: 2 MiB of packet memory */
};

struct netif;

struct netbuf {
	uint8_t *data;            /* first byte of the packet */
	size_t len;               /* bytes from data on */
	struct netbuf *next;      /* for queues; NULL when not queued */
	struct netif *netif;      /* receiving interface, set by the driver glue */
	uint64_t rx_time_ms;      /* arrival time, 0 for locally built packets */
	uint16_t flags;           /* NETBUF_F_* */
	/* A large netbuf (a reassembled datagram) keeps its bytes in ext
	 * (ext_size bytes from sys_alloc) instead of buf; every verb works
	 * the same on both. NULL for ordinary netbufs. */
	uint8_t *ext;
	size_t ext_size;
	uint8_t buf[NETBUF_SIZE] __attribute__((aligned(16)));
};

enum {
	NETBUF_F_BROADCAST = 1 << 0, /* link-layer broadcast on receive */
	NETBUF_F_MULTICAST = 1 << 1,
	NETBUF_F_FREE = 1 << 15,     /* in the pool's free list (catches double frees) */
};

struct netbuf_stats {
	uint32_t total;       /* netbufs in the pool */
	uint32_t in_use;
	uint32_t high_water;  /* most ever in use at once */
	uint64_t allocs;
	uint64_t alloc_failures;
	uint32_t large_in_use;    /* netbufs with external storage */
	uint64_t large_bytes;     /* their storage, bytes */
	uint64_t bad_frees;       /* double frees and foreign pointers refused */
};

/* A FIFO of netbufs with a bound on its length. */
struct netbuf_queue {
	struct netbuf *head, *tail;
	uint32_t count, limit;
	uint64_t dropped;     /* pushes refused because the queue was full */
};

/* Set up the pool; storage is n netbufs the platform provides. */
void netbuf_pool_init(struct netbuf *storage, uint32_t n);
/* An empty netbuf with data at NETBUF_HEADROOM, or NULL if the pool is empty. */
struct netbuf *netbuf_alloc(void);
/* An empty netbuf with data at the very start (for received frames). */
struct netbuf *netbuf_alloc_rx(void);
/* An empty netbuf with data at NETBUF_HEADROOM and room for size bytes
 * after it: an ordinary one if that fits, else one whose storage comes
 * from sys_alloc (freed with it). NULL if out of either. */
struct netbuf *netbuf_alloc_large(size_t size);
void netbuf_free(struct netbuf *nb);
/* Free a chain linked by next. */
void netbuf_free_chain(struct netbuf *nb);
/* A copy of nb (data only, same headroom), or NULL. */
struct netbuf *netbuf_clone(const struct netbuf *nb);

/* Prepend n bytes; pointer to them, or NULL if the headroom is too small. */
uint8_t *netbuf_push(struct netbuf *nb, size_t n);
/* Remove n bytes from the front; pointer to them, or NULL if len < n. */
uint8_t *netbuf_pull(struct netbuf *nb, size_t n);
/* Append n bytes; pointer to them, or NULL if the tailroom is too small. */
uint8_t *netbuf_put(struct netbuf *nb, size_t n);
/* Cut the packet to len bytes; returns -1 (and changes nothing) if len is longer. */
int netbuf_trim(struct netbuf *nb, size_t len);
size_t netbuf_headroom(const struct netbuf *nb);
size_t netbuf_tailroom(const struct netbuf *nb);

void netbuf_get_stats(struct netbuf_stats *st);

void netbuf_queue_init(struct netbuf_queue *q, uint32_t limit);
/* Append; returns 0, or -1 (and frees nb, counting it dropped) when full. */
int netbuf_queue_push(struct netbuf_queue *q, struct netbuf *nb);
struct netbuf *netbuf_queue_pop(struct netbuf_queue *q);
void netbuf_queue_flush(struct netbuf_queue *q);

#endif
