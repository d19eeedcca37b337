/* The Internet checksum (RFC 1071 section 4.1's algorithm, in C). */
#include "net/checksum.h"

#include "net/wire.h"

/* Fold the carries of a 32-bit accumulator back into its low 16 bits
 * (end-around carry) so sums can be chained without overflowing. */
static uint32_t csum_carry(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t acc = sum;

	/* A 64-bit accumulator cannot overflow for any buffer we hold. */
	while (len >= 2) {
		acc += be16_get(p);
		p += 2;
		len -= 2;
	}
	if (len)
		acc += (uint32_t)p[0] << 8;
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	return csum_carry((uint32_t)(acc & 0xffff) + (uint32_t)(acc >> 16));
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
