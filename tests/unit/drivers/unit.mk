# Host tests for the PCI and e1000 drivers, against a simulated PCI
# configuration space (fake_pci.c) and, for the e1000, a register file and
# DMA model in plain memory (test_e1000.c). host_io.h stands in for
# kernel/io.h, whose cli and port I/O a user process cannot execute.

DUNIT_DIR := $(BUILD)/unit/drivers
DUNIT_CFLAGS := $(HOST_CFLAGS) -include tests/unit/drivers/host_io.h
DUNIT_HDRS := tests/unit/check.h tests/unit/drivers/host_io.h tests/unit/drivers/fake_pci.h \
	drivers/pci.h drivers/e1000.h drivers/e1000_regs.h net/netbuf.h net/err.h

UNIT_TESTS += $(DUNIT_DIR)/test_pci $(DUNIT_DIR)/test_e1000

$(DUNIT_DIR)/test_pci: tests/unit/drivers/test_pci.c tests/unit/drivers/fake_pci.c \
		drivers/pci.c $(DUNIT_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(DUNIT_CFLAGS) -o $@ tests/unit/drivers/test_pci.c tests/unit/drivers/fake_pci.c \
		drivers/pci.c

$(DUNIT_DIR)/test_e1000: tests/unit/drivers/test_e1000.c tests/unit/drivers/fake_pci.c \
		drivers/pci.c drivers/e1000.c net/perf.c $(DUNIT_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(DUNIT_CFLAGS) -o $@ tests/unit/drivers/test_e1000.c tests/unit/drivers/fake_pci.c \
		drivers/pci.c drivers/e1000.c net/perf.c
