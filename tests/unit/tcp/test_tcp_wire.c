/* The TCP header and options from annotated bytes: decode, encode,
 * impossible lengths, malformed options, and the checksum shown a
 * published-style vector and a flipped bit. */
#include "net/tcp_wire.h"

#include "net/checksum.h"
#include "net/ipv4.h"
#include "net/wire.h"
#include "tests/unit/check.h"

/* A SYN from 10.0.2.2:40000 to 10.0.2.15:80 with MSS, SACK-permitted,
 * timestamps, NOP and window scale 7: what Linux sends. */
static const uint8_t syn[40] = {
	0x9c, 0x40,             /* source port 40000 */
	0x00, 0x50,             /* destination port 80 */
	0xff, 0xff, 0xff, 0x00, /* sequence number 0xffffff00 (near the wrap) */
	0x00, 0x00, 0x00, 0x00, /* acknowledgment number 0 */
	0xa0,                   /* data offset 10 words = 40 bytes */
	0x02,                   /* SYN */
	0xfa, 0xf0,             /* window 64240 */
	0x00, 0x00,             /* checksum (filled by the test) */
	0x00, 0x00,             /* urgent pointer */
	0x02, 0x04, 0x05, 0xb4, /* MSS 1460 */
	0x04, 0x02,             /* SACK permitted */
	0x08, 0x0a, 0x00, 0x01, 0x02, 0x03, 0x00, 0x00, 0x00, 0x00, /* TS val 0x10203, ecr 0 */
	0x01,                   /* NOP */
	0x03, 0x03, 0x07,       /* window scale 7 */
};

static void test_decode_syn(void)
{
	struct tcp_hdr h;

	CHECK_EQ_INT(tcp_hdr_parse(syn, sizeof syn, &h), TCP_PARSE_OK);
	CHECK_EQ_INT(h.sport, 40000);
	CHECK_EQ_INT(h.dport, 80);
	CHECK_EQ_INT(h.seq, 0xffffff00u);
	CHECK_EQ_INT(h.ack, 0);
	CHECK_EQ_INT(h.hlen, 40);
	CHECK_EQ_INT(h.flags, TCP_SYN);
	CHECK_EQ_INT(h.wnd, 64240);
	CHECK(h.opts.mss_ok && h.opts.mss == 1460);
	CHECK(h.opts.sack_ok);
	CHECK(h.opts.ts_ok && h.opts.ts_val == 0x10203 && h.opts.ts_ecr == 0);
	CHECK(h.opts.ws_ok && h.opts.ws == 7);
}

static void test_encode_round_trip(void)
{
	struct tcp_hdr h = { .sport = 80, .dport = 40000, .seq = 0x01020304, .ack = 0xffffff01,
			     .flags = TCP_SYN | TCP_ACK_FLAG, .wnd = 65535 };
	uint8_t buf[60];
	struct tcp_hdr back;

	h.opts.mss_ok = true;
	h.opts.mss = 1460;
	h.opts.ws_ok = true;
	h.opts.ws = 3;
	CHECK_EQ_INT(tcp_opts_len(&h.opts), 8);
	size_t n = tcp_hdr_emit(buf, &h);
	CHECK_EQ_INT(n, 28);
	CHECK_EQ_INT(buf[TCP_OFF], 7 << 4);
	/* MSS as 02 04 05 b4, then NOP and window scale 3. */
	static const uint8_t opts[8] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 3 };
	CHECK_EQ_MEM(buf + 20, opts, 8);
	CHECK_EQ_INT(tcp_hdr_parse(buf, n, &back), TCP_PARSE_OK);
	CHECK_EQ_INT(back.seq, h.seq);
	CHECK_EQ_INT(back.ack, h.ack);
	CHECK_EQ_INT(back.flags, h.flags);
	CHECK_EQ_INT(back.wnd, 65535);
	CHECK(back.opts.mss_ok && back.opts.mss == 1460 && back.opts.ws_ok && back.opts.ws == 3);
	CHECK(!back.opts.sack_ok && !back.opts.ts_ok);
}

static void test_impossible_lengths(void)
{
	struct tcp_hdr h;
	uint8_t b[40];

	CHECK_EQ_INT(tcp_hdr_parse(syn, 19, &h), TCP_PARSE_SHORT);
	memcpy(b, syn, sizeof b);
	b[TCP_OFF] = 4 << 4; /* offset below 5 words */
	CHECK_EQ_INT(tcp_hdr_parse(b, sizeof b, &h), TCP_PARSE_HLEN);
	b[TCP_OFF] = 11 << 4; /* 44 bytes of header in 40 */
	CHECK_EQ_INT(tcp_hdr_parse(b, sizeof b, &h), TCP_PARSE_HLEN);
	/* The header claims 40 but the segment is cut at 30. */
	CHECK_EQ_INT(tcp_hdr_parse(syn, 30, &h), TCP_PARSE_HLEN);
}

static void test_malformed_options(void)
{
	struct tcp_opts o;
	static const uint8_t len0[4] = { 0x08, 0x00, 0x01, 0x01 };  /* length 0 */
	static const uint8_t len1[4] = { 0x02, 0x01, 0x01, 0x01 };  /* length 1 */
	static const uint8_t past[4] = { 0x01, 0x02, 0x04, 0x05 };  /* MSS runs past the end */
	static const uint8_t nolen[4] = { 0x01, 0x01, 0x01, 0x02 }; /* kind with no length byte */

	CHECK_EQ_INT(tcp_opts_parse(len0, 4, &o), TCP_PARSE_OPTLEN);
	CHECK_EQ_INT(tcp_opts_parse(len1, 4, &o), TCP_PARSE_OPTLEN);
	CHECK_EQ_INT(tcp_opts_parse(past, 4, &o), TCP_PARSE_OPTLEN);
	CHECK_EQ_INT(tcp_opts_parse(nolen, 4, &o), TCP_PARSE_OPTLEN);

	/* And through the header: a 24-byte header whose option is bad. */
	uint8_t b[24];
	struct tcp_hdr h;
	memcpy(b, syn, 20);
	b[TCP_OFF] = 6 << 4;
	memcpy(b + 20, len0, 4);
	CHECK_EQ_INT(tcp_hdr_parse(b, sizeof b, &h), TCP_PARSE_OPTLEN);
}

static void test_unknown_and_odd_options_skipped(void)
{
	struct tcp_opts o;
	/* An unknown kind 99 with 4 bytes, an MSS with the wrong length
	 * (ignored), then a good window scale, EOL, and junk after EOL. */
	static const uint8_t opts[16] = {
		99, 4, 0xaa, 0xbb,   /* unknown: skipped */
		2, 3, 0x05,          /* MSS with length 3: ignored */
		3, 3, 20,            /* window scale 20 (clamped later, kept as sent) */
		0,                   /* EOL */
		0xff, 0x00, 0x00, 0x00, 0x00,
	};
	CHECK_EQ_INT(tcp_opts_parse(opts, sizeof opts, &o), TCP_PARSE_OK);
	CHECK(!o.mss_ok);
	CHECK(o.ws_ok && o.ws == 20);
	/* No options at all. */
	CHECK_EQ_INT(tcp_opts_parse(opts, 0, &o), TCP_PARSE_OK);
	CHECK(!o.mss_ok && !o.ws_ok);
}

static void test_sack_blocks(void)
{
	struct tcp_opts o;
	/* NOP NOP, SACK with two blocks: [0x1000, 0x2000) [0xfffffff0, 0x10). */
	static const uint8_t opts[20] = {
		1, 1, 5, 18,
		0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20, 0x00,
		0xff, 0xff, 0xff, 0xf0, 0x00, 0x00, 0x00, 0x10,
	};
	uint8_t buf[60];
	struct tcp_hdr h = { .flags = TCP_ACK_FLAG };

	CHECK_EQ_INT(tcp_opts_parse(opts, sizeof opts, &o), TCP_PARSE_OK);
	CHECK_EQ_INT(o.sack_n, 2);
	CHECK_EQ_INT(o.sack[0][0], 0x1000);
	CHECK_EQ_INT(o.sack[1][0], 0xfffffff0u);
	CHECK_EQ_INT(o.sack[1][1], 0x10);
	h.opts = o;
	CHECK_EQ_INT(tcp_opts_len(&h.opts), 20);
	CHECK_EQ_INT(tcp_hdr_emit(buf, &h), 40);
	CHECK_EQ_MEM(buf + 20, opts, sizeof opts);
	/* A SACK whose length is not 2 + 8n is ignored, not trusted. */
	static const uint8_t odd[8] = { 1, 1, 5, 6, 0, 0, 0, 1 };
	CHECK_EQ_INT(tcp_opts_parse(odd, sizeof odd, &o), TCP_PARSE_OK);
	CHECK_EQ_INT(o.sack_n, 0);
}

static void test_checksum(void)
{
	uint8_t b[44];
	uint32_t src = IPV4_ADDR(10, 0, 2, 2), dst = IPV4_ADDR(10, 0, 2, 15);

	memcpy(b, syn, 40);
	memcpy(b + 40, "abc", 3); /* odd length: padded with a zero byte */
	be16_put(b + TCP_SUM, 0);
	be16_put(b + TCP_SUM, tcp_checksum(src, dst, b, 43));
	CHECK_EQ_INT(tcp_checksum(src, dst, b, 43), 0);
	/* The same sum by hand: pseudo-header words and the segment. */
	uint32_t s = csum_pseudo(src, dst, IPV4_PROTO_TCP, 43);
	CHECK_EQ_INT(csum_fold(csum_add(s, b, 43)), 0);
	b[41] ^= 0x01; /* a flipped bit */
	CHECK(tcp_checksum(src, dst, b, 43) != 0);
	b[41] ^= 0x01;
	/* The pseudo-header counts: another destination fails. */
	CHECK(tcp_checksum(src, dst + 1, b, 43) != 0);
}

int main(void)
{
	check_suite = "tcp_wire";
	RUN(test_decode_syn);
	RUN(test_encode_round_trip);
	RUN(test_impossible_lengths);
	RUN(test_malformed_options);
	RUN(test_unknown_and_odd_options_skipped);
	RUN(test_sack_blocks);
	RUN(test_checksum);
	return check_report();
}
