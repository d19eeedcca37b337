/* The socket layer: datagram sockets on the real UDP over a fake link,
 * stream sockets over the TCP test double; blocking, timeouts, Ctrl-C,
 * and error codes. Each case checks that nothing leaked. */
#include <string.h>

#include "net/err.h"
#include "net/ethernet.h"
#include "net/socket.h"
#include "net/udp.h"
#include "net/wire.h"
#include "tests/unit/check.h"
#include "tests/unit/dns/dns_world.h"
#include "tests/unit/dns/fake_tcp.h"
#include "tests/unit/dns/test_platform.h"

#define DNS_PORT_FOR_TEST 53   /* the world scripts servers on port 53 only */

/* The next frame the stack sent, as a UDP datagram: returns the payload
 * length (-1 if none or not UDP) and fills dport and data. */
static long pop_udp(uint16_t *dport, uint32_t *dst, uint8_t *data, size_t cap)
{
	struct netbuf *nb = fake_link_pop(&w_eth0);
	long n = -1;
	if (!nb)
		return -1;
	const uint8_t *ip = nb->data + ETH_HLEN;
	if (nb->len >= ETH_HLEN + IPV4_HLEN + UDP_HLEN && ip[IPV4_PROTO] == IPV4_PROTO_UDP) {
		const uint8_t *u = ip + IPV4_HLEN;
		*dport = be16_get(u + UDP_DPORT);
		*dst = be32_get(ip + IPV4_DST);
		n = be16_get(u + UDP_LEN) - UDP_HLEN;
		memcpy(data, u + UDP_HLEN, (size_t)n < cap ? (size_t)n : cap);
	}
	netbuf_free(nb);
	return n;
}

static void test_dgram_bind(void)
{
	struct socket *a, *b, *c;
	struct sock_addr any = { 0, 0 }, fixed = { 0, 5000 }, local;

	world_setup();
	CHECK_EQ_INT(sock_open(SOCK_DGRAM, &a), NET_OK);
	CHECK_EQ_INT(sock_bind(a, &any), NET_OK);
	CHECK_EQ_INT(sock_getnames(a, &local, NULL), NET_OK);
	CHECK(local.port >= UDP_EPHEMERAL_MIN);
	CHECK_EQ_INT(sock_bind(a, &any), NET_EINVAL);         /* bound already */
	CHECK_EQ_INT(sock_open(SOCK_DGRAM, &b), NET_OK);
	CHECK_EQ_INT(sock_bind(b, &fixed), NET_OK);
	CHECK_EQ_INT(sock_open(SOCK_DGRAM, &c), NET_OK);
	CHECK_EQ_INT(sock_bind(c, &fixed), NET_EADDRINUSE);
	sock_close(c);
	CHECK_EQ_INT(sock_open((enum sock_type)7, &c), NET_EINVAL);
	CHECK(c == NULL);
	sock_close(a);
	sock_close(b);
	CHECK(world_teardown());
}

static void test_dgram_send_and_receive(void)
{
	struct socket *s;
	struct sock_addr to = { W_S1, 7777 }, from, local;
	uint8_t buf[64];
	uint16_t dport;
	uint32_t dst;

	world_setup();
	CHECK_EQ_INT(sock_open(SOCK_DGRAM, &s), NET_OK);
	CHECK_EQ_INT(sock_sendto(s, "hello", 5, &to, 0), 5);   /* binds an ephemeral port */
	CHECK_EQ_INT(pop_udp(&dport, &dst, buf, sizeof buf), 5);
	CHECK_EQ_INT(dport, 7777);
	CHECK_EQ_INT(dst, W_S1);
	CHECK_EQ_MEM(buf, "hello", 5);
	sock_getnames(s, &local, NULL);

	/* A datagram 40 ms from now: recvfrom sleeps until it comes. */
	world_send_udp(W_T0 + 40, W_S2, 9999, local.port, "pigeon says hi", 14);
	CHECK_EQ_INT(sock_recvfrom(s, buf, sizeof buf, &from, 1000), 14);
	CHECK_EQ_MEM(buf, "pigeon says hi", 14);
	CHECK_EQ_INT(from.addr, W_S2);
	CHECK_EQ_INT(from.port, 9999);
	CHECK_EQ_INT(sys_now_ms(), W_T0 + 40);
	/* Cut to the buffer; the rest of that datagram is gone. */
	world_send_udp(W_T0 + 40, W_S2, 9999, local.port, "0123456789", 10);
	CHECK_EQ_INT(sock_recv(s, buf, 4, 1000), 4);
	CHECK_EQ_MEM(buf, "0123", 4);
	CHECK_EQ_INT(sock_recv(s, buf, sizeof buf, 0), NET_EAGAIN);
	sock_close(s);
	CHECK(world_teardown());
}

static void test_dgram_timeouts_and_ctrl_c(void)
{
	struct socket *s;
	struct sock_addr any = { 0, 0 };
	uint8_t buf[8];

	world_setup();
	sock_open(SOCK_DGRAM, &s);
	sock_bind(s, &any);
	CHECK_EQ_INT(sock_recv(s, buf, sizeof buf, 0), NET_EAGAIN);
	CHECK_EQ_INT(sys_now_ms(), W_T0);
	unsigned long waits = tp_waits();
	CHECK_EQ_INT(sock_recv(s, buf, sizeof buf, 250), NET_ETIMEDOUT);
	CHECK_EQ_INT(sys_now_ms(), W_T0 + 250);
	CHECK_EQ_INT(tp_waits() - waits, 3);     /* 100 + 100 + 50: Ctrl-C is polled */
	tp_interrupt_after(2);
	CHECK_EQ_INT(sock_recv(s, buf, sizeof buf, SOCK_WAIT_FOREVER), NET_EINTR);
	tp_interrupt_after(0);
	sock_close(s);
	CHECK(world_teardown());
}

static void test_dgram_connected(void)
{
	struct socket *s;
	struct sock_addr srv = { W_S1, DNS_PORT_FOR_TEST }, remote;
	uint8_t buf[32] = { 0 };
	uint16_t dport;
	uint32_t dst;

	world_setup();
	sock_open(SOCK_DGRAM, &s);
	CHECK_EQ_INT(sock_send(s, buf, 4, 0), NET_ENOTCONN);
	CHECK_EQ_INT(sock_connect(s, &srv, 0), NET_OK);
	CHECK_EQ_INT(sock_getnames(s, NULL, &remote), NET_OK);
	CHECK_EQ_INT(remote.addr, W_S1);
	CHECK_EQ_INT(sock_send(s, buf, 20, 0), 20);
	CHECK_EQ_INT(pop_udp(&dport, &dst, buf, sizeof buf), 20);
	CHECK_EQ_INT(dport, DNS_PORT_FOR_TEST);
	CHECK_EQ_INT(sock_send(s, buf, UDP_PAYLOAD_MAX + 1, 0), NET_EMSGSIZE);
	sock_close(s);
	CHECK(world_teardown());
}

static void test_dgram_icmp_error_reported_once(void)
{
	struct socket *s;
	struct sock_addr srv = { W_S1, DNS_PORT_FOR_TEST };
	uint8_t buf[32] = { 0 };

	world_setup();
	world.servers[0].addr = W_S1;
	world.servers[0].mode = W_UNREACH;
	sock_open(SOCK_DGRAM, &s);
	sock_connect(s, &srv, 0);
	CHECK_EQ_INT(sock_send(s, buf, 20, 0), 20);
	CHECK_EQ_INT(sock_recv(s, buf, sizeof buf, 1000), NET_EPORTUNREACH);
	CHECK_EQ_INT(sock_recv(s, buf, sizeof buf, 100), NET_ETIMEDOUT);
	sock_close(s);
	CHECK(world_teardown());
}

static void test_dgram_stream_only_calls(void)
{
	struct socket *s, *n;
	world_setup();
	sock_open(SOCK_DGRAM, &s);
	CHECK_EQ_INT(sock_listen(s, 1), NET_ENOTSUP);
	CHECK_EQ_INT(sock_accept(s, &n, NULL, 0), NET_ENOTSUP);
	CHECK_EQ_INT(sock_shutdown(s, SOCK_SHUT_WR), NET_ENOTSUP);
	CHECK_EQ_INT(sock_setopt(s, SOCK_OPT_NODELAY, 1), NET_ENOTSUP);
	sock_close(s);
	CHECK(world_teardown());
}

/* ---- streams ---- */

static void test_stream_connect_send_recv(void)
{
	struct socket *s;
	struct sock_addr srv = { W_S1, 80 }, local, remote;
	char buf[32];

	world_setup();
	fake_tcp.on_connect = FAKE_TCP_ACCEPT;
	CHECK_EQ_INT(sock_open(SOCK_STREAM, &s), NET_OK);
	CHECK_EQ_INT(sock_connect(s, &srv, 1000), NET_OK);
	CHECK_EQ_INT(sock_getnames(s, &local, &remote), NET_OK);
	CHECK_EQ_INT(remote.addr, W_S1);
	CHECK_EQ_INT(remote.port, 80);
	CHECK(local.port != 0);
	CHECK_EQ_INT(sock_send(s, "GET / HTTP/1.0\r\n\r\n", 18, 1000), 18);
	CHECK_EQ_MEM(fake_tcp.last->sent, "GET / HTTP/1.0\r\n\r\n", 18);
	/* Nothing yet: recv sleeps; the peer's bytes come during the wait. */
	fake_tcp.pump_data = "HTTP/1.0 200 OK";
	fake_tcp.pump_len = 15;
	fake_tcp.pump_fin = true;
	CHECK_EQ_INT(sock_recv(s, buf, 8, 1000), 8);
	CHECK_EQ_MEM(buf, "HTTP/1.0", 8);
	CHECK_EQ_INT(sock_recv(s, buf, sizeof buf, 1000), 7);
	CHECK_EQ_INT(sock_recv(s, buf, sizeof buf, 1000), 0);    /* end of stream */
	CHECK_EQ_INT(sock_close(s), NET_OK);
	CHECK_EQ_INT(fake_tcp.closes, 1);
	CHECK(world_teardown());
}

static void test_stream_connect_failures(void)
{
	struct socket *s;
	struct sock_addr srv = { W_S1, 80 };

	world_setup();
	fake_tcp.on_connect = FAKE_TCP_REFUSE;
	sock_open(SOCK_STREAM, &s);
	CHECK_EQ_INT(sock_connect(s, &srv, 1000), NET_ECONNREFUSED);
	CHECK_EQ_INT(fake_tcp.aborts, 1);
	CHECK_EQ_INT(sock_send(s, "x", 1, 0), NET_ECLOSED);
	CHECK_EQ_INT(sock_recv(s, &srv, 1, 0), NET_ECLOSED);
	CHECK_EQ_INT(sock_close(s), NET_OK);

	fake_tcp.on_connect = FAKE_TCP_SILENT;
	sock_open(SOCK_STREAM, &s);
	uint64_t t = sys_now_ms();
	CHECK_EQ_INT(sock_connect(s, &srv, 2000), NET_ETIMEDOUT);
	CHECK_EQ_INT(sys_now_ms() - t, 2000);
	sock_close(s);

	fake_tcp.on_connect = FAKE_TCP_NOROUTE;
	sock_open(SOCK_STREAM, &s);
	CHECK_EQ_INT(sock_connect(s, &srv, 2000), NET_ENETUNREACH);
	sock_close(s);

	fake_tcp.on_connect = FAKE_TCP_SILENT;
	sock_open(SOCK_STREAM, &s);
	tp_interrupt_after(3);
	CHECK_EQ_INT(sock_connect(s, &srv, SOCK_WAIT_FOREVER), NET_EINTR);
	tp_interrupt_after(0);
	sock_close(s);
	CHECK(world_teardown());
}

static void test_stream_send_waits_for_space(void)
{
	struct socket *s;
	struct sock_addr srv = { W_S1, 80 };
	char data[25];
	memset(data, 'p', sizeof data);

	world_setup();
	fake_tcp.on_connect = FAKE_TCP_ACCEPT;
	sock_open(SOCK_STREAM, &s);
	sock_connect(s, &srv, 1000);
	/* 10 octets of room now and 10 more at each wake: all 25 go. */
	fake_tcp.last->send_space = 10;
	fake_tcp.refill = 10;
	CHECK_EQ_INT(sock_send(s, data, sizeof data, 1000), 25);
	CHECK_EQ_INT(fake_tcp.last->sent_len, 25);
	/* No room ever: what fit, after the timeout; or at once with 0. */
	fake_tcp.refill = 0;
	fake_tcp.last->send_space = 4;
	uint64_t t = sys_now_ms();
	CHECK_EQ_INT(sock_send(s, data, sizeof data, 300), 4);
	CHECK_EQ_INT(sys_now_ms() - t, 300);
	CHECK_EQ_INT(sock_send(s, data, sizeof data, 300), NET_ETIMEDOUT);
	CHECK_EQ_INT(sock_send(s, data, sizeof data, 0), NET_EAGAIN);
	/* Half-close: no more sending. */
	CHECK_EQ_INT(sock_shutdown(s, SOCK_SHUT_WR), NET_OK);
	fake_tcp.last->send_space = 100;
	CHECK_EQ_INT(sock_send(s, data, 1, 0), NET_ECLOSED);
	CHECK_EQ_INT(sock_shutdown(s, SOCK_SHUT_RD), NET_OK);
	CHECK_EQ_INT(sock_recv(s, data, 1, 0), 0);
	CHECK_EQ_INT(sock_setopt(s, SOCK_OPT_NODELAY, 1), NET_OK);
	CHECK_EQ_INT(fake_tcp.last->nodelay, 1);
	CHECK_EQ_INT(sock_abort(s), NET_OK);
	CHECK_EQ_INT(fake_tcp.aborts, 1);
	CHECK(world_teardown());
}

static void test_stream_listen_accept(void)
{
	struct socket *l, *c;
	struct sock_addr port80 = { 0, 80 }, peer;

	world_setup();
	sock_open(SOCK_STREAM, &l);
	CHECK_EQ_INT(sock_bind(l, &port80), NET_OK);
	CHECK_EQ_INT(sock_listen(l, 4), NET_OK);
	CHECK_EQ_INT(sock_accept(l, &c, &peer, 0), NET_EAGAIN);
	CHECK_EQ_INT(sock_accept(l, &c, &peer, 200), NET_ETIMEDOUT);
	struct tcp_conn *listener = fake_tcp.last;
	fake_tcp_incoming(listener, W_S2, 40000);
	CHECK_EQ_INT(sock_accept(l, &c, &peer, 200), NET_OK);
	CHECK_EQ_INT(peer.addr, W_S2);
	CHECK_EQ_INT(peer.port, 40000);
	CHECK_EQ_INT(sock_send(c, "hi", 2, 0), 2);
	sock_close(c);
	sock_close(l);
	CHECK(world_teardown());
}

int main(void)
{
	check_suite = "socket";
	RUN(test_dgram_bind);
	RUN(test_dgram_send_and_receive);
	RUN(test_dgram_timeouts_and_ctrl_c);
	RUN(test_dgram_connected);
	RUN(test_dgram_icmp_error_reported_once);
	RUN(test_dgram_stream_only_calls);
	RUN(test_stream_connect_send_recv);
	RUN(test_stream_connect_failures);
	RUN(test_stream_send_waits_for_space);
	RUN(test_stream_listen_accept);
	return check_report();
}
