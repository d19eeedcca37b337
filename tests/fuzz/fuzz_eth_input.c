/* Fuzz target eth_input: one Ethernet frame through the whole receive
 * path (netif_input: Ethernet, ARP, IPv4 with options and reassembly,
 * ICMP, UDP, TCP) of a stack that has something to lose: an established
 * TCP connection with data in flight, a listener, a UDP endpoint with a
 * queue (tests/fuzz/fuzz_world.h). The timers then run for a while, so
 * whatever the frame left behind (a fragment, a half-open connection, an
 * ARP entry) meets its deadlines too.
 *
 * Input: the frame, from the destination MAC on (no FCS). */
#include "tests/fuzz/fuzz_world.h"

enum { ETH_INPUT_RUN_MS = 65000 }; /* past the reassembly timeout (30 s) and a SYN's retries */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_world_cfg cfg = { .tcp_client = true, .tcp_listen = true, .udp = true };

	if (size > NETBUF_SIZE)
		return 0;
	fuzz_world_begin(&cfg);
	fuzz_world_inject(&fw.eth0, data, size);
	fuzz_world_check();
	fuzz_world_run(ETH_INPUT_RUN_MS);
	fuzz_world_end();
	return 0;
}
