/* DHCP client host tests: the wire format from annotated server packets
 * (imitating QEMU's slirp and dnsmasq), malformed options, then the state
 * machine driven by a simulated clock through the real UDP layer. Every
 * case ends with the netbuf pool back to empty. */
#include <stdlib.h>
#include <string.h>

#include "net/dhcp.h"
#include "net/err.h"
#include "net/udp.h"
#include "net/wire.h"
#include "tests/unit/check.h"
#include "tests/unit/net_udp/dhcp_packets.h"
#include "tests/unit/net_udp/fake_env.h"

/* What dhcp_build must write for a DISCOVER from 52:54:00:12:34:56 with
 * xid 0x12345678 at secs 3: 300 bytes. */
static const uint8_t expected_discover[DHCP_MIN_LEN] = {
	[DHCP_OP] = 1, 1, 6, 0,                 /* BOOTREQUEST, Ethernet, hlen 6, hops 0 */
	[DHCP_XID] = 0x12, 0x34, 0x56, 0x78,    /* xid */
	[DHCP_SECS] = 0, 3, 0x80, 0x00,         /* secs 3, flags: broadcast */
	[DHCP_CHADDR] = 0x52, 0x54, 0, 0x12, 0x34, 0x56, /* chaddr; ciaddr..giaddr 0 */
	[DHCP_COOKIE] = 99, 130, 83, 99,        /* magic cookie */
	[DHCP_OPTIONS] = 53, 1, DHCP_DISCOVER,  /* message type DISCOVER */
	61, 7, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56, /* client id: Ethernet + MAC */
	55, 7, 1, 3, 6, 51, 54, 58, 59,         /* parameter request list */
	255,                                    /* end; PAD to 300 */
};

/* ---- helpers ---- */

static uint8_t pkt[600];

/* Copy a template into pkt with xid and eth0's chaddr. */
static size_t pkt_from(const uint8_t *tmpl, size_t len, uint32_t xid)
{
	memcpy(pkt, tmpl, len);
	be32_put(pkt + DHCP_XID, xid);
	memcpy(pkt + DHCP_CHADDR, fake_nif.mac, ETH_ALEN);
	return len;
}

/* Deliver pkt[0..len) as a UDP datagram 10.0.2.2:67 -> 255.255.255.255:68
 * on nif, as a broadcast frame, through udp_input. */
static void server_sends_on(struct netif *nif, size_t len)
{
	uint8_t d[sizeof pkt + UDP_HLEN];
	be16_put(d + UDP_SPORT, DHCP_SERVER_PORT);
	be16_put(d + UDP_DPORT, DHCP_CLIENT_PORT);
	be16_put(d + UDP_LEN, (uint16_t)(UDP_HLEN + len));
	be16_put(d + UDP_SUM, 0);
	memcpy(d + UDP_HLEN, pkt, len);
	uint16_t sum = udp_checksum(SLIRP_SERVER, IPV4_BROADCAST, d, UDP_HLEN + len);
	be16_put(d + UDP_SUM, sum ? sum : 0xffff);
	struct netbuf *nb = fake_nb(d, UDP_HLEN + len);
	nb->flags = NETBUF_F_BROADCAST;
	struct ipv4_hdr ih = fake_ih(SLIRP_SERVER, IPV4_BROADCAST, UDP_HLEN + len);
	udp_input(nif, nb, &ih);
}

static void server_sends(size_t len)
{
	server_sends_on(&fake_nif, len);
}

/* One message the client sent, decoded. */
struct sent_msg {
	struct fake_sent s;
	struct dhcp_msg m;
	uint8_t raw[DHCP_MIN_LEN];
	bool ok;
};

/* Pop the oldest sent datagram and decode it as a client message. */
static bool client_sent(struct sent_msg *out)
{
	memset(out, 0, sizeof *out);
	if (!fake_sent_pop(&out->s))
		return false;
	struct netbuf *nb = out->s.nb;
	out->ok = nb->len == UDP_HLEN + DHCP_MIN_LEN && be16_get(nb->data + UDP_SPORT) == DHCP_CLIENT_PORT &&
		  be16_get(nb->data + UDP_DPORT) == DHCP_SERVER_PORT &&
		  udp_checksum(out->s.src, out->s.dst, nb->data, nb->len) == 0;
	if (out->ok) {
		memcpy(out->raw, nb->data + UDP_HLEN, DHCP_MIN_LEN);
		out->ok = dhcp_parse(out->raw, DHCP_MIN_LEN, &out->m) == DHCP_PARSE_OK &&
			  out->m.op == DHCP_BOOTREQUEST;
	}
	netbuf_free(nb);
	return true;
}

/* The value of option code in a message's options field, or NULL. */
static const uint8_t *opt_find(const uint8_t *msg, uint8_t code, uint8_t *len)
{
	for (size_t i = DHCP_OPTIONS; i + 1 < DHCP_MIN_LEN;) {
		if (msg[i] == DHCP_OPT_PAD) {
			i++;
			continue;
		}
		if (msg[i] == DHCP_OPT_END)
			return NULL;
		if (msg[i] == code) {
			*len = msg[i + 1];
			return msg + i + 2;
		}
		i += 2 + (size_t)msg[i + 1];
	}
	return NULL;
}

/* Move the clock to t the way netd does: tick at every deadline on the way. */
static void run_until(uint64_t t)
{
	for (;;) {
		uint64_t d = dhcp_next_deadline();
		if (d > t)
			break;
		if (d > sys_now_ms())
			fake_clock_set(d);
		dhcp_tick(sys_now_ms());
	}
	fake_clock_set(t);
	dhcp_tick(t);
}

static struct lease_events {
	int bound, renewed, lost;
	struct dhcp_lease last;
} events;

static void on_event(struct netif *nif, enum dhcp_event ev, const struct dhcp_lease *l)
{
	(void)nif;
	if (ev == DHCP_EVENT_BOUND)
		events.bound++;
	else if (ev == DHCP_EVENT_RENEWED)
		events.renewed++;
	else
		events.lost++;
	events.last = *l;
}

static enum dhcp_state state_of(struct netif *nif)
{
	struct dhcp_lease l;
	if (dhcp_status(nif, &l) != NET_OK)
		return (enum dhcp_state)-1;
	return l.state;
}

static void start(void)
{
	fake_reset();
	memset(&events, 0, sizeof events);
	dhcp_set_event_handler(on_event);
}

/* DISCOVER, OFFER (slirp), REQUEST, ACK with template ack: bound at the
 * current time. Returns the REQUEST's xid. */
static uint32_t bind_with(const uint8_t *ack, size_t ack_len)
{
	CHECK_EQ_INT(dhcp_start(&fake_nif), NET_OK);
	dhcp_tick(sys_now_ms());
	struct sent_msg d, r;
	CHECK(client_sent(&d) && d.ok);
	server_sends(pkt_from(slirp_offer, sizeof slirp_offer, d.m.xid));
	CHECK(client_sent(&r) && r.ok);
	size_t n = pkt_from(ack, ack_len, r.m.xid);
	if (ack == slirp_offer)
		pkt[slirp_ack_type_at] = DHCP_ACK;
	server_sends(n);
	CHECK_EQ_INT(state_of(&fake_nif), DHCP_BOUND);
	return r.m.xid;
}

/* ---- wire format ---- */

static void test_parse_slirp_offer(void)
{
	start();
	struct dhcp_msg m;
	size_t n = pkt_from(slirp_offer, sizeof slirp_offer, 0xdeadbeef);
	CHECK_EQ_INT(dhcp_parse(pkt, n, &m), DHCP_PARSE_OK);
	CHECK_EQ_INT(m.op, DHCP_BOOTREPLY);
	CHECK_EQ_INT(m.xid, 0xdeadbeef);
	CHECK_EQ_INT(m.flags, DHCP_FLAG_BROADCAST);
	CHECK_EQ_INT(m.type, DHCP_OFFER);
	CHECK_EQ_INT(m.yiaddr, SLIRP_GUEST);
	CHECK_EQ_INT(m.siaddr, SLIRP_SERVER);
	CHECK(m.has_server_id && m.server_id == SLIRP_SERVER);
	CHECK(m.has_lease && m.lease_s == 86400);
	CHECK(m.has_netmask && m.netmask == 0xffffff00u);
	CHECK(m.has_router && m.router == SLIRP_SERVER);
	CHECK_EQ_INT(m.dns_count, 1);
	CHECK_EQ_INT(m.dns[0], SLIRP_DNS);
	CHECK(!m.has_t1 && !m.has_t2);
	CHECK_EQ_MEM(m.chaddr, fake_nif.mac, ETH_ALEN);
	CHECK(fake_teardown_clean());
}

static void test_parse_dnsmasq_ack(void)
{
	start();
	struct dhcp_msg m;
	size_t n = pkt_from(dnsmasq_ack, sizeof dnsmasq_ack, 1);
	CHECK_EQ_INT(dhcp_parse(pkt, n, &m), DHCP_PARSE_OK);
	CHECK_EQ_INT(m.type, DHCP_ACK);
	CHECK(m.has_lease && m.lease_s == 3600);
	CHECK(m.has_t1 && m.t1_s == 1800);
	CHECK(m.has_t2 && m.t2_s == 3150);
	CHECK_EQ_INT(m.dns_count, 2);
	CHECK_EQ_INT(m.dns[1], IPV4_ADDR(10, 0, 2, 4));
	CHECK_EQ_INT(m.router, SLIRP_SERVER); /* read past the unknown option 28 */

	n = pkt_from(dnsmasq_nak, sizeof dnsmasq_nak, 1);
	CHECK_EQ_INT(dhcp_parse(pkt, n, &m), DHCP_PARSE_OK);
	CHECK_EQ_INT(m.type, DHCP_NAK);
	CHECK_EQ_STR(m.message, "wrong address");
	CHECK(fake_teardown_clean());
}

static void test_build_discover(void)
{
	start();
	struct dhcp_out o = {
		.type = DHCP_DISCOVER, .xid = 0x12345678, .secs = 3, .broadcast = true,
		.param_request = true,
	};
	memcpy(o.chaddr, fake_nif.mac, ETH_ALEN);
	uint8_t out[DHCP_MIN_LEN + 10];
	memset(out, 0xaa, sizeof out);
	CHECK_EQ_INT(dhcp_build(out, DHCP_MIN_LEN - 1, &o), 0); /* too small: nothing */
	CHECK_EQ_INT(dhcp_build(out, sizeof out, &o), DHCP_MIN_LEN);
	CHECK_EQ_MEM(out, expected_discover, DHCP_MIN_LEN);
	CHECK_EQ_INT(out[DHCP_MIN_LEN], 0xaa); /* nothing written past it */
	/* And it decodes as what it says. */
	struct dhcp_msg m;
	CHECK_EQ_INT(dhcp_parse(out, DHCP_MIN_LEN, &m), DHCP_PARSE_OK);
	CHECK_EQ_INT(m.op, DHCP_BOOTREQUEST);
	CHECK_EQ_INT(m.type, DHCP_DISCOVER);

	/* A REQUEST carries the requested address and the server id. */
	o.type = DHCP_REQUEST;
	o.requested_ip = SLIRP_GUEST;
	o.server_id = SLIRP_SERVER;
	CHECK_EQ_INT(dhcp_build(out, sizeof out, &o), DHCP_MIN_LEN);
	CHECK_EQ_INT(dhcp_parse(out, DHCP_MIN_LEN, &m), DHCP_PARSE_OK);
	CHECK(m.has_requested_ip && m.requested_ip == SLIRP_GUEST);
	CHECK(m.has_server_id && m.server_id == SLIRP_SERVER);
	CHECK(fake_teardown_clean());
}

static void test_parse_impossible(void)
{
	start();
	struct dhcp_msg m;
	size_t n = pkt_from(slirp_offer, sizeof slirp_offer, 1);

	CHECK_EQ_INT(dhcp_parse(pkt, DHCP_OPTIONS - 1, &m), DHCP_PARSE_SHORT);
	pkt[DHCP_OP] = 3;
	CHECK_EQ_INT(dhcp_parse(pkt, n, &m), DHCP_PARSE_OP);
	pkt_from(slirp_offer, sizeof slirp_offer, 1);
	pkt[DHCP_HTYPE] = 6; /* IEEE 802 */
	CHECK_EQ_INT(dhcp_parse(pkt, n, &m), DHCP_PARSE_HTYPE);
	pkt_from(slirp_offer, sizeof slirp_offer, 1);
	pkt[DHCP_HLEN] = 16;
	CHECK_EQ_INT(dhcp_parse(pkt, n, &m), DHCP_PARSE_HTYPE);
	pkt_from(slirp_offer, sizeof slirp_offer, 1);
	pkt[DHCP_COOKIE + 3] = 98; /* plain BOOTP vendor area */
	CHECK_EQ_INT(dhcp_parse(pkt, n, &m), DHCP_PARSE_COOKIE);
	CHECK(fake_teardown_clean());
}

/* Parse pkt after writing opts (olen bytes) at the options field. */
static enum dhcp_parse_err parse_with_options(const uint8_t *opts, size_t olen, size_t total)
{
	memset(pkt, 0, sizeof pkt);
	pkt_from(slirp_offer, DHCP_OPTIONS, 1);
	memcpy(pkt + DHCP_OPTIONS, opts, olen);
	struct dhcp_msg m;
	return dhcp_parse(pkt, total, &m);
}

static void test_malformed_options(void)
{
	start();
	/* Router option claims 8 bytes; the message ends after 4. */
	static const uint8_t past_end[] = { 53, 1, 2, 3, 8, 10, 0, 2, 2 };
	CHECK_EQ_INT(parse_with_options(past_end, sizeof past_end, DHCP_OPTIONS + sizeof past_end),
		     DHCP_PARSE_OPT_TRUNC);
	/* Short by exactly one byte: router claims 4, 3 are there. */
	static const uint8_t short_by_one[] = { 53, 1, 2, 3, 4, 10, 0, 2 };
	CHECK_EQ_INT(parse_with_options(short_by_one, sizeof short_by_one, DHCP_OPTIONS + sizeof short_by_one),
		     DHCP_PARSE_OPT_TRUNC);
	/* A code byte as the very last byte: no room for its length. */
	static const uint8_t no_len[] = { 53, 1, 2, 6 };
	CHECK_EQ_INT(parse_with_options(no_len, sizeof no_len, DHCP_OPTIONS + sizeof no_len),
		     DHCP_PARSE_OPT_TRUNC);
	/* Zero-length subnet mask, message type and server id. */
	static const uint8_t zero_mask[] = { 53, 1, 2, 1, 0, 255 };
	CHECK_EQ_INT(parse_with_options(zero_mask, sizeof zero_mask, 300), DHCP_PARSE_OPT_LEN);
	static const uint8_t zero_type[] = { 53, 0, 255 };
	CHECK_EQ_INT(parse_with_options(zero_type, sizeof zero_type, 300), DHCP_PARSE_OPT_LEN);
	static const uint8_t zero_sid[] = { 53, 1, 2, 54, 0, 255 };
	CHECK_EQ_INT(parse_with_options(zero_sid, sizeof zero_sid, 300), DHCP_PARSE_OPT_LEN);
	/* DNS list of 5 bytes: not whole addresses. */
	static const uint8_t dns5[] = { 53, 1, 2, 6, 5, 10, 0, 2, 3, 9, 255 };
	CHECK_EQ_INT(parse_with_options(dns5, sizeof dns5, 300), DHCP_PARSE_OPT_LEN);
	/* Lease time of 3 bytes. */
	static const uint8_t lease3[] = { 53, 1, 2, 51, 3, 0, 1, 2, 255 };
	CHECK_EQ_INT(parse_with_options(lease3, sizeof lease3, 300), DHCP_PARSE_OPT_LEN);
	/* No message type: BOOTP. Type 0 and 9: not DHCP. */
	static const uint8_t no_type[] = { 1, 4, 255, 255, 255, 0, 255 };
	CHECK_EQ_INT(parse_with_options(no_type, sizeof no_type, 300), DHCP_PARSE_NO_TYPE);
	static const uint8_t type9[] = { 53, 1, 9, 255 };
	CHECK_EQ_INT(parse_with_options(type9, sizeof type9, 300), DHCP_PARSE_NO_TYPE);
	/* Unknown option of length 0: fine, skipped. */
	static const uint8_t unknown0[] = { 200, 0, 53, 1, 2, 255 };
	CHECK_EQ_INT(parse_with_options(unknown0, sizeof unknown0, 300), DHCP_PARSE_OK);
	/* Missing END is tolerated: the options end with the message. */
	static const uint8_t no_end[] = { 53, 1, 2, 54, 4, 10, 0, 2, 2 };
	CHECK_EQ_INT(parse_with_options(no_end, sizeof no_end, DHCP_OPTIONS + sizeof no_end), DHCP_PARSE_OK);
	/* Bytes after END are ignored, garbage or not. */
	static const uint8_t after_end[] = { 53, 1, 2, 255, 6, 200, 1 };
	CHECK_EQ_INT(parse_with_options(after_end, sizeof after_end, DHCP_OPTIONS + sizeof after_end),
		     DHCP_PARSE_OK);
	CHECK(fake_teardown_clean());
}

static void test_option_overload(void)
{
	start();
	struct dhcp_msg m;
	/* Overload 3: file then sname carry options (RFC 2131 4.1). */
	static const uint8_t ov[] = { 53, 1, 2, 52, 1, 3, 255 };
	parse_with_options(ov, sizeof ov, 300);
	static const uint8_t in_file[] = { 54, 4, 10, 0, 2, 2, 6, 4, 10, 0, 2, 3, 255 };
	static const uint8_t in_sname[] = { 3, 4, 10, 0, 2, 1, 255 };
	memcpy(pkt + DHCP_FILE, in_file, sizeof in_file);
	memcpy(pkt + DHCP_SNAME, in_sname, sizeof in_sname);
	CHECK_EQ_INT(dhcp_parse(pkt, 300, &m), DHCP_PARSE_OK);
	CHECK(m.has_server_id && m.server_id == SLIRP_SERVER);
	CHECK_EQ_INT(m.dns_count, 1);
	CHECK(m.has_router && m.router == IPV4_ADDR(10, 0, 2, 1));

	/* Overload 1 reads file only: sname stays a name. */
	pkt[DHCP_OPTIONS + 5] = DHCP_OVERLOAD_FILE;
	CHECK_EQ_INT(dhcp_parse(pkt, 300, &m), DHCP_PARSE_OK);
	CHECK(!m.has_router);

	/* An option in file running past file's 128 bytes (into sname). */
	pkt[DHCP_OPTIONS + 5] = DHCP_OVERLOAD_BOTH;
	memset(pkt + DHCP_FILE, 0, DHCP_FILE_LEN);
	pkt[DHCP_FILE + DHCP_FILE_LEN - 3] = 6;
	pkt[DHCP_FILE + DHCP_FILE_LEN - 2] = 4;
	CHECK_EQ_INT(dhcp_parse(pkt, 300, &m), DHCP_PARSE_OPT_TRUNC);

	/* Overload values 0 and 4 are not defined. */
	static const uint8_t ov4[] = { 53, 1, 2, 52, 1, 4, 255 };
	CHECK_EQ_INT(parse_with_options(ov4, sizeof ov4, 300), DHCP_PARSE_OVERLOAD);
	static const uint8_t ov0[] = { 53, 1, 2, 52, 1, 0, 255 };
	CHECK_EQ_INT(parse_with_options(ov0, sizeof ov0, 300), DHCP_PARSE_OVERLOAD);
	static const uint8_t ov_len2[] = { 53, 1, 2, 52, 2, 1, 1, 255 };
	CHECK_EQ_INT(parse_with_options(ov_len2, sizeof ov_len2, 300), DHCP_PARSE_OPT_LEN);

	/* Option 52 inside an overloaded field: refused, no recursion. */
	parse_with_options(ov, sizeof ov, 300);
	static const uint8_t nested[] = { 52, 1, 3, 255 };
	memcpy(pkt + DHCP_FILE, nested, sizeof nested);
	CHECK_EQ_INT(dhcp_parse(pkt, 300, &m), DHCP_PARSE_OVERLOAD);
	CHECK(fake_teardown_clean());
}

static void test_format_lease(void)
{
	start();
	struct dhcp_lease l = {
		.state = DHCP_BOUND, .addr = SLIRP_GUEST, .netmask = 0xffffff00u,
		.router = SLIRP_SERVER, .dns = { SLIRP_DNS }, .dns_count = 1, .lease_s = 86400,
	};
	char buf[128];
	int n = dhcp_format_lease(&fake_nif, &l, buf, sizeof buf);
	CHECK_EQ_STR(buf, "eth0: 10.0.2.15/24 gw 10.0.2.2 dns 10.0.2.3 (dhcp, lease 86400 s)");
	CHECK_EQ_INT(n, (int)strlen(buf));
	/* Truncation keeps a terminated prefix and reports the full length. */
	char small[12];
	CHECK_EQ_INT(dhcp_format_lease(&fake_nif, &l, small, sizeof small), n);
	CHECK_EQ_STR(small, "eth0: 10.0.");
	/* No router, two DNS servers, an infinite lease. */
	l.router = 0;
	l.dns[1] = IPV4_ADDR(10, 0, 2, 4);
	l.dns_count = 2;
	l.netmask = 0xfffff000u;
	l.lease_s = DHCP_LEASE_INFINITE;
	dhcp_format_lease(&fake_nif, &l, buf, sizeof buf);
	CHECK_EQ_STR(buf, "eth0: 10.0.2.15/20 dns 10.0.2.3,10.0.2.4 (dhcp, lease infinite)");
	CHECK(fake_teardown_clean());
}

/* ---- the state machine ---- */

static void test_full_exchange(void)
{
	start();
	fake_clock_set(5000);
	CHECK_EQ_INT(dhcp_start(&fake_nif), NET_OK);
	CHECK_EQ_INT(dhcp_start(&fake_nif), NET_OK); /* already running: no-op */
	CHECK_EQ_INT(fake_sent_count(), 0);         /* nothing until the tick */
	CHECK_EQ_INT(dhcp_next_deadline(), 0);
	dhcp_tick(sys_now_ms());
	CHECK_EQ_INT(state_of(&fake_nif), DHCP_SELECTING);

	/* DISCOVER: 0.0.0.0 -> 255.255.255.255 out of eth0, broadcast flag,
	 * client id and parameter request list. */
	struct sent_msg d;
	CHECK(client_sent(&d) && d.ok);
	CHECK(!d.s.routed && d.s.nif == &fake_nif);
	CHECK_EQ_INT(d.s.src, 0);
	CHECK_EQ_INT(d.s.dst, IPV4_BROADCAST);
	CHECK_EQ_INT(d.m.type, DHCP_DISCOVER);
	CHECK_EQ_INT(d.m.flags, DHCP_FLAG_BROADCAST);
	CHECK_EQ_MEM(d.m.chaddr, fake_nif.mac, ETH_ALEN);
	uint8_t olen = 0;
	const uint8_t *prl = opt_find(d.raw, DHCP_OPT_PARAM_REQ, &olen);
	CHECK(prl && olen == 7 && memchr(prl, DHCP_OPT_DNS, olen) && memchr(prl, DHCP_OPT_ROUTER, olen));
	CHECK(opt_find(d.raw, DHCP_OPT_CLIENT_ID, &olen) && olen == 7);
	CHECK_EQ_INT(fake_sent_count(), 0);

	/* OFFER -> REQUEST for 10.0.2.15 from server 10.0.2.2, same xid. */
	fake_clock_advance(1);
	server_sends(pkt_from(slirp_offer, sizeof slirp_offer, d.m.xid));
	CHECK_EQ_INT(state_of(&fake_nif), DHCP_REQUESTING);
	struct sent_msg r;
	CHECK(client_sent(&r) && r.ok);
	CHECK(!r.s.routed);
	CHECK_EQ_INT(r.s.src, 0);
	CHECK_EQ_INT(r.s.dst, IPV4_BROADCAST);
	CHECK_EQ_INT(r.m.type, DHCP_REQUEST);
	CHECK_EQ_INT(r.m.xid, d.m.xid);
	CHECK_EQ_INT(r.m.ciaddr, 0);
	CHECK(r.m.has_requested_ip && r.m.requested_ip == SLIRP_GUEST);
	CHECK(r.m.has_server_id && r.m.server_id == SLIRP_SERVER);
	CHECK_EQ_INT(fake_nif.ip, 0); /* not yet */

	/* ACK -> BOUND: the interface is configured, the event fires. */
	fake_clock_advance(1);
	size_t n = pkt_from(slirp_offer, sizeof slirp_offer, r.m.xid);
	pkt[slirp_ack_type_at] = DHCP_ACK;
	server_sends(n);
	CHECK_EQ_INT(state_of(&fake_nif), DHCP_BOUND);
	CHECK_EQ_INT(fake_nif.ip, SLIRP_GUEST);
	CHECK_EQ_INT(fake_nif.netmask, 0xffffff00u);
	CHECK_EQ_INT(fake_nif.gateway, SLIRP_SERVER);
	CHECK_EQ_INT(fake_nif.addr_source, NETIF_ADDR_DHCP);
	CHECK_EQ_INT(fake_nif.dns_count, 1);
	CHECK_EQ_INT(fake_nif.dns[0], SLIRP_DNS);
	CHECK_EQ_INT(events.bound, 1);
	CHECK_EQ_INT(events.last.addr, SLIRP_GUEST);
	char line[128];
	dhcp_format_lease(&fake_nif, &events.last, line, sizeof line);
	CHECK_EQ_STR(line, "eth0: 10.0.2.15/24 gw 10.0.2.2 dns 10.0.2.3 (dhcp, lease 86400 s)");

	struct dhcp_lease l;
	CHECK_EQ_INT(dhcp_status(&fake_nif, &l), NET_OK);
	CHECK_EQ_INT(l.server, SLIRP_SERVER);
	CHECK_EQ_INT(l.lease_s, 86400);
	CHECK_EQ_INT(l.t1_s, 43200); /* defaults: 1/2 and 7/8 */
	CHECK_EQ_INT(l.t2_s, 75600);
	CHECK_EQ_INT(l.time_left_s, 86399); /* counted from the REQUEST, 1 ms ago */
	/* The lease counts from the REQUEST (at 5001 ms): T1 is 43200 s on. */
	CHECK_EQ_INT(dhcp_next_deadline(), 5001 + 43200000ull);
	CHECK_EQ_INT(fake_sent_count(), 0);

	/* A duplicate ACK changes nothing. */
	server_sends(n);
	CHECK_EQ_INT(events.bound, 1);
	CHECK_EQ_INT(dhcp_get_stats()->rx_unexpected, 1);
	CHECK(fake_teardown_clean());
}

static void test_retransmit_schedule(void)
{
	start();
	CHECK_EQ_INT(dhcp_start(&fake_nif), NET_OK);
	/* The server is silent for 200 s: DISCOVERs back off 1.5, 4, 8, 16,
	 * 32, 64, 64 s, each +-0.5 s, all with one xid. */
	static const uint64_t nominal[] = { 1500, 4000, 8000, 16000, 32000, 64000, 64000 };
	uint64_t times[16];
	uint32_t xid = 0;
	int n = 0;
	for (uint64_t t = 0; t <= 200000 && n < 16; t += 100) {
		run_until(t);
		struct sent_msg s;
		while (client_sent(&s)) {
			CHECK(s.ok && s.m.type == DHCP_DISCOVER);
			if (n == 0)
				xid = s.m.xid;
			CHECK_EQ_INT(s.m.xid, xid);
			CHECK_EQ_INT(s.m.secs, (int)(s.s.time_ms / 1000));
			times[n++] = s.s.time_ms;
		}
	}
	CHECK(n >= 7);
	CHECK_EQ_INT(times[0], 0);
	for (int i = 1; i < n && i <= 7; i++) {
		uint64_t gap = times[i] - times[i - 1];
		if (gap + DHCP_JITTER_MS < nominal[i - 1] || gap > nominal[i - 1] + DHCP_JITTER_MS)
			CHECK_FAIL_AT(__FILE__, __LINE__, "retransmit %d after %llu ms, expected %llu +- %d", i,
				      (unsigned long long)gap, (unsigned long long)nominal[i - 1], DHCP_JITTER_MS);
	}
	CHECK_EQ_INT(dhcp_get_stats()->tx_discover, n);
	CHECK_EQ_INT(state_of(&fake_nif), DHCP_SELECTING);
	CHECK(fake_teardown_clean());
}

static void test_requesting_gives_up(void)
{
	start();
	CHECK_EQ_INT(dhcp_start(&fake_nif), NET_OK);
	dhcp_tick(0);
	struct sent_msg d, s;
	CHECK(client_sent(&d));
	server_sends(pkt_from(slirp_offer, sizeof slirp_offer, d.m.xid));
	/* The ACK never comes: DHCP_REQUEST_TRIES REQUESTs, then DISCOVER
	 * with a new xid. */
	int requests = 0;
	bool rediscovered = false;
	for (uint64_t t = 0; t <= 60000 && !rediscovered; t += 100) {
		run_until(t);
		while (client_sent(&s)) {
			if (s.m.type == DHCP_REQUEST) {
				requests++;
				CHECK_EQ_INT(s.m.xid, d.m.xid);
			} else if (s.m.type == DHCP_DISCOVER) {
				rediscovered = true;
				CHECK(s.m.xid != d.m.xid);
			}
		}
	}
	CHECK_EQ_INT(requests, DHCP_REQUEST_TRIES);
	CHECK(rediscovered);
	CHECK_EQ_INT(state_of(&fake_nif), DHCP_SELECTING);
	CHECK(fake_teardown_clean());
}

static void test_wrong_xid_and_chaddr_ignored(void)
{
	start();
	CHECK_EQ_INT(dhcp_start(&fake_nif), NET_OK);
	dhcp_tick(0);
	struct sent_msg d;
	CHECK(client_sent(&d));
	server_sends(pkt_from(slirp_offer, sizeof slirp_offer, d.m.xid ^ 1));
	CHECK_EQ_INT(dhcp_get_stats()->rx_wrong_xid, 1);
	size_t n = pkt_from(slirp_offer, sizeof slirp_offer, d.m.xid);
	pkt[DHCP_CHADDR + 5] ^= 0xff; /* for another client */
	server_sends(n);
	CHECK_EQ_INT(dhcp_get_stats()->rx_wrong_chaddr, 1);
	/* Another client's DISCOVER, broadcast on the link, is no reply. */
	uint8_t req[DHCP_MIN_LEN];
	struct dhcp_out o = { .type = DHCP_DISCOVER, .xid = d.m.xid };
	memcpy(o.chaddr, fake_nif.mac, ETH_ALEN);
	dhcp_build(req, sizeof req, &o);
	memcpy(pkt, req, sizeof req);
	server_sends(sizeof req);
	CHECK_EQ_INT(dhcp_get_stats()->rx_not_reply, 1);
	/* A truncated option in an otherwise matching OFFER. */
	pkt_from(slirp_offer, sizeof slirp_offer, d.m.xid);
	pkt[DHCP_OPTIONS + 4] = 250; /* server id "length" runs past the end */
	server_sends(DHCP_OPTIONS + 20);
	CHECK_EQ_INT(dhcp_get_stats()->rx_malformed[DHCP_PARSE_OPT_TRUNC], 1);
	/* An OFFER with no server identifier is unusable. */
	n = pkt_from(slirp_offer, sizeof slirp_offer, d.m.xid);
	pkt[DHCP_OPTIONS + 3] = DHCP_OPT_HOSTNAME; /* server id becomes a name */
	server_sends(n);
	CHECK_EQ_INT(dhcp_get_stats()->rx_bad_offer, 1);

	CHECK_EQ_INT(state_of(&fake_nif), DHCP_SELECTING);
	CHECK_EQ_INT(fake_sent_count(), 0);
	CHECK(fake_teardown_clean());
}

static void test_nak_restarts(void)
{
	start();
	CHECK_EQ_INT(dhcp_start(&fake_nif), NET_OK);
	dhcp_tick(0);
	struct sent_msg d, r, s;
	CHECK(client_sent(&d));
	fake_clock_set(100);
	server_sends(pkt_from(slirp_offer, sizeof slirp_offer, d.m.xid));
	CHECK(client_sent(&r));
	/* A NAK from a server we did not pick is not ours to obey. */
	size_t n = pkt_from(dnsmasq_nak, sizeof dnsmasq_nak, r.m.xid);
	pkt[DHCP_OPTIONS + 8] = 9; /* server id 10.0.2.9 */
	server_sends(n);
	CHECK_EQ_INT(state_of(&fake_nif), DHCP_REQUESTING);
	CHECK_EQ_INT(dhcp_get_stats()->rx_unexpected, 1);

	server_sends(pkt_from(dnsmasq_nak, sizeof dnsmasq_nak, r.m.xid));
	CHECK_EQ_INT(dhcp_get_stats()->rx_nak, 1);
	CHECK_EQ_INT(state_of(&fake_nif), DHCP_INIT);
	CHECK_EQ_INT(fake_nif.ip, 0);
	/* A pause, then DISCOVER with a new xid. */
	run_until(100 + DHCP_NAK_DELAY_MS - 1);
	CHECK_EQ_INT(fake_sent_count(), 0);
	run_until(100 + DHCP_NAK_DELAY_MS);
	CHECK(client_sent(&s) && s.ok);
	CHECK_EQ_INT(s.m.type, DHCP_DISCOVER);
	CHECK(s.m.xid != d.m.xid);
	CHECK_EQ_INT(events.lost, 0); /* there was no lease to lose */
	CHECK(fake_teardown_clean());
}

static void test_renew_at_t1(void)
{
	start();
	fake_clock_set(1000);
	uint32_t xid = bind_with(dnsmasq_ack, sizeof dnsmasq_ack);
	CHECK_EQ_INT(fake_nif.dns_count, 2);
	int set_calls = fake_set_ipv4_calls();
	/* Nothing before T1 = 1800 s. */
	run_until(1000 + 1800000 - 1);
	CHECK_EQ_INT(fake_sent_count(), 0);
	run_until(1000 + 1800000);
	CHECK_EQ_INT(state_of(&fake_nif), DHCP_RENEWING);
	struct sent_msg r;
	CHECK(client_sent(&r) && r.ok);
	/* Unicast to the server from our address, ciaddr set, no 50/54. */
	CHECK(r.s.routed);
	CHECK_EQ_INT(r.s.src, SLIRP_GUEST);
	CHECK_EQ_INT(r.s.dst, SLIRP_SERVER);
	CHECK_EQ_INT(r.m.type, DHCP_REQUEST);
	CHECK_EQ_INT(r.m.ciaddr, SLIRP_GUEST);
	CHECK(!r.m.has_requested_ip && !r.m.has_server_id);
	CHECK(r.m.xid != xid);
	CHECK_EQ_INT(r.m.flags, 0);

	fake_clock_advance(20);
	server_sends(pkt_from(dnsmasq_ack, sizeof dnsmasq_ack, r.m.xid));
	CHECK_EQ_INT(state_of(&fake_nif), DHCP_BOUND);
	CHECK_EQ_INT(events.bound, 1);
	CHECK_EQ_INT(events.renewed, 1);
	CHECK_EQ_INT(fake_set_ipv4_calls(), set_calls); /* same address: not re-set */
	CHECK_EQ_INT(fake_nif.ip, SLIRP_GUEST);
	/* The new lease counts from the renewal REQUEST. */
	CHECK_EQ_INT(dhcp_next_deadline(), 1000 + 1800000 + 1800000);
	struct dhcp_lease l;
	dhcp_status(&fake_nif, &l);
	CHECK_EQ_INT(l.acquired, 2);
	CHECK(fake_teardown_clean());
}

static void test_rebind_at_t2(void)
{
	start();
	bind_with(dnsmasq_ack, sizeof dnsmasq_ack); /* at 0: T1 1800 s, T2 3150 s */
	run_until(1800000);
	struct sent_msg s;
	uint64_t last = 0;
	int renews = 0;
	/* The server is silent: RENEWING retransmits at half the time left
	 * to T2, never more often than every 60 s, then REBINDING at T2. */
	for (uint64_t t = 1800000; t <= 3150000; t += 1000) {
		run_until(t);
		while (client_sent(&s)) {
			CHECK(s.ok && s.m.type == DHCP_REQUEST);
			if (s.s.time_ms < 3150000) {
				CHECK(s.s.routed);
				if (renews)
					CHECK(s.s.time_ms - last >= DHCP_RENEW_MIN_MS);
				renews++;
				last = s.s.time_ms;
			} else {
				CHECK_EQ_INT(s.s.time_ms, 3150000);
				CHECK(!s.s.routed && s.s.nif == &fake_nif);
				CHECK_EQ_INT(s.s.src, SLIRP_GUEST);
				CHECK_EQ_INT(s.s.dst, IPV4_BROADCAST);
				CHECK_EQ_INT(s.m.ciaddr, SLIRP_GUEST);
				CHECK(!s.m.has_server_id);
				CHECK_EQ_INT(state_of(&fake_nif), DHCP_REBINDING);
				/* Any server may answer a rebind. */
				fake_clock_set(t);
				server_sends(pkt_from(dnsmasq_ack, sizeof dnsmasq_ack, s.m.xid));
			}
		}
	}
	/* 1800, 2475, 2812.5, 2981.25, 3065.6, 3125.6 */
	CHECK_EQ_INT(renews, 6);
	CHECK_EQ_INT(state_of(&fake_nif), DHCP_BOUND);
	CHECK_EQ_INT(events.renewed, 1);
	CHECK(fake_teardown_clean());
}

static void test_lease_expiry(void)
{
	start();
	bind_with(dnsmasq_ack, sizeof dnsmasq_ack); /* at 0 for 3600 s */
	run_until(3600000 - 1);
	CHECK_EQ_INT(state_of(&fake_nif), DHCP_REBINDING);
	CHECK_EQ_INT(fake_nif.ip, SLIRP_GUEST);
	fake_sent_clear();
	run_until(3600000);
	CHECK_EQ_INT(fake_nif.ip, 0);
	CHECK_EQ_INT(fake_nif.dns_count, 0);
	CHECK_EQ_INT(fake_nif.addr_source, NETIF_ADDR_NONE);
	CHECK_EQ_INT(events.lost, 1);
	CHECK_EQ_INT(events.last.addr, 0);
	CHECK_EQ_INT(dhcp_get_stats()->leases_lost, 1);
	/* And it starts over at once. */
	struct sent_msg s;
	CHECK(client_sent(&s) && s.ok);
	CHECK_EQ_INT(s.m.type, DHCP_DISCOVER);
	CHECK_EQ_INT(s.s.src, 0);
	CHECK_EQ_INT(state_of(&fake_nif), DHCP_SELECTING);
	CHECK(fake_teardown_clean());
}

static void test_late_tick_skips_to_expiry(void)
{
	start();
	bind_with(dnsmasq_ack, sizeof dnsmasq_ack);
	/* netd was away for two hours: the first tick sees the lease gone. */
	fake_clock_set(7200000);
	dhcp_tick(sys_now_ms());
	CHECK_EQ_INT(events.lost, 1);
	struct sent_msg s;
	CHECK(client_sent(&s) && s.m.type == DHCP_DISCOVER);
	CHECK_EQ_INT(fake_sent_count(), 0); /* no REQUEST for a lease long gone */
	CHECK(fake_teardown_clean());
}

static void test_renew_now_and_stop(void)
{
	start();
	CHECK_EQ_INT(dhcp_renew_now(&fake_nif), NET_ENOENT);
	CHECK_EQ_INT(dhcp_stop(&fake_nif), NET_ENOENT);
	bind_with(slirp_offer, sizeof slirp_offer);
	fake_clock_set(10000);
	CHECK_EQ_INT(dhcp_renew_now(&fake_nif), NET_OK);
	dhcp_tick(sys_now_ms());
	struct sent_msg s;
	CHECK(client_sent(&s) && s.ok);
	CHECK_EQ_INT(s.m.type, DHCP_REQUEST);
	CHECK(s.s.routed && s.s.dst == SLIRP_SERVER);
	CHECK_EQ_INT(state_of(&fake_nif), DHCP_RENEWING);

	/* Stop: RELEASE to the server, address removed, port 68 free. */
	CHECK_EQ_INT(dhcp_stop(&fake_nif), NET_OK);
	CHECK(client_sent(&s) && s.ok);
	CHECK_EQ_INT(s.m.type, DHCP_RELEASE);
	CHECK(s.s.routed && s.s.dst == SLIRP_SERVER && s.s.src == SLIRP_GUEST);
	CHECK_EQ_INT(s.m.ciaddr, SLIRP_GUEST);
	CHECK(s.m.has_server_id && s.m.server_id == SLIRP_SERVER);
	CHECK_EQ_INT(fake_nif.ip, 0);
	CHECK_EQ_INT(dhcp_status(&fake_nif, &events.last), NET_ENOENT);
	struct udp_pcb *pcb = udp_pcb_new();
	CHECK_EQ_INT(udp_pcb_bind(pcb, 0, DHCP_CLIENT_PORT), NET_OK);
	udp_pcb_free(pcb);

	/* renew_now on a client that is not bound starts over. */
	CHECK_EQ_INT(dhcp_start(&fake_nif), NET_OK);
	dhcp_tick(sys_now_ms());
	CHECK(client_sent(&s) && s.m.type == DHCP_DISCOVER);
	fake_clock_advance(100);
	CHECK_EQ_INT(dhcp_renew_now(&fake_nif), NET_OK);
	dhcp_tick(sys_now_ms());
	struct sent_msg s2;
	CHECK(client_sent(&s2) && s2.m.type == DHCP_DISCOVER);
	CHECK(s2.m.xid != s.m.xid);
	CHECK(fake_teardown_clean());
}

static void test_static_address_survives_stop(void)
{
	start();
	CHECK_EQ_INT(dhcp_start(&fake_nif), NET_OK);
	dhcp_tick(0);
	fake_sent_clear();
	/* The user configured an address by hand while DHCP was selecting. */
	netif_set_ipv4(&fake_nif, IPV4_ADDR(192, 0, 2, 10), 0xffffff00u, 0, NETIF_ADDR_STATIC);
	CHECK_EQ_INT(dhcp_stop(&fake_nif), NET_OK);
	CHECK_EQ_INT(fake_nif.ip, IPV4_ADDR(192, 0, 2, 10));
	CHECK_EQ_INT(fake_sent_count(), 0); /* no lease, no RELEASE */
	CHECK(fake_teardown_clean());
}

static void test_infinite_lease(void)
{
	start();
	uint8_t ack[sizeof slirp_offer];
	memcpy(ack, slirp_offer, sizeof ack);
	ack[slirp_ack_type_at] = DHCP_ACK;
	memset(ack + DHCP_OPTIONS + 11, 0xff, 4); /* lease time 0xffffffff */
	bind_with(ack, sizeof ack);
	CHECK_EQ_INT(dhcp_next_deadline(), UINT64_MAX);
	char line[128];
	dhcp_format_lease(&fake_nif, &events.last, line, sizeof line);
	CHECK_EQ_STR(line, "eth0: 10.0.2.15/24 gw 10.0.2.2 dns 10.0.2.3 (dhcp, lease infinite)");
	run_until(UINT64_MAX / 2);
	CHECK_EQ_INT(fake_sent_count(), 0);
	CHECK_EQ_INT(state_of(&fake_nif), DHCP_BOUND);
	CHECK(fake_teardown_clean());
}

static void test_ack_without_lease_ignored(void)
{
	start();
	CHECK_EQ_INT(dhcp_start(&fake_nif), NET_OK);
	dhcp_tick(0);
	struct sent_msg d, r;
	CHECK(client_sent(&d));
	server_sends(pkt_from(slirp_offer, sizeof slirp_offer, d.m.xid));
	CHECK(client_sent(&r));
	size_t n = pkt_from(slirp_offer, sizeof slirp_offer, r.m.xid);
	pkt[slirp_ack_type_at] = DHCP_ACK;
	pkt[DHCP_OPTIONS + 9] = 200; /* lease time becomes an unknown option */
	server_sends(n);
	CHECK_EQ_INT(dhcp_get_stats()->rx_bad_ack, 1);
	CHECK_EQ_INT(state_of(&fake_nif), DHCP_REQUESTING);
	CHECK_EQ_INT(fake_nif.ip, 0);
	CHECK(fake_teardown_clean());
}

static void test_two_interfaces(void)
{
	start();
	CHECK_EQ_INT(dhcp_start(&fake_nif), NET_OK);
	CHECK_EQ_INT(dhcp_start(&fake_nif2), NET_OK);
	dhcp_tick(0);
	struct sent_msg a, b;
	CHECK(client_sent(&a) && client_sent(&b));
	CHECK(a.s.nif != b.s.nif);
	struct sent_msg *on2 = a.s.nif == &fake_nif2 ? &a : &b;
	CHECK(on2->m.xid != (on2 == &a ? b.m.xid : a.m.xid));
	/* eth1's OFFER arrives on eth1 and moves eth1 only. */
	size_t n = pkt_from(slirp_offer, sizeof slirp_offer, on2->m.xid);
	memcpy(pkt + DHCP_CHADDR, fake_nif2.mac, ETH_ALEN);
	server_sends_on(&fake_nif2, n);
	CHECK_EQ_INT(state_of(&fake_nif2), DHCP_REQUESTING);
	CHECK_EQ_INT(state_of(&fake_nif), DHCP_SELECTING);
	/* The same OFFER arriving on eth0 is not eth0's (xid). */
	server_sends_on(&fake_nif, n);
	CHECK_EQ_INT(dhcp_get_stats()->rx_wrong_xid, 1);
	CHECK(fake_teardown_clean());
}

int main(void)
{
	check_suite = "net_udp.dhcp";
	RUN(test_parse_slirp_offer);
	RUN(test_parse_dnsmasq_ack);
	RUN(test_build_discover);
	RUN(test_parse_impossible);
	RUN(test_malformed_options);
	RUN(test_option_overload);
	RUN(test_format_lease);
	RUN(test_full_exchange);
	RUN(test_retransmit_schedule);
	RUN(test_requesting_gives_up);
	RUN(test_wrong_xid_and_chaddr_ignored);
	RUN(test_nak_restarts);
	RUN(test_renew_at_t1);
	RUN(test_rebind_at_t2);
	RUN(test_lease_expiry);
	RUN(test_late_tick_skips_to_expiry);
	RUN(test_renew_now_and_stop);
	RUN(test_static_address_survives_stop);
	RUN(test_infinite_lease);
	RUN(test_ack_without_lease_ignored);
	RUN(test_two_interfaces);
	return check_report();
}
