"""IPv4, ICMP, UDP and ARP tests of the catalog (I*, C1, U1, A1), each a
function of a Bench."""

import os

from scapy.all import ARP, Ether, ICMP, IP, UDP, Raw, fragment

from wire import PEERS, peer_mac

PEER = PEERS[1]


def _delta(before, after, key):
    return after.get(key, 0) - before.get(key, 0)


def _echo_match(b, ident, seq):
    def m(p):
        return (IP in p and ICMP in p and p[IP].src == b.dut.ip and p[ICMP].type == 0
                and p[ICMP].id == ident and p[ICMP].seq == seq)
    return m


def icmp_data(p):
    """The ICMP data of p as IP's total length bounds it (never the
    Ethernet padding scapy keeps as payload)."""
    raw = bytes(p[IP])
    return raw[p[IP].ihl * 4 + 8:p[IP].len]


def _ping(b, payload, ident=0x1234, seq=1, src=PEER, timeout=2.0, frags=None):
    """Echo request from a virtual peer; returns the reply (scapy) or None."""
    pkt = IP(src=src, dst=b.dut.ip, id=ident ^ seq) / ICMP(type=8, id=ident, seq=seq) / Raw(payload)
    t0 = b.wire.mark()
    for f in (frags(pkt) if frags else [pkt]):
        b.wire.send_ip(f)
    return b.wire.expect(_echo_match(b, ident, seq), timeout=timeout, since=t0)


def _raw_ip(b, hdr_and_payload, src_mac=None):
    """Send raw IP bytes from a virtual peer (no scapy fix-ups)."""
    b.wire.send(bytes(Ether(src=src_mac or peer_mac(PEER), dst=b.wire.guest_mac, type=0x0800))
                + hdr_and_payload)


def c1_echo_exact(b):
    """C1: echo replies carry the request's data byte-exact, for sizes
    0, 1, 56, 1472, 1473 (fragmented reply) and 8192."""
    for i, n in enumerate((0, 1, 56, 1472, 1473, 8192)):
        data = os.urandom(n)
        got = _echo_data(b, data, i + 1, lambda p: fragment(p, fragsize=1480))
        assert got is not None, 'no echo reply for %d bytes' % n
        assert got == data, '%d bytes: reply payload differs (%d bytes back)' % (n, len(got))


def _echo_data(b, payload, seq, frags, ident=0x1234):
    """Send a (fragmented) echo request; reassemble the reply from every
    fragment Pigeon sends back; return its ICMP data, or None."""
    t0 = b.wire.mark()
    pkt = IP(src=PEER, dst=b.dut.ip, id=ident ^ seq) / ICMP(type=8, id=ident, seq=seq) / Raw(payload)
    for f in frags(pkt):
        b.wire.send_ip(f)
    want = 8 + len(payload)
    deadline = 3.0
    while deadline > 0:
        frames = [p for _, p in b.wire.collect(
            lambda p: IP in p and p[IP].src == b.dut.ip and p[IP].proto == 1, 0.2, since=t0)]
        deadline -= 0.2
        by_id = {}
        for p in frames:
            raw = bytes(p[IP])
            body = raw[p[IP].ihl * 4:p[IP].len]
            by_id.setdefault(p[IP].id, {})[p[IP].frag * 8] = body
        for parts in by_id.values():
            buf, off = b'', 0
            while off in parts:
                buf += parts[off]
                off += len(parts[off])
            if len(buf) >= want and buf[0] == 0 and int.from_bytes(buf[6:8], 'big') == seq:
                return buf[8:want] if len(buf) == want else buf[8:]
    return None


def i1_header_matrix(b):
    """I1: bad version, IHL < 5, IHL*4 > tot_len, tot_len beyond the frame,
    bad header checksum, source 127/8 or 224/4: each silently dropped with
    its own counter; tot_len shorter than the frame is trimmed and served."""
    good = IP(src=PEER, dst=b.dut.ip, id=77) / ICMP(type=8, id=0x4242, seq=9) / Raw(b'abcdefgh')
    raw = bytearray(bytes(good))

    def variant(fix, recompute=True):
        v = bytearray(raw)
        fix(v)
        if recompute:
            v[10:12] = b'\0\0'
            s = 0
            ihl = (v[0] & 0xf) * 4
            for i in range(0, min(ihl, len(v)) & ~1, 2):
                s += (v[i] << 8) | v[i + 1]
            while s >> 16:
                s = (s & 0xffff) + (s >> 16)
            v[10:12] = (~s & 0xffff).to_bytes(2, 'big')
        return bytes(v)

    cases = [
        ('ipv4.rx_bad_version', variant(lambda v: v.__setitem__(0, 0x65))),
        ('ipv4.rx_bad_hlen', variant(lambda v: v.__setitem__(0, 0x44))),
        ('ipv4.rx_bad_hlen', variant(lambda v: (v.__setitem__(0, 0x4f), v.__setitem__(slice(2, 4), (40).to_bytes(2, 'big'))))),
        ('ipv4.rx_bad_len', variant(lambda v: v.__setitem__(slice(2, 4), (len(raw) + 200).to_bytes(2, 'big')))),
        ('ipv4.rx_bad_checksum', variant(lambda v: v.__setitem__(10, v[10] ^ 0xff), recompute=False)),
        ('ipv4.rx_martian', variant(lambda v: v.__setitem__(slice(12, 16), bytes([127, 0, 0, 1])))),
        ('ipv4.rx_bad_src', variant(lambda v: v.__setitem__(slice(12, 16), bytes([0, 0, 0, 0])))),
        ('ipv4.rx_not_ours', variant(lambda v: v.__setitem__(slice(16, 20), bytes([192, 0, 2, 251])))),
        ('ipv4.rx_bad_src', variant(lambda v: v.__setitem__(slice(12, 16), bytes([224, 0, 0, 5])))),
    ]
    for counter, pkt in cases:
        c0 = b.dut.counters()
        t0 = b.wire.mark()
        _raw_ip(b, pkt)
        r = b.wire.expect(_echo_match(b, 0x4242, 9), timeout=0.5, since=t0)
        c1 = b.dut.counters()
        assert r is None, '%s case was answered' % counter
        got = {k: v - c0.get(k, 0) for k, v in c1.items() if k.startswith('ipv4.rx_') and v != c0.get(k, 0)}
        assert _delta(c0, c1, counter) == 1, '%s did not count (changes: %r)' % (counter, got)
    # Trailing bytes past tot_len are trimmed, not payload.
    t0 = b.wire.mark()
    _raw_ip(b, bytes(raw) + b'TRAILING-GARBAGE' * 4)
    r = b.wire.expect(_echo_match(b, 0x4242, 9), timeout=2, since=t0)
    assert r is not None, 'datagram with trailing bytes not answered'
    assert icmp_data(r) == b'abcdefgh', 'trailing bytes leaked into the payload'


def i3_reassembly_good(b):
    """I3: a 3000-byte echo in 3 fragments, in order, reversed, with a
    duplicate middle fragment and with a contained subset: all answered."""
    data = os.urandom(2992)
    orders = {
        'in_order': lambda fs: fs,
        'reversed': lambda fs: fs[::-1],
        'duplicate': lambda fs: [fs[0], fs[1], fs[1], fs[2]],
        'subset': lambda fs: [fs[0], fs[1], _subset(fs[1]), fs[2]],
    }
    for i, (name, order) in enumerate(orders.items()):
        got = _echo_data(b, data, 100 + i, lambda p: order(fragment(p, fragsize=1000)))
        assert got is not None, '%s: no reply' % name
        assert got == data, '%s: wrong data' % name


def _subset(f):
    """A fragment carrying the first 8 bytes of f's data (contained in f)."""
    g = f.copy()
    g[IP].payload = Raw(bytes(f[IP].payload)[:8])
    g[IP].flags = 'MF'
    del g[IP].len
    del g[IP].chksum
    return g


def i4_overlap(b):
    """I4: overlapping fragments (gVisor's Overlap set) drop the whole
    datagram; the next valid one is answered."""
    c0 = b.dut.counters()
    payload = os.urandom(3000 - 8)
    base = IP(src=PEER, dst=b.dut.ip, id=0x5151, proto=1) / ICMP(type=8, id=0x77, seq=5) / Raw(payload)
    body = bytes(base[IP].payload)
    frags = []
    for start, end, more in ((0, 1000, True), (1512, 2512, True), (1000, 2000, True), (2000, 3000, False)):
        f = IP(src=PEER, dst=b.dut.ip, id=0x5151, proto=1, frag=start // 8,
               flags='MF' if more else 0) / Raw(body[start:end])
        frags.append(f)
    t0 = b.wire.mark()
    for f in frags:
        b.wire.send_ip(f)
    r = b.wire.expect(_echo_match(b, 0x77, 5), timeout=1, since=t0)
    assert r is None, 'an overlapping datagram was answered'
    c1 = b.dut.counters()
    assert _delta(c0, c1, 'ipfrag.overlaps') >= 1, 'overlap not counted'
    assert _ping(b, os.urandom(2000), seq=6, frags=lambda p: fragment(p, fragsize=1000)), \
        'valid datagram after the overlap not answered'


def u1_udp_length_checksum(b):
    """U1: UDP length < 8, > payload, bad checksum: dropped and counted;
    checksum 0 is accepted (to a closed port: an ICMP port unreachable)."""
    def send(udp_bytes):
        _raw_ip(b, bytes(IP(src=PEER, dst=b.dut.ip, proto=17) / Raw(udp_bytes)))

    def unreach(t0):
        return b.wire.expect(lambda p: IP in p and ICMP in p and p[IP].src == b.dut.ip
                             and p[ICMP].type == 3 and p[ICMP].code == 3, timeout=0.6, since=t0)
    good = bytes(UDP(sport=4000, dport=9999) / Raw(b'payload!'))
    cases = [
        ('udp.drop_short', good[:6]),
        ('udp.drop_badlen', good[:4] + (4).to_bytes(2, 'big') + good[6:]),
        ('udp.drop_badlen', good[:4] + (200).to_bytes(2, 'big') + good[6:]),
        ('udp.drop_badsum', good[:6] + bytes([good[6] ^ 0x11, good[7]]) + good[8:]),
    ]
    for counter, u in cases:
        c0 = b.dut.counters()
        t0 = b.wire.mark()
        send(u)
        assert unreach(t0) is None, '%s: answered with port unreachable' % counter
        c1 = b.dut.counters()
        assert _delta(c0, c1, counter) == 1, '%s did not count' % counter
    t0 = b.wire.mark()
    send(good[:6] + b'\0\0' + good[8:])
    assert unreach(t0) is not None, 'checksum 0 was not accepted (no port unreachable)'


def a1_arp(b):
    """A1: ARP is answered only for our address; requests for others, and
    frames with hlen/plen other than 6/4, are dropped and counted."""
    mac = peer_mac(PEER)

    def ask(pdst, **kw):
        t0 = b.wire.mark()
        b.wire.send(Ether(src=mac, dst='ff:ff:ff:ff:ff:ff') /
                    ARP(op=1, hwsrc=mac, psrc=PEER, pdst=pdst, **kw))
        return b.wire.expect(lambda p: ARP in p and p[ARP].op == 2 and p[ARP].pdst == PEER,
                             timeout=0.6, since=t0)
    r = ask(b.dut.ip)
    assert r is not None and r[ARP].psrc == b.dut.ip, 'no ARP reply for our address'
    assert ask('192.0.2.250') is None, 'answered ARP for another address'
    assert ask('0.0.0.0') is None, 'answered ARP for 0.0.0.0'
    c0 = b.dut.counters()
    t0 = b.wire.mark()
    b.wire.send(Ether(src=mac, dst='ff:ff:ff:ff:ff:ff') /
                ARP(op=1, hwlen=8, hwsrc=mac, psrc=PEER, pdst=b.dut.ip))
    r = b.wire.expect(lambda p: ARP in p and p[ARP].op == 2 and p[ARP].pdst == PEER, timeout=0.6, since=t0)
    c1 = b.dut.counters()
    assert r is None, 'answered an ARP request with hlen 8'
    assert _delta(c0, c1, 'arp.rx_bad_len') == 1, 'bad hlen not counted'


TESTS = [
    ('I1.header_matrix', i1_header_matrix),
    ('C1.echo_exact', c1_echo_exact),
    ('I3.reassembly_good', i3_reassembly_good),
    ('I4.overlap', i4_overlap),
    ('U1.udp_length_checksum', u1_udp_length_checksum),
    ('A1.arp', a1_arp),
]
