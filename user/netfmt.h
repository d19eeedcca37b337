/* Formatting and parsing helpers shared by the network commands. */
#ifndef USER_NETFMT_H
#define USER_NETFMT_H

#include <stdbool.h>
#include <stdint.h>

#define MAC_STR_LEN 18
#define IPV4_STR_LEN 16

/* "52:54:00:12:34:56" into buf (MAC_STR_LEN bytes); returns buf. */
char *netfmt_mac(const uint8_t mac[6], char *buf);
/* Host-order address to dotted quad in a static rotating buffer, so that
 * several can appear in one printf. */
const char *netfmt_ip(uint32_t addr);
/* Netmask to prefix length, or -1 if the mask is not contiguous. */
int netfmt_mask_to_prefix(uint32_t mask);
uint32_t netfmt_prefix_to_mask(int prefix);
/* "a.b.c.d/n" into addr and prefix; 0, or -1 if malformed. Without "/n"
 * the prefix is 24 for the documentation and private ranges (a guess
 * ifconfig states), and *had_prefix tells which. */
int netfmt_parse_cidr(const char *s, uint32_t *addr, int *prefix, bool *had_prefix);
/* A decimal number in [min, max]; 0, or -1 if malformed or out of range. */
int netfmt_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/* "5%", "0.1%" or "25" (percent, up to 4 decimals) as parts per million;
 * 0, or -1 if malformed or above 100%. */
int netfmt_parse_percent_ppm(const char *s, uint32_t *ppm);
/* "10ms", "2s" or "10" (milliseconds); 0, or -1 if malformed. */
int netfmt_parse_ms(const char *s, uint32_t max_ms, uint32_t *ms);
/* ppm as "5%" / "0.1%" into buf (16 bytes); returns buf. */
char *netfmt_ppm(uint32_t ppm, char *buf);

#endif
