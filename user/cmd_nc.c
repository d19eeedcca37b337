/* nc: TCP by hand, in the shape of netcat, over the socket API only.
 *
 *   nc HOST PORT            connect; typed lines go out, what arrives is
 *                           printed; Ctrl-D shuts our side, Ctrl-C closes
 *   nc -l PORT [-e]         accept one connection, print what arrives
 *                           (-e: and echo it back)
 *   nc -z HOST PORT         connect and close: is the port open?
 *   nc -l PORT -s           bulk sink: read to the end, then print bytes,
 *                           time, throughput and the SHA-256 of the data
 *   nc HOST PORT -n BYTES   bulk source: send BYTES of the pattern
 *                           byte[i] = i % 251, half-close, wait for the
 *                           peer to close, print the same summary
 *
 * The SHA-256 lets a host-side `sha256sum` check a transfer end to end. */
#include <stdio.h>
#include <string.h>

#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/printf.h"
#include "net/err.h"
#include "net/socket.h"
#include "user/command.h"
#include "user/netfmt.h"
#include "user/resolve.h"
#include "user/sha256.h"
#include "user/shell.h"

enum {
	NC_CONNECT_TIMEOUT_MS = 15000,
	NC_POLL_MS = 20,                 /* between looks at the keyboard */
	NC_LINE_MAX = 512,
	NC_BUF = 16384,
	NC_PATTERN_PERIOD = 251,         /* a prime: no alignment with buffer sizes */
	NC_CHUNK = NC_PATTERN_PERIOD * 64, /* whole periods, so every chunk starts at 0 */
	NC_DRAIN_TIMEOUT_MS = 60000,     /* -n: waiting for the peer to close */
};

static uint8_t nc_buf[NC_BUF];
static uint8_t nc_pattern[NC_CHUNK];

struct nc_opts {
	bool listen, echo, zero, sink;
	unsigned long port;
	unsigned long long send_bytes;  /* -n; 0 = interactive */
	const char *host;
};

/* "N bytes in T s (R MB/s) sha256 HEX" for a finished bulk transfer. */
static void nc_summary(const char *what, unsigned long long bytes, uint64_t us, struct sha256 *h)
{
	uint8_t d[SHA256_DIGEST_LEN];
	char hex[2 * SHA256_DIGEST_LEN + 1];
	uint64_t kbps = us ? bytes * 1000000ull / us / 1024 : 0;

	sha256_final(h, d);
	sha256_hex(d, hex);
	kprintf("nc: %s %llu bytes in %llu.%03llu s (%llu.%02llu MB/s)\nsha256 %s\n", what, bytes,
		(unsigned long long)(us / 1000000), (unsigned long long)(us / 1000 % 1000),
		(unsigned long long)(kbps / 1024), (unsigned long long)(kbps % 1024 * 100 / 1024), hex);
}

/* The interactive loop: print what arrives, send typed lines. */
static int nc_interact(struct socket *s, bool echo)
{
	char line[NC_LINE_MAX];
	size_t len = 0;
	bool shut = false;

	for (;;) {
		long n = sock_recv(s, nc_buf, sizeof nc_buf, 0);
		if (n > 0) {
			console_write((const char *)nc_buf, (size_t)n);
			if (echo && sock_send(s, nc_buf, (size_t)n, SOCK_WAIT_FOREVER) < 0)
				return 1;
			continue;
		}
		if (n == 0) {
			kprintf("\nnc: connection closed by the peer\n");
			return 0;
		}
		if (n != NET_EAGAIN) {
			kprintf("\nnc: %s\n", net_strerror((int)n));
			return 1;
		}
		int key = console_getkey(NC_POLL_MS);
		if (key == KEY_CTRL('c') || console_interrupted()) {
			kprintf("^C\n");
			return 0;
		}
		if (key == KEY_CTRL('d') && !shut) {
			/* Half-close: the peer sees end of stream; we keep reading. */
			sock_shutdown(s, SOCK_SHUT_WR);
			shut = true;
			continue;
		}
		if (key == '\r' || key == '\n') {
			console_putc('\n');
			line[len++] = '\n';
			if (!shut && sock_send(s, line, len, SOCK_WAIT_FOREVER) < 0)
				return 1;
			len = 0;
		} else if ((key == 0x7f || key == 0x08) && len) {
			len--;
			console_write("\b \b", 3);
		} else if (key >= 0x20 && key < 0x7f && len < sizeof line - 1) {
			line[len++] = (char)key;
			console_putc((char)key);
		}
	}
}

/* -s: read to the end of the stream, hashing. */
static int nc_sink(struct socket *s)
{
	struct sha256 h;
	unsigned long long total = 0;
	uint64_t start = now_us();

	sha256_init(&h);
	for (;;) {
		long n = sock_recv(s, nc_buf, sizeof nc_buf, SOCK_WAIT_FOREVER);
		if (n == 0)
			break;
		if (n < 0) {
			kprintf("nc: after %llu bytes: %s\n", total, net_strerror((int)n));
			return 1;
		}
		sha256_update(&h, nc_buf, (size_t)n);
		total += (unsigned long long)n;
	}
	nc_summary("received", total, now_us() - start, &h);
	return 0;
}

/* -n: send the pattern, half-close, wait for the peer's end of stream. */
static int nc_source(struct socket *s, unsigned long long bytes)
{
	struct sha256 h;
	unsigned long long sent = 0;
	uint64_t start = now_us();

	for (size_t i = 0; i < sizeof nc_pattern; i++)
		nc_pattern[i] = (uint8_t)(i % NC_PATTERN_PERIOD);
	sha256_init(&h);
	while (sent < bytes) {
		size_t chunk = bytes - sent < NC_CHUNK ? (size_t)(bytes - sent) : NC_CHUNK;
		long n = sock_send(s, nc_pattern, chunk, SOCK_WAIT_FOREVER);
		if (n < 0 || (size_t)n != chunk) {
			kprintf("nc: after %llu bytes: %s\n", sent, net_strerror(n < 0 ? (int)n : NET_EINTR));
			return 1;
		}
		sha256_update(&h, nc_pattern, chunk);
		sent += chunk;
	}
	sock_shutdown(s, SOCK_SHUT_WR);
	/* The peer closes once it has everything: then the time is true. */
	for (;;) {
		long n = sock_recv(s, nc_buf, sizeof nc_buf, NC_DRAIN_TIMEOUT_MS);
		if (n == 0)
			break;
		if (n < 0) {
			kprintf("nc: waiting for the peer to finish: %s\n", net_strerror((int)n));
			break;
		}
	}
	nc_summary("sent", sent, now_us() - start, &h);
	return 0;
}

static int nc_parse(int argc, char **argv, struct nc_opts *o)
{
	const char *words[2];
	int nwords = 0;

	memset(o, 0, sizeof *o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-l") == 0) {
			o->listen = true;
		} else if (strcmp(a, "-e") == 0) {
			o->echo = true;
		} else if (strcmp(a, "-z") == 0) {
			o->zero = true;
		} else if (strcmp(a, "-s") == 0) {
			o->sink = true;
		} else if (strcmp(a, "-n") == 0) {
			unsigned long n;
			if (i + 1 >= argc || netfmt_parse_uint(argv[++i], 1, 0xffffffffUL, &n) != 0)
				return shell_usage_error("nc", "-n takes a byte count from 1 to 4294967295");
			o->send_bytes = n;
		} else if (a[0] == '-') {
			return shell_usage_error("nc", "unknown option %s", a);
		} else if (nwords < 2) {
			words[nwords++] = a;
		} else {
			return shell_usage_error("nc", "too many arguments (%s)", a);
		}
	}
	if (o->listen) {
		if (nwords != 1)
			return shell_usage_error("nc", "-l takes a PORT only");
		if (o->zero || o->send_bytes)
			return shell_usage_error("nc", "-z and -n connect; they do not go with -l");
	} else {
		if (nwords != 2)
			return shell_usage_error("nc", "which HOST and PORT?");
		if (o->echo || o->sink)
			return shell_usage_error("nc", "-e and -s go with -l");
		o->host = words[0];
	}
	if (netfmt_parse_uint(words[nwords - 1], 1, 65535, &o->port) != 0)
		return shell_usage_error("nc", "a port is 1 to 65535, not %s", words[nwords - 1]);
	return 0;
}

static int nc_listen(const struct nc_opts *o)
{
	struct socket *l = NULL, *s = NULL;
	struct sock_addr local = { .addr = 0, .port = (uint16_t)o->port }, peer;

	int err = sock_open(SOCK_STREAM, &l);
	if (err == NET_OK)
		err = sock_bind(l, &local);
	if (err == NET_OK)
		err = sock_listen(l, 1);
	if (err != NET_OK) {
		kprintf("nc: port %lu: %s\n", o->port, net_strerror(err));
		if (l)
			sock_close(l);
		return 1;
	}
	kprintf("nc: listening on port %lu (Ctrl-C stops)\n", o->port);
	err = sock_accept(l, &s, &peer, SOCK_WAIT_FOREVER);
	sock_close(l);
	if (err != NET_OK) {
		kprintf("nc: %s\n", err == NET_EINTR ? "interrupted" : net_strerror(err));
		return err == NET_EINTR ? 0 : 1;
	}
	kprintf("nc: connection from %s:%u\n", netfmt_ip(peer.addr), peer.port);
	int rc = o->sink ? nc_sink(s) : nc_interact(s, o->echo);
	sock_close(s);
	return rc;
}

static int nc_connect(const struct nc_opts *o)
{
	struct sock_addr remote = { .port = (uint16_t)o->port };
	struct socket *s;

	int err = resolve_host(o->host, &remote.addr);
	if (err != NET_OK) {
		kprintf("nc: %s: %s\n", o->host, net_strerror(err));
		return 1;
	}
	err = sock_open(SOCK_STREAM, &s);
	if (err != NET_OK) {
		kprintf("nc: %s\n", net_strerror(err));
		return 1;
	}
	err = sock_connect(s, &remote, NC_CONNECT_TIMEOUT_MS);
	if (err != NET_OK) {
		kprintf("nc: connect to %s port %lu: %s\n", netfmt_ip(remote.addr), o->port, net_strerror(err));
		sock_close(s);
		return 1;
	}
	int rc = 0;
	if (o->zero)
		kprintf("Connection to %s %lu port [tcp] succeeded!\n", o->host, o->port);
	else if (o->send_bytes)
		rc = nc_source(s, o->send_bytes);
	else
		rc = nc_interact(s, false);
	sock_close(s);
	return rc;
}

static int cmd_nc(int argc, char **argv)
{
	struct nc_opts o;

	if (nc_parse(argc, argv, &o) != 0)
		return 1;
	console_interrupted(); /* forget an old Ctrl-C */
	return o.listen ? nc_listen(&o) : nc_connect(&o);
}

COMMAND(nc, .name = "nc", .usage = "nc [-z] HOST PORT [-n BYTES] | nc -l PORT [-e] [-s]",
	.summary = "TCP by hand: connect or listen, send typed lines, print what arrives",
	.example = "nc 10.0.2.2 80       (nc -l 7 -e echoes; nc -l 5001 -s counts and hashes)",
	.run = cmd_nc);
