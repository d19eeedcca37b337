/* The Internet checksum (RFC 1071): the ones' complement of the ones'
 * complement sum of 16-bit big-endian words.
 *
 * Sums are kept "partial" (not yet complemented) so a checksum can span
 * several buffers and a pseudo-header:
 *
 *   uint32_t s = csum_pseudo(src, dst, IPV4_PROTO_UDP, udp_len);
 *   s = csum_add(s, hdr, 8);
 *   s = csum_add(s, payload, payload_len);
 *   be16_put(hdr + 6, csum_fold(s));
 *
 * Every buffer except the last must have an even length (the sum treats
 * each buffer as starting on a word boundary). A received message whose
 * checksum field is included verifies when csum_fold() of its sum is 0.
 */
#ifndef NET_CHECKSUM_H
#define NET_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add len bytes at data to the partial sum; an odd last byte is padded
 * with a zero byte on the right. Returns the new partial sum. */
uint32_t csum_add(uint32_t sum, const void *data, size_t len);

/* Add one 16-bit value (host order) to a partial sum. */
uint32_t csum_add16(uint32_t sum, uint16_t v);

/* The partial sum of the IPv4 pseudo-header used by UDP and TCP
 * (RFC 768, RFC 9293 3.1): source, destination, zero, protocol, length. */
uint32_t csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);

/* Fold a partial sum to 16 bits and complement it: the value to store in
 * a checksum field (host order; write it with be16_put). */
uint16_t csum_fold(uint32_t sum);

/* One buffer, start to finish: csum_fold(csum_add(0, data, len)). */
uint16_t csum_compute(const void *data, size_t len);

/* The receive-side test: folded is csum_fold of a received message's sum
 * with its checksum field included, 0 when intact. Fuzz builds
 * (-DNET_FUZZ_NO_CHECKSUM, tests/fuzz/) accept every checksum, as lwIP's
 * fuzz build does: a fuzzer cannot forge checksums, and the code behind
 * the check is what it must reach. */
static inline int csum_verified(uint16_t folded)
{
#ifdef NET_FUZZ_NO_CHECKSUM
	(void)folded;
	return 1;
#else
	return folded == 0;
#endif
}

#endif
