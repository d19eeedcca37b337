/* Host tests of user/url.c: what a person types, what a Location says
 * (RFC 3986 section 5.4's examples, every one), and every refusal. */
#include <string.h>

#include "tests/unit/check.h"
#include "user/url.h"

/* Parse text; check host, port and target. */
static void expect_url(const char *text, const char *host, unsigned port, const char *target)
{
	struct url u;
	int err = url_parse(text, &u);
	if (err != URL_OK) {
		CHECK_FAIL_AT(__FILE__, __LINE__, "%s: %s", text, url_strerror(err));
		return;
	}
	CHECK_EQ_STR(u.host, host);
	CHECK_EQ_INT(u.port, port);
	CHECK_EQ_STR(u.target, target);
	/* path_len points at the query or the end. */
	const char *q = strchr(target, '?');
	CHECK_EQ_INT(u.path_len, q ? (size_t)(q - target) : strlen(target));
}

static void expect_err(const char *text, int want)
{
	struct url u;
	int err = url_parse(text, &u);
	if (err != want)
		CHECK_FAIL_AT(__FILE__, __LINE__, "%s: got %d (%s), expected %d (%s)", text, err, url_strerror(err),
			      want, url_strerror(want));
}

static void test_bare_host(void)
{
	expect_url("www.google.com", "www.google.com", 80, "/");      /* a name alone */
	expect_url("www.google.com/", "www.google.com", 80, "/");
	expect_url("localhost", "localhost", 80, "/");                /* no dot at all */
	expect_url("web.example.test:8080/a/b", "web.example.test", 8080, "/a/b");
	expect_url("host?q=1", "host", 80, "/?q=1");                  /* query, empty path */
	expect_url("www.google.com.", "www.google.com.", 80, "/");    /* the root's dot */
}

static void test_http_urls(void)
{
	expect_url("http://www.google.com", "www.google.com", 80, "/");
	expect_url("http://www.google.com/", "www.google.com", 80, "/");
	expect_url("http://www.google.com:80/", "www.google.com", 80, "/");
	expect_url("http://h:1/", "h", 1, "/");                         /* lowest port */
	expect_url("http://h:65535/", "h", 65535, "/");                 /* highest */
	expect_url("http://h:00080/", "h", 80, "/");                    /* leading zeros */
	expect_url("http://h:/x", "h", 80, "/x");                       /* empty port: default */
	expect_url("http://h/search?q=pigeon&hl=en", "h", 80, "/search?q=pigeon&hl=en");
	expect_url("http://h?x", "h", 80, "/?x");
	expect_url("http://h/a?b/../c", "h", 80, "/a?b/../c");          /* query untouched */
	expect_url("http://h/p#frag", "h", 80, "/p");                   /* fragment dropped */
	expect_url("http://h/p?q#frag?x", "h", 80, "/p?q");
	expect_url("http://h#frag", "h", 80, "/");
	expect_url("http://h/a%20b/%7Euser?x=%2F", "h", 80, "/a%20b/%7Euser?x=%2F"); /* escapes kept */
	expect_url("http://h/a/./b/../c", "h", 80, "/a/c");              /* dots removed */
	expect_url("http://h/..", "h", 80, "/");
	expect_url("http://h/a_b-c.d~e!$&'()*+,;=:@x", "h", 80, "/a_b-c.d~e!$&'()*+,;=:@x");
}

static void test_case(void)
{
	expect_url("HTTP://WWW.Google.COM/Path", "www.google.com", 80, "/Path"); /* path keeps case */
	expect_url("hTtP://x/", "x", 80, "/");
}

static void test_ipv4(void)
{
	expect_url("192.0.2.80", "192.0.2.80", 80, "/");
	expect_url("http://192.0.2.80:81/", "192.0.2.80", 81, "/");
	expect_url("http://0.0.0.0/", "0.0.0.0", 80, "/");
	expect_url("http://255.255.255.255/", "255.255.255.255", 80, "/");
	struct url u;
	uint32_t a = 0;
	CHECK(url_parse("http://198.51.100.10/", &u) == URL_OK);
	CHECK(url_host_ipv4(&u, &a));
	CHECK_EQ_INT(a, 0xc633640a);
	CHECK(url_parse("http://www.google.com/", &u) == URL_OK);
	CHECK(!url_host_ipv4(&u, &a));
	/* A name whose last label is numeric is still a name. */
	expect_url("http://a.123/", "a.123", 80, "/");
}

static void test_errors(void)
{
	char longname[300], longpath[1100], label[80];

	expect_err("", URL_EEMPTY);
	expect_err(NULL, URL_EEMPTY);
	expect_err("https://www.google.com/", URL_EHTTPS);
	expect_err("HTTPS://www.google.com/", URL_EHTTPS);
	expect_err("ftp://x/", URL_ESCHEME);
	expect_err("mailto:someone", URL_ESCHEME);
	expect_err("http:www.google.com", URL_ESLASHES);
	expect_err("http:/www.google.com", URL_ESLASHES);
	expect_err("http://user@host/", URL_EUSERINFO);
	expect_err("http://user:pw@host/", URL_EUSERINFO);
	expect_err("user@host", URL_EUSERINFO);
	expect_err("http:///path", URL_ENOHOST);
	expect_err("http://:80/", URL_ENOHOST);
	expect_err("http://", URL_ENOHOST);
	expect_err("http://ho st/", URL_EHOSTCHAR);
	expect_err("http://h%41/", URL_EHOSTCHAR);     /* no escapes in hosts */
	expect_err("http://h\x01/", URL_EHOSTCHAR);
	expect_err("http://a..b/", URL_EHOSTLABEL);
	expect_err("http://.a/", URL_EHOSTLABEL);
	expect_err("http://./", URL_EHOSTLABEL);
	memset(label, 'a', 64);
	memcpy(label + 64, ".com", 5);
	expect_err(label, URL_EHOSTLABEL);            /* a 64-byte label */
	memcpy(label + 63, ".com", 5);
	expect_url(label, label, 80, "/");            /* a 63-byte label is fine */
	for (int i = 0; i < 254; i++)
		longname[i] = (i % 2) ? '.' : 'a';
	longname[253] = 'a';
	longname[254] = '\0';                         /* 255 characters */
	expect_err(longname, URL_EHOSTLONG);
	longname[253] = '\0';                         /* 253: the limit */
	expect_url(longname, longname, 80, "/");
	expect_err("1.2.3", URL_EIPV4);
	expect_err("http://256.1.1.1/", URL_EIPV4);
	expect_err("http://1.2.3.4.5/", URL_EIPV4);
	expect_err("http://01.2.3.4/", URL_EIPV4);    /* octal to some: refused */
	expect_err("http://1.2.3.4./", URL_EIPV4);
	expect_err("http://[2001:db8::1]/", URL_EIPV6);
	expect_err("[::1]:80", URL_EIPV6);
	expect_err("http://h:8o/", URL_EPORT);
	expect_err("http://h:-1/", URL_EPORT);
	expect_err("h:80x", URL_EPORT);
	expect_err("http://h:0/", URL_EPORTRANGE);
	expect_err("http://h:65536/", URL_EPORTRANGE);
	expect_err("http://h:99999999999999999999/", URL_EPORTRANGE);
	expect_err("http://h/a b", URL_EPATHCHAR);    /* would split the request line */
	expect_err("http://h/a\r\nX: y", URL_EPATHCHAR);
	expect_err("http://h/\x7f", URL_EPATHCHAR);
	expect_err("http://h/caf\xc3\xa9", URL_EPATHCHAR);
	expect_err("http://h/?q=a b", URL_EPATHCHAR);
	expect_err("http://h/%", URL_EPERCENT);
	expect_err("http://h/%4", URL_EPERCENT);
	expect_err("http://h/%4g", URL_EPERCENT);
	expect_err("http://h/?%zz", URL_EPERCENT);
	expect_url("http://h/%41#%zz", "h", 80, "/%41");  /* the fragment is not checked */
	memcpy(longpath, "http://h/", 9);
	memset(longpath + 9, 'p', 1022);
	longpath[9 + 1022] = '\0';                    /* "/" + 1022: 1023 characters */
	expect_url(longpath, "h", 80, longpath + 8);
	longpath[9 + 1022] = 'p';
	longpath[9 + 1023] = '\0';
	expect_err(longpath, URL_ETOOLONG);
	/* Every code has its own words. */
	for (int e = URL_EEMPTY; e >= URL_ETOOLONG; e--)
		CHECK(strcmp(url_strerror(e), "unknown URL error") != 0);
	CHECK_EQ_STR(url_strerror(1), "unknown URL error");
	CHECK_EQ_STR(url_strerror(-99), "unknown URL error");
	CHECK(strstr(url_strerror(URL_EHTTPS), "no TLS") != NULL);
}

static void test_format(void)
{
	struct url u;
	char buf[URL_TEXT_MAX];

	CHECK(url_parse("WWW.GOOGLE.COM", &u) == URL_OK);
	CHECK_EQ_INT(url_format(&u, buf, sizeof buf), strlen("http://www.google.com/"));
	CHECK_EQ_STR(buf, "http://www.google.com/");
	CHECK(url_parse("http://h:8080/a?b", &u) == URL_OK);
	url_format(&u, buf, sizeof buf);
	CHECK_EQ_STR(buf, "http://h:8080/a?b");
	/* Cut, still terminated, the full length returned. */
	CHECK_EQ_INT(url_format(&u, buf, 10), strlen("http://h:8080/a?b"));
	CHECK_EQ_STR(buf, "http://h:");
}

/* RFC 3986 5.2.4's two worked examples and more. */
static void test_remove_dot_segments(void)
{
	static const char *const cases[][2] = {
		{ "/a/b/c/./../../g", "/a/g" },
		{ "mid/content=5/../6", "mid/6" },
		{ "/./a", "/a" },
		{ "/a/.", "/a/" },
		{ "/a/..", "/" },
		{ "/../../..", "/" },
		{ "/a/b/..", "/a/" },
		{ "/a/.b/..c", "/a/.b/..c" },       /* dots inside names stay */
		{ "..", "" },
		{ ".", "" },
		{ "/", "/" },
		{ "", "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[64];
		strcpy(buf, cases[i][0]);
		url_remove_dot_segments(buf);
		if (strcmp(buf, cases[i][1]) != 0)
			CHECK_FAIL_AT(__FILE__, __LINE__, "%s -> %s, expected %s", cases[i][0], buf, cases[i][1]);
	}
}

/* Resolve ref against base; check the resolved URL's text. */
static void expect_resolve(const char *base, const char *ref, const char *want)
{
	struct url b, r;
	char buf[URL_TEXT_MAX];
	CHECK(url_parse(base, &b) == URL_OK);
	int err = url_resolve(&b, ref, &r);
	if (err != URL_OK) {
		CHECK_FAIL_AT(__FILE__, __LINE__, "%s + %s: %s", base, ref, url_strerror(err));
		return;
	}
	url_format(&r, buf, sizeof buf);
	if (strcmp(buf, want) != 0)
		CHECK_FAIL_AT(__FILE__, __LINE__, "%s + \"%s\" -> %s, expected %s", base, ref, buf, want);
}

/* RFC 3986 5.4.1, base "http://a/b/c/d;p?q" (the "g:h" example is another
 * scheme: refused, below). */
static void test_resolve_normal(void)
{
	static const char *const cases[][2] = {
		{ "g", "http://a/b/c/g" },
		{ "./g", "http://a/b/c/g" },
		{ "g/", "http://a/b/c/g/" },
		{ "/g", "http://a/g" },
		{ "//g", "http://g/" },
		{ "?y", "http://a/b/c/d;p?y" },
		{ "g?y", "http://a/b/c/g?y" },
		{ "#s", "http://a/b/c/d;p?q" },
		{ "g#s", "http://a/b/c/g" },
		{ "g?y#s", "http://a/b/c/g?y" },
		{ ";x", "http://a/b/c/;x" },
		{ "g;x", "http://a/b/c/g;x" },
		{ "g;x?y#s", "http://a/b/c/g;x?y" },
		{ "", "http://a/b/c/d;p?q" },
		{ ".", "http://a/b/c/" },
		{ "./", "http://a/b/c/" },
		{ "..", "http://a/b/" },
		{ "../", "http://a/b/" },
		{ "../g", "http://a/b/g" },
		{ "../..", "http://a/" },
		{ "../../", "http://a/" },
		{ "../../g", "http://a/g" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_resolve("http://a/b/c/d;p?q", cases[i][0], cases[i][1]);
	struct url b, r;
	CHECK(url_parse("http://a/b/c/d;p?q", &b) == URL_OK);
	CHECK_EQ_INT(url_resolve(&b, "g:h", &r), URL_ESCHEME);
}

/* RFC 3986 5.4.2, the abnormal examples ("http:g" as the non-strict
 * parser reads it). */
static void test_resolve_abnormal(void)
{
	static const char *const cases[][2] = {
		{ "../../../g", "http://a/g" },
		{ "../../../../g", "http://a/g" },
		{ "/./g", "http://a/g" },
		{ "/../g", "http://a/g" },
		{ "g.", "http://a/b/c/g." },
		{ ".g", "http://a/b/c/.g" },
		{ "g..", "http://a/b/c/g.." },
		{ "..g", "http://a/b/c/..g" },
		{ "./../g", "http://a/b/g" },
		{ "./g/.", "http://a/b/c/g/" },
		{ "g/./h", "http://a/b/c/g/h" },
		{ "g/../h", "http://a/b/c/h" },
		{ "g;x=1/./y", "http://a/b/c/g;x=1/y" },
		{ "g;x=1/../y", "http://a/b/c/y" },
		{ "g?y/./x", "http://a/b/c/g?y/./x" },
		{ "g?y/../x", "http://a/b/c/g?y/../x" },
		{ "g#s/./x", "http://a/b/c/g" },
		{ "g#s/../x", "http://a/b/c/g" },
		{ "http:g", "http://a/b/c/g" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_resolve("http://a/b/c/d;p?q", cases[i][0], cases[i][1]);
}

/* What servers really send in Location. */
static void test_resolve_locations(void)
{
	expect_resolve("http://www.google.com/redirect1", "/redirect2", "http://www.google.com/redirect2");
	expect_resolve("http://www.google.com/redirect2", "http://web.example.test/final",
		       "http://web.example.test/final");
	expect_resolve("http://h:8080/a/b", "c", "http://h:8080/a/c");           /* port kept */
	expect_resolve("http://h:8080/a/b", "//other/x", "http://other/x");      /* new authority */
	expect_resolve("http://h:8080/a/b", "//other:81", "http://other:81/");
	expect_resolve("http://h/a", "HTTP://Other.Example/X", "http://other.example/X");
	expect_resolve("http://h/a", "http://h/b/../c", "http://h/c");
	expect_resolve("http://h/", "?page=2", "http://h/?page=2");
	expect_resolve("http://h/dir/", "sub/", "http://h/dir/sub/");
	/* Refusals carry the URL's own reason. */
	struct url b, r;
	CHECK(url_parse("http://h/a", &b) == URL_OK);
	CHECK_EQ_INT(url_resolve(&b, "https://h/a", &r), URL_EHTTPS);
	CHECK_EQ_INT(url_resolve(&b, "//user@h/", &r), URL_EUSERINFO);
	CHECK_EQ_INT(url_resolve(&b, "/a b", &r), URL_EPATHCHAR);
	CHECK_EQ_INT(url_resolve(&b, "?%", &r), URL_EPERCENT);
	/* out may be the base itself. */
	CHECK(url_resolve(&b, "../x/y", &b) == URL_OK);
	CHECK_EQ_STR(b.target, "/x/y");
	CHECK(url_resolve(&b, "?q", &b) == URL_OK);
	CHECK_EQ_STR(b.target, "/x/y?q");
	CHECK_EQ_INT(b.path_len, 4);
}

int main(void)
{
	check_suite = "http.url";
	RUN(test_bare_host);
	RUN(test_http_urls);
	RUN(test_case);
	RUN(test_ipv4);
	RUN(test_errors);
	RUN(test_format);
	RUN(test_remove_dot_segments);
	RUN(test_resolve_normal);
	RUN(test_resolve_abnormal);
	RUN(test_resolve_locations);
	return check_report();
}
