/* The Internet checksum (RFC 1071 section 4.1's algorithm, in C). */
#include "net/checksum.h"

#include "net/perf.h"
#include "net/wire.h"

/* A byte at an even offset is the high half of its 16-bit word in network
 * order; in a little-endian native sum it is the low half. */
static uint32_t host_byte_at_even_offset(uint8_t b)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return b;
#else
	return (uint32_t)b << 8;
#endif
}

/* A 16-bit sum of native words, as the same sum of big-endian words. */
static uint16_t host_to_be16_sum(uint16_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (uint16_t)(v >> 8 | v << 8);
#else
	return v;
#endif
}

/* Fold the carries of a 32-bit accumulator back into its low 16 bits
 * (end-around carry) so sums can be chained without overflowing. */
static uint32_t csum_carry(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* Unaligned loads are fine on x86-64; the type tells the compiler so, and
 * that it may alias the packet bytes. */
typedef uint32_t __attribute__((aligned(1), may_alias)) csum_u32;
typedef uint16_t __attribute__((aligned(1), may_alias)) csum_u16;

uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t acc = 0;
	enum perf_stage prev = perf_enter(PERF_CHECKSUM);

	/* RFC 1071 2(B): the one's complement sum does not depend on byte
	 * order, so add whole native 32-bit words (a quarter of the work of
	 * 16-bit big-endian steps) and swap the folded result once. A 64-bit
	 * accumulator cannot overflow for any buffer we hold. */
	for (; len >= 8; p += 8, len -= 8)
		acc += (uint64_t)*(const csum_u32 *)p + *(const csum_u32 *)(p + 4);
	if (len >= 4) {
		acc += *(const csum_u32 *)p;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		acc += *(const csum_u16 *)p;
		p += 2;
		len -= 2;
	}
	if (len)
		acc += host_byte_at_even_offset(p[0]);
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	perf_leave(prev);
	return csum_carry(sum + host_to_be16_sum((uint16_t)acc));
}

uint32_t csum_add16(uint32_t sum, uint16_t v)
{
	return csum_carry(sum + v);
}

uint32_t csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	uint32_t sum = 0;

	sum += src >> 16;
	sum += src & 0xffff;
	sum += dst >> 16;
	sum += dst & 0xffff;
	sum += proto;
	sum += len;
	return csum_carry(sum);
}

uint16_t csum_fold(uint32_t sum)
{
	return (uint16_t)~csum_carry(sum);
}

uint16_t csum_compute(const void *data, size_t len)
{
	return csum_fold(csum_add(0, data, len));
}
