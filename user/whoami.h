/* Asking a web server which address it saw us come from, to tell an
 * address translation on the way (fetch -v's [nat] line). The netlab's
 * server, and Pigeon's own httpd, answer GET /whoami with that address
 * as one line of text. */
#ifndef USER_WHOAMI_H
#define USER_WHOAMI_H

#include <stdint.h>

enum { WHOAMI_TIMEOUT_MS = 3000 };

/* GET http://host:port/whoami. Returns NET_OK with *seen set when the
 * server answered 200 with an IPv4 address, NET_ENOENT when it does not
 * offer the path (or answered something else), or another NET_E*. */
int whoami_ask(const char *host, uint16_t port, uint32_t *seen);

/* For fetch -v, after a fetch from host:port (addr): ask, and if the
 * server offers /whoami, print the [nat] line comparing the address we
 * sent from with the one it saw. Prints nothing otherwise. */
void whoami_tell_nat(const char *host, uint16_t port, uint32_t addr);

#endif
