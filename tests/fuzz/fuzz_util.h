/* What every fuzz target uses: a failed check that libFuzzer records as a
 * crash, and a cursor that takes structured fields from the input. */
#ifndef TESTS_FUZZ_FUZZ_UTIL_H
#define TESTS_FUZZ_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Abort with a message when cond is false (a finding). */
#define FUZZ_ASSERT(cond)                                                      \
	do {                                                                   \
		if (!(cond))                                                   \
			fuzz_fail(__FILE__, __LINE__, #cond);                  \
	} while (0)
void fuzz_fail(const char *file, int line, const char *what) __attribute__((noreturn));

/* A cursor over the fuzzer's input; reads past the end give zeros. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};
uint8_t fuzz_u8(struct fuzz_in *in);
uint16_t fuzz_u16(struct fuzz_in *in);   /* big-endian */
uint32_t fuzz_u32(struct fuzz_in *in);   /* big-endian */
/* Up to n bytes: *got says how many there were. */
const uint8_t *fuzz_bytes(struct fuzz_in *in, size_t n, size_t *got);

/* The simulated time a failure is reported at; fuzz_world keeps it. */
extern uint64_t fuzz_now_ms;

#endif
