"""The engineer's tools (issue 10): packet capture read back by tshark, a
batch gdb session through tools/pigeon.gdb, tab completion and `help` typed
at the prompt, and a panic backtrace with symbol names."""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BELL, KERNEL, PROMPT, ROOT, Guest, GuestError, note, timeout_scale  # noqa: E402
import netlab                                                           # noqa: E402

LEASE_RE = r'eth0: (\S+)/\d+ gw \S+ dns \S+ \(dhcp'
GDB_SCRIPT = os.path.join(ROOT, 'tools', 'pigeon.gdb')
TSHARK_FIELDS = ['frame.number', 'arp.opcode', 'dns.flags.response', 'dns.qry.name',
                 'tcp.flags.syn', 'tcp.flags.ack', 'tcp.flags.fin', 'http.request.method']


def classify(row):
    """One tshark row -> the step of a fetch it shows, or None."""
    f = dict(zip(TSHARK_FIELDS, row.split('|')))
    if f['arp.opcode']:
        return 'arp'
    if f['dns.qry.name'] == 'www.google.com':
        return 'dns-answer' if f['dns.flags.response'] in ('1', 'True') else 'dns-query'
    if f['http.request.method'] == 'GET':
        return 'http-get'
    syn, ack, fin = (f[k] in ('1', 'True') for k in ('tcp.flags.syn', 'tcp.flags.ack', 'tcp.flags.fin'))
    if syn and not ack:
        return 'syn'
    if syn and ack:
        return 'syn-ack'
    if fin:
        return 'fin'
    return None


def in_order(seen, wanted):
    """Is wanted a subsequence of seen?"""
    it = iter(seen)
    return all(step in it for step in wanted)


def test_capture_fetch():
    """`capture start; fetch; capture stop` makes a pcap file tshark reads:
    ARP, the DNS query and answer, the handshake, GET and FIN, in order."""
    tshark = shutil.which('tshark')
    assert tshark, 'tshark is missing (apt-get install tshark)'
    tmp = tempfile.mkdtemp(prefix='pigeon-capture-')
    pcap = os.path.join(tmp, 'pigeon.pcap')
    try:
        lab = netlab.Netlab('tap', http=True)
        with Guest(net=lab, extra=['-serial', 'file:' + pcap]) as g:
            g.wait_prompt()
            g.expect(LEASE_RE, timeout=60)
            g.run('arp -d')     # so that the capture shows ARP too
            assert 'capture: on' in g.run('capture start')
            out = g.run('fetch www.google.com', timeout=60)
            assert '200 OK' in out or 'bytes in' in out, 'fetch failed: %r' % out
            status = g.run('capture stop')
            m = re.search(r'(\d+) frames captured, (\d+) not captured', status)
            assert m and int(m.group(1)) > 0, 'capture stop: %r' % status
            note('capture: ' + status.strip().replace('\n', ' '))
        with open(pcap, 'rb') as f:
            head = f.read(24)
        assert head[:4] == b'\xd4\xc3\xb2\xa1', 'not a pcap file: %r' % head[:4]
        res = subprocess.run([tshark, '-r', pcap, '-T', 'fields', '-E', 'separator=|']
                             + [a for f in TSHARK_FIELDS for a in ('-e', f)],
                             capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, 'tshark failed: %s' % res.stderr
        steps = [s for s in (classify(r) for r in res.stdout.splitlines()) if s]
        wanted = ['arp', 'dns-query', 'dns-answer', 'syn', 'syn-ack', 'http-get', 'fin']
        assert in_order(steps, wanted), 'capture steps %s lack %s in order' % (steps, wanted)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_gdb_kmain():
    """`make debug` + `make gdb`, in batch: QEMU paused with its gdb stub,
    tools/pigeon.gdb connects, a hardware breakpoint stops in kmain."""
    gdb = shutil.which('gdb')
    assert gdb, 'gdb is missing (apt-get install gdb)'
    port = free_port()
    with Guest(extra=['-gdb', 'tcp:127.0.0.1:%d' % port, '-S']) as g:
        res = subprocess.run([gdb, '-batch', '-nx', '-ex', 'set $pigeon_port = %d' % port,
                              '-x', GDB_SCRIPT, '-ex', 'hbreak kmain', '-ex', 'continue',
                              '-ex', 'bt', '-ex', 'kill'],
                             cwd=ROOT, capture_output=True, text=True,
                             timeout=120 * timeout_scale())
        out = res.stdout + res.stderr
        assert re.search(r'Breakpoint 1, kmain \(', out), 'gdb did not stop in kmain:\n' + out
        assert re.search(r'#0\s+kmain \(', out), 'no backtrace from kmain:\n' + out
        del g


def test_tab_completion():
    """Tab completes a unique command name (and a blank), lists several,
    completes after `help`, rings a bell for none."""
    with Guest() as g:
        g.wait_prompt()
        start = g.mark()
        g.send('upt\t')
        g.expect(r'uptime ', start=start)
        out = g.enter()
        assert re.search(r'up \d', out) or 'idle' in out, 'uptime via Tab: %r' % out
        start = g.mark()
        g.type('p', echo=True)
        g.send('o\t')           # poweroff is the only "po"
        g.expect('poweroff ', start=start)
        g.send('\x15')          # Ctrl-U: not now
        start = g.mark()
        g.send('p\t')           # panic-test, ping, poweroff, ps, ...
        listing = g.expect(r'\r\n(.*)\r\n' + re.escape(PROMPT) + 'p', start=start).group(1)
        for name in ('panic-test', 'poweroff', 'ps'):
            assert name in listing.split(), 'Tab listing %r lacks %s' % (listing, name)
        g.send('\x15')
        start = g.mark()
        g.send('help fet\t')
        g.expect('help fetch ', start=start)
        out = g.enter()
        assert 'usage: fetch' in out and 'example: ' in out, 'help fetch: %r' % out
        start = g.mark()
        g.send('zzz\t')
        g.expect(BELL, start=start)
        g.send('\x15')
        out = g.run('history')
        assert re.search(r'\d+  help fetch *\n', out), 'history: %r' % out


def test_help_every_command():
    """`help NAME` shows usage and an example for every listed command;
    a typo gets a suggestion."""
    with Guest() as g:
        g.wait_prompt()
        names = re.findall(r'(?m)^  (\S+)  ', g.run('help'))
        assert len(names) > 10, 'help lists too little: %r' % names
        for name in names:
            out = g.run('help ' + name)
            assert out.startswith('usage: ' + name) and '\nexample: ' in out, \
                'help %s: %r' % (name, out)
        out = g.run('fetc www.google.com')
        assert out == 'unknown command: fetc (try help; did you mean fetch?)\n', out


def test_panic_symbols():
    """The panic backtrace names functions from the embedded symbol table."""
    with Guest() as g:
        g.wait_prompt()
        g.type('panic-test pf')
        start = g.mark()
        g.send('\r')
        report = g.expect(r'(?s)backtrace:(.*?)\*\*\* system halted \*\*\*', start=start).group(1)
        assert re.search(r'#0 0x[0-9a-f]{16} trigger_\w+\+0x[0-9a-f]+', report), report
        assert re.search(r'#\d 0x[0-9a-f]{16} shell_run_line\+0x[0-9a-f]+', report), report


def _perf_row(out, stage):
    """(entries, cycles share in tenths of a percent) of a `perf` stage row."""
    m = re.search(r'(?m)^  %s +(\d+) +[\d.]+ [kM] +(\d+)\.(\d)%%' % re.escape(stage), out)
    assert m, 'no %r row in perf output: %r' % (stage, out)
    return int(m.group(1)), int(m.group(2)) * 10 + int(m.group(3))


def test_perf_after_download():
    """`perf` after `perf reset` and a 64 MiB download over TAP: every
    receive-path stage has entries, the shares add up to about 100%, the
    traffic and per-MiB lines match what was fetched, the receive path
    batches (many frames per RX pass and per TX kick), and the boot line
    shows when the receiver came on and the lease was bound."""
    with netlab.Netlab('tap', http=True) as lab, Guest(net=lab) as g:
        g.wait_prompt()
        g.expect(LEASE_RE, timeout=90)
        out = g.run('perf')
        assert 'since boot' in out, out
        g.run('perf reset')
        got = g.run('fetch -o null www.google.com/big.bin', timeout=300)
        assert '200 OK, 67108864 bytes' in got, got
        out = g.run('perf')
        assert 'since perf reset' in out, out
        total = 0
        for stage in ('nic rx', 'nic tx', 'ethernet', 'ipv4', 'tcp in', 'tcp out', 'socket', 'checksum'):
            entries, share = _perf_row(out, stage)
            assert entries > 0, '%s has no entries: %r' % (stage, out)
            total += share
        assert total <= 1001, 'shares add up to %d tenths: %r' % (total, out)
        m = re.search(r'Traffic: ([\d.]+) MiB in \((\d+) frames\)', out)
        assert m and 64.0 <= float(m.group(1)) < 70.0 and int(m.group(2)) > 44000, out
        m = re.search(r'RX batches \(([\d.]+) frames each\).*\n.* TX kicks \(([\d.]+) frames each\)', out)
        assert m and float(m.group(1)) > 4 and float(m.group(2)) > 2, 'no batching: %r' % out
        m = re.search(r'Copies: ([\d.]+) bytes copied per byte in', out)
        assert m and 0.9 <= float(m.group(1)) <= 2.1, out
        m = re.search(r'receiver on (\d+), first frame in (\d+), DHCP bound (\d+)', out)
        assert m and int(m.group(1)) <= int(m.group(2)) <= int(m.group(3)), out
        note(out)
