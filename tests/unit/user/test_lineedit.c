/* Host tests for user/lineedit.c: the editor is fed key codes and its
 * terminal output is captured and compared byte for byte. */
#include "tests/unit/check.h"
#include "kernel/console.h"
#include "user/lineedit.h"

#define PROMPT "pigeon> "

static char out[65536];
static size_t out_len;
static int clears;
static struct lineedit le;

static void cap_write(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	if (out_len + n < sizeof out) {
		memcpy(out + out_len, s, n);
		out_len += n;
		out[out_len] = '\0';
	}
}

static void cap_clear(void *ctx)
{
	(void)ctx;
	clears++;
}

static void out_reset(void)
{
	out_len = 0;
	out[0] = '\0';
}

static void fresh(void)
{
	struct lineedit_ops ops = { .write = cap_write, .clear = cap_clear, .ctx = NULL };
	lineedit_init(&le, &ops);
	clears = 0;
	out_reset();
	lineedit_start(&le, PROMPT);
}

/* Feed keys; returns how many of them finished a line. */
static int type(const char *s)
{
	int done = 0;
	for (; *s; s++)
		if (lineedit_key(&le, (unsigned char)*s) == LINEEDIT_DONE)
			done++;
	return done;
}

static int key(int k)
{
	return lineedit_key(&le, k) == LINEEDIT_DONE;
}

/* Type a whole line and Enter, then start the next prompt. */
static void enter_line(const char *s)
{
	type(s);
	key('\r');
	lineedit_start(&le, PROMPT);
}

static void test_typing_echo(void)
{
	fresh();
	CHECK_EQ_STR(out, PROMPT);
	CHECK_EQ_INT(type("uptime"), 0);
	CHECK_EQ_STR(lineedit_line(&le), "uptime");
	CHECK_EQ_STR(out, PROMPT "uptime");
	CHECK_EQ_INT(key('\r'), 1);
	CHECK_EQ_STR(lineedit_line(&le), "uptime");
	CHECK_EQ_STR(out, PROMPT "uptime\r\n");
}

static void test_crlf_is_one_enter(void)
{
	fresh();
	CHECK_EQ_INT(type("a\r\n"), 1);
	lineedit_start(&le, PROMPT);
	CHECK_EQ_INT(type("\nb"), 1);   /* a lone LF is an Enter */
	CHECK_EQ_STR(lineedit_line(&le), "b");
}

static void test_insert_middle(void)
{
	fresh();
	type("helo");
	key(KEY_LEFT);
	out_reset();
	type("l");
	CHECK_EQ_STR(lineedit_line(&le), "hello");
	/* The new character, the tail after it, then back one column. */
	CHECK_EQ_STR(out, "lo\b");
	key(KEY_HOME);
	type(">");
	CHECK_EQ_STR(lineedit_line(&le), ">hello");
	key(KEY_END);
	type("!");
	CHECK_EQ_STR(lineedit_line(&le), ">hello!");
}

static void test_cursor_moves(void)
{
	fresh();
	type("abcdef");
	out_reset();
	key(KEY_HOME);
	CHECK_EQ_STR(out, "\x1b[6D");
	out_reset();
	key(KEY_LEFT);                  /* at the start: nothing */
	CHECK_EQ_STR(out, "");
	key(KEY_RIGHT);
	key(KEY_RIGHT);
	CHECK_EQ_STR(out, "ab");
	out_reset();
	key(KEY_END);
	CHECK_EQ_STR(out, "cdef");
	out_reset();
	key(KEY_RIGHT);                 /* at the end: nothing */
	CHECK_EQ_STR(out, "");
	key(KEY_CTRL('A'));
	type("x");
	key(KEY_CTRL('E'));
	type("y");
	CHECK_EQ_STR(lineedit_line(&le), "xabcdefy");
}

static void test_backspace(void)
{
	fresh();
	type("abc");
	out_reset();
	key(0x7f);
	CHECK_EQ_STR(lineedit_line(&le), "ab");
	CHECK_EQ_STR(out, "\b \b");
	key(0x08);
	CHECK_EQ_STR(lineedit_line(&le), "a");
	type("xyz");
	key(KEY_LEFT);
	key(KEY_LEFT);
	out_reset();
	key(0x7f);                      /* deletes 'x' in "axyz" */
	CHECK_EQ_STR(lineedit_line(&le), "ayz");
	CHECK_EQ_STR(out, "\byz\x1b[K\x1b[2D");
}

static void test_backspace_at_start(void)
{
	fresh();
	key(0x7f);
	CHECK_EQ_STR(lineedit_line(&le), "");
	type("ab");
	key(KEY_HOME);
	out_reset();
	key(0x7f);
	key(0x08);
	CHECK_EQ_STR(lineedit_line(&le), "ab");
	CHECK_EQ_STR(out, "\a\a");
	type("c");
	CHECK_EQ_STR(lineedit_line(&le), "cab");
}

static void test_delete_key(void)
{
	fresh();
	type("abcd");
	key(KEY_HOME);
	key(KEY_RIGHT);
	out_reset();
	key(KEY_DELETE);
	CHECK_EQ_STR(lineedit_line(&le), "acd");
	CHECK_EQ_STR(out, "cd\x1b[K\x1b[2D");
	key(KEY_END);
	out_reset();
	key(KEY_DELETE);
	CHECK_EQ_STR(lineedit_line(&le), "acd");
	CHECK_EQ_STR(out, "\a");
}

static void test_overlong_refused(void)
{
	char want[LINEEDIT_LINE_MAX + 1];

	fresh();
	for (int i = 0; i < LINEEDIT_LINE_MAX; i++)
		want[i] = (char)('a' + i % 26);
	want[LINEEDIT_LINE_MAX] = '\0';
	type(want);
	CHECK_EQ_STR(lineedit_line(&le), want);
	/* A paste far past the limit: every extra key only rings the bell. */
	out_reset();
	for (int i = 0; i < 5000; i++)
		type("Z");
	CHECK_EQ_STR(lineedit_line(&le), want);
	CHECK_EQ_INT(out_len, 5000);
	CHECK(out[0] == '\a' && out[4999] == '\a');
	/* Also in the middle of a full line. */
	key(KEY_HOME);
	type("Q");
	CHECK_EQ_STR(lineedit_line(&le), want);
	/* Making room lets a key in again. */
	key(KEY_DELETE);
	type("Q");
	CHECK(lineedit_line(&le)[0] == 'Q');
	CHECK_EQ_INT(strlen(lineedit_line(&le)), LINEEDIT_LINE_MAX);
	CHECK_EQ_INT(key('\r'), 1);
	CHECK_EQ_INT(lineedit_history_count(&le), 1);
	CHECK_EQ_INT(strlen(lineedit_history_get(&le, 0)), LINEEDIT_LINE_MAX);
}

static void test_ctrl_u(void)
{
	fresh();
	type("some words");
	key(KEY_LEFT);
	key(KEY_LEFT);
	out_reset();
	key(KEY_CTRL('U'));
	CHECK_EQ_STR(lineedit_line(&le), "");
	CHECK_EQ_STR(out, "\x1b[8D\x1b[K");
	type("ok");
	CHECK_EQ_STR(lineedit_line(&le), "ok");
}

static void test_ctrl_c(void)
{
	fresh();
	type("half typed");
	out_reset();
	CHECK_EQ_INT(key(KEY_CTRL('C')), 0);
	CHECK_EQ_STR(out, "^C\r\n" PROMPT);
	CHECK_EQ_STR(lineedit_line(&le), "");
	CHECK_EQ_INT(lineedit_history_count(&le), 0);
	type("next");
	CHECK_EQ_INT(key('\n'), 1);
	CHECK_EQ_STR(lineedit_line(&le), "next");
}

static void test_ctrl_l(void)
{
	fresh();
	type("abc");
	key(KEY_LEFT);
	out_reset();
	key(KEY_CTRL('L'));
	CHECK_EQ_INT(clears, 1);
	CHECK_EQ_STR(out, PROMPT "abc\b");
	CHECK_EQ_STR(lineedit_line(&le), "abc");
}

static void test_ctrl_l_without_clear_hook(void)
{
	struct lineedit_ops ops = { .write = cap_write, .clear = NULL, .ctx = NULL };
	lineedit_init(&le, &ops);
	lineedit_start(&le, PROMPT);
	type("x");
	out_reset();
	key(KEY_CTRL('L'));
	CHECK_EQ_STR(out, "\x1b[H\x1b[2J" PROMPT "x");
}

static void test_ignored_keys(void)
{
	fresh();
	type("a");
	out_reset();
	key(0x1b);
	key('\t');
	key(0x80);
	key(0xff);
	key(KEY_CTRL('B'));
	key(0x7fff);
	CHECK_EQ_STR(out, "");
	CHECK_EQ_STR(lineedit_line(&le), "a");
}

static void test_history_up_down_restore(void)
{
	fresh();
	enter_line("one");
	enter_line("two");
	enter_line("three");
	type("draft");
	key(KEY_UP);
	CHECK_EQ_STR(lineedit_line(&le), "three");
	key(KEY_UP);
	CHECK_EQ_STR(lineedit_line(&le), "two");
	key(KEY_UP);
	CHECK_EQ_STR(lineedit_line(&le), "one");
	out_reset();
	key(KEY_UP);                    /* oldest: bell, line kept */
	CHECK_EQ_STR(lineedit_line(&le), "one");
	CHECK_EQ_STR(out, "\a");
	key(KEY_DOWN);
	CHECK_EQ_STR(lineedit_line(&le), "two");
	key(KEY_DOWN);
	CHECK_EQ_STR(lineedit_line(&le), "three");
	out_reset();
	key(KEY_DOWN);                  /* back to the line being typed */
	CHECK_EQ_STR(lineedit_line(&le), "draft");
	CHECK_EQ_STR(out, "\x1b[5D\x1b[K" "draft");
	out_reset();
	key(KEY_DOWN);
	CHECK_EQ_STR(out, "\a");
	CHECK_EQ_STR(lineedit_line(&le), "draft");
}

static void test_history_recall_edit_submit(void)
{
	fresh();
	enter_line("ping a");
	key(KEY_UP);
	key(0x7f);
	type("b");
	CHECK_EQ_INT(key('\r'), 1);
	CHECK_EQ_STR(lineedit_line(&le), "ping b");
	CHECK_EQ_INT(lineedit_history_count(&le), 2);
	CHECK_EQ_STR(lineedit_history_get(&le, 0), "ping a");   /* recalled entry untouched */
	CHECK_EQ_STR(lineedit_history_get(&le, 1), "ping b");
	lineedit_start(&le, PROMPT);
	key(KEY_UP);                    /* the walk starts again from the newest */
	CHECK_EQ_STR(lineedit_line(&le), "ping b");
}

static void test_history_dedup_and_empty(void)
{
	fresh();
	enter_line("ps");
	enter_line("ps");
	enter_line("");
	enter_line("   ");
	enter_line("mem");
	enter_line("ps");
	CHECK_EQ_INT(lineedit_history_count(&le), 3);
	CHECK_EQ_STR(lineedit_history_get(&le, 0), "ps");
	CHECK_EQ_STR(lineedit_history_get(&le, 1), "mem");
	CHECK_EQ_STR(lineedit_history_get(&le, 2), "ps");
	CHECK(lineedit_history_get(&le, 3) == NULL);
}

static void test_history_empty_up(void)
{
	fresh();
	type("x");
	out_reset();
	key(KEY_UP);
	CHECK_EQ_STR(out, "\a");
	CHECK_EQ_STR(lineedit_line(&le), "x");
}

static void test_history_ring_wrap(void)
{
	char line[16];

	fresh();
	for (int i = 0; i < LINEEDIT_HISTORY + 5; i++) {
		snprintf(line, sizeof line, "cmd%d", i);
		enter_line(line);
	}
	CHECK_EQ_INT(lineedit_history_count(&le), LINEEDIT_HISTORY);
	CHECK_EQ_STR(lineedit_history_get(&le, 0), "cmd5");
	snprintf(line, sizeof line, "cmd%d", LINEEDIT_HISTORY + 4);
	CHECK_EQ_STR(lineedit_history_get(&le, LINEEDIT_HISTORY - 1), line);
	/* Walking up reaches exactly the oldest survivor. */
	for (int i = 0; i < LINEEDIT_HISTORY + 3; i++)
		key(KEY_UP);
	CHECK_EQ_STR(lineedit_line(&le), "cmd5");
	for (int i = 0; i < LINEEDIT_HISTORY; i++)
		key(KEY_DOWN);
	CHECK_EQ_STR(lineedit_line(&le), "");
}

/* ---- Tab completion, against a fixed word list ---- */

static const char *const words[] = { "fetch", "help", "history", "host", "ifconfig" };

/* Candidates for the word at line + word: the list's words it prefixes. */
static size_t fake_complete(void *ctx, const char *line, size_t word, const char **cand, size_t max)
{
	size_t n = 0, plen = strlen(line + word);

	(void)ctx;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (strncmp(words[i], line + word, plen) != 0)
			continue;
		if (n < max)
			cand[n] = words[i];
		n++;
	}
	return n;
}

static void fresh_complete(void)
{
	struct lineedit_ops ops = { .write = cap_write, .clear = cap_clear, .complete = fake_complete };
	lineedit_init(&le, &ops);
	out_reset();
	lineedit_start(&le, PROMPT);
	out_reset();
}

static void test_complete_unique(void)
{
	fresh_complete();
	type("fe\t");
	CHECK_EQ_STR(lineedit_line(&le), "fetch ");
	CHECK_EQ_STR(out, "fetch ");
	/* Mid-line, the second word completes from its own start. */
	type("i\t");
	CHECK_EQ_STR(lineedit_line(&le), "fetch ifconfig ");
}

static void test_complete_common_prefix(void)
{
	fresh_complete();
	type("h\t");
	/* help, history, host: nothing in common past "h": they are listed. */
	CHECK_EQ_STR(lineedit_line(&le), "h");
	CHECK_EQ_STR(out, "h\r\nhelp  history  host\r\n" PROMPT "h");
	out_reset();
	type("o\t");
	CHECK_EQ_STR(lineedit_line(&le), "host ");
	fresh_complete();
	type("hi\t");
	CHECK_EQ_STR(lineedit_line(&le), "history ");
}

static void test_complete_none(void)
{
	fresh_complete();
	type("zz\t");
	CHECK_EQ_STR(lineedit_line(&le), "zz");
	CHECK_EQ_STR(out, "zz\a");
	/* Without a callback, Tab is ignored. */
	fresh();
	out_reset();
	type("fe\t");
	CHECK_EQ_STR(lineedit_line(&le), "fe");
	CHECK_EQ_STR(out, "fe");
}

static void test_complete_cursor_inside(void)
{
	fresh_complete();
	type("fe x");
	key(KEY_LEFT);
	key(KEY_LEFT);
	out_reset();
	type("\t");
	/* The blank after the word is already there: none is added. */
	CHECK_EQ_STR(lineedit_line(&le), "fetch x");
	CHECK_EQ_INT(le.cursor, 5);
}

int main(void)
{
	check_suite = "lineedit";
	RUN(test_typing_echo);
	RUN(test_crlf_is_one_enter);
	RUN(test_insert_middle);
	RUN(test_cursor_moves);
	RUN(test_backspace);
	RUN(test_backspace_at_start);
	RUN(test_delete_key);
	RUN(test_overlong_refused);
	RUN(test_ctrl_u);
	RUN(test_ctrl_c);
	RUN(test_ctrl_l);
	RUN(test_ctrl_l_without_clear_hook);
	RUN(test_ignored_keys);
	RUN(test_history_up_down_restore);
	RUN(test_history_recall_edit_submit);
	RUN(test_history_dedup_and_empty);
	RUN(test_history_empty_up);
	RUN(test_history_ring_wrap);
	RUN(test_complete_unique);
	RUN(test_complete_common_prefix);
	RUN(test_complete_none);
	RUN(test_complete_cursor_inside);
	return check_report();
}
