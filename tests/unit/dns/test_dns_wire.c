/* The DNS wire format: names both ways, the query we build, and parsing
 * of recorded and hand-built answers, including every way a hostile or
 * broken message can be wrong. */
#include <stdlib.h>
#include <string.h>

#include "net/dns_wire.h"
#include "net/wire.h"
#include "tests/unit/check.h"
#include "tests/unit/dns/dns_packets.h"

static struct dns_msg msg;   /* large: keep it off the stack */

static struct dns_name name_of(const char *text)
{
	struct dns_name n;
	memset(&n, 0, sizeof n);
	CHECK_EQ_INT(dns_name_from_text(text, &n), DNS_WIRE_OK);
	return n;
}

static const char *text_of(const struct dns_name *n)
{
	static char buf[DNS_NAME_TEXT_MAX];
	if (dns_name_to_text(n, buf, sizeof buf) < 0)
		return "(no space)";
	return buf;
}

/* A label of n copies of c, then '.' if dot. */
static void put_label(char *out, size_t n, char c, int dot)
{
	size_t len = strlen(out);
	memset(out + len, c, n);
	out[len + n] = dot ? '.' : 0;
	out[len + n + (dot ? 1 : 0)] = 0;
}

static void test_name_from_text(void)
{
	struct dns_name n;
	static const uint8_t www_google[] = { 3, 'w', 'w', 'w', 6, 'g', 'o', 'o', 'g', 'l', 'e', 3, 'c', 'o', 'm', 0 };

	n = name_of("www.google.com");
	CHECK_EQ_INT(n.len, sizeof www_google);
	CHECK_EQ_MEM(n.wire, www_google, sizeof www_google);
	n = name_of("www.google.com.");     /* trailing dot: the same name */
	CHECK_EQ_INT(n.len, sizeof www_google);
	CHECK_EQ_MEM(n.wire, www_google, sizeof www_google);
	n = name_of("pigeon");               /* one label, no search list */
	CHECK_EQ_INT(n.len, 8);
	CHECK_EQ_INT(dns_name_from_text("", &n), DNS_WIRE_BADNAME);
	CHECK_EQ_INT(dns_name_from_text(".", &n), DNS_WIRE_BADNAME);
	CHECK_EQ_INT(dns_name_from_text("a..b", &n), DNS_WIRE_BADNAME);
	CHECK_EQ_INT(dns_name_from_text(".a", &n), DNS_WIRE_BADNAME);
	CHECK_EQ_INT(dns_name_from_text("a..", &n), DNS_WIRE_BADNAME);
	CHECK_EQ_INT(dns_name_from_text("a b", &n), DNS_WIRE_BADNAME);
	CHECK_EQ_INT(dns_name_from_text("a\tb", &n), DNS_WIRE_BADNAME);
}

static void test_name_limits(void)
{
	char text[400] = "";
	struct dns_name n;

	put_label(text, 63, 'a', 1);
	put_label(text, 3, 'b', 0);
	CHECK_EQ_INT(dns_name_from_text(text, &n), DNS_WIRE_OK);      /* 63: the most */
	text[0] = 0;
	put_label(text, 64, 'a', 0);
	CHECK_EQ_INT(dns_name_from_text(text, &n), DNS_WIRE_BADNAME); /* 64: one too many */

	/* 3 x 63 + 61: wire 64*3 + 62 + 1 = 255, the longest name. */
	text[0] = 0;
	for (int i = 0; i < 3; i++)
		put_label(text, 63, 'x', 1);
	put_label(text, 61, 'y', 0);
	CHECK_EQ_INT(dns_name_from_text(text, &n), DNS_WIRE_OK);
	CHECK_EQ_INT(n.len, 255);
	strcat(text, ".");
	CHECK_EQ_INT(dns_name_from_text(text, &n), DNS_WIRE_OK);      /* the dot adds nothing */
	text[strlen(text) - 1] = 0;
	strcat(text, "z");                   /* 256 */
	CHECK_EQ_INT(dns_name_from_text(text, &n), DNS_WIRE_NAMELEN);
}

static void test_name_to_text(void)
{
	struct dns_name n = name_of("Www.Example.Test");
	CHECK_EQ_STR(text_of(&n), "Www.Example.Test");

	/* Octets a hostname never has come out as \DDD, dots inside a label too. */
	static const uint8_t odd[] = { 4, 'a', '.', 0x01, '\\', 3, 'c', 'o', 'm', 0 };
	memcpy(n.wire, odd, sizeof odd);
	n.len = sizeof odd;
	CHECK_EQ_STR(text_of(&n), "a\\046\\001\\092.com");

	char small[4];
	n = name_of("example.test");
	CHECK_EQ_INT(dns_name_to_text(&n, small, sizeof small), DNS_WIRE_NOSPACE);
	CHECK_EQ_INT(small[3], 0);
}

static void test_name_compare(void)
{
	struct dns_name a = name_of("WWW.Google.COM"), b = name_of("www.google.com.");
	struct dns_name c = name_of("www.google.co"), zone = name_of("google.com");
	struct dns_name other = name_of("oogle.com");

	CHECK(dns_name_equal(&a, &b));
	CHECK(!dns_name_equal(&a, &c));
	CHECK(dns_name_in_zone(&a, &zone));
	CHECK(dns_name_in_zone(&zone, &zone));
	CHECK(!dns_name_in_zone(&a, &other));     /* label boundaries count */
	CHECK(!dns_name_in_zone(&zone, &a));
}

static void test_query_build(void)
{
	uint8_t buf[DNS_QUERY_MAX];
	struct dns_name n = name_of("www.google.com");

	CHECK_EQ_INT(dns_query_build(buf, sizeof buf, 0x1234, &n, DNS_TYPE_A), (int)sizeof q_www_google);
	CHECK_EQ_MEM(buf, q_www_google, sizeof q_www_google);
	CHECK_EQ_INT(dns_query_build(buf, sizeof q_www_google - 1, 0x1234, &n, DNS_TYPE_A), DNS_WIRE_NOSPACE);
	/* The query parses as a message too (QR clear, one question). */
	CHECK_EQ_INT(dns_msg_parse(buf, sizeof q_www_google, &msg), DNS_WIRE_OK);
	CHECK(!(msg.hdr.flags & DNS_FLAG_QR));
	CHECK(dns_name_equal(&msg.q.name, &n));
}

static void test_parse_recorded_answer(void)
{
	CHECK_EQ_INT(dns_msg_parse(r_www_google, sizeof r_www_google, &msg), DNS_WIRE_OK);
	CHECK_EQ_INT(msg.hdr.id, 0x1234);
	CHECK_EQ_INT(msg.hdr.flags & DNS_RCODE_MASK, DNS_RCODE_NOERROR);
	CHECK(msg.hdr.flags & DNS_FLAG_QR);
	CHECK_EQ_STR(text_of(&msg.q.name), "www.google.com");
	CHECK_EQ_INT(msg.q.type, DNS_TYPE_A);
	CHECK_EQ_INT(msg.q.class, DNS_CLASS_IN);
	CHECK_EQ_INT(msg.an_kept, 1);
	CHECK_EQ_STR(text_of(&msg.an[0].name), "www.google.com");
	CHECK_EQ_INT(msg.an[0].type, DNS_TYPE_A);
	CHECK_EQ_INT(msg.an[0].ttl, 300);
	CHECK_EQ_INT(msg.an[0].rd.a, 0xc633640a);
}

static void test_parse_recorded_chain(void)
{
	CHECK_EQ_INT(dns_msg_parse(r_cname_chain, sizeof r_cname_chain, &msg), DNS_WIRE_OK);
	CHECK_EQ_INT(msg.an_kept, 3);
	CHECK_EQ_INT(msg.an[0].type, DNS_TYPE_CNAME);
	CHECK_EQ_STR(text_of(&msg.an[0].rd.target), "alias1.example.test");
	CHECK_EQ_STR(text_of(&msg.an[1].name), "alias1.example.test");
	CHECK_EQ_STR(text_of(&msg.an[1].rd.target), "web.example.test");
	CHECK_EQ_STR(text_of(&msg.an[2].name), "web.example.test");
	CHECK_EQ_INT(msg.an[2].rd.a, 0xc633640b);
}

static void test_parse_pointer_to_pointer(void)
{
	CHECK_EQ_INT(dns_msg_parse(h_ptr_to_ptr, sizeof h_ptr_to_ptr, &msg), DNS_WIRE_OK);
	CHECK_EQ_INT(msg.an_kept, 3);
	CHECK_EQ_STR(text_of(&msg.an[0].rd.target), "web.example.test");
	CHECK_EQ_STR(text_of(&msg.an[1].name), "web.example.test");
	CHECK_EQ_STR(text_of(&msg.an[2].name), "web.example.test");
	CHECK_EQ_INT(msg.an[2].rd.a, 0xc633640c);
	CHECK_EQ_INT(msg.an[2].ttl, 30);
}

static void test_parse_soa(void)
{
	CHECK_EQ_INT(dns_msg_parse(h_nx_soa, sizeof h_nx_soa, &msg), DNS_WIRE_OK);
	CHECK_EQ_INT(msg.hdr.flags & DNS_RCODE_MASK, DNS_RCODE_NXDOMAIN);
	CHECK_EQ_INT(msg.ns_kept, 1);
	CHECK_EQ_INT(msg.ns[0].type, DNS_TYPE_SOA);
	CHECK_EQ_STR(text_of(&msg.ns[0].name), "example.test");
	CHECK_EQ_INT(msg.ns[0].ttl, 600);
	CHECK_EQ_INT(msg.ns[0].rd.soa_minimum, 45);
}

/* Read a name at off in a buffer made of a 12-octet header and body. */
static int read_at(const uint8_t *body, size_t body_len, size_t off, struct dns_name *out)
{
	uint8_t m[600] = { 0 };
	memcpy(m + DNS_HLEN, body, body_len);
	size_t o = off;
	return dns_name_read(m, DNS_HLEN + body_len, &o, out);
}

static void test_pointer_loops(void)
{
	struct dns_name n;
	/* A pointer to itself: @12 -> @12. */
	static const uint8_t self[] = { 0xc0, 0x0c };
	CHECK_EQ_INT(read_at(self, sizeof self, 12, &n), DNS_WIRE_BADPTR);
	/* Two pointers to each other: @12 -> @14 -> @12 (refused at the
	 * forward one, so the loop is never entered). */
	static const uint8_t pair[] = { 0xc0, 0x0e, 0xc0, 0x0c };
	CHECK_EQ_INT(read_at(pair, sizeof pair, 14, &n), DNS_WIRE_BADPTR);
	CHECK_EQ_INT(read_at(pair, sizeof pair, 12, &n), DNS_WIRE_BADPTR);
	/* A label, then a pointer back to that label: a -> a -> a ... */
	static const uint8_t lab[] = { 0x01, 'a', 0xc0, 0x0c };
	CHECK_EQ_INT(read_at(lab, sizeof lab, 12, &n), DNS_WIRE_BADPTR);
	/* A pointer into the middle of its own run. */
	static const uint8_t mid[] = { 0x01, 'a', 0x01, 'b', 0xc0, 0x0e };
	CHECK_EQ_INT(read_at(mid, sizeof mid, 12, &n), DNS_WIRE_BADPTR);

	/* Backward pointers only, but 40 in a row: the jump limit. */
	uint8_t chain[1 + 2 * 40];
	chain[0] = 0;                                  /* @12: the root */
	for (int i = 0; i < 40; i++) {
		uint16_t to = (uint16_t)(i == 0 ? 12 : 13 + 2 * (i - 1));
		be16_put(chain + 1 + 2 * i, (uint16_t)(0xc000 | to));
	}
	CHECK_EQ_INT(read_at(chain, sizeof chain, 13 + 2 * 39, &n), DNS_WIRE_LOOP);
	CHECK_EQ_INT(read_at(chain, sizeof chain, 13 + 2 * 20, &n), DNS_WIRE_OK);  /* 21 jumps: fine */
	CHECK_EQ_INT(n.len, 1);
}

static void test_pointer_out_of_bounds(void)
{
	struct dns_name n;
	static const uint8_t far[] = { 0xff, 0xff };          /* offset 0x3fff */
	CHECK_EQ_INT(read_at(far, sizeof far, 12, &n), DNS_WIRE_BADPTR);
	static const uint8_t hdr[] = { 0x01, 'a', 0xc0, 0x05 }; /* into the header */
	CHECK_EQ_INT(read_at(hdr, sizeof hdr, 12, &n), DNS_WIRE_BADPTR);
	static const uint8_t half[] = { 0x01, 'a', 0xc0 };    /* pointer cut in half */
	CHECK_EQ_INT(read_at(half, sizeof half, 12, &n), DNS_WIRE_TRUNCATED);
	static const uint8_t past[] = { 0x05, 'a', 'b' };     /* label past the end */
	CHECK_EQ_INT(read_at(past, sizeof past, 12, &n), DNS_WIRE_TRUNCATED);
	static const uint8_t noroot[] = { 0x01, 'a' };        /* no terminating root */
	CHECK_EQ_INT(read_at(noroot, sizeof noroot, 12, &n), DNS_WIRE_TRUNCATED);
}

static void test_label_and_name_too_long(void)
{
	struct dns_name n;
	uint8_t body[300];

	/* Length octets 64 and 128 are the reserved types 01 and 10. */
	memset(body, 'a', sizeof body);
	body[0] = 64;
	body[65] = 0;
	CHECK_EQ_INT(read_at(body, 66, 12, &n), DNS_WIRE_BADLABEL);
	body[0] = 0x80;
	CHECK_EQ_INT(read_at(body, 66, 12, &n), DNS_WIRE_BADLABEL);

	/* In place: four labels of 63 make 257 octets. */
	for (int i = 0; i < 4; i++)
		body[i * 64] = 63;
	body[256] = 0;
	CHECK_EQ_INT(read_at(body, 257, 12, &n), DNS_WIRE_NAMELEN);
	/* Three of them and a root: 193, fine. */
	body[192] = 0;
	CHECK_EQ_INT(read_at(body, 193, 12, &n), DNS_WIRE_OK);
	CHECK_EQ_INT(n.len, 193);
	/* Through compression: 63 + 1 more in place, then a pointer to the
	 * 193-octet name: 64 + 193 = 257. */
	body[193] = 63;
	memset(body + 194, 'b', 63);
	be16_put(body + 257, 0xc000 | 12);
	CHECK_EQ_INT(read_at(body, 259, 12 + 193, &n), DNS_WIRE_NAMELEN);
	/* With a 61-octet label it is exactly 255. */
	body[193] = 61;
	be16_put(body + 193 + 62, 0xc000 | 12);
	CHECK_EQ_INT(read_at(body, 193 + 64, 12 + 193, &n), DNS_WIRE_OK);
	CHECK_EQ_INT(n.len, 255);
}

/* Every prefix of a valid message is refused cleanly: the counts promise
 * records that are not there. (ASan checks no byte past len is read.) */
static void truncations_of(const uint8_t *m, size_t len)
{
	for (size_t n = 0; n < len; n++) {
		/* Exactly n bytes on the heap: ASan catches a read past them. */
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, m, n);
		int err = dns_msg_parse(cut, n, &msg);
		free(cut);
		if (err == DNS_WIRE_OK) {
			CHECK_FAIL_AT(__FILE__, __LINE__, "prefix of %zu/%zu parsed", n, len);
			return;
		}
	}
	CHECK_EQ_INT(dns_msg_parse(m, len, &msg), DNS_WIRE_OK);
}

static void test_every_truncation(void)
{
	truncations_of(r_www_google, sizeof r_www_google);
	truncations_of(r_cname_chain, sizeof r_cname_chain);
	truncations_of(r_multi, sizeof r_multi);
	truncations_of(r_nxdomain, sizeof r_nxdomain);
	truncations_of(h_ptr_to_ptr, sizeof h_ptr_to_ptr);
	truncations_of(h_nx_soa, sizeof h_nx_soa);
}

static void test_counts_that_lie(void)
{
	uint8_t m[sizeof r_www_google];

	memcpy(m, r_www_google, sizeof m);
	be16_put(m + DNS_ANCOUNT, 2);
	CHECK_EQ_INT(dns_msg_parse(m, sizeof m, &msg), DNS_WIRE_TRUNCATED);
	be16_put(m + DNS_ANCOUNT, 0xffff);
	CHECK_EQ_INT(dns_msg_parse(m, sizeof m, &msg), DNS_WIRE_TRUNCATED);
	be16_put(m + DNS_ANCOUNT, 1);
	be16_put(m + DNS_NSCOUNT, 1);
	CHECK_EQ_INT(dns_msg_parse(m, sizeof m, &msg), DNS_WIRE_TRUNCATED);
	be16_put(m + DNS_NSCOUNT, 0);
	be16_put(m + DNS_QDCOUNT, 2);
	CHECK_EQ_INT(dns_msg_parse(m, sizeof m, &msg), DNS_WIRE_BADCOUNT);
	be16_put(m + DNS_QDCOUNT, 1);
	/* The additional section is never read, so a lying ARCOUNT is harmless. */
	be16_put(m + DNS_ARCOUNT, 7);
	CHECK_EQ_INT(dns_msg_parse(m, sizeof m, &msg), DNS_WIRE_OK);
}

static void test_bad_rdata(void)
{
	uint8_t m[sizeof r_www_google + 1];

	/* An A record whose RDLENGTH is 5 (and the message has the byte). */
	memcpy(m, r_www_google, sizeof r_www_google);
	m[sizeof r_www_google] = 0;
	be16_put(m + 42, 5);
	CHECK_EQ_INT(dns_msg_parse(m, sizeof m, &msg), DNS_WIRE_BADRDATA);
	/* RDLENGTH past the end of the message. */
	be16_put(m + 42, 200);
	CHECK_EQ_INT(dns_msg_parse(m, sizeof m, &msg), DNS_WIRE_TRUNCATED);

	/* A CNAME whose name ends before its RDLENGTH does. */
	uint8_t c[sizeof r_cname_chain];
	memcpy(c, r_cname_chain, sizeof c);
	be16_put(c + 44, 20);   /* 21 -> 20: the name then overruns the RDATA */
	CHECK(dns_msg_parse(c, sizeof c, &msg) != DNS_WIRE_OK);
	/* A CNAME whose RDATA holds a pointer forward, out of its run. */
	memcpy(c, r_cname_chain, sizeof c);
	c[46] = 0xc0;
	c[47] = 0x60;
	CHECK(dns_msg_parse(c, sizeof c, &msg) != DNS_WIRE_OK);
}

static void test_names_for_people(void)
{
	CHECK_EQ_STR(dns_rcode_name(3), "NXDOMAIN");
	CHECK_EQ_STR(dns_rcode_name(2), "SERVFAIL");
	CHECK_EQ_STR(dns_rcode_name(12), "RCODE?");
	CHECK_EQ_STR(dns_type_name(5), "CNAME");
	CHECK_EQ_STR(dns_wire_strerror(DNS_WIRE_LOOP), "too many compression pointers");
	CHECK_EQ_STR(dns_wire_strerror(-99), "unknown");
}

int main(void)
{
	check_suite = "dns_wire";
	RUN(test_name_from_text);
	RUN(test_name_limits);
	RUN(test_name_to_text);
	RUN(test_name_compare);
	RUN(test_query_build);
	RUN(test_parse_recorded_answer);
	RUN(test_parse_recorded_chain);
	RUN(test_parse_pointer_to_pointer);
	RUN(test_parse_soa);
	RUN(test_pointer_loops);
	RUN(test_pointer_out_of_bounds);
	RUN(test_label_and_name_too_long);
	RUN(test_every_truncation);
	RUN(test_counts_that_lie);
	RUN(test_bad_rdata);
	RUN(test_names_for_people);
	return check_report();
}
