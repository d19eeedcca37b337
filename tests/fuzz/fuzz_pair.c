/* Fuzz target pair: two Pigeon TCP endpoints talking through a link the
 * fuzzer tampers with (smoltcp's fuzz/fuzz_targets/iface.rs idea). Both
 * ends live in the one stack: a client connects to 10.0.2.80:80, and the
 * link rewrites each frame so the listener on our own address answers
 * (the hairpin of tests/unit/tcp/test_tcp_soak.c). Each side sends
 * PAIR_BYTES, half-closes, reads to the end and closes.
 *
 * The fuzzer writes patches into the frames in flight, by their order on
 * the link: bytes overwritten, a frame dropped, duplicated or held back.
 * Checksums are not verified in fuzz builds, so a patched frame is taken
 * as it is: any header field can be a lie.
 *
 * Checks: the world's invariants after every step; no storm (more than
 * PAIR_STORM_MAX frames in one simulated second: two ends answering each
 * other's segments forever); when no patch touched a frame, both streams
 * arrive intact, both sides close, and after TIME_WAIT only the listener
 * is left.
 *
 * Input: patches until the input ends (at most PAIR_PATCHES_MAX), each
 *   u8  frame    index of the frame on the link (0 = the SYN)
 *   u8  op       bits 0-1: 0 write, 1 drop, 2 duplicate, 3 delay
 *   u16 offset   write: where, from the Ethernet header; delay: ms
 *   u8  len      write: the bytes that follow (cut to the frame) */
#include <string.h>

#include "net/checksum.h"
#include "net/err.h"
#include "net/ethernet.h"
#include "net/stack.h"
#include "net/tcp_wire.h"
#include "net/wire.h"
#include "tests/fuzz/fuzz_world.h"

#define VIRT_S IPV4_ADDR(10, 0, 2, 80)
#define VIRT_C IPV4_ADDR(10, 0, 2, 81)

enum {
	PAIR_PORT = 80,
	PAIR_BYTES = 6000,
	PAIR_PATCHES_MAX = 32,
	PAIR_LINK_MAX = 256,           /* frames in flight */
	PAIR_DELAY_MS = 1,             /* the link's own delay */
	PAIR_STEPS_MAX = 3000,
	PAIR_SIM_MS = 15 * 60 * 1000,  /* long enough for every timeout */
	PAIR_TIME_WAIT_MS = 61000,     /* 2 MSL and a second */
	PAIR_STORM_MAX = 1000,         /* frames in one second: an honest run sends ~30 in all */
};

enum { OP_WRITE, OP_DROP, OP_DUP, OP_DELAY };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct patch {
	uint8_t frame, op;
	uint16_t offset;
	uint8_t len;
	const uint8_t *bytes;
};

struct wire_frame {
	uint64_t due;
	size_t len;
	uint8_t data[1536];
};

static struct pair {
	struct patch patches[PAIR_PATCHES_MAX];
	int npatches;
	int applied;                    /* patches that touched a frame */
	unsigned frames;                /* frames put on the link so far */
	uint64_t second_start;          /* the storm check: frames since then */
	unsigned second_frames;
	struct wire_frame link[PAIR_LINK_MAX];
	int nlink;
} P;

static uint8_t pattern[2 * PAIR_BYTES];

/* The frame Pigeon sent, as the other end must receive it; false if it
 * is not hairpin traffic. */
static bool hairpin_rewrite(uint8_t *f, size_t len)
{
	uint8_t *ip = f + ETH_HLEN, *t = ip + IPV4_HLEN;
	if (len < ETH_HLEN + IPV4_HLEN + TCP_HLEN || be16_get(f + ETH_TYPE) != ETH_P_IPV4 ||
	    ip[IPV4_PROTO] != IPV4_PROTO_TCP || ip[IPV4_VER_IHL] != 0x45)
		return false;
	uint32_t src = be32_get(ip + IPV4_SRC), dst = be32_get(ip + IPV4_DST), nsrc;
	size_t total = be16_get(ip + IPV4_TOTAL_LEN);
	if (src != FW_OUR_IP || total < IPV4_HLEN + TCP_HLEN || total > len - ETH_HLEN)
		return false;
	if (dst == VIRT_S && be16_get(t + TCP_DPORT) == PAIR_PORT)
		nsrc = VIRT_C;
	else if (dst == VIRT_C && be16_get(t + TCP_SPORT) == PAIR_PORT)
		nsrc = VIRT_S;
	else
		return false;
	memcpy(f + ETH_DST, fw_our_mac, 6);
	memcpy(f + ETH_SRC, fw_gw_mac, 6);
	be32_put(ip + IPV4_SRC, nsrc);
	be32_put(ip + IPV4_DST, FW_OUR_IP);
	be16_put(ip + IPV4_CSUM, 0);
	be16_put(ip + IPV4_CSUM, csum_compute(ip, IPV4_HLEN));
	be16_put(t + TCP_SUM, 0);
	be16_put(t + TCP_SUM, tcp_checksum(nsrc, FW_OUR_IP, t, total - IPV4_HLEN));
	return true;
}

static void link_put(const uint8_t *f, size_t len, uint64_t due)
{
	if (P.nlink == PAIR_LINK_MAX || len > sizeof P.link[0].data)
		return; /* the link is full: lost */
	struct wire_frame *w = &P.link[P.nlink++];
	w->due = due;
	w->len = len;
	memcpy(w->data, f, len);
}

/* Every frame Pigeon transmits: hairpin traffic goes on the link, with
 * this frame's patches applied. */
static void pair_tx_hook(struct fake_link *l, const uint8_t *frame, size_t len)
{
	uint8_t f[1536];
	uint64_t due = fw.now + PAIR_DELAY_MS;
	int copies = 1;

	(void)l;
	if (len > sizeof f)
		return;
	memcpy(f, frame, len);
	if (!hairpin_rewrite(f, len))
		return;
	unsigned idx = P.frames++;
	if (fw.now - P.second_start >= 1000) {
		P.second_start = fw.now;
		P.second_frames = 0;
	}
	FUZZ_ASSERT(++P.second_frames <= PAIR_STORM_MAX && "a storm: frames answering frames");
	for (int i = 0; i < P.npatches; i++) {
		const struct patch *pt = &P.patches[i];
		if (pt->frame != idx)
			continue;
		P.applied++;
		switch (pt->op) {
		case OP_WRITE:
			for (size_t j = 0; j < pt->len && pt->offset + j < len; j++)
				f[pt->offset + j] = pt->bytes[j];
			break;
		case OP_DROP:
			copies = 0;
			break;
		case OP_DUP:
			copies = copies ? copies + 1 : 0;
			break;
		case OP_DELAY:
			due += pt->offset;
			break;
		}
	}
	for (int i = 0; i < copies; i++)
		link_put(f, len, due);
}

/* Deliver the frames that are due, oldest due first. */
static void link_deliver(void)
{
	for (;;) {
		int best = -1;
		for (int i = 0; i < P.nlink; i++)
			if (P.link[i].due <= fw.now && (best < 0 || P.link[i].due < P.link[best].due))
				best = i;
		if (best < 0)
			return;
		struct wire_frame w = P.link[best];
		memmove(&P.link[best], &P.link[best + 1], (size_t)(P.nlink - best - 1) * sizeof P.link[0]);
		P.nlink--;
		fuzz_world_inject(&fw.eth0, w.data, w.len);
		fuzz_world_check();
	}
}

static uint64_t link_next_due(void)
{
	uint64_t next = UINT64_MAX;
	for (int i = 0; i < P.nlink; i++)
		if (P.link[i].due < next)
			next = P.link[i].due;
	return next;
}

struct side {
	struct tcp_conn *c;
	const uint8_t *out, *expect;
	size_t sent, got;
	bool shut, eof, bad, closed;
};

/* One side's application: send, half-close, read, close at the end. */
static void side_step(struct side *sd)
{
	static uint8_t buf[4096];

	if (!sd->c || sd->closed)
		return;
	while (sd->sent < PAIR_BYTES) {
		long n = tcp_conn_send(sd->c, sd->out + sd->sent, PAIR_BYTES - sd->sent);
		if (n <= 0)
			break;
		FUZZ_ASSERT((size_t)n <= PAIR_BYTES - sd->sent);
		sd->sent += (size_t)n;
	}
	if (sd->sent == PAIR_BYTES && !sd->shut) {
		tcp_conn_shutdown_send(sd->c);
		sd->shut = true;
	}
	for (;;) {
		long n = tcp_conn_recv(sd->c, buf, sizeof buf);
		if (n == 0)
			sd->eof = true;
		if (n <= 0)
			break;
		if (sd->got + (size_t)n > PAIR_BYTES || memcmp(buf, sd->expect + sd->got, (size_t)n) != 0)
			sd->bad = true;
		sd->got += (size_t)n;
	}
	/* Closed when done, or when the connection died. */
	if ((sd->eof && sd->shut) || tcp_conn_state(sd->c) == TCP_CLOSED) {
		tcp_conn_close(sd->c);
		sd->closed = true;
		sd->c = NULL;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_world_cfg cfg = { .tcp_listen = true, .arp_any = true };
	struct fuzz_in in = { data, size };
	struct side side[2];

	if (!pattern[1])
		for (size_t i = 0; i < sizeof pattern; i++)
			pattern[i] = (uint8_t)(i * 13 + 5);
	memset(&P, 0, sizeof P);
	while (P.npatches < PAIR_PATCHES_MAX && in.n >= 5) {
		struct patch *pt = &P.patches[P.npatches++];
		size_t got;
		pt->frame = fuzz_u8(&in);
		pt->op = fuzz_u8(&in) & 3;
		pt->offset = fuzz_u16(&in);
		pt->len = fuzz_u8(&in);
		pt->bytes = pt->op == OP_WRITE ? fuzz_bytes(&in, pt->len, &got) : NULL;
		if (pt->op == OP_WRITE)
			pt->len = (uint8_t)got;
	}

	fuzz_world_begin(&cfg);
	fw.tx_hook = pair_tx_hook;
	memset(side, 0, sizeof side);
	side[0].out = pattern;
	side[0].expect = pattern + PAIR_BYTES;
	side[1].out = pattern + PAIR_BYTES;
	side[1].expect = pattern;
	side[0].c = tcp_conn_new();
	FUZZ_ASSERT(side[0].c && tcp_conn_connect(side[0].c, VIRT_S, PAIR_PORT) == NET_OK);
	fuzz_world_run(0);

	uint64_t end = fw.now + PAIR_SIM_MS;
	for (int step = 0; step < PAIR_STEPS_MAX && fw.now < end; step++) {
		struct tcp_conn *a;
		while ((a = tcp_conn_accept(fw.listener)) != NULL) {
			if (side[1].c || side[1].closed)
				tcp_conn_abort(a); /* a second connection: only from a patch */
			else
				side[1].c = a;
		}
		side_step(&side[0]);
		side_step(&side[1]);
		fuzz_world_run(0);
		link_deliver();
		fuzz_world_check();
		uint64_t next = link_next_due(), timers = net_next_deadline();
		if (timers < next)
			next = timers;
		if (next == UINT64_MAX || (side[0].closed && side[1].closed && P.nlink == 0))
			break;
		if (next > fw.now)
			fuzz_world_run(next - fw.now);
		link_deliver();
	}
	fuzz_world_run(PAIR_TIME_WAIT_MS);
	link_deliver();
	fuzz_world_run(PAIR_TIME_WAIT_MS);
	fuzz_world_check();
	if (P.applied == 0) {
		/* An honest link: the transfer must simply work. */
		for (int i = 0; i < 2; i++) {
			FUZZ_ASSERT(!side[i].bad);
			FUZZ_ASSERT(side[i].got == PAIR_BYTES && side[i].eof && side[i].closed);
		}
		FUZZ_ASSERT(tcp_conn_count() == 1); /* the listener */
	}
	for (int i = 0; i < 2; i++)
		if (side[i].c)
			tcp_conn_abort(side[i].c);
	fuzz_world_end();
	return 0;
}
