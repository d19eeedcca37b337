"""IPv4 and ICMP tests of the catalog, second part (I2, I5, I6, I7, C2,
C3), each a function of a Bench. Flood counts are scaled for make test;
ATTACK_FULL=1 runs the catalog's full counts."""

import os
import time

from scapy.all import Ether, ICMP, IP, TCP, UDP, Raw, fragment

import bench
from cases_ip import _echo_data, _echo_match, _ping, _raw_ip, icmp_data
from cases_link import _blast, _finish_big_fetch, _start_big_fetch, _assert_big_sha
from cases_tcp import _established
from tcppeer import tcp_data
from wire import PEERS, peer_mac

FULL = os.environ.get('ATTACK_FULL') == '1'
PEER = PEERS[1]
ROUTER = PEERS[4]           # a virtual "router" that reports ICMP errors
ICMP_ERR_BURST = 10         # net/icmp.c: the token bucket the test bounds by
ICMP_ERR_PER_S = 100
IPV4_REASM_MAX_NETBUFS = 64
IPV4_REASM_MAX_DATAGRAMS = 8


def _delta(before, after, key):
    return after.get(key, 0) - before.get(key, 0)


def _ip_with_options(b, opts, ident, seq):
    """An echo request whose header carries the raw option bytes opts
    (padded with EOL to a multiple of 4), checksum recomputed."""
    opts = bytes(opts)
    opts += b'\0' * (-len(opts) % 4)
    pkt = IP(src=PEER, dst=b.dut.ip, id=seq, options=[]) / ICMP(type=8, id=ident, seq=seq) / Raw(b'opt-test')
    raw = bytearray(bytes(pkt))
    hdr = raw[:20]
    hdr[0] = 0x40 | (20 + len(opts)) // 4
    total = 20 + len(opts) + len(raw) - 20
    hdr[2:4] = total.to_bytes(2, 'big')
    full = bytearray(bytes(hdr) + opts + bytes(raw[20:]))
    full[10:12] = b'\0\0'
    s = 0
    for i in range(0, 20 + len(opts), 2):
        s += (full[i] << 8) | full[i + 1]
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    full[10:12] = (~s & 0xffff).to_bytes(2, 'big')
    return bytes(full)


def _answered(b, raw, ident, seq, timeout=1.0):
    t0 = b.wire.mark()
    _raw_ip(b, raw)
    return b.wire.expect(_echo_match(b, ident, seq), timeout=timeout, since=t0)


def i2_ip_options(b):
    """I2: well-formed options (40 bytes of NOP/EOL, an unknown option,
    record route, timestamp, loose and strict source routes) are stepped
    over and the echo answered straight back to the sender (never along
    the source route); option length 0, 1, or past the header drops the
    datagram with ipv4.rx_bad_options counted."""
    ident = 0x1202
    lsrr = bytes([131, 11, 4]) + bytes([192, 0, 2, 250]) + bytes([192, 0, 2, 251])
    ssrr = bytes([137, 7, 4]) + bytes([192, 0, 2, 252])
    good = [
        ('nop_eol', bytes([1] * 39 + [0])),
        ('unknown', bytes([0x9e, 4, 0xaa, 0xbb])),
        ('rr', bytes([7, 11, 4]) + bytes(8)),
        ('ts', bytes([68, 12, 5, 0]) + bytes(8)),
        ('lsrr', lsrr),
        ('ssrr', ssrr),
    ]
    for seq, (name, opts) in enumerate(good, 1):
        r = _answered(b, _ip_with_options(b, opts, ident, seq), ident, seq, timeout=2)
        assert r is not None, 'valid %s option: no echo reply' % name
        assert r[IP].dst == PEER and r[Ether].dst == peer_mac(PEER), \
            '%s: reply went to %s via %s, not back to the sender' % (name, r[IP].dst, r[Ether].dst)
        assert icmp_data(r) == b'opt-test', '%s: echo data differs' % name
    bad = [
        ('len0', bytes([0x9e, 0, 1, 1])),
        ('len1', bytes([0x9e, 1, 1, 1])),
        ('past_ihl', bytes([1, 1, 0x9e, 40])),
        ('rr_past_ihl', bytes([7, 200, 4, 0])),
    ]
    for seq, (name, opts) in enumerate(bad, 50):
        c0 = b.dut.counters()
        r = _answered(b, _ip_with_options(b, opts, ident, seq), ident, seq, timeout=0.6)
        c1 = b.dut.counters()
        assert r is None, 'malformed option %s was answered' % name
        assert _delta(c0, c1, 'ipv4.rx_bad_options') == 1, '%s: rx_bad_options did not count' % name
    assert _ping(b, b'after options', seq=99) is not None, 'no echo after the options'


def i5_oversized_reassembly(b):
    """I5: a fragment ending past 65535 (ping of death) and a datagram
    larger than the 16 KiB reassembly buffer: no reply, ipfrag.oversize
    and ipfrag.too_big counted, nothing held; an 8000-byte fragmented echo
    is still answered exactly."""
    ident = 0x1505
    c0 = b.dut.counters()
    t0 = b.wire.mark()
    body = bytes(ICMP(type=8, id=ident, seq=1) / Raw(b'D' * 1472))
    b.wire.send_ip(IP(src=PEER, dst=b.dut.ip, id=0x5d5d, proto=1, flags='MF', frag=0) / Raw(body))
    # Offset 65528 (8191 * 8) + 1000 bytes: far past the 65535 limit.
    b.wire.send_ip(IP(src=PEER, dst=b.dut.ip, id=0x5d5d, proto=1, flags=0, frag=8191) / Raw(b'X' * 1000))
    # 20 KiB in 1480-byte pieces: over our reassembly buffer.
    big = IP(src=PEER, dst=b.dut.ip, id=0x5e5e) / ICMP(type=8, id=ident, seq=2) / Raw(os.urandom(20000))
    for f in fragment(big, fragsize=1480):
        b.wire.send_ip(f)
    r = b.wire.expect(lambda p: IP in p and ICMP in p and p[IP].src == b.dut.ip and p[ICMP].type == 0
                      and p[ICMP].id == ident, timeout=1.5, since=t0)
    assert r is None, 'an oversized datagram was answered'
    c1 = b.dut.counters()
    assert _delta(c0, c1, 'ipfrag.oversize') >= 1, 'ping of death not counted (ipfrag.oversize)'
    assert _delta(c0, c1, 'ipfrag.too_big') >= 1, 'datagram over the buffer not counted (ipfrag.too_big)'
    data = os.urandom(8000)
    got = _echo_data(b, data, 3, lambda p: fragment(p, fragsize=1480), ident=ident)
    assert got == data, 'an 8000-byte fragmented echo after the oversize ones: %s' % (
        'no reply' if got is None else 'wrong data')


def i6_fragment_exhaustion(b):
    """I6: 1000 random-offset fragments for one ID, then first fragments
    with distinct IDs that never complete (3000 in make test, 10000 with
    ATTACK_FULL=1), at line rate, while the 64 MiB reference file is
    fetched. Memory stays under the reassembly cap (netbuf in_use never
    beyond baseline + IPV4_REASM_MAX_NETBUFS), new datagrams are refused
    when the table is full (ipfrag.table_full), the fetch completes with
    the right sha256, and the datagrams that got a slot complete and free
    it once their last fragments come (G3 then checks the pool). With
    ATTACK_FULL=1 the partial ones are also seen to expire (ipfrag.timeouts)."""
    count = 10000 if FULL else 3000
    c0 = b.dut.counters()
    base_in_use = c0.get('netbuf.in_use', 0)
    eth = bytes(Ether(src=peer_mac(PEER), dst=b.wire.guest_mac, type=0x0800))
    frames = []
    for i in range(1000):
        off = (i * 7919) % 8000
        frames.append(eth + bytes(IP(src=PEER, dst=b.dut.ip, id=0x6666, proto=17, flags='MF', frag=off)
                                  / Raw(b'R' * 16)))
    firsts = []
    for i in range(count):
        ident = 0x7000 + i
        firsts.append(eth + bytes(IP(src=PEER, dst=b.dut.ip, id=ident, proto=1, flags='MF', frag=0)
                                  / Raw(bytes(ICMP(type=8, id=0x1606, seq=i % 65536) / Raw(b'F' * 8 + b'L' * 8))[:16])))
    mark = _start_big_fetch(b)
    _blast(b, frames, len(frames))
    # Let the guest drain the TAP queue, so the first of the next burst
    # (the ones that will find free slots) are not lost on the host.
    time.sleep(0.5)
    c_mid = b.dut.counters()
    sent, secs = _blast(b, firsts, len(firsts))
    c1 = b.dut.counters()
    out = _finish_big_fetch(b, mark)
    _assert_big_sha(out)
    assert c1.get('netbuf.in_use', 0) <= base_in_use + IPV4_REASM_MAX_NETBUFS + 260, \
        'netbufs in use %d during the flood (baseline %d)' % (c1.get('netbuf.in_use', 0), base_in_use)
    got_slot = _delta(c_mid, c1, 'ipfrag.started')
    arrived = _delta(c_mid, c1, 'ipv4.rx_fragments')
    assert got_slot <= IPV4_REASM_MAX_DATAGRAMS, '%d datagrams in reassembly at once' % got_slot
    assert _delta(c_mid, c1, 'ipfrag.table_full') >= arrived - got_slot - 2, \
        'refusals not counted: %d of %d arrived fragments (%d got a slot)' % (
            _delta(c_mid, c1, 'ipfrag.table_full'), arrived, got_slot)
    assert arrived > IPV4_REASM_MAX_DATAGRAMS, 'only %d first fragments arrived: no exhaustion' % arrived
    # The first IDs took the free slots: complete them, so they go.
    t0 = b.wire.mark()
    for i in range(got_slot):
        b.wire.send_ip(IP(src=PEER, dst=b.dut.ip, id=0x7000 + i, proto=1, frag=2) / Raw(b'L' * 8))
    replies = b.wire.collect(lambda p: IP in p and ICMP in p and p[IP].src == b.dut.ip and p[ICMP].type == 0
                             and p[ICMP].id == 0x1606, 1.0, since=t0)
    c2 = b.dut.counters()
    assert _delta(c1, c2, 'ipfrag.completed') >= 1, 'no slot was freed by completing its datagram'
    assert len(replies) == _delta(c1, c2, 'ipfrag.completed'), 'completed %d datagrams, %d echo replies' % (
        _delta(c1, c2, 'ipfrag.completed'), len(replies))
    bench.note('I6: %d first fragments in %.2f s; %d got a slot, %d completed, %d echo replies'
               % (sent, secs, got_slot, _delta(c1, c2, 'ipfrag.completed'), len(replies)))
    if FULL:
        # The partial datagrams left expire after the reassembly timeout (60 s).
        deadline = time.monotonic() + 75 * b.guest.scale
        while _delta(c2, b.dut.counters(), 'ipfrag.timeouts') < 1:
            assert time.monotonic() < deadline, 'no partial datagram expired within 75 s'
            time.sleep(1)


def i7_unknown_protocol(b):
    """I7: protocols 4 (IP-in-IP, also fragmented with an inner header
    whose IHL and length disagree with what arrived), 41 and 255: each
    dropped (ipv4.rx_unknown_proto) or answered with Protocol Unreachable
    whose quote is exactly the received IP header plus the first 8 bytes
    of its payload, never more, never stale memory."""
    inner = IP(src='10.9.9.9', dst='10.8.8.8', ihl=15, len=9000) / Raw(b'inner!!!' * 4)
    cases = [
        ('ipip', bytes(IP(src=PEER, dst=b.dut.ip, id=0x4141, proto=4) / Raw(bytes(inner)[:36]))),
        ('ipv6', bytes(IP(src=PEER, dst=b.dut.ip, id=0x4142, proto=41) / Raw(b'\x60' + b'6' * 39))),
        ('p255', bytes(IP(src=PEER, dst=b.dut.ip, id=0x4143, proto=255) / Raw(b'Z' * 3))),
    ]

    def unreach(t0):
        return b.wire.expect(lambda p: IP in p and ICMP in p and p[IP].src == b.dut.ip and p[ICMP].type == 3
                             and p[ICMP].code == 2, timeout=1.0, since=t0)

    for name, dgram in cases:
        c0 = b.dut.counters()
        t0 = b.wire.mark()
        _raw_ip(b, dgram)
        r = unreach(t0)
        c1 = b.dut.counters()
        assert _delta(c0, c1, 'ipv4.rx_unknown_proto') == 1, '%s: not counted as unknown protocol' % name
        if r is not None:
            quote = icmp_data(r)
            want = dgram[:20 + min(8, len(dgram) - 20)]
            assert quote == want, '%s: quote %r is not the received header + 8 bytes %r' % (name, quote, want)
        time.sleep(0.05)    # stay under the ICMP error rate limit
    # Fragmented IP-in-IP (the JSOF shape): reassembled, then refused.
    c0 = b.dut.counters()
    outer = IP(src=PEER, dst=b.dut.ip, id=0x4144, proto=4) / Raw(bytes(inner) + os.urandom(2000))
    t0 = b.wire.mark()
    for f in fragment(outer, fragsize=1000):
        b.wire.send_ip(f)
    r = unreach(t0)
    c1 = b.dut.counters()
    assert _delta(c0, c1, 'ipv4.rx_unknown_proto') == 1, 'fragmented IP-in-IP not refused'
    if r is not None:
        quote = icmp_data(r)
        assert len(quote) == 28, 'quote of %d bytes for a reassembled datagram' % len(quote)
        assert quote[20:] == bytes(inner)[:8], 'quote does not hold the first 8 payload bytes'
        assert quote[:2] == b'\x45\x00' and quote[9] == 4, 'quoted header is not the datagram\'s'
    assert _ping(b, b'after ipip') is not None, 'no echo after the unknown protocols'


def _port_unreach(b, t0, timeout=0.6):
    return b.wire.expect(lambda p: IP in p and ICMP in p and p[IP].src == b.dut.ip and p[ICMP].type == 3,
                         timeout=timeout, since=t0)


def c2_no_icmp_storms(b):
    """C2: no ICMP error about an ICMP error, a datagram to the subnet or
    link broadcast, a datagram from a broadcast source, or a non-first
    fragment; then a burst of closed-port datagrams (2000, or 10000 with
    ATTACK_FULL=1) draws at most ICMP_ERR_BURST + 100/s port unreachables,
    and icmp.tx_error_rate_limited counts the rest."""
    bcast = '192.0.2.255'
    udp = UDP(sport=5555, dport=9) / Raw(b'nobody home')
    quote = IP(src=b.dut.ip, dst=PEER, proto=17) / UDP(sport=9, dport=5555)
    silent = [
        ('about_an_error', Ether(src=peer_mac(PEER), dst=b.wire.guest_mac) /
         IP(src=PEER, dst=b.dut.ip) / ICMP(type=3, code=3) / Raw(bytes(quote))),
        ('unknown_icmp_type', Ether(src=peer_mac(PEER), dst=b.wire.guest_mac) /
         IP(src=PEER, dst=b.dut.ip) / ICMP(type=42, code=0) / Raw(b'????????')),
        ('to_subnet_broadcast', Ether(src=peer_mac(PEER), dst='ff:ff:ff:ff:ff:ff') / IP(src=PEER, dst=bcast) / udp),
        ('to_all_ones', Ether(src=peer_mac(PEER), dst='ff:ff:ff:ff:ff:ff') /
         IP(src=PEER, dst='255.255.255.255') / udp),
        ('link_broadcast', Ether(src=peer_mac(PEER), dst='ff:ff:ff:ff:ff:ff') / IP(src=PEER, dst=b.dut.ip) / udp),
        ('from_broadcast', Ether(src=peer_mac(PEER), dst=b.wire.guest_mac) / IP(src=bcast, dst=b.dut.ip) / udp),
        ('non_first_fragment', Ether(src=peer_mac(PEER), dst=b.wire.guest_mac) /
         IP(src=PEER, dst=b.dut.ip, proto=17, id=0x2c2c, frag=100) / Raw(b'tail-only')),
    ]
    for name, frame in silent:
        t0 = b.wire.mark()
        b.wire.send(frame)
        r = _port_unreach(b, t0, timeout=0.4)
        assert r is None, 'an ICMP error was sent about %s' % name
        r = b.wire.expect(lambda p: IP in p and ICMP in p and p[IP].src == b.dut.ip, timeout=0.1, since=t0)
        assert r is None, 'an ICMP message was sent about %s (type %d)' % (name, r[ICMP].type)
    # A plain closed-port datagram is answered: the rules above are what
    # kept quiet, not a mute ICMP.
    time.sleep(0.2)
    t0 = b.wire.mark()
    b.wire.send_ip(IP(src=PEER, dst=b.dut.ip) / udp)
    assert _port_unreach(b, t0, timeout=1.0) is not None, 'no port unreachable for a plain datagram'
    # The rate limit.
    count = 10000 if FULL else 2000
    frames = [bytes(Ether(src=peer_mac(PEER), dst=b.wire.guest_mac) / IP(src=PEER, dst=b.dut.ip) /
                    UDP(sport=6000 + i % 1000, dport=9) / Raw(b'x' * 8)) for i in range(count)]
    time.sleep(0.2)
    c0 = b.dut.counters()
    t0 = b.wire.mark()
    sent, secs = _blast(b, frames, count)
    window = secs + 1.0
    got = b.wire.collect(lambda p: IP in p and ICMP in p and p[IP].src == b.dut.ip and p[ICMP].type == 3,
                         1.0, since=t0)
    c1 = b.dut.counters()
    span = (got[-1][0] - t0) if got else 0
    bench.note('C2: %d closed-port datagrams in %.2f s; %d port unreachables over %.2f s'
               % (sent, secs, len(got), span))
    limit = ICMP_ERR_BURST + ICMP_ERR_PER_S * window + 5
    assert 0 < len(got) <= limit, '%d port unreachables in %.2f s (limit %d)' % (len(got), window, limit)
    assert _delta(c0, c1, 'icmp.tx_error_rate_limited') > 0, 'rate limiting not counted'


def _icmp_error_about(b, p, icmp_type, code, seq, extra=None, quote_len=8, src=ROUTER):
    """An ICMP error from src quoting a segment Pigeon sent to peer p
    (Pigeon's port as source), with sequence number seq."""
    hdr = IP(src=b.dut.ip, dst=p.ip, proto=6, id=1, flags='DF', ttl=63)
    seg = bytes(TCP(sport=p.dut_port, dport=p.port, seq=seq, ack=p.snd, flags='A'))
    q = bytes(hdr / Raw(seg))[:20] + seg[:quote_len]
    # The quoted header claims the whole segment; only the start is quoted.
    q = q[:2] + (40 + 100).to_bytes(2, 'big') + q[4:]
    icmp = ICMP(type=icmp_type, code=code)
    if extra is not None:
        icmp.nexthopmtu = extra
    return IP(src=src, dst=b.dut.ip) / icmp / Raw(q)


def _echo_ok(b, p, msg):
    t0 = b.wire.mark()
    p.send('PA', msg)
    r = p.expect(lambda t: tcp_data(t) == msg, timeout=3, since=t0)
    assert r is not None, 'echo of %r lost' % msg
    p.rcv = (r.seq + len(msg)) % 2**32
    p.send('A')


def c3_inbound_icmp_errors(b):
    """C3: ICMP errors quoting a live nettest connection: Dest Unreachable
    net/host/source-route failed, frag-needed with MTU 0, 67, 68 and 65535,
    Time Exceeded and Parameter Problem with the right sequence number do
    not abort it (MUST-56); the same with a wrong sequence number, and
    quotes too short to hold the ports, are not matched; Source Quench
    and Address Mask Reply (type 18) are ignored. After each, the
    connection still echoes. A matching Port Unreachable is then reported
    to TCP (hard or soft: RFC 5927 4.2 lets an established connection
    ignore it) without corrupting anything."""
    p = _established(b, 'echo', peer_ip='192.0.2.3')
    _echo_ok(b, p, b'before')
    soft = [(3, 0, None), (3, 1, None), (3, 5, None), (3, 4, 0), (3, 4, 67), (3, 4, 68), (3, 4, 65535),
            (11, 0, None), (12, 0, None)]
    c0 = b.dut.counters()
    for i, (t, code, mtu) in enumerate(soft):
        # Pigeon's last segment (the echo) is acked, so quote an
        # in-flight one: send data first and quote it before acking.
        t0 = b.wire.mark()
        msg = b'soft-%02d' % i
        p.send('PA', msg)
        r = p.expect(lambda s: tcp_data(s) == msg, timeout=3, since=t0)
        assert r is not None, 'echo lost before ICMP %d/%d' % (t, code)
        b.wire.send_ip(_icmp_error_about(b, p, t, code, r.seq, extra=mtu))
        time.sleep(0.1)
        p.rcv = (r.seq + len(msg)) % 2**32
        p.send('A')
        tcb = b.dut.tcb(rport=p.port)
        assert tcb is not None and tcb['state'] == 'ESTABLISHED', \
            'ICMP %d/%d (mtu %r) aborted the connection: %r' % (t, code, mtu, tcb)
        _echo_ok(b, p, b'alive-%02d' % i)
    c1 = b.dut.counters()
    assert _delta(c0, c1, 'icmp.rx_errors') >= len(soft), 'errors not received'
    # Wrong sequence number, short quotes, source quench, type 18.
    una = p.rcv
    junk = [
        _icmp_error_about(b, p, 3, 3, (una + 100000) % 2**32),
        _icmp_error_about(b, p, 3, 3, una, quote_len=2),
        _icmp_error_about(b, p, 4, 0, una),
        IP(src=ROUTER, dst=b.dut.ip) / ICMP(type=18, code=0) / Raw(b'\xff\xff\xff\x00'),
        IP(src=ROUTER, dst=b.dut.ip) / ICMP(type=3, code=4) / Raw(b'\x45\x00\x00'),
    ]
    c0 = b.dut.counters()
    for pkt in junk:
        b.wire.send_ip(pkt)
    time.sleep(0.3)
    c1 = b.dut.counters()
    assert _delta(c0, c1, 'tcp.icmp_unmatched') >= 1, 'an error with a wrong sequence was not refused'
    assert _delta(c0, c1, 'icmp.rx_bad_quote') >= 2, 'short quotes not counted as bad'
    assert _delta(c0, c1, 'icmp.rx_unknown_type') >= 2, 'source quench / type 18 not ignored'
    tcb = b.dut.tcb(rport=p.port)
    assert tcb is not None and tcb['state'] == 'ESTABLISHED', 'junk ICMP aborted the connection: %r' % tcb
    _echo_ok(b, p, b'still here')
    # A matching Port Unreachable reaches TCP.
    t0 = b.wire.mark()
    p.send('PA', b'last')
    r = p.expect(lambda s: tcp_data(s) == b'last', timeout=3, since=t0)
    assert r is not None
    c0 = b.dut.counters()
    b.wire.send_ip(_icmp_error_about(b, p, 3, 3, r.seq))
    time.sleep(0.2)
    c1 = b.dut.counters()
    assert _delta(c0, c1, 'tcp.icmp_hard') + _delta(c0, c1, 'tcp.icmp_soft') == 1, \
        'a matching port unreachable was not delivered to TCP'
    p.rcv = (r.seq + 4) % 2**32
    p.send('A')
    b.dut.nettest('abort')


TESTS = [
    ('I2.ip_options', i2_ip_options),
    ('I7.unknown_protocol', i7_unknown_protocol),
    ('C2.no_icmp_storms', c2_no_icmp_storms),
    ('C3.inbound_icmp_errors', c3_inbound_icmp_errors),
    ('I5.oversized_reassembly', i5_oversized_reassembly),
    ('I6.fragment_exhaustion', i6_fragment_exhaustion),
]
