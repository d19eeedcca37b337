/* The DNS message format (RFC 1035 section 4): names, queries, responses.
 * Parse-validate: every offset is checked against the message length before
 * the byte under it is read, and nothing from the wire is trusted to bound
 * a loop except the message's own length. */
#include "net/dns_wire.h"

#include <stdio.h>
#include <string.h>

#include "net/wire.h"

static inline uint8_t dns_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* ---- names ---- */

int dns_name_from_text(const char *text, struct dns_name *out)
{
	size_t tlen = strlen(text);
	size_t pos = 0;     /* next free octet of out->wire */
	size_t i = 0;

	if (tlen == 0 || text[0] == '.')
		return DNS_WIRE_BADNAME;
	if (text[tlen - 1] == '.')
		tlen--;                  /* one trailing dot: already absolute */
	while (i < tlen) {
		size_t start = i;
		while (i < tlen && text[i] != '.') {
			unsigned char c = (unsigned char)text[i];
			if (c <= ' ' || c >= 0x7f)
				return DNS_WIRE_BADNAME;
			i++;
		}
		size_t llen = i - start;
		if (llen == 0 || llen > DNS_LABEL_MAX)
			return DNS_WIRE_BADNAME;     /* "a..b", or a label over 63 */
		if (pos + 1 + llen + 1 > DNS_NAME_MAX)
			return DNS_WIRE_NAMELEN;     /* + 1: the root octet still to come */
		out->wire[pos++] = (uint8_t)llen;
		memcpy(out->wire + pos, text + start, llen);
		pos += llen;
		if (i < tlen)
			i++;                         /* the dot */
		if (i == tlen && text[tlen - 1] == '.')
			return DNS_WIRE_BADNAME;     /* "a.." */
	}
	out->wire[pos++] = 0;
	out->len = (uint8_t)pos;
	return DNS_WIRE_OK;
}

int dns_name_to_text(const struct dns_name *n, char *buf, size_t cap)
{
	size_t pos = 0, out = 0;

	if (cap == 0)
		return DNS_WIRE_NOSPACE;
	if (n->len <= 1) {
		if (cap < 2)
			return DNS_WIRE_NOSPACE;
		buf[0] = '.';
		buf[1] = 0;
		return 1;
	}
	while (pos < n->len && n->wire[pos] != 0) {
		size_t llen = n->wire[pos++];
		if (out && out + 1 < cap)
			buf[out] = '.';
		if (out)
			out++;
		for (size_t k = 0; k < llen && pos < n->len; k++, pos++) {
			uint8_t c = n->wire[pos];
			bool plain = c > ' ' && c < 0x7f && c != '.' && c != '\\';
			size_t need = plain ? 1 : 4;
			if (out + need < cap) {
				if (plain) {
					buf[out] = (char)c;
				} else {
					buf[out] = '\\';
					buf[out + 1] = (char)('0' + c / 100);
					buf[out + 2] = (char)('0' + c / 10 % 10);
					buf[out + 3] = (char)('0' + c % 10);
				}
			}
			out += need;
		}
	}
	if (out >= cap) {
		buf[cap - 1] = 0;
		return DNS_WIRE_NOSPACE;
	}
	buf[out] = 0;
	return (int)out;
}

bool dns_name_equal(const struct dns_name *a, const struct dns_name *b)
{
	if (a->len != b->len)
		return false;
	/* Length octets are below 64, so lowering them changes nothing. */
	for (size_t i = 0; i < a->len; i++)
		if (dns_lower(a->wire[i]) != dns_lower(b->wire[i]))
			return false;
	return true;
}

bool dns_name_in_zone(const struct dns_name *name, const struct dns_name *zone)
{
	size_t pos = 0;

	/* Walk label boundaries; at each, compare the remaining suffix. */
	for (;;) {
		size_t rest = name->len - pos;
		if (rest == zone->len) {
			bool same = true;
			for (size_t i = 0; i < rest && same; i++)
				same = dns_lower(name->wire[pos + i]) == dns_lower(zone->wire[i]);
			return same;
		}
		if (rest < zone->len || name->wire[pos] == 0)
			return false;
		pos += 1u + name->wire[pos];
		if (pos >= name->len)
			return false;
	}
}

int dns_name_read(const uint8_t *msg, size_t len, size_t *off, struct dns_name *out)
{
	size_t pos = *off;
	size_t end = 0;             /* where the name ends in place */
	size_t run_start = pos;     /* a pointer must land before this */
	size_t olen = 0;
	unsigned jumps = 0;

	for (;;) {
		if (pos >= len)
			return DNS_WIRE_TRUNCATED;
		uint8_t b = msg[pos];
		if ((b & DNS_LABEL_PTR) == DNS_LABEL_PTR) {
			if (pos + 2 > len)
				return DNS_WIRE_TRUNCATED;
			size_t target = be16_get(msg + pos) & DNS_PTR_OFFSET_MASK;
			if (target >= run_start || target < DNS_HLEN)
				return DNS_WIRE_BADPTR;
			if (++jumps > DNS_PTR_JUMPS_MAX)
				return DNS_WIRE_LOOP;
			if (!end)
				end = pos + 2;
			pos = run_start = target;
			continue;
		}
		if (b & DNS_LABEL_PTR)
			return DNS_WIRE_BADLABEL;    /* 0x40/0x80: reserved types (RFC 6891 dropped them) */
		if (b == 0) {
			if (olen + 1 > DNS_NAME_MAX)
				return DNS_WIRE_NAMELEN;
			out->wire[olen++] = 0;
			out->len = (uint8_t)olen;
			*off = end ? end : pos + 1;
			return DNS_WIRE_OK;
		}
		if (pos + 1 + b > len)
			return DNS_WIRE_TRUNCATED;
		if (olen + 1 + b + 1 > DNS_NAME_MAX)
			return DNS_WIRE_NAMELEN;
		memcpy(out->wire + olen, msg + pos, 1u + b);
		olen += 1u + b;
		pos += 1u + b;
	}
}

/* ---- messages ---- */

int dns_query_build(uint8_t *buf, size_t cap, uint16_t id, const struct dns_name *qname, uint16_t qtype)
{
	size_t need = DNS_HLEN + qname->len + DNS_Q_FIXED;

	if (cap < need)
		return DNS_WIRE_NOSPACE;
	memset(buf, 0, DNS_HLEN);
	be16_put(buf + DNS_ID, id);
	be16_put(buf + DNS_FLAGS, DNS_FLAG_RD);
	be16_put(buf + DNS_QDCOUNT, 1);
	memcpy(buf + DNS_HLEN, qname->wire, qname->len);
	uint8_t *q = buf + DNS_HLEN + qname->len;
	be16_put(q + DNS_Q_TYPE, qtype);
	be16_put(q + DNS_Q_CLASS, DNS_CLASS_IN);
	return (int)need;
}

int dns_hdr_parse(const uint8_t *msg, size_t len, struct dns_hdr *h)
{
	if (len < DNS_HLEN)
		return DNS_WIRE_TRUNCATED;
	h->id = be16_get(msg + DNS_ID);
	h->flags = be16_get(msg + DNS_FLAGS);
	h->qdcount = be16_get(msg + DNS_QDCOUNT);
	h->ancount = be16_get(msg + DNS_ANCOUNT);
	h->nscount = be16_get(msg + DNS_NSCOUNT);
	h->arcount = be16_get(msg + DNS_ARCOUNT);
	return DNS_WIRE_OK;
}

/* Read one record at msg[*off] into rr, checking RDLENGTH against the
 * message and against what the type's RDATA must be. */
static int dns_rr_read(const uint8_t *msg, size_t len, size_t *off, struct dns_rr *rr)
{
	int err = dns_name_read(msg, len, off, &rr->name);
	if (err)
		return err;
	if (len - *off < DNS_RR_FIXED)
		return DNS_WIRE_TRUNCATED;
	const uint8_t *f = msg + *off;
	rr->type = be16_get(f + DNS_RR_TYPE);
	rr->class = be16_get(f + DNS_RR_CLASS);
	rr->ttl = be32_get(f + DNS_RR_TTL);
	rr->rdlen = be16_get(f + DNS_RR_RDLENGTH);
	*off += DNS_RR_FIXED;
	if (len - *off < rr->rdlen)
		return DNS_WIRE_TRUNCATED;
	size_t rd = *off, rd_end = *off + rr->rdlen;
	*off = rd_end;

	switch (rr->type) {
	case DNS_TYPE_A:
		if (rr->rdlen != DNS_A_RDLEN)
			return DNS_WIRE_BADRDATA;
		rr->rd.a = be32_get(msg + rd);
		return DNS_WIRE_OK;
	case DNS_TYPE_CNAME:
	case DNS_TYPE_NS:
	case DNS_TYPE_PTR:
		/* The name may point back into the message, but what it holds
		 * in place must be exactly the RDATA. Reading against rd_end
		 * stops it running past the record. */
		err = dns_name_read(msg, rd_end, &rd, &rr->rd.target);
		if (err)
			return err == DNS_WIRE_TRUNCATED ? DNS_WIRE_BADRDATA : err;
		return rd == rd_end ? DNS_WIRE_OK : DNS_WIRE_BADRDATA;
	case DNS_TYPE_SOA: {
		struct dns_name skip;
		err = dns_name_read(msg, rd_end, &rd, &skip);          /* MNAME */
		if (!err)
			err = dns_name_read(msg, rd_end, &rd, &skip);  /* RNAME */
		if (err)
			return err == DNS_WIRE_TRUNCATED ? DNS_WIRE_BADRDATA : err;
		if (rd_end - rd != DNS_SOA_FIXED)
			return DNS_WIRE_BADRDATA;
		rr->rd.soa_minimum = be32_get(msg + rd + DNS_SOA_MINIMUM);
		return DNS_WIRE_OK;
	}
	default:
		return DNS_WIRE_OK;      /* kept opaque: only its bounds matter */
	}
}

/* Read count records, keeping the first keep_max in keep[]. */
static int dns_section_read(const uint8_t *msg, size_t len, size_t *off, unsigned count, struct dns_rr *keep,
			    unsigned keep_max, uint8_t *kept)
{
	struct dns_rr scratch;

	*kept = 0;
	/* count comes from the wire, but every record consumes at least
	 * DNS_RR_FIXED + 1 octets, so a lying count ends in TRUNCATED. */
	for (unsigned i = 0; i < count; i++) {
		struct dns_rr *rr = i < keep_max ? &keep[i] : &scratch;
		int err = dns_rr_read(msg, len, off, rr);
		if (err)
			return err;
		if (i < keep_max)
			(*kept)++;
	}
	return DNS_WIRE_OK;
}

int dns_msg_parse(const uint8_t *msg, size_t len, struct dns_msg *m)
{
	int err = dns_hdr_parse(msg, len, &m->hdr);
	if (err)
		return err;
	m->an_kept = m->ns_kept = 0;
	if (m->hdr.qdcount > 1)
		return DNS_WIRE_BADCOUNT;        /* RFC 9619: one question at most */
	size_t off = DNS_HLEN;
	if (m->hdr.qdcount == 1) {
		err = dns_name_read(msg, len, &off, &m->q.name);
		if (err)
			return err;
		if (len - off < DNS_Q_FIXED)
			return DNS_WIRE_TRUNCATED;
		m->q.type = be16_get(msg + off + DNS_Q_TYPE);
		m->q.class = be16_get(msg + off + DNS_Q_CLASS);
		off += DNS_Q_FIXED;
	}
	err = dns_section_read(msg, len, &off, m->hdr.ancount, m->an, DNS_MSG_AN_MAX, &m->an_kept);
	if (err)
		return err;
	return dns_section_read(msg, len, &off, m->hdr.nscount, m->ns, DNS_MSG_NS_MAX, &m->ns_kept);
}

/* ---- names for people ---- */

const char *dns_rcode_name(unsigned rcode)
{
	static const char *const names[] = {
		[DNS_RCODE_NOERROR] = "NOERROR", [DNS_RCODE_FORMERR] = "FORMERR",
		[DNS_RCODE_SERVFAIL] = "SERVFAIL", [DNS_RCODE_NXDOMAIN] = "NXDOMAIN",
		[DNS_RCODE_NOTIMP] = "NOTIMP", [DNS_RCODE_REFUSED] = "REFUSED",
	};
	return rcode < sizeof names / sizeof names[0] ? names[rcode] : "RCODE?";
}

const char *dns_type_name(unsigned type)
{
	switch (type) {
	case DNS_TYPE_A: return "A";
	case DNS_TYPE_NS: return "NS";
	case DNS_TYPE_CNAME: return "CNAME";
	case DNS_TYPE_SOA: return "SOA";
	case DNS_TYPE_PTR: return "PTR";
	case DNS_TYPE_AAAA: return "AAAA";
	default: return "TYPE?";
	}
}

const char *dns_wire_strerror(int err)
{
	static const char *const text[] = {
		[-DNS_WIRE_OK] = "ok",
		[-DNS_WIRE_TRUNCATED] = "message truncated",
		[-DNS_WIRE_BADPTR] = "bad compression pointer",
		[-DNS_WIRE_LOOP] = "too many compression pointers",
		[-DNS_WIRE_BADLABEL] = "bad label type or length",
		[-DNS_WIRE_NAMELEN] = "name longer than 255 octets",
		[-DNS_WIRE_BADRDATA] = "record data does not match its type",
		[-DNS_WIRE_BADCOUNT] = "more than one question",
		[-DNS_WIRE_BADNAME] = "not a valid domain name",
		[-DNS_WIRE_NOSPACE] = "no space",
	};
	if (err > 0 || -err >= (int)(sizeof text / sizeof text[0]))
		return "unknown";
	return text[-err];
}

void dns_ptr_qname(uint32_t addr, char *buf, size_t cap)
{
	snprintf(buf, cap, "%u.%u.%u.%u.in-addr.arpa", (unsigned)(addr & 0xff), (unsigned)((addr >> 8) & 0xff),
		 (unsigned)((addr >> 16) & 0xff), (unsigned)(addr >> 24));
}
