/* Fuzz target stateful: many frames, with time passing between them,
 * against a stack in the middle of its work (lwIP's multi-packet fuzz
 * input, test/fuzz/fuzz_common.c): a TCP client connection with its
 * request in flight, a listener whose children the application accepts
 * and answers, a DNS query from a UDP socket waiting for its answer, and
 * a DHCP client acquiring a lease on a second interface (eth1). The
 * application acts between frames as the input says.
 *
 * After every step the world's invariants are checked (SND.UNA <= SND.NXT
 * <= SND.MAX and nothing sent past the data held, rings and reassembly
 * within their buffers, queues within their bounds, pool counters
 * consistent, no timer stuck in the past: tests/fuzz/fuzz_world.c), and
 * that eth1's address agrees with its DHCP state. At the end everything
 * is freed and the pool must be empty.
 *
 * Input: records until the input ends (at most STATEFUL_RECORDS_MAX):
 *   u32 delay   bits 0-23: milliseconds to let pass first (timers run)
 *               bits 24-31: an application action (enum app_action)
 *   u16 len     bits 0-13: frame bytes that follow
 *               bit 14: fix the frame up for the harness's state: a DNS
 *                 answer gets the query's port and ID, a DHCP reply the
 *                 client's xid and MAC (values the fuzzer cannot know)
 *               bit 15: the frame arrives on eth1 (else eth0)
 *   len bytes   the frame, from the destination MAC on */
#include <string.h>

#include "net/dhcp.h"
#include "net/dns_query.h"
#include "net/err.h"
#include "net/ethernet.h"
#include "net/socket.h"
#include "net/udp.h"
#include "net/wire.h"
#include "tests/fuzz/fuzz_world.h"

enum {
	STATEFUL_RECORDS_MAX = 64,
	STATEFUL_END_RUN_MS = 600000,   /* 10 minutes of quiet at the end */
	STATEFUL_ACCEPTED_MAX = 4,
	STATEFUL_DELAY_MASK = 0xffffff,
	STATEFUL_LEN_MASK = 0x3fff,
	STATEFUL_FIXUP = 0x4000,
	STATEFUL_ETH1 = 0x8000,
	STATEFUL_DNS_RX_MAX = 1500,
};

/* What the application does before a record's time passes. */
enum app_action {
	APP_NONE,
	APP_SEND,            /* the client sends 1..16 KiB (high nibble + 1) */
	APP_SHUTDOWN,        /* the client half-closes */
	APP_CLOSE,           /* the client closes (TCP finishes it) */
	APP_ABORT,           /* the client resets */
	APP_CONNECT,         /* a new client connection, if none */
	APP_PAUSE,           /* stop reading (windows close) or resume */
	APP_SERVE,           /* accepted connections send 1..16 KiB */
	APP_SERVE_CLOSE,     /* accepted connections close */
	APP_DNS,             /* a new DNS query, if the last one is done */
	APP_DHCP_RENEW,      /* dhcp renew on eth1 */
	APP_DHCP_RESTART,    /* dhcp stop and start on eth1 */
	APP_LINK,            /* eth0's link goes down, or up again */
	APP_NODELAY,         /* Nagle off on the client */
	APP_ACTIONS,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct app {
	bool paused;
	struct tcp_conn *accepted[STATEFUL_ACCEPTED_MAX];
	struct socket *dns_sock;
	struct dns_query q;
	uint32_t dhcp_xid;
} app;

static uint8_t pattern[16384];

static void dhcp_tx_hook(struct fake_link *l, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HLEN;
	if (l == &fw.eth1 && len >= ETH_HLEN + IPV4_HLEN + UDP_HLEN + DHCP_OPTIONS &&
	    be16_get(f + ETH_TYPE) == ETH_P_IPV4 && ip[IPV4_PROTO] == IPV4_PROTO_UDP &&
	    be16_get(ip + IPV4_HLEN + UDP_DPORT) == DHCP_SERVER_PORT)
		app.dhcp_xid = be32_get(ip + IPV4_HLEN + UDP_HLEN + DHCP_XID);
}

/* ---- DNS: the resolver's loop, one step at a time ---- */

static void dns_start(void)
{
	struct dns_name name;
	uint32_t server = FW_DNS_IP;

	FUZZ_ASSERT(dns_name_from_text("www.google.com", &name) == DNS_WIRE_OK);
	dns_query_start(&app.q, &name, DNS_TYPE_A, &server, 1, fw.now);
}

static void dns_close(void)
{
	if (app.dns_sock)
		sock_close(app.dns_sock);
	app.dns_sock = NULL;
}

static void dns_step(void)
{
	static uint8_t buf[STATEFUL_DNS_RX_MAX];

	for (int guard = 0; guard < 8; guard++) {
		switch (dns_query_poll(&app.q, fw.now)) {
		case DNS_QS_SEND: {
			struct sock_addr any = { 0, 0 }, server = { app.q.server, DNS_PORT }, local;
			dns_close();
			int err = sock_open(SOCK_DGRAM, &app.dns_sock);
			if (!err)
				err = sock_bind(app.dns_sock, &any);
			if (!err)
				err = sock_connect(app.dns_sock, &server, 0);
			if (!err)
				err = sock_getnames(app.dns_sock, &local, NULL);
			long n = err ? err : sock_send(app.dns_sock, app.q.msg, app.q.msg_len, 0);
			if (n < 0)
				dns_query_failed(&app.q, (int)n, fw.now);
			else
				dns_query_sent(&app.q, local.port, fw.now);
			continue;
		}
		case DNS_QS_WAIT: {
			struct sock_addr from, local;
			long n = sock_recvfrom(app.dns_sock, buf, sizeof buf, &from, 0);
			if (n == NET_EAGAIN)
				return;
			if (n < 0) {
				dns_query_failed(&app.q, (int)n, fw.now);
				continue;
			}
			sock_getnames(app.dns_sock, &local, NULL);
			dns_query_input(&app.q, buf, (size_t)n, from.addr, from.port, local.port, false, fw.now);
			continue;
		}
		case DNS_QS_TCP:
			dns_query_failed(&app.q, NET_ECONNREFUSED, fw.now); /* no DNS over TCP here */
			continue;
		case DNS_QS_DONE:
			dns_close();
			FUZZ_ASSERT(app.q.res.naddrs <= DNS_ADDRS_MAX && app.q.res.nnames <= DNS_CHAIN_MAX + 1);
			return;
		}
	}
}

/* ---- TCP: read what arrives, answer what the listener accepted ---- */

static void tcp_drain(struct tcp_conn **cp)
{
	static uint8_t buf[4096];
	struct tcp_conn *c = *cp;

	if (!c)
		return;
	for (int i = 0; !app.paused && i < 64; i++) {
		long n = tcp_conn_recv(c, buf, sizeof buf);
		FUZZ_ASSERT(n <= (long)sizeof buf);
		if (n <= 0)
			break;
	}
	FUZZ_ASSERT(tcp_conn_readable(c) <= FW_BUF && tcp_conn_writable(c) <= FW_BUF);
	/* A connection that ended is given back, as an application would. */
	if (tcp_conn_state(c) == TCP_CLOSED) {
		tcp_conn_abort(c);
		*cp = NULL;
	}
}

static void app_step(void)
{
	struct tcp_conn *c;

	while (fw.listener && (c = tcp_conn_accept(fw.listener)) != NULL) {
		int i = 0;
		while (i < STATEFUL_ACCEPTED_MAX && app.accepted[i])
			i++;
		if (i == STATEFUL_ACCEPTED_MAX) {
			tcp_conn_abort(c);
			continue;
		}
		app.accepted[i] = c;
	}
	tcp_drain(&fw.client);
	for (int i = 0; i < STATEFUL_ACCEPTED_MAX; i++)
		tcp_drain(&app.accepted[i]);
	dns_step();
	fuzz_world_drain();
}

static void app_send(struct tcp_conn *c, unsigned kib)
{
	if (c)
		FUZZ_ASSERT(tcp_conn_send(c, pattern, kib * 1024u) <= (long)(kib * 1024u));
}

static void app_act(uint8_t a)
{
	unsigned arg = (a >> 4) + 1u;

	switch ((enum app_action)((a & 0xf) % APP_ACTIONS)) {
	case APP_NONE:
	case APP_ACTIONS:
		break;
	case APP_SEND:
		app_send(fw.client, arg);
		break;
	case APP_SHUTDOWN:
		if (fw.client)
			tcp_conn_shutdown_send(fw.client);
		break;
	case APP_CLOSE:
		if (fw.client)
			tcp_conn_close(fw.client);
		fw.client = NULL;
		break;
	case APP_ABORT:
		if (fw.client)
			tcp_conn_abort(fw.client);
		fw.client = NULL;
		break;
	case APP_CONNECT:
		if (!fw.client && (fw.client = tcp_conn_new()) != NULL &&
		    tcp_conn_connect(fw.client, FW_WEB_IP, FW_WEB_PORT) != NET_OK) {
			tcp_conn_abort(fw.client);
			fw.client = NULL;
		}
		break;
	case APP_PAUSE:
		app.paused = !app.paused;
		break;
	case APP_SERVE:
		for (int i = 0; i < STATEFUL_ACCEPTED_MAX; i++)
			app_send(app.accepted[i], arg);
		break;
	case APP_SERVE_CLOSE:
		for (int i = 0; i < STATEFUL_ACCEPTED_MAX; i++) {
			if (app.accepted[i])
				tcp_conn_close(app.accepted[i]);
			app.accepted[i] = NULL;
		}
		break;
	case APP_DNS:
		if (app.q.state == DNS_QS_DONE)
			dns_start();
		break;
	case APP_DHCP_RENEW:
		dhcp_renew_now(&fw.eth1.nif);
		break;
	case APP_DHCP_RESTART:
		dhcp_stop(&fw.eth1.nif);
		dhcp_start(&fw.eth1.nif);
		break;
	case APP_LINK:
		netif_set_link(&fw.eth0.nif, !fw.eth0.nif.link_up);
		break;
	case APP_NODELAY:
		if (fw.client)
			tcp_conn_setopt(fw.client, TCP_OPT_NODELAY, 1);
		break;
	}
}

/* Give a frame the values only the harness knows (see the input format). */
static void fixup(uint8_t *f, size_t len)
{
	uint8_t *ip = f + ETH_HLEN;
	if (len < ETH_HLEN + IPV4_HLEN + UDP_HLEN || be16_get(f + ETH_TYPE) != ETH_P_IPV4 ||
	    ip[IPV4_PROTO] != IPV4_PROTO_UDP)
		return;
	size_t hlen = (size_t)(ip[IPV4_VER_IHL] & 0xf) * 4;
	if (hlen < IPV4_HLEN || len < ETH_HLEN + hlen + UDP_HLEN)
		return;
	uint8_t *u = ip + hlen, *d = u + UDP_HLEN;
	size_t dlen = len - ETH_HLEN - hlen - UDP_HLEN;
	be16_put(u + UDP_SUM, 0); /* no checksum: it would be wrong now */
	if (be16_get(u + UDP_SPORT) == DNS_PORT && app.dns_sock) {
		struct sock_addr local;
		sock_getnames(app.dns_sock, &local, NULL);
		be16_put(u + UDP_DPORT, local.port);
		if (dlen >= 2)
			be16_put(d + 0, app.q.id);
	} else if (be16_get(u + UDP_SPORT) == DHCP_SERVER_PORT && dlen >= DHCP_CHADDR + ETH_ALEN) {
		be32_put(d + DHCP_XID, app.dhcp_xid);
		memcpy(d + DHCP_CHADDR, fw_eth1_mac, ETH_ALEN);
	}
}

static void check_dhcp(void)
{
	struct dhcp_lease l;
	if (dhcp_status(&fw.eth1.nif, &l) != NET_OK)
		return;
	if (l.state == DHCP_BOUND || l.state == DHCP_RENEWING || l.state == DHCP_REBINDING)
		FUZZ_ASSERT(l.addr != 0 && fw.eth1.nif.ip == l.addr);
	else
		FUZZ_ASSERT(fw.eth1.nif.ip == 0);
}

static void check(void)
{
	fuzz_world_check();
	check_dhcp();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_world_cfg cfg = {
		.tcp_client = true, .tcp_listen = true, .udp = true, .eth1 = true,
	};
	static uint8_t frame[STATEFUL_LEN_MASK + 1];
	struct fuzz_in in = { data, size };

	if (!pattern[1])
		for (size_t i = 0; i < sizeof pattern; i++)
			pattern[i] = (uint8_t)(i * 7 + 1);
	memset(&app, 0, sizeof app);
	fuzz_world_begin(&cfg);
	fw.tx_hook = dhcp_tx_hook;
	FUZZ_ASSERT(dhcp_start(&fw.eth1.nif) == NET_OK);
	dns_start();
	fuzz_world_run(1);  /* DISCOVER, the DNS query */
	app_step();
	check();

	for (int r = 0; r < STATEFUL_RECORDS_MAX && in.n >= 6; r++) {
		uint32_t delay = fuzz_u32(&in);
		uint16_t lenf = fuzz_u16(&in);
		size_t got;
		const uint8_t *p = fuzz_bytes(&in, lenf & STATEFUL_LEN_MASK, &got);

		app_act((uint8_t)(delay >> 24));
		fuzz_world_run(delay & STATEFUL_DELAY_MASK);
		app_step();
		check();
		if (got > NETBUF_SIZE)
			got = NETBUF_SIZE;
		memcpy(frame, p, got);
		if (lenf & STATEFUL_FIXUP)
			fixup(frame, got);
		fuzz_world_inject((lenf & STATEFUL_ETH1) ? &fw.eth1 : &fw.eth0, frame, got);
		app_step();
		check();
	}
	fuzz_world_run(STATEFUL_END_RUN_MS);
	app_step();
	check();
	dns_close();
	fuzz_world_end();
	return 0;
}
