/* The UDP test double (see stub_udp.h). */
#include "tests/unit/net/stub_udp.h"

#include <string.h>

#include "net/icmp.h"
#include "net/udp.h"

struct stub_udp stub_udp;

void udp_input(struct netif *nif, struct netbuf *nb, const struct ipv4_hdr *ih)
{
	stub_udp.inputs++;
	stub_udp.last_len = nb->len;
	stub_udp.last_src = ih->src;
	stub_udp.last_dst = ih->dst;
	memcpy(stub_udp.last_data, nb->data, nb->len < 64 ? nb->len : 64);
	if (stub_udp.send_port_unreach) {
		/* As UDP does for a closed port: after pulling its header. */
		netbuf_pull(nb, 8);
		stub_udp.port_unreach_rc = icmp_send_dest_unreach(nif, nb, ih, ICMP_UNREACH_PORT);
	}
	netbuf_free(nb);
}

void udp_icmp_error(const struct ipv4_hdr *orig, const uint8_t *l4, size_t l4_len, int err)
{
	stub_udp.errors++;
	stub_udp.last_err = err;
	stub_udp.last_orig = *orig;
	stub_udp.last_orig.raw = NULL;  /* points into a freed netbuf later */
	memcpy(stub_udp.last_l4, l4, 8);
	stub_udp.last_l4_len = l4_len;
}
