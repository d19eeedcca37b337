/* netd: the network thread (being brought up). */
#include "kernel/netd.h"

void netd_start(void) {}
void netd_kick(void) {}
