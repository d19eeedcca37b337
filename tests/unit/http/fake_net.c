/* The scripted network of tests/unit/http/fake_net.h. */
#include "tests/unit/http/fake_net.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/dns.h"
#include "net/err.h"
#include "net/socket.h"
#include "net/sys.h"

struct fake_net fake_net;

struct socket {
	struct fake_server *srv;
	unsigned piece;                /* the next piece to deliver */
	size_t off;                    /* into it */
	bool connected;
	bool ended;                    /* the end action happened (close: 0 from now on) */
};

void fake_net_reset(void)
{
	memset(&fake_net, 0, sizeof fake_net);
	fake_net.now_ms = 1000;
}

struct fake_server *fake_server(uint32_t addr, uint16_t port, enum fake_end end, ...)
{
	struct fake_server *s = &fake_net.servers[fake_net.nservers++];
	va_list ap;
	memset(s, 0, sizeof *s);
	s->addr = addr;
	s->port = port;
	s->end = end;
	va_start(ap, end);
	for (const char *p; (p = va_arg(ap, const char *)) != NULL;)
		fake_server_piece(s, p, strlen(p));
	va_end(ap);
	return s;
}

void fake_server_piece(struct fake_server *s, const char *data, size_t len)
{
	if (s->npieces == FAKE_PIECES_MAX)
		abort();   /* the test asks too much of the fake */
	s->pieces[s->npieces] = data;
	s->lens[s->npieces++] = len;
}

void fake_dns(const char *name, int status, uint32_t addr)
{
	fake_net.names[fake_net.nnames].name = name;
	fake_net.names[fake_net.nnames].status = status;
	fake_net.names[fake_net.nnames++].addr = addr;
}

/* ---- net/sys.h ---- */

uint64_t sys_now_ms(void)
{
	return fake_net.now_ms;
}

bool sys_interrupted(void)
{
	return false;
}

/* ---- net/dns.h ---- */

int dns_resolve(const char *name, struct dns_result *res, uint64_t timeout_ms)
{
	unsigned a, b, c, d;
	char end;

	memset(res, 0, sizeof *res);
	snprintf(res->names[0], sizeof res->names[0], "%s", name);
	res->nnames = 1;
	fake_net.resolves++;
	if (sscanf(name, "%u.%u.%u.%u%c", &a, &b, &c, &d, &end) == 4) {
		res->literal = true;
		res->addrs[0] = a << 24 | b << 16 | c << 8 | d;
		res->naddrs = 1;
		return DNS_OK;
	}
	for (unsigned i = 0; i < fake_net.nnames; i++) {
		if (strcmp(fake_net.names[i].name, name) != 0)
			continue;
		if (fake_net.names[i].status == DNS_ETIMEDOUT)
			fake_net.now_ms += timeout_ms;
		if (fake_net.names[i].status != DNS_OK)
			return fake_net.names[i].status;
		res->addrs[0] = fake_net.names[i].addr;
		res->naddrs = 1;
		return DNS_OK;
	}
	return DNS_ENXDOMAIN;
}

const char *dns_strerror(int status)
{
	return status == DNS_ENOSERVERS ? "no DNS server is configured" : "some DNS error";
}

/* ---- net/socket.h ---- */

int sock_open(enum sock_type type, struct socket **out)
{
	if (type != SOCK_STREAM)
		return NET_EINVAL;
	*out = calloc(1, sizeof **out);
	fake_net.open_sockets++;
	return NET_OK;
}

int sock_connect(struct socket *s, const struct sock_addr *remote, uint64_t timeout_ms)
{
	for (unsigned i = 0; i < fake_net.nservers; i++) {
		struct fake_server *srv = &fake_net.servers[i];
		if (srv->addr != remote->addr || srv->port != remote->port)
			continue;
		srv->connects++;
		if (srv->on_connect == FAKE_REFUSE)
			return NET_ECONNREFUSED;
		if (srv->on_connect == FAKE_SILENT) {
			fake_net.now_ms += timeout_ms;
			fake_net.last_timeout_ms = timeout_ms;
			return NET_ETIMEDOUT;
		}
		s->srv = srv;
		s->connected = true;
		srv->sent_len = 0;
		return NET_OK;
	}
	return NET_ECONNREFUSED;   /* nobody listens there */
}

long sock_send(struct socket *s, const void *buf, size_t len, uint64_t timeout_ms)
{
	(void)timeout_ms;
	if (!s->connected)
		return NET_ENOTCONN;
	struct fake_server *srv = s->srv;
	size_t room = sizeof srv->sent - srv->sent_len;
	size_t n = len < room ? len : room;
	memcpy(srv->sent + srv->sent_len, buf, n);
	srv->sent_len += n;
	return (long)len;
}

long sock_recv(struct socket *s, void *buf, size_t len, uint64_t timeout_ms)
{
	struct fake_server *srv = s->srv;
	if (!s->connected)
		return NET_ENOTCONN;
	if (s->piece < srv->npieces) {
		size_t left = srv->lens[s->piece] - s->off;
		size_t n = left < len ? left : len;
		memcpy(buf, srv->pieces[s->piece] + s->off, n);
		s->off += n;
		if (s->off == srv->lens[s->piece]) {
			s->piece++;
			s->off = 0;
		}
		return (long)n;
	}
	switch (srv->end) {
	case FAKE_CLOSE:
		return 0;
	case FAKE_RESET:
		return NET_ECONNRESET;
	case FAKE_CTRL_C:
		return NET_EINTR;
	default:
		fake_net.now_ms += timeout_ms;
		fake_net.last_timeout_ms = timeout_ms;
		return NET_ETIMEDOUT;
	}
}

int sock_close(struct socket *s)
{
	fake_net.closes++;
	fake_net.open_sockets--;
	free(s);
	return NET_OK;
}

int sock_abort(struct socket *s)
{
	fake_net.aborts++;
	fake_net.open_sockets--;
	free(s);
	return NET_OK;
}
