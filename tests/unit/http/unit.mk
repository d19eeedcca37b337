# Host tests of the web client's pure parts (URL, the HTTP/1.1 parser, the
# terminal filter) and of the client's I/O over a scripted fake socket
# layer and resolver (tests/unit/http/fake_net.c). Included by the
# top-level Makefile, which defines HOSTCC, HOST_CFLAGS and BUILD.

HTTP_UNIT_DIR := tests/unit/http
HTTP_UNIT_OUT := $(BUILD)/unit/http
HTTP_UNIT_HDRS := user/url.h user/http_wire.h user/http.h user/termsafe.h kernel/version.h \
	$(wildcard $(HTTP_UNIT_DIR)/*.h) tests/unit/check.h

UNIT_TESTS += $(HTTP_UNIT_OUT)/test_url $(HTTP_UNIT_OUT)/test_http_wire \
	$(HTTP_UNIT_OUT)/test_http_client $(HTTP_UNIT_OUT)/test_termsafe

$(HTTP_UNIT_OUT)/test_url: $(HTTP_UNIT_DIR)/test_url.c user/url.c $(HTTP_UNIT_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< user/url.c

$(HTTP_UNIT_OUT)/test_http_wire: $(HTTP_UNIT_DIR)/test_http_wire.c user/http_wire.c user/url.c $(HTTP_UNIT_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< user/http_wire.c user/url.c

$(HTTP_UNIT_OUT)/test_http_client: $(HTTP_UNIT_DIR)/test_http_client.c $(HTTP_UNIT_DIR)/fake_net.c \
		user/http.c user/http_wire.c user/url.c net/err.c $(HTTP_UNIT_HDRS) net/socket.h net/dns.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(HTTP_UNIT_DIR)/fake_net.c user/http.c user/http_wire.c \
		user/url.c net/err.c

$(HTTP_UNIT_OUT)/test_termsafe: $(HTTP_UNIT_DIR)/test_termsafe.c user/termsafe.c $(HTTP_UNIT_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< user/termsafe.c
