"""TCP tests of the catalog, second part (robustness-tests.md T2, T4, T6,
T10, T11, T15, T16), each a function of a Bench. A test raises
AssertionError with the reason when Pigeon is wrong.

Counts and waits are scaled to keep the group near a minute in make test;
ATTACK_FULL=1 in the environment runs the catalog's full counts (each
test's docstring says what changes)."""

import hashlib
import os
import random
import re
import socket
import struct
import threading
import time

from scapy.all import IP, TCP, Raw

from cases_link import _assert_big_sha, _finish_big_fetch, _start_big_fetch
from cases_tcp import _delta, _established, _listen, LPORT
from tcppeer import TcpPeer, pigeon_connects, tcp_data
from wire import PEERS, peer_mac, tolerance

FULL = os.environ.get('ATTACK_FULL') == '1'
SHA_RE = r'nettest: sha256 ([0-9a-f]{64}) in=(\d+)'
MSS_DEFAULT = 536                   # RFC 9293 MUST-15: no MSS option
ISN_TICKS_PER_S = 250000            # RFC 6528: the clock ticks every 4 us
EPHEMERAL = (49152, 65535)          # RFC 6335 dynamic ports
CHI2_15DF_P001 = 37.70              # chi-square, 15 degrees of freedom, p = 0.001
SEQ_MOD = 2**32
RST_PER_SECOND_MAX = 200            # net/tcp_conn.h TCP_RST_PER_SECOND_MAX


def _pattern(n, start=0):
    """Bytes start..start+n-1 of nettest's stream (byte i is i % 251)."""
    return bytes((start + i) % 251 for i in range(n))


def _sha(b):
    m = re.search(SHA_RE, b.dut.nettest('sha256'))
    assert m, 'nettest sha256 printed nothing'
    return m.group(1), int(m.group(2))


def _wait_status(b, pattern, timeout=3.0):
    """Poll `nettest status` until pattern matches; returns the output."""
    deadline = time.monotonic() + timeout * b.guest.scale
    while True:
        out = b.dut.nettest('status')
        if re.search(pattern, out):
            return out
        assert time.monotonic() < deadline, 'nettest status never matched %r: %r' % (pattern, out)
        time.sleep(0.1)


def _raw_segment(p, flags='PA', data=b'', opts=b'', seq=None, ack=None, win=None, urgptr=0):
    """An IP/TCP packet from peer p whose option bytes are exactly opts
    (padded with EOL to a 4-byte multiple): malformed options scapy will
    not build itself."""
    opts = opts + b'\x00' * (-len(opts) % 4)
    t = TCP(sport=p.port, dport=p.dut_port, flags=flags, seq=(p.snd if seq is None else seq) % SEQ_MOD,
            ack=(p.rcv if ack is None else ack) % SEQ_MOD, window=p.win if win is None else win,
            urgptr=urgptr, dataofs=5 + len(opts) // 4)
    return IP(src=p.ip, dst=p.dut_ip) / t / Raw(opts + data)


def _connect_with(b, peer_ip, isn=None, options=(('MSS', 1460),), win=65535, raw_opts=None, lport=0,
                  timeout_ms=None):
    """`nettest connect` to a virtual peer that answers the SYN with a
    SYN-ACK (its ISN isn, its options, or raw option bytes); returns the
    peer once Pigeon printed connected."""
    p, syn = pigeon_connects(b, peer_ip=peer_ip, synack=False)
    if isn is not None:
        p.snd = isn % SEQ_MOD
    if raw_opts is not None:
        p.send_raw(_raw_segment(p, 'SA', opts=raw_opts, win=win))
    else:
        p.send('SA', win=win, options=list(options), advance=False)
    p.snd = (p.snd + 1) % SEQ_MOD
    b.guest.expect(r'nettest: connected from port \d+', timeout=10)
    b.dut.finish()
    return p, syn


def _fill_window(b, p, chunk=1460):
    """Pigeon has `recvpause on`: send in-window data until its ACK
    advertises a zero window. Returns the bytes sent (all acknowledged)."""
    sent = bytearray()
    wnd = b.dut.tcb(rport=p.port)['rcv_wnd']
    for _ in range(400):
        if wnd == 0:
            return bytes(sent)
        t0 = b.wire.mark()
        left = wnd
        while left > 0:
            n = min(chunk, left)
            data = _pattern(n, len(sent) + 7)
            p.send('PA', data)
            sent += data
            left -= n
        r = p.expect(lambda t: t.ack == p.snd, timeout=3, since=t0)
        assert r is not None, 'in-window data not acknowledged while filling (%d bytes in)' % len(sent)
        wnd = r.window << getattr(p, 'wscale_dut', 0)
    raise AssertionError('the window never closed after %d bytes' % len(sent))


def _zero_window_conn(b, peer_ip='192.0.2.2'):
    """A discard connection to Pigeon's listener whose window we filled
    while nettest does not read (recvpause on); returns (peer, bytes)."""
    p = _established(b, mode='discard', peer_ip=peer_ip)
    b.dut.nettest('recvpause on')
    return p, _fill_window(b, p)


# ---------------------------------------------------------------- T2

def t2_options(b):
    """T2: option parsing. In the SYN-ACK, a length of 0, a length of 1 and
    a length past the data offset are dropped (counted, no ACK, no loop),
    the retransmitted SYN then meets a SYN-ACK with an unknown kind 0xfe
    and an MSS of length 6 (ignored: the send MSS is the 536 default).
    In data segments on an echo connection the three bad lengths are
    dropped and counted; unknown kinds, an MSS, SACK blocks reversed or
    beyond SND.NXT and 40 bytes of NOP are harmless: the data echoes back
    byte for byte."""
    bad = [b'\xfe\x00\x00\x00',          # kind 0xfe, length 0: must end the parse
           b'\xfe\x01',                  # length 1
           b'\x02\x08\x05\xb4']          # MSS claiming 8 bytes in a 4-byte option area
    c0 = b.dut.counters()
    p, syn = pigeon_connects(b, peer_ip='192.0.2.3', synack=False)
    t0 = b.wire.mark()
    for opts in bad:
        p.send_raw(_raw_segment(p, 'SA', opts=opts))
    # (The shell waits in connect: the counters are read once it is done.)
    p.expect_none(lambda t: not t.flags.S, duration=0.5, since=t0)
    good = b'\xfe\x04\xab\xcd' + b'\x02\x06\x05\xb4\x00\x00' + b'\x01\x01'
    p.send_raw(_raw_segment(p, 'SA', opts=good))
    p.snd = (p.snd + 1) % SEQ_MOD
    b.guest.expect(r'nettest: connected from port \d+', timeout=10)
    b.dut.finish()
    t = b.dut.tcb(rport=p.port)
    assert t['state'] == 'ESTABLISHED', t
    assert t['mss'] == MSS_DEFAULT, 'an MSS option of length 6 was used: send MSS %d' % t['mss']
    c1 = b.dut.counters()
    assert _delta(c0, c1, 'tcp.drop_bad_options') == len(bad), \
        'bad SYN-ACK options: drop_bad_options moved by %d, want %d' % (
            _delta(c0, c1, 'tcp.drop_bad_options'), len(bad))
    b.dut.nettest('abort')

    q = _established(b, mode='echo', peer_ip='192.0.2.2')
    c0 = b.dut.counters()
    t0 = b.wire.mark()
    for opts in bad:
        q.send_raw(_raw_segment(q, 'PA', b'never', opts=opts))
    q.expect_none(duration=0.5, since=t0)
    c1 = b.dut.counters()
    assert _delta(c0, c1, 'tcp.drop_bad_options') == len(bad), 'bad data-segment options not counted'
    odd = [b'\xfe\x06\x01\x02\x03\x04',                                     # unknown kind
           b'\x02\x04\x00\x01',                                             # MSS 1 outside a SYN
           b'\x01\x01\x05\x0a' + struct.pack('!II', q.rcv + 5000, q.rcv),   # SACK reversed
           b'\x01\x01\x05\x0a' + struct.pack('!II', q.rcv + 10**6, q.rcv + 10**6 + 100),  # beyond SND.NXT
           b'\x01\x01\x05\x12' + struct.pack('!IIII', 0, 0xffffffff, 7, 3),  # two wild blocks
           b'\x01' * 40]                                                    # 40 bytes of NOP
    sent = b''
    for i, opts in enumerate(odd):
        data = ('opt%d-' % i).encode() * 3
        t0 = b.wire.mark()
        q.send_raw(_raw_segment(q, 'PA', data, opts=opts))
        q.snd = (q.snd + len(data)) % SEQ_MOD
        sent += data
        r = q.expect(lambda t: tcp_data(t) == data, timeout=3, since=t0)
        assert r is not None, 'no echo of the segment with options %s' % opts.hex()
        q.rcv = (r.seq + len(data)) % SEQ_MOD
        q.send('A')
    sha, n = _sha(b)
    assert n == len(sent) and sha == hashlib.sha256(sent).hexdigest(), 'the echoed stream differs'
    t = b.dut.tcb(rport=q.port)
    assert t['snd_una'] == t['snd_nxt'] and t['state'] == 'ESTABLISHED', t


# ---------------------------------------------------------------- T4

class _RstServer:
    """A virtual peer that answers every SYN with <RST,ACK>, recording
    (time, source port, ISN, destination port) of each."""

    def __init__(self, b, ip):
        self.b, self.ip = b, ip
        self.syns = []
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        w = self.b.wire
        while not self._stop:
            pk = w.expect(lambda q: IP in q and TCP in q and q[IP].dst == self.ip and q[TCP].flags == 'S',
                          timeout=0.2)
            if pk is None:
                continue
            s = pk[TCP]
            self.syns.append((w.last_time, s.sport, s.seq, s.dport))
            w.send_ip(IP(src=self.ip, dst=pk[IP].src) /
                      TCP(sport=s.dport, dport=s.sport, flags='RA', seq=0, ack=(s.seq + 1) % SEQ_MOD))

    def stop(self):
        self._stop = True
        self._thread.join(2)


def _chi2_16(values, lo, span):
    buckets = [0] * 16
    for v in values:
        buckets[min(15, (v - lo) * 16 // span)] += 1
    e = len(values) / 16.0
    return sum((x - e) ** 2 / e for x in buckets)


def _residual_rms(ys):
    """RMS residual of the least-squares line through (i, ys[i])."""
    n = len(ys)
    mx, my = (n - 1) / 2.0, sum(ys) / float(n)
    sxx = sum((i - mx) ** 2 for i in range(n))
    slope = sum((i - mx) * (y - my) for i, y in enumerate(ys)) / sxx
    return (sum((y - my - slope * (i - mx)) ** 2 for i, y in enumerate(ys)) / n) ** 0.5


def _connect_batch(b, cmds, per_line=7):
    for i in range(0, len(cmds), per_line):
        out = b.dut.run('; '.join(cmds[i:i + per_line]), timeout=60)
        assert out.count('refused') == len(cmds[i:i + per_line]), 'connects not refused: %r' % out[-300:]


def t4_isn_ports(b):
    """T4: ISN and ephemeral-port quality. Connections to a peer that
    resets every SYN: half to one port, half to different ports (200 in
    all; 2000 with ATTACK_FULL). No ISN repeats; ISNs show no linear
    relation (residual RMS > 2^20) and their part beyond the 4 us clock
    is uniform (chi-square, 16 buckets, p > 0.001); source ports are in
    49152-65535, uniform, hardly repeated and not sequential. The same
    4-tuple 1 s apart: the ISN advances by dt/4 us (RFC 6528 M)."""
    n = 2000 if FULL else 200
    srv = _RstServer(b, '192.0.2.4')
    try:
        cmds = ['nettest connect 192.0.2.4 5000'] * (n // 2)
        cmds += ['nettest connect 192.0.2.4 %d' % (5001 + i) for i in range(n - n // 2)]
        _connect_batch(b, cmds)
        deadline = time.monotonic() + 3
        while len(srv.syns) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        syns = list(srv.syns)
        # The same 4-tuple, about a second apart.
        first = len(srv.syns)
        _connect_batch(b, ['nettest connect 192.0.2.4 5999 50999'])
        time.sleep(1.0)
        _connect_batch(b, ['nettest connect 192.0.2.4 5999 50999'])
        deadline = time.monotonic() + 3
        while len(srv.syns) < first + 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        pair = srv.syns[first:first + 2]
    finally:
        srv.stop()
    assert len(syns) == n, 'saw %d SYNs for %d connects' % (len(syns), n)
    isns = [s[2] for s in syns]
    ports = [s[1] for s in syns]
    assert len(set(isns)) == n, '%d repeated ISNs' % (n - len(set(isns)))
    for name, part in (('one port', isns[:n // 2]), ('different ports', isns[n // 2:])):
        rms = _residual_rms(part)
        assert rms > 2**20, '%s: ISNs lie on a line (residual RMS %.0f)' % (name, rms)
    # Take the clock out: what is left is F(4-tuple, secret), uniform.
    keyed = [(isn - int(t * ISN_TICKS_PER_S)) % SEQ_MOD for t, _, isn, _ in syns]
    chi = _chi2_16(keyed, 0, SEQ_MOD)
    assert chi < CHI2_15DF_P001, 'ISN - clock not uniform: chi-square %.1f' % chi
    lo, hi = EPHEMERAL
    assert all(lo <= p <= hi for p in ports), 'a source port outside %d-%d' % EPHEMERAL
    chi = _chi2_16(ports, lo, hi - lo + 1)
    assert chi < CHI2_15DF_P001, 'source ports not uniform: chi-square %.1f' % chi
    assert len(set(ports)) >= 0.9 * n, 'only %d distinct ports in %d' % (len(set(ports)), n)
    steps = [(b2 - a) % 65536 for a, b2 in zip(ports, ports[1:])]
    small = sum(1 for d in steps if d <= 16 or d >= 65536 - 16)
    assert small <= max(2, n // 50), '%d of %d consecutive ports within 16 of each other' % (small, n - 1)
    assert len(pair) == 2 and pair[0][1] == pair[1][1] == 50999, 'same 4-tuple connects not seen: %r' % pair
    dt = pair[1][0] - pair[0][0]
    adv = (pair[1][2] - pair[0][2]) % SEQ_MOD
    want = dt * ISN_TICKS_PER_S
    assert abs(adv - want) <= tolerance(dt) * ISN_TICKS_PER_S, \
        'same 4-tuple %.3f s apart: ISN advanced %d, want about %d' % (dt, adv, want)


# ---------------------------------------------------------------- T6

def _syn_match(b, ip, port):
    return lambda q: IP in q and TCP in q and q[IP].dst == ip and q[TCP].dport == port and q[TCP].flags == 'S'


def t6_syn_retransmit(b):
    """T6: a peer that drops SYNs sees the SYN again after 1, 2, 4 and 8 s
    (+-(100 ms + 25%)), same ISN and port. The fifth SYN is answered: as
    the RTO expired during the handshake, the first data is retransmitted
    after no less than 3 s (RFC 6298 5.7). With ATTACK_FULL a second
    connect without an application deadline measures the total effort,
    which RFC 9293 MUST-23 wants to be at least 3 minutes."""
    ip, port = '192.0.2.5', 6006
    t0 = b.wire.mark()
    b.dut.start('nettest connect %s %d 0 60000' % (ip, port))
    syns, times = [], []
    for i in range(5):
        want = 2 ** (i - 1) if i else 0
        s = b.wire.expect(_syn_match(b, ip, port), timeout=want + tolerance(want) + 3, since=t0)
        assert s is not None, 'SYN %d missing' % (i + 1)
        syns.append(s[TCP])
        times.append(b.wire.last_time)
        t0 = b.wire.last_time + 0.001
    gaps = [y - x for x, y in zip(times, times[1:])]
    for i, g in enumerate(gaps):
        want = 2.0 ** i
        assert abs(g - want) <= tolerance(want), 'SYN gap %d: %.3f s, want %.0f s' % (i + 1, g, want)
    assert len({(s.seq, s.sport) for s in syns}) == 1, 'the retransmitted SYNs differ in ISN or port'
    # Answer the last SYN: the handshake lost four SYNs.
    s = syns[-1]
    p = TcpPeer(b, peer_ip=ip, port=port, dut_port=s.sport)
    p.rcv = (s.seq + 1) % SEQ_MOD
    p.send('SA', options=[('MSS', 1460)])
    b.guest.expect(r'nettest: connected from port \d+', timeout=10)
    b.dut.finish()
    t0 = b.wire.mark()
    b.dut.nettest('send 100')
    d = p.expect(lambda t: len(tcp_data(t)) == 100, timeout=3, since=t0)
    assert d is not None, 'no data after the handshake'
    t1 = b.wire.last_time
    r = p.expect(lambda t: len(tcp_data(t)) == 100 and t.seq == d.seq, timeout=3 + tolerance(3) + 2,
                 since=t1 + 0.001)
    assert r is not None, 'the first data was never retransmitted'
    gap = b.wire.last_time - t1
    assert gap >= 3.0 - tolerance(3.0), \
        'RTO after a lost SYN: data retransmitted after %.2f s, RFC 6298 5.7 wants 3 s' % gap
    p.send('A', ack=d.seq + 100, advance=False)
    b.dut.nettest('abort')
    if not FULL:
        return
    t0 = b.wire.mark()
    b.dut.start('nettest connect %s %d 0 600000' % (ip, port + 1))
    first = b.wire.expect(_syn_match(b, ip, port + 1), timeout=5, since=t0)
    assert first is not None, 'no SYN'
    start = b.wire.last_time
    m = b.guest.expect(r'nettest: connect: (.*)', timeout=400)
    b.dut.finish()
    effort = time.monotonic() - start
    assert effort >= 180 - tolerance(180), \
        'MUST-23: the SYN was given up after %.0f s (%s), less than 3 minutes' % (effort, m.group(1))


# ---------------------------------------------------------------- T10

def _first_wins(stream_len, sends, base):
    """Simulate a first-wins receiver over sends [(offset, bytes)]: the
    stream it delivers, and for each send the RCV.NXT after it (offsets
    from base) and whether it arrived out of order or duplicate."""
    got = bytearray(stream_len)
    have = bytearray(stream_len)
    nxt = base
    notes = []
    for off, data in sends:
        for i, byte in enumerate(data):
            if not have[off + i]:
                have[off + i] = 1
                got[off + i] = byte
        ooo = off > nxt or off + len(data) <= nxt
        while nxt < stream_len and have[nxt]:
            nxt += 1
        notes.append((nxt, ooo))
    return bytes(got), notes


def _block_sends(rng, stream, start, end, seg):
    """Shuffled segments covering [start, end) with duplicates, same-byte
    overlaps, different-byte overlaps sent after the bytes they cover, and
    one different-byte overlap ahead of them (first-wins decides)."""
    pieces = [(o, stream[o:min(o + seg, end)]) for o in range(start, end, seg)]
    order = pieces[:]
    rng.shuffle(order)
    if order[0][0] == start and len(order) > 1:
        order[0], order[1] = order[1], order[0]      # the first one is out of order
    out = []
    for o, d in order:
        out.append((o, d))
        r = rng.random()
        if r < 0.15:
            out.append((o, d))                                       # duplicate
        elif r < 0.3 and o + seg + seg // 2 <= end:
            a = o + seg // 2
            out.append((a, stream[a:a + seg]))                       # same-byte overlap
        elif r < 0.45:
            a = o + seg // 4
            out.append((a, bytes(x ^ 0xff for x in stream[a:a + seg // 2])))  # stale, different
    # A conflicting overlap first, for a gap not yet filled: it wins.
    last = order[-1][0]
    if last > start:
        out.insert(0, (last + 10, b'\xee' * min(20, len(stream[last + 10:last + 30]))))
    return out


def t10_reassembly(b):
    """T10: the peer (ISN just below 2^32, so the stream wraps) sends
    256 KiB (1 MiB with ATTACK_FULL) in 16 KB blocks of shuffled 1000-byte
    segments with duplicates and overlaps, same and different bytes.
    Pigeon delivers exactly the first-wins stream (sha256 from nettest),
    answers each out-of-order or duplicate segment at once with an ACK of
    RCV.NXT (RFC 5681 4.2), and bounds its out-of-order ranges: a burst of
    more one-byte islands than it keeps is counted and dropped, and the
    stream still completes."""
    total = (1 << 20) if FULL else (256 << 10)
    seg, block = 1000, 16000
    rng = random.Random(10)
    stream = bytes(rng.getrandbits(8) for _ in range(total))
    isn = SEQ_MOD - 70001
    p, _ = _connect_with(b, '192.0.2.6', isn=isn, options=[('MSS', 1460), ('WScale', 7)])
    base_seq = p.snd
    sends_all = []
    for start in range(0, total, block):
        end = min(start + block, total)
        sends = _block_sends(rng, stream, start, end, seg)
        sends = [(o, d) for o, d in sends if d]
        sends_all += sends
        t0 = b.wire.mark()
        for o, d in sends:
            p.send('PA', d, seq=base_seq + o, advance=False)
        want_ack = (base_seq + end) % SEQ_MOD
        r = b.wire.expect(lambda q: p.match(q) and q[TCP].ack == want_ack, timeout=5, since=t0, consume=False)
        assert r is not None, 'block at %d never fully acknowledged' % start
        acks = [q[TCP].ack for _, q in b.wire.collect(lambda q: p.match(q), 0.05, since=t0)]
        _, notes = _first_wins(total, sends_all, 0)
        notes = notes[-len(sends):]
        ooo_acks = [(base_seq + n) % SEQ_MOD for n, ooo in notes if ooo and n < end]
        missing = [a for a in set(ooo_acks) if a not in acks]
        assert not missing, 'block at %d: no immediate ACK of RCV.NXT %r after out-of-order data' % (
            start, missing[:3])
        assert len(acks) >= len(ooo_acks), 'block at %d: %d ACKs for %d out-of-order segments' % (
            start, len(acks), len(ooo_acks))
    p.snd = (base_seq + total) % SEQ_MOD
    # More islands than the out-of-order list keeps: counted, bounded.
    c0 = b.dut.counters()
    extra = _pattern(4000, 3)
    t0 = b.wire.mark()
    for k in range(1, 200, 2):
        p.send('PA', extra[k * 10:k * 10 + 1], seq=p.snd + k * 10, advance=False)
    time.sleep(0.5)
    c1 = b.dut.counters()
    assert _delta(c0, c1, 'tcp.drop_reass_full') > 0, 'more than %s islands kept' % 'the bound of'
    t = b.dut.tcb(rport=p.port)
    assert t and t['state'] == 'ESTABLISHED', t
    for o in range(0, len(extra), seg):
        p.send('PA', extra[o:o + seg])
    r = p.expect(lambda t: t.ack == p.snd, timeout=5, since=t0)
    assert r is not None, 'the data after the island burst was not acknowledged'
    p.send('FA')
    _wait_status(b, r'eof=yes', timeout=5)
    want, _ = _first_wins(total, sends_all, 0)
    sha, n = _sha(b)
    assert n == total + len(extra), 'delivered %d bytes, want %d' % (n, total + len(extra))
    assert sha == hashlib.sha256(want + extra).hexdigest(), \
        'the delivered stream is not the first-wins stream%s' % (
            ' (it is last-wins)' if sha == hashlib.sha256(_last_wins(total, sends_all) + extra).hexdigest()
            else '')


def _last_wins(total, sends):
    got = bytearray(total)
    delivered = 0
    have = bytearray(total)
    for off, data in sends:
        for i, byte in enumerate(data):
            if off + i >= delivered:
                got[off + i] = byte
                have[off + i] = 1
        while delivered < total and have[delivered]:
            delivered += 1
    return bytes(got)


# ---------------------------------------------------------------- T11

def t11_zero_window(b):
    """T11: (a) a SYN-ACK with window 0 and our request queued: no data
    until the persist timer, probes after about RTO, 2 RTO, 4 RTO, 8 RTO
    (12 probes with ATTACK_FULL, which takes minutes), each ACKed with
    window 0, and no give-up; the window opens and the bytes arrive intact.
    (b) `recvpause on` until our window is 0: probes get ACK win=0 and are
    not taken; after reading, a window update of at least one MSS (no
    silly window); the rest of the stream arrives, sha256 intact.
    (c) an RST at RCV.NXT while our window is 0 resets the connection."""
    # (a)
    p, _ = _connect_with(b, '192.0.2.7', win=0)
    rto = b.dut.tcb(rport=p.port)['rto'] / 1000.0
    t0 = b.wire.mark()
    b.dut.nettest('send 100')
    probes = 12 if FULL else 4
    times, since = [t0], t0
    for i in range(probes):
        want = min(rto * 2 ** i, 60.0)
        r = p.expect(lambda t: len(tcp_data(t)) > 0, timeout=want + tolerance(want) + 1, since=since)
        assert r is not None, 'zero-window probe %d missing' % (i + 1)
        assert len(tcp_data(r)) == 1 and r.seq == p.rcv, 'probe %d is not one byte at SND.UNA: seq %d len %d (SND.UNA %d)' % (i + 1, r.seq, len(tcp_data(r)), p.rcv)
        times.append(b.wire.last_time)
        since = b.wire.last_time + 0.001
        p.send('A', win=0, advance=False)
    gaps = [y - x for x, y in zip(times, times[1:])]
    assert gaps[0] >= rto / 2, 'the first probe came %.3f s after the send, RTO is %.3f s' % (gaps[0], rto)
    for i, g in enumerate(gaps):
        want = min(rto * 2 ** i, 60.0)
        if i == 0:
            continue            # from the typed command, not from the send
        assert abs(g - want) <= tolerance(want) + 0.05, 'probe gap %d: %.3f s, want %.3f s' % (i + 1, g, want)
    t = b.dut.tcb(rport=p.port)
    assert t and t['state'] == 'ESTABLISHED', 'gave up while the probes were acknowledged: %r' % t
    t0 = b.wire.mark()
    p.send('A', win=65535, advance=False)
    got = b''
    while len(got) < 100:
        r = p.expect(lambda t: len(tcp_data(t)) > 0 and t.seq == (p.rcv + len(got)) % SEQ_MOD, timeout=3, since=t0)
        assert r is not None, 'data did not follow the window update (%d of 100 bytes)' % len(got)
        got += tcp_data(r)
    assert got == _pattern(100), 'the request changed while the window was shut'
    p.rcv = (p.rcv + 100) % SEQ_MOD
    p.send('A')
    b.dut.nettest('abort')

    # (b)
    q, sent = _zero_window_conn(b)
    for i in range(3):
        t0 = b.wire.mark()
        q.send('PA', b'P', advance=False)
        r = q.expect(lambda t: t.ack == q.snd, timeout=2, since=t0)
        assert r is not None and r.window == 0, 'probe %d: no ACK with window 0' % (i + 1)
    t = b.dut.tcb(rport=q.port)
    assert t['rcv_nxt'] == q.snd, 'a probe byte was taken into a zero window'
    t0 = b.wire.mark()
    b.dut.nettest('recvpause off')
    r = q.expect(lambda t: t.window > 0, timeout=3, since=t0)
    assert r is not None, 'no window update after reading'
    small = [x[TCP].window for _, x in b.wire.collect(lambda x: q.match(x), 0.3, since=t0)
             if 0 < x[TCP].window < 1460]
    assert not small, 'silly window advertised: %r' % small[:5]
    rest = _pattern(5000, 99)
    t0 = b.wire.mark()
    for o in range(0, len(rest), 1460):
        q.send('PA', rest[o:o + 1460])
    assert q.expect(lambda t: t.ack == q.snd, timeout=3, since=t0), 'data after the window reopened not ACKed'
    _wait_status(b, r'in=%d ' % (len(sent) + len(rest)))
    sha, n = _sha(b)
    assert sha == hashlib.sha256(sent + rest).hexdigest(), 'data lost or changed around the zero window'
    b.dut.nettest('abort')

    # (c)
    q, _ = _zero_window_conn(b, peer_ip='192.0.2.8')
    q.send('R', advance=False)
    deadline = time.monotonic() + 3 * b.guest.scale
    t = b.dut.tcb(rport=q.port)
    while t and t['state'] != 'CLOSED' and time.monotonic() < deadline:
        time.sleep(0.1)
        t = b.dut.tcb(rport=q.port)
    assert t is None or t['state'] == 'CLOSED', 'an RST at RCV.NXT in a zero window was ignored: %r' % t


# ---------------------------------------------------------------- T15

def t15_urgent(b):
    """T15: URG with urgent pointer 0, = the segment length, > the length,
    0xFFFF, and on a segment without data: the bytes are echoed inline
    and unchanged, the connection stays up. Inside a zero window an URG
    probe gets ACK win=0 and the connection survives."""
    p = _established(b, mode='echo')
    sent = b''
    for i, urp in enumerate((0, 9, 10, 500, 0xffff)):
        data = ('urgent-%02d' % i).encode() + b'!'   # 10 bytes
        t0 = b.wire.mark()
        p.send('PAU', data, urgptr=urp)
        r = p.expect(lambda t: tcp_data(t) == data, timeout=3, since=t0)
        assert r is not None, 'URG with pointer %d: data not echoed inline' % urp
        p.rcv = (r.seq + len(data)) % SEQ_MOD
        p.send('A')
        sent += data
    t0 = b.wire.mark()
    p.send('AU', urgptr=5)
    p.send('PA', b'after')
    r = p.expect(lambda t: tcp_data(t) == b'after', timeout=3, since=t0)
    assert r is not None, 'connection broken after an URG without data'
    p.rcv = (r.seq + 5) % SEQ_MOD
    p.send('A')
    sha, n = _sha(b)
    assert sha == hashlib.sha256(sent + b'after').hexdigest(), 'urgent bytes not delivered inline'
    b.dut.nettest('abort')
    q, filled = _zero_window_conn(b, peer_ip='192.0.2.3')
    t0 = b.wire.mark()
    q.send('PAU', b'U', urgptr=0xffff, advance=False)
    r = q.expect(lambda t: t.ack == q.snd, timeout=2, since=t0)
    assert r is not None and r.window == 0, 'URG probe in a zero window: no ACK win=0'
    t = b.dut.tcb(rport=q.port)
    assert t['state'] == 'ESTABLISHED' and t['rcv_nxt'] == q.snd, t
    b.dut.nettest('recvpause off')
    _wait_status(b, r'in=%d ' % len(filled))


# ---------------------------------------------------------------- T16

def _csum(data):
    if len(data) % 2:
        data += b'\x00'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def _fast_tcp_frame(dst_mac, src_ip, dst_ip, sport, dport, seq, ack, flags, win=8192):
    """A minimal Ether/IPv4/TCP frame built without scapy (floods)."""
    sip, dip = socket.inet_aton(src_ip), socket.inet_aton(dst_ip)
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, win, 0, 0)
    cs = _csum(sip + dip + struct.pack('!BBH', 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack('!H', cs) + tcp[18:]
    iph = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 40, random.getrandbits(16), 0, 64, 6, 0, sip, dip)
    iph = iph[:10] + struct.pack('!H', _csum(iph)) + iph[12:]
    src_mac = peer_mac(src_ip) if src_ip in PEERS else peer_mac(PEERS[0])
    eth = bytes.fromhex(dst_mac.replace(':', '')) + bytes.fromhex(src_mac.replace(':', '')) + b'\x08\x00'
    return eth + iph + tcp


def _not_listener(rng):
    """A random port other than the listener's (a SYN there would leave
    half-open children retrying for a minute)."""
    port = LPORT
    while port == LPORT:
        port = rng.randint(1, 65535)
    return port


def _heap_used(b):
    m = re.search(r'heap[^\n]*?(\d+) (?:KiB|bytes) (?:in use|used)', b.dut.run('mem'))
    return int(m.group(1)) if m else None


def t16_floods(b):
    """T16: a concurrent fetch of the 64 MiB file completes (sha256) while: 3000
    random-flag segments (100k with ATTACK_FULL) hit random ports from the
    virtual peers, and Pigeon's RSTs stay at most one per segment and at
    most 200 a second (the rest counted as tcp.rst_rate_limited); a land
    SYN (source = destination = Pigeon) leaves no connection and no hang;
    SYNs from broadcast and multicast sources get no reply and no TCB and
    are counted; an ACK flood on a live connection draws replies only at
    the RFC 5961 rate, and the connection still echoes."""
    d, w = b.dut, b.wire
    _listen(b, 'echo')
    p = TcpPeer(b, peer_ip='192.0.2.2', dut_port=LPORT)
    p.connect()
    _wait_status(b, r'conn=yes')
    heap0 = _heap_used(b)
    c0 = d.counters()
    # Land: source = destination, port = port, to the listener.
    land = _fast_tcp_frame(w.guest_mac, d.ip, d.ip, LPORT, LPORT, 4242, 0, 0x02)
    # SYNs from addresses no host can have.
    odd_src = ['255.255.255.255', '192.0.2.255', '224.0.0.1', '239.1.2.3']
    t0 = w.mark()
    for _ in range(3):
        w.send(land)
    for src in odd_src:
        w.send(_fast_tcp_frame(w.guest_mac, src, d.ip, 40000, LPORT, 777, 0, 0x02))
    time.sleep(0.5)
    c1 = d.counters()
    odd_drops = _delta(c0, c1, 'ipv4.rx_bad_src') + _delta(c0, c1, 'tcp.drop_bad_addr')
    assert odd_drops >= len(odd_src), 'SYNs from bad sources counted %d times, want %d' % (odd_drops, len(odd_src))
    mark = _start_big_fetch(b)
    n = 100000 if FULL else 3000
    rng = random.Random(16)
    peers = PEERS[2:7]
    frames = []
    for _ in range(n):
        flags = rng.getrandbits(8) & 0x3f
        frames.append(_fast_tcp_frame(w.guest_mac, rng.choice(peers), d.ip, rng.randint(1024, 65535),
                                      _not_listener(rng), rng.getrandbits(32),
                                      rng.getrandbits(32), flags))
    t_flood = time.monotonic()
    for f in frames:
        w.send(f)
    time.sleep(0.5)
    # ACK flood on the live connection: dup, too new, too old, out of window.
    acks = []
    for i in range(600):
        kind = i % 4
        seq = p.snd if kind != 3 else p.snd + 2**30
        ack = {0: p.rcv, 1: p.rcv + 100000, 2: p.rcv - 2**30, 3: p.rcv}[kind]
        acks.append(_fast_tcp_frame(w.guest_mac, p.ip, d.ip, p.port, LPORT, seq % SEQ_MOD, ack % SEQ_MOD, 0x10,
                                    p.win))
    t_acks = w.mark()
    for i in range(0, len(acks), 50):
        for f in acks[i:i + 50]:
            w.send(f)
        time.sleep(0.02)
    _assert_big_sha(_finish_big_fetch(b, mark))
    time.sleep(0.5)
    sent = w.collect(lambda q: IP in q and TCP in q and q[IP].src == d.ip, 0.1, since=t0)
    rsts = [q for _, q in sent if q[TCP].flags.R and q[IP].dst in peers]
    non_rst_in = sum(1 for f in frames if not f[14 + 20 + 13] & 0x04)
    assert len(rsts) <= non_rst_in, '%d RSTs for %d segments' % (len(rsts), non_rst_in)
    # The RST rate is bounded (TCP_RST_PER_SECOND_MAX in net/tcp_conn.h),
    # and the segments it left unanswered are counted.
    span = time.monotonic() - t_flood
    budget = RST_PER_SECOND_MAX * (int(span) + 2)
    assert len(rsts) <= budget, '%d RSTs in %.1f s: more than %d a second' % (len(rsts), span, RST_PER_SECOND_MAX)
    if non_rst_in > budget:
        limited = d.counters().get('tcp.rst_rate_limited', 0) - c0.get('tcp.rst_rate_limited', 0)
        assert limited > 0, '%d segments drew %d RSTs and none was counted as limited' % (non_rst_in, len(rsts))
    assert not any(q[IP].dst in odd_src for _, q in sent), 'answered a SYN from a broadcast/multicast source'
    replies = [q for t, q in sent if t >= t_acks and p.match(q)]
    elapsed = max(1.0, time.monotonic() - t_acks)
    limit = 10 * (elapsed + 1) + 5
    assert len(replies) <= limit, 'ACK flood: %d replies in %.1f s (RFC 5961 limit 10/s)' % (len(replies), elapsed)
    tcbs = d.tcbs()
    bad = [t for t in tcbs if t['raddr'] == d.ip or t['raddr'] in odd_src]
    assert not bad, 'a TCB for a land or bad-source SYN: %r' % bad
    t1 = w.mark()
    p.send('PA', b'alive?')
    r = p.expect(lambda t: tcp_data(t) == b'alive?', timeout=3, since=t1)
    assert r is not None, 'the connection stopped echoing after the floods'
    p.rcv = (r.seq + 6) % SEQ_MOD
    p.send('A')
    heap1 = _heap_used(b)
    if heap0 is not None and heap1 is not None:
        assert heap1 <= heap0 + 64, 'heap grew from %d to %d' % (heap0, heap1)


TESTS = [
    ('T2.options', t2_options),
    ('T15.urgent', t15_urgent),
    ('T10.reassembly', t10_reassembly),
    ('T11.zero_window', t11_zero_window),
    ('T4.isn_ports', t4_isn_ports),
    ('T16.floods', t16_floods),
    ('T6.syn_retransmit', t6_syn_retransmit),
]
