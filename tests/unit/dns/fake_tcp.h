/* A test double of net/tcp.h for the socket and DNS host tests, until
 * and besides the real TCP: connections are plain records whose peer is
 * the test. The test decides how a connect ends, what the peer answers,
 * and how much send space there is; every change wakes the connection's
 * wait, as tcp.h promises. */
#ifndef TESTS_UNIT_DNS_FAKE_TCP_H
#define TESTS_UNIT_DNS_FAKE_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/tcp.h"

enum { FAKE_TCP_BUF = 8192 };

/* How tcp_conn_connect turns out. */
enum fake_tcp_connect {
	FAKE_TCP_ACCEPT,      /* ESTABLISHED at once */
	FAKE_TCP_REFUSE,      /* RST: CLOSED with NET_ECONNREFUSED, seen on the first wait */
	FAKE_TCP_SILENT,      /* stays in SYN_SENT */
	FAKE_TCP_NOROUTE,     /* tcp_conn_connect returns NET_ENETUNREACH */
};

struct tcp_conn {
	bool in_use;
	enum tcp_state state;
	int error;
	bool pending_refuse;       /* becomes an error at the next fake_tcp_pump */
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	struct sys_wait *wait;
	uint8_t sent[FAKE_TCP_BUF];    /* what the application sent */
	size_t sent_len;
	size_t send_space;             /* bytes tcp_conn_send may still take */
	uint8_t rx[FAKE_TCP_BUF];      /* what the peer sent, not yet read */
	size_t rx_len, rx_off;
	bool peer_fin;
	bool shut_send;
	int backlog;                   /* listener: >0 */
	struct tcp_conn *pending;      /* listener: one connection to accept */
	int nodelay, keepalive;
};

struct fake_tcp {
	enum fake_tcp_connect on_connect;
	/* Called after the application sent data; may fake_tcp_deliver. */
	void (*on_send)(struct tcp_conn *c, void *ctx);
	void *ctx;
	size_t refill;                 /* at each pump, a full send buffer gets this much room */
	const void *pump_data;         /* at the next pump, delivered to `last` */
	size_t pump_len;
	bool pump_fin;
	int connects, closes, aborts;
	struct tcp_conn *last;         /* the most recent connection made */
};
extern struct fake_tcp fake_tcp;

/* Forget every connection (freeing their waits) and the settings. */
void fake_tcp_reset(void);
/* Connections not yet closed or aborted by the application. */
int fake_tcp_live(void);
/* The peer sends len bytes (and FIN if fin) to c. */
void fake_tcp_deliver(struct tcp_conn *c, const void *data, size_t len, bool fin);
/* Apply what was deferred (a refused connect, refill, pump_data); call
 * from a wait hook. */
void fake_tcp_pump(void);
/* Give a listener a new established connection from addr:port. */
struct tcp_conn *fake_tcp_incoming(struct tcp_conn *listener, uint32_t addr, uint16_t port);

#endif
