/* poweroff: switch the machine off (ACPI S5; QEMU exits). */
#include "kernel/power.h"
#include "kernel/printf.h"
#include "user/command.h"
#include "user/shell.h"

static int poweroff_run(int argc, char **argv)
{
	if (argc > 1)
		return shell_usage_error(argv[0], "unexpected argument '%s'", argv[1]);
	kprintf("powering off\n");
	power_off();
}

COMMAND(poweroff,
	.name = "poweroff",
	.usage = "poweroff",
	.summary = "switch the machine off",
	.example = "poweroff",
	.run = poweroff_run);
