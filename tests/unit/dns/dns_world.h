/* A small world for blocking-call tests on the real stack: eth0 (a fake
 * link, 10.0.2.15/24) with DNS servers on it whose behaviour each test
 * scripts. The world runs whenever the code under test sleeps in
 * sys_wait (test_platform.h's hook): it reads the frames the stack sent,
 * logs the DNS queries, schedules the servers' answers, and moves the
 * clock to the next event or to the end of the wait. */
#ifndef TESTS_UNIT_DNS_WORLD_H
#define TESTS_UNIT_DNS_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/ipv4.h"
#include "tests/unit/net/fake_link.h"

#define W_T0 7000000u
#define W_OUR_IP IPV4_ADDR(10, 0, 2, 15)
#define W_S1 IPV4_ADDR(10, 0, 2, 3)
#define W_S2 IPV4_ADDR(10, 0, 2, 4)
#define W_OTHER IPV4_ADDR(10, 0, 2, 99)

enum { W_LOG_MAX = 32, W_PENDING_MAX = 16, W_FRAME_MAX = 1600 };

enum w_mode {
	W_SILENT,       /* never answers */
	W_ANSWER,       /* the template with the query's ID (question echoed by the template) */
	W_ECHO,         /* the query itself, flags set to w_flags, no records */
	W_UNREACH,      /* ICMP port unreachable */
};

struct w_server {
	uint32_t addr;
	enum w_mode mode;
	const uint8_t *tmpl;
	size_t tmpl_len;
	uint16_t flags;        /* W_ECHO flags; for W_ANSWER, ORed in */
	uint64_t delay_ms;     /* answer this long after the query */
	bool spoof_first;      /* before the answer, forgeries of every kind */
};

struct w_query {
	uint64_t at;
	uint32_t dst;
	uint16_t sport, id, qtype;
	char qname[256];
};

struct w_pending {
	uint64_t at;
	uint8_t frame[W_FRAME_MAX];
	size_t len;
};

struct world {
	struct w_server servers[2];
	struct w_query log[W_LOG_MAX];
	int nlog;
	struct w_pending pending[W_PENDING_MAX];
	int npending;
};
extern struct world world;
extern struct fake_link w_eth0;

/* A fresh stack and world: eth0 configured, both servers' MACs known,
 * eth0's DNS list empty (tests set w_eth0.nif.dns), the wait hook in. */
void world_setup(void);
/* Tear down; true when nothing leaked (netbufs, allocations, TCP
 * connections), else the leak is described on stderr. Use it as
 * CHECK(world_teardown()): check.h's verdict lives in the test's file. */
bool world_teardown(void);
/* Schedule a datagram src:sport -> us:dport for time at (delivered by a
 * wait that reaches it). */
void world_send_udp(uint64_t at, uint32_t src, uint16_t sport, uint16_t dport, const void *p, size_t n);
/* Read what the stack sent since the last call (also done in waits). */
void world_collect(void);

#endif
