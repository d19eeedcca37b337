/* Random numbers. RDRAND is used when CPUID.01H:ECX bit 30 says it exists
 * (QEMU's TCG default CPU does not have it). Otherwise the low bits of the
 * TSC, read around port I/O whose timing varies, seed xoshiro256**; the
 * seed is stirred again with the TSC at every call so outputs after a
 * reboot differ even with equal seeds. */
#include "kernel/random.h"

#include <stdbool.h>

#include "kernel/io.h"

static struct {
	bool rdrand;
	uint64_t s[4];
} rng;

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static bool cpu_has_rdrand(void)
{
	uint32_t a = 1, b, c, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	return c & (1u << 30);
}

static bool rdrand64(uint64_t *v)
{
	for (int i = 0; i < 10; i++) {
		uint8_t ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

void random_init(void)
{
	rng.rdrand = cpu_has_rdrand();
	uint64_t seed = rdtsc();
	for (int i = 0; i < 64; i++) {
		uint64_t t0 = rdtsc();
		(void)inb(0x61); /* an I/O exit: its duration is the jitter */
		seed = rotl(seed, 7) ^ (rdtsc() - t0) ^ t0;
	}
	for (int i = 0; i < 4; i++)
		rng.s[i] = splitmix64(&seed);
}

static uint64_t xoshiro_next(void)
{
	uint64_t *s = rng.s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t random_u64(void)
{
	uint64_t v;
	if (rng.rdrand && rdrand64(&v))
		return v;
	rng.s[0] ^= rdtsc();
	return xoshiro_next();
}

uint32_t random_u32(void) { return (uint32_t)(random_u64() >> 32); }
const char *random_source(void) { return rng.rdrand ? "rdrand" : "tsc-jitter"; }
