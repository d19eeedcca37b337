/* The kernel heap: kmalloc/kfree over one contiguous arena.
 * Portable C, also built for the host tests. Not thread-safe beyond the
 * cooperative model: never call it from an interrupt handler. */
#ifndef KERNEL_HEAP_H
#define KERNEL_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct heap_stats {
	size_t arena_bytes;   /* size of the arena handed to heap_init */
	size_t used_bytes;    /* bytes in live allocations, headers included */
	size_t peak_bytes;    /* high-water mark of used_bytes */
	size_t free_bytes;    /* bytes on the free list */
	size_t largest_free;  /* largest single free block */
	uint64_t allocs;      /* successful allocations */
	uint64_t frees;
	uint64_t failures;    /* allocations refused for lack of space */
	size_t live;          /* allocations not yet freed */
};

/* Hand the heap an arena of size bytes at base (16-byte aligned). */
void heap_init(void *base, size_t size);
/* 16-byte-aligned block of at least size bytes, or NULL. */
void *kmalloc(size_t size);
/* As kmalloc, zero-filled; NULL also when n * size overflows. */
void *kcalloc(size_t n, size_t size);
/* Block aligned to align (a power of two, up to 4096), freed with kfree. */
void *kmalloc_aligned(size_t size, size_t align);
/* Free a block from kmalloc/kcalloc/kmalloc_aligned; NULL is ignored.
 * A pointer the heap did not hand out, or a double free, panics through
 * heap_corrupt(). */
void kfree(void *p);
void heap_get_stats(struct heap_stats *st);
/* Walk the arena and check every header; returns 0 when consistent. */
int heap_check(void);

/* Called on detected corruption; the kernel panics, host tests abort. */
void heap_corrupt(const char *what, const void *where);

#endif
