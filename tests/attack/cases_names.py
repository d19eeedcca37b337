"""DNS tests of the catalog (robustness-tests.md N1-N5), each a function of
a Bench. scapy plays the DNS server: Pigeon's resolver is pointed at the
virtual peer SERVER (`ifconfig eth0 ADDR/24 gw 192.0.2.1 dns SERVER`), a
Responder thread records every query it sends there and answers as the
test says, and `host -v NAME` runs at Pigeon's shell. Every test restores
the DHCP configuration (dnsmasq on 192.0.2.1) before it returns, so the
global checks and G4's fetch see the lab as it was.

ATTACK_FULL=1 runs the catalog's full counts (N1: 1000 names; N5: 20000
forged answers); make test runs smaller counts that still prove the point.
"""

import os
import random
import re
import socket
import struct
import threading
import time

from scapy.all import IP, UDP, Raw

from harness import note
from tcppeer import TcpPeer, tcp_data
from wire import PEERS, peer_mac

SERVER = PEERS[1]               # 192.0.2.3: the DNS server scapy plays
OTHER = PEERS[2]                # 192.0.2.4: a second server, or a forger
REAL = '198.51.100.77'          # the address the real answers carry
FORGED = '203.0.113.66'         # the address every forgery carries
FULL = bool(os.environ.get('ATTACK_FULL'))

T_A, T_CNAME, T_AAAA = 1, 5, 28
C_IN, C_CH = 1, 3
F_QR, F_RD, F_RA, F_TC = 0x8000, 0x0100, 0x0080, 0x0200
RESPONSE = F_QR | F_RD | F_RA
RCODE_SERVFAIL, RCODE_NXDOMAIN = 2, 3
PTR_QNAME = b'\xc0\x0c'         # a compression pointer to the question's name

# The chi-square value that 15 degrees of freedom (16 buckets) exceed with
# probability 0.001: a larger statistic fails the uniformity test.
CHI2_15_P001 = 37.697


def _delta(before, after, key):
    return after.get(key, 0) - before.get(key, 0)


# -- DNS wire format, built by hand so that it can lie (RFC 1035 4.1) --

def wname(text):
    """A domain name in uncompressed wire form."""
    return b''.join(bytes([len(label)]) + label.encode() for label in text.rstrip('.').split('.')) + b'\0'


def rr(owner, rtype, rdata, ttl=60, rclass=C_IN, rdlen=None):
    """One resource record; rdlen overrides the true RDATA length."""
    return owner + struct.pack('!HHIH', rtype, rclass, ttl, len(rdata) if rdlen is None else rdlen) + rdata


def a_rr(owner=PTR_QNAME, addr=REAL, **kw):
    return rr(owner, T_A, socket.inet_aton(addr), **kw)


def message(qid, question, records=b'', flags=RESPONSE, qdcount=1, ancount=0, nscount=0):
    """A response: header, question and the records as given; the counts
    are whatever the caller says (they may lie)."""
    return struct.pack('!HHHHHH', qid, flags, qdcount, ancount, nscount, 0) + question + records


class Query:
    """One query Pigeon sent to a server, as seen on the wire."""

    def __init__(self, pkt):
        self.t = time.monotonic()
        self.dst = pkt[IP].dst
        self.sport = pkt[UDP].sport
        raw = bytes(pkt[UDP].payload)[:pkt[UDP].len - 8]
        self.raw = raw
        self.id, self.flags, self.qdcount = struct.unpack('!HHH', raw[:6])
        end = raw.index(b'\0', 12) + 1
        self.qname = raw[12:end]
        self.qtype, self.qclass = struct.unpack('!HH', raw[end:end + 4])
        self.question = raw[12:end + 4]

    def name(self):
        labels, i = [], 0
        while self.qname[i]:
            labels.append(self.qname[i + 1:i + 1 + self.qname[i]].decode())
            i += 1 + self.qname[i]
        return '.'.join(labels)

    def reply(self, records=(), **kw):
        """The straight answer to this query with these records."""
        kw.setdefault('ancount', len(records))
        return message(self.id, self.question, b''.join(records), **kw)


def send_dns(b, q, msg, src=SERVER, sport=53, dport=None):
    """A DNS message from src:sport to Pigeon's query port (or dport)."""
    b.wire.send_ip(IP(src=src, dst=b.dut.ip) / UDP(sport=sport, dport=q.sport if dport is None else dport)
                   / Raw(msg))


class Responder:
    """The DNS server(s) on the wire: a thread that takes each query Pigeon
    sends to one of `servers`, records it, and calls answer(b, q) (which
    sends whatever it likes, or nothing for silence)."""

    def __init__(self, b, answer, servers=(SERVER,)):
        self.b = b
        self.answer = answer
        self.servers = set(servers)
        self.queries = []
        self.errors = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name='dns-responder', daemon=True)

    def _match(self, p):
        return (IP in p and UDP in p and p[IP].src == self.b.dut.ip and p[IP].dst in self.servers
                and p[UDP].dport == 53)

    def _run(self):
        while not self._stop.is_set():
            p = self.b.wire.expect(self._match, timeout=0.1)
            if p is None:
                continue
            q = Query(p)
            self.queries.append(q)
            try:
                self.answer(self.b, q)
            except Exception as e:      # noqa: BLE001 (reported by the test)
                self.errors.append(repr(e))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        return False


def answer_real(b, q):
    send_dns(b, q, q.reply([a_rr()]), src=q.dst)


# -- pointing Pigeon's resolver at the fake server, and back --

def use_servers(b, servers=SERVER):
    """Static address as now, DNS server(s) on the wire; cache emptied."""
    out = b.dut.run('ifconfig eth0 %s/24 gw 192.0.2.1 dns %s' % (b.dut.ip, servers))
    assert 'dns ' + servers in out, 'ifconfig did not take the DNS server: %r' % out
    b.dut.run('dns -f')


def restore_dhcp(b):
    """Back to the lab's DHCP (dnsmasq on 192.0.2.1): a fresh lease; the
    Bench's idea of Pigeon's address follows it."""
    out = b.dut.run('dhcp -w', timeout=60)
    m = re.search(r'dhcp BOUND, (192\.0\.2\.\d+)/24 from server 192\.0\.2\.1', out)
    assert m, 'DHCP configuration not restored: %r' % out
    b.dut.ip = m.group(1)


def lookup(b, name, answer, servers=(SERVER,), timeout=20):
    """`host -v name` while answer() plays the server: returns (the
    command's output, the queries seen, seconds it took)."""
    with Responder(b, answer, servers) as r:
        m = b.guest.mark()
        t0 = time.monotonic()
        b.dut.start('host -v ' + name)
        b.dut.finish(timeout)
        took = time.monotonic() - t0
    assert not r.errors, 'responder failed: %s' % r.errors[0]
    return b.guest.since(m).replace('\r', ''), r.queries, took


def _fresh(tag):
    return '%s-%06x.example.test' % (tag, random.getrandbits(24))


# -- N1 --

def _chi2_16(values, lo, hi):
    """Pearson's statistic of values over 16 equal buckets of [lo, hi]."""
    counts = [0] * 16
    width = (hi - lo + 1) / 16.0
    for v in values:
        counts[min(15, int((v - lo) / width))] += 1
    expect = len(values) / 16.0
    return sum((c - expect) ** 2 / expect for c in counts)


def _has_delta_run(values, modulo=65536, run=3):
    """True if `run` consecutive deltas are equal (a counter in disguise)."""
    d = [(values[i + 1] - values[i]) % modulo for i in range(len(values) - 1)]
    return any(len(set(d[i:i + run])) == 1 for i in range(len(d) - run + 1))


def _lines(cmds, limit=240):
    """cmds grouped into ';'-joined shell lines under the line editor's
    256 characters."""
    batch = []
    for c in cmds:
        if batch and len('; '.join(batch + [c])) > limit:
            yield batch
            batch = []
        batch.append(c)
    if batch:
        yield batch


def n1_query_entropy(b):
    """N1: resolve many distinct names (200; 1000 with ATTACK_FULL=1) and
    capture the queries: IDs show no run of 3 equal consecutive deltas and
    pass a chi-square test over 16 buckets of 0-65535 at p > 0.001; source
    ports are >= 1024, show no delta run, are nearly all distinct and pass
    the same test over the range they span. Two queries outstanding at once
    (the first server silent, the second asked) differ in port and ID."""
    count = 1000 if FULL else 200
    tag = '%04x' % random.getrandbits(16)
    names = ['q%d.%s' % (i, tag) for i in range(count)]
    use_servers(b)
    try:
        with Responder(b, answer_real) as r:
            for batch in _lines(['host ' + n for n in names]):
                out = b.dut.run('; '.join(batch), timeout=60)
                got = out.count('has address ' + REAL)
                assert got == len(batch), '%s..: %d of %d answers accepted: %r' % (
                    batch[0], got, len(batch), out[-300:])
        assert not r.errors, 'responder failed: %s' % r.errors[0]
        qs = r.queries
        asked = [q.name() for q in qs]
        assert sorted(asked) == sorted(names), \
            '%d queries for %d names (retransmissions or missing)' % (len(qs), count)
        ids = [q.id for q in qs]
        ports = [q.sport for q in qs]
        assert min(ports) >= 1024, 'source port %d below 1024' % min(ports)
        assert not _has_delta_run(ids), 'query IDs have a run of 3 equal deltas'
        assert not _has_delta_run(ports), 'source ports have a run of 3 equal deltas'
        chi_id = _chi2_16(ids, 0, 65535)
        chi_port = _chi2_16(ports, min(ports), max(ports))
        assert chi_id < CHI2_15_P001, 'query IDs not uniform: chi-square %.1f' % chi_id
        assert chi_port < CHI2_15_P001, 'source ports not uniform: chi-square %.1f' % chi_port
        assert len(set(ids)) >= 0.95 * count, 'only %d distinct IDs in %d' % (len(set(ids)), count)
        assert len(set(ports)) >= 0.9 * count, 'only %d distinct ports in %d' % (len(set(ports)), count)
        note('    N1: %d queries, ports %d-%d, chi-square IDs %.1f ports %.1f (limit %.1f)'
             % (count, min(ports), max(ports), chi_id, chi_port, CHI2_15_P001))
        # Two queries in flight at once, as the servers see them.
        use_servers(b, '%s,%s' % (SERVER, OTHER))
        out, qs, _ = lookup(b, _fresh('n1c'), lambda b, q: q.dst == OTHER and answer_real(b, q),
                            servers=(SERVER, OTHER))
        assert 'has address ' + REAL in out, 'second server answer not taken: %r' % out
        first = [q for q in qs if q.dst == SERVER]
        second = [q for q in qs if q.dst == OTHER]
        assert first and second, 'expected a query to each server, saw %r' % [q.dst for q in qs]
        assert first[0].sport != second[0].sport, 'two outstanding queries share port %d' % first[0].sport
        assert first[0].id != second[0].id, 'two outstanding queries share ID %d' % first[0].id
    finally:
        restore_dhcp(b)


# -- N2 --

def n2_response_matching(b):
    """N2: for one outstanding query, replies with the wrong ID, source IP,
    source port or destination port, another QNAME, QTYPE or QCLASS, QR=0,
    QDCOUNT 0 or 2 are all ignored (each counted by its reason) and the
    real reply is accepted; a duplicate reply afterwards changes nothing."""
    name = _fresh('n2')
    state = {}

    def answer(b, q):
        if state:
            return                              # a retransmission: the count check tells
        state['q'] = q
        bad = a_rr(addr=FORGED)
        other_q = wname('evil.example.test') + struct.pack('!HH', T_A, C_IN)
        forgeries = [
            (message(q.id ^ 0x5a5a, q.question, bad, ancount=1), {}),
            (q.reply([bad]), {'src': OTHER}),
            (q.reply([bad]), {'sport': 5353}),
            (q.reply([bad]), {'dport': q.sport ^ 1}),
            (message(q.id, other_q, a_rr(owner=PTR_QNAME, addr=FORGED), ancount=1), {}),
            (message(q.id, q.qname + struct.pack('!HH', T_AAAA, C_IN), bad, ancount=1), {}),
            (message(q.id, q.qname + struct.pack('!HH', T_A, C_CH), bad, ancount=1), {}),
            (q.reply([bad], flags=F_RD), {}),                       # QR=0
            (message(q.id, b'', a_rr(owner=q.qname, addr=FORGED), qdcount=0, ancount=1), {}),
            (message(q.id, q.question + q.question, a_rr(addr=FORGED), qdcount=2, ancount=1), {}),
        ]
        for msg, kw in forgeries:
            send_dns(b, q, msg, **kw)
        time.sleep(0.1)
        send_dns(b, q, q.reply([a_rr()]))

    c0 = b.dut.counters()
    use_servers(b)
    try:
        out, qs, _ = lookup(b, name, answer)
        c1 = b.dut.counters()
        assert FORGED not in out, 'a forged reply was accepted: %r' % out
        assert '%s has address %s' % (name, REAL) in out, 'the real reply was not accepted: %r' % out
        assert len(qs) == 1, '%d queries: the forgeries outlived the first wait' % len(qs)
        expect = {'dns.drop_id': 1, 'dns.drop_question': 5, 'dns.drop_not_response': 1, 'dns.answers': 1}
        for key, n in expect.items():
            assert _delta(c0, c1, key) == n, '%s moved by %d, want %d' % (key, _delta(c0, c1, key), n)
        assert _delta(c0, c1, 'udp.drop_noport') >= 3, 'wrong address/port replies did not miss the socket'
        # A duplicate of the reply, now carrying another address: the
        # query's socket is gone, and the cache keeps the real answer.
        q = state['q']
        t0 = b.wire.mark()
        send_dns(b, q, q.reply([a_rr(addr=FORGED)]))
        unreach = b.wire.expect(lambda p: IP in p and p[IP].src == b.dut.ip and p[IP].proto == 1,
                                timeout=2, since=t0)
        assert unreach is not None, 'the late duplicate was not refused (no port unreachable)'
        cache = b.dut.run('dns')
        assert REAL in cache and FORGED not in cache, 'the cache changed: %r' % cache
        out = b.dut.run('host -v ' + name, timeout=20)
        assert 'from the cache' in out and REAL in out and FORGED not in out, out
    finally:
        restore_dhcp(b)


# -- N3 and N4: malformed answers, one lookup each --

def _run_cases(b, cases):
    """cases: (label, answer(b, q), check(out) -> None or a reason). Each
    lookup must end (no hang) and never use FORGED."""
    use_servers(b)
    try:
        for label, answer, check in cases:
            out, qs, took = lookup(b, _fresh('m'), answer)
            assert qs, '%s: no query seen' % label
            assert FORGED not in out, '%s: the forged address was used: %r' % (label, out)
            why = check(out)
            assert why is None, '%s: %s: %r' % (label, why, out[-300:])
    finally:
        restore_dhcp(b)


def _malformed(out):
    if 'malformed answer' not in out:
        return 'not refused as malformed'
    return None


def _accepted(out):
    if 'has address ' + REAL not in out:
        return 'the real answer was not accepted'
    return None


def _clean_failure(out):
    """Any clean end but an address."""
    if 'has address' in out:
        return 'an address was used'
    return None


def _once(msg_fn):
    """An answer that sends msg_fn(q) to the first query only."""
    def answer(b, q):
        send_dns(b, q, msg_fn(q))
    return answer


def n3_compression_pointers(b):
    """N3: a name that is a pointer to itself (0xC00C at offset 12, and one
    in an answer), two pointers at each other, a forward pointer, one
    beyond the message, one cut after its first byte, and the 0x40/0x80
    label types: each answer is refused as malformed in bounded time (or,
    for the self-pointing question, ignored until the real answer)."""
    def bad_answer(owner_at):
        """An answer whose first record's owner is owner_at(offset)."""
        def fn(q):
            head = 12 + len(q.question)
            return q.reply([owner_at(head) + struct.pack('!HHIH', T_A, C_IN, 60, 4)
                            + socket.inet_aton(FORGED)])
        return fn

    def self_question(b, q):
        msg = struct.pack('!HHHHHH', q.id, RESPONSE, 1, 1, 0, 0) + b'\xc0\x0c' + q.question[-4:] \
            + a_rr(addr=FORGED)
        send_dns(b, q, msg)
        time.sleep(0.1)
        send_dns(b, q, q.reply([a_rr()]))

    def mutual(q):
        # Record 1's owner points at record 2's owner, which points back.
        head = 12 + len(q.question)
        r2_at = head + 2 + 10 + 4
        r1 = struct.pack('!H', 0xc000 | r2_at) + struct.pack('!HHIH', T_A, C_IN, 60, 4) + socket.inet_aton(FORGED)
        r2 = struct.pack('!H', 0xc000 | head) + struct.pack('!HHIH', T_A, C_IN, 60, 4) + socket.inet_aton(FORGED)
        return q.reply([r1, r2])

    cases = [
        ('self-pointing question', self_question, _accepted),
        ('self-pointing owner', _once(bad_answer(lambda at: struct.pack('!H', 0xc000 | at))), _malformed),
        ('mutual pointers', _once(mutual), _malformed),
        ('forward pointer', _once(bad_answer(lambda at: struct.pack('!H', 0xc000 | (at + 8)))), _malformed),
        ('pointer beyond the message', _once(bad_answer(lambda at: b'\xff\xf0')), _malformed),
        ('pointer cut short', _once(lambda q: q.reply([b'\xc0'])), _malformed),
        ('label type 0x40', _once(bad_answer(lambda at: b'\x41x\x00')), _malformed),
        ('label type 0x80', _once(bad_answer(lambda at: b'\x80' + b'x' * 20 + b'\x00')), _malformed),
        ('pointer into a 2-byte field', _once(bad_answer(lambda at: struct.pack('!H', 0xc000 | (at - 3)))),
         _clean_failure),
    ]
    c0 = b.dut.counters()
    _run_cases(b, cases)
    c1 = b.dut.counters()
    assert _delta(c0, c1, 'dns.malformed') >= 6, 'malformed answers not counted (%d)' % _delta(c0, c1, 'dns.malformed')
    assert _delta(c0, c1, 'dns.drop_question') >= 1, 'the self-pointing question was not dropped as not ours'


def _cname_chain(q, length, loop=False, addr=FORGED):
    """A chain qname -> c1 -> ... -> c<length> (-> qname again if loop),
    ending in an A record (addr) for the last name when not a loop."""
    names = [q.qname] + [wname('c%d.z' % i) for i in range(1, length + 1)]
    recs = [rr(names[i], T_CNAME, names[i + 1]) for i in range(length)]
    if loop:
        recs.append(rr(names[-1], T_CNAME, q.qname))
    else:
        recs.append(a_rr(owner=names[-1], addr=addr))
    return q.reply(recs)


def _serve_tcp(b, q, rdata_addr=REAL):
    """The TCP retry after TC=1 (RFC 7766): accept Pigeon's connection to
    SERVER:53, read its length-prefixed query, answer it, close."""
    syn = b.wire.expect(lambda p: IP in p and p[IP].src == b.dut.ip and p[IP].dst == SERVER
                        and p.haslayer('TCP') and p['TCP'].dport == 53 and p['TCP'].flags == 'S', timeout=5)
    assert syn is not None, 'no TCP retry after TC=1'
    peer = TcpPeer(b, peer_ip=SERVER, port=53, dut_port=syn['TCP'].sport)
    peer.rcv = (syn['TCP'].seq + 1) % 2**32
    peer.send('SA', options=[('MSS', 1460)])
    data = b''
    while len(data) < 2 or len(data) < 2 + struct.unpack('!H', data[:2])[0]:
        seg = peer.expect(lambda t: len(tcp_data(t)) > 0, timeout=5)
        assert seg is not None, 'no query over TCP'
        data += tcp_data(seg)
        peer.rcv = (peer.rcv + len(tcp_data(seg))) % 2**32
    tq = data[2:]
    qid = struct.unpack('!H', tq[:2])[0]
    msg = message(qid, tq[12:], a_rr(addr=rdata_addr), ancount=1)
    peer.send('PA', struct.pack('!H', len(msg)) + msg)
    peer.send('FA')
    fin = peer.expect(lambda t: t.flags.F, timeout=5)
    if fin is not None:
        peer.rcv = (fin.seq + len(tcp_data(fin)) + 1) % 2**32
        peer.send('A', advance=False)


def n4_label_length_count(b):
    """N4: label lengths 64-191, a name over 255 octets, a name without its
    terminator, ANCOUNT=65535 with one record, RDLENGTH past the end, A
    records with RDLENGTH 3 and 5: refused as malformed. A chain of 2
    CNAMEs is followed; a chain of 20 and a loop end in a chain error;
    NXDOMAIN and SERVFAIL in clean failures; TC=1 in a retry over TCP
    whose answer is used. Only an IN A record of the name (or its CNAME
    target) is used: records of other owners, other classes or in the
    additional section are not."""
    long_name = b''.join(b'\x3f' + b'a' * 63 for _ in range(4)) + b'\x00'      # 257 octets

    def tc(b, q):
        send_dns(b, q, q.reply([a_rr(addr=FORGED)], flags=RESPONSE | F_TC))
        _serve_tcp(b, q)

    def others(q):
        return q.reply([a_rr(owner=wname('evil.example.test'), addr=FORGED), a_rr(),
                        a_rr(addr=FORGED, rclass=C_CH)])

    def additional_only(q):
        msg = q.reply([a_rr(owner=wname('evil.example.test'), addr=FORGED)])
        hdr = msg[:10] + struct.pack('!H', 1)                   # ARCOUNT 1
        return hdr + msg[12:] + a_rr(addr=FORGED)

    cases = [
        ('label length 0x40', _once(lambda q: q.reply([b'\x40' + b'x' * 64 + b'\x00' + a_rr()[2:]])), _malformed),
        ('label length 0xbf', _once(lambda q: q.reply([b'\xbf' + a_rr()[2:]])), _malformed),
        ('name over 255', _once(lambda q: q.reply([rr(long_name, T_A, socket.inet_aton(FORGED))])), _malformed),
        ('no terminator', _once(lambda q: q.reply([b'\x05abcde\x03xyz'])), _malformed),
        ('ANCOUNT 65535', _once(lambda q: q.reply([a_rr(addr=FORGED)], ancount=65535)), _malformed),
        ('RDLENGTH past the end', _once(lambda q: q.reply([a_rr(addr=FORGED, rdlen=40)])), _malformed),
        ('A with RDLENGTH 5', _once(lambda q: q.reply([rr(PTR_QNAME, T_A, b'\xcb\x00\x71\x42\x00')])), _malformed),
        ('A with RDLENGTH 3', _once(lambda q: q.reply([rr(PTR_QNAME, T_A, b'\xcb\x00\x71')])), _malformed),
        ('CNAME chain of 2', _once(lambda q: _cname_chain(q, 2, addr=REAL)),
         lambda out: _accepted(out) or (None if 'is an alias for c1.z.' in out else 'chain not shown')),
        ('CNAME chain of 20', _once(lambda q: _cname_chain(q, 20)),
         lambda out: None if 'CNAME chain too long' in out else 'no chain error'),
        ('CNAME loop', _once(lambda q: _cname_chain(q, 3, loop=True)),
         lambda out: None if 'CNAME chain too long or looping' in out else 'no chain error'),
        ('NXDOMAIN', _once(lambda q: q.reply([], flags=RESPONSE | RCODE_NXDOMAIN)),
         lambda out: None if 'not found: 3(NXDOMAIN)' in out else 'NXDOMAIN not reported'),
        ('SERVFAIL', _once(lambda q: q.reply([a_rr(addr=FORGED)], flags=RESPONSE | RCODE_SERVFAIL)),
         lambda out: None if 'not found: 2(SERVFAIL)' in out else 'SERVFAIL not reported'),
        ('TC=1', tc, lambda out: _accepted(out) or (None if 'over TCP' in out else 'not answered over TCP')),
        ('other owners and classes', _once(others), _accepted),
        ('additional section only', _once(additional_only),
         lambda out: None if 'has no A record' in out else 'not NODATA'),
    ]
    c0 = b.dut.counters()
    _run_cases(b, cases)
    c1 = b.dut.counters()
    assert _delta(c0, c1, 'dns.malformed') >= 8, 'malformed answers not counted (%d)' % _delta(c0, c1, 'dns.malformed')
    assert _delta(c0, c1, 'dns.chain_errors') >= 2, 'chain errors not counted'
    assert _delta(c0, c1, 'dns.tcp_queries') >= 1, 'the TCP retry not counted'


# -- N5 --

def _csum_add(total, data):
    if len(data) % 2:
        data += b'\0'
    return total + sum(struct.unpack('!%dH' % (len(data) // 2), data))


def _fold(total):
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return total


class Forger:
    """Forged answers to q's question (carrying FORGED) from SERVER:53,
    as raw frames with only the destination port and the ID varying."""

    def __init__(self, b, q):
        self.b = b
        body = message(0, q.question, a_rr(addr=FORGED), ancount=1)
        ulen = 8 + len(body)
        ip = bytearray(bytes(IP(src=SERVER, dst=b.dut.ip, proto=17, ttl=64, id=0, len=20 + ulen)))
        self.head = (bytes.fromhex(b.wire.guest_mac.replace(':', '')) + bytes.fromhex(peer_mac(SERVER).replace(':', ''))
                     + b'\x08\x00' + bytes(ip[:20]))
        self.body = body
        self.ulen = ulen
        pseudo = socket.inet_aton(SERVER) + socket.inet_aton(b.dut.ip) + struct.pack('!BBH', 0, 17, ulen)
        self.base = _csum_add(_csum_add(0, pseudo), struct.pack('!HHHH', 53, 0, ulen, 0) + body)

    def frame(self, dport, qid):
        s = _fold(self.base + dport + qid)
        csum = (~s & 0xffff) or 0xffff
        return (self.head + struct.pack('!HHHH', 53, dport, self.ulen, csum) + struct.pack('!H', qid)
                + self.body[2:])


def n5_spoofing_race(b):
    """N5: while the responder holds back its answer for about 2 s (the first
    query unanswered, the retry answered late), forged answers with random
    IDs go to random ports (4000 in make test, 20000 with ATTACK_FULL=1), a
    tenth of them at the port of the query in flight with any ID but its
    own. None is ever accepted: the lookup returns the real address, one
    answer is counted, and the cache holds the real address."""
    total = 20000 if FULL else 4000
    release = threading.Event()
    state = {'first': None}

    def answer(b, q):
        if state['first'] is None:
            state['first'] = q
            return                              # silence: Pigeon retries
        release.wait(10)
        send_dns(b, q, q.reply([a_rr()]))

    name = _fresh('n5')
    c0 = b.dut.counters()
    use_servers(b)
    try:
        with Responder(b, answer) as r:
            b.dut.start('host -v ' + name)
            m = b.guest.mark()
            deadline = time.monotonic() + 5
            while state['first'] is None:
                assert time.monotonic() < deadline, 'no query'
                time.sleep(0.01)
            forger = Forger(b, state['first'])
            window = 2.0
            t0 = time.monotonic()
            sent = 0
            while sent < total:
                live = r.queries[-1]
                batch = []
                for _ in range(100):
                    if random.random() < 0.1:
                        qid = random.getrandbits(16)
                        batch.append(forger.frame(live.sport, qid if qid != live.id else qid ^ 1))
                    else:
                        batch.append(forger.frame(random.randint(1024, 65535), random.getrandbits(16)))
                for f in batch:
                    try:
                        b.wire.sock.send(f)
                    except OSError:
                        time.sleep(0.001)
                sent += len(batch)
                # Spread the flood over the window so it meets the query.
                ahead = t0 + window * sent / total - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
            release.set()
            b.dut.finish(30)
            out = b.guest.since(m).replace('\r', '')
        assert not r.errors, 'responder failed: %s' % r.errors[0]
        c1 = b.dut.counters()
        arrived = sum(_delta(c0, c1, k) for k in ('udp.in_datagrams', 'udp.drop_noport', 'udp.drop_qfull'))
        note('    N5: %d forged answers sent in %.1f s, %d datagrams reached UDP, %d by ID, %d no port'
              % (sent, time.monotonic() - t0, arrived, _delta(c0, c1, 'dns.drop_id'),
                 _delta(c0, c1, 'udp.drop_noport')))
        assert FORGED not in out, 'a forged answer was accepted: %r' % out
        assert '%s has address %s' % (name, REAL) in out, 'the real answer was not taken: %r' % out
        assert _delta(c0, c1, 'dns.answers') == 1, 'answers counted: %d' % _delta(c0, c1, 'dns.answers')
        assert arrived >= total // 10, 'only %d of %d forgeries reached Pigeon' % (arrived, total)
        assert _delta(c0, c1, 'dns.drop_id') >= 1, 'no forgery at the live port was checked by ID'
        cache = b.dut.run('dns')
        assert REAL in cache and FORGED not in cache, 'the cache holds %r' % cache
    finally:
        restore_dhcp(b)


TESTS = [
    ('N1.query_entropy', n1_query_entropy),
    ('N2.response_matching', n2_response_matching),
    ('N3.compression_pointers', n3_compression_pointers),
    ('N4.label_length_count', n4_label_length_count),
    ('N5.spoofing_race', n5_spoofing_race),
]
