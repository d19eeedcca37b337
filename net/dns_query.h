/* One resolution as a state machine driven by input and time, with no I/O
 * and no sleeping of its own: the caller (dns_resolve, or a host test)
 * does the sending and receiving it asks for.
 *
 *   dns_query_start()
 *   loop: switch (dns_query_poll(q, now))
 *     DNS_QS_SEND: open a fresh UDP socket, send q->msg (q->msg_len bytes)
 *                  to q->server port 53, then dns_query_sent(q, port, now),
 *                  or dns_query_failed(q, err, now) if that failed.
 *     DNS_QS_WAIT: wait until q->deadline for a datagram; give each one to
 *                  dns_query_input(); an ICMP error to dns_query_failed().
 *     DNS_QS_TCP:  send q->msg over TCP to q->server (2-octet length
 *                  prefix), read one answer, dns_query_input(.., tcp=true)
 *                  or dns_query_failed().
 *     DNS_QS_DONE: q->status and q->res hold the outcome.
 *
 * Retries and timeouts follow net/dns.h's schedule. Accepted answers go
 * into the cache (net/dns_cache.h). */
#ifndef NET_DNS_QUERY_H
#define NET_DNS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/dns.h"
#include "net/dns_wire.h"

enum dns_query_state { DNS_QS_SEND, DNS_QS_WAIT, DNS_QS_TCP, DNS_QS_DONE };

/* What dns_query_input made of a message. */
enum dns_input {
	DNS_IN_ACCEPTED,        /* the answer: DONE, or a new query for a CNAME target */
	DNS_IN_TRUNCATED,       /* TC set: now DNS_QS_TCP */
	DNS_IN_SERVER_ERROR,    /* SERVFAIL, REFUSED, malformed...: next server */
	DNS_IN_DROP_STATE,      /* not waiting for an answer */
	DNS_IN_DROP_SOURCE,     /* from another address */
	DNS_IN_DROP_PORT,       /* from a port other than 53, or to another port */
	DNS_IN_DROP_SHORT,      /* shorter than a header */
	DNS_IN_DROP_NOT_RESPONSE, /* QR clear, or not a standard query */
	DNS_IN_DROP_ID,         /* another ID */
	DNS_IN_DROP_QUESTION,   /* question missing or not ours */
};

struct dns_query {
	enum dns_query_state state;
	int status;                     /* DONE: DNS_OK or a dns_status */
	struct dns_result res;
	/* The question now being asked (the name, or a CNAME target). */
	struct dns_name qname;
	uint16_t qtype;
	/* The schedule: attempt a goes to servers[a % nservers] in round
	 * a / nservers; failed[] marks servers that answered with an error. */
	uint32_t servers[DNS_SERVERS_MAX];
	bool failed[DNS_SERVERS_MAX];
	unsigned nservers, attempt, chases;
	int last_error;                 /* reported if every attempt fails */
	/* The transmission in flight. */
	uint32_t server;
	uint16_t id, port;
	uint64_t sent_ms, deadline;
	uint64_t started_ms;
	uint32_t ttl;                   /* least TTL of the records used so far */
	/* Every name met so far, in wire form: [0] the name asked, then
	 * each CNAME target (res.names[] in text), for loop detection. */
	struct dns_name chain[DNS_CHAIN_MAX + 1];
	uint8_t msg[DNS_QUERY_MAX];
	size_t msg_len;
	struct dns_msg parsed;          /* scratch for the answer */
};

/* Tell a trace observer that the query is about to leave from port. */
void dns_query_trace_send(const struct dns_query *q, uint16_t port);

/* Begin resolving qname (qtype: DNS_TYPE_A or DNS_TYPE_PTR) with the servers given.
 * res->names[0] is set from qname. With no servers the query is DONE at
 * once with DNS_ENOSERVERS. */
void dns_query_start(struct dns_query *q, const struct dns_name *qname, uint16_t qtype, const uint32_t *servers,
		     unsigned nservers, uint64_t now);
/* Run the timers (a wait that expired moves to the next attempt, or to
 * DONE with DNS_ETIMEDOUT) and say what the caller must do next. */
enum dns_query_state dns_query_poll(struct dns_query *q, uint64_t now);
/* The query in q->msg left from local port `port`: start its timer. */
void dns_query_sent(struct dns_query *q, uint16_t port, uint64_t now);
/* Sending, waiting or TCP failed with a NET_E* error (no route, ICMP
 * unreachable, connection refused...): UDP moves to the next server, TCP
 * ends with DNS_ETRUNCATED. */
void dns_query_failed(struct dns_query *q, int net_err, uint64_t now);
/* A message from src:sport to our dport (for TCP: the connection's ends).
 * Validates it against the query in flight; see enum dns_input. */
enum dns_input dns_query_input(struct dns_query *q, const uint8_t *msg, size_t len, uint32_t src, uint16_t sport,
			       uint16_t dport, bool tcp, uint64_t now);

#endif
