/* The kernel's service threads. The network thread joins here. */
#include <stdint.h>

#include "kernel/kmain.h"

void kernel_start_services(void)
{
}
