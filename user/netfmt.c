/* Formatting helpers for the network commands. */
#include "user/netfmt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/ethernet.h"
#include "net/ipv4.h"

char *netfmt_mac(const uint8_t mac[6], char *buf)
{
	return eth_format_addr(mac, buf);
}

const char *netfmt_ip(uint32_t addr)
{
	static char bufs[4][IPV4_STR_LEN];
	static unsigned next;
	char *b = bufs[next++ % 4];
	return ipv4_format_addr(addr, b);
}

int netfmt_mask_to_prefix(uint32_t mask)
{
	int n = 0;
	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	return mask == netfmt_prefix_to_mask(n) ? n : -1;
}

uint32_t netfmt_prefix_to_mask(int prefix)
{
	return prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~(0xffffffffu >> prefix);
}

int netfmt_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	if (!s || !*s)
		return -1;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	if (strlen(s) > 10)
		return -1;
	unsigned long v = strtoul(s, NULL, 10);
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int netfmt_parse_cidr(const char *s, uint32_t *addr, int *prefix, bool *had_prefix)
{
	char ip[IPV4_STR_LEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof ip)
		return -1;
	memcpy(ip, s, n);
	ip[n] = 0;
	if (ipv4_parse_addr(ip, addr) != 0)
		return -1;
	*had_prefix = slash != NULL;
	if (slash) {
		unsigned long p;
		if (netfmt_parse_uint(slash + 1, 0, 32, &p) != 0)
			return -1;
		*prefix = (int)p;
	} else {
		*prefix = 24;
	}
	return 0;
}

int netfmt_parse_percent_ppm(const char *s, uint32_t *ppm)
{
	uint64_t whole = 0, frac = 0, scale = 10000; /* 1% = 10000 ppm */
	const char *p = s;
	if (!isdigit((unsigned char)*p) && *p != '.')
		return -1;
	while (isdigit((unsigned char)*p) && whole <= 100)
		whole = whole * 10 + (uint64_t)(*p++ - '0');
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			if (scale == 1)
				return -1; /* finer than 1 ppm */
			scale /= 10;
			frac += (uint64_t)(*p++ - '0') * scale;
		}
	}
	if (*p == '%')
		p++;
	if (*p)
		return -1;
	uint64_t v = whole * 10000 + frac;
	if (v > 1000000)
		return -1;
	*ppm = (uint32_t)v;
	return 0;
}

int netfmt_parse_ms(const char *s, uint32_t max_ms, uint32_t *ms)
{
	uint64_t v = 0;
	const char *p = s;
	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p) && v <= max_ms)
		v = v * 10 + (uint64_t)(*p++ - '0');
	if (strcmp(p, "s") == 0)
		v *= 1000;
	else if (*p && strcmp(p, "ms") != 0)
		return -1;
	if (v > max_ms)
		return -1;
	*ms = (uint32_t)v;
	return 0;
}

char *netfmt_ppm(uint32_t ppm, char *buf)
{
	uint32_t whole = ppm / 10000, frac = ppm % 10000;
	if (frac == 0) {
		snprintf(buf, 16, "%u%%", whole);
	} else {
		int digits = 4;
		while (frac % 10 == 0) {
			frac /= 10;
			digits--;
		}
		snprintf(buf, 16, "%u.%0*u%%", whole, digits, frac);
	}
	return buf;
}
