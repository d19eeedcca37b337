/* The DHCP client (RFC 2131, options RFC 2132): wire format first, then
 * the per-interface state machine driven by dhcp_tick(now).
 *
 * One UDP endpoint on port 68 (any address) serves every client; replies
 * are matched to a client by receiving interface, xid and chaddr. Before
 * the interface has an address we send from 0.0.0.0 to 255.255.255.255 on
 * that interface, and set the BOOTP broadcast flag so servers broadcast
 * their replies too (dnsmasq would otherwise unicast to an address we do
 * not hold yet). */
#include "net/dhcp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "net/err.h"
#include "net/ipv4.h"
#include "net/netbuf.h"
#include "net/stack.h"
#include "net/sys.h"
#include "net/udp.h"
#include "net/wire.h"

/* ==== wire format ==== */

static const char *const dhcp_parse_err_names[DHCP_PARSE_COUNT] = {
	[DHCP_PARSE_OK] = "ok",
	[DHCP_PARSE_SHORT] = "short",
	[DHCP_PARSE_OP] = "bad_op",
	[DHCP_PARSE_HTYPE] = "bad_htype",
	[DHCP_PARSE_COOKIE] = "bad_cookie",
	[DHCP_PARSE_OPT_TRUNC] = "opt_trunc",
	[DHCP_PARSE_OPT_LEN] = "opt_len",
	[DHCP_PARSE_OVERLOAD] = "overload",
	[DHCP_PARSE_NO_TYPE] = "no_type",
};

const char *dhcp_parse_err_name(enum dhcp_parse_err e)
{
	if ((unsigned)e >= DHCP_PARSE_COUNT)
		return "?";
	return dhcp_parse_err_names[e];
}

/* Decode one option (code, len bytes at v) into m. overload is NULL when
 * reading file or sname, where option 52 may not appear (RFC 2131 4.1). */
static enum dhcp_parse_err dhcp_option_apply(uint8_t code, const uint8_t *v, uint8_t len,
					     struct dhcp_msg *m, int *overload)
{
	switch (code) {
	case DHCP_OPT_MSG_TYPE:
		if (len != 1)
			return DHCP_PARSE_OPT_LEN;
		m->type = v[0];
		break;
	case DHCP_OPT_OVERLOAD:
		if (len != 1)
			return DHCP_PARSE_OPT_LEN;
		if (!overload || v[0] < DHCP_OVERLOAD_FILE || v[0] > DHCP_OVERLOAD_BOTH)
			return DHCP_PARSE_OVERLOAD;
		*overload = v[0];
		break;
	case DHCP_OPT_SUBNET_MASK:
	case DHCP_OPT_SERVER_ID:
	case DHCP_OPT_REQUESTED_IP:
	case DHCP_OPT_LEASE_TIME:
	case DHCP_OPT_T1:
	case DHCP_OPT_T2: {
		if (len != 4)
			return DHCP_PARSE_OPT_LEN;
		uint32_t x = be32_get(v);
		if (code == DHCP_OPT_SUBNET_MASK) {
			m->netmask = x;
			m->has_netmask = true;
		} else if (code == DHCP_OPT_SERVER_ID) {
			m->server_id = x;
			m->has_server_id = true;
		} else if (code == DHCP_OPT_REQUESTED_IP) {
			m->requested_ip = x;
			m->has_requested_ip = true;
		} else if (code == DHCP_OPT_LEASE_TIME) {
			m->lease_s = x;
			m->has_lease = true;
		} else if (code == DHCP_OPT_T1) {
			m->t1_s = x;
			m->has_t1 = true;
		} else {
			m->t2_s = x;
			m->has_t2 = true;
		}
		break;
	}
	case DHCP_OPT_ROUTER:
		/* A list of addresses, the first preferred (RFC 2132 3.5). */
		if (len < 4 || len % 4 != 0)
			return DHCP_PARSE_OPT_LEN;
		m->router = be32_get(v);
		m->has_router = true;
		break;
	case DHCP_OPT_DNS:
		if (len < 4 || len % 4 != 0)
			return DHCP_PARSE_OPT_LEN;
		m->dns_count = 0;
		for (uint8_t i = 0; i < len / 4 && m->dns_count < NETIF_DNS_MAX; i++)
			m->dns[m->dns_count++] = be32_get(v + 4 * i);
		break;
	case DHCP_OPT_MESSAGE: {
		if (len < 1)
			return DHCP_PARSE_OPT_LEN;
		/* Kept for a log line only: printable ASCII, the rest as '?'. */
		size_t n = len < sizeof m->message - 1 ? len : sizeof m->message - 1;
		for (size_t i = 0; i < n; i++)
			m->message[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? (char)v[i] : '?';
		m->message[n] = 0;
		break;
	}
	default:
		break; /* not ours to understand; its length was checked */
	}
	return DHCP_PARSE_OK;
}

/* Read the options in the len bytes at p (one field) into m. */
static enum dhcp_parse_err dhcp_options_parse(const uint8_t *p, size_t len, struct dhcp_msg *m,
					      int *overload)
{
	size_t i = 0;
	while (i < len) {
		uint8_t code = p[i];
		if (code == DHCP_OPT_PAD) {
			i++;
			continue;
		}
		if (code == DHCP_OPT_END)
			return DHCP_PARSE_OK;
		if (len - i < 2)
			return DHCP_PARSE_OPT_TRUNC; /* no room for the length byte */
		uint8_t olen = p[i + 1];
		if (olen > len - i - 2)
			return DHCP_PARSE_OPT_TRUNC;
		enum dhcp_parse_err err = dhcp_option_apply(code, p + i + 2, olen, m, overload);
		if (err != DHCP_PARSE_OK)
			return err;
		i += 2 + (size_t)olen;
	}
	return DHCP_PARSE_OK; /* no END: the field's end ends the options */
}

enum dhcp_parse_err dhcp_parse(const uint8_t *p, size_t len, struct dhcp_msg *m)
{
	memset(m, 0, sizeof *m);
	if (len < DHCP_OPTIONS)
		return DHCP_PARSE_SHORT;
	if (p[DHCP_OP] != DHCP_BOOTREQUEST && p[DHCP_OP] != DHCP_BOOTREPLY)
		return DHCP_PARSE_OP;
	if (p[DHCP_HTYPE] != DHCP_HTYPE_ETHER || p[DHCP_HLEN] != ETH_ALEN)
		return DHCP_PARSE_HTYPE;
	if (be32_get(p + DHCP_COOKIE) != DHCP_MAGIC_COOKIE)
		return DHCP_PARSE_COOKIE;

	m->op = p[DHCP_OP];
	m->xid = be32_get(p + DHCP_XID);
	m->secs = be16_get(p + DHCP_SECS);
	m->flags = be16_get(p + DHCP_FLAGS);
	m->ciaddr = be32_get(p + DHCP_CIADDR);
	m->yiaddr = be32_get(p + DHCP_YIADDR);
	m->siaddr = be32_get(p + DHCP_SIADDR);
	m->giaddr = be32_get(p + DHCP_GIADDR);
	memcpy(m->chaddr, p + DHCP_CHADDR, ETH_ALEN);

	/* RFC 2131 4.1: options, then file, then sname, when overloaded. */
	int overload = 0;
	enum dhcp_parse_err err = dhcp_options_parse(p + DHCP_OPTIONS, len - DHCP_OPTIONS, m, &overload);
	if (err == DHCP_PARSE_OK && (overload & DHCP_OVERLOAD_FILE))
		err = dhcp_options_parse(p + DHCP_FILE, DHCP_FILE_LEN, m, NULL);
	if (err == DHCP_PARSE_OK && (overload & DHCP_OVERLOAD_SNAME))
		err = dhcp_options_parse(p + DHCP_SNAME, DHCP_SNAME_LEN, m, NULL);
	if (err != DHCP_PARSE_OK)
		return err;
	if (m->type < DHCP_DISCOVER || m->type > DHCP_INFORM)
		return DHCP_PARSE_NO_TYPE;
	return DHCP_PARSE_OK;
}

/* The parameters we ask for (option 55). */
static const uint8_t dhcp_param_request[] = {
	DHCP_OPT_SUBNET_MASK, DHCP_OPT_ROUTER, DHCP_OPT_DNS, DHCP_OPT_LEASE_TIME,
	DHCP_OPT_SERVER_ID, DHCP_OPT_T1, DHCP_OPT_T2,
};

/* The most option bytes dhcp_build writes: type, client id (type byte +
 * MAC), requested address, server id, parameter list, END. */
enum {
	DHCP_OUT_OPTIONS_MAX = 3 + (2 + 1 + ETH_ALEN) + 6 + 6 + (2 + sizeof dhcp_param_request) + 1,
};
_Static_assert(DHCP_OPTIONS + DHCP_OUT_OPTIONS_MAX <= DHCP_MIN_LEN, "client options fit in 300 bytes");

static uint8_t *dhcp_option_put(uint8_t *q, uint8_t code, const uint8_t *v, uint8_t len)
{
	q[0] = code;
	q[1] = len;
	memcpy(q + 2, v, len);
	return q + 2 + len;
}

static uint8_t *dhcp_option_put32(uint8_t *q, uint8_t code, uint32_t x)
{
	uint8_t v[4];
	be32_put(v, x);
	return dhcp_option_put(q, code, v, sizeof v);
}

size_t dhcp_build(uint8_t *p, size_t cap, const struct dhcp_out *o)
{
	if (cap < DHCP_MIN_LEN)
		return 0;
	memset(p, 0, DHCP_MIN_LEN);
	p[DHCP_OP] = DHCP_BOOTREQUEST;
	p[DHCP_HTYPE] = DHCP_HTYPE_ETHER;
	p[DHCP_HLEN] = ETH_ALEN;
	be32_put(p + DHCP_XID, o->xid);
	be16_put(p + DHCP_SECS, o->secs);
	be16_put(p + DHCP_FLAGS, o->broadcast ? DHCP_FLAG_BROADCAST : 0);
	be32_put(p + DHCP_CIADDR, o->ciaddr);
	memcpy(p + DHCP_CHADDR, o->chaddr, ETH_ALEN);
	be32_put(p + DHCP_COOKIE, DHCP_MAGIC_COOKIE);

	uint8_t *q = p + DHCP_OPTIONS;
	q = dhcp_option_put(q, DHCP_OPT_MSG_TYPE, &o->type, 1);
	/* Client identifier: hardware type then MAC (RFC 2132 9.14). */
	uint8_t cid[1 + ETH_ALEN] = { DHCP_HTYPE_ETHER };
	memcpy(cid + 1, o->chaddr, ETH_ALEN);
	q = dhcp_option_put(q, DHCP_OPT_CLIENT_ID, cid, sizeof cid);
	if (o->requested_ip)
		q = dhcp_option_put32(q, DHCP_OPT_REQUESTED_IP, o->requested_ip);
	if (o->server_id)
		q = dhcp_option_put32(q, DHCP_OPT_SERVER_ID, o->server_id);
	if (o->param_request)
		q = dhcp_option_put(q, DHCP_OPT_PARAM_REQ, dhcp_param_request, sizeof dhcp_param_request);
	*q = DHCP_OPT_END;
	return DHCP_MIN_LEN; /* the rest is already PAD (zero) */
}

/* ==== the client ==== */

struct dhcp_client {
	struct netif *nif;          /* NULL: a free slot */
	enum dhcp_state state;
	uint32_t xid;
	uint64_t next_ms;           /* the one deadline: retransmit or lease step */
	uint64_t start_ms;          /* this exchange began (the secs field) */
	uint64_t req_sent_ms;       /* first REQUEST of it: the lease counts from here */
	unsigned tries;             /* messages sent in this state */
	uint32_t offered_ip, offer_server;
	struct dhcp_lease lease;    /* valid in BOUND, RENEWING, REBINDING */
	uint64_t t1_ms, t2_ms, expire_ms;
};

static struct dhcp_client dhcp_clients[DHCP_CLIENTS_MAX];
static struct udp_pcb *dhcp_pcb;
static dhcp_event_fn dhcp_event_handler;
static struct dhcp_stats dhcp_stats;

static const char *const dhcp_state_names[] = {
	[DHCP_STOPPED] = "STOPPED",
	[DHCP_INIT] = "INIT",
	[DHCP_SELECTING] = "SELECTING",
	[DHCP_REQUESTING] = "REQUESTING",
	[DHCP_BOUND] = "BOUND",
	[DHCP_RENEWING] = "RENEWING",
	[DHCP_REBINDING] = "REBINDING",
};

const char *dhcp_state_name(enum dhcp_state s)
{
	if ((unsigned)s >= sizeof dhcp_state_names / sizeof dhcp_state_names[0])
		return "?";
	return dhcp_state_names[s];
}

const struct dhcp_stats *dhcp_get_stats(void)
{
	return &dhcp_stats;
}

void dhcp_set_event_handler(dhcp_event_fn fn)
{
	dhcp_event_handler = fn;
}

static bool dhcp_has_lease(const struct dhcp_client *c)
{
	return c->state == DHCP_BOUND || c->state == DHCP_RENEWING || c->state == DHCP_REBINDING;
}

static struct dhcp_client *dhcp_client_find(const struct netif *nif)
{
	for (int i = 0; i < DHCP_CLIENTS_MAX; i++)
		if (dhcp_clients[i].nif == nif && nif)
			return &dhcp_clients[i];
	return NULL;
}

/* Retransmission delays while acquiring (RFC 2131 4.1: about 4 s doubling
 * to 64 s). The first is shorter because QEMU's e1000 ignores received
 * frames for about a second after the driver writes RCTL, so the first
 * OFFER is often lost. */
static const uint32_t dhcp_backoff_ms[] = { 1500, 4000, 8000, 16000, 32000, 64000 };
enum { DHCP_BACKOFF_STEPS = sizeof dhcp_backoff_ms / sizeof dhcp_backoff_ms[0] };

/* The delay after the n-th transmission (n from 1), moved by a random
 * -DHCP_JITTER_MS..+DHCP_JITTER_MS so clients do not retransmit in step. */
static uint64_t dhcp_backoff(unsigned n)
{
	unsigned i = n == 0 ? 0 : n - 1;
	if (i >= DHCP_BACKOFF_STEPS)
		i = DHCP_BACKOFF_STEPS - 1;
	uint32_t jitter = sys_random32() % (2 * DHCP_JITTER_MS + 1);
	return (uint64_t)dhcp_backoff_ms[i] - DHCP_JITTER_MS + jitter;
}

/* While renewing or rebinding: half the time left until `until`, at least
 * DHCP_RENEW_MIN_MS, and never past `until` (RFC 2131 4.4.5). */
static uint64_t dhcp_lease_retry_at(uint64_t now, uint64_t until)
{
	if (now >= until)
		return until;
	uint64_t wait = (until - now) / 2;
	if (wait < DHCP_RENEW_MIN_MS)
		wait = DHCP_RENEW_MIN_MS;
	return now + wait < until ? now + wait : until;
}

/* Build and send one message of type for c's current state. */
static void dhcp_send(struct dhcp_client *c, uint8_t type, uint64_t now)
{
	struct netif *nif = c->nif;
	struct dhcp_out o = {
		.type = type,
		.xid = c->xid,
		.param_request = type != DHCP_RELEASE,
	};
	uint64_t secs = (now - c->start_ms) / 1000;
	o.secs = secs > 0xffff ? 0xffff : (uint16_t)secs;
	memcpy(o.chaddr, nif->mac, ETH_ALEN);

	/* Unicast to the server when we hold a lease and it is reachable
	 * (renewing, releasing); else broadcast on this interface. IPv4
	 * turns a zero source into the interface's address (one ifconfig
	 * set, say): name it here so the UDP checksum covers what is sent. */
	uint32_t src = nif->ip, dst = IPV4_BROADCAST;
	bool routed = false;
	if (type == DHCP_DISCOVER) {
		o.broadcast = true;
	} else if (type == DHCP_REQUEST && c->state == DHCP_REQUESTING) {
		o.broadcast = true;
		o.requested_ip = c->offered_ip;
		o.server_id = c->offer_server;
	} else if (type == DHCP_REQUEST && c->state == DHCP_RENEWING) {
		o.ciaddr = src = c->lease.addr;
		dst = c->lease.server;
		routed = true;
	} else if (type == DHCP_REQUEST) { /* REBINDING: any server may answer */
		o.ciaddr = src = c->lease.addr;
	} else if (type == DHCP_RELEASE) {
		o.ciaddr = src = c->lease.addr;
		o.server_id = c->lease.server;
		dst = c->lease.server;
		o.xid = sys_random32();
		routed = true;
	}

	struct netbuf *nb = netbuf_alloc();
	uint8_t *p = nb ? netbuf_put(nb, DHCP_MIN_LEN) : NULL;
	if (!p) {
		if (nb)
			netbuf_free(nb);
		dhcp_stats.tx_errors++;
		return;
	}
	dhcp_build(p, DHCP_MIN_LEN, &o);
	int err = routed ? udp_output(nb, src, DHCP_CLIENT_PORT, dst, DHCP_SERVER_PORT)
			 : udp_output_if(nif, nb, src, DHCP_CLIENT_PORT, dst, DHCP_SERVER_PORT);
	/* A failed send is retried on the normal schedule, like a lost one. */
	if (err) {
		dhcp_stats.tx_errors++;
		return;
	}
	if (type == DHCP_DISCOVER)
		dhcp_stats.tx_discover++;
	else if (type == DHCP_REQUEST)
		dhcp_stats.tx_request++;
	else if (type == DHCP_RELEASE)
		dhcp_stats.tx_release++;
}

static void dhcp_notify(struct dhcp_client *c, enum dhcp_event ev)
{
	if (!dhcp_event_handler)
		return;
	struct dhcp_lease l;
	dhcp_status(c->nif, &l);
	dhcp_event_handler(c->nif, ev, &l);
}

/* Drop the lease: clear the interface if DHCP configured it. */
static void dhcp_unconfigure(struct dhcp_client *c)
{
	struct netif *nif = c->nif;
	if (nif->addr_source == NETIF_ADDR_DHCP) {
		netif_set_ipv4(nif, 0, 0, 0, NETIF_ADDR_NONE);
		nif->dns_count = 0;
	}
	uint32_t acquired = c->lease.acquired;
	memset(&c->lease, 0, sizeof c->lease);
	c->lease.acquired = acquired;
	c->t1_ms = c->t2_ms = c->expire_ms = 0;
}

/* INIT -> SELECTING: a new exchange with a new xid. */
static void dhcp_discover_start(struct dhcp_client *c, uint64_t now)
{
	c->state = DHCP_SELECTING;
	c->xid = sys_random32();
	c->start_ms = now;
	c->tries = 1;
	dhcp_send(c, DHCP_DISCOVER, now);
	c->next_ms = now + dhcp_backoff(c->tries);
}

/* Back to INIT, DISCOVER again after delay_ms. */
static void dhcp_restart(struct dhcp_client *c, uint64_t now, uint64_t delay_ms)
{
	c->state = DHCP_INIT;
	c->next_ms = now + delay_ms;
}

static void dhcp_lease_lost(struct dhcp_client *c, uint64_t now, uint64_t delay_ms)
{
	sys_log(SYS_LOG_INFO, "dhcp: %s: lease lost in %s", c->nif->name, dhcp_state_name(c->state));
	dhcp_stats.leases_lost++;
	dhcp_unconfigure(c);
	dhcp_restart(c, now, delay_ms);
	dhcp_notify(c, DHCP_EVENT_LOST);
}

/* BOUND -> RENEWING (at T1, or asked) or -> REBINDING (at T2). */
static void dhcp_lease_refresh_start(struct dhcp_client *c, enum dhcp_state to, uint64_t now)
{
	c->state = to;
	c->xid = sys_random32();
	c->start_ms = c->req_sent_ms = now;
	c->tries = 1;
	dhcp_send(c, DHCP_REQUEST, now);
	c->next_ms = dhcp_lease_retry_at(now, to == DHCP_RENEWING ? c->t2_ms : c->expire_ms);
}

/* A mask with its ones contiguous from the top, or the classful default
 * (RFC 1122 3.3.1.1 fallback) when the server sent none or a bad one. */
static uint32_t dhcp_pick_netmask(const struct dhcp_msg *m)
{
	uint32_t mask = m->netmask;
	uint32_t inv = ~mask;
	if (m->has_netmask && mask != 0 && (inv & (inv + 1)) == 0)
		return mask;
	uint8_t top = (uint8_t)(m->yiaddr >> 24);
	if (top < 128)
		return 0xff000000u;
	if (top < 192)
		return 0xffff0000u;
	return 0xffffff00u;
}

/* ACK: configure the interface and enter BOUND. */
static void dhcp_bind(struct dhcp_client *c, const struct dhcp_msg *m)
{
	struct netif *nif = c->nif;
	uint32_t mask = dhcp_pick_netmask(m);
	uint32_t router = m->has_router ? m->router : 0;
	uint32_t server = m->has_server_id ? m->server_id
			  : c->state == DHCP_REQUESTING ? c->offer_server : c->lease.server;
	bool changed = !dhcp_has_lease(c) || c->lease.addr != m->yiaddr || c->lease.netmask != mask ||
		       c->lease.router != router || nif->addr_source != NETIF_ADDR_DHCP;

	struct dhcp_lease *l = &c->lease;
	l->addr = m->yiaddr;
	l->netmask = mask;
	l->router = router;
	l->server = server;
	l->dns_count = m->dns_count;
	memcpy(l->dns, m->dns, sizeof l->dns);
	l->lease_s = m->lease_s;
	l->acquired++;

	/* T1 and T2 default to 1/2 and 7/8 of the lease (RFC 2131 4.4.5);
	 * given ones are used only if T1 <= T2 < lease. */
	uint64_t lease = m->lease_s;
	uint64_t t2 = m->has_t2 && m->t2_s < lease ? m->t2_s : lease * 7 / 8;
	uint64_t t1 = m->has_t1 && m->t1_s <= t2 ? m->t1_s : lease / 2;
	if (t1 > t2)
		t1 = t2;
	l->t1_s = (uint32_t)t1;
	l->t2_s = (uint32_t)t2;
	if (m->lease_s == DHCP_LEASE_INFINITE) {
		c->t1_ms = c->t2_ms = c->expire_ms = UINT64_MAX;
	} else {
		/* The lease counts from when we asked, not from the answer. */
		c->t1_ms = c->req_sent_ms + t1 * 1000;
		c->t2_ms = c->req_sent_ms + t2 * 1000;
		c->expire_ms = c->req_sent_ms + lease * 1000;
	}

	if (changed)
		netif_set_ipv4(nif, l->addr, l->netmask, l->router, NETIF_ADDR_DHCP);
	memcpy(nif->dns, l->dns, sizeof nif->dns);
	nif->dns_count = l->dns_count;

	c->state = DHCP_BOUND;
	c->next_ms = c->t1_ms;
	dhcp_notify(c, changed ? DHCP_EVENT_BOUND : DHCP_EVENT_RENEWED);
}

/* Run c's deadline if it has come. */
static void dhcp_client_tick(struct dhcp_client *c, uint64_t now)
{
	if (c->state == DHCP_STOPPED || now < c->next_ms)
		return;
	switch (c->state) {
	case DHCP_STOPPED:
		break;
	case DHCP_INIT:
		dhcp_discover_start(c, now);
		break;
	case DHCP_SELECTING:
		c->tries++;
		dhcp_send(c, DHCP_DISCOVER, now);
		c->next_ms = now + dhcp_backoff(c->tries);
		break;
	case DHCP_REQUESTING:
		if (c->tries >= DHCP_REQUEST_TRIES) {
			dhcp_discover_start(c, now); /* the server went quiet */
			break;
		}
		c->tries++;
		dhcp_send(c, DHCP_REQUEST, now);
		c->next_ms = now + dhcp_backoff(c->tries);
		break;
	case DHCP_BOUND:
		/* A late tick may have missed several steps: latest first. */
		if (now >= c->expire_ms)
			dhcp_lease_lost(c, now, 0);
		else if (now >= c->t2_ms)
			dhcp_lease_refresh_start(c, DHCP_REBINDING, now);
		else
			dhcp_lease_refresh_start(c, DHCP_RENEWING, now);
		break;
	case DHCP_RENEWING:
		if (now >= c->expire_ms) {
			dhcp_lease_lost(c, now, 0);
		} else if (now >= c->t2_ms) {
			dhcp_lease_refresh_start(c, DHCP_REBINDING, now);
		} else {
			c->tries++;
			dhcp_send(c, DHCP_REQUEST, now);
			c->next_ms = dhcp_lease_retry_at(now, c->t2_ms);
		}
		break;
	case DHCP_REBINDING:
		if (now >= c->expire_ms) {
			dhcp_lease_lost(c, now, 0);
		} else {
			c->tries++;
			dhcp_send(c, DHCP_REQUEST, now);
			c->next_ms = dhcp_lease_retry_at(now, c->expire_ms);
		}
		break;
	}
	/* dhcp_lease_lost leaves INIT due now: start at once. */
	if (c->state == DHCP_INIT && now >= c->next_ms)
		dhcp_discover_start(c, now);
}

void dhcp_tick(uint64_t now_ms)
{
	for (int i = 0; i < DHCP_CLIENTS_MAX; i++)
		if (dhcp_clients[i].nif)
			dhcp_client_tick(&dhcp_clients[i], now_ms);
}

uint64_t dhcp_next_deadline(void)
{
	uint64_t next = UINT64_MAX;
	for (int i = 0; i < DHCP_CLIENTS_MAX; i++) {
		const struct dhcp_client *c = &dhcp_clients[i];
		if (c->nif && c->state != DHCP_STOPPED && c->next_ms < next)
			next = c->next_ms;
	}
	return next;
}

/* A reply m for client c, validated up to xid and chaddr. */
static void dhcp_reply_input(struct dhcp_client *c, const struct dhcp_msg *m, uint64_t now)
{
	switch (m->type) {
	case DHCP_OFFER:
		if (c->state != DHCP_SELECTING)
			goto unexpected;
		/* Take the first usable offer (RFC 2131 4.4.1 allows it). */
		if (m->yiaddr == 0 || !m->has_server_id) {
			dhcp_stats.rx_bad_offer++;
			return;
		}
		dhcp_stats.rx_offer++;
		c->offered_ip = m->yiaddr;
		c->offer_server = m->server_id;
		c->state = DHCP_REQUESTING;
		c->req_sent_ms = now;
		c->tries = 1;
		dhcp_send(c, DHCP_REQUEST, now);
		c->next_ms = now + dhcp_backoff(c->tries);
		return;
	case DHCP_ACK:
		if (c->state != DHCP_REQUESTING && !dhcp_has_lease(c))
			goto unexpected;
		if (c->state == DHCP_BOUND)
			goto unexpected; /* a duplicate of the ACK we already took */
		if (c->state == DHCP_REQUESTING && m->has_server_id && m->server_id != c->offer_server)
			goto unexpected; /* another server, whose offer we did not take */
		/* RFC 2131 table 3: an ACK MUST name its server. */
		if (m->yiaddr == 0 || !m->has_lease || m->lease_s == 0 || !m->has_server_id) {
			dhcp_stats.rx_bad_ack++;
			return;
		}
		dhcp_stats.rx_ack++;
		dhcp_bind(c, m);
		return;
	case DHCP_NAK:
		if (c->state != DHCP_REQUESTING && c->state != DHCP_RENEWING && c->state != DHCP_REBINDING)
			goto unexpected;
		if (c->state == DHCP_REQUESTING && m->has_server_id && m->server_id != c->offer_server)
			goto unexpected;
		if (c->state == DHCP_RENEWING && m->has_server_id && m->server_id != c->lease.server)
			goto unexpected;
		dhcp_stats.rx_nak++;
		sys_log(SYS_LOG_INFO, "dhcp: %s: NAK in %s: %s", c->nif->name, dhcp_state_name(c->state),
			m->message[0] ? m->message : "(no message)");
		/* RFC 2131 3.1.5: start over; a pause so a confused server
		 * cannot keep us in a tight loop. */
		if (dhcp_has_lease(c))
			dhcp_lease_lost(c, now, DHCP_NAK_DELAY_MS);
		else
			dhcp_restart(c, now, DHCP_NAK_DELAY_MS);
		return;
	default:
		goto unexpected;
	}
unexpected:
	dhcp_stats.rx_unexpected++;
}

/* UDP delivers every datagram to port 68 here; consumes nb. */
static void dhcp_udp_recv(struct udp_pcb *pcb, struct netbuf *nb, const struct udp_rx_info *rx,
			  void *arg)
{
	(void)pcb;
	(void)arg;
	struct dhcp_msg m;
	enum dhcp_parse_err err = dhcp_parse(nb->data, nb->len, &m);
	netbuf_free(nb);
	if (err != DHCP_PARSE_OK) {
		dhcp_stats.rx_malformed[err]++;
		sys_log(SYS_LOG_DEBUG, "dhcp: malformed reply dropped: %s", dhcp_parse_err_name(err));
		return;
	}
	if (m.op != DHCP_BOOTREPLY) {
		dhcp_stats.rx_not_reply++;
		return;
	}
	struct dhcp_client *c = dhcp_client_find(rx->nif);
	if (!c || c->state == DHCP_STOPPED) {
		dhcp_stats.rx_no_client++;
		return;
	}
	if (m.xid != c->xid) {
		dhcp_stats.rx_wrong_xid++;
		return;
	}
	if (memcmp(m.chaddr, c->nif->mac, ETH_ALEN) != 0) {
		dhcp_stats.rx_wrong_chaddr++;
		return;
	}
	dhcp_reply_input(c, &m, sys_now_ms());
}

/* ---- the API ---- */

int dhcp_start(struct netif *nif)
{
	if (!nif)
		return NET_EINVAL;
	struct dhcp_client *c = dhcp_client_find(nif);
	if (c && c->state != DHCP_STOPPED)
		return NET_OK;
	if (!dhcp_pcb) {
		struct udp_pcb *pcb = udp_pcb_new();
		if (!pcb)
			return NET_ENOMEM;
		int err = udp_pcb_bind(pcb, 0, DHCP_CLIENT_PORT);
		if (err) {
			udp_pcb_free(pcb);
			return err;
		}
		udp_pcb_set_recv(pcb, dhcp_udp_recv, NULL);
		dhcp_pcb = pcb;
	}
	for (int i = 0; !c && i < DHCP_CLIENTS_MAX; i++)
		if (!dhcp_clients[i].nif)
			c = &dhcp_clients[i];
	if (!c)
		return NET_ENOMEM;
	memset(c, 0, sizeof *c);
	c->nif = nif;
	dhcp_restart(c, 0, 0); /* INIT, due at once */
	sys_kick();
	return NET_OK;
}

int dhcp_renew_now(struct netif *nif)
{
	struct dhcp_client *c = dhcp_client_find(nif);
	if (!c)
		return NET_ENOENT;
	if (dhcp_has_lease(c)) {
		/* Due now: BOUND starts renewing, RENEWING and REBINDING resend. */
		c->next_ms = 0;
	} else {
		dhcp_restart(c, 0, 0);
	}
	sys_kick();
	return NET_OK;
}

int dhcp_stop(struct netif *nif)
{
	struct dhcp_client *c = dhcp_client_find(nif);
	if (!c)
		return NET_ENOENT;
	if (dhcp_has_lease(c)) {
		dhcp_send(c, DHCP_RELEASE, sys_now_ms());
		dhcp_unconfigure(c);
	}
	memset(c, 0, sizeof *c);
	bool any = false;
	for (int i = 0; i < DHCP_CLIENTS_MAX; i++)
		any |= dhcp_clients[i].nif != NULL;
	if (!any && dhcp_pcb) {
		udp_pcb_free(dhcp_pcb);
		dhcp_pcb = NULL;
	}
	return NET_OK;
}

int dhcp_status(struct netif *nif, struct dhcp_lease *out)
{
	const struct dhcp_client *c = dhcp_client_find(nif);
	if (!c)
		return NET_ENOENT;
	*out = c->lease;
	out->state = c->state;
	out->time_left_s = 0;
	if (dhcp_has_lease(c)) {
		uint64_t now = sys_now_ms();
		if (c->lease.lease_s == DHCP_LEASE_INFINITE)
			out->time_left_s = DHCP_LEASE_INFINITE;
		else if (c->expire_ms > now)
			out->time_left_s = (uint32_t)((c->expire_ms - now) / 1000);
	}
	return NET_OK;
}

/* Append to buf at *pos, keeping *pos the length snprintf would report. */
static void dhcp_append(char *buf, size_t size, int *pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t at = (size_t)*pos < size ? (size_t)*pos : size;
	int n = vsnprintf(buf + at, size - at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += n;
}

int dhcp_format_lease(const struct netif *nif, const struct dhcp_lease *l, char *buf, size_t size)
{
	char a[16];
	int prefix = 0;
	for (uint32_t m = l->netmask; m & 0x80000000u; m <<= 1)
		prefix++;
	int pos = 0;
	if (size)
		buf[0] = 0;
	dhcp_append(buf, size, &pos, "%s: %s/%d", nif->name, ipv4_format_addr(l->addr, a), prefix);
	if (l->router)
		dhcp_append(buf, size, &pos, " gw %s", ipv4_format_addr(l->router, a));
	for (uint8_t i = 0; i < l->dns_count && i < NETIF_DNS_MAX; i++)
		dhcp_append(buf, size, &pos, "%s%s", i ? "," : " dns ", ipv4_format_addr(l->dns[i], a));
	if (l->lease_s == DHCP_LEASE_INFINITE)
		dhcp_append(buf, size, &pos, " (dhcp, lease infinite)");
	else
		dhcp_append(buf, size, &pos, " (dhcp, lease %u s)", (unsigned)l->lease_s);
	return pos;
}

/* ---- registration with the stack ---- */

static const struct net_counter dhcp_counters[] = {
	{ "tx_discover", &dhcp_stats.tx_discover },
	{ "tx_request", &dhcp_stats.tx_request },
	{ "tx_release", &dhcp_stats.tx_release },
	{ "tx_errors", &dhcp_stats.tx_errors },
	{ "rx_offer", &dhcp_stats.rx_offer },
	{ "rx_ack", &dhcp_stats.rx_ack },
	{ "rx_nak", &dhcp_stats.rx_nak },
	{ "rx_short", &dhcp_stats.rx_malformed[DHCP_PARSE_SHORT] },
	{ "rx_bad_op", &dhcp_stats.rx_malformed[DHCP_PARSE_OP] },
	{ "rx_bad_htype", &dhcp_stats.rx_malformed[DHCP_PARSE_HTYPE] },
	{ "rx_bad_cookie", &dhcp_stats.rx_malformed[DHCP_PARSE_COOKIE] },
	{ "rx_opt_trunc", &dhcp_stats.rx_malformed[DHCP_PARSE_OPT_TRUNC] },
	{ "rx_opt_len", &dhcp_stats.rx_malformed[DHCP_PARSE_OPT_LEN] },
	{ "rx_overload", &dhcp_stats.rx_malformed[DHCP_PARSE_OVERLOAD] },
	{ "rx_no_type", &dhcp_stats.rx_malformed[DHCP_PARSE_NO_TYPE] },
	{ "rx_not_reply", &dhcp_stats.rx_not_reply },
	{ "rx_no_client", &dhcp_stats.rx_no_client },
	{ "rx_wrong_xid", &dhcp_stats.rx_wrong_xid },
	{ "rx_wrong_chaddr", &dhcp_stats.rx_wrong_chaddr },
	{ "rx_unexpected", &dhcp_stats.rx_unexpected },
	{ "rx_bad_offer", &dhcp_stats.rx_bad_offer },
	{ "rx_bad_ack", &dhcp_stats.rx_bad_ack },
	{ "leases_lost", &dhcp_stats.leases_lost },
};

static const struct net_counter_group dhcp_counter_group = {
	.name = "dhcp",
	.counters = dhcp_counters,
	.count = sizeof dhcp_counters / sizeof dhcp_counters[0],
};

void dhcp_init(void)
{
	/* udp_init, which runs first, has already closed our endpoint. */
	dhcp_pcb = NULL;
	memset(dhcp_clients, 0, sizeof dhcp_clients);
	memset(&dhcp_stats, 0, sizeof dhcp_stats);
	net_timer_register("dhcp", dhcp_tick, dhcp_next_deadline);
	net_counters_register(&dhcp_counter_group);
}
