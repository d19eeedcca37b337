/* The loopback interface: transmit queues, net_tick delivers. */
#include "net/loopback.h"

#include <string.h>

#include "net/err.h"
#include "net/ipv4.h"
#include "net/sys.h"

static struct netif lo;
static bool lo_ready;
static struct netbuf_queue lo_queue;

/* Queue the frame; it comes back in through netif_input on the next
 * loopback_poll. Consumes nb. */
static int lo_transmit(struct netif *nif, struct netbuf *nb)
{
	(void)nif;
	if (netbuf_queue_push(&lo_queue, nb) != 0)
		return NET_ENOMEM;
	sys_kick();
	return NET_OK;
}

struct netif *loopback_init(void)
{
	if (lo_ready)
		return &lo;
	memset(&lo, 0, sizeof lo);
	memcpy(lo.name, "lo", sizeof "lo");
	lo.mtu = LOOPBACK_MTU;
	lo.is_loopback = true;
	lo.link_up = true;
	lo.transmit = lo_transmit;
	netbuf_queue_init(&lo_queue, LOOPBACK_QUEUE);
	netif_register(&lo);
	netif_set_ipv4(&lo, IPV4_ADDR(127, 0, 0, 1), IPV4_ADDR(255, 0, 0, 0), 0, NETIF_ADDR_STATIC);
	lo_ready = true;
	return &lo;
}

struct netif *loopback_netif(void)
{
	return lo_ready ? &lo : NULL;
}

int loopback_poll(void)
{
	/* Only the frames queued before now: replies they cause wait for
	 * the next poll, so a ping to ourselves cannot loop forever here. */
	uint32_t n = lo_queue.count;
	int done = 0;

	while (n-- > 0) {
		struct netbuf *nb = netbuf_queue_pop(&lo_queue);
		if (!nb)
			break;
		netif_input(&lo, nb);
		done++;
	}
	return done;
}

bool loopback_pending(void)
{
	return lo_ready && lo_queue.count > 0;
}

void loopback_flush(void)
{
	if (lo_ready)
		netbuf_queue_flush(&lo_queue);
}
