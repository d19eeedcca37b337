/* Fuzz target ipv4_reasm: a sequence of IPv4 fragments through
 * ipv4_input into reassembly (net/ipv4_reasm.c): overlaps, duplicates,
 * lying offsets, oversize totals, datagrams that never complete and the
 * timeouts that end them. The harness writes the headers (so every
 * record reaches reassembly) and the fuzzer chooses what matters: the
 * flags and offset word, the payload, which datagram, when.
 *
 * Input: records until the input ends, each
 *   u8   ctl      bits 0-1: datagram (IP ID 0x4200 + n)
 *                 bit  2:   source 198.51.100.10 instead of 10.0.2.3
 *                 bits 3-4: protocol UDP (to port 5000), ICMP, TCP, 99
 *                 bit  5:   advance the clock 10 s first
 *                 bit  6:   an options word in the header (IHL 6)
 *                 bit  7:   addressed to the subnet broadcast
 *   u16  frag     the flags and fragment offset word, as on the wire
 *   u16  len      payload bytes (cut to what the input and a frame hold)
 *   len  bytes
 * At the end the clock runs past the reassembly timeout. */
#include <string.h>

#include "net/checksum.h"
#include "net/ethernet.h"
#include "net/ipv4_reasm.h"
#include "net/wire.h"
#include "tests/fuzz/fuzz_world.h"

enum {
	REASM_RECORDS_MAX = 256,
	REASM_PAYLOAD_MAX = 1500 - 24,
	REASM_ID_BASE = 0x4200,
	REASM_STEP_MS = 10000,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t protos[4] = { IPV4_PROTO_UDP, IPV4_PROTO_ICMP, IPV4_PROTO_TCP, 99 };
	static const struct fuzz_world_cfg cfg = { .tcp_listen = true, .udp = true };
	struct fuzz_in in = { data, size };

	fuzz_world_begin(&cfg);
	for (int r = 0; r < REASM_RECORDS_MAX && in.n >= 5; r++) {
		uint8_t f[ETH_HLEN + 24 + REASM_PAYLOAD_MAX];
		uint8_t ctl = fuzz_u8(&in);
		uint16_t frag = fuzz_u16(&in);
		size_t want = fuzz_u16(&in), got;
		const uint8_t *payload = fuzz_bytes(&in, want < REASM_PAYLOAD_MAX ? want : REASM_PAYLOAD_MAX, &got);
		size_t hlen = (ctl & 0x40) ? 24 : 20;
		uint8_t *ip = f + ETH_HLEN;
		uint32_t dst = (ctl & 0x80) ? (FW_OUR_IP | ~FW_MASK) : FW_OUR_IP;

		if (ctl & 0x20)
			fuzz_world_run(REASM_STEP_MS);
		memcpy(f + ETH_DST, fw_our_mac, 6);
		memcpy(f + ETH_SRC, fw_gw_mac, 6);
		be16_put(f + ETH_TYPE, ETH_P_IPV4);
		ip[IPV4_VER_IHL] = (uint8_t)(0x40 | hlen / 4);
		ip[IPV4_TOS] = 0;
		be16_put(ip + IPV4_TOTAL_LEN, (uint16_t)(hlen + got));
		be16_put(ip + IPV4_ID, (uint16_t)(REASM_ID_BASE + (ctl & 3)));
		be16_put(ip + IPV4_FLAGS_FRAG, frag);
		ip[IPV4_TTL] = 64;
		ip[IPV4_PROTO] = protos[(ctl >> 3) & 3];
		be16_put(ip + IPV4_CSUM, 0);
		be32_put(ip + IPV4_SRC, (ctl & 4) ? FW_WEB_IP : FW_DNS_IP);
		be32_put(ip + IPV4_DST, dst);
		if (hlen > 20)
			memset(ip + 20, 1, 4); /* four NOPs */
		be16_put(ip + IPV4_CSUM, csum_compute(ip, hlen));
		memcpy(ip + hlen, payload, got);
		fuzz_world_inject(&fw.eth0, f, ETH_HLEN + hlen + got);
		fuzz_world_check();
	}
	fuzz_world_run(IPV4_REASM_TIMEOUT_MS + 1000);
	uint32_t datagrams, frags;
	ipv4_reasm_usage(&datagrams, &frags);
	FUZZ_ASSERT(datagrams == 0 && frags == 0); /* all expired */
	fuzz_world_end();
	return 0;
}
