/* Shell line parsing, in place and without allocation: a line holds
 * commands separated by ';', a command holds words separated by blanks.
 * Double quotes group words ("a b" is one word); a backslash makes the
 * next '"', '\' or ';' literal. Host-testable: no kernel calls. */
#ifndef USER_CMDLINE_PARSE_H
#define USER_CMDLINE_PARSE_H

/* Most words in one command, the command name included. */
#define CMDLINE_ARGC_MAX 32

enum cmdline_err {
	CMDLINE_OK = 0,
	CMDLINE_ETOOMANY = -1,  /* more than CMDLINE_ARGC_MAX words */
	CMDLINE_EQUOTE = -2,    /* a double quote is never closed */
};

/* Cut the next command off *rest: writes a NUL over its ';' (one outside
 * quotes and not escaped), advances *rest past it and returns the command;
 * returns NULL once *rest is used up. Commands may be blank. */
char *cmdline_next(char **rest);

/* Split cmd into words in place, removing quotes and escapes; argv[argc]
 * is set to NULL. Returns argc (0 for a blank command), or a negative
 * enum cmdline_err, in which case argv is not to be used. */
int cmdline_split(char *cmd, char *argv[CMDLINE_ARGC_MAX + 1]);

/* Skip leading blanks and cut trailing ones, in place. */
char *cmdline_trim(char *s);

/* A short message for a negative enum cmdline_err. */
const char *cmdline_strerror(int err);

#endif
