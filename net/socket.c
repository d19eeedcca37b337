/* The socket API (net/socket.h): blocking calls for applications over the
 * non-blocking UDP pcbs (net/udp.h) and TCP connections (net/tcp.h).
 *
 * Every wait here is the same loop: try the non-blocking operation; if it
 * would block, sleep on the protocol's wait for at most SOCK_POLL_MS (so
 * that Ctrl-C is seen promptly even when nothing wakes us), then check the
 * interrupt flag and the deadline and try again. A wake is only a hint. */
#include "net/socket.h"

#include <stdbool.h>
#include <string.h>

#include "net/err.h"
#include "net/netbuf.h"
#include "net/perf.h"
#include "net/tcp.h"
#include "net/udp.h"

enum { SOCK_POLL_MS = 100 };

struct socket {
	enum sock_type type;
	struct udp_pcb *pcb;        /* SOCK_DGRAM */
	struct tcp_conn *conn;      /* SOCK_STREAM; NULL once aborted */
	struct sock_addr local;     /* datagram: as bound (port filled in) */
	struct sock_addr remote;    /* datagram: as connected */
	bool read_shut;             /* SOCK_SHUT_RD: recv returns 0 */
};

/* ---- waiting ---- */

/* The absolute deadline of a call that may wait timeout_ms from now. */
static uint64_t sock_deadline(uint64_t timeout_ms)
{
	uint64_t now = sys_now_ms();
	if (timeout_ms == SOCK_WAIT_FOREVER || timeout_ms > UINT64_MAX - now)
		return UINT64_MAX;
	return now + timeout_ms;
}

/* Sleep on w once, until deadline at most. Returns NET_OK to try again,
 * NET_EINTR after Ctrl-C, NET_ETIMEDOUT when the deadline has passed. */
static int sock_sleep(struct sys_wait *w, uint64_t deadline)
{
	if (sys_interrupted())
		return NET_EINTR;
	uint64_t now = sys_now_ms();
	if (now >= deadline)
		return NET_ETIMEDOUT;
	uint64_t ms = deadline - now;
	sys_wait(w, ms < SOCK_POLL_MS ? ms : SOCK_POLL_MS);
	if (sys_interrupted())
		return NET_EINTR;
	return NET_OK;
}

/* ---- life cycle ---- */

int sock_open(enum sock_type type, struct socket **out)
{
	*out = NULL;
	if (type != SOCK_DGRAM && type != SOCK_STREAM)
		return NET_EINVAL;
	struct socket *s = sys_alloc(sizeof *s);
	if (!s)
		return NET_ENOMEM;
	memset(s, 0, sizeof *s);
	s->type = type;
	if (type == SOCK_DGRAM)
		s->pcb = udp_pcb_new();
	else
		s->conn = tcp_conn_new();
	if (!s->pcb && !s->conn) {
		sys_free(s);
		return NET_ENOMEM;
	}
	*out = s;
	return NET_OK;
}

int sock_close(struct socket *s)
{
	int err = NET_OK;
	if (!s)
		return NET_EINVAL;
	if (s->pcb)
		udp_pcb_free(s->pcb);
	if (s->conn)
		err = tcp_conn_close(s->conn);   /* TCP finishes and frees it */
	sys_free(s);
	return err;
}

int sock_abort(struct socket *s)
{
	if (!s)
		return NET_EINVAL;
	if (s->conn) {
		tcp_conn_abort(s->conn);
		s->conn = NULL;
	}
	return sock_close(s);
}

/* The connection of a stream socket, or NULL (aborted after a failed
 * connect, or not a stream socket). */
static struct tcp_conn *sock_conn(const struct socket *s)
{
	return s && s->type == SOCK_STREAM ? s->conn : NULL;
}

/* ---- addresses ---- */

int sock_bind(struct socket *s, const struct sock_addr *local)
{
	if (!s || !local)
		return NET_EINVAL;
	if (s->type == SOCK_STREAM)
		return s->conn ? tcp_conn_bind(s->conn, local->addr, local->port) : NET_ECLOSED;
	int err = udp_pcb_bind(s->pcb, local->addr, local->port);
	if (err)
		return err;
	s->local.addr = local->addr;
	s->local.port = udp_pcb_local_port(s->pcb);
	return NET_OK;
}

int sock_getnames(const struct socket *s, struct sock_addr *local, struct sock_addr *remote)
{
	if (!s)
		return NET_EINVAL;
	if (s->type == SOCK_STREAM) {
		struct sock_addr l = { 0 }, r = { 0 };
		if (!s->conn)
			return NET_ECLOSED;
		tcp_conn_endpoints(s->conn, &l.addr, &l.port, &r.addr, &r.port);
		if (local)
			*local = l;
		if (remote)
			*remote = r;
		return NET_OK;
	}
	if (local) {
		*local = s->local;
		local->port = udp_pcb_local_port(s->pcb);
	}
	if (remote)
		*remote = s->remote;
	return NET_OK;
}

/* ---- connections ---- */

/* Wait until c is established (NET_OK) or has failed. */
static int sock_wait_established(struct tcp_conn *c, uint64_t deadline)
{
	for (;;) {
		int err = tcp_conn_error(c);
		if (err)
			return err;
		enum tcp_state st = tcp_conn_state(c);
		/* Past the handshake: even if the peer has closed already. */
		if (st != TCP_SYN_SENT && st != TCP_SYN_RECEIVED)
			return st == TCP_CLOSED ? NET_ECONNREFUSED : NET_OK;
		err = sock_sleep(tcp_conn_wait(c), deadline);
		if (err)
			return err;
	}
}

int sock_connect(struct socket *s, const struct sock_addr *remote, uint64_t timeout_ms)
{
	if (!s || !remote)
		return NET_EINVAL;
	if (s->type == SOCK_DGRAM) {
		int err = udp_pcb_connect(s->pcb, remote->addr, remote->port);
		if (err)
			return err;
		s->remote = *remote;
		return NET_OK;
	}
	if (!s->conn)
		return NET_ECLOSED;
	uint64_t deadline = sock_deadline(timeout_ms);
	int err = tcp_conn_connect(s->conn, remote->addr, remote->port);
	if (err == NET_OK)
		err = sock_wait_established(s->conn, deadline);
	if (err != NET_OK) {
		/* A failed or abandoned handshake leaves nothing to reuse. */
		tcp_conn_abort(s->conn);
		s->conn = NULL;
	}
	return err;
}

int sock_listen(struct socket *s, int backlog)
{
	struct tcp_conn *c = sock_conn(s);
	if (!s)
		return NET_EINVAL;
	if (s->type != SOCK_STREAM)
		return NET_ENOTSUP;
	return c ? tcp_conn_listen(c, backlog) : NET_ECLOSED;
}

int sock_accept(struct socket *s, struct socket **out, struct sock_addr *peer, uint64_t timeout_ms)
{
	struct tcp_conn *l = sock_conn(s);
	*out = NULL;
	if (!s)
		return NET_EINVAL;
	if (s->type != SOCK_STREAM)
		return NET_ENOTSUP;
	if (!l)
		return NET_ECLOSED;
	uint64_t deadline = sock_deadline(timeout_ms);
	struct tcp_conn *c;
	while (!(c = tcp_conn_accept(l))) {
		if (timeout_ms == 0)
			return NET_EAGAIN;
		int err = sock_sleep(tcp_conn_wait(l), deadline);
		if (err)
			return err;
	}
	struct socket *ns = sys_alloc(sizeof *ns);
	if (!ns) {
		tcp_conn_abort(c);
		return NET_ENOMEM;
	}
	memset(ns, 0, sizeof *ns);
	ns->type = SOCK_STREAM;
	ns->conn = c;
	if (peer) {
		uint32_t la;
		uint16_t lp;
		tcp_conn_endpoints(c, &la, &lp, &peer->addr, &peer->port);
	}
	*out = ns;
	return NET_OK;
}

/* ---- data ---- */

/* Copy buf into a fresh netbuf for UDP (payload only), or NULL. */
static struct netbuf *sock_dgram_nb(const void *buf, size_t len)
{
	struct netbuf *nb = netbuf_alloc_large(len);
	if (!nb)
		return NULL;
	uint8_t *p = netbuf_put(nb, len);
	if (!p) {
		netbuf_free(nb);
		return NULL;
	}
	memcpy(p, buf, len);
	perf_count(PERF_EV_COPY_TX, len);
	return nb;
}

static long sock_dgram_send(struct socket *s, const void *buf, size_t len, const struct sock_addr *to)
{
	if (len > UDP_PAYLOAD_MAX)
		return NET_EMSGSIZE;
	if (!to && !s->remote.addr)
		return NET_ENOTCONN;
	struct netbuf *nb = sock_dgram_nb(buf, len);
	if (!nb)
		return NET_ENOMEM;
	int err = to ? udp_pcb_sendto(s->pcb, nb, to->addr, to->port) : udp_pcb_send(s->pcb, nb);
	return err ? err : (long)len;
}

static long sock_stream_send(struct tcp_conn *c, const uint8_t *buf, size_t len, uint64_t timeout_ms)
{
	uint64_t deadline = sock_deadline(timeout_ms);
	size_t done = 0;
	while (done < len) {
		enum perf_stage prev = perf_enter(PERF_SOCKET);
		long n = tcp_conn_send(c, buf + done, len - done);
		perf_leave(prev);
		if (n < 0)
			return done ? (long)done : n;
		done += (size_t)n;
		if (done == len)
			break;
		if (n > 0)
			continue;
		/* The send buffer is full: wait for ACKs to free some. */
		int err = timeout_ms == 0 ? NET_EAGAIN : sock_sleep(tcp_conn_wait(c), deadline);
		if (err)
			return done ? (long)done : err;
	}
	return (long)done;
}

long sock_send(struct socket *s, const void *buf, size_t len, uint64_t timeout_ms)
{
	if (!s || (!buf && len))
		return NET_EINVAL;
	if (s->type == SOCK_DGRAM)
		return sock_dgram_send(s, buf, len, NULL);
	struct tcp_conn *c = sock_conn(s);
	return c ? sock_stream_send(c, buf, len, timeout_ms) : NET_ECLOSED;
}

long sock_sendto(struct socket *s, const void *buf, size_t len, const struct sock_addr *to, uint64_t timeout_ms)
{
	(void)timeout_ms;   /* UDP never waits to send */
	if (!s || !to || (!buf && len))
		return NET_EINVAL;
	if (s->type != SOCK_DGRAM)
		return NET_ENOTSUP;
	return sock_dgram_send(s, buf, len, to);
}

static long sock_dgram_recv(struct socket *s, void *buf, size_t len, struct sock_addr *from, uint64_t timeout_ms)
{
	uint64_t deadline = sock_deadline(timeout_ms);
	struct netbuf *nb;
	struct udp_rx_info rx;
	int err;

	while ((err = udp_pcb_recv(s->pcb, &nb, &rx)) == NET_EAGAIN) {
		if (timeout_ms == 0)
			return NET_EAGAIN;
		err = sock_sleep(udp_pcb_wait(s->pcb), deadline);
		if (err)
			return err;
	}
	if (err)
		return err;        /* a pending ICMP error, reported once */
	size_t n = nb->len < len ? nb->len : len;
	memcpy(buf, nb->data, n);
	perf_count(PERF_EV_COPY_RX, n);
	if (from) {
		from->addr = rx.src_addr;
		from->port = rx.src_port;
	}
	netbuf_free(nb);
	return (long)n;
}

static long sock_stream_recv(struct socket *s, void *buf, size_t len, struct sock_addr *from, uint64_t timeout_ms)
{
	struct tcp_conn *c = sock_conn(s);
	if (!c)
		return NET_ECLOSED;
	if (s->read_shut)
		return 0;
	if (from) {
		uint32_t la;
		uint16_t lp;
		tcp_conn_endpoints(c, &la, &lp, &from->addr, &from->port);
	}
	uint64_t deadline = sock_deadline(timeout_ms);
	for (;;) {
		enum perf_stage prev = perf_enter(PERF_SOCKET);
		long n = tcp_conn_recv(c, buf, len);
		perf_leave(prev);
		if (n != NET_EAGAIN)
			return n;
		if (timeout_ms == 0)
			return NET_EAGAIN;
		tcp_conn_reader_begin(c, buf, len);
		int err = sock_sleep(tcp_conn_wait(c), deadline);
		size_t got = tcp_conn_reader_end(c);
		if (got)
			return (long)got;
		if (err)
			return err;
	}
}

long sock_recvfrom(struct socket *s, void *buf, size_t len, struct sock_addr *from, uint64_t timeout_ms)
{
	if (!s || (!buf && len))
		return NET_EINVAL;
	if (s->type == SOCK_DGRAM)
		return sock_dgram_recv(s, buf, len, from, timeout_ms);
	return sock_stream_recv(s, buf, len, from, timeout_ms);
}

long sock_recv(struct socket *s, void *buf, size_t len, uint64_t timeout_ms)
{
	return sock_recvfrom(s, buf, len, NULL, timeout_ms);
}

/* ---- control ---- */

int sock_shutdown(struct socket *s, enum sock_shut how)
{
	if (!s || how < SOCK_SHUT_RD || how > SOCK_SHUT_RDWR)
		return NET_EINVAL;
	if (s->type != SOCK_STREAM)
		return NET_ENOTSUP;
	struct tcp_conn *c = sock_conn(s);
	if (!c)
		return NET_ECLOSED;
	if (how & SOCK_SHUT_RD)
		s->read_shut = true;
	if (how & SOCK_SHUT_WR)
		return tcp_conn_shutdown_send(c);
	return NET_OK;
}

int sock_setopt(struct socket *s, enum sock_opt opt, int value)
{
	if (!s)
		return NET_EINVAL;
	if (s->type != SOCK_STREAM)
		return NET_ENOTSUP;
	struct tcp_conn *c = sock_conn(s);
	if (!c)
		return NET_ECLOSED;
	switch (opt) {
	case SOCK_OPT_NODELAY:
		return tcp_conn_setopt(c, TCP_OPT_NODELAY, value);
	case SOCK_OPT_KEEPALIVE:
		return tcp_conn_setopt(c, TCP_OPT_KEEPALIVE, value);
	}
	return NET_EINVAL;
}
