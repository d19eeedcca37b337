# The network stack's sources, listed once for every build (kernel, host
# unit tests, fuzzers). NET_CORE_SRCS is the part that needs no UDP.
NET_CORE_SRCS := \
	net/arp.c \
	net/checksum.c \
	net/err.c \
	net/ethernet.c \
	net/icmp.c \
	net/ipv4.c \
	net/ipv4_reasm.c \
	net/loopback.c \
	net/netbuf.c \
	net/netem.c \
	net/netif.c \
	net/stack.c

NET_SRCS := $(NET_CORE_SRCS) \
	net/udp.c \
	net/dhcp.c \
	net/stack_init.c
