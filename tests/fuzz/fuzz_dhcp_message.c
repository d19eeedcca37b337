/* Fuzz target dhcp_message: DHCP replies through dhcp_parse (fixed
 * fields, options, overload into file and sname) and into the client's
 * state machine on eth0, reached in the state the input picks: a
 * lying lease time, a NAK, an OFFER in BOUND, options past their field.
 *
 * Checks: a parsed message is sane (type 1..8, at most NETIF_DNS_MAX
 * servers, the message text terminated); after every step the
 * interface's address agrees with the client's state (configured while
 * it holds a lease, empty otherwise); the world's invariants hold.
 *
 * Input:
 *   u8 ctl   bit 0: write the client's xid and MAC into each message
 *            bits 1-2: the state first reached with a well-formed
 *                   exchange: SELECTING, REQUESTING, BOUND, RENEWING
 *            bit 3: replies unicast to 10.0.2.15 (else broadcast)
 *   then up to 8 messages, each u16 length and the UDP payload, each
 *   followed by u16 seconds to let pass. */
#include <string.h>

#include "net/dhcp.h"
#include "net/ethernet.h"
#include "net/wire.h"
#include "tests/fuzz/fuzz_world.h"

enum {
	DHCP_MSGS_MAX = 8,
	DHCP_LEASE_S = 3600,
	DHCP_END_RUN_MS = 4000 * 1000, /* past the lease: it expires */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t client_xid;

/* Remember the xid of every DHCP message the client sends. */
static void dhcp_tx_hook(struct fake_link *l, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HLEN, *d = f + ETH_HLEN + IPV4_HLEN + 8;
	(void)l;
	if (len >= ETH_HLEN + IPV4_HLEN + 8 + DHCP_OPTIONS && be16_get(f + ETH_TYPE) == ETH_P_IPV4 &&
	    ip[IPV4_PROTO] == IPV4_PROTO_UDP && be16_get(ip + IPV4_HLEN + 2) == DHCP_SERVER_PORT)
		client_xid = be32_get(d + DHCP_XID);
}

/* A well-formed reply of type t offering 10.0.2.15 (RFC 2131 table 3). */
static size_t dhcp_reply(uint8_t *p, uint8_t t)
{
	uint8_t *o = p + DHCP_OPTIONS;

	memset(p, 0, DHCP_MIN_LEN);
	p[DHCP_OP] = DHCP_BOOTREPLY;
	p[DHCP_HTYPE] = DHCP_HTYPE_ETHER;
	p[DHCP_HLEN] = ETH_ALEN;
	be32_put(p + DHCP_XID, client_xid);
	be32_put(p + DHCP_YIADDR, FW_OUR_IP);
	be32_put(p + DHCP_SIADDR, FW_GW_IP);
	memcpy(p + DHCP_CHADDR, fw_our_mac, ETH_ALEN);
	be32_put(p + DHCP_COOKIE, DHCP_MAGIC_COOKIE);
	*o++ = DHCP_OPT_MSG_TYPE, *o++ = 1, *o++ = t;
	*o++ = DHCP_OPT_SERVER_ID, *o++ = 4, be32_put(o, FW_GW_IP), o += 4;
	*o++ = DHCP_OPT_LEASE_TIME, *o++ = 4, be32_put(o, DHCP_LEASE_S), o += 4;
	*o++ = DHCP_OPT_SUBNET_MASK, *o++ = 4, be32_put(o, FW_MASK), o += 4;
	*o++ = DHCP_OPT_ROUTER, *o++ = 4, be32_put(o, FW_GW_IP), o += 4;
	*o++ = DHCP_OPT_DNS, *o++ = 4, be32_put(o, FW_DNS_IP), o += 4;
	*o++ = DHCP_OPT_END;
	return DHCP_MIN_LEN;
}

static void deliver(const uint8_t *msg, size_t len, bool unicast)
{
	static uint8_t f[2048];
	size_t n = fuzz_udp_frame(f, sizeof f, unicast ? fw_our_mac : eth_broadcast_addr, FW_GW_IP,
				  DHCP_SERVER_PORT, unicast ? FW_OUR_IP : IPV4_BROADCAST, DHCP_CLIENT_PORT, msg,
				  len);
	fuzz_world_inject(&fw.eth0, f, n);
}

static void check_client(void)
{
	struct dhcp_lease l;
	const struct netif *nif = &fw.eth0.nif;

	FUZZ_ASSERT(dhcp_status(&fw.eth0.nif, &l) == 0);
	if (l.state == DHCP_BOUND || l.state == DHCP_RENEWING || l.state == DHCP_REBINDING) {
		FUZZ_ASSERT(l.addr != 0 && nif->ip == l.addr && nif->addr_source == NETIF_ADDR_DHCP);
		FUZZ_ASSERT(l.dns_count <= NETIF_DNS_MAX && nif->dns_count <= NETIF_DNS_MAX);
	} else {
		FUZZ_ASSERT(nif->ip == 0);
	}
	fuzz_world_check();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_world_cfg cfg = { .eth0_no_addr = true };
	struct fuzz_in in = { data, size };
	uint8_t reply[DHCP_MIN_LEN];
	static uint8_t msg[2048];
	struct dhcp_msg m;

	fuzz_world_begin(&cfg);
	fw.tx_hook = dhcp_tx_hook;
	client_xid = 0;
	uint8_t ctl = fuzz_u8(&in);
	int stage = (ctl >> 1) & 3;
	bool unicast = (ctl & 8) != 0;

	FUZZ_ASSERT(dhcp_start(&fw.eth0.nif) == 0);
	fuzz_world_run(10); /* DISCOVER */
	if (stage >= 1) {
		deliver(reply, dhcp_reply(reply, DHCP_OFFER), unicast);
		fuzz_world_run(10); /* REQUEST */
	}
	if (stage >= 2) {
		deliver(reply, dhcp_reply(reply, DHCP_ACK), unicast);
		fuzz_world_run(10);
		struct dhcp_lease l;
		FUZZ_ASSERT(dhcp_status(&fw.eth0.nif, &l) == 0 && l.state == DHCP_BOUND);
	}
	if (stage >= 3)
		fuzz_world_run(DHCP_LEASE_S / 2 * 1000 + 10); /* T1: RENEWING */
	check_client();

	for (int i = 0; i < DHCP_MSGS_MAX && in.n >= 2; i++) {
		size_t len = fuzz_u16(&in), got;
		const uint8_t *p = fuzz_bytes(&in, len < sizeof msg ? len : sizeof msg, &got);
		memcpy(msg, p, got);
		if ((ctl & 1) && got >= DHCP_CHADDR + ETH_ALEN) {
			be32_put(msg + DHCP_XID, client_xid);
			memcpy(msg + DHCP_CHADDR, fw_our_mac, ETH_ALEN);
		}
		if (dhcp_parse(msg, got, &m) == DHCP_PARSE_OK) {
			FUZZ_ASSERT(m.type >= DHCP_DISCOVER && m.type <= DHCP_INFORM);
			FUZZ_ASSERT(m.dns_count <= NETIF_DNS_MAX);
			FUZZ_ASSERT(memchr(m.message, 0, sizeof m.message) != NULL);
		}
		deliver(msg, got, unicast);
		check_client();
		fuzz_world_run((uint64_t)fuzz_u16(&in) * 1000 + 1);
		check_client();
	}
	fuzz_world_run(DHCP_END_RUN_MS);
	check_client();
	fuzz_world_end();
	return 0;
}
