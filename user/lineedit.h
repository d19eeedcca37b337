/* A line editor for a serial terminal, as a pure state machine: feed it key
 * codes (kernel/console.h), it writes echo and VT100 redraw sequences
 * through a callback and reports a finished line. It knows nothing of the
 * console, so the host tests drive it key by key. */
#ifndef USER_LINEEDIT_H
#define USER_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

/* Longest line, in characters (the terminating NUL not counted). A key that
 * would make the line longer is refused with a bell. */
#define LINEEDIT_LINE_MAX 256
/* History entries kept; the oldest falls out of the ring first. */
#define LINEEDIT_HISTORY 32

enum lineedit_result {
	LINEEDIT_MORE,   /* keep feeding keys */
	LINEEDIT_DONE,   /* Enter: lineedit_line() holds the finished line */
};

struct lineedit_ops {
	/* Terminal output: echo, bells and cursor movement. */
	void (*write)(void *ctx, const char *s, size_t n);
	/* Ctrl-L: clear the screen. NULL sends ESC[H ESC[2J through write. */
	void (*clear)(void *ctx);
	/* Tab: the words that could stand where the word before the cursor
	 * is. line is the text up to the cursor (NUL-terminated); the word
	 * being completed starts at line + word. Store up to max candidates
	 * (whole words that begin with that word, pointers that outlive the
	 * call) in out and return how many there are in all. NULL: Tab is
	 * ignored, like other control keys. */
	size_t (*complete)(void *ctx, const char *line, size_t word, const char **out, size_t max);
	void *ctx;
};

/* Candidates a Tab considers; more are still counted, but not listed. */
#define LINEEDIT_COMPLETE_MAX 64

struct lineedit {
	struct lineedit_ops ops;
	const char *prompt;
	char buf[LINEEDIT_LINE_MAX + 1];
	size_t len;                /* characters in buf */
	size_t cursor;             /* 0..len: where the next character goes */
	bool after_cr;             /* last key was '\r': a following '\n' is the same Enter */

	/* History ring: hist[(hist_first + i) % LINEEDIT_HISTORY], i = 0 oldest. */
	char hist[LINEEDIT_HISTORY][LINEEDIT_LINE_MAX + 1];
	size_t hist_first;
	size_t hist_count;
	/* While walking history: how many steps back from the newest entry
	 * (1 = newest); 0 = editing the new line, which waits in saved. */
	size_t hist_back;
	char saved[LINEEDIT_LINE_MAX + 1];
};

/* Set up an editor with an empty history. */
void lineedit_init(struct lineedit *le, const struct lineedit_ops *ops);
/* Begin a new line: print the prompt and clear the buffer. prompt must
 * outlive the line (Ctrl-C and Ctrl-L print it again). */
void lineedit_start(struct lineedit *le, const char *prompt);
/* Feed one key code. Returns LINEEDIT_DONE when Enter finished the line;
 * the line has then been added to the history. */
enum lineedit_result lineedit_key(struct lineedit *le, int key);
/* Print the prompt and the line being edited again, cursor in place (after
 * something else wrote on the terminal). */
void lineedit_redraw(struct lineedit *le);
/* The line being edited, or the finished one after LINEEDIT_DONE. Valid
 * until the next lineedit_start(). */
const char *lineedit_line(const struct lineedit *le);

/* Add a line to the history, as Enter does: empty (or blank) lines and a
 * repeat of the newest entry are skipped. Longer lines are cut. */
void lineedit_history_add(struct lineedit *le, const char *line);
/* Entries held, and entry i (0 = oldest), or NULL past the end. */
size_t lineedit_history_count(const struct lineedit *le);
const char *lineedit_history_get(const struct lineedit *le, size_t i);

#endif
