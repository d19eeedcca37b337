/* Host tests for kernel/heap.c: exact statistics, alignment, random
 * alloc/free with a data checker, fragmentation and coalescing back to one
 * block, exhaustion, and the corruption the heap must refuse (double free,
 * foreign and interior pointers, scribbled headers, broken free links). */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kernel/heap.h"
#include "tests/unit/check.h"

enum {
	ARENA = 1 << 20,
	HDR = 16,          /* the heap's block header, counted in used_bytes */
	SLOTS = 512,
	ROUNDS = 40000,
};

static _Alignas(4096) uint8_t arena[ARENA];

/* heap_corrupt: the kernel panics; here it records and jumps back. */
static jmp_buf corrupt_jmp;
static int corrupt_armed, corrupt_calls;
static const char *corrupt_what;

void heap_corrupt(const char *what, const void *where)
{
	(void)where;
	corrupt_calls++;
	corrupt_what = what;
	if (corrupt_armed)
		longjmp(corrupt_jmp, 1);
}

/* Runs stmt and reports whether it called heap_corrupt. */
#define CORRUPTS(stmt)                                  \
	({                                              \
		int hit_ = 0;                           \
		corrupt_armed = 1;                      \
		if (setjmp(corrupt_jmp) == 0) {         \
			stmt;                           \
		} else {                                \
			hit_ = 1;                       \
		}                                       \
		corrupt_armed = 0;                      \
		hit_;                                   \
	})

static struct heap_stats stats(void)
{
	struct heap_stats st;

	heap_get_stats(&st);
	return st;
}

static void fresh(void)
{
	heap_init(arena, sizeof arena);
	corrupt_calls = 0;
	corrupt_what = NULL;
}

/* Bytes a request occupies: payload plus header, rounded to 16, >= 32. */
static size_t block_size(size_t n)
{
	size_t b = (n + HDR + 15) / 16 * 16;
	return b < 32 ? 32 : b;
}

static void test_init_stats(void)
{
	fresh();
	struct heap_stats st = stats();
	CHECK_EQ_INT(st.arena_bytes, ARENA);
	CHECK_EQ_INT(st.free_bytes, ARENA);
	CHECK_EQ_INT(st.largest_free, ARENA);
	CHECK_EQ_INT(st.used_bytes, 0);
	CHECK_EQ_INT(st.live, 0);
	CHECK_EQ_INT(st.allocs + st.frees + st.failures, 0);
	CHECK_EQ_INT(heap_check(), 0);
}

/* The statistics follow each call exactly, as heap.h describes them. */
static void test_stats_exact(void)
{
	fresh();
	void *a = kmalloc(100), *b = kmalloc(1);
	struct heap_stats st = stats();
	CHECK(a && b);
	CHECK_EQ_INT(st.used_bytes, block_size(100) + block_size(1));
	CHECK_EQ_INT(st.free_bytes, ARENA - st.used_bytes);
	CHECK_EQ_INT(st.largest_free, st.free_bytes);
	CHECK_EQ_INT(st.peak_bytes, st.used_bytes);
	CHECK_EQ_INT(st.allocs, 2);
	CHECK_EQ_INT(st.live, 2);
	kfree(a);
	st = stats();
	CHECK_EQ_INT(st.used_bytes, block_size(1));
	CHECK_EQ_INT(st.peak_bytes, block_size(100) + block_size(1));
	CHECK_EQ_INT(st.frees, 1);
	CHECK_EQ_INT(st.live, 1);
	/* a's block is free but cut off from the rest by b. */
	CHECK_EQ_INT(st.largest_free, ARENA - block_size(100) - block_size(1));
	kfree(b);
	st = stats();
	CHECK_EQ_INT(st.largest_free, ARENA);
	CHECK_EQ_INT(heap_check(), 0);
}

static void test_alignment(void)
{
	void *p[64];

	fresh();
	for (size_t i = 0; i < 64; i++) {
		p[i] = kmalloc(i * 3);
		CHECK(p[i] != NULL);
		CHECK_EQ_INT((uintptr_t)p[i] % 16, 0);
		memset(p[i], 0xee, i * 3);
	}
	CHECK(kmalloc(0) != kmalloc(0)); /* size 0 still gives distinct blocks */
	for (size_t align = 1; align <= 4096; align <<= 1)
		for (size_t sz = 1; sz < 5000; sz = sz * 3 + 1) {
			uint8_t *q = kmalloc_aligned(sz, align);
			CHECK(q != NULL);
			CHECK_EQ_INT((uintptr_t)q % (align < 16 ? 16 : align), 0);
			memset(q, 0x11, sz);
			CHECK_EQ_INT(heap_check(), 0);
			if ((sz & 1) == 0)
				kfree(q); /* keep some, to vary the layout */
		}
	for (size_t i = 0; i < 64; i++)
		kfree(p[i]);
	CHECK(kmalloc_aligned(64, 3) == NULL);
	CHECK(kmalloc_aligned(64, 0) == NULL);
	CHECK(kmalloc_aligned(64, 8192) == NULL);
	CHECK_EQ_INT(heap_check(), 0);
}

/* xorshift64: the same sequence on every run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct slot {
	uint8_t *p;
	size_t size;
	uint8_t seed;
};

static int slot_intact(const struct slot *s)
{
	for (size_t i = 0; i < s->size; i++)
		if (s->p[i] != (uint8_t)(s->seed + i))
			return 0;
	return 1;
}

/* Random sizes (mostly small, some pages, a few large), random frees, some
 * aligned and some zeroed; every byte checked before it is freed. */
static void test_random_sequences(void)
{
	static struct slot slots[SLOTS];
	size_t live = 0;
	uint64_t failures = 0;

	fresh();
	memset(slots, 0, sizeof slots);
	for (int round = 0; round < ROUNDS; round++) {
		struct slot *s = &slots[rng() % SLOTS];
		if (s->p) {
			if (!slot_intact(s)) {
				CHECK_FAIL_AT(__FILE__, __LINE__, "round %d: block %p corrupted", round, (void *)s->p);
				return;
			}
			kfree(s->p);
			s->p = NULL;
			live--;
			continue;
		}
		uint64_t r = rng();
		size_t size = r % 8 == 0 ? r % 60000 : r % 8 == 1 ? 4096 : (r >> 8) % 300;
		int kind = (int)((r >> 32) % 4);
		if (kind == 0)
			s->p = kmalloc_aligned(size, (size_t)1 << ((r >> 40) % 13));
		else if (kind == 1) {
			s->p = kcalloc(size, 1);
			for (size_t i = 0; s->p && i < size; i++)
				if (s->p[i]) {
					CHECK_FAIL_AT(__FILE__, __LINE__, "kcalloc returned dirty memory");
					return;
				}
		} else
			s->p = kmalloc(size);
		if (!s->p) {
			failures++;
			continue;
		}
		s->size = size;
		s->seed = (uint8_t)r;
		for (size_t i = 0; i < size; i++)
			s->p[i] = (uint8_t)(s->seed + i);
		live++;
		if (round % 512 == 0) {
			struct heap_stats st = stats();
			CHECK_EQ_INT(heap_check(), 0);
			CHECK_EQ_INT(st.live, live);
			CHECK_EQ_INT(st.allocs - st.frees, live);
			CHECK_EQ_INT(st.used_bytes + st.free_bytes, ARENA);
			CHECK(st.peak_bytes >= st.used_bytes);
			CHECK(st.largest_free <= st.free_bytes);
			CHECK_EQ_INT(st.failures, failures);
		}
	}
	for (size_t i = 0; i < SLOTS; i++)
		if (slots[i].p) {
			CHECK(slot_intact(&slots[i]));
			kfree(slots[i].p);
		}
	struct heap_stats st = stats();
	CHECK(failures > 0); /* the arena did run full at times */
	CHECK_EQ_INT(st.failures, failures);
	CHECK_EQ_INT(st.live, 0);
	CHECK_EQ_INT(st.used_bytes, 0);
	CHECK_EQ_INT(st.largest_free, ARENA); /* everything merged back */
	CHECK_EQ_INT(heap_check(), 0);
}

/* Fill the arena with small blocks, free every other one: lots of free
 * memory, none of it contiguous. Free the rest: one block again. */
static void test_fragmentation_coalescing(void)
{
	static void *p[ARENA / 32];
	size_t n = 0;

	fresh();
	while ((p[n] = kmalloc(100)) != NULL)
		n++;
	struct heap_stats st = stats();
	CHECK(n >= ARENA / block_size(100) - 1);
	CHECK_EQ_INT(st.failures, 1);
	CHECK(st.largest_free < block_size(100));
	for (size_t i = 0; i < n; i += 2)
		kfree(p[i]);
	st = stats();
	CHECK(st.free_bytes > ARENA / 3);
	CHECK_EQ_INT(st.largest_free, block_size(100));
	CHECK(kmalloc(1000) == NULL);
	CHECK_EQ_INT(stats().failures, 2);
	CHECK_EQ_INT(heap_check(), 0);
	/* Freeing the odd ones merges each with both neighbours. */
	for (size_t i = 1; i < n; i += 2)
		kfree(p[i]);
	st = stats();
	CHECK_EQ_INT(st.largest_free, ARENA);
	CHECK_EQ_INT(st.free_bytes, ARENA);
	CHECK(kmalloc(ARENA / 2) != NULL);
	CHECK_EQ_INT(heap_check(), 0);
}

static void test_exhaustion(void)
{
	fresh();
	CHECK(kmalloc(ARENA) == NULL); /* the header does not fit */
	CHECK(kmalloc(SIZE_MAX) == NULL);
	CHECK(kmalloc(SIZE_MAX - 8) == NULL);
	CHECK(kmalloc_aligned(SIZE_MAX, 64) == NULL);
	CHECK_EQ_INT(stats().failures, 4);
	void *all = kmalloc(ARENA - HDR); /* exactly the whole arena */
	CHECK(all != NULL);
	CHECK_EQ_INT(stats().free_bytes, 0);
	CHECK(kmalloc(0) == NULL);
	CHECK_EQ_INT(stats().failures, 5);
	kfree(all);
	CHECK_EQ_INT(heap_check(), 0);
	/* A heap never given an arena refuses politely. */
	heap_init(NULL, 0);
	CHECK(kmalloc(1) == NULL);
	CHECK_EQ_INT(stats().failures, 1);
	CHECK_EQ_INT(heap_check(), 0);
	CHECK(CORRUPTS(kfree(arena + 16)));
	fresh();
}

static void test_kcalloc(void)
{
	fresh();
	uint8_t *p = kmalloc(256);
	memset(p, 0xff, 256);
	kfree(p);
	uint8_t *q = kcalloc(16, 16); /* likely the same, dirty, memory */
	CHECK(q != NULL);
	for (int i = 0; i < 256; i++)
		CHECK_EQ_INT(q[i], 0);
	CHECK(kcalloc(SIZE_MAX / 2 + 2, 2) == NULL); /* n * size wraps to 2 */
	CHECK(kcalloc((size_t)1 << 33, (size_t)1 << 32) == NULL);
	CHECK_EQ_INT(stats().failures, 2);
	CHECK(kcalloc(0, 10) != NULL);
	kfree(NULL); /* ignored */
	CHECK_EQ_INT(corrupt_calls, 0);
	CHECK_EQ_INT(heap_check(), 0);
}

static void test_double_free(void)
{
	fresh();
	void *a = kmalloc(64), *b = kmalloc(64), *c = kmalloc(64);
	kfree(b);
	CHECK(CORRUPTS(kfree(b)));
	CHECK_EQ_STR(corrupt_what, "kfree: double free");
	/* After a merge, the freed header is gone: still refused. */
	kfree(a);
	CHECK(CORRUPTS(kfree(b)));
	CHECK(CORRUPTS(kfree(a)));
	kfree(c);
	CHECK(CORRUPTS(kfree(c)));
	CHECK_EQ_INT(stats().frees, 3);
	CHECK_EQ_INT(heap_check(), 0);
}

static void test_foreign_pointers(void)
{
	int on_stack[8];
	static _Alignas(16) uint8_t elsewhere[64];

	fresh();
	uint8_t *p = kmalloc(256);
	CHECK(CORRUPTS(kfree(on_stack)));
	CHECK(CORRUPTS(kfree(elsewhere + 16)));
	CHECK(CORRUPTS(kfree(p + 1)));   /* misaligned */
	CHECK(CORRUPTS(kfree(p + 32)));  /* inside a block */
	CHECK(CORRUPTS(kfree(arena)));   /* the arena's first byte: no header before it */
	CHECK(CORRUPTS(kfree(arena + ARENA - 16)));
	CHECK_EQ_INT(corrupt_calls, 6);
	CHECK_EQ_INT(stats().live, 1);   /* none of it changed the heap */
	kfree(p);
	CHECK_EQ_INT(heap_check(), 0);
}

/* An overrun into the next block's header is caught by kfree of that block
 * and by heap_check; a broken free-list link by the next unlink. */
static void test_scribbles(void)
{
	fresh();
	uint8_t *a = kmalloc(48), *b = kmalloc(48);
	memset(a, 0x41, 48 + 4); /* four bytes too many: b's magic */
	CHECK(heap_check() != 0);
	CHECK(CORRUPTS(kfree(b)));

	fresh();
	a = kmalloc(48);
	b = kmalloc(48);
	uint8_t *c = kmalloc(48);
	kfree(a);
	kfree(c); /* merges with the free rest of the arena */
	CHECK_EQ_INT(heap_check(), 0);
	/* a's free-list links live in its payload: point prev somewhere wrong. */
	memcpy(a + sizeof(void *), &b, sizeof b);
	CHECK(heap_check() != 0);
	CHECK(CORRUPTS(kfree(b))); /* b merges with a, unlinking it */
	fresh();
}

int main(void)
{
	check_suite = "kernel.heap";
	RUN(test_init_stats);
	RUN(test_stats_exact);
	RUN(test_alignment);
	RUN(test_random_sequences);
	RUN(test_fragmentation_coalescing);
	RUN(test_exhaustion);
	RUN(test_kcalloc);
	RUN(test_double_free);
	RUN(test_foreign_pointers);
	RUN(test_scribbles);
	return check_report();
}
