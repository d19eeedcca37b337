/* echo: print the arguments, separated by single spaces. */
#include "kernel/printf.h"
#include "user/command.h"

static int echo_run(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		kprintf("%s%s", i > 1 ? " " : "", argv[i]);
	kprintf("\n");
	return 0;
}

COMMAND(echo,
	.name = "echo",
	.usage = "echo [WORD...]",
	.summary = "print the words given",
	.example = "echo \"hello   world\" again",
	.run = echo_run);
