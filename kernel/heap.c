/* The kernel heap: boundary-tagged blocks in one arena, segregated free lists.
 *
 * The arena is a row of blocks, each starting with a 16-byte header:
 *
 *   +-------+-------+------------+-------+--------------------------------+
 *   | magic | units | prev_units | check | payload (16-byte aligned) ...  |
 *   +-------+-------+------------+-------+--------------------------------+
 *   |<------------- struct block ------->|<- free blocks: next, prev --->|
 *
 * units is the whole block (header included) in 16-byte units; prev_units is
 * that of the block just below, so both neighbours are found in O(1) and a
 * freed block merges with free neighbours at once: two free blocks are never
 * adjacent. check mixes the other fields with the header's own address, so a
 * pointer the heap did not hand out, a stale copy of a header or a scribbled
 * one is refused; magic tells a live block from a free one (double free).
 *
 * Free blocks sit on one of NBINS doubly linked lists by size class
 * (floor(log2(units))), with a bitmap of non-empty lists: an allocation takes
 * the first block that fits in its own class, else the head of the next
 * non-empty larger class, and splits off the rest. */
#include "kernel/heap.h"

#include <stdbool.h>
#include <string.h>

enum {
	HEAP_ALIGN = 16,
	HEAP_ALIGNED_MAX = 4096,
	NBINS = 32,
};

/* Arbitrary constants; only their difference from random data matters. */
#define BLOCK_USED 0xa110c8edu
#define BLOCK_FREE 0xf4eeb10cu
#define CHECK_SALT 0x9e3779b9u

struct block {
	uint32_t magic;      /* BLOCK_USED or BLOCK_FREE */
	uint32_t units;      /* this block, header included, in HEAP_ALIGN units */
	uint32_t prev_units; /* the block just below; 0 for the first block */
	uint32_t check;      /* block_checksum() of the above and the address */
};

/* Kept in the payload of a free block. */
struct free_links {
	struct block *next, *prev;
};

_Static_assert(sizeof(struct block) == HEAP_ALIGN, "the header keeps payloads aligned");

/* The smallest block holds its header and the free-list links. */
#define MIN_UNITS ((sizeof(struct block) + sizeof(struct free_links) + HEAP_ALIGN - 1) / HEAP_ALIGN)
#define MAX_UNITS 0xffffffffu

static struct {
	uint8_t *start, *end;       /* the arena: blocks tile [start, end) exactly */
	struct block *bins[NBINS];
	uint32_t nonempty;          /* bit i set when bins[i] is not empty */
	struct heap_stats st;       /* all but largest_free, kept up to date */
} heap;

static uint32_t block_checksum(const struct block *b)
{
	uintptr_t a = (uintptr_t)b;

	return b->magic ^ b->units ^ (b->prev_units * 0x01000193u) ^ (uint32_t)(a >> 4) ^
	       (uint32_t)((uint64_t)a >> 36) ^ CHECK_SALT;
}

static void block_set(struct block *b, uint32_t magic, uint32_t units, uint32_t prev_units)
{
	b->magic = magic;
	b->units = units;
	b->prev_units = prev_units;
	b->check = block_checksum(b);
}

static void block_set_prev(struct block *b, uint32_t prev_units)
{
	block_set(b, b->magic, b->units, prev_units);
}

/* Erases a header that a merge swallowed, so stale pointers to it fail. */
static void block_wipe(struct block *b)
{
	b->magic = 0;
	b->check = ~block_checksum(b);
}

static size_t block_bytes(const struct block *b) { return (size_t)b->units * HEAP_ALIGN; }
static struct free_links *block_links(struct block *b) { return (struct free_links *)(b + 1); }

/* The block above b, or NULL at the end of the arena. */
static struct block *block_next(struct block *b)
{
	uint8_t *n = (uint8_t *)b + block_bytes(b);

	return n < heap.end ? (struct block *)n : NULL;
}

/* The block below b, or NULL for the first. */
static struct block *block_prev(struct block *b)
{
	return b->prev_units ? (struct block *)((uint8_t *)b - (size_t)b->prev_units * HEAP_ALIGN) : NULL;
}

static unsigned bin_of(uint32_t units)
{
	return 31u - (unsigned)__builtin_clz(units);
}

static void free_insert(struct block *b)
{
	unsigned i = bin_of(b->units);
	struct free_links *l = block_links(b);

	l->prev = NULL;
	l->next = heap.bins[i];
	if (l->next)
		block_links(l->next)->prev = b;
	heap.bins[i] = b;
	heap.nonempty |= 1u << i;
	heap.st.free_bytes += block_bytes(b);
}

/* Unlinks b, first checking that its neighbours on the list point back at
 * it: a corrupted link is reported instead of followed. */
static bool free_remove(struct block *b)
{
	unsigned i = bin_of(b->units);
	struct free_links *l = block_links(b);

	if ((l->prev ? block_links(l->prev)->next : heap.bins[i]) != b ||
	    (l->next && block_links(l->next)->prev != b)) {
		heap_corrupt("heap: free list links broken", b);
		return false;
	}
	if (l->prev)
		block_links(l->prev)->next = l->next;
	else
		heap.bins[i] = l->next;
	if (l->next)
		block_links(l->next)->prev = l->prev;
	if (!heap.bins[i])
		heap.nonempty &= ~(1u << i);
	heap.st.free_bytes -= block_bytes(b);
	return true;
}

/* Shrinks the free, unlisted block b to units and lists the rest as a free
 * block, when the rest is big enough to be one. The block above b is never
 * free (free blocks are never adjacent), so the rest needs no merge. */
static void block_split(struct block *b, uint32_t units)
{
	uint32_t rest = b->units - units;
	struct block *r, *n;

	if (rest < MIN_UNITS)
		return;
	block_set(b, b->magic, units, b->prev_units);
	r = (struct block *)((uint8_t *)b + (size_t)units * HEAP_ALIGN);
	block_set(r, BLOCK_FREE, rest, units);
	n = block_next(r);
	if (n)
		block_set_prev(n, rest);
	free_insert(r);
}

/* Units for a payload of size bytes, or 0 when no arena could hold it. */
static uint32_t units_for(size_t size)
{
	size_t units;

	if (size > heap.st.arena_bytes)
		return 0;
	units = (size + sizeof(struct block) + HEAP_ALIGN - 1) / HEAP_ALIGN;
	if (units > MAX_UNITS)
		return 0;
	return units < MIN_UNITS ? MIN_UNITS : (uint32_t)units;
}

/* Marks the free, unlisted block b live and counts it. */
static void *block_take(struct block *b, uint32_t units)
{
	block_split(b, units);
	block_set(b, BLOCK_USED, b->units, b->prev_units);
	heap.st.used_bytes += block_bytes(b);
	if (heap.st.used_bytes > heap.st.peak_bytes)
		heap.st.peak_bytes = heap.st.used_bytes;
	heap.st.allocs++;
	heap.st.live++;
	return b + 1;
}

static void *alloc_fail(void)
{
	heap.st.failures++;
	return NULL;
}

void heap_init(void *base, size_t size)
{
	uintptr_t a = ((uintptr_t)base + HEAP_ALIGN - 1) & ~(uintptr_t)(HEAP_ALIGN - 1);
	size_t skip = a - (uintptr_t)base;

	memset(&heap, 0, sizeof heap);
	size = size > skip ? (size - skip) & ~(size_t)(HEAP_ALIGN - 1) : 0;
	/* One block's units field must describe the whole arena. */
	if (size / HEAP_ALIGN > MAX_UNITS)
		size = (size_t)MAX_UNITS * HEAP_ALIGN;
	if (size < MIN_UNITS * HEAP_ALIGN)
		size = 0;
	heap.start = (uint8_t *)a;
	heap.end = (uint8_t *)(a + size);
	heap.st.arena_bytes = size;
	if (size) {
		block_set((struct block *)heap.start, BLOCK_FREE, (uint32_t)(size / HEAP_ALIGN), 0);
		free_insert((struct block *)heap.start);
	}
}

void *kmalloc(size_t size)
{
	uint32_t units = units_for(size);
	unsigned i;

	if (!units)
		return alloc_fail();
	/* First fit inside the request's own class... */
	i = bin_of(units);
	for (struct block *b = heap.bins[i]; b; b = block_links(b)->next) {
		if (b->units >= units) {
			if (!free_remove(b))
				return NULL;
			return block_take(b, units);
		}
	}
	/* ...else any block of a larger class fits: take the smallest class. */
	uint32_t larger = i + 1 < NBINS ? heap.nonempty & ~((2u << i) - 1) : 0;
	if (!larger)
		return alloc_fail();
	struct block *b = heap.bins[__builtin_ctz(larger)];
	if (!free_remove(b))
		return NULL;
	return block_take(b, units);
}

void *kcalloc(size_t n, size_t size)
{
	void *p;

	if (size && n > (size_t)-1 / size)
		return alloc_fail();
	p = kmalloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

/* Offset from b's payload to the first payload address aligned to align
 * that leaves either no gap or a gap big enough to be a free block. */
static size_t aligned_gap(struct block *b, size_t align)
{
	uintptr_t pay = (uintptr_t)(b + 1);
	uintptr_t ap = (pay + align - 1) & ~(uintptr_t)(align - 1);

	if (ap != pay && ap - pay < MIN_UNITS * HEAP_ALIGN)
		ap += align;
	return ap - pay;
}

void *kmalloc_aligned(size_t size, size_t align)
{
	uint32_t units;

	if (align == 0 || (align & (align - 1)) || align > HEAP_ALIGNED_MAX)
		return NULL;
	if (align <= HEAP_ALIGN)
		return kmalloc(size);
	units = units_for(size);
	if (!units)
		return alloc_fail();
	/* Alignment makes the fit depend on the address: try every block of a
	 * class that could hold the request. */
	for (unsigned i = bin_of(units); i < NBINS; i++) {
		for (struct block *b = heap.bins[i]; b; b = block_links(b)->next) {
			size_t gap = aligned_gap(b, align);
			uint32_t gap_units = (uint32_t)(gap / HEAP_ALIGN);
			struct block *a, *n;

			if (gap_units >= b->units || b->units - gap_units < units)
				continue;
			if (!free_remove(b))
				return NULL;
			if (gap_units == 0)
				return block_take(b, units);
			/* Cut the gap off the front; it stays a free block. Its lower
			 * neighbour is not free, so it needs no merge either. */
			a = (struct block *)((uint8_t *)b + gap);
			block_set(a, BLOCK_FREE, b->units - gap_units, gap_units);
			n = block_next(a);
			if (n)
				block_set_prev(n, a->units);
			block_set(b, BLOCK_FREE, gap_units, b->prev_units);
			free_insert(b);
			return block_take(a, units);
		}
	}
	return alloc_fail();
}

void kfree(void *p)
{
	struct block *b, *n, *prev;
	uint8_t *q = p;

	if (!p)
		return;
	if ((uintptr_t)q < (uintptr_t)heap.start + sizeof(struct block) || q >= heap.end ||
	    ((uintptr_t)q & (HEAP_ALIGN - 1))) {
		heap_corrupt("kfree: pointer outside the heap", p);
		return;
	}
	b = (struct block *)q - 1;
	if (b->check != block_checksum(b)) {
		heap_corrupt("kfree: not a heap block (or its header was overwritten)", p);
		return;
	}
	if (b->magic == BLOCK_FREE) {
		heap_corrupt("kfree: double free", p);
		return;
	}
	if (b->magic != BLOCK_USED || b->units < MIN_UNITS ||
	    block_bytes(b) > (size_t)(heap.end - (uint8_t *)b)) {
		heap_corrupt("kfree: bad block header", p);
		return;
	}
	n = block_next(b);
	prev = block_prev(b);
	if ((n && n->units && n->prev_units != b->units) ||
	    (prev && ((uint8_t *)prev < heap.start || prev->units != b->prev_units))) {
		heap_corrupt("kfree: neighbouring headers disagree", p);
		return;
	}

	heap.st.used_bytes -= block_bytes(b);
	heap.st.frees++;
	heap.st.live--;
	block_set(b, BLOCK_FREE, b->units, b->prev_units);

	if (n && n->magic == BLOCK_FREE) {
		if (!free_remove(n))
			return;
		block_set(b, BLOCK_FREE, b->units + n->units, b->prev_units);
		block_wipe(n);
	}
	if (prev && prev->magic == BLOCK_FREE) {
		if (!free_remove(prev))
			return;
		block_set(prev, BLOCK_FREE, prev->units + b->units, prev->prev_units);
		block_wipe(b);
		b = prev;
	}
	n = block_next(b);
	if (n)
		block_set_prev(n, b->units);
	free_insert(b);
}

void heap_get_stats(struct heap_stats *st)
{
	*st = heap.st;
	st->largest_free = 0;
	/* The largest block is in the highest non-empty class. */
	if (heap.nonempty) {
		unsigned i = 31u - (unsigned)__builtin_clz(heap.nonempty);
		for (struct block *b = heap.bins[i]; b; b = block_links(b)->next)
			if (block_bytes(b) > st->largest_free)
				st->largest_free = block_bytes(b);
	}
}

/* Walks every block, then every free list, and compares what it counted
 * with the statistics. Reads only inside the arena, whatever the damage. */
int heap_check(void)
{
	size_t used = 0, freeb = 0, live = 0, nfree = 0, listed = 0;
	uint32_t prev_units = 0;
	bool prev_free = false;
	uint8_t *p = heap.start;

	while (p < heap.end) {
		struct block *b = (struct block *)p;

		if ((size_t)(heap.end - p) < sizeof *b || b->check != block_checksum(b))
			return -1;
		if (b->units < MIN_UNITS || block_bytes(b) > (size_t)(heap.end - p))
			return -2;
		if (b->prev_units != prev_units)
			return -3;
		if (b->magic == BLOCK_USED) {
			used += block_bytes(b);
			live++;
			prev_free = false;
		} else if (b->magic == BLOCK_FREE) {
			if (prev_free)
				return -4; /* a merge was missed */
			freeb += block_bytes(b);
			nfree++;
			prev_free = true;
		} else {
			return -5;
		}
		prev_units = b->units;
		p += block_bytes(b);
	}
	if (p != heap.end)
		return -6;

	for (unsigned i = 0; i < NBINS; i++) {
		struct block *prev = NULL;

		if (!heap.bins[i] != !(heap.nonempty & (1u << i)))
			return -7;
		for (struct block *b = heap.bins[i]; b; b = block_links(b)->next) {
			uint8_t *q = (uint8_t *)b;
			if (q < heap.start || q >= heap.end || ((uintptr_t)q & (HEAP_ALIGN - 1)) ||
			    b->check != block_checksum(b) || b->magic != BLOCK_FREE ||
			    bin_of(b->units) != i || block_links(b)->prev != prev)
				return -8;
			if (++listed > nfree)
				return -9; /* a cycle, or a block listed twice */
			prev = b;
		}
	}
	if (listed != nfree)
		return -10;
	if (used != heap.st.used_bytes || freeb != heap.st.free_bytes || live != heap.st.live ||
	    used + freeb != heap.st.arena_bytes)
		return -11;
	return 0;
}
