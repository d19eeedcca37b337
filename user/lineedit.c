/* Line editing for a serial terminal (VT100/ECMA-48 subset): the editor
 * keeps the buffer and the cursor, and redraws only what a key changed,
 * using backspace, CSI K (erase to end of line) and CSI n D (cursor left).
 * Output goes through ops.write; nothing here touches a device. */
#include "user/lineedit.h"

#include <string.h>

#include "kernel/console.h"

#define ASCII_BEL '\a'
#define ASCII_BS '\b'
#define ASCII_DEL 0x7f
#define ASCII_PRINT_FIRST 0x20
#define ASCII_PRINT_LAST 0x7e

static void emit(struct lineedit *le, const char *s, size_t n)
{
	if (n > 0)
		le->ops.write(le->ops.ctx, s, n);
}

static void emit_str(struct lineedit *le, const char *s)
{
	emit(le, s, strlen(s));
}

static void bell(struct lineedit *le)
{
	emit(le, "\a", 1);
}

/* Move the terminal cursor n columns left: one BS for a single column
 * (a byte is 70 us on the serial line), else CSI n D. */
static void cursor_left(struct lineedit *le, size_t n)
{
	char seq[24];
	size_t i = sizeof seq;

	if (n == 0)
		return;
	if (n == 1) {
		emit(le, "\b", 1);
		return;
	}
	seq[--i] = 'D';
	do {
		seq[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	seq[--i] = '[';
	seq[--i] = '\x1b';
	emit(le, seq + i, sizeof seq - i);
}

/* Rewrite the screen from the cursor to the end of the line, optionally
 * erase what was left beyond it, and put the terminal cursor back. */
static void redraw_tail(struct lineedit *le, bool erase)
{
	emit(le, le->buf + le->cursor, le->len - le->cursor);
	if (erase)
		emit_str(le, "\x1b[K");
	cursor_left(le, le->len - le->cursor);
}

/* Replace the whole line with text (history recall, kill line). */
static void line_replace(struct lineedit *le, const char *text)
{
	size_t n = strnlen(text, LINEEDIT_LINE_MAX);

	cursor_left(le, le->cursor);
	emit_str(le, "\x1b[K");
	memcpy(le->buf, text, n);
	le->buf[n] = '\0';
	le->len = le->cursor = n;
	emit(le, le->buf, n);
}

static void line_reset(struct lineedit *le)
{
	le->buf[0] = '\0';
	le->len = le->cursor = 0;
	le->hist_back = 0;
	le->saved[0] = '\0';
}

static void key_insert(struct lineedit *le, char c)
{
	/* Refuse rather than truncate: what the user sees is what runs. */
	if (le->len >= LINEEDIT_LINE_MAX) {
		bell(le);
		return;
	}
	memmove(le->buf + le->cursor + 1, le->buf + le->cursor, le->len - le->cursor);
	le->buf[le->cursor] = c;
	le->len++;
	le->buf[le->len] = '\0';
	le->cursor++;
	emit(le, &c, 1);
	if (le->cursor < le->len)
		redraw_tail(le, false);
}

static void key_backspace(struct lineedit *le)
{
	if (le->cursor == 0) {
		bell(le);
		return;
	}
	memmove(le->buf + le->cursor - 1, le->buf + le->cursor, le->len - le->cursor);
	le->len--;
	le->buf[le->len] = '\0';
	le->cursor--;
	if (le->cursor == le->len) {
		emit_str(le, "\b \b");
	} else {
		emit(le, "\b", 1);
		redraw_tail(le, true);
	}
}

static void key_delete(struct lineedit *le)
{
	if (le->cursor == le->len) {
		bell(le);
		return;
	}
	memmove(le->buf + le->cursor, le->buf + le->cursor + 1, le->len - le->cursor - 1);
	le->len--;
	le->buf[le->len] = '\0';
	redraw_tail(le, true);
}

static void key_left(struct lineedit *le)
{
	if (le->cursor == 0)
		return;
	le->cursor--;
	cursor_left(le, 1);
}

/* Moving right re-sends the character under the cursor: no escape needed. */
static void key_right(struct lineedit *le)
{
	if (le->cursor == le->len)
		return;
	emit(le, le->buf + le->cursor, 1);
	le->cursor++;
}

static void key_home(struct lineedit *le)
{
	cursor_left(le, le->cursor);
	le->cursor = 0;
}

static void key_end(struct lineedit *le)
{
	emit(le, le->buf + le->cursor, le->len - le->cursor);
	le->cursor = le->len;
}

/* Ctrl-C abandons the line, as in a Unix shell, and starts a fresh one. */
static void key_cancel(struct lineedit *le)
{
	emit_str(le, "^C\r\n");
	line_reset(le);
	emit_str(le, le->prompt);
}

static void key_clear_screen(struct lineedit *le)
{
	if (le->ops.clear)
		le->ops.clear(le->ops.ctx);
	else
		emit_str(le, "\x1b[H\x1b[2J");
	emit_str(le, le->prompt);
	emit(le, le->buf, le->len);
	cursor_left(le, le->len - le->cursor);
}

/* The word under completion starts after the last blank or ';'. */
static size_t word_start(const struct lineedit *le)
{
	size_t i = le->cursor;

	while (i > 0 && le->buf[i - 1] != ' ' && le->buf[i - 1] != '\t' && le->buf[i - 1] != ';')
		i--;
	return i;
}

/* Length of the prefix all n candidates share. */
static size_t common_prefix(const char **cand, size_t n)
{
	size_t len = strlen(cand[0]);

	for (size_t i = 1; i < n; i++) {
		size_t j = 0;
		while (j < len && cand[i][j] == cand[0][j])
			j++;
		len = j;
	}
	return len;
}

/* Below the line, the candidates side by side; then the prompt and the line
 * again, cursor in place. */
static void list_candidates(struct lineedit *le, const char **cand, size_t n, size_t total)
{
	emit_str(le, "\r\n");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			emit_str(le, "  ");
		emit_str(le, cand[i]);
	}
	if (total > n)
		emit_str(le, "  ...");
	emit_str(le, "\r\n");
	lineedit_redraw(le);
}

/* Tab: complete the unique match (and a blank after it), extend to the
 * candidates' common prefix, or list them; a bell when nothing fits. */
static void key_complete(struct lineedit *le)
{
	const char *cand[LINEEDIT_COMPLETE_MAX];
	char upto[LINEEDIT_LINE_MAX + 1];
	size_t ws = word_start(le), typed = le->cursor - ws, total, n, common;

	if (!le->ops.complete)
		return;
	memcpy(upto, le->buf, le->cursor);
	upto[le->cursor] = '\0';
	total = le->ops.complete(le->ops.ctx, upto, ws, cand, LINEEDIT_COMPLETE_MAX);
	n = total < LINEEDIT_COMPLETE_MAX ? total : LINEEDIT_COMPLETE_MAX;
	if (n == 0) {
		bell(le);
		return;
	}
	common = common_prefix(cand, n);
	/* A callback that returns words not starting with the typed one is
	 * ignored rather than trusted to rewrite the line. */
	if (common < typed || strncmp(cand[0], le->buf + ws, typed) != 0) {
		bell(le);
		return;
	}
	for (size_t i = typed; i < common; i++)
		key_insert(le, cand[0][i]);
	if (total == 1) {
		if (le->cursor == le->len || le->buf[le->cursor] != ' ')
			key_insert(le, ' ');
	} else if (common == typed) {
		list_candidates(le, cand, n, total);
	}
}

static const char *hist_entry(const struct lineedit *le, size_t i)
{
	return le->hist[(le->hist_first + i) % LINEEDIT_HISTORY];
}

/* Up: one entry older. The line being typed is kept in saved on the
 * first step so that walking back down restores it. */
static void key_history_up(struct lineedit *le)
{
	if (le->hist_back == le->hist_count) {
		bell(le);
		return;
	}
	if (le->hist_back == 0)
		memcpy(le->saved, le->buf, le->len + 1);
	le->hist_back++;
	line_replace(le, hist_entry(le, le->hist_count - le->hist_back));
}

static void key_history_down(struct lineedit *le)
{
	if (le->hist_back == 0) {
		bell(le);
		return;
	}
	le->hist_back--;
	if (le->hist_back == 0)
		line_replace(le, le->saved);
	else
		line_replace(le, hist_entry(le, le->hist_count - le->hist_back));
}

void lineedit_init(struct lineedit *le, const struct lineedit_ops *ops)
{
	memset(le, 0, sizeof *le);
	le->ops = *ops;
	le->prompt = "";
}

void lineedit_redraw(struct lineedit *le)
{
	emit_str(le, le->prompt);
	emit(le, le->buf, le->len);
	cursor_left(le, le->len - le->cursor);
}

void lineedit_start(struct lineedit *le, const char *prompt)
{
	le->prompt = prompt;
	le->after_cr = false;
	line_reset(le);
	emit_str(le, prompt);
}

enum lineedit_result lineedit_key(struct lineedit *le, int key)
{
	/* Terminals send CR, LF or CR LF for Enter; CR LF is one Enter. */
	bool was_cr = le->after_cr;

	le->after_cr = (key == '\r');
	if (key == '\n' && was_cr)
		return LINEEDIT_MORE;

	switch (key) {
	case '\r':
	case '\n':
		emit_str(le, "\r\n");
		lineedit_history_add(le, le->buf);
		le->hist_back = 0;
		return LINEEDIT_DONE;
	case ASCII_DEL:
	case ASCII_BS:
		key_backspace(le);
		break;
	case KEY_DELETE:
		key_delete(le);
		break;
	case KEY_LEFT:
		key_left(le);
		break;
	case KEY_RIGHT:
		key_right(le);
		break;
	case KEY_HOME:
	case KEY_CTRL('A'):
		key_home(le);
		break;
	case KEY_END:
	case KEY_CTRL('E'):
		key_end(le);
		break;
	case KEY_CTRL('U'):
		line_replace(le, "");
		break;
	case KEY_CTRL('C'):
		key_cancel(le);
		break;
	case KEY_CTRL('L'):
		key_clear_screen(le);
		break;
	case '\t':
		key_complete(le);
		break;
	case KEY_UP:
		key_history_up(le);
		break;
	case KEY_DOWN:
		key_history_down(le);
		break;
	default:
		/* Other control characters, ESC and non-ASCII bytes are ignored. */
		if (key >= ASCII_PRINT_FIRST && key <= ASCII_PRINT_LAST)
			key_insert(le, (char)key);
		break;
	}
	return LINEEDIT_MORE;
}

const char *lineedit_line(const struct lineedit *le)
{
	return le->buf;
}

static bool line_is_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

void lineedit_history_add(struct lineedit *le, const char *line)
{
	char *slot;

	if (line_is_blank(line))
		return;
	if (le->hist_count > 0 &&
	    strncmp(hist_entry(le, le->hist_count - 1), line, LINEEDIT_LINE_MAX) == 0)
		return;
	if (le->hist_count == LINEEDIT_HISTORY) {
		slot = le->hist[le->hist_first];
		le->hist_first = (le->hist_first + 1) % LINEEDIT_HISTORY;
	} else {
		slot = le->hist[(le->hist_first + le->hist_count) % LINEEDIT_HISTORY];
		le->hist_count++;
	}
	size_t n = strnlen(line, LINEEDIT_LINE_MAX);
	memcpy(slot, line, n);
	slot[n] = '\0';
}

size_t lineedit_history_count(const struct lineedit *le)
{
	return le->hist_count;
}

const char *lineedit_history_get(const struct lineedit *le, size_t i)
{
	return i < le->hist_count ? hist_entry(le, i) : NULL;
}
