/* Turning what a user typed (a name or a dotted quad) into an address. */
#ifndef USER_RESOLVE_H
#define USER_RESOLVE_H

#include <stdint.h>

/* A dotted IPv4 address is parsed, never sent to DNS. Returns NET_OK with
 * *addr set, or a NET_E* code. */
int resolve_host(const char *name, uint32_t *addr);

#endif
