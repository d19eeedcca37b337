# libFuzzer targets for net/ and the web client's parsers (tests/fuzz/).
# Included by the top-level Makefile, which defines BUILD.
#
#   make fuzz                      every target for FUZZ_SECONDS (60) each, two
#                                  at a time; findings in build/fuzz/findings/<t>/
#   make fuzz FUZZ_SECONDS=600 FUZZ_TARGETS="pair stateful"
#   make fuzz-test                 replay tests/fuzz/regress/ and corpus/, then a
#                                  FUZZ_SMOKE_SECONDS (20) smoke of each target:
#                                  one PASS/FAIL line each (tests/run counts them)
#   make fuzz-bins                 build only
#
# Built with clang (libFuzzer, AddressSanitizer, UBSan) and
# -DNET_FUZZ_NO_CHECKSUM: the stack accepts any checksum (net/checksum.h
# csum_verified), as a fuzzer cannot forge them. Debian: clang and
# libclang-rt-14-dev (libFuzzer's runtime).
include net/sources.mk

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_OUT := $(BUILD)/fuzz
FUZZ_TARGETS ?= eth_input ipv4_reasm tcp_options dns_response dhcp_message http_response url stateful pair
FUZZ_ALL := eth_input ipv4_reasm tcp_options dns_response dhcp_message http_response url stateful pair
FUZZ_BINS := $(FUZZ_ALL:%=$(FUZZ_OUT)/fuzz_%)
# For `make test`: a command that prints one PASS/FAIL line per check
# (it reads FUZZ_OUT and FUZZ_SMOKE_SECONDS from the environment).
FUZZ_TESTS := tests/fuzz/run
FUZZ_PYTHON := $(or $(PYTHON),/usr/bin/python3)
export FUZZ_OUT FUZZ_SMOKE_SECONDS

FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Wall -Wextra -Werror -I. -DNET_FUZZ_NO_CHECKSUM -MMD -MP
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined

# What each target links besides its own file.
FUZZ_WORLD := tests/fuzz/fuzz_world.c tests/fuzz/fuzz_util.c tests/unit/net/fake_sys.c \
	tests/unit/net/fake_link.c $(NET_SRCS)
FUZZ_LIBS_eth_input := $(FUZZ_WORLD)
FUZZ_LIBS_ipv4_reasm := $(FUZZ_WORLD)
FUZZ_LIBS_dhcp_message := $(FUZZ_WORLD)
FUZZ_LIBS_stateful := $(FUZZ_WORLD)
FUZZ_LIBS_pair := $(FUZZ_WORLD)
FUZZ_LIBS_tcp_options := tests/fuzz/fuzz_util.c net/tcp_wire.c net/checksum.c net/perf.c
FUZZ_LIBS_dns_response := tests/fuzz/fuzz_util.c tests/unit/net/fake_sys.c net/dns_wire.c \
	net/dns_cache.c net/dns_query.c net/err.c net/trace.c
FUZZ_LIBS_http_response := tests/fuzz/fuzz_util.c user/http_wire.c user/url.c
FUZZ_LIBS_url := tests/fuzz/fuzz_util.c user/http_wire.c user/url.c

.PHONY: fuzz fuzz-test fuzz-bins
.SECONDARY: $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(sort $(FUZZ_WORLD) $(foreach t,$(FUZZ_ALL),$(FUZZ_LIBS_$(t)) tests/fuzz/fuzz_$(t).c)))

$(FUZZ_OUT)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

define FUZZ_LINK
$(FUZZ_OUT)/fuzz_$(1): $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,tests/fuzz/fuzz_$(1).c $(FUZZ_LIBS_$(1)))
	@mkdir -p $$(@D)
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $$@ $$^
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call FUZZ_LINK,$(t))))

fuzz-bins: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@$(FUZZ_PYTHON) tests/fuzz/run fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-test: $(FUZZ_BINS)
	@$(FUZZ_PYTHON) tests/run unit $(FUZZ_TESTS)

-include $(shell find $(FUZZ_OUT)/obj -name '*.d' 2>/dev/null)
