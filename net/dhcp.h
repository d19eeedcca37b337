/* The DHCP client (RFC 2131; options from RFC 2132), one per interface.
 *
 * Wire format (dhcp_build, dhcp_parse) is kept apart from the state
 * machine. The machine runs on deadlines: dhcp_tick(now) is its only clock,
 * and the API calls only move deadlines and kick the network thread.
 *
 *   INIT -DISCOVER-> SELECTING -OFFER/REQUEST-> REQUESTING -ACK-> BOUND
 *   BOUND -T1/REQUEST unicast-> RENEWING -T2/REQUEST broadcast-> REBINDING
 *   NAK, or the lease expiring: unconfigure the interface and go to INIT.
 */
#ifndef NET_DHCP_H
#define NET_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/netif.h"

/* ---- wire format (RFC 2131 section 2, figure 1) ---- */

enum {
	DHCP_SERVER_PORT = 67,
	DHCP_CLIENT_PORT = 68,
};

/* Offsets of the fixed part of a message. */
enum {
	DHCP_OP = 0,
	DHCP_HTYPE = 1,
	DHCP_HLEN = 2,
	DHCP_HOPS = 3,
	DHCP_XID = 4,
	DHCP_SECS = 8,
	DHCP_FLAGS = 10,
	DHCP_CIADDR = 12,
	DHCP_YIADDR = 16,
	DHCP_SIADDR = 20,
	DHCP_GIADDR = 24,
	DHCP_CHADDR = 28,
	DHCP_SNAME = 44,
	DHCP_FILE = 108,
	DHCP_COOKIE = 236,
	DHCP_OPTIONS = 240,
	DHCP_CHADDR_LEN = 16,
	DHCP_SNAME_LEN = 64,
	DHCP_FILE_LEN = 128,
	DHCP_MIN_LEN = 300,   /* BOOTP's minimum message; we pad to it */
};

#define DHCP_MAGIC_COOKIE 0x63825363u /* 99.130.83.99 */
#define DHCP_FLAG_BROADCAST 0x8000

enum { DHCP_BOOTREQUEST = 1, DHCP_BOOTREPLY = 2 };
enum { DHCP_HTYPE_ETHER = 1 };

/* Option codes (RFC 2132). */
enum {
	DHCP_OPT_PAD = 0,
	DHCP_OPT_SUBNET_MASK = 1,
	DHCP_OPT_ROUTER = 3,
	DHCP_OPT_DNS = 6,
	DHCP_OPT_HOSTNAME = 12,
	DHCP_OPT_REQUESTED_IP = 50,
	DHCP_OPT_LEASE_TIME = 51,
	DHCP_OPT_OVERLOAD = 52,
	DHCP_OPT_MSG_TYPE = 53,
	DHCP_OPT_SERVER_ID = 54,
	DHCP_OPT_PARAM_REQ = 55,
	DHCP_OPT_MESSAGE = 56,
	DHCP_OPT_T1 = 58,
	DHCP_OPT_T2 = 59,
	DHCP_OPT_CLIENT_ID = 61,
	DHCP_OPT_END = 255,
};

/* Option 52 values: which fixed fields also carry options. */
enum { DHCP_OVERLOAD_FILE = 1, DHCP_OVERLOAD_SNAME = 2, DHCP_OVERLOAD_BOTH = 3 };

/* Message types (option 53). */
enum {
	DHCP_DISCOVER = 1,
	DHCP_OFFER = 2,
	DHCP_REQUEST = 3,
	DHCP_DECLINE = 4,
	DHCP_ACK = 5,
	DHCP_NAK = 6,
	DHCP_RELEASE = 7,
	DHCP_INFORM = 8,
};

#define DHCP_LEASE_INFINITE 0xffffffffu

/* A parsed message in host byte order. has_* tell which options came. */
struct dhcp_msg {
	uint8_t op;
	uint32_t xid;
	uint16_t secs, flags;
	uint32_t ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[ETH_ALEN];
	uint8_t type;                 /* option 53 */
	uint32_t netmask, router, server_id, requested_ip;
	uint32_t dns[NETIF_DNS_MAX];
	uint8_t dns_count;
	uint32_t lease_s, t1_s, t2_s;
	bool has_netmask, has_router, has_server_id, has_requested_ip;
	bool has_lease, has_t1, has_t2;
	char message[64];             /* option 56, NUL-terminated, for NAKs */
};

/* Why dhcp_parse refused a message; each has a counter. */
enum dhcp_parse_err {
	DHCP_PARSE_OK = 0,
	DHCP_PARSE_SHORT,      /* shorter than the fixed part and the cookie */
	DHCP_PARSE_OP,         /* op neither BOOTREQUEST nor BOOTREPLY */
	DHCP_PARSE_HTYPE,      /* not Ethernet with 6-byte addresses */
	DHCP_PARSE_COOKIE,     /* no magic cookie: plain BOOTP or garbage */
	DHCP_PARSE_OPT_TRUNC,  /* an option runs past the end of its field */
	DHCP_PARSE_OPT_LEN,    /* an option's length is wrong for its kind */
	DHCP_PARSE_OVERLOAD,   /* option 52 with a bad value or out of place */
	DHCP_PARSE_NO_TYPE,    /* no message type (option 53), or 0 / > 8 */
	DHCP_PARSE_COUNT,
};

/* Validate and decode len bytes at p into m. Options are read from the
 * options field and then, if option 52 says so, from file and sname (RFC
 * 2131 4.1). Every option's length is checked against its field and its
 * kind; an unknown option is skipped. A missing END is tolerated: the
 * field's end ends its options. Returns DHCP_PARSE_OK or the reason. */
enum dhcp_parse_err dhcp_parse(const uint8_t *p, size_t len, struct dhcp_msg *m);
const char *dhcp_parse_err_name(enum dhcp_parse_err e);

/* What a client message should say. */
struct dhcp_out {
	uint8_t type;              /* DHCP_DISCOVER, DHCP_REQUEST, ... */
	uint32_t xid;
	uint16_t secs;
	bool broadcast;            /* ask servers to broadcast their reply */
	uint32_t ciaddr;           /* our address when renewing, else 0 */
	uint8_t chaddr[ETH_ALEN];
	uint32_t requested_ip;     /* option 50 when non-zero */
	uint32_t server_id;        /* option 54 when non-zero */
	bool param_request;        /* option 55: mask, router, DNS, times */
};

/* Write a BOOTREQUEST for o into p (cap bytes), padded to DHCP_MIN_LEN.
 * Returns its length, or 0 if cap is too small. */
size_t dhcp_build(uint8_t *p, size_t cap, const struct dhcp_out *o);

/* ---- the client ---- */

enum dhcp_state {
	DHCP_STOPPED,
	DHCP_INIT,
	DHCP_SELECTING,
	DHCP_REQUESTING,
	DHCP_BOUND,
	DHCP_RENEWING,
	DHCP_REBINDING,
};

enum {
	DHCP_CLIENTS_MAX = 4,
	DHCP_REQUEST_TRIES = 4,       /* REQUESTs in REQUESTING before INIT again */
	DHCP_RENEW_MIN_MS = 60000,    /* RFC 2131 4.4.5: retransmit no faster */
	DHCP_NAK_DELAY_MS = 1000,     /* pause before DISCOVER after a NAK */
	DHCP_JITTER_MS = 500,         /* retransmits move by up to +-this */
};

/* A client's view of its lease, for `dhcp` / `ifconfig`. */
struct dhcp_lease {
	enum dhcp_state state;
	uint32_t addr, netmask, router, server;  /* 0 when not bound */
	uint32_t dns[NETIF_DNS_MAX];
	uint8_t dns_count;
	uint32_t lease_s, t1_s, t2_s;            /* as granted; lease may be infinite */
	uint32_t time_left_s;                    /* until expiry (lease_s if infinite) */
	uint32_t acquired;                       /* times bound or renewed so far */
};

enum dhcp_event {
	DHCP_EVENT_BOUND,    /* a new lease (or a changed address) is configured */
	DHCP_EVENT_RENEWED,  /* the same lease was extended */
	DHCP_EVENT_LOST,     /* NAK or expiry: the interface was unconfigured */
};
/* Called on the network thread after the interface changed, e.g. to print
 * the line from dhcp_format_lease. */
typedef void (*dhcp_event_fn)(struct netif *nif, enum dhcp_event ev, const struct dhcp_lease *lease);

/* Forget every client, zero the counters and register the stack hooks
 * (timer "dhcp", counter group "dhcp"); net_init calls it. */
void dhcp_init(void);
/* Start acquiring a lease on nif (DISCOVER on the next tick). NET_OK if
 * started or already running, NET_ENOMEM when out of clients or UDP
 * endpoints, NET_EADDRINUSE if port 68 is held by someone else. */
int dhcp_start(struct netif *nif);
/* Renew now if bound (REQUEST to the server), else start over from
 * DISCOVER; for the `dhcp` command. NET_ENOENT if nif has no client. */
int dhcp_renew_now(struct netif *nif);
/* Stop: send a RELEASE if bound, unconfigure the address if DHCP set it,
 * free the client. NET_ENOENT if nif has no client. */
int dhcp_stop(struct netif *nif);
/* Fill out for nif; NET_OK or NET_ENOENT. time_left uses sys_now_ms(). */
int dhcp_status(struct netif *nif, struct dhcp_lease *out);
/* Set (or with NULL clear) the one event handler. */
void dhcp_set_event_handler(dhcp_event_fn fn);

/* Run every client's deadlines. */
void dhcp_tick(uint64_t now_ms);
/* The earliest deadline of any client, UINT64_MAX if none. */
uint64_t dhcp_next_deadline(void);

/* "eth0: 10.0.2.15/24 gw 10.0.2.2 dns 10.0.2.3 (dhcp, lease 86400 s)" into
 * buf; returns the length snprintf would have written. */
int dhcp_format_lease(const struct netif *nif, const struct dhcp_lease *l, char *buf, size_t size);
const char *dhcp_state_name(enum dhcp_state s);

/* Counters, one per reason a reply was dropped or acted on. */
struct dhcp_stats {
	uint64_t tx_discover, tx_request, tx_release, tx_errors;
	uint64_t rx_offer, rx_ack, rx_nak;
	uint64_t rx_malformed[DHCP_PARSE_COUNT];
	uint64_t rx_not_reply, rx_no_client, rx_wrong_xid, rx_wrong_chaddr;
	uint64_t rx_unexpected;    /* a valid reply the state does not want */
	uint64_t rx_bad_offer;     /* no address or no server identifier */
	uint64_t rx_bad_ack;       /* no address, lease time or server id */
	uint64_t leases_lost;
};
const struct dhcp_stats *dhcp_get_stats(void);

#endif
