/* The kernel's one random generator: RDRAND when the CPU has it, else a
 * xoshiro256** state seeded from TSC jitter. Used for TCP ISNs, DNS IDs and
 * source ports, DHCP transaction IDs. */
#ifndef KERNEL_RANDOM_H
#define KERNEL_RANDOM_H

#include <stdint.h>

void random_init(void);
uint32_t random_u32(void);
uint64_t random_u64(void);
/* "rdrand" or "tsc-jitter". */
const char *random_source(void);

#endif
