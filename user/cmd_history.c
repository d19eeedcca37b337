/* history: the lines the shell remembers (Up and Down walk the same ring). */
#include "kernel/printf.h"
#include "user/command.h"
#include "user/lineedit.h"
#include "user/shell.h"

static int cmd_history(int argc, char **argv)
{
	const struct lineedit *le = shell_lineedit();
	size_t n = lineedit_history_count(le);

	(void)argv;
	if (argc != 1)
		return shell_usage_error("history", "takes no arguments");
	for (size_t i = 0; i < n; i++)
		kprintf("%4u  %s\n", (unsigned)(i + 1), lineedit_history_get(le, i));
	return 0;
}

COMMAND(history, .name = "history", .usage = "history",
	.summary = "list the lines typed so far (Up/Down recall them, Tab completes names)",
	.example = "history", .run = cmd_history);
