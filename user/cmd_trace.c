/* trace: tell the journey of every packet, for any command. */
#include <string.h>

#include "kernel/printf.h"
#include "user/command.h"
#include "user/journey.h"
#include "user/shell.h"

static int cmd_trace(int argc, char **argv)
{
	if (argc == 1) {
		kprintf("trace is %s\n", journey_active() ? "on" : "off");
		return 0;
	}
	if (argc != 2)
		return shell_usage_error("trace", "one word: on or off");
	if (strcmp(argv[1], "on") == 0) {
		if (!journey_start())
			kprintf("trace: already on\n");
		return 0;
	}
	if (strcmp(argv[1], "off") == 0) {
		journey_stop();
		return 0;
	}
	return shell_usage_error("trace", "on or off, not %s", argv[1]);
}

COMMAND(trace, .name = "trace", .usage = "trace [on|off]",
	.summary = "tell every packet's journey (ARP, IP route, UDP/DNS, TCP) as it happens",
	.example = "trace on; ping 10.0.2.2 -c 1; host www.google.com; trace off", .run = cmd_trace);
