/* Host tests for user/cmdline_parse.c: ';' splitting, words, quotes,
 * escapes and the argument limit. */
#include "tests/unit/check.h"
#include "user/cmdline_parse.h"

static char *argv[CMDLINE_ARGC_MAX + 1];

static void test_words(void)
{
	char line[] = "  ping   -c 3\twww.google.com  ";
	CHECK_EQ_INT(cmdline_split(line, argv), 4);
	CHECK_EQ_STR(argv[0], "ping");
	CHECK_EQ_STR(argv[1], "-c");
	CHECK_EQ_STR(argv[2], "3");
	CHECK_EQ_STR(argv[3], "www.google.com");
	CHECK(argv[4] == NULL);
}

static void test_blank(void)
{
	char empty[] = "", blank[] = " \t ";
	CHECK_EQ_INT(cmdline_split(empty, argv), 0);
	CHECK(argv[0] == NULL);
	CHECK_EQ_INT(cmdline_split(blank, argv), 0);
}

static void test_quotes_group(void)
{
	char line[] = "echo \"hello   world\" x\"y z\"w \"\"";
	CHECK_EQ_INT(cmdline_split(line, argv), 4);
	CHECK_EQ_STR(argv[0], "echo");
	CHECK_EQ_STR(argv[1], "hello   world");
	CHECK_EQ_STR(argv[2], "xy zw");
	CHECK_EQ_STR(argv[3], "");
}

static void test_escapes(void)
{
	char line[] = "echo \\\"hi\\\" a\\\\b c\\d \\;";
	CHECK_EQ_INT(cmdline_split(line, argv), 5);
	CHECK_EQ_STR(argv[1], "\"hi\"");
	CHECK_EQ_STR(argv[2], "a\\b");
	CHECK_EQ_STR(argv[3], "c\\d");
	CHECK_EQ_STR(argv[4], ";");
}

static void test_unterminated_quote(void)
{
	char line[] = "echo \"abc def";
	CHECK_EQ_INT(cmdline_split(line, argv), CMDLINE_EQUOTE);
	CHECK_EQ_STR(cmdline_strerror(CMDLINE_EQUOTE), "unterminated quote");
}

static void test_arg_limit(void)
{
	char ok[256] = "", over[256] = "";
	for (int i = 0; i < CMDLINE_ARGC_MAX; i++)
		strcat(ok, "a ");
	strcpy(over, ok);
	strcat(over, "b");
	CHECK_EQ_INT(cmdline_split(ok, argv), CMDLINE_ARGC_MAX);
	CHECK(argv[CMDLINE_ARGC_MAX] == NULL);
	CHECK_EQ_INT(cmdline_split(over, argv), CMDLINE_ETOOMANY);
}

static void test_next_semicolons(void)
{
	char line[] = "uptime; echo \"a;b\" c\\;d ;; mem";
	char *rest = line, *cmd;

	cmd = cmdline_next(&rest);
	CHECK_EQ_STR(cmd, "uptime");
	cmd = cmdline_next(&rest);
	CHECK_EQ_STR(cmd, " echo \"a;b\" c\\;d ");
	CHECK_EQ_INT(cmdline_split(cmd, argv), 3);
	CHECK_EQ_STR(argv[1], "a;b");
	CHECK_EQ_STR(argv[2], "c;d");
	cmd = cmdline_next(&rest);
	CHECK_EQ_STR(cmd, "");
	cmd = cmdline_next(&rest);
	CHECK_EQ_STR(cmd, " mem");
	CHECK(cmdline_next(&rest) == NULL);
	CHECK(cmdline_next(&rest) == NULL);
}

static void test_next_single_and_trailing(void)
{
	char one[] = "help", trailing[] = "help;";
	char *rest = one;
	CHECK_EQ_STR(cmdline_next(&rest), "help");
	CHECK(cmdline_next(&rest) == NULL);

	rest = trailing;
	CHECK_EQ_STR(cmdline_next(&rest), "help");
	CHECK_EQ_STR(cmdline_next(&rest), "");
	CHECK(cmdline_next(&rest) == NULL);
}

static void test_trim(void)
{
	char a[] = "  fetch www.google.com \t", b[] = "   ", c[] = "x";
	CHECK_EQ_STR(cmdline_trim(a), "fetch www.google.com");
	CHECK_EQ_STR(cmdline_trim(b), "");
	CHECK_EQ_STR(cmdline_trim(c), "x");
}

int main(void)
{
	check_suite = "cmdline_parse";
	RUN(test_words);
	RUN(test_blank);
	RUN(test_quotes_group);
	RUN(test_escapes);
	RUN(test_unterminated_quote);
	RUN(test_arg_limit);
	RUN(test_next_semicolons);
	RUN(test_next_single_and_trailing);
	RUN(test_trim);
	return check_report();
}
