/* The socket API: one interface to UDP and TCP for applications (user/).
 *
 * Calls that wait take a timeout in milliseconds (SOCK_WAIT_FOREVER for
 * none) and sleep on the underlying protocol's wait; they also return
 * NET_EINTR when the user presses Ctrl-C (checked at least every 100 ms).
 * A timeout of 0 never sleeps: a call that would have to wait returns
 * NET_EAGAIN (recv, accept, stream send with nothing queued). Running out
 * of time otherwise is NET_ETIMEDOUT. Every error is a NET_E* code from
 * net/err.h; net_strerror() names it.
 *
 * Implemented in net/socket.c over net/udp.h (datagram) and net/tcp.h
 * (stream). A socket is used by one thread at a time.
 */
#ifndef NET_SOCKET_H
#define NET_SOCKET_H

#include <stddef.h>
#include <stdint.h>

#include "net/sys.h"

#define SOCK_WAIT_FOREVER SYS_WAIT_FOREVER

enum sock_type { SOCK_DGRAM = 1, SOCK_STREAM = 2 };
enum sock_shut { SOCK_SHUT_RD = 1, SOCK_SHUT_WR = 2, SOCK_SHUT_RDWR = 3 };
enum sock_opt {
	SOCK_OPT_NODELAY,   /* stream: 1 disables Nagle */
	SOCK_OPT_KEEPALIVE, /* stream: 1 enables keepalive */
};

/* An IPv4 endpoint in host byte order. */
struct sock_addr {
	uint32_t addr;
	uint16_t port;
};

struct socket;

/* A new socket, or NET_ENOMEM. */
int sock_open(enum sock_type type, struct socket **out);
/* Local address and port (port 0: an ephemeral one). */
int sock_bind(struct socket *s, const struct sock_addr *local);
/* Stream: the three-way handshake, waiting up to timeout_ms
 * (NET_ETIMEDOUT, NET_ECONNREFUSED, NET_EHOSTUNREACH, NET_ENETUNREACH,
 * NET_EINTR); after a failure the connection is gone and the socket can
 * only be closed. Datagram: fix the peer (no traffic, no waiting): only its
 * datagrams are received, and ICMP errors about it are reported by recv. */
int sock_connect(struct socket *s, const struct sock_addr *remote, uint64_t timeout_ms);
/* Stream only: accept connections, at most backlog waiting. */
int sock_listen(struct socket *s, int backlog);
/* Stream only: the next connection; *peer (if not NULL) gets its address. */
int sock_accept(struct socket *s, struct socket **out, struct sock_addr *peer, uint64_t timeout_ms);
/* Send len bytes. Stream: waits for buffer space until all are queued or
 * timeout_ms passes; returns the bytes queued (fewer only on timeout or
 * Ctrl-C after some were queued) or NET_E*. Datagram: one datagram to the
 * connected peer; returns len or NET_E* (NET_EMSGSIZE if too big). */
long sock_send(struct socket *s, const void *buf, size_t len, uint64_t timeout_ms);
/* Datagram only: one datagram to *to. */
long sock_sendto(struct socket *s, const void *buf, size_t len, const struct sock_addr *to, uint64_t timeout_ms);
/* Receive up to len bytes, waiting up to timeout_ms for the first.
 * Stream: returns bytes, 0 at end of stream, or NET_E*. Datagram: one
 * datagram (cut to len), or NET_E* (a pending ICMP error, e.g.
 * NET_EPORTUNREACH, is reported once). */
long sock_recv(struct socket *s, void *buf, size_t len, uint64_t timeout_ms);
/* As sock_recv; *from (if not NULL) gets the sender. */
long sock_recvfrom(struct socket *s, void *buf, size_t len, struct sock_addr *from, uint64_t timeout_ms);
/* Stream: SOCK_SHUT_WR sends FIN after the queued data (half-close). */
int sock_shutdown(struct socket *s, enum sock_shut how);
/* Release the socket. Stream: a graceful close that TCP finishes on its
 * own (FIN_WAIT, TIME_WAIT); a reset if unread data remains. */
int sock_close(struct socket *s);
/* Stream: reset the connection now; then release the socket. Datagram:
 * as sock_close. */
int sock_abort(struct socket *s);
int sock_setopt(struct socket *s, enum sock_opt opt, int value);
/* Local and remote endpoints (either pointer may be NULL). */
int sock_getnames(const struct socket *s, struct sock_addr *local, struct sock_addr *remote);

#endif
