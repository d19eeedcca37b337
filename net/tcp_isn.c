/* RFC 6528 initial sequence numbers from SipHash-2-4 and a 4 us clock. */
#include "net/tcp_isn.h"

#include <string.h>

#include "net/sys.h"
#include "net/wire.h"

enum { ISN_TICKS_PER_MS = 250 }; /* RFC 6528: M ticks every 4 microseconds */

static uint8_t isn_key[16];
static bool isn_fixed_on;
static uint32_t isn_fixed;

static inline uint64_t rotl64(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

static inline uint64_t le64_get(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* One SipRound: the ARX mixing step of the SipHash paper, section 2. */
#define SIPROUND(v0, v1, v2, v3)                                               \
	do {                                                                   \
		v0 += v1; v1 = rotl64(v1, 13); v1 ^= v0; v0 = rotl64(v0, 32);  \
		v2 += v3; v3 = rotl64(v3, 16); v3 ^= v2;                       \
		v0 += v3; v3 = rotl64(v3, 21); v3 ^= v0;                       \
		v2 += v1; v1 = rotl64(v1, 17); v1 ^= v2; v2 = rotl64(v2, 32);  \
	} while (0)

uint64_t tcp_siphash24(const uint8_t key[16], const void *data, size_t len)
{
	const uint8_t *m = data;
	uint64_t k0 = le64_get(key), k1 = le64_get(key + 8);
	/* The initial state: the key xored with "somepseudorandomlygeneratedbytes". */
	uint64_t v0 = k0 ^ 0x736f6d6570736575ull;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dull;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ull;
	uint64_t v3 = k1 ^ 0x7465646279746573ull;
	size_t whole = len & ~(size_t)7;

	for (size_t i = 0; i < whole; i += 8) {
		uint64_t w = le64_get(m + i);
		v3 ^= w;
		SIPROUND(v0, v1, v2, v3); /* c = 2 compression rounds */
		SIPROUND(v0, v1, v2, v3);
		v0 ^= w;
	}
	/* The last word: the remaining bytes, and the length mod 256 on top. */
	uint64_t last = (uint64_t)(len & 0xff) << 56;
	for (size_t i = 0; i < (len & 7); i++)
		last |= (uint64_t)m[whole + i] << (8 * i);
	v3 ^= last;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= last;
	v2 ^= 0xff;
	for (int i = 0; i < 4; i++)  /* d = 4 finalisation rounds */
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

void tcp_isn_init(void)
{
	for (int i = 0; i < 16; i += 4) {
		uint32_t r = sys_random32();
		memcpy(isn_key + i, &r, 4);
	}
	isn_fixed_on = false;
}

uint32_t tcp_isn(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport, uint64_t now_ms)
{
	uint8_t tuple[12];

	if (isn_fixed_on)
		return isn_fixed;
	be32_put(tuple, laddr);
	be16_put(tuple + 4, lport);
	be32_put(tuple + 6, raddr);
	be16_put(tuple + 10, rport);
	uint32_t f = (uint32_t)tcp_siphash24(isn_key, tuple, sizeof tuple);
	uint32_t m = (uint32_t)(now_ms * ISN_TICKS_PER_MS);
	return m + f;
}

void tcp_isn_set_fixed(bool on, uint32_t isn)
{
	isn_fixed_on = on;
	isn_fixed = isn;
}
