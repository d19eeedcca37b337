/* clear: clear the screen and the serial terminal. */
#include "kernel/console.h"
#include "user/command.h"
#include "user/shell.h"

static int clear_run(int argc, char **argv)
{
	if (argc > 1)
		return shell_usage_error(argv[0], "unexpected argument '%s'", argv[1]);
	console_clear();
	return 0;
}

COMMAND(clear,
	.name = "clear",
	.usage = "clear",
	.summary = "clear the screen (also Ctrl-L)",
	.example = "clear",
	.run = clear_run);
