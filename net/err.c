/* net_strerror: the words for the stack's error codes. */
#include "net/err.h"

static const char *const net_err_text[] = {
	[0] = "ok",
	[-NET_ENOMEM] = "out of memory",
	[-NET_EINVAL] = "invalid argument",
	[-NET_ETIMEDOUT] = "timed out",
	[-NET_ECONNREFUSED] = "connection refused",
	[-NET_EHOSTUNREACH] = "host unreachable",
	[-NET_ENETUNREACH] = "network unreachable",
	[-NET_ENOTCONN] = "not connected",
	[-NET_ECONNRESET] = "connection reset",
	[-NET_EADDRINUSE] = "address in use",
	[-NET_EMSGSIZE] = "message too long",
	[-NET_EAGAIN] = "try again",
	[-NET_EMALFORMED] = "malformed input",
	[-NET_ENODEV] = "no such device or link down",
	[-NET_ECLOSED] = "closed",
	[-NET_EINTR] = "interrupted",
	[-NET_ENOTSUP] = "not supported",
	[-NET_EPORTUNREACH] = "port unreachable",
	[-NET_ENOENT] = "not found",
	[-NET_EPROTO] = "protocol error",
};

const char *net_strerror(int err)
{
	if (err > 0 || -err >= (int)(sizeof net_err_text / sizeof net_err_text[0]) ||
	    !net_err_text[-err])
		return "unknown error";
	return net_err_text[-err];
}
