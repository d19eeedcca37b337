/* The packet-capture tap: one hook that sees every Ethernet frame the stack
 * receives (eth_input, before validation) and sends (eth_output, after the
 * header and padding, before the driver or netem).
 *
 * It is apart from the trace observer (net/trace.h) on purpose: a capture
 * wants whole frames at full rate, a trace wants headers and notes. The hook
 * runs synchronously in the thread that moves the frame; it must copy what it
 * wants and return at once, and it can never drop or change the frame. */
#ifndef NET_CAPTURE_H
#define NET_CAPTURE_H

#include <stdbool.h>

#include "net/netbuf.h"
#include "net/netif.h"

enum net_capture_dir { NET_CAPTURE_IN, NET_CAPTURE_OUT };

/* nb->data is at the Ethernet header; nb->len bytes follow. */
typedef void (*net_capture_fn)(enum net_capture_dir dir, const struct netif *nif, const struct netbuf *nb);

/* NULL when nobody captures: the hot path then costs one load. Defined in
 * net/ethernet.c, the only place frames cross. */
extern net_capture_fn net_capture_hook;

static inline void net_capture_frame(enum net_capture_dir dir, const struct netif *nif, const struct netbuf *nb)
{
	net_capture_fn fn = net_capture_hook;

	if (fn)
		fn(dir, nif, nb);
}

#endif
