/* The TCP test double (see fake_tcp.h): all of net/tcp.h, no segments. */
#include "tests/unit/dns/fake_tcp.h"

#include <string.h>

#include "net/err.h"
#include "net/sys.h"

enum { FAKE_TCP_CONNS = 8, FAKE_TCP_EPHEMERAL = 50000 };

struct fake_tcp fake_tcp;
static struct tcp_conn conns[FAKE_TCP_CONNS];
static uint16_t next_port = FAKE_TCP_EPHEMERAL;

const char *const tcp_state_name[TCP_STATE_COUNT] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
	"FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

static void conn_free(struct tcp_conn *c)
{
	sys_wait_destroy(c->wait);
	memset(c, 0, sizeof *c);
}

void fake_tcp_reset(void)
{
	for (int i = 0; i < FAKE_TCP_CONNS; i++)
		if (conns[i].in_use)
			conn_free(&conns[i]);
	memset(&fake_tcp, 0, sizeof fake_tcp);
	next_port = FAKE_TCP_EPHEMERAL;
}

int fake_tcp_live(void)
{
	int n = 0;
	for (int i = 0; i < FAKE_TCP_CONNS; i++)
		n += conns[i].in_use;
	return n;
}

struct tcp_conn *tcp_conn_new(void)
{
	for (int i = 0; i < FAKE_TCP_CONNS; i++) {
		struct tcp_conn *c = &conns[i];
		if (c->in_use)
			continue;
		memset(c, 0, sizeof *c);
		c->wait = sys_wait_create("tcp");
		if (!c->wait)
			return NULL;
		c->in_use = true;
		c->state = TCP_CLOSED;
		c->send_space = FAKE_TCP_BUF;
		fake_tcp.last = c;
		return c;
	}
	return NULL;
}

int tcp_conn_bind(struct tcp_conn *c, uint32_t addr, uint16_t port)
{
	c->laddr = addr;
	c->lport = port;
	return NET_OK;
}

int tcp_conn_connect(struct tcp_conn *c, uint32_t addr, uint16_t port)
{
	if (c->state != TCP_CLOSED || !addr || !port)
		return NET_EINVAL;
	fake_tcp.connects++;
	if (fake_tcp.on_connect == FAKE_TCP_NOROUTE)
		return NET_ENETUNREACH;
	c->raddr = addr;
	c->rport = port;
	if (!c->lport)
		c->lport = next_port++;
	c->state = fake_tcp.on_connect == FAKE_TCP_ACCEPT ? TCP_ESTABLISHED : TCP_SYN_SENT;
	c->pending_refuse = fake_tcp.on_connect == FAKE_TCP_REFUSE;
	return NET_OK;
}

int tcp_conn_listen(struct tcp_conn *c, int backlog)
{
	c->state = TCP_LISTEN;
	c->backlog = backlog > 0 ? backlog : 1;
	return NET_OK;
}

struct tcp_conn *fake_tcp_incoming(struct tcp_conn *l, uint32_t addr, uint16_t port)
{
	struct tcp_conn *c = tcp_conn_new();
	if (!c)
		return NULL;
	c->state = TCP_ESTABLISHED;
	c->laddr = l->laddr;
	c->lport = l->lport;
	c->raddr = addr;
	c->rport = port;
	l->pending = c;
	sys_wake(l->wait);
	return c;
}

struct tcp_conn *tcp_conn_accept(struct tcp_conn *l)
{
	struct tcp_conn *c = l->pending;
	l->pending = NULL;
	return c;
}

long tcp_conn_send(struct tcp_conn *c, const void *buf, size_t len)
{
	if (c->error)
		return c->error;
	if (c->shut_send)
		return NET_ECLOSED;
	if (c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT)
		return NET_ENOTCONN;
	size_t room = FAKE_TCP_BUF - c->sent_len;
	size_t n = len < c->send_space ? len : c->send_space;
	n = n < room ? n : room;
	memcpy(c->sent + c->sent_len, buf, n);
	c->sent_len += n;
	c->send_space -= n;
	if (n && fake_tcp.on_send)
		fake_tcp.on_send(c, fake_tcp.ctx);
	return (long)n;
}

/* No direct copies here: a sleeping reader finds its bytes in the next
 * tcp_conn_recv. */
void tcp_conn_reader_begin(struct tcp_conn *c, void *buf, size_t len)
{
	(void)c;
	(void)buf;
	(void)len;
}

size_t tcp_conn_reader_end(struct tcp_conn *c)
{
	(void)c;
	return 0;
}

long tcp_conn_recv(struct tcp_conn *c, void *buf, size_t len)
{
	size_t avail = c->rx_len - c->rx_off;
	if (avail) {
		size_t n = len < avail ? len : avail;
		memcpy(buf, c->rx + c->rx_off, n);
		c->rx_off += n;
		return (long)n;
	}
	if (c->error)
		return c->error;
	if (c->peer_fin)
		return 0;
	return NET_EAGAIN;
}

void fake_tcp_deliver(struct tcp_conn *c, const void *data, size_t len, bool fin)
{
	size_t room = FAKE_TCP_BUF - c->rx_len;
	size_t n = len < room ? len : room;
	if (n)
		memcpy(c->rx + c->rx_len, data, n);
	c->rx_len += n;
	if (fin) {
		c->peer_fin = true;
		if (c->state == TCP_ESTABLISHED)
			c->state = TCP_CLOSE_WAIT;
	}
	sys_wake(c->wait);
}

void fake_tcp_pump(void)
{
	for (int i = 0; i < FAKE_TCP_CONNS; i++) {
		struct tcp_conn *c = &conns[i];
		if (c->in_use && c->pending_refuse) {
			c->pending_refuse = false;
			c->state = TCP_CLOSED;
			c->error = NET_ECONNREFUSED;
			sys_wake(c->wait);
		}
		if (c->in_use && c->send_space == 0 && fake_tcp.refill) {
			c->send_space = fake_tcp.refill;
			sys_wake(c->wait);
		}
	}
	if ((fake_tcp.pump_data || fake_tcp.pump_fin) && fake_tcp.last && fake_tcp.last->in_use) {
		fake_tcp_deliver(fake_tcp.last, fake_tcp.pump_data, fake_tcp.pump_len, fake_tcp.pump_fin);
		fake_tcp.pump_data = NULL;
		fake_tcp.pump_fin = false;
	}
}

int tcp_conn_shutdown_send(struct tcp_conn *c)
{
	c->shut_send = true;
	return NET_OK;
}

int tcp_conn_close(struct tcp_conn *c)
{
	fake_tcp.closes++;
	conn_free(c);
	return NET_OK;
}

void tcp_conn_abort(struct tcp_conn *c)
{
	fake_tcp.aborts++;
	conn_free(c);
}

enum tcp_state tcp_conn_state(const struct tcp_conn *c) { return c->state; }
int tcp_conn_error(const struct tcp_conn *c) { return c->error; }
size_t tcp_conn_readable(const struct tcp_conn *c) { return c->rx_len - c->rx_off; }
size_t tcp_conn_writable(const struct tcp_conn *c) { return c->send_space; }
struct sys_wait *tcp_conn_wait(struct tcp_conn *c) { return c->wait; }

int tcp_conn_setopt(struct tcp_conn *c, enum tcp_opt opt, int value)
{
	if (opt == TCP_OPT_NODELAY)
		c->nodelay = value;
	else if (opt == TCP_OPT_KEEPALIVE)
		c->keepalive = value;
	else
		return NET_EINVAL;
	return NET_OK;
}

void tcp_conn_endpoints(const struct tcp_conn *c, uint32_t *laddr, uint16_t *lport, uint32_t *raddr, uint16_t *rport)
{
	*laddr = c->laddr;
	*lport = c->lport;
	*raddr = c->raddr;
	*rport = c->rport;
}

int tcp_foreach(void (*fn)(const struct tcp_conn_info *info, void *ctx), void *ctx, uint64_t now_ms)
{
	(void)fn;
	(void)ctx;
	(void)now_ms;
	return 0;
}

/* The stack's entry points: the fake has no segments to take. */
void tcp_input(struct netif *nif, struct netbuf *nb, const struct ipv4_hdr *ih)
{
	(void)nif;
	(void)ih;
	netbuf_free(nb);
}

void tcp_icmp_error(const struct ipv4_hdr *orig, const uint8_t *l4, size_t l4_len, int err)
{
	(void)orig;
	(void)l4;
	(void)l4_len;
	(void)err;
}

void tcp_init(void) {}
