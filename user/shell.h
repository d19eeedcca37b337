/* The shell: reads lines from the console with editing and history, splits
 * them into commands and words (user/cmdline_parse.h) and runs commands
 * registered with COMMAND() (user/command.h). */
#ifndef USER_SHELL_H
#define USER_SHELL_H

#include <stddef.h>

#define SHELL_PROMPT "pigeon> "

struct lineedit;

/* Kernel thread body. arg is the kernel command line (const char *, may be
 * NULL): its autorun="cmd; cmd" option runs first, then the interactive
 * loop runs forever. */
void shell_thread(void *arg);

/* Run the kernel command line's autorun option, each command printed after
 * the prompt as if typed. Returns the number of commands run. */
int shell_autorun(const char *cmdline);

/* Run every ';'-separated command of line (modified in place). Returns the
 * status of the last command: 0, or positive on failure. */
int shell_run_line(char *line);

/* Print "usage: USAGE" for the named command. */
void shell_usage(const char *name);
/* For commands given bad arguments: prints "NAME: MESSAGE" and the usage,
 * and returns 1, so that a command can `return shell_usage_error(...)`. */
int shell_usage_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Tab completion for the line editor (struct lineedit_ops.complete):
 * command names for the first word of a command and for the word after
 * `help`; nothing elsewhere. */
size_t shell_complete(void *ctx, const char *line, size_t word, const char **out, size_t max);
/* The command name closest to name (a typo of at most two edits), or NULL. */
const char *shell_suggest(const char *name);
/* Print "PREFIXunknown command: NAME (try help[; did you mean X?])". */
void shell_unknown_command(const char *prefix, const char *name);
/* The shell's line editor, for `history`. */
const struct lineedit *shell_lineedit(void);

#endif
