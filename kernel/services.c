/* The kernel's service threads. */
#include <stdint.h>

#include "kernel/kmain.h"
#include "kernel/netd.h"

void kernel_start_services(void)
{
	netd_start();
}
