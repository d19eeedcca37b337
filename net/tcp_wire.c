/* TCP header and options: parse and emit (RFC 9293 3.1, 3.2; RFC 7323). */
#include "net/tcp_wire.h"

#include <string.h>

#include "net/checksum.h"
#include "net/ipv4.h"
#include "net/wire.h"

enum tcp_parse_err tcp_opts_parse(const uint8_t *p, size_t len, struct tcp_opts *o)
{
	size_t i = 0;

	memset(o, 0, sizeof *o);
	while (i < len) {
		uint8_t kind = p[i];
		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		/* Every other kind has a length byte counting kind and length
		 * (RFC 9293 3.2): less than 2 would never advance. */
		if (i + 1 >= len)
			return TCP_PARSE_OPTLEN;
		uint8_t olen = p[i + 1];
		if (olen < 2)
			return TCP_PARSE_OPTLEN;
		if (olen > len - i)
			return TCP_PARSE_OPTLEN;
		const uint8_t *v = p + i + 2;
		switch (kind) {
		case TCPOPT_MSS:
			if (olen == TCPOLEN_MSS) {
				o->mss_ok = true;
				o->mss = be16_get(v);
			}
			break;
		case TCPOPT_WSCALE:
			if (olen == TCPOLEN_WSCALE) {
				o->ws_ok = true;
				o->ws = v[0];
			}
			break;
		case TCPOPT_SACK_PERMITTED:
			if (olen == TCPOLEN_SACK_PERMITTED)
				o->sack_ok = true;
			break;
		case TCPOPT_SACK:
			if (olen >= 10 && (olen - 2) % 8 == 0 && (olen - 2) / 8 <= TCP_SACK_BLOCKS_MAX) {
				o->sack_n = (uint8_t)((olen - 2) / 8);
				for (int b = 0; b < o->sack_n; b++) {
					o->sack[b][0] = be32_get(v + 8 * b);
					o->sack[b][1] = be32_get(v + 8 * b + 4);
				}
			}
			break;
		case TCPOPT_TIMESTAMP:
			if (olen == TCPOLEN_TIMESTAMP) {
				o->ts_ok = true;
				o->ts_val = be32_get(v);
				o->ts_ecr = be32_get(v + 4);
			}
			break;
		default:
			break; /* unknown kinds are skipped by their length */
		}
		i += olen;
	}
	return TCP_PARSE_OK;
}

enum tcp_parse_err tcp_hdr_parse(const uint8_t *p, size_t len, struct tcp_hdr *h)
{
	if (len < TCP_HLEN)
		return TCP_PARSE_SHORT;
	size_t hlen = (size_t)(p[TCP_OFF] >> 4) * 4;
	if (hlen < TCP_HLEN)
		return TCP_PARSE_HLEN;
	if (hlen > len)
		return TCP_PARSE_HLEN;
	enum tcp_parse_err err = tcp_opts_parse(p + TCP_HLEN, hlen - TCP_HLEN, &h->opts);
	if (err != TCP_PARSE_OK)
		return err;
	h->sport = be16_get(p + TCP_SPORT);
	h->dport = be16_get(p + TCP_DPORT);
	h->seq = be32_get(p + TCP_SEQ);
	h->ack = be32_get(p + TCP_ACK);
	h->hlen = (uint8_t)hlen;
	h->flags = p[TCP_FLAGS];
	h->wnd = be16_get(p + TCP_WIN);
	h->sum = be16_get(p + TCP_SUM);
	h->urp = be16_get(p + TCP_URP);
	return TCP_PARSE_OK;
}

size_t tcp_opts_len(const struct tcp_opts *o)
{
	size_t n = 0;

	if (o->mss_ok)
		n += TCPOLEN_MSS;
	if (o->ws_ok)
		n += 1 + TCPOLEN_WSCALE;          /* NOP, then the option: 4 */
	if (o->sack_ok)
		n += 2 + TCPOLEN_SACK_PERMITTED;  /* NOP NOP, then it: 4 */
	if (o->ts_ok)
		n += 2 + TCPOLEN_TIMESTAMP;       /* NOP NOP, then it: 12 */
	if (o->sack_n)
		n += 2 + 2 + 8u * o->sack_n;      /* NOP NOP, kind, length, blocks */
	return n;
}

size_t tcp_hdr_emit(uint8_t *p, const struct tcp_hdr *h)
{
	const struct tcp_opts *o = &h->opts;
	size_t hlen = TCP_HLEN + tcp_opts_len(o);
	uint8_t *q = p + TCP_HLEN;

	be16_put(p + TCP_SPORT, h->sport);
	be16_put(p + TCP_DPORT, h->dport);
	be32_put(p + TCP_SEQ, h->seq);
	be32_put(p + TCP_ACK, h->ack);
	p[TCP_OFF] = (uint8_t)((hlen / 4) << 4);
	p[TCP_FLAGS] = h->flags;
	be16_put(p + TCP_WIN, h->wnd);
	be16_put(p + TCP_SUM, h->sum);
	be16_put(p + TCP_URP, h->urp);
	/* Each option is padded with leading NOPs to keep 4-byte alignment,
	 * as the examples in RFC 7323 appendix A do. */
	if (o->mss_ok) {
		q[0] = TCPOPT_MSS;
		q[1] = TCPOLEN_MSS;
		be16_put(q + 2, o->mss);
		q += TCPOLEN_MSS;
	}
	if (o->ws_ok) {
		q[0] = TCPOPT_NOP;
		q[1] = TCPOPT_WSCALE;
		q[2] = TCPOLEN_WSCALE;
		q[3] = o->ws;
		q += 4;
	}
	if (o->sack_ok) {
		q[0] = TCPOPT_NOP;
		q[1] = TCPOPT_NOP;
		q[2] = TCPOPT_SACK_PERMITTED;
		q[3] = TCPOLEN_SACK_PERMITTED;
		q += 4;
	}
	if (o->ts_ok) {
		q[0] = TCPOPT_NOP;
		q[1] = TCPOPT_NOP;
		q[2] = TCPOPT_TIMESTAMP;
		q[3] = TCPOLEN_TIMESTAMP;
		be32_put(q + 4, o->ts_val);
		be32_put(q + 8, o->ts_ecr);
		q += 12;
	}
	if (o->sack_n) {
		q[0] = TCPOPT_NOP;
		q[1] = TCPOPT_NOP;
		q[2] = TCPOPT_SACK;
		q[3] = (uint8_t)(2 + 8 * o->sack_n);
		for (int b = 0; b < o->sack_n; b++) {
			be32_put(q + 4 + 8 * b, o->sack[b][0]);
			be32_put(q + 8 + 8 * b, o->sack[b][1]);
		}
		q += 4 + 8 * o->sack_n;
	}
	return hlen;
}

uint16_t tcp_checksum(uint32_t src, uint32_t dst, const uint8_t *p, size_t len)
{
	uint32_t s = csum_pseudo(src, dst, IPV4_PROTO_TCP, (uint16_t)len);
	return csum_fold(csum_add(s, p, len));
}
