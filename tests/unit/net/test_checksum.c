/* The Internet checksum: RFC 1071's worked example, a real IPv4 header,
 * odd lengths against a bit-by-bit reference, chaining, the pseudo-header. */
#include <stdlib.h>

#include "net/checksum.h"
#include "net/wire.h"
#include "tests/unit/check.h"

/* The obvious implementation, to compare against. */
static uint16_t ref_csum(const uint8_t *p, size_t len)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += (i % 2 == 0) ? (uint32_t)p[i] << 8 : p[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* RFC 1071 1.3 (a numerical example): the words 0001 f203 f4f5 f6f7
 * sum to ddf2 (with end-around carries); the checksum is its complement. */
static void test_rfc1071_example(void)
{
	static const uint8_t bytes[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	CHECK_EQ_INT(csum_add(0, bytes, sizeof bytes), 0xddf2);
	CHECK_EQ_INT(csum_compute(bytes, sizeof bytes), 0x220d);
}

/* A captured IPv4 header whose checksum field holds b861. */
static void test_ipv4_header_vector(void)
{
	uint8_t h[20] = {
		0x45, 0x00, 0x00, 0x73, /* version 4, IHL 5, total length 115 */
		0x00, 0x00, 0x40, 0x00, /* id 0, DF */
		0x40, 0x11, 0xb8, 0x61, /* TTL 64, UDP, checksum b861 */
		0xc0, 0xa8, 0x00, 0x01, /* 192.168.0.1 */
		0xc0, 0xa8, 0x00, 0xc7, /* 192.168.0.199 */
	};

	CHECK_EQ_INT(csum_compute(h, sizeof h), 0);  /* verifies as received */
	be16_put(h + 10, 0);
	CHECK_EQ_INT(csum_compute(h, sizeof h), 0xb861);
	h[15] ^= 0x01;  /* a flipped bit is caught */
	CHECK(csum_compute(h, sizeof h) != 0xb861);
}

static void test_odd_lengths_match_reference(void)
{
	uint8_t buf[301];

	srand(7);
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)rand();
	for (size_t len = 0; len <= sizeof buf; len++)
		CHECK_EQ_INT(csum_compute(buf, len), ref_csum(buf, len));
	CHECK_EQ_INT(csum_compute(buf, 0), 0xffff);
	CHECK_EQ_INT(csum_compute((const uint8_t[]){ 0xab }, 1), (uint16_t)~0xab00);
}

static void test_chained_even_pieces(void)
{
	uint8_t buf[1000];

	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	for (size_t cut = 0; cut <= 999; cut += 2) {
		uint32_t s = csum_add(0, buf, cut);
		s = csum_add(s, buf + cut, 999 - cut);
		CHECK_EQ_INT(csum_fold(s), csum_compute(buf, 999));
	}
	CHECK_EQ_INT(csum_fold(csum_add16(csum_add(0, buf, 10), be16_get(buf + 10))),
		     csum_compute(buf, 12));
}

/* All 0xff bytes: a large sum with many carries. */
static void test_carries(void)
{
	static uint8_t big[65536];

	memset(big, 0xff, sizeof big);
	CHECK_EQ_INT(csum_compute(big, sizeof big), 0);
	CHECK_EQ_INT(csum_compute(big, sizeof big - 1), ref_csum(big, sizeof big - 1));
}

/* A UDP datagram (DNS query header only) with its pseudo-header:
 * 10.0.2.15:49152 -> 10.0.2.3:53, 8 + 4 bytes. */
static void test_pseudo_header(void)
{
	uint8_t udp[12] = {
		0xc0, 0x00, 0x00, 0x35, /* ports 49152 -> 53 */
		0x00, 0x0c, 0x00, 0x00, /* length 12, checksum to fill */
		0x12, 0x34, 0x01, 0x00, /* DNS id 0x1234, RD */
	};
	uint8_t whole[12 + 12];
	uint32_t s = csum_pseudo(0x0a00020f, 0x0a000203, 17, 12);
	uint16_t c;

	c = csum_fold(csum_add(s, udp, sizeof udp));
	/* The same sum computed over an explicit pseudo-header. */
	be32_put(whole, 0x0a00020f);
	be32_put(whole + 4, 0x0a000203);
	whole[8] = 0;
	whole[9] = 17;
	be16_put(whole + 10, 12);
	memcpy(whole + 12, udp, 12);
	CHECK_EQ_INT(c, csum_compute(whole, sizeof whole));
	be16_put(udp + 6, c);
	CHECK_EQ_INT(csum_fold(csum_add(s, udp, sizeof udp)), 0);
}

int main(void)
{
	check_suite = "net.checksum";
	RUN(test_rfc1071_example);
	RUN(test_ipv4_header_vector);
	RUN(test_odd_lengths_match_reference);
	RUN(test_chained_even_pieces);
	RUN(test_carries);
	RUN(test_pseudo_header);
	return check_report();
}
