# TCP host tests (net/tcp*.c) and the SHA-256 used by `nc -s`. They run the
# real stack (net/sources.mk's core, with tests/unit/net's UDP stand-in)
# over the fake link with the simulated clock. Included by the top-level
# Makefile, which defines HOSTCC, HOST_CFLAGS and BUILD.
include net/sources.mk

TCP_UNIT_OUT := $(BUILD)/unit/tcp
TCP_UNIT_SRCS := $(wildcard net/tcp*.c)
# The core minus any TCP it may list one day, plus the fake platform.
TCP_UNIT_LIB := $(filter-out net/tcp%.c,$(NET_CORE_SRCS)) $(TCP_UNIT_SRCS) \
	tests/unit/net/fake_sys.c tests/unit/net/fake_link.c tests/unit/net/stub_udp.c
TCP_UNIT_HDRS := $(wildcard net/*.h tests/unit/net/*.h tests/unit/tcp/*.h) tests/unit/check.h
TCP_UNIT_NAMES := tcp_wire tcp_parts tcp_state tcp_data tcp_soak

UNIT_TESTS += $(patsubst %,$(TCP_UNIT_OUT)/test_%,$(TCP_UNIT_NAMES)) $(TCP_UNIT_OUT)/test_sha256

$(TCP_UNIT_OUT)/test_%: tests/unit/tcp/test_%.c $(TCP_UNIT_LIB) $(TCP_UNIT_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(TCP_UNIT_LIB)

$(TCP_UNIT_OUT)/test_sha256: tests/unit/tcp/test_sha256.c user/sha256.c user/sha256.h tests/unit/check.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ tests/unit/tcp/test_sha256.c user/sha256.c
