/* Pigeon as a web server: HTTP/1.1 (GET, HEAD) in the background, on
 * kernel threads, through the socket API only.
 *
 * One acceptor thread takes connections from the listening socket and
 * starts one thread per connection, at most HTTPD_CONNS_MAX at once;
 * while that many are open the acceptor stops accepting, and further
 * clients wait in the listen backlog (then in their own SYN retries).
 * Each connection serves requests in turn (keep-alive, pipelined requests
 * answered in order) until the client closes, asks to close, sends
 * something we cannot parse, or is idle for HTTPD_IDLE_MS.
 *
 * Documents: / (a status page: uptime, interfaces, TCP connections),
 * /hello.txt, /pigeon.html and /whoami (the address the client came
 * from, as the netlab's server offers it, for fetch -v's [nat] line).
 *
 * Why the threads poll: a socket call that sleeps checks for Ctrl-C, and
 * the console's Ctrl-C flag is consumed by whichever thread reads it, so
 * a background thread sleeping in the socket layer would steal Ctrl-C
 * from the command in the foreground. The server therefore calls the
 * socket API with timeout 0 only and naps between tries (1 ms, doubling
 * to HTTPD_NAP_MAX_MS while idle). */
#ifndef USER_HTTPD_H
#define USER_HTTPD_H

#include <stdbool.h>
#include <stdint.h>

enum {
	HTTPD_PORT_DEFAULT = 80,
	HTTPD_CONNS_MAX = 8,         /* connections served at once */
	HTTPD_BACKLOG = 8,           /* handshakes waiting for accept */
	HTTPD_IDLE_MS = 5000,        /* keep-alive: idle connection closed */
	HTTPD_REQUEST_MS = 10000,    /* a started request must arrive in this */
	HTTPD_SEND_MS = 10000,       /* a response must leave in this */
	HTTPD_NAP_MAX_MS = 8,
};

struct httpd_status {
	bool running;
	uint16_t port;
	uint64_t up_ms;
	uint64_t connections;        /* accepted since start */
	uint64_t requests;           /* responses sent */
	uint64_t errors;             /* 4xx/5xx responses */
	unsigned active, peak;       /* open connections now, most at once */
};

/* Start serving on port in the background. NET_OK, NET_EADDRINUSE (port
 * taken, or already running), NET_ENOMEM. */
int httpd_start(uint16_t port);
/* Stop: no more connections; open ones are closed after their current
 * response. Waits (at most a few seconds) for the threads to finish.
 * NET_ENOTCONN if not running. */
int httpd_stop(void);
void httpd_get_status(struct httpd_status *st);

#endif
