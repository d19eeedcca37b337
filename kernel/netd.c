/* netd: the network thread. It owns all protocol state. Interrupt handlers
 * only note events and wake it; it drains the NIC's receive ring in
 * batches, runs frames up the stack, reclaims sent buffers, runs the
 * stack's timers, then sleeps until the next deadline or interrupt. */
#include "kernel/netd.h"

#include <stdlib.h>
#include <string.h>

#include "drivers/e1000.h"
#include "drivers/e1000_regs.h"
#include "kernel/bootinfo.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/heap.h"
#include "kernel/io.h"
#include "kernel/kmain.h"
#include "kernel/panic.h"
#include "kernel/pmm.h"
#include "kernel/printf.h"
#include "kernel/sched.h"
#include "kernel/vmm.h"
#include "net/dhcp.h"
#include "net/err.h"
#include "net/netbuf.h"
#include "net/netif.h"
#include "net/perf.h"
#include "net/stack.h"
#include "net/stack_init.h"
#include "net/sys.h"

enum {
	NETD_RX_BUDGET = 64, /* frames per pass before the timers and other threads get a turn */
};

static struct {
	struct waitq wake;
	volatile bool kicked; /* set by interrupts and sys_kick, cleared by netd */
	struct e1000 *nic;
	struct netif eth0;
	struct thread *thread;
	bool started;
	struct netd_timeline timeline;
} netd = { .wake = WAITQ_INIT("netd") };

void netd_kick(void)
{
	netd.kicked = true;
	waitq_wake_all(&netd.wake);
}

static void netd_nic_notify(void *ctx)
{
	(void)ctx;
	netd_kick();
}

/* netif transmit hook for eth0; consumes nb. Frames that netd itself
 * sends while it runs the stack (ACKs, replies, retransmissions) are
 * queued and handed to the NIC with one tail write at the end of the pass:
 * each tail write is an exit to the emulator. Other threads' frames go at
 * once. */
static int netd_eth0_transmit(struct netif *nif, struct netbuf *nb)
{
	enum perf_stage prev = perf_enter(PERF_NIC_TX);
	int rc = thread_current() == netd.thread ? e1000_tx_queue(netd.nic, nb) : e1000_tx(netd.nic, nb);
	perf_leave(prev);
	if (rc != NET_OK) {
		nif->stats.tx_dropped++;
		netbuf_free(nb);
	}
	return rc;
}

static void netd_deliver(void *ctx, struct netbuf *nb)
{
	struct netif *nif = ctx;
	nb->netif = nif;
	if (!netd.timeline.first_frame_us)
		netd.timeline.first_frame_us = now_us();
	enum perf_stage prev = perf_enter(PERF_ETHERNET);
	netif_input(nif, nb);
	perf_leave(prev);
}

static void netd_dhcp_event(struct netif *nif, enum dhcp_event ev, const struct dhcp_lease *lease)
{
	char line[160];
	if (ev == DHCP_EVENT_BOUND) {
		if (!netd.timeline.bound_us)
			netd.timeline.bound_us = now_us();
		dhcp_format_lease(nif, lease, line, sizeof line);
		console_notice("%s", line);
	} else if (ev == DHCP_EVENT_LOST) {
		console_notice("%s: DHCP lease lost; address removed", nif->name);
	}
}

static void netd_pool_init(void)
{
	size_t bytes = (size_t)NETBUF_POOL_COUNT * sizeof(struct netbuf);
	uint64_t pool = pmm_alloc_contig_uninit((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
	if (!pool)
		panic("netd: no memory for %u netbufs", (unsigned)NETBUF_POOL_COUNT);
	netbuf_pool_init(phys_to_virt(pool), NETBUF_POOL_COUNT);
}

/* e1000.ring=N on the kernel command line: descriptors per ring (the
 * catalog's D4 boots with 8, 16 and 256). */
static void netd_rings_from_cmdline(struct e1000 *nic)
{
	char val[12];

	if (bootinfo_cmdline_get(kernel_boot_info()->cmdline, "e1000.ring", val, sizeof val) < 0)
		return;
	char *end;
	unsigned long n = strtoul(val, &end, 10);
	if (*val == '\0' || *end != '\0' || e1000_set_rings(nic, n > 0xffff ? 0 : (unsigned)n) != NET_OK)
		kprintf("eth0: e1000.ring=%s ignored: a multiple of %d from %d to %d\n", val, E1000_RING_MIN,
			E1000_RING_MIN, E1000_RING_MAX);
}

static void netd_eth0_up(void)
{
	int err = 0;
	netd.nic = e1000_probe(&err);
	if (!netd.nic) {
		if (err != NET_ENODEV)
			kprintf("eth0: e1000 not usable: %s\n", net_strerror(err));
		return;
	}
	struct netif *nif = &netd.eth0;
	strlcpy(nif->name, "eth0", sizeof nif->name);
	e1000_mac(netd.nic, nif->mac);
	nif->mtu = 1500;
	nif->transmit = netd_eth0_transmit;
	nif->driver = netd.nic;
	netd_rings_from_cmdline(netd.nic);
	err = e1000_start(netd.nic, netd_nic_notify, NULL);
	if (err != NET_OK) {
		kprintf("eth0: e1000 start failed: %s\n", net_strerror(err));
		netd.nic = NULL;
		return;
	}
	netd.timeline.rx_enabled_us = now_us();
	netif_register(nif);
	netif_set_link(nif, e1000_link_up(netd.nic));
	dhcp_set_event_handler(netd_dhcp_event);
	dhcp_start(nif);
}

struct netif *netd_eth0(void) { return netd.nic ? &netd.eth0 : NULL; }
struct e1000 *netd_nic(void) { return netd.nic; }
void netd_get_timeline(struct netd_timeline *t) { *t = netd.timeline; }

static void netd_thread(void *arg)
{
	(void)arg;
	for (;;) {
		netd.kicked = false;
		int frames = 0;
		if (netd.nic) {
			uint32_t ev = e1000_take_events(netd.nic);
			if (ev & E1000_ICR_LSC) {
				bool up = e1000_link_up(netd.nic);
				if (up != netd.eth0.link_up) {
					netif_set_link(&netd.eth0, up);
					console_notice("eth0: link %s", up ? "up" : "down");
				}
			}
			perf_enter(PERF_NIC_RX);
			frames = e1000_rx(netd.nic, netd_deliver, &netd.eth0, NETD_RX_BUDGET);
			perf_enter(PERF_NIC_RECLAIM);
			e1000_tx_reclaim(netd.nic);
			perf_leave(PERF_IDLE);
		}
		uint64_t now = sys_now_ms();
		perf_enter(PERF_TIMERS);
		net_tick(now);
		if (netd.nic) {
			perf_enter(PERF_NIC_TX);
			e1000_tx_flush(netd.nic);
		}
		perf_leave(PERF_IDLE);
		if (frames == NETD_RX_BUDGET || netd.kicked) {
			yield(); /* more waiting: let the shell run, then drain again */
			continue;
		}
		uint64_t deadline = net_next_deadline();
		now = sys_now_ms();
		if (deadline <= now)
			continue;
		/* Sleep unless an interrupt arrived since the drain began. */
		uint64_t flags = irq_save();
		if (!netd.kicked)
			waitq_wait(&netd.wake, deadline == UINT64_MAX ? WAIT_FOREVER : deadline - now);
		irq_restore(flags);
	}
}

void netd_start(void)
{
	if (netd.started)
		return;
	netd.started = true;
	netd_pool_init();
	net_stack_init();
	netd_eth0_up();
	netd.thread = thread_create("netd", netd_thread, NULL);
	if (!netd.thread)
		panic("netd: cannot create the thread");
}
