"""TCP tests of the catalog (robustness-tests.md T*), each a function of a
Bench. A test raises AssertionError with the reason when Pigeon is wrong."""

import time

from scapy.all import TCP

from tcppeer import TcpPeer, pigeon_connects, tcp_data
from wire import tolerance

LPORT = 7


def _listen(b, mode='echo'):
    out = b.dut.nettest('listen %d %s' % (LPORT, mode))
    assert 'listening' in out, out


def _established(b, mode='echo', peer_ip='192.0.2.2'):
    _listen(b, mode)
    p = TcpPeer(b, peer_ip=peer_ip, dut_port=LPORT)
    p.connect()
    # The worker accepts within a poll or two; wait until it has.
    deadline = time.monotonic() + 3
    while 'conn=yes' not in b.dut.nettest('status'):
        assert time.monotonic() < deadline, 'nettest never accepted the connection'
        time.sleep(0.05)
    return p


def _delta(before, after, key):
    return after.get(key, 0) - before.get(key, 0)


def t3_header_validation(b):
    """T3: bad checksum, data offset < 5, no flags, SYN+FIN, RST to LISTEN:
    dropped, counted, nothing sent back; a bare ACK to a closed port gets
    <SEQ=SEG.ACK><RST>."""
    p = _established(b)
    c0 = b.dut.counters()
    t0 = b.wire.mark()
    bad = p.packet('PA', b'X' * 10)
    bad[TCP].chksum = (TCP(bytes(bad[TCP])).chksum ^ 0x5a5a) or 1
    p.send_raw(bad)
    short = p.packet('PA', b'Y' * 10)
    short[TCP].dataofs = 4
    p.send_raw(short)
    p.expect_none(duration=0.6, since=t0)
    c1 = b.dut.counters()
    assert _delta(c0, c1, 'tcp.drop_bad_checksum') == 1, 'tcp.drop_bad_checksum did not count'
    assert _delta(c0, c1, 'tcp.drop_bad_hlen') == 1, 'tcp.drop_bad_hlen did not count'
    # No flags at all: dropped without a reply (packetdrill validate-established-no-flags).
    t0 = b.wire.mark()
    p.send('', b'Z' * 5, advance=False)
    p.expect_none(lambda t: len(tcp_data(t)) > 0 or t.ack > p.snd, duration=0.6, since=t0)
    # The connection still works: echo comes back.
    t0 = b.wire.mark()
    p.send('PA', b'hello')
    r = p.expect(lambda t: tcp_data(t) == b'hello', timeout=3, since=t0)
    assert r is not None, 'echo lost after the malformed segments'
    p.rcv = (r.seq + 5) % 2**32
    p.send('A')
    b.dut.nettest('abort')
    # SYN+FIN to the (closed) listener port, and to a listener.
    _listen(b, 'discard')
    q = TcpPeer(b, peer_ip='192.0.2.4', dut_port=LPORT)
    c0 = b.dut.counters()
    t0 = b.wire.mark()
    q.send('SF', advance=False)
    q.send('R', advance=False)
    q.send('RA', b'data', advance=False)
    q.expect_none(duration=0.6, since=t0)
    c1 = b.dut.counters()
    assert _delta(c0, c1, 'tcp.drop_listen_syn_fin') == 1, 'SYN+FIN to a listener not counted'
    b.dut.nettest('close')
    # ACK to a closed port: RST with seq = the ACK's ack number.
    q2 = TcpPeer(b, peer_ip='192.0.2.5', dut_port=LPORT + 1)
    t0 = b.wire.mark()
    q2.send('A', ack=123456789, advance=False)
    r = q2.expect(timeout=2, since=t0)
    assert r is not None and r.flags.R and r.seq == 123456789, 'no <SEQ=SEG.ACK><RST> for an ACK to a closed port'


def t5_syn_sent(b):
    """T5: in SYN-SENT an RST without ACK or with a wrong ACK is ignored; a
    SYN-ACK acking the wrong number draws <SEQ=SEG.ACK><RST> and the
    connection stays in SYN-SENT; the right RST ends it as refused."""
    p, syn = pigeon_connects(b, synack=False)
    iss = syn.seq
    p.rcv = None
    t0 = b.wire.mark()
    p.send('R', ack=0, advance=False)
    p.send('RA', ack=iss + 1000, advance=False)
    p.expect_none(lambda t: not t.flags.S, duration=0.5, since=t0)
    t0 = b.wire.mark()
    p.send('SA', ack=iss + 77, advance=False)
    r = p.expect(lambda t: t.flags.R, timeout=2, since=t0)
    assert r is not None and r.seq == (iss + 77) % 2**32, 'bad SYN-ACK: no <SEQ=SEG.ACK><RST>'
    # Still connecting: the right RST refuses it promptly.
    t0 = b.wire.mark()
    p.send('RA', ack=iss + 1, advance=False)
    m = b.guest.expect(r'nettest: connect: (.*)', timeout=3)
    assert 'refused' in m.group(1), 'connect ended with %r, not refused' % m.group(1)
    b.dut.finish()


def t7_blind_rst(b):
    """T7 (RFC 5961 3.2): RST outside the window dropped silently; inside
    but not RCV.NXT draws one challenge ACK; exactly RCV.NXT resets."""
    p = _established(b)
    c0 = b.dut.counters()
    t0 = b.wire.mark()
    p.send('R', seq=p.snd + 10_000_000, advance=False)
    p.expect_none(duration=0.6, since=t0)
    c1 = b.dut.counters()
    assert _delta(c0, c1, 'tcp.drop_rst_out_of_window') >= 1, 'out-of-window RST not counted'
    t0 = b.wire.mark()
    p.send('R', seq=p.snd + 100, advance=False)
    r = p.expect(timeout=2, since=t0)
    assert r is not None and r.flags == 'A', 'no challenge ACK for an in-window RST'
    assert r.seq == p.rcv and r.ack == p.snd, 'challenge ACK is not <SEQ=SND.NXT><ACK=RCV.NXT>'
    t = b.dut.tcb(rport=p.port)
    assert t and t['state'] == 'ESTABLISHED', 'connection did not survive: %r' % t
    p.send('R', advance=False)
    time.sleep(0.3)
    t = b.dut.tcb(rport=p.port)
    assert t is None or t['state'] == 'CLOSED', 'an exact RST did not reset: %r' % t
    out = b.dut.nettest('status')
    assert 'reset' in out, 'the application was not told: %r' % out


def t8_blind_syn(b):
    """T8 (RFC 5961 4): a SYN in ESTABLISHED gets a challenge ACK, no reset."""
    p = _established(b)
    for off in (0, 1000, -1000, 2**31):
        t0 = b.wire.mark()
        p.send('S', seq=p.snd + off, advance=False)
        r = p.expect(timeout=2, since=t0)
        assert r is not None and r.flags == 'A' and r.ack == p.snd, \
            'SYN at offset %d: no challenge ACK (%r)' % (off, r and r.sprintf('%flags%'))
        time.sleep(0.15)
    t = b.dut.tcb(rport=p.port)
    assert t and t['state'] == 'ESTABLISHED', 'connection lost to a blind SYN: %r' % t
    t0 = b.wire.mark()
    p.send('PA', b'still')
    assert p.expect(lambda t: tcp_data(t) == b'still', timeout=3, since=t0), 'echo lost'


def t9_out_of_window(b):
    """T9: data beyond RCV.NXT+RCV.WND is not queued and draws an ACK; an
    ACK for data never sent is dropped with an ACK (RFC 5961 5)."""
    p = _established(b, mode='discard')
    before = b.dut.tcb(rport=p.port)
    t0 = b.wire.mark()
    p.send('PA', b'Q' * 100, seq=p.snd + 2**30, advance=False)
    r = p.expect(timeout=2, since=t0)
    assert r is not None and r.flags.A and r.ack == p.snd, 'no ACK for out-of-window data'
    t0 = b.wire.mark()
    p.send('PA', b'W' * 10, ack=p.rcv + 50000, advance=False)
    r = p.expect(timeout=2, since=t0)
    assert r is not None and r.ack == p.snd, 'no ACK for an ACK of unsent data'
    after = b.dut.tcb(rport=p.port)
    assert after['rcv_nxt'] == before['rcv_nxt'], 'unacceptable data was accepted'
    assert after['snd_una'] == before['snd_una'], 'an ACK of unsent data moved snd_una'
    # Straddling the right edge: only the in-window part is taken.
    t0 = b.wire.mark()
    p.send('PA', b'ok')
    r = p.expect(lambda t: t.ack == p.snd, timeout=2, since=t0)
    assert r is not None, 'in-window data not acknowledged'


def t12_rto_backoff(b):
    """T12: unacknowledged data is retransmitted at RTO, 2*RTO, 4*RTO..."""
    p = _established(b, mode='discard')
    rto = b.dut.tcb(rport=p.port)['rto'] / 1000.0
    t0 = b.wire.mark()
    b.dut.nettest('send 100')
    first = p.expect(lambda t: len(tcp_data(t)) == 100, timeout=2, since=t0)
    assert first is not None, 'data not sent'
    times = [b.wire.last_time]
    for i in range(4):
        want = rto * 2 ** i
        r = p.expect(lambda t: len(tcp_data(t)) == 100 and t.seq == first.seq,
                     timeout=want + tolerance(want) + 1.0, since=times[-1] + 0.001)
        assert r is not None, 'retransmission %d missing' % (i + 1)
        times.append(b.wire.last_time)
    gaps = [b2 - a for a, b2 in zip(times, times[1:])]
    for i, g in enumerate(gaps):
        want = rto * 2 ** i
        assert abs(g - want) <= tolerance(want), 'gap %d: %.3f s, want %.3f s (rto %.3f)' % (i, g, want, rto)
    p.rcv = (first.seq + 100) % 2**32
    p.send('A')
    time.sleep(0.3)
    t = b.dut.tcb(rport=p.port)
    assert t['snd_una'] == t['snd_nxt'], 'the ACK did not clear the retransmission'
    # Karn: the ACK of a retransmitted segment gives no sample; a fresh
    # segment ACKed at once does, and the RTO collapses back.
    t0 = b.wire.mark()
    b.dut.nettest('send 50')
    s = p.expect(lambda t: len(tcp_data(t)) == 50, timeout=2, since=t0)
    assert s is not None, 'fresh data not sent'
    p.send('A', ack=s.seq + 50, advance=False)
    time.sleep(0.3)
    t = b.dut.tcb(rport=p.port)
    assert t['rto'] <= max(rto * 1000 * 2, 1000), 'RTO did not come back down after a fresh sample: %d ms' % t['rto']


def t13_fast_retransmit(b):
    """T13: three duplicate ACKs trigger a retransmission before the RTO."""
    p = _established(b, mode='discard')
    t0 = b.wire.mark()
    b.dut.nettest('send 8192')
    segs = []
    deadline = time.monotonic() + 3
    while sum(len(tcp_data(s)) for s in segs) < 8192 and time.monotonic() < deadline:
        s = p.expect(lambda t: len(tcp_data(t)) > 0, timeout=1, since=t0)
        if s is None:
            break
        segs.append(s)
    assert len(segs) >= 4, 'only %d segments in flight' % len(segs)
    una = segs[0].seq + len(tcp_data(segs[0]))
    t1 = b.wire.mark()
    for _ in range(4):
        p.send('A', ack=una, advance=False)
    r = p.expect(lambda t: t.seq == una and len(tcp_data(t)) > 0, timeout=0.8, since=t1)
    assert r is not None, 'no fast retransmit after 3 duplicate ACKs'
    top = max(s.seq + len(tcp_data(s)) for s in segs)
    p.send('A', ack=top, advance=False)
    # Wait (an event: the TCB) until Pigeon has taken the ACK; a segment it
    # sent before that (its RTO may fire on a loaded host) is not spurious.
    for _ in range(50):
        t = b.dut.tcb(rport=p.port)
        if t['snd_una'] == top % 2**32:
            break
    assert t['snd_una'] == top % 2**32, 'cumulative ACK not taken: %r' % t
    t2 = b.wire.mark()
    spurious = [q for _, q in b.wire.collect(lambda q: p.match(q) and len(tcp_data(q[TCP])) > 0
                                             and (q[TCP].seq - top) % 2**32 > 2**31, 0.4, since=t2)]
    assert not spurious, 'spurious retransmission of acknowledged data after the cumulative ACK'
    assert t['ssthresh'] >= 2 * t['mss'], 'ssthresh %d below 2*SMSS' % t['ssthresh']


def t1_mss_absent(b):
    """T1: our SYN carries MSS <= 1460; a SYN-ACK without MSS limits our
    segments to 536 bytes (MUST-15)."""
    p, syn = pigeon_connects(b, options=())
    mss = dict(syn.options).get('MSS')
    assert mss is not None and mss <= 1460, 'SYN MSS %r' % mss
    t0 = b.wire.mark()
    b.dut.nettest('send 3000')
    time.sleep(0.5)
    segs = [s for _, s in b.wire.collect(lambda q: p.match(q) and len(tcp_data(q[TCP])) > 0, 0.2, since=t0)]
    assert segs, 'no data sent'
    biggest = max(len(tcp_data(s[TCP])) for s in segs)
    assert biggest <= 536, 'sent %d-byte segments to a peer without MSS' % biggest


def t14_fin_with_data(b):
    """T14: a FIN carrying the last data delivers it all, and our close
    after reading it all sends FIN, never RST."""
    p = _established(b, mode='discard')
    t0 = b.wire.mark()
    p.send('FPA', b'last-bytes')
    r = p.expect(lambda t: t.ack == p.snd, timeout=2, since=t0)
    assert r is not None, 'FIN with data not acknowledged'
    time.sleep(0.2)
    out = b.dut.nettest('status')
    assert 'in=10 ' in out and 'eof=yes' in out, out
    t0 = b.wire.mark()
    b.dut.nettest('close')
    r = p.expect(timeout=2, since=t0)
    assert r is not None and r.flags.F and not r.flags.R, 'close after EOF sent %r' % (r and r.sprintf('%flags%'))
    p.send('A', ack=r.seq + 1, advance=False)


TESTS = [
    ('T3.header_validation', t3_header_validation),
    ('T7.blind_rst', t7_blind_rst),
    ('T8.blind_syn', t8_blind_syn),
    ('T9.out_of_window', t9_out_of_window),
    ('T5.syn_sent', t5_syn_sent),
    ('T1.mss_absent', t1_mss_absent),
    ('T12.rto_backoff', t12_rto_backoff),
    ('T13.fast_retransmit', t13_fast_retransmit),
    ('T14.fin_with_data', t14_fin_with_data),
]
