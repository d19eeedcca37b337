/* help: list every command, sorted by name, or describe one. */
#include <string.h>

#include "kernel/printf.h"
#include "user/command.h"
#include "user/shell.h"

/* More commands than this are listed, unsorted, after the sorted ones. */
#define HELP_SORT_MAX 128

static const struct command *help_sorted[HELP_SORT_MAX];

static int help_one(const char *name)
{
	const struct command *c = command_find(name);

	if (c == NULL) {
		shell_unknown_command("help: ", name);
		return 1;
	}
	kprintf("usage: %s\n", c->usage);
	kprintf("  %s\n", c->summary);
	if (c->example)
		kprintf("example: %s\n", c->example);
	return 0;
}

/* Insertion sort: a few dozen commands, no allocation. */
static size_t help_sort(void)
{
	size_t n = 0;

	for_each_command(c) {
		if (n == HELP_SORT_MAX)
			break;
		size_t i = n++;
		while (i > 0 && strcmp(help_sorted[i - 1]->name, c->name) > 0) {
			help_sorted[i] = help_sorted[i - 1];
			i--;
		}
		help_sorted[i] = c;
	}
	return n;
}

static int help_all(void)
{
	size_t n = help_sort(), width = 0;

	for_each_command(c)
		if (strlen(c->name) > width)
			width = strlen(c->name);
	for (size_t i = 0; i < n; i++)
		kprintf("  %-*s  %s\n", (int)width, help_sorted[i]->name, help_sorted[i]->summary);
	for (const struct command *c = __start_commands + n; c < __stop_commands; c++)
		kprintf("  %-*s  %s\n", (int)width, c->name, c->summary);
	kprintf("`help NAME` or `NAME -h` shows a command's usage.\n");
	return 0;
}

static int help_run(int argc, char **argv)
{
	if (argc > 2)
		return shell_usage_error(argv[0], "expected at most one command name");
	if (argc == 2)
		return help_one(argv[1]);
	return help_all();
}

COMMAND(help,
	.name = "help",
	.usage = "help [NAME]",
	.summary = "list the commands, or show how to use one",
	.example = "help fetch",
	.run = help_run);
