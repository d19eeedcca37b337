/* SHA-256 (FIPS 180-4, sections 4.1.2, 5.3.3, 6.2): the digest `nc -s`
 * prints so a bulk transfer can be checked end to end against
 * `sha256sum` on the other side. Streaming: init, update as bytes come,
 * final. Portable C; no kernel or network dependencies. */
#ifndef USER_SHA256_H
#define USER_SHA256_H

#include <stddef.h>
#include <stdint.h>

enum { SHA256_DIGEST_LEN = 32, SHA256_BLOCK_LEN = 64 };

struct sha256 {
	uint32_t h[8];                    /* the hash value H(i) */
	uint64_t bytes;                   /* message length so far */
	uint8_t block[SHA256_BLOCK_LEN];  /* a partial block */
	size_t fill;                      /* bytes in it */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Pad, finish and write the digest; s must be initialised again to reuse. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_LEN]);
/* The digest as 64 lowercase hex digits and a NUL in hex (65 bytes). */
void sha256_hex(const uint8_t digest[SHA256_DIGEST_LEN], char hex[2 * SHA256_DIGEST_LEN + 1]);

#endif
