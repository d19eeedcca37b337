/* Pigeon's web server: see user/httpd.h. Wire format in user/httpd_wire.c. */
#include "user/httpd.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/clock.h"
#include "kernel/heap.h"
#include "kernel/sched.h"
#include "kernel/version.h"
#include "net/err.h"
#include "net/netif.h"
#include "net/socket.h"
#include "net/tcp.h"
#include "user/httpd_wire.h"
#include "user/netfmt.h"

enum {
	HTTPD_PAGE_MAX = 8192,       /* the generated status page */
	HTTPD_RESP_HEAD_MAX = 512,
	HTTPD_STOP_WAIT_MS = 5000,
	HTTPD_FULL_NAP_MS = 5,       /* acceptor, while every slot is taken */
};

/* One connection's state; its thread owns it and frees it at the end. */
struct httpd_conn {
	struct socket *s;
	struct sock_addr peer;
	size_t have;                     /* octets in buf */
	char buf[HTTPD_HEAD_MAX];
	char head[HTTPD_RESP_HEAD_MAX];
	char page[HTTPD_PAGE_MAX];
	struct httpd_request req;
};

static struct {
	bool running, stopping, acceptor_alive;
	uint16_t port;
	struct socket *listener;
	uint64_t started_ms;
	uint64_t connections, requests, errors;
	unsigned active, peak;
} httpd;

static const char hello_txt[] = "Hello from Pigeon!\n";

static const char pigeon_html[] =
	"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Pigeon</title></head>\n"
	"<body><h1>Pigeon</h1>\n"
	"<p>A tiny x86-64 operating system whose network stack (HTTP, DNS, TCP, IPv4, ARP, Ethernet, "
	"an e1000 driver) was written for one journey: <code>fetch www.google.com</code>.</p>\n"
	"<p>This page came from Pigeon's own web server, on the same stack, the other way round.</p>\n"
	"<ul><li><a href=\"/\">status</a></li><li><a href=\"/hello.txt\">hello.txt</a></li>"
	"<li><a href=\"/whoami\">whoami</a></li></ul>\n</body></html>\n";

/* ---- sockets, without sleeping inside them (see user/httpd.h) ---- */

static void httpd_nap(unsigned *nap)
{
	sleep_ms(*nap);
	if (*nap < HTTPD_NAP_MAX_MS)
		*nap *= 2;
}

/* More request bytes into c->buf, until deadline (ms). Returns the octets
 * read, 0 at the end of the stream, or NET_E* (NET_ETIMEDOUT). */
static long httpd_recv(struct httpd_conn *c, uint64_t deadline)
{
	unsigned nap = 1;
	for (;;) {
		long n = sock_recv(c->s, c->buf + c->have, sizeof c->buf - c->have, 0);
		if (n != NET_EAGAIN)
			return n;
		if (httpd.stopping)
			return NET_ECLOSED;
		if (now_ms() >= deadline)
			return NET_ETIMEDOUT;
		httpd_nap(&nap);
	}
}

/* All len octets out, or NET_E*. */
static int httpd_send(struct httpd_conn *c, const void *data, size_t len)
{
	const char *p = data;
	uint64_t deadline = now_ms() + HTTPD_SEND_MS;
	unsigned nap = 1;
	while (len) {
		long n = sock_send(c->s, p, len, 0);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			nap = 1;
			continue;
		}
		if (n != NET_EAGAIN && n != 0)
			return (int)n;
		if (now_ms() >= deadline)
			return NET_ETIMEDOUT;
		httpd_nap(&nap);
	}
	return NET_OK;
}

/* ---- documents ---- */

struct httpd_page_ctx {
	char *p;
	size_t len, cap;
};

static void page_add(struct httpd_page_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void page_add(struct httpd_page_ctx *x, const char *fmt, ...)
{
	va_list ap;
	if (x->len + 1 >= x->cap)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(x->p + x->len, x->cap - x->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		x->len = (size_t)n < x->cap - x->len ? x->len + (size_t)n : x->cap - 1;
}

static void page_conn(const struct tcp_conn_info *i, void *arg)
{
	struct httpd_page_ctx *x = arg;
	page_add(x, "<tr><td>%s:%u</td>", netfmt_ip(i->laddr), i->lport);
	page_add(x, "<td>%s:%u</td><td>%s</td><td>%zu</td><td>%zu</td></tr>\n", netfmt_ip(i->raddr), i->rport,
		 tcp_state_name[i->state], i->sendq, i->recvq);
}

/* The status page: uptime, interfaces, TCP connections, the server's own
 * counters. Returns its length in c->page. */
static size_t httpd_status_page(struct httpd_conn *c)
{
	struct httpd_page_ctx x = { .p = c->page, .cap = sizeof c->page };
	uint64_t up = now_ms();
	char mac[MAC_STR_LEN];

	page_add(&x, "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Pigeon status</title></head>\n"
		     "<body><h1>%s %s</h1>\n", PIGEON_NAME, PIGEON_VERSION);
	page_add(&x, "<p>up %llu.%03llu s; you are %s:%u</p>\n", (unsigned long long)(up / 1000),
		 (unsigned long long)(up % 1000), netfmt_ip(c->peer.addr), c->peer.port);
	page_add(&x, "<h2>Interfaces</h2>\n<table><tr><th>name</th><th>address</th><th>mac</th>"
		     "<th>rx packets</th><th>tx packets</th></tr>\n");
	for (struct netif *n = netif_list(); n; n = n->next)
		page_add(&x, "<tr><td>%s</td><td>%s/%d</td><td>%s</td><td>%llu</td><td>%llu</td></tr>\n", n->name,
			 netfmt_ip(n->ip), netfmt_mask_to_prefix(n->netmask), netfmt_mac(n->mac, mac),
			 (unsigned long long)n->stats.rx_packets, (unsigned long long)n->stats.tx_packets);
	page_add(&x, "</table>\n<h2>TCP connections</h2>\n<table><tr><th>local</th><th>remote</th><th>state</th>"
		     "<th>sendq</th><th>recvq</th></tr>\n");
	tcp_foreach(page_conn, &x, now_ms());
	page_add(&x, "</table>\n<h2>httpd</h2>\n<p>port %u; %llu connections, %llu requests, %u active (at most %u at "
		     "once, peak %u)</p>\n</body></html>\n",
		 httpd.port, (unsigned long long)httpd.connections, (unsigned long long)httpd.requests, httpd.active,
		 HTTPD_CONNS_MAX, httpd.peak);
	return x.len;
}

/* Route the parsed request to a document: status, type and body. */
static unsigned httpd_route(struct httpd_conn *c, const char **type, const char **body, size_t *len)
{
	char path[HTTPD_TARGET_MAX];
	const char *q = strchr(c->req.target, '?');
	size_t n = q ? (size_t)(q - c->req.target) : strlen(c->req.target);

	memcpy(path, c->req.target, n);
	path[n] = 0;
	*type = "text/html; charset=utf-8";
	if (c->req.method == HTTPD_OTHER) {
		*body = "<html><body><h1>405 Method Not Allowed</h1></body></html>\n";
		*len = strlen(*body);
		return 405;
	}
	if (strcmp(path, "/") == 0) {
		*body = c->page;
		*len = httpd_status_page(c);
		return 200;
	}
	if (strcmp(path, "/hello.txt") == 0) {
		*type = "text/plain; charset=utf-8";
		*body = hello_txt;
		*len = sizeof hello_txt - 1;
		return 200;
	}
	if (strcmp(path, "/pigeon.html") == 0) {
		*body = pigeon_html;
		*len = sizeof pigeon_html - 1;
		return 200;
	}
	if (strcmp(path, "/whoami") == 0) {
		*type = "text/plain; charset=utf-8";
		*len = (size_t)snprintf(c->page, sizeof c->page, "%s\n", netfmt_ip(c->peer.addr));
		*body = c->page;
		return 200;
	}
	*body = "<html><body><h1>404 Not Found</h1></body></html>\n";
	*len = strlen(*body);
	return 404;
}

/* Send one response; HEAD gets the head only (RFC 9110 9.3.2). */
static int httpd_respond(struct httpd_conn *c, unsigned status, const char *type, const char *body, size_t len,
			 bool keep, bool head_only)
{
	const char *extra = status == 405 ? "Allow: GET, HEAD\r\n" : NULL;
	size_t h = httpd_response_head(c->head, sizeof c->head, status, type, len, keep, extra);
	int err;

	httpd.requests++;
	if (status >= 400)
		httpd.errors++;
	if (!h)
		return NET_EMSGSIZE;
	/* Head and a small body in one send, so one segment carries both. */
	if (!head_only && len <= sizeof c->head - h) {
		memcpy(c->head + h, body, len);
		return httpd_send(c, c->head, h + len);
	}
	err = httpd_send(c, c->head, h);
	if (err || head_only)
		return err;
	return httpd_send(c, body, len);
}

/* An error the request itself caused: answer, then close. */
static void httpd_refuse(struct httpd_conn *c, unsigned status)
{
	char body[96];
	int n = snprintf(body, sizeof body, "<html><body><h1>%u %s</h1></body></html>\n", status, httpd_reason(status));
	httpd_respond(c, status, "text/html; charset=utf-8", body, (size_t)n, false, false);
}

/* Skip a request body of len octets (we serve no method that takes one). */
static int httpd_skip_body(struct httpd_conn *c, size_t len)
{
	uint64_t deadline = now_ms() + HTTPD_REQUEST_MS;
	while (len) {
		size_t k = c->have < len ? c->have : len;
		memmove(c->buf, c->buf + k, c->have - k);
		c->have -= k;
		len -= k;
		if (!len)
			break;
		long n = httpd_recv(c, deadline);
		if (n <= 0)
			return n < 0 ? (int)n : NET_ECLOSED;
		c->have += (size_t)n;
	}
	return NET_OK;
}

/* Serve requests on one connection until it ends. */
static void httpd_serve(struct httpd_conn *c)
{
	for (;;) {
		int used = httpd_request_parse(c->buf, c->have, &c->req);
		if (used < 0) {
			httpd_refuse(c, (unsigned)-used);
			return;
		}
		if (used == HTTPD_NEED_MORE) {
			/* Idle between requests; a started one must finish. */
			uint64_t deadline = now_ms() + (c->have ? HTTPD_REQUEST_MS : HTTPD_IDLE_MS);
			long n = httpd_recv(c, deadline);
			if (n == NET_ETIMEDOUT && c->have)
				httpd_refuse(c, 408);
			if (n <= 0)
				return;
			c->have += (size_t)n;
			continue;
		}
		memmove(c->buf, c->buf + used, c->have - (size_t)used);
		c->have -= (size_t)used;
		if (httpd_skip_body(c, c->req.content_length) != NET_OK)
			return;
		const char *type, *body;
		size_t len;
		unsigned status = httpd_route(c, &type, &body, &len);
		bool keep = c->req.keep_alive && !httpd.stopping && status != 405;
		if (httpd_respond(c, status, type, body, len, keep, c->req.method == HTTPD_HEAD) != NET_OK || !keep)
			return;
	}
}

/* ---- the threads ----
 * The threads are made at the first start and never exit: a stopped
 * server parks them on wait queues. (Creating and ending a thread per
 * connection would be simpler, but a freed thread stack currently comes
 * back from the page allocator with its guard page still unmapped; see
 * the report on kernel/sched.c. A fixed pool also bounds memory.) */

struct httpd_worker {
	struct httpd_conn *conn;    /* non-NULL: a connection to serve */
	struct waitq wq;
};

static struct httpd_worker workers[HTTPD_CONNS_MAX];
static struct httpd_conn *conns[HTTPD_CONNS_MAX];
static struct waitq acceptor_wq = WAITQ_INIT("httpd");
static bool threads_made;

static void httpd_worker_main(void *arg)
{
	struct httpd_worker *w = arg;
	for (;;) {
		while (!w->conn)
			waitq_wait(&w->wq, WAIT_FOREVER);
		struct httpd_conn *c = w->conn;
		sock_setopt(c->s, SOCK_OPT_NODELAY, 1);
		httpd_serve(c);
		sock_close(c->s);
		c->s = NULL;
		w->conn = NULL;
		httpd.active--;
	}
}

/* Hand a new connection to an idle worker; false if none is idle. */
static bool httpd_dispatch(struct socket *s, const struct sock_addr *peer)
{
	for (int i = 0; i < HTTPD_CONNS_MAX; i++) {
		if (workers[i].conn)
			continue;
		struct httpd_conn *c = conns[i];
		c->s = s;
		c->peer = *peer;
		c->have = 0;
		httpd.active++;
		httpd.connections++;
		if (httpd.active > httpd.peak)
			httpd.peak = httpd.active;
		workers[i].conn = c;
		waitq_wake_one(&workers[i].wq);
		return true;
	}
	return false;
}

static void httpd_accept_main(void *arg)
{
	unsigned nap = 1;
	(void)arg;
	for (;;) {
		if (!httpd.running || httpd.stopping) {
			if (httpd.listener) {
				sock_close(httpd.listener);
				httpd.listener = NULL;
			}
			httpd.acceptor_alive = false;
			waitq_wait(&acceptor_wq, WAIT_FOREVER);
			continue;
		}
		httpd.acceptor_alive = true;
		if (httpd.active >= HTTPD_CONNS_MAX) {
			sleep_ms(HTTPD_FULL_NAP_MS);   /* the backlog holds the rest */
			continue;
		}
		struct socket *s;
		struct sock_addr peer;
		if (sock_accept(httpd.listener, &s, &peer, 0) != NET_OK) {
			httpd_nap(&nap);
			continue;
		}
		nap = 1;
		if (!httpd_dispatch(s, &peer))
			sock_abort(s);             /* cannot happen: active < max */
	}
}

/* The pool, once: the acceptor and one worker per connection slot. */
static int httpd_make_threads(void)
{
	if (threads_made)
		return NET_OK;
	for (int i = 0; i < HTTPD_CONNS_MAX; i++) {
		if (!conns[i] && !(conns[i] = kmalloc(sizeof *conns[i])))
			return NET_ENOMEM;
	}
	for (int i = 0; i < HTTPD_CONNS_MAX; i++) {
		workers[i].wq = (struct waitq)WAITQ_INIT("httpd-conn");
		if (!thread_create("httpd-conn", httpd_worker_main, &workers[i]))
			return NET_ENOMEM;
	}
	if (!thread_create("httpd", httpd_accept_main, NULL))
		return NET_ENOMEM;
	threads_made = true;
	return NET_OK;
}

int httpd_start(uint16_t port)
{
	struct sock_addr local = { 0, port };
	struct socket *s;
	int err;

	if (httpd.running || httpd.acceptor_alive || httpd.active)
		return NET_EADDRINUSE;   /* running, or a stop still finishing */
	err = httpd_make_threads();
	if (err)
		return err;
	err = sock_open(SOCK_STREAM, &s);
	if (err)
		return err;
	if ((err = sock_bind(s, &local)) || (err = sock_listen(s, HTTPD_BACKLOG))) {
		sock_close(s);
		return err;
	}
	memset(&httpd, 0, sizeof httpd);
	httpd.listener = s;
	httpd.port = port;
	httpd.started_ms = now_ms();
	httpd.acceptor_alive = true;
	httpd.running = true;
	waitq_wake_one(&acceptor_wq);
	return NET_OK;
}

int httpd_stop(void)
{
	if (!httpd.running)
		return NET_ENOTCONN;
	httpd.stopping = true;
	uint64_t deadline = now_ms() + HTTPD_STOP_WAIT_MS;
	while ((httpd.acceptor_alive || httpd.active) && now_ms() < deadline)
		sleep_ms(10);
	bool done = !httpd.acceptor_alive && !httpd.active;
	httpd.running = false;
	if (done)
		httpd.stopping = false;
	return done ? NET_OK : NET_ETIMEDOUT;
}

void httpd_get_status(struct httpd_status *st)
{
	st->running = httpd.running;
	st->port = httpd.port;
	st->up_ms = httpd.running ? now_ms() - httpd.started_ms : 0;
	st->connections = httpd.connections;
	st->requests = httpd.requests;
	st->errors = httpd.errors;
	st->active = httpd.active;
	st->peak = httpd.peak;
}
