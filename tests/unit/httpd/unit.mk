# Host tests of httpd's request parser (user/httpd_wire.c). Included by the
# top-level Makefile, which defines HOSTCC, HOST_CFLAGS and BUILD.

HTTPD_UNIT_DIR := tests/unit/httpd
HTTPD_UNIT_OUT := $(BUILD)/unit/httpd

UNIT_TESTS += $(HTTPD_UNIT_OUT)/test_httpd_wire

$(HTTPD_UNIT_OUT)/test_httpd_wire: $(HTTPD_UNIT_DIR)/test_httpd_wire.c user/httpd_wire.c user/httpd_wire.h \
		kernel/version.h tests/unit/check.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< user/httpd_wire.c
