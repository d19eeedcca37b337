# Host tests of the fault injector's standard profiles (net/netem.c): each
# profile's statistics over many frames with a fixed seed. They link the
# net/ unit-test library of tests/unit/net/unit.mk (included before this
# file: the top-level wildcard is sorted, and net/ sorts before netem/).
ifeq ($(NET_UNIT_LIB_OBJS),)
$(error tests/unit/netem/unit.mk needs tests/unit/net/unit.mk included first)
endif

NETEM_UNIT_DIR := $(BUILD)/unit/netem
NETEM_UNIT_BINS := $(NETEM_UNIT_DIR)/test_profiles

UNIT_TESTS += $(NETEM_UNIT_BINS)

$(NETEM_UNIT_DIR)/test_%: tests/unit/netem/test_%.c $(NET_UNIT_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -MMD -MP -MF $@.d $(filter %.c %.o,$^) -o $@

-include $(NETEM_UNIT_BINS:=.d)
