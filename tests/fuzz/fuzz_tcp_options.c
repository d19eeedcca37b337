/* Fuzz target tcp_options: the TCP header and options parser
 * (net/tcp_wire.c). Besides surviving any bytes, the parser must agree
 * with itself and with the emitter:
 * - an accepted header has 20 <= hlen <= 60, within the segment;
 * - its options are exactly what tcp_opts_parse makes of the options area;
 * - options that fit 40 bytes, emitted by tcp_hdr_emit and parsed again,
 *   come back the same (what we send is what a peer reads).
 *
 * Input: a TCP segment (header, options, data). The whole input is also
 * given to tcp_opts_parse as an options area of any length. */
#include "net/tcp_wire.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool opts_same(const struct tcp_opts *a, const struct tcp_opts *b)
{
	if (a->mss_ok != b->mss_ok || a->ws_ok != b->ws_ok || a->sack_ok != b->sack_ok || a->ts_ok != b->ts_ok ||
	    a->sack_n != b->sack_n)
		return false;
	if ((a->mss_ok && a->mss != b->mss) || (a->ws_ok && a->ws != b->ws))
		return false;
	if (a->ts_ok && (a->ts_val != b->ts_val || a->ts_ecr != b->ts_ecr))
		return false;
	for (int i = 0; i < a->sack_n; i++)
		if (a->sack[i][0] != b->sack[i][0] || a->sack[i][1] != b->sack[i][1])
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcp_opts o;
	struct tcp_hdr h, h2;
	uint8_t out[TCP_HLEN_OPT_MAX];

	if (tcp_opts_parse(data, size, &o) == TCP_PARSE_OK)
		FUZZ_ASSERT(o.sack_n <= TCP_SACK_BLOCKS_MAX);

	if (tcp_hdr_parse(data, size, &h) != TCP_PARSE_OK)
		return 0;
	FUZZ_ASSERT(h.hlen >= TCP_HLEN && h.hlen <= TCP_HLEN_OPT_MAX && h.hlen <= size && h.hlen % 4 == 0);
	FUZZ_ASSERT(tcp_opts_parse(data + TCP_HLEN, h.hlen - TCP_HLEN, &o) == TCP_PARSE_OK);
	FUZZ_ASSERT(opts_same(&o, &h.opts));

	if (TCP_HLEN + tcp_opts_len(&h.opts) > TCP_HLEN_OPT_MAX)
		return 0;
	size_t n = tcp_hdr_emit(out, &h);
	FUZZ_ASSERT(n == TCP_HLEN + tcp_opts_len(&h.opts) && n % 4 == 0);
	FUZZ_ASSERT(tcp_hdr_parse(out, n, &h2) == TCP_PARSE_OK);
	FUZZ_ASSERT(h2.hlen == n);
	FUZZ_ASSERT(h2.sport == h.sport && h2.dport == h.dport && h2.seq == h.seq && h2.ack == h.ack);
	FUZZ_ASSERT(h2.flags == h.flags && h2.wnd == h.wnd && h2.sum == h.sum && h2.urp == h.urp);
	FUZZ_ASSERT(opts_same(&h2.opts, &h.opts));
	return 0;
}
