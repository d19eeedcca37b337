# UDP and DHCP host tests. test_udp and test_dhcp run net/udp.c and
# net/dhcp.c against fakes of IPv4, ICMP and netif (fake_env.c) with the
# real netbuf pool and checksum; test_stack runs them on the whole real
# stack over tests/unit/net's fake link. The platform (net/sys.h) is
# tests/unit/net/fake_sys.c for all three.
include net/sources.mk

NET_UDP_DIR := tests/unit/net_udp
NET_UDP_OUT := $(BUILD)/unit/net_udp
NET_UDP_SRCS := $(NET_UDP_DIR)/fake_env.c tests/unit/net/fake_sys.c net/udp.c net/dhcp.c net/netbuf.c \
	net/checksum.c net/perf.c net/err.c
NET_UDP_STACK_SRCS := $(NET_SRCS) tests/unit/net/fake_sys.c tests/unit/net/fake_link.c
NET_UDP_HDRS := $(wildcard $(NET_UDP_DIR)/*.h tests/unit/net/*.h net/*.h) tests/unit/check.h

UNIT_TESTS += $(NET_UDP_OUT)/test_udp $(NET_UDP_OUT)/test_dhcp $(NET_UDP_OUT)/test_stack

$(NET_UDP_OUT)/test_udp $(NET_UDP_OUT)/test_dhcp: $(NET_UDP_OUT)/%: $(NET_UDP_DIR)/%.c $(NET_UDP_SRCS) \
		$(NET_UDP_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(NET_UDP_SRCS)

$(NET_UDP_OUT)/test_stack: $(NET_UDP_DIR)/test_stack.c $(NET_UDP_STACK_SRCS) $(NET_UDP_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(NET_UDP_STACK_SRCS)
