/* A scripted stand-in for the socket API (net/socket.h), the resolver
 * (net/dns.h) and the platform clock (net/sys.h), for the HTTP client's
 * host tests: each test names the servers that exist (address, port), how
 * a connection to each one goes and what it answers, one recv() per
 * scripted piece; it then checks what the client sent. Time only moves
 * when the client waits for something that never comes. */
#ifndef TESTS_UNIT_HTTP_FAKE_NET_H
#define TESTS_UNIT_HTTP_FAKE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	FAKE_SERVERS_MAX = 16,
	FAKE_PIECES_MAX = 256,
	FAKE_NAMES_MAX = 16,
	FAKE_SENT_MAX = 4096,
};

enum fake_connect { FAKE_ACCEPT, FAKE_REFUSE, FAKE_SILENT };
/* After the last piece: the server closes, resets, never sends again,
 * or the user presses Ctrl-C. */
enum fake_end { FAKE_CLOSE, FAKE_RESET, FAKE_HANG, FAKE_CTRL_C };

struct fake_server {
	uint32_t addr;
	uint16_t port;
	enum fake_connect on_connect;
	const char *pieces[FAKE_PIECES_MAX];   /* answered per connection, in order */
	size_t lens[FAKE_PIECES_MAX];
	unsigned npieces;
	enum fake_end end;
	/* Observed. */
	unsigned connects;
	char sent[FAKE_SENT_MAX];             /* what the last connection sent */
	size_t sent_len;
};

struct fake_net {
	struct fake_server servers[FAKE_SERVERS_MAX];
	unsigned nservers;
	struct { const char *name; int status; uint32_t addr; } names[FAKE_NAMES_MAX];
	unsigned nnames;
	uint64_t now_ms;
	unsigned resolves;             /* dns_resolve calls (literals too) */
	unsigned open_sockets;         /* opened and not yet closed or aborted */
	unsigned closes, aborts;
	uint64_t last_timeout_ms;      /* of the last wait that ran out */
};
extern struct fake_net fake_net;

void fake_net_reset(void);
/* A server at addr:port answering with the text pieces (NULL-ended). */
struct fake_server *fake_server(uint32_t addr, uint16_t port, enum fake_end end, ...);
/* Add one piece of raw bytes (may hold NULs). */
void fake_server_piece(struct fake_server *s, const char *data, size_t len);
/* name resolves to addr (status DNS_OK), or fails with status. */
void fake_dns(const char *name, int status, uint32_t addr);

#endif
