/* The whole stack's start-up, in dependency order. */
#include "net/stack_init.h"

#include "net/dhcp.h"
#include "net/dns.h"
#include "net/stack.h"
#include "net/tcp.h"
#include "net/udp.h"

void net_stack_init(void)
{
	net_init();
	udp_init();
	dhcp_init();
	tcp_init();
	dns_init();
}
