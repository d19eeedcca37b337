# Host unit tests of the core network stack (net/). Included by the
# top-level Makefile, which defines HOSTCC, HOST_CFLAGS and BUILD and runs
# every binary listed in UNIT_TESTS.
include net/sources.mk

NET_UNIT_DIR := $(BUILD)/unit/net
NET_UNIT_NAMES := checksum netbuf ethernet arp ipv4 reasm icmp stack netem
# The stack minus UDP/DHCP (stub_udp.c stands in), plus the fake platform.
NET_UNIT_LIB_SRCS := $(NET_CORE_SRCS) tests/unit/net/fake_sys.c tests/unit/net/fake_link.c \
	tests/unit/net/stub_udp.c
NET_UNIT_LIB_OBJS := $(patsubst %.c,$(NET_UNIT_DIR)/obj/%.o,$(NET_UNIT_LIB_SRCS))
NET_UNIT_BINS := $(patsubst %,$(NET_UNIT_DIR)/test_%,$(NET_UNIT_NAMES))

UNIT_TESTS += $(NET_UNIT_BINS)
# Keep the objects (pattern-built prerequisites would be deleted as intermediates).
.SECONDARY: $(NET_UNIT_LIB_OBJS)

$(NET_UNIT_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(NET_UNIT_DIR)/test_%: tests/unit/net/test_%.c $(NET_UNIT_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -MMD -MP -MF $@.d $(filter %.c %.o,$^) -o $@

-include $(NET_UNIT_LIB_OBJS:.o=.d) $(NET_UNIT_BINS:=.d)
