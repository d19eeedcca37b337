/* The shell thread: prompt, line editing, ';'-separated commands, argv
 * splitting and dispatch to the commands linked into the "commands"
 * section. Also runs the kernel command line's autorun script at start. */
#include "user/shell.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "kernel/bootinfo.h"
#include "kernel/console.h"
#include "kernel/printf.h"
#include "kernel/sched.h"
#include "user/cmdline_parse.h"
#include "user/command.h"
#include "user/journey.h"
#include "user/lineedit.h"

/* The editor holds 32 history lines: static, to keep it off the thread's
 * stack. There is one shell, so one editor. */
static struct lineedit shell_editor;
static bool shell_editor_ready;
static char shell_line[LINEEDIT_LINE_MAX + 1];
static char shell_script[BOOT_CMDLINE_MAX];

static void shell_out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	console_write(s, n);
}

static void shell_clear(void *ctx)
{
	(void)ctx;
	console_clear();
}

/* Does line[from..to) hold exactly the one word w (blanks around it)? */
static bool words_are(const char *line, size_t from, size_t to, const char *w)
{
	size_t n = strlen(w);

	while (from < to && (line[from] == ' ' || line[from] == '\t'))
		from++;
	while (to > from && (line[to - 1] == ' ' || line[to - 1] == '\t'))
		to--;
	return to - from == n && strncmp(line + from, w, n) == 0;
}

size_t shell_complete(void *ctx, const char *line, size_t word, const char **out, size_t max)
{
	const char *prefix = line + word;
	size_t cmd = word, n = 0, plen = strlen(prefix);

	(void)ctx;
	/* The command the word belongs to starts after the last ';'. */
	while (cmd > 0 && line[cmd - 1] != ';')
		cmd--;
	/* Command names complete the first word, and the word after `help`. */
	if (!words_are(line, cmd, word, "") && !words_are(line, cmd, word, "help"))
		return 0;
	for_each_command(c) {
		if (strncmp(c->name, prefix, plen) != 0)
			continue;
		if (n < max) {
			/* Sorted as inserted, so a listing reads like `help`. */
			size_t i = n;
			while (i > 0 && strcmp(out[i - 1], c->name) > 0) {
				out[i] = out[i - 1];
				i--;
			}
			out[i] = c->name;
		}
		n++;
	}
	return n;
}

/* Edit distance (Levenshtein: insert, delete, substitute) between a and
 * the first SHELL_SUGGEST_LEN characters of b, for "did you mean". */
enum { SHELL_SUGGEST_LEN = 32, SHELL_SUGGEST_MAX_EDITS = 2 };

static size_t edit_distance(const char *a, const char *b)
{
	size_t prev[SHELL_SUGGEST_LEN + 1], cur[SHELL_SUGGEST_LEN + 1];
	size_t la = strnlen(a, SHELL_SUGGEST_LEN), lb = strnlen(b, SHELL_SUGGEST_LEN);

	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			cur[j] = best;
		}
		memcpy(prev, cur, sizeof prev);
	}
	return prev[lb];
}

const char *shell_suggest(const char *name)
{
	const char *best = NULL;
	size_t best_d = SHELL_SUGGEST_MAX_EDITS + 1;

	for_each_command(c) {
		size_t d = edit_distance(name, c->name);
		/* A one-letter name is a few edits from anything: not a guess. */
		if (d < best_d && d < strlen(c->name)) {
			best = c->name;
			best_d = d;
		}
	}
	return best;
}

void shell_unknown_command(const char *prefix, const char *name)
{
	const char *guess = shell_suggest(name);

	if (guess)
		kprintf("%sunknown command: %s (try help; did you mean %s?)\n", prefix, name, guess);
	else
		kprintf("%sunknown command: %s (try help)\n", prefix, name);
}

const struct lineedit *shell_lineedit(void)
{
	return &shell_editor;
}

static void shell_editor_setup(void)
{
	static const struct lineedit_ops ops = { .write = shell_out, .clear = shell_clear,
						 .complete = shell_complete };

	if (shell_editor_ready)
		return;
	lineedit_init(&shell_editor, &ops);
	shell_editor_ready = true;
}

const struct command *command_find(const char *name)
{
	for_each_command(c)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void shell_usage(const char *name)
{
	const struct command *c = command_find(name);

	kprintf("usage: %s\n", c ? c->usage : name);
}

int shell_usage_error(const char *name, const char *fmt, ...)
{
	va_list ap;

	kprintf("%s: ", name);
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	shell_usage(name);
	return 1;
}

static bool is_help_flag(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* Run one parsed command. `-h` is answered here, so every command has it. */
static int shell_run_argv(int argc, char **argv)
{
	const struct command *c = command_find(argv[0]);

	if (c == NULL) {
		shell_unknown_command("", argv[0]);
		return 1;
	}
	if (argc >= 2 && is_help_flag(argv[1])) {
		shell_usage(c->name);
		return 0;
	}
	/* A Ctrl-C typed at the prompt must not stop the next command. */
	(void)console_interrupted();
	return c->run(argc, argv);
}

int shell_run_line(char *line)
{
	char *argv[CMDLINE_ARGC_MAX + 1];
	char *rest = line, *cmd;
	int status = 0;

	while ((cmd = cmdline_next(&rest)) != NULL) {
		int argc = cmdline_split(cmd, argv);

		if (argc == CMDLINE_ETOOMANY) {
			kprintf("shell: %s (at most %d)\n", cmdline_strerror(argc), CMDLINE_ARGC_MAX);
			status = 1;
		} else if (argc < 0) {
			kprintf("shell: %s\n", cmdline_strerror(argc));
			status = 1;
		} else if (argc > 0) {
			status = shell_run_argv(argc, argv);
		}
	}
	return status;
}

int shell_autorun(const char *cmdline)
{
	char *rest = shell_script, *cmd;
	int ran = 0;

	shell_editor_setup();
	if (cmdline == NULL ||
	    bootinfo_cmdline_get(cmdline, "autorun", shell_script, sizeof shell_script) < 0)
		return 0;
	while ((cmd = cmdline_next(&rest)) != NULL) {
		cmd = cmdline_trim(cmd);
		if (*cmd == '\0')
			continue;
		/* Shown as if typed, so that a log reads like a session. */
		kprintf(SHELL_PROMPT "%s\n", cmd);
		lineedit_history_add(&shell_editor, cmd);
		shell_run_line(cmd);
		ran++;
	}
	return ran;
}

static void shell_redraw(void *ctx)
{
	lineedit_redraw(ctx);
}

void shell_thread(void *arg)
{
	console_set_foreground(thread_current());
	shell_editor_setup();
	shell_autorun((const char *)arg);
	for (;;) {
		lineedit_start(&shell_editor, SHELL_PROMPT);
		console_set_line_owner(shell_redraw, &shell_editor);
		for (;;) {
			int key = console_getkey(WAIT_FOREVER);
			if (key >= 0 && lineedit_key(&shell_editor, key) == LINEEDIT_DONE)
				break;
		}
		console_set_line_owner(NULL, NULL);
		/* Parsing cuts the line up in place; keep the editor's copy intact. */
		const char *typed = lineedit_line(&shell_editor);
		size_t n = strnlen(typed, LINEEDIT_LINE_MAX);
		memcpy(shell_line, typed, n);
		shell_line[n] = '\0';
		shell_run_line(shell_line);
		/* The journey of what the command did belongs above the next prompt. */
		journey_flush();
	}
}
