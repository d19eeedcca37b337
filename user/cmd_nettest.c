/* nettest: socket calls on request, for the attack testbench
 * (tests/attack/, the gVisor packetimpact model: the testbench owns the
 * wire, Pigeon performs the calls it is asked for over the console).
 *
 *   nettest listen PORT echo|discard|source N
 *   nettest connect HOST PORT [LPORT [MS]]
 *                                  from a chosen local port, waiting up to MS
 *                                  (then the connection discards what arrives)
 *   nettest send N                 queue N more bytes of the pattern
 *   nettest recvpause on|off       stop / resume reading (the window closes)
 *   nettest shutdown wr            half-close
 *   nettest close | abort          graceful close / reset, listener too
 *   nettest tcb                    sequence space, windows, RTO, cwnd of
 *                                  every TCP connection
 *   nettest status                 what the background worker has done
 *   nettest sha256                 SHA-256 of every byte read so far
 *
 * One connection and one listener live in a static struct. A background
 * thread ("nettest") accepts, reads and writes with non-blocking calls
 * only, so the shell can close or abort the socket between two of its
 * steps without pulling it out from under a sleeping call. */
#include <stdio.h>
#include <string.h>

#include "kernel/printf.h"
#include "kernel/sched.h"
#include "net/err.h"
#include "net/socket.h"
#include "net/sys.h"
#include "net/tcp.h"
#include "user/command.h"
#include "user/netfmt.h"
#include "user/resolve.h"
#include "user/sha256.h"
#include "user/shell.h"

enum {
	NETTEST_CONNECT_TIMEOUT_MS = 15000,
	NETTEST_POLL_MS = 2,           /* worker: between two looks at the socket */
	NETTEST_BUF = 8192,
	NETTEST_PATTERN_PERIOD = 251,  /* byte i of a stream is i % 251, as nc -n */
	NETTEST_BACKLOG = 4,
};

enum nettest_mode { NT_DISCARD, NT_ECHO, NT_SOURCE };
static const char *const nettest_mode_name[] = { "discard", "echo", "source" };

static struct {
	struct socket *listener;
	struct socket *conn;
	enum nettest_mode mode;
	unsigned long source_bytes;   /* source N: queued on each accept */
	bool recvpause;
	bool eof;                     /* the peer's FIN was read */
	bool worker;                  /* the background thread is alive */
	int error;                    /* last error the worker saw */
	unsigned long long bytes_in, bytes_out, send_left;
	size_t echo_len, echo_off;    /* echo: bytes read but not yet sent */
	struct sha256 rx_hash;        /* of the bytes read, for nettest sha256 */
	uint8_t buf[NETTEST_BUF];
	uint8_t pattern[NETTEST_BUF];
} nt;

/* Send what can go without waiting: pending echo bytes first, then the
 * pattern. Errors end sending (recorded for status). */
static void nettest_pump_send(void)
{
	while (nt.echo_len > nt.echo_off) {
		long n = sock_send(nt.conn, nt.buf + nt.echo_off, nt.echo_len - nt.echo_off, 0);
		if (n <= 0) {
			if (n < 0 && n != NET_EAGAIN)
				nt.error = (int)n;
			return;
		}
		nt.echo_off += (size_t)n;
		nt.bytes_out += (unsigned long long)n;
	}
	nt.echo_len = nt.echo_off = 0;
	while (nt.send_left) {
		size_t start = (size_t)(nt.bytes_out % NETTEST_PATTERN_PERIOD);
		size_t len = sizeof nt.pattern - NETTEST_PATTERN_PERIOD;
		if (len > nt.send_left)
			len = (size_t)nt.send_left;
		long n = sock_send(nt.conn, nt.pattern + start, len, 0);
		if (n <= 0) {
			if (n < 0 && n != NET_EAGAIN) {
				nt.error = (int)n;
				nt.send_left = 0;
			}
			return;
		}
		nt.send_left -= (unsigned long long)n;
		nt.bytes_out += (unsigned long long)n;
	}
}

/* Read what has arrived (unless paused or an echo is still pending). */
static void nettest_pump_recv(void)
{
	while (!nt.recvpause && !nt.eof && nt.echo_len == 0) {
		long n = sock_recv(nt.conn, nt.buf, sizeof nt.buf, 0);
		if (n == NET_EAGAIN)
			return;
		if (n == 0) {
			nt.eof = true;
			return;
		}
		if (n < 0) {
			nt.error = (int)n;
			nt.eof = true;
			return;
		}
		nt.bytes_in += (unsigned long long)n;
		sha256_update(&nt.rx_hash, nt.buf, (size_t)n);
		if (nt.mode == NT_ECHO) {
			nt.echo_len = (size_t)n;
			nt.echo_off = 0;
			nettest_pump_send();
		}
	}
}

/* Begin a new connection's bookkeeping. */
static void nettest_adopt(struct socket *s)
{
	nt.conn = s;
	nt.eof = false;
	nt.error = 0;
	nt.bytes_in = nt.bytes_out = 0;
	nt.echo_len = nt.echo_off = 0;
	nt.send_left = nt.mode == NT_SOURCE ? nt.source_bytes : 0;
	sha256_init(&nt.rx_hash);
}

/* The worker: runs while there is a socket, never sleeps inside a socket
 * call (every call has timeout 0), so the shell may close between steps. */
static void nettest_worker(void *arg)
{
	(void)arg;
	while (nt.listener || nt.conn) {
		if (nt.listener && !nt.conn) {
			struct socket *s;
			int err = sock_accept(nt.listener, &s, NULL, 0);
			if (err == NET_OK)
				nettest_adopt(s);
			else if (err != NET_EAGAIN)
				nt.error = err;
		}
		if (nt.conn) {
			nettest_pump_send();
			nettest_pump_recv();
			nettest_pump_send();
		}
		sleep_ms(NETTEST_POLL_MS);
	}
	nt.worker = false;
}

static int nettest_worker_start(void)
{
	if (nt.worker)
		return 0;
	for (size_t i = 0; i < sizeof nt.pattern; i++)
		nt.pattern[i] = (uint8_t)(i % NETTEST_PATTERN_PERIOD);
	if (!thread_create("nettest", nettest_worker, NULL)) {
		kprintf("nettest: no memory for the worker thread\n");
		return 1;
	}
	nt.worker = true;
	return 0;
}

static void nettest_release(bool abort)
{
	if (nt.conn) {
		if (abort)
			sock_abort(nt.conn);
		else
			sock_close(nt.conn);
		nt.conn = NULL;
	}
	if (nt.listener) {
		sock_close(nt.listener);
		nt.listener = NULL;
	}
}

static int nettest_listen(int argc, char **argv)
{
	unsigned long port, n = 0;
	enum nettest_mode mode;
	struct socket *s;

	if (argc < 4 || netfmt_parse_uint(argv[2], 1, 65535, &port) != 0)
		return shell_usage_error("nettest", "listen PORT echo|discard|source N");
	if (strcmp(argv[3], "echo") == 0 && argc == 4)
		mode = NT_ECHO;
	else if (strcmp(argv[3], "discard") == 0 && argc == 4)
		mode = NT_DISCARD;
	else if (strcmp(argv[3], "source") == 0 && argc == 5 && netfmt_parse_uint(argv[4], 0, 1ul << 30, &n) == 0)
		mode = NT_SOURCE;
	else
		return shell_usage_error("nettest", "listen PORT echo|discard|source N");
	if (nt.listener || nt.conn) {
		kprintf("nettest: busy (nettest close first)\n");
		return 1;
	}
	struct sock_addr local = { .addr = 0, .port = (uint16_t)port };
	int err = sock_open(SOCK_STREAM, &s);
	if (err == NET_OK && (err = sock_bind(s, &local)) == NET_OK)
		err = sock_listen(s, NETTEST_BACKLOG);
	if (err != NET_OK) {
		if (s)
			sock_close(s);
		kprintf("nettest: listen: %s\n", net_strerror(err));
		return 1;
	}
	nt.listener = s;
	nt.mode = mode;
	nt.source_bytes = n;
	nt.recvpause = false;
	if (nettest_worker_start() != 0) {
		nettest_release(false);
		return 1;
	}
	kprintf("nettest: listening on port %lu (%s)\n", port, nettest_mode_name[mode]);
	return 0;
}

static int nettest_connect(int argc, char **argv)
{
	unsigned long port, lport = 0, timeout = NETTEST_CONNECT_TIMEOUT_MS;
	uint32_t addr;
	struct socket *s = NULL;

	if (argc < 4 || argc > 6 || netfmt_parse_uint(argv[3], 1, 65535, &port) != 0 ||
	    (argc > 4 && netfmt_parse_uint(argv[4], 0, 65535, &lport) != 0) ||
	    (argc > 5 && netfmt_parse_uint(argv[5], 1, 600000, &timeout) != 0))
		return shell_usage_error("nettest", "connect HOST PORT [LPORT [MS]]");
	if (nt.listener || nt.conn) {
		kprintf("nettest: busy (nettest close first)\n");
		return 1;
	}
	if (resolve_host(argv[2], &addr) != 0)
		return 1;
	struct sock_addr remote = { .addr = addr, .port = (uint16_t)port };
	struct sock_addr bind_to = { .addr = 0, .port = (uint16_t)lport };
	int err = sock_open(SOCK_STREAM, &s);
	if (err == NET_OK && lport)
		err = sock_bind(s, &bind_to);
	if (err == NET_OK)
		err = sock_connect(s, &remote, timeout);
	if (err != NET_OK) {
		if (s)
			sock_close(s);
		kprintf("nettest: connect: %s\n", net_strerror(err));
		return 1;
	}
	nt.mode = NT_DISCARD;
	nt.recvpause = false;
	nettest_adopt(s);
	if (nettest_worker_start() != 0) {
		nettest_release(true);
		return 1;
	}
	struct sock_addr local;
	sock_getnames(s, &local, NULL);
	kprintf("nettest: connected from port %u\n", local.port);
	return 0;
}

static void nettest_print_tcb(const struct tcp_conn_info *i, void *ctx)
{
	(void)ctx;
	kprintf("tcb %s:%u", netfmt_ip(i->laddr), i->lport);
	kprintf(" %s:%u state=%s iss=%u irs=%u snd_una=%u snd_nxt=%u snd_max=%u rcv_nxt=%u", netfmt_ip(i->raddr),
		i->rport, tcp_state_name[i->state], i->iss, i->irs, i->snd_una, i->snd_nxt, i->snd_max, i->rcv_nxt);
	kprintf(" snd_wnd=%u rcv_wnd=%u rto=%u cwnd=%u ssthresh=%u mss=%u sendq=%zu recvq=%zu rexmt=%llu\n",
		i->snd_wnd, i->rcv_wnd, i->rto_ms, i->cwnd, i->ssthresh, i->snd_mss, i->sendq, i->recvq,
		(unsigned long long)i->retransmits);
}

static int nettest_status(void)
{
	kprintf("nettest: listener=%s conn=%s mode=%s recvpause=%s eof=%s in=%llu out=%llu left=%llu error=%s\n",
		nt.listener ? "yes" : "no", nt.conn ? "yes" : "no", nettest_mode_name[nt.mode],
		nt.recvpause ? "on" : "off", nt.eof ? "yes" : "no", nt.bytes_in, nt.bytes_out, nt.send_left,
		nt.error ? net_strerror(nt.error) : "none");
	return 0;
}

/* The digest of the bytes read so far (the running hash goes on). */
static int nettest_sha256(void)
{
	struct sha256 copy = nt.rx_hash;
	uint8_t digest[SHA256_DIGEST_LEN];
	char hex[2 * SHA256_DIGEST_LEN + 1];

	sha256_final(&copy, digest);
	sha256_hex(digest, hex);
	kprintf("nettest: sha256 %s in=%llu\n", hex, nt.bytes_in);
	return 0;
}

static int nettest_need_conn(void)
{
	if (nt.conn)
		return 0;
	kprintf("nettest: no connection\n");
	return 1;
}

static int cmd_nettest(int argc, char **argv)
{
	unsigned long n;

	if (argc < 2)
		return shell_usage_error("nettest", "missing subcommand");
	const char *op = argv[1];
	if (strcmp(op, "listen") == 0)
		return nettest_listen(argc, argv);
	if (strcmp(op, "connect") == 0)
		return nettest_connect(argc, argv);
	if (strcmp(op, "tcb") == 0) {
		if (tcp_foreach(nettest_print_tcb, NULL, sys_now_ms()) == 0)
			kprintf("tcb none\n");
		return 0;
	}
	if (strcmp(op, "status") == 0)
		return nettest_status();
	if (strcmp(op, "sha256") == 0)
		return nettest_sha256();
	if (strcmp(op, "close") == 0 || strcmp(op, "abort") == 0) {
		nettest_release(op[0] == 'a');
		kprintf("nettest: %s\n", op[0] == 'a' ? "aborted" : "closed");
		return 0;
	}
	if (strcmp(op, "send") == 0 && argc == 3) {
		if (netfmt_parse_uint(argv[2], 1, 1ul << 30, &n) != 0)
			return shell_usage_error("nettest", "send N");
		if (nettest_need_conn())
			return 1;
		nt.send_left += n;
		nettest_pump_send();
		return 0;
	}
	if (strcmp(op, "recvpause") == 0 && argc == 3 &&
	    (strcmp(argv[2], "on") == 0 || strcmp(argv[2], "off") == 0)) {
		nt.recvpause = strcmp(argv[2], "on") == 0;
		return 0;
	}
	if (strcmp(op, "shutdown") == 0 && argc == 3 && strcmp(argv[2], "wr") == 0) {
		if (nettest_need_conn())
			return 1;
		int err = sock_shutdown(nt.conn, SOCK_SHUT_WR);
		if (err != NET_OK)
			kprintf("nettest: shutdown: %s\n", net_strerror(err));
		return err != NET_OK;
	}
	return shell_usage_error("nettest", "unknown subcommand %s", op);
}

COMMAND(nettest, .name = "nettest",
	.usage = "nettest listen PORT echo|discard|source N | connect HOST PORT [LPORT [MS]] | send N | recvpause on|off | "
		 "shutdown wr | close | abort | tcb | status | sha256",
	.summary = "socket calls on request, for the attack testbench",
	.example = "nettest listen 7 echo\nnettest tcb\nnettest close", .run = cmd_nettest);
