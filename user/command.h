/* Shell commands register themselves with COMMAND(); the shell finds them
 * in the "commands" linker section. A command returns 0 on success and a
 * positive number on failure; it prints its own errors, and it polls
 * console_interrupted() if it can run for long (Ctrl-C). */
#ifndef USER_COMMAND_H
#define USER_COMMAND_H

struct command {
	const char *name;
	const char *usage;    /* "ping HOST [-c N]" */
	const char *summary;  /* one line for `help` */
	const char *example;  /* shown by `help NAME`; may be NULL */
	int (*run)(int argc, char **argv);
};

#define COMMAND(ident, ...)                                                        \
	static const struct command command_##ident                                   \
		__attribute__((used, section("commands"), aligned(8))) = { __VA_ARGS__ }

extern const struct command __start_commands[], __stop_commands[];

#define for_each_command(c) for (const struct command *c = __start_commands; c < __stop_commands; c++)

/* The command of that name, or NULL. */
const struct command *command_find(const char *name);

#endif
