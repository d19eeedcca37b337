/* reboot: restart the machine. */
#include "kernel/power.h"
#include "kernel/printf.h"
#include "user/command.h"
#include "user/shell.h"

static int reboot_run(int argc, char **argv)
{
	if (argc > 1)
		return shell_usage_error(argv[0], "unexpected argument '%s'", argv[1]);
	kprintf("rebooting\n");
	reboot();
}

COMMAND(reboot,
	.name = "reboot",
	.usage = "reboot",
	.summary = "restart the machine",
	.example = "reboot",
	.run = reboot_run);
