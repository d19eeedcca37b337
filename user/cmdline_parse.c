/* Shell line parsing: ';' between commands, blanks between words, double
 * quotes and backslash escapes, all done in place in the caller's buffer. */
#include "user/cmdline_parse.h"

#include <stdbool.h>
#include <stddef.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A backslash escapes only these; elsewhere it is an ordinary character,
 * so that "a\b" stays as typed. */
static bool is_escapable(char c)
{
	return c == '"' || c == '\\' || c == ';';
}

char *cmdline_next(char **rest)
{
	char *start = *rest, *p;
	bool quoted = false;

	if (start == NULL)
		return NULL;
	for (p = start; *p; p++) {
		if (*p == '\\' && is_escapable(p[1])) {
			p++;
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ';' && !quoted)
			break;
	}
	if (*p == ';') {
		*p = '\0';
		*rest = p + 1;
	} else {
		*rest = NULL;
	}
	return start;
}

int cmdline_split(char *cmd, char *argv[CMDLINE_ARGC_MAX + 1])
{
	char *r = cmd;
	int argc = 0;

	for (;;) {
		while (is_blank(*r))
			r++;
		if (*r == '\0')
			break;
		if (argc == CMDLINE_ARGC_MAX)
			return CMDLINE_ETOOMANY;

		/* Copy the word down over its own quotes and escapes: the
		 * write pointer w never passes the read pointer r. */
		char *w = r;
		bool quoted = false;
		argv[argc++] = w;
		while (*r) {
			if (*r == '\\' && is_escapable(r[1])) {
				*w++ = r[1];
				r += 2;
			} else if (*r == '"') {
				quoted = !quoted;
				r++;
			} else if (is_blank(*r) && !quoted) {
				r++;
				break;
			} else {
				*w++ = *r++;
			}
		}
		if (quoted)
			return CMDLINE_EQUOTE;
		*w = '\0';
	}
	argv[argc] = NULL;
	return argc;
}

char *cmdline_trim(char *s)
{
	char *end;

	while (is_blank(*s))
		s++;
	end = s;
	while (*end)
		end++;
	while (end > s && is_blank(end[-1]))
		end--;
	*end = '\0';
	return s;
}

const char *cmdline_strerror(int err)
{
	switch (err) {
	case CMDLINE_OK:
		return "ok";
	case CMDLINE_ETOOMANY:
		return "too many arguments";
	case CMDLINE_EQUOTE:
		return "unterminated quote";
	}
	return "bad command line";
}
