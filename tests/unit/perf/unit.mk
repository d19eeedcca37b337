# Host tests for net/perf.h's exclusive cycle accounting.
PUNIT_DIR := $(BUILD)/unit/perf

UNIT_TESTS += $(PUNIT_DIR)/test_perf

$(PUNIT_DIR)/test_perf: tests/unit/perf/test_perf.c net/perf.c net/perf.h tests/unit/check.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ tests/unit/perf/test_perf.c net/perf.c
