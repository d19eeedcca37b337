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
	net/perf.c \
	net/stack.c \
	net/trace.c

NET_SRCS := $(NET_CORE_SRCS) \
	net/udp.c \
	net/dhcp.c \
	net/tcp.c \
	net/tcp_cc.c \
	net/tcp_in.c \
	net/tcp_isn.c \
	net/tcp_out.c \
	net/tcp_reass.c \
	net/tcp_ring.c \
	net/tcp_timer.c \
	net/tcp_wire.c \
	net/socket.c \
	net/dns_wire.c \
	net/dns_cache.c \
	net/dns_query.c \
	net/dns.c \
	net/stack_init.c
