/* The network stack's error vocabulary: 0 or a negative NET_E* code. */
#ifndef NET_ERR_H
#define NET_ERR_H

enum net_err {
	NET_OK = 0,
	NET_ENOMEM = -1,        /* out of netbufs or memory */
	NET_EINVAL = -2,        /* bad argument */
	NET_ETIMEDOUT = -3,
	NET_ECONNREFUSED = -4,
	NET_EHOSTUNREACH = -5,  /* ARP failed, or ICMP host unreachable */
	NET_ENETUNREACH = -6,   /* no route */
	NET_ENOTCONN = -7,
	NET_ECONNRESET = -8,
	NET_EADDRINUSE = -9,
	NET_EMSGSIZE = -10,     /* too big to send */
	NET_EAGAIN = -11,       /* would block; try again */
	NET_EMALFORMED = -12,   /* input failed validation */
	NET_ENODEV = -13,       /* no such interface, or link down */
	NET_ECLOSED = -14,      /* the socket or connection is closed */
	NET_EINTR = -15,        /* interrupted (Ctrl-C) */
	NET_ENOTSUP = -16,
	NET_EPORTUNREACH = -17, /* ICMP port unreachable */
	NET_ENOENT = -18,       /* no such name or entry */
	NET_EPROTO = -19,       /* protocol error by the peer */
};

/* A short description of err, e.g. "timed out". */
const char *net_strerror(int err);

#endif
