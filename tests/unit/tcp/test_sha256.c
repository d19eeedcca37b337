/* SHA-256 against the FIPS 180-4 examples (NIST "SHA256.pdf" and the
 * "SHA-256 long message" vector), fed whole and in awkward pieces. */
#include <stdlib.h>

#include "tests/unit/check.h"
#include "user/sha256.h"

static const char *digest_of(const void *p, size_t len, size_t chunk)
{
	static char hex[65];
	struct sha256 s;
	uint8_t d[32];
	const uint8_t *b = p;

	sha256_init(&s);
	for (size_t off = 0; off < len; off += chunk)
		sha256_update(&s, b + off, len - off < chunk ? len - off : chunk);
	sha256_final(&s, d);
	sha256_hex(d, hex);
	return hex;
}

static void test_abc(void)
{
	CHECK_EQ_STR(digest_of("abc", 3, 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_EQ_STR(digest_of("abc", 3, 1), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_two_blocks(void)
{
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 448 bits */
	CHECK_EQ_STR(digest_of(m, strlen(m), 56), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	CHECK_EQ_STR(digest_of(m, strlen(m), 7), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_empty(void)
{
	CHECK_EQ_STR(digest_of("", 0, 1), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_million_a(void)
{
	size_t n = 1000000;
	char *m = malloc(n);
	memset(m, 'a', n);
	CHECK_EQ_STR(digest_of(m, n, 4093), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(m);
}

int main(void)
{
	check_suite = "sha256";
	RUN(test_abc);
	RUN(test_two_blocks);
	RUN(test_empty);
	RUN(test_million_a);
	return check_report();
}
