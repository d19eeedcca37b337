# Host tests of the DNS resolver and the socket layer. test_dns_wire and
# test_dns_query need no stack; test_dns_resolve and test_socket run on the
# whole real stack (net/sources.mk) over tests/unit/net's fake link, with
# this directory's platform (a sys_wait that runs a scripted world) and a
# test double of TCP in place of net/tcp*.c.
include net/sources.mk

DNS_UNIT_DIR := tests/unit/dns
DNS_UNIT_OUT := $(BUILD)/unit/dns
DNS_NET_SRCS := net/dns_wire.c net/dns_cache.c net/dns_query.c net/dns.c net/socket.c
DNS_CORE_SRCS := net/dns_wire.c net/dns_cache.c net/dns_query.c net/err.c net/trace.c $(DNS_UNIT_DIR)/test_platform.c
# sort: also drops the duplicates once net/sources.mk lists the DNS files.
DNS_STACK_SRCS := $(sort $(filter-out net/tcp%,$(NET_SRCS)) $(DNS_NET_SRCS)) \
	tests/unit/net/fake_link.c $(DNS_UNIT_DIR)/test_platform.c $(DNS_UNIT_DIR)/fake_tcp.c \
	$(DNS_UNIT_DIR)/dns_world.c
DNS_UNIT_HDRS := $(wildcard $(DNS_UNIT_DIR)/*.h net/*.h tests/unit/net/fake_link.h) tests/unit/check.h

UNIT_TESTS += $(DNS_UNIT_OUT)/test_dns_wire $(DNS_UNIT_OUT)/test_dns_query $(DNS_UNIT_OUT)/test_dns_ptr \
	$(DNS_UNIT_OUT)/test_dns_resolve $(DNS_UNIT_OUT)/test_socket

$(DNS_UNIT_OUT)/test_dns_wire: $(DNS_UNIT_DIR)/test_dns_wire.c net/dns_wire.c $(DNS_UNIT_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< net/dns_wire.c

$(DNS_UNIT_OUT)/test_dns_query $(DNS_UNIT_OUT)/test_dns_ptr: $(DNS_UNIT_OUT)/%: $(DNS_UNIT_DIR)/%.c $(DNS_CORE_SRCS) $(DNS_UNIT_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(DNS_CORE_SRCS)

$(DNS_UNIT_OUT)/test_dns_resolve $(DNS_UNIT_OUT)/test_socket: $(DNS_UNIT_OUT)/%: $(DNS_UNIT_DIR)/%.c \
		$(DNS_STACK_SRCS) $(DNS_UNIT_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(DNS_STACK_SRCS)
