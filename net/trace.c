/* The observer hook: one function pointer and its context. */
#include "net/trace.h"

#include <string.h>

net_trace_fn net_trace_observer;
static void *net_trace_ctx;

void net_trace_set(net_trace_fn fn, void *ctx)
{
	net_trace_ctx = ctx;
	net_trace_observer = fn;
}

void net_trace_frame(enum net_trace_kind dir, const struct netif *nif, const struct netbuf *nb)
{
	if (!net_trace_observer)
		return;
	/* Large: keep it off the (small) kernel thread stacks. Tracing runs in
	 * one thread at a time under the cooperative scheduler. */
	static struct net_trace_event ev;
	ev.kind = dir;
	ev.nif = nif;
	ev.frame_len = nb->len;
	ev.captured = nb->len < NET_TRACE_FRAME_BYTES ? nb->len : NET_TRACE_FRAME_BYTES;
	memcpy(ev.frame, nb->data, ev.captured);
	net_trace_observer(net_trace_ctx, &ev);
}

void net_trace_note(const struct net_trace_event *ev)
{
	if (net_trace_observer)
		net_trace_observer(net_trace_ctx, ev);
}
