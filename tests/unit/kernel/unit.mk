# Host unit tests for the kernel's libc, printf, heap and boot-info parser.
#
# The kernel libc sources (string.c, stdlib.c, printf.c) are built against
# the kernel's own headers with their public names renamed by rename.h, so
# they link beside glibc and the tests compare the two. heap.c and
# bootinfo.c are portable C and build as they are.

KUNIT_DIR := $(BUILD)/unit/kernel
KUNIT_LIBC_CFLAGS := $(HOST_CFLAGS) -fno-builtin -isystem kernel/libc/include \
	-include tests/unit/kernel/rename.h
KUNIT_LIBC_HDRS := tests/unit/kernel/rename.h $(wildcard kernel/libc/include/*.h) kernel/printf.h
KUNIT_TEST_HDRS := tests/unit/check.h tests/unit/kernel/pg_libc.h $(KUNIT_LIBC_HDRS)

UNIT_TESTS += $(KUNIT_DIR)/test_string $(KUNIT_DIR)/test_stdlib $(KUNIT_DIR)/test_printf \
	$(KUNIT_DIR)/test_heap $(KUNIT_DIR)/test_bootinfo

$(KUNIT_DIR)/lib/string.o: kernel/libc/string.c $(KUNIT_LIBC_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(KUNIT_LIBC_CFLAGS) -c $< -o $@

$(KUNIT_DIR)/lib/stdlib.o: kernel/libc/stdlib.c $(KUNIT_LIBC_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(KUNIT_LIBC_CFLAGS) -c $< -o $@

$(KUNIT_DIR)/lib/printf.o: kernel/printf.c $(KUNIT_LIBC_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(KUNIT_LIBC_CFLAGS) -c $< -o $@

$(KUNIT_DIR)/lib/heap.o: kernel/heap.c kernel/heap.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(KUNIT_DIR)/lib/bootinfo.o: kernel/bootinfo.c kernel/bootinfo.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(KUNIT_DIR)/test_string: tests/unit/kernel/test_string.c $(KUNIT_DIR)/lib/string.o $(KUNIT_TEST_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(KUNIT_DIR)/lib/string.o

$(KUNIT_DIR)/test_stdlib: tests/unit/kernel/test_stdlib.c $(KUNIT_DIR)/lib/stdlib.o $(KUNIT_TEST_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(KUNIT_DIR)/lib/stdlib.o

$(KUNIT_DIR)/test_printf: tests/unit/kernel/test_printf.c $(KUNIT_DIR)/lib/printf.o $(KUNIT_DIR)/lib/string.o $(KUNIT_TEST_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(KUNIT_DIR)/lib/printf.o $(KUNIT_DIR)/lib/string.o

$(KUNIT_DIR)/test_heap: tests/unit/kernel/test_heap.c $(KUNIT_DIR)/lib/heap.o tests/unit/check.h kernel/heap.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(KUNIT_DIR)/lib/heap.o

$(KUNIT_DIR)/test_bootinfo: tests/unit/kernel/test_bootinfo.c $(KUNIT_DIR)/lib/bootinfo.o tests/unit/check.h kernel/bootinfo.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(KUNIT_DIR)/lib/bootinfo.o
