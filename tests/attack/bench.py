"""The attack testbench: one Pigeon (the DUT) in a netlab namespace over
TAP, driven over its serial console with `nettest`, and a Wire that owns
ptap0 for crafted frames. A group of tests shares one boot; every test is
followed by the global checks of robustness-tests.md:

  G1  Pigeon answers: an `echo` round trip at the prompt under 2 s
      (and ping from a virtual peer where a test needs the wire);
  G2  no panic (the harness fails any wait once `*** PANIC` halts it);
  G3  pool and connection counters back to the baseline: netbuf in_use
      from `netstat -s`, no TCP connection left but TIME_WAIT;
  G4  (with fetch=True) a clean fetch of the home page.

Each test prints one line: PASS attack.<ID>.<name> or FAIL ...: reason.
"""

import os
import re
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'qemu'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'netlab'))
sys.path.insert(0, HERE)
from harness import Guest, note                 # noqa: E402
import netlab                                   # noqa: E402
import wire as wiremod                          # noqa: E402

LEASE_RE = r'eth0: (192\.0\.2\.\d+)/24 gw 192\.0\.2\.1'


def parse_counters(text):
    """`netstat -s` output -> {'tcp.drop_bad_checksum': 3, ...}."""
    out, group = {}, None
    for line in text.split('\n'):
        m = re.match(r'^(\w+):\s*$', line)
        if m:
            group = m.group(1)
            continue
        m = re.match(r'^\s+(\w+) (\d+)\s*$', line)
        if m and group:
            out['%s.%s' % (group, m.group(1))] = int(m.group(2))
    return out


def parse_tcbs(text):
    """`nettest tcb` output -> list of dicts (ports as ints, numbers too)."""
    tcbs = []
    for line in text.split('\n'):
        m = re.match(r'^tcb ([\d.]+):(\d+) ([\d.]+):(\d+) (.*)$', line.strip())
        if not m:
            continue
        d = {'laddr': m.group(1), 'lport': int(m.group(2)),
             'raddr': m.group(3), 'rport': int(m.group(4))}
        for k, v in re.findall(r'(\w+)=(\S+)', m.group(5)):
            d[k] = int(v) if v.isdigit() else v
        tcbs.append(d)
    return tcbs


class Dut:
    """Pigeon as the device under test."""

    def __init__(self, guest, addr):
        self.g = guest
        self.ip = addr

    def run(self, cmd, timeout=30):
        return self.g.run(cmd, timeout=timeout)

    def start(self, cmd):
        """Type a command and press Enter without waiting for the prompt
        (for calls that block, such as connect)."""
        self.g.type(cmd)
        self.g.send('\r')

    def finish(self, timeout=30):
        """The rest of a started command's output, up to the prompt."""
        self.g.wait_prompt(timeout)

    def nettest(self, args, timeout=30):
        return self.run('nettest ' + args, timeout)

    def counters(self):
        return parse_counters(self.run('netstat -s'))

    def tcbs(self):
        return parse_tcbs(self.nettest('tcb'))

    def tcb(self, rport=None, lport=None):
        for t in self.tcbs():
            if (rport is None or t['rport'] == rport) and (lport is None or t['lport'] == lport):
                return t
        return None


class Bench:
    """One boot shared by a group of tests."""

    def __init__(self, http=False):
        self.lab = netlab.Netlab('tap', http=http)
        self.guest = None
        self.wire = None
        self.results = []

    def __enter__(self):
        self.lab.start()
        try:
            self.guest = Guest(net=self.lab, monitor=True).start()     # D3: set_link
            self.guest.wait_prompt()
            addr = self.guest.expect(LEASE_RE, timeout=90).group(1)
            self.dut = Dut(self.guest, addr)
            self.wire = wiremod.Wire(self.lab)
            wiremod.learn_guest_mac(self.wire, addr)
            self.baseline = self.dut.counters()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        if self.wire:
            self.wire.close()
            self.wire = None
        if self.guest:
            self.guest.close()
            self.guest = None
        self.lab.close()
        return False

    # -- the global checks --

    def global_checks(self, settle=5.0, fetch=False):
        """G1-G4 after a test; raises AssertionError with the reason."""
        d = self.dut
        t0 = time.monotonic()
        out = d.run('echo alive', timeout=10)
        assert 'alive' in out, 'G1: no echo: %r' % out
        assert time.monotonic() - t0 < 2.0 * self.guest.scale + 1.0, 'G1: echo took too long'
        d.run('nettest abort')
        # G3: connections other than TIME_WAIT gone, pool back to baseline.
        deadline = time.monotonic() + settle
        while True:
            tcbs = [t for t in d.tcbs() if t['state'] not in ('TIME_WAIT', 'LISTEN')]
            c = d.counters()
            in_use = c.get('netbuf.in_use', 0)
            base = self.baseline.get('netbuf.in_use', 0)
            if not tcbs and in_use <= base + 2:
                break
            if time.monotonic() > deadline:
                raise AssertionError('G3: connections %r, netbuf in_use %d (baseline %d)'
                                     % ([(t['state'], t['rport']) for t in tcbs], in_use, base))
            time.sleep(0.3)
        if fetch:
            out = d.run('fetch -o null --sha256 http://www.google.com/', timeout=60)
            assert '200 OK' in out, 'G4: fetch failed: %r' % out

    def recover(self):
        """After a failure: interrupt whatever the shell waits in and drop
        the nettest sockets, so the next test starts clean."""
        try:
            self.guest.send('\x03')
            time.sleep(0.3)
            self.dut.run('nettest abort', timeout=20)
        except Exception:               # noqa: BLE001 (the next test will tell)
            pass

    def check(self, test_id, fn, fetch=False):
        """Run one named test and the global checks; record and print."""
        name = 'attack.%s' % test_id
        try:
            self.wire.flush()
            fn(self)
            self.global_checks(fetch=fetch)
            line = 'PASS %s' % name
            ok = True
        except Exception as e:          # noqa: BLE001 (reported as FAIL)
            msg = str(e).strip().split('\n')[0] or type(e).__name__
            line = 'FAIL %s: %s' % (name, msg)
            ok = False
            if os.environ.get('ATTACK_VERBOSE'):
                traceback.print_exc()
            self.recover()
            if self.guest is None or not self.guest.alive() or '*** PANIC' in self.guest.output:
                self.results.append((name, ok, line))
                note(line)
                raise
        self.results.append((name, ok, line))
        note(line)
        return ok

    def assert_all_passed(self):
        failed = [line for _, ok, line in self.results if not ok]
        assert not failed, '%d of %d attack tests failed: %s' % (
            len(failed), len(self.results), '; '.join(failed))
