/* TCP (RFC 9293): the connection table, the application's calls (the
 * "user/TCP interface" of 3.9.1), ICMP errors, netstat snapshots, start-up.
 * Segment arrival is in tcp_in.c, departure in tcp_out.c, timers in
 * tcp_timer.c, congestion control in tcp_cc.c. */
#include "net/tcp.h"

#include <string.h>

#include "net/err.h"
#include "net/icmp.h"
#include "net/perf.h"
#include "net/stack.h"
#include "net/sys.h"
#include "net/tcp_conn.h"
#include "net/tcp_isn.h"
#include "net/tcp_out.h"
#include "net/tcp_timer.h"
#include "net/trace.h"
#include "net/wire.h"

enum {
	TCP_EPHEMERAL_MIN = 49152, /* RFC 6335 dynamic ports */
	TCP_EPHEMERAL_MAX = 65535,
	TCP_BUF_MIN = 16384,       /* smallest buffer we fall back to when memory is short */
};

const char *const tcp_state_name[TCP_STATE_COUNT] = {
	[TCP_CLOSED] = "CLOSED",
	[TCP_LISTEN] = "LISTEN",
	[TCP_SYN_SENT] = "SYN_SENT",
	[TCP_SYN_RECEIVED] = "SYN_RECEIVED",
	[TCP_ESTABLISHED] = "ESTABLISHED",
	[TCP_FIN_WAIT_1] = "FIN_WAIT_1",
	[TCP_FIN_WAIT_2] = "FIN_WAIT_2",
	[TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCP_CLOSING] = "CLOSING",
	[TCP_LAST_ACK] = "LAST_ACK",
	[TCP_TIME_WAIT] = "TIME_WAIT",
};

static const struct tcp_settings tcp_defaults = {
	.rcvbuf = 256 * 1024,
	.sndbuf = 128 * 1024,
	.max_conns = 64,
	.msl_ms = 30 * 1000,
	.delack_ms = 40,
	.rto_initial_ms = 1000,
	.rto_min_ms = 200,
	.rto_max_ms = 60 * 1000,
	.syn_retries = 8,   /* 1+2+...+60 s: a SYN is given up after 3 min (RFC 9293 MUST-23) */
	.synack_retries = 5,
	.max_retries = 10,
	.fin_wait2_ms = 60 * 1000,
	.keep_idle_ms = 2 * 60 * 60 * 1000,
	.keep_intvl_ms = 75 * 1000,
	.keep_count = 9,
	.challenge_ack_limit = 10,
	.syn_backlog = 32,
	.window_scaling = true,
	.sack = true,
};

struct tcp_settings tcp_settings;
struct tcp_stats tcp_stats;
struct tcp_conn *tcp_conns[TCP_CONN_MAX];

/* ---- the table ---- */

int tcp_conn_count(void)
{
	int n = 0;
	for (int i = 0; i < TCP_CONN_MAX; i++)
		n += tcp_conns[i] != NULL;
	return n;
}

uint16_t tcp_mss_for(uint32_t raddr)
{
	struct netif *nif;
	uint32_t next_hop;
	uint32_t mss = TCP_MSS_DEFAULT;

	if (ipv4_route(raddr, &nif, &next_hop) == 0 && nif->mtu > IPV4_HLEN + TCP_HLEN)
		mss = nif->mtu - IPV4_HLEN - TCP_HLEN;
	if (mss > NETBUF_SIZE - NETBUF_HEADROOM)
		mss = NETBUF_SIZE - NETBUF_HEADROOM;
	return (uint16_t)mss;
}

uint8_t tcp_wscale_for(uint32_t size)
{
	uint8_t s = 0;
	while (s < TCP_WSCALE_MAX && (size >> s) > TCP_WIN_MAX)
		s++;
	return s;
}

/* Free c and what it owns, without looking at anything else. */
static void tcp_conn_release(struct tcp_conn *c)
{
	sys_free(c->sndbuf.buf);
	sys_free(c->rcvbuf.buf);
	sys_wait_destroy(c->wait);
	sys_free(c);
}

/* The oldest orphan in TIME_WAIT (the one whose 2*MSL ends first). */
static int tcp_time_wait_victim(void)
{
	int best = -1;
	for (int i = 0; i < TCP_CONN_MAX; i++) {
		struct tcp_conn *c = tcp_conns[i];
		if (!c || c->state != TCP_TIME_WAIT || (c->flags & TF_APP))
			continue;
		if (best < 0 || c->timer[TCP_T_2MSL] < tcp_conns[best]->timer[TCP_T_2MSL])
			best = i;
	}
	return best;
}

struct tcp_conn *tcp_conn_alloc(void)
{
	int slot = -1;
	uint32_t max = tcp_settings.max_conns < TCP_CONN_MAX ? tcp_settings.max_conns : TCP_CONN_MAX;

	if ((uint32_t)tcp_conn_count() >= max) {
		/* Full: a TIME_WAIT orphan has done its work and can go
		 * (it only guards against old duplicates). */
		int v = tcp_time_wait_victim();
		if (v < 0)
			return NULL;
		tcp_stats.tw_evicted++;
		tcp_conn_free(tcp_conns[v]);
	}
	for (int i = 0; i < TCP_CONN_MAX && slot < 0; i++)
		if (!tcp_conns[i])
			slot = i;
	if (slot < 0)
		return NULL;
	struct tcp_conn *c = sys_alloc(sizeof *c);
	if (!c)
		return NULL;
	memset(c, 0, sizeof *c);
	c->wait = sys_wait_create("tcp");
	if (!c->wait) {
		sys_free(c);
		return NULL;
	}
	c->state = TCP_CLOSED;
	c->rto_ms = tcp_settings.rto_initial_ms;
	tcp_reass_init(&c->reass);
	tcp_conns[slot] = c;
	return c;
}

/* Take c off its listener: the accept queue or the half-open count. */
static void tcp_listener_unlink(struct tcp_conn *c)
{
	struct tcp_conn *l = c->listener;

	if (!l)
		return;
	if (c->flags & TF_QUEUED) {
		struct tcp_conn **pp = &l->accept_head, *prev = NULL;
		while (*pp && *pp != c) {
			prev = *pp;
			pp = &(*pp)->accept_next;
		}
		if (*pp) {
			*pp = c->accept_next;
			if (l->accept_tail == c)
				l->accept_tail = prev;
			l->accept_count--;
		}
		c->flags &= ~TF_QUEUED;
	} else if (l->half_open) {
		l->half_open--;
	}
	c->listener = NULL;
	c->accept_next = NULL;
}

/* Close a listener's children that nobody accepted: reset and free. */
static void tcp_listener_drop_children(struct tcp_conn *l)
{
	for (int i = 0; i < TCP_CONN_MAX; i++) {
		struct tcp_conn *c = tcp_conns[i];
		if (!c || c->listener != l)
			continue;
		tcp_send_rst(c);
		tcp_conn_free(c);
	}
}

void tcp_conn_free(struct tcp_conn *c)
{
	if (c->state == TCP_LISTEN)
		tcp_listener_drop_children(c);
	tcp_listener_unlink(c);
	for (int i = 0; i < TCP_CONN_MAX; i++)
		if (tcp_conns[i] == c)
			tcp_conns[i] = NULL;
	tcp_conn_release(c);
}

/* sys_alloc size bytes, halving down to TCP_BUF_MIN while memory is short. */
static uint8_t *tcp_buf_alloc(uint32_t *size)
{
	uint32_t n = *size < TCP_BUF_MIN ? TCP_BUF_MIN : *size;
	for (;;) {
		uint8_t *p = sys_alloc(n);
		if (p || n <= TCP_BUF_MIN) {
			*size = p ? n : 0;
			return p;
		}
		n /= 2;
	}
}

int tcp_conn_buffers_alloc(struct tcp_conn *c)
{
	if (!c->rcvbuf.buf) {
		uint32_t n = tcp_settings.rcvbuf;
		uint8_t *p = tcp_buf_alloc(&n);
		if (!p)
			return NET_ENOMEM;
		tcp_ring_init(&c->rcvbuf, p, n);
	}
	if (!c->sndbuf.buf) {
		uint32_t n = tcp_settings.sndbuf;
		uint8_t *p = tcp_buf_alloc(&n);
		if (!p)
			return NET_ENOMEM;
		tcp_ring_init(&c->sndbuf, p, n);
	}
	return NET_OK;
}

struct tcp_conn *tcp_conn_lookup(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
	for (int i = 0; i < TCP_CONN_MAX; i++) {
		struct tcp_conn *c = tcp_conns[i];
		if (c && c->lport == lport && c->rport == rport && c->raddr == raddr && c->laddr == laddr &&
		    c->state != TCP_CLOSED && c->state != TCP_LISTEN)
			return c;
	}
	return NULL;
}

struct tcp_conn *tcp_listener_lookup(uint32_t laddr, uint16_t lport)
{
	struct tcp_conn *any = NULL;

	for (int i = 0; i < TCP_CONN_MAX; i++) {
		struct tcp_conn *c = tcp_conns[i];
		if (!c || c->state != TCP_LISTEN || c->lport != lport)
			continue;
		if (c->laddr == laddr)
			return c;
		if (c->laddr == 0)
			any = c;
	}
	return any;
}

void tcp_trace(const struct tcp_conn *c, struct net_trace_event *ev)
{
	ev->laddr = c->laddr;
	ev->raddr = c->raddr;
	ev->lport = c->lport;
	ev->rport = c->rport;
	net_trace_note(ev);
}

void tcp_conn_set_state(struct tcp_conn *c, enum tcp_state s)
{
	if (net_trace_on() && s != c->state) {
		struct net_trace_event ev = {
			.kind = NET_TRACE_TCP_STATE,
			.old_state = c->state,
			.new_state = s,
			.timer_ms = s == TCP_TIME_WAIT ? 2ull * tcp_settings.msl_ms : 0,
		};
		tcp_trace(c, &ev);
	}
	c->state = s;
	sys_wake(c->wait);
}

bool tcp_conn_closed(struct tcp_conn *c, int err)
{
	tcp_timer_stop_all(c);
	if (err != NET_OK && c->error == NET_OK)
		c->error = err;
	tcp_conn_set_state(c, TCP_CLOSED);
	if (c->listener || !(c->flags & TF_APP)) {
		tcp_conn_free(c);
		return true;
	}
	return false;
}

bool tcp_conn_accept_ready(struct tcp_conn *c, uint64_t now)
{
	struct tcp_conn *l = c->listener;

	(void)now;
	if (l->accept_count >= l->backlog || tcp_conn_buffers_alloc(c) != NET_OK) {
		tcp_stats.drop_listen_overflow++;
		tcp_send_rst(c);
		tcp_conn_free(c);
		return false;
	}
	if (l->half_open)
		l->half_open--;
	c->flags |= TF_QUEUED;
	c->accept_next = NULL;
	if (l->accept_tail)
		l->accept_tail->accept_next = c;
	else
		l->accept_head = c;
	l->accept_tail = c;
	l->accept_count++;
	sys_wake(l->wait);
	return true;
}

void tcp_conn_drop_buffers(struct tcp_conn *c)
{
	sys_free(c->sndbuf.buf);
	sys_free(c->rcvbuf.buf);
	tcp_ring_init(&c->sndbuf, NULL, 0);
	tcp_ring_init(&c->rcvbuf, NULL, 0);
	/* Out-of-order ranges describe bytes in the receive ring: gone too. */
	tcp_reass_init(&c->reass);
	c->sack_n = 0;
}

void tcp_conn_time_wait(struct tcp_conn *c, uint64_t now)
{
	tcp_timer_stop_all(c);
	tcp_timer_set(c, TCP_T_2MSL, now + 2ull * tcp_settings.msl_ms);
	tcp_stats.closes++;
	tcp_conn_set_state(c, TCP_TIME_WAIT);
	/* An orphan needs only its 4-tuple and sequence numbers now. */
	if (!(c->flags & TF_APP))
		tcp_conn_drop_buffers(c);
}

size_t tcp_conn_mem(const struct tcp_conn *c)
{
	return sizeof *c + c->sndbuf.size + c->rcvbuf.size;
}

/* ---- ports ---- */

/* True when port is taken for a new bind on addr: by a listener, or by a
 * bound connection that has no peer yet, on an overlapping address.
 * Connected ones may share a local port (their 4-tuples differ). */
static bool tcp_port_in_use(const struct tcp_conn *self, uint32_t addr, uint16_t port)
{
	for (int i = 0; i < TCP_CONN_MAX; i++) {
		const struct tcp_conn *c = tcp_conns[i];
		if (!c || c == self || c->lport != port)
			continue;
		if (c->state != TCP_LISTEN && c->raddr)
			continue;
		if (c->laddr == 0 || addr == 0 || c->laddr == addr)
			return true;
	}
	return false;
}

/* A free ephemeral port (used by no connection at all), or 0: a random
 * start (RFC 6056), then a linear probe. */
static uint16_t tcp_ephemeral_port(void)
{
	const uint32_t span = TCP_EPHEMERAL_MAX - TCP_EPHEMERAL_MIN + 1;
	uint32_t off = sys_random32() % span;

	for (uint32_t i = 0; i < span; i++) {
		uint16_t port = (uint16_t)(TCP_EPHEMERAL_MIN + (off + i) % span);
		bool used = false;
		for (int j = 0; j < TCP_CONN_MAX && !used; j++)
			used = tcp_conns[j] && tcp_conns[j]->lport == port;
		if (!used)
			return port;
	}
	return 0;
}

/* ---- the application's calls ---- */

struct tcp_conn *tcp_conn_new(void)
{
	struct tcp_conn *c = tcp_conn_alloc();
	if (c)
		c->flags |= TF_APP;
	return c;
}

int tcp_conn_bind(struct tcp_conn *c, uint32_t addr, uint16_t port)
{
	if (!c || c->state != TCP_CLOSED || c->lport || c->raddr)
		return NET_EINVAL;
	if (port && tcp_port_in_use(c, addr, port))
		return NET_EADDRINUSE;
	c->laddr = addr;
	c->lport = port;
	return NET_OK;
}

int tcp_conn_connect(struct tcp_conn *c, uint32_t addr, uint16_t port)
{
	struct netif *nif;
	uint32_t next_hop;
	uint64_t now = sys_now_ms();

	if (!c || c->state != TCP_CLOSED || c->raddr || c->error || addr == 0 || port == 0 ||
	    addr == IPV4_BROADCAST || ipv4_is_multicast(addr))
		return NET_EINVAL;
	if (ipv4_route(addr, &nif, &next_hop) != NET_OK)
		return NET_ENETUNREACH;
	uint32_t laddr = c->laddr;
	if (!laddr)
		laddr = nif->is_loopback && !ipv4_is_loopback(addr) ? addr : nif->ip;
	if (!laddr)
		return NET_ENETUNREACH;
	uint16_t lport = c->lport ? c->lport : tcp_ephemeral_port();
	if (!lport || tcp_conn_lookup(laddr, lport, addr, port))
		return NET_EADDRINUSE;
	if (tcp_conn_buffers_alloc(c) != NET_OK)
		return NET_ENOMEM;

	c->laddr = laddr;
	c->lport = lport;
	c->raddr = addr;
	c->rport = port;
	c->rcv_mss = tcp_mss_for(addr);
	c->snd_mss = c->rcv_mss < TCP_MSS_DEFAULT ? c->rcv_mss : TCP_MSS_DEFAULT;
	if (tcp_settings.window_scaling) {
		c->flags |= TF_WSCALE;
		c->rcv_wscale = tcp_wscale_for(c->rcvbuf.size);
	}
	if (tcp_settings.sack)
		c->flags |= TF_SACK_OK;
	c->iss = tcp_isn(laddr, lport, addr, port, now);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->recover = c->iss;
	c->cwnd = c->snd_mss;
	c->rto_ms = tcp_settings.rto_initial_ms;
	c->last_rx_ms = now;
	tcp_stats.active_opens++;
	tcp_conn_set_state(c, TCP_SYN_SENT);
	tcp_output(c, now);
	sys_kick();
	return NET_OK;
}

int tcp_conn_listen(struct tcp_conn *c, int backlog)
{
	if (!c || c->state != TCP_CLOSED || c->raddr)
		return NET_EINVAL;
	if (!c->lport) {
		c->lport = tcp_ephemeral_port();
		if (!c->lport)
			return NET_EADDRINUSE;
	} else if (tcp_port_in_use(c, c->laddr, c->lport)) {
		return NET_EADDRINUSE;
	}
	if (backlog < 1)
		backlog = 1;
	if (backlog > TCP_BACKLOG_MAX)
		backlog = TCP_BACKLOG_MAX;
	c->backlog = (uint32_t)backlog;
	tcp_conn_set_state(c, TCP_LISTEN);
	return NET_OK;
}

struct tcp_conn *tcp_conn_accept(struct tcp_conn *l)
{
	if (!l || l->state != TCP_LISTEN || !l->accept_head)
		return NULL;
	struct tcp_conn *c = l->accept_head;
	tcp_listener_unlink(c);
	c->flags |= TF_APP;
	return c;
}

long tcp_conn_send(struct tcp_conn *c, const void *buf, size_t len)
{
	if (!c)
		return NET_EINVAL;
	if (c->error)
		return c->error;
	if (c->state == TCP_CLOSED || c->state == TCP_LISTEN)
		return NET_ENOTCONN;
	if (c->flags & TF_FIN_QUEUED)
		return NET_ECLOSED;
	uint32_t n = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	n = tcp_ring_write(&c->sndbuf, buf, n);
	perf_count(PERF_EV_COPY_TX, n);
	if (n) {
		tcp_output(c, sys_now_ms());
		sys_kick();
	}
	return n;
}

void tcp_conn_reader_begin(struct tcp_conn *c, void *buf, size_t len)
{
	if (!c || !buf)
		return;
	c->reader.buf = buf;
	c->reader.len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	c->reader.got = 0;
}

size_t tcp_conn_reader_end(struct tcp_conn *c)
{
	if (!c)
		return 0;
	size_t got = c->reader.got;
	c->reader.buf = NULL;
	c->reader.len = c->reader.got = 0;
	return got;
}

long tcp_conn_recv(struct tcp_conn *c, void *buf, size_t len)
{
	if (!c)
		return NET_EINVAL;
	if (c->rcvbuf.len) {
		uint32_t n = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
		n = tcp_ring_read(&c->rcvbuf, buf, n);
		perf_count(PERF_EV_COPY_RX, n);
		tcp_window_maybe_update(c, sys_now_ms());
		sys_kick();
		return n;
	}
	if (c->flags & TF_RCV_FIN)
		return 0;
	if (c->error)
		return c->error;
	if (c->state == TCP_CLOSED || c->state == TCP_LISTEN)
		return NET_ENOTCONN;
	return NET_EAGAIN;
}

/* Queue our FIN behind the data (RFC 9293 3.10.4, CLOSE): ESTABLISHED
 * moves to FIN_WAIT_1 and CLOSE_WAIT to LAST_ACK; in SYN_SENT and
 * SYN_RECEIVED the FIN waits for ESTABLISHED ("queue for processing after
 * entering ESTABLISHED"). Returns true when the FIN may leave now. */
static bool tcp_queue_fin(struct tcp_conn *c)
{
	c->flags |= TF_FIN_QUEUED;
	switch (c->state) {
	case TCP_ESTABLISHED:
		tcp_conn_set_state(c, TCP_FIN_WAIT_1);
		return true;
	case TCP_CLOSE_WAIT:
		tcp_conn_set_state(c, TCP_LAST_ACK);
		return true;
	default:
		return false;
	}
}

int tcp_conn_shutdown_send(struct tcp_conn *c)
{
	if (!c)
		return NET_EINVAL;
	if (c->error)
		return c->error;
	if (c->flags & TF_FIN_QUEUED)
		return NET_OK;
	if (c->state == TCP_CLOSED || c->state == TCP_LISTEN)
		return NET_ENOTCONN;
	if (!tcp_queue_fin(c))
		return NET_OK;
	tcp_output(c, sys_now_ms());
	sys_kick();
	return NET_OK;
}

int tcp_conn_close(struct tcp_conn *c)
{
	uint64_t now = sys_now_ms();

	if (!c)
		return NET_EINVAL;
	c->flags &= ~TF_APP;
	switch (c->state) {
	case TCP_CLOSED:
	case TCP_LISTEN:
	case TCP_SYN_SENT:
		/* No one to tell (RFC 9293 3.10.4: SYN-SENT "delete the TCB"). */
		tcp_conn_free(c);
		return NET_OK;
	default:
		break;
	}
	if (c->rcvbuf.len) {
		/* Unread data would be lost without a word: RFC 9293 3.10.4
		 * and RFC 1122 4.2.2.13 say reset. */
		tcp_send_rst(c);
		tcp_conn_closed(c, NET_ECONNRESET);
		sys_kick();
		return NET_OK;
	}
	switch (c->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_SYN_RECEIVED:
		tcp_queue_fin(c);
		break;
	case TCP_FIN_WAIT_2:
		/* All sent and acknowledged, and text from now on is answered
		 * with a RST: the rings have no more use. */
		tcp_timer_set(c, TCP_T_2MSL, now + tcp_settings.fin_wait2_ms);
		tcp_conn_drop_buffers(c);
		break;
	case TCP_TIME_WAIT:
		tcp_conn_drop_buffers(c); /* 2*MSL runs on */
		break;
	default:
		break; /* FIN_WAIT_1, CLOSING, LAST_ACK: the FIN is on its way */
	}
	tcp_output(c, now);
	sys_kick();
	return NET_OK;
}

void tcp_conn_abort(struct tcp_conn *c)
{
	if (!c)
		return;
	/* RFC 9293 3.10.5: a RST in the states where the peer has a TCB. */
	switch (c->state) {
	case TCP_SYN_RECEIVED:
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
	case TCP_CLOSE_WAIT:
		tcp_send_rst(c);
		break;
	default:
		break;
	}
	tcp_conn_free(c);
	sys_kick();
}

enum tcp_state tcp_conn_state(const struct tcp_conn *c)
{
	return c->state;
}

int tcp_conn_error(const struct tcp_conn *c)
{
	return c->error;
}

size_t tcp_conn_readable(const struct tcp_conn *c)
{
	return c->rcvbuf.len;
}

size_t tcp_conn_writable(const struct tcp_conn *c)
{
	if (c->state == TCP_CLOSED || c->state == TCP_LISTEN || (c->flags & TF_FIN_QUEUED))
		return 0;
	return tcp_ring_space(&c->sndbuf);
}

struct sys_wait *tcp_conn_wait(struct tcp_conn *c)
{
	return c->wait;
}

int tcp_conn_setopt(struct tcp_conn *c, enum tcp_opt opt, int value)
{
	uint64_t now = sys_now_ms();

	if (!c)
		return NET_EINVAL;
	switch (opt) {
	case TCP_OPT_NODELAY:
		if (value)
			c->flags |= TF_NODELAY;
		else
			c->flags &= ~TF_NODELAY;
		tcp_output(c, now); /* what Nagle held may go now */
		return NET_OK;
	case TCP_OPT_KEEPALIVE:
		if (value)
			c->flags |= TF_KEEPALIVE;
		else
			c->flags &= ~TF_KEEPALIVE;
		if (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT)
			tcp_timer_keep_arm(c, now);
		sys_kick();
		return NET_OK;
	}
	return NET_EINVAL;
}

void tcp_conn_endpoints(const struct tcp_conn *c, uint32_t *laddr, uint16_t *lport, uint32_t *raddr,
			uint16_t *rport)
{
	if (laddr)
		*laddr = c->laddr;
	if (lport)
		*lport = c->lport;
	if (raddr)
		*raddr = c->raddr;
	if (rport)
		*rport = c->rport;
}

int tcp_foreach(void (*fn)(const struct tcp_conn_info *info, void *ctx), void *ctx, uint64_t now_ms)
{
	int n = 0;

	for (int i = 0; i < TCP_CONN_MAX; i++) {
		const struct tcp_conn *c = tcp_conns[i];
		struct tcp_conn_info info;
		if (!c)
			continue;
		memset(&info, 0, sizeof info);
		info.state = c->state;
		info.laddr = c->laddr;
		info.raddr = c->raddr;
		info.lport = c->lport;
		info.rport = c->rport;
		info.sendq = c->sndbuf.len;
		info.recvq = c->rcvbuf.len;
		info.srtt_us = c->srtt_us;
		info.rttvar_us = c->rttvar_us;
		info.rto_ms = tcp_rto_current(c);
		info.cwnd = c->cwnd;
		info.ssthresh = c->ssthresh;
		info.snd_wnd = c->snd_wnd;
		info.rcv_wnd = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
		info.retransmits = c->retransmits;
		info.segs_in = c->segs_in;
		info.segs_out = c->segs_out;
		info.mem_bytes = tcp_conn_mem(c);
		info.snd_mss = c->snd_mss;
		info.error = c->error;
		info.iss = c->iss;
		info.irs = c->irs;
		info.snd_una = c->snd_una;
		info.snd_nxt = c->snd_nxt;
		info.snd_max = c->snd_max;
		info.rcv_nxt = c->rcv_nxt;
		uint64_t first = UINT64_MAX;
		for (int t = 0; t < TCP_T_COUNT; t++) {
			if (c->timer[t] && c->timer[t] < first) {
				first = c->timer[t];
				info.timer = tcp_timer_name[t];
				info.timer_ms = first > now_ms ? first - now_ms : 0;
			}
		}
		if (fn)
			fn(&info, ctx);
		n++;
	}
	return n;
}

/* ---- ICMP errors (RFC 9293 3.9.2.2; RFC 1122 4.2.3.9; RFC 5927) ---- */

void tcp_icmp_error(const struct ipv4_hdr *orig, const uint8_t *l4, size_t l4_len, int err)
{
	/* The quote holds at least the ports and the sequence number. */
	if (l4_len < TCP_ACK) {
		tcp_stats.icmp_unmatched++;
		return;
	}
	uint16_t sport = be16_get(l4 + TCP_SPORT);
	uint16_t dport = be16_get(l4 + TCP_DPORT);
	uint32_t seq = be32_get(l4 + TCP_SEQ);
	struct tcp_conn *c = tcp_conn_lookup(orig->src, sport, orig->dst, dport);
	/* RFC 5927 4.1: only about a segment we sent and that is still
	 * unacknowledged; anything else may be forged. */
	if (!c || !SEQ_IN(seq, c->snd_una, c->snd_max)) {
		tcp_stats.icmp_unmatched++;
		return;
	}
	/* Port or protocol unreachable while connecting: nobody is there
	 * (a hard error). Everything else is soft (MUST-54 in RFC 9293
	 * 3.9.2.2: never abort a connection for it); it is told if the
	 * connection later times out. */
	if (c->state == TCP_SYN_SENT && (err == NET_EPORTUNREACH || err == NET_EPROTO)) {
		tcp_stats.icmp_hard++;
		tcp_conn_closed(c, err == NET_EPORTUNREACH ? NET_ECONNREFUSED : NET_EPROTO);
		return;
	}
	tcp_stats.icmp_soft++;
	c->soft_error = err;
}

/* ---- start-up and counters ---- */

#define TCP_COUNTER(field) { #field, &tcp_stats.field }

static const struct net_counter tcp_counters[] = {
	TCP_COUNTER(segs_in),
	TCP_COUNTER(segs_out),
	TCP_COUNTER(bytes_in),
	TCP_COUNTER(bytes_out),
	TCP_COUNTER(drop_short),
	TCP_COUNTER(drop_bad_hlen),
	TCP_COUNTER(drop_bad_options),
	TCP_COUNTER(drop_bad_checksum),
	TCP_COUNTER(drop_bad_addr),
	TCP_COUNTER(drop_no_conn),
	TCP_COUNTER(drop_listen_ack),
	TCP_COUNTER(drop_listen_overflow),
	TCP_COUNTER(drop_syn_flood),
	TCP_COUNTER(drop_no_memory),
	TCP_COUNTER(drop_bad_synack),
	TCP_COUNTER(drop_syn_sent_other),
	TCP_COUNTER(drop_out_of_window),
	TCP_COUNTER(drop_no_ack),
	TCP_COUNTER(drop_ack_too_new),
	TCP_COUNTER(drop_ack_too_old),
	TCP_COUNTER(drop_rst_out_of_window),
	TCP_COUNTER(drop_dup_data),
	TCP_COUNTER(drop_reass_full),
	TCP_COUNTER(drop_after_close),
	TCP_COUNTER(drop_listen_syn_fin),
	TCP_COUNTER(rst_in),
	TCP_COUNTER(rst_out),
	TCP_COUNTER(rst_rate_limited),
	TCP_COUNTER(challenge_acks),
	TCP_COUNTER(challenge_acks_limited),
	TCP_COUNTER(syn_in_synchronized),
	TCP_COUNTER(active_opens),
	TCP_COUNTER(passive_opens),
	TCP_COUNTER(established),
	TCP_COUNTER(closes),
	TCP_COUNTER(resets_by_peer),
	TCP_COUNTER(timeouts),
	TCP_COUNTER(keepalive_timeouts),
	TCP_COUNTER(tw_reopens),
	TCP_COUNTER(tw_evicted),
	TCP_COUNTER(retransmits),
	TCP_COUNTER(rto_expired),
	TCP_COUNTER(fast_retransmits),
	TCP_COUNTER(partial_acks),
	TCP_COUNTER(dupacks_in),
	TCP_COUNTER(persist_probes),
	TCP_COUNTER(keepalive_probes),
	TCP_COUNTER(delayed_acks),
	TCP_COUNTER(window_updates),
	TCP_COUNTER(ooo_segments),
	TCP_COUNTER(ooo_bytes),
	TCP_COUNTER(dup_bytes),
	TCP_COUNTER(icmp_soft),
	TCP_COUNTER(icmp_hard),
	TCP_COUNTER(icmp_unmatched),
};

static const struct net_counter_group tcp_counter_group = {
	.name = "tcp",
	.counters = tcp_counters,
	.count = sizeof tcp_counters / sizeof tcp_counters[0],
};

void tcp_init(void)
{
	/* Release without unlinking: listeners and children go together. */
	for (int i = 0; i < TCP_CONN_MAX; i++) {
		if (tcp_conns[i])
			tcp_conn_release(tcp_conns[i]);
		tcp_conns[i] = NULL;
	}
	tcp_settings = tcp_defaults;
	memset(&tcp_stats, 0, sizeof tcp_stats);
	tcp_isn_init();
	tcp_out_init();
	net_timer_register("tcp", tcp_timer_tick, tcp_timer_next);
	net_counters_register(&tcp_counter_group);
	ipv4_set_protocol(IPV4_PROTO_TCP, tcp_input, tcp_icmp_error);
}
