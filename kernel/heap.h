/* The kernel heap: kmalloc/kfree over one contiguous arena.
 * Portable C, also built for the host tests. Not thread-safe beyond the
 * cooperative model: never call it from an interrupt handler. */
#ifndef KERNEL_HEAP_H
#define KERNEL_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct heap_stats {
	size_t arena_bytes;   /* size of the arena handed to heap_init (rounded down to 16);
	                         always used_bytes + free_bytes */
	size_t used_bytes;    /* bytes in live allocations, headers included */
	size_t peak_bytes;    /* high-water mark of used_bytes */
	size_t free_bytes;    /* bytes on the free list */
	size_t largest_free;  /* largest single free block */
	uint64_t allocs;      /* successful allocations */
	uint64_t frees;
	uint64_t failures;    /* allocations refused for lack of space (kcalloc overflow included) */
	size_t live;          /* allocations not yet freed */
};

/* Hand the heap an arena of size bytes at base (16-byte aligned). */
void heap_init(void *base, size_t size);
/* 16-byte-aligned block of at least size bytes, or NULL. Each block costs a
 * 16-byte header and is at least 32 bytes; size 0 still returns a block. */
void *kmalloc(size_t size);
/* As kmalloc, zero-filled; NULL also when n * size overflows. */
void *kcalloc(size_t n, size_t size);
/* Block aligned to align (a power of two, up to 4096), freed with kfree.
 * Any other align returns NULL. */
void *kmalloc_aligned(size_t size, size_t align);
/* Free a block from kmalloc/kcalloc/kmalloc_aligned; NULL is ignored.
 * A pointer the heap did not hand out, or a double free, panics through
 * heap_corrupt(). */
void kfree(void *p);
void heap_get_stats(struct heap_stats *st);
/* Walk the arena and check every header, the free lists and the statistics;
 * returns 0 when consistent, a negative number naming the first problem
 * otherwise. It reports; it does not call heap_corrupt(). */
int heap_check(void);

/* Called on detected corruption; the kernel panics, host tests abort. */
void heap_corrupt(const char *what, const void *where);

#endif
