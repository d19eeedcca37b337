"""TCP (issue 5) against the Linux kernel over TAP: bulk transfers both
ways checked with SHA-256, the host connecting to Pigeon's listener, and
the same through hostile links (the netlab's impairment relay, and
Pigeon's own netem), ending in TIME_WAIT."""

import hashlib
import os
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Guest, note                # noqa: E402
import netlab                                  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'netlab'))
import impair                                  # noqa: E402

LEASE_RE = r'eth0: (192\.0\.2\.\d+)/24 gw 192\.0\.2\.1'
MIB = 1 << 20
SIZE = int(os.environ.get('PIGEON_TCP_MIB', '16')) * MIB
PORT = 5001


def boot(net):
    net.start()     # ours to close: the relay's counters outlive the guest
    g = Guest(net=net).start()
    g.wait_prompt()
    addr = g.expect(LEASE_RE, timeout=90).group(1)
    return g, addr


def pattern(n, seed=7):
    """n bytes the host sends: not compressible, reproducible."""
    block = hashlib.sha256(b'pigeon-%d' % seed).digest() * 2048   # 64 KiB
    whole, rest = divmod(n, len(block))
    return block * whole + block[:rest]


def send_to_pigeon(lab, addr, data, timeout=300):
    """Connect from the host to Pigeon's `nc -l PORT -s` and send data."""
    deadline = time.monotonic() + 60
    while True:
        try:
            s = lab.connect((addr, PORT), timeout=timeout)
            break
        except (ConnectionRefusedError, socket.timeout, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)     # the listener is not up yet: try again
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        s.recv(1)               # Pigeon's FIN
    finally:
        s.close()


def inbound(g, lab, addr, size=SIZE, timeout=600):
    """size bytes host -> Pigeon; returns Pigeon's report."""
    data = pattern(size)
    g.type('nc -l %d -s' % PORT)
    g.send('\r')
    g.expect(r'listening on port %d' % PORT)
    t0 = time.monotonic()
    sender = threading.Thread(target=send_to_pigeon, args=(lab, addr, data), daemon=True)
    sender.start()
    m = g.expect(r'nc: received (\d+) bytes in ([\d.]+) s.*\r?\nsha256 ([0-9a-f]{64})', timeout=timeout)
    g.wait_prompt()
    sender.join(60)
    assert int(m.group(1)) == size, m.group(0)
    assert m.group(3) == hashlib.sha256(data).hexdigest(), 'data corrupted on the way in'
    return float(m.group(2)), time.monotonic() - t0


def outbound(g, lab, size=SIZE, timeout=600):
    """size bytes Pigeon -> host; returns (Pigeon's seconds)."""
    srv = lab.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((netlab.GATEWAY, PORT))
    srv.listen(1)
    got = {}

    def receive():
        c, _ = srv.accept()
        h, n = hashlib.sha256(), 0
        while True:
            d = c.recv(1 << 20)
            if not d:
                break
            h.update(d)
            n += len(d)
        got.update(n=n, sha=h.hexdigest())
        c.close()
    t = threading.Thread(target=receive, daemon=True)
    t.start()
    try:
        out = g.run('nc %s %d -n %d' % (netlab.GATEWAY, PORT, size), timeout=timeout)
        t.join(60)
    finally:
        srv.close()
    m = re.search(r'nc: sent (\d+) bytes in ([\d.]+) s.*\nsha256 ([0-9a-f]{64})', out)
    assert m, out
    assert got.get('n') == size, (got, out)
    assert got['sha'] == m.group(3), 'data corrupted on the way out'
    return float(m.group(2))


def rate(seconds, size=SIZE):
    return '%.1f MB/s' % (size / MIB / seconds) if seconds else '-'


def test_bulk_both_ways_tap():
    with netlab.Netlab('tap') as lab:
        g, addr = boot(lab)
        with g:
            s_in, _ = inbound(g, lab, addr)
            s_out = outbound(g, lab)
            note('%d MiB in: %.2f s (%s); out: %.2f s (%s)'
                 % (SIZE // MIB, s_in, rate(s_in), s_out, rate(s_out)))
            out = g.run('netstat')
            assert 'TIME_WAIT' in out, out


def test_inbound_through_loss_and_reordering():
    with netlab.Netlab('tap') as base:
        lab = impair.ImpairedLab(base, seed=1, loss=5, reorder=25, to_guest_only=True)
        g, addr = boot(lab)
        try:
            s_in, _ = inbound(g, lab, addr)
        finally:
            g.close()
            lab.stop_relay()
        counts = lab.counts('to_guest')
        note('%d MiB in through 5%% loss, 25%% reordering: %.2f s (relay towards Pigeon: %s)'
             % (SIZE // MIB, s_in, counts))
        assert counts['dropped'] > counts['frames'] * 0.03, counts
        assert counts['reordered'] > counts['frames'] * 0.15, counts


def test_inbound_through_duplication_and_corruption():
    with netlab.Netlab('tap') as base:
        lab = impair.ImpairedLab(base, seed=2, dup=1, corrupt=0.1)
        g, addr = boot(lab)
        try:
            s_in, _ = inbound(g, lab, addr)
        finally:
            g.close()
            lab.stop_relay()
        counts = lab.counts('to_guest')
        note('%d MiB in through 1%% duplication, 0.1%% corruption both ways: %.2f s (relay: %s)'
             % (SIZE // MIB, s_in, counts))
        assert counts['duplicated'] > 0 and counts['corrupted'] > 0, counts


def test_inbound_with_pigeons_own_netem():
    with netlab.Netlab('tap') as lab:
        g, addr = boot(lab)
        with g:
            out = g.run('netem eth0 loss 5% dup 1% reorder 25% delay 10ms corrupt 0.1% seed 7')
            assert 'netem loss 5% dup 1% reorder 25% delay 10ms corrupt 0.1% seed 7' in out, out
            s_in, _ = inbound(g, lab, addr)
            out = g.run('netem eth0')
            note('%d MiB in with netem loss 5%% dup 1%% reorder 25%% delay 10ms corrupt 0.1%%: %.2f s'
                 % (SIZE // MIB, s_in))
            assert re.search(r'rx: \d+ passed, [1-9]\d* dropped', out), out
            g.run('netem eth0 off')
            out = g.run('netstat')
            # Pigeon closed second (LAST_ACK), so the connection is gone.
            assert '(no TCP connections)' in out, out


def test_refused_and_timeout_reported():
    with netlab.Netlab('tap') as lab:
        g, addr = boot(lab)
        with g:
            out = g.run('nc -z 192.0.2.1 9', timeout=30)
            assert 'refused' in out, out
