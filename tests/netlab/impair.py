#!/usr/bin/python3
"""A seeded impairment relay between QEMU and the netlab's TAP device.

These machines' kernels have no `tc netem`, so hostile links are made in
user space: QEMU's NIC is attached to a UDP socket (`-netdev dgram`), this
relay carries each Ethernet frame between that socket and the TAP device,
and on the way it drops (at random, in Gilbert-Elliott bursts, or in a
timed blackout), duplicates, reorders, delays (with jitter), rate-limits
(with a bounded queue) and corrupts (a bit, or a run of bytes) frames,
each direction with its own seeded generator, so a run is repeatable.
The standard profiles P0-P12 are in profiles.py (`--profile lossy-2`).

As a program (run inside the lab's namespace, where the TAP lives):
    impair.py --tap ptap0 --qemu 127.0.0.1:PORT --listen 127.0.0.1:PORT
              [--profile NAME] [--loss 5] [--dup 1] [--reorder 25]
              [--delay-ms 10] [--jitter-ms 5] [--corrupt 0.1]
              [--corrupt-bytes 8] [--ge-p 1 --ge-r 25] [--rate-kbit 20000]
              [--limit 200] [--blackout-ms 3000 --blackout-after 10]
              [--seed 7] [--to-guest-only] [--start-clean]
Rates are percentages; settings given override the profile's. It prints
one line of counters when it ends (SIGTERM or SIGINT). SIGUSR1 arms it:
impairment on (after --start-clean) and the blackout counted afresh; it
answers with a line `armed N`. SIGUSR2 turns it off (`disarmed N`).

As a library: ImpairedLab(lab, profile=None, **settings) wraps a
started-or-not tap Netlab for harness.Guest(net=...): QEMU's NIC goes to
the relay instead of the TAP. maybe_impaired(lab) does it when PROFILE is
set in the environment (for `make tap PROFILE=lossy-2`).

What the relay cannot do well: its clock is Python's, so delays and rate
spacing are good to about a millisecond and a busy host adds its own
jitter; above about 100 Mbit/s the relay itself is the bottleneck.
"""

import argparse
import collections
import fcntl
import heapq
import os
import random
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454ca
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
REORDER_HOLD_FRAMES = 3      # a reordered frame is overtaken by this many
REORDER_HOLD_MAX_S = 0.005   # ...or released after this long, whichever first
FRAME_MAX = 65536
WIRE_OVERHEAD = 24           # preamble, SFD, FCS and gap: bytes on the wire per frame
LIMIT_DEFAULT = 1000         # frames waiting for the rate, as netem's limit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import profiles              # noqa: E402

# Every setting, with its default: the keys of profiles.Profile.relay.
SETTINGS = dict(loss=0.0, dup=0.0, reorder=0.0, delay_ms=0.0, jitter_ms=0.0, corrupt=0.0, corrupt_bytes=0,
                ge_p=0.0, ge_r=0.0, rate_kbit=0, limit=0, blackout_ms=0, blackout_after=0)


class Blackout:
    """Both directions dark for ms, from the frame after the first `after`
    frames seen (either way) since it was armed; once per arming."""

    def __init__(self, ms, after):
        self.ms, self.after = ms, after
        self.arm()

    def arm(self):
        self.seen = 0
        self.until = None

    def lost(self, now):
        if not self.ms:
            return False
        if self.until is None:
            if self.seen < self.after:
                self.seen += 1
                return False
            self.until = now + self.ms / 1000.0
        return now < self.until


class Direction:
    """One direction's impairments and counters."""

    def __init__(self, name, seed, loss, dup, reorder, delay_s, corrupt, enabled=True, jitter_s=0.0,
                 corrupt_bytes=0, ge_p=0.0, ge_r=0.0, rate_kbit=0, limit=0, blackout=None):
        self.name = name
        self.rng = random.Random('%s:%d' % (name, seed))
        self.loss, self.dup, self.reorder, self.corrupt = loss, dup, reorder, corrupt
        self.delay_s, self.jitter_s = delay_s, jitter_s
        self.corrupt_bytes = corrupt_bytes
        self.ge_p, self.ge_r, self.ge_bad = ge_p, ge_r, False
        self.rate_kbit, self.limit = rate_kbit, limit or LIMIT_DEFAULT
        self.blackout = blackout
        self.enabled = enabled
        self.counts = dict(frames=0, dropped=0, duplicated=0, reordered=0, corrupted=0, burst_lost=0,
                           blackout_lost=0, over_limit=0)

    def chance(self, pct):
        return pct > 0 and self.rng.random() * 100.0 < pct

    def decide(self, frame):
        """The copies of frame to send, each with its extra hold: a list of
        (frame, reordered)."""
        self.counts['frames'] += 1
        if not self.enabled:
            return [(frame, False)]
        if self.blackout and self.blackout.lost(time.monotonic()):
            self.counts['blackout_lost'] += 1
            return []
        if self.chance(self.loss):
            self.counts['dropped'] += 1
            return []
        if self.ge_lost():
            self.counts['burst_lost'] += 1
            return []
        if frame and self.chance(self.corrupt):
            frame = self.corrupted(frame)
            self.counts['corrupted'] += 1
        copies = [frame]
        if self.chance(self.dup):
            copies.append(frame)
            self.counts['duplicated'] += 1
        out = []
        for f in copies:
            r = self.chance(self.reorder)
            if r:
                self.counts['reordered'] += 1
            out.append((f, r))
        return out

    def ge_lost(self):
        """One step of the Gilbert-Elliott chain: True in the bad state."""
        if not self.ge_p:
            return False
        self.ge_bad = not self.chance(self.ge_r) if self.ge_bad else self.chance(self.ge_p)
        return self.ge_bad

    def corrupted(self, frame):
        """frame with one bit flipped or, with corrupt_bytes >= 2, half the
        time a run of 2..corrupt_bytes bytes each changed."""
        b = bytearray(frame)
        if self.corrupt_bytes >= 2 and self.rng.random() < 0.5:
            n = min(len(b), self.rng.randint(2, self.corrupt_bytes))
            off = self.rng.randrange(len(b) - n + 1)
            for i in range(off, off + n):
                b[i] ^= self.rng.randint(1, 255)
        else:
            bit = self.rng.randrange(len(b) * 8)
            b[bit // 8] ^= 1 << (bit % 8)
        return bytes(b)

    def delay(self):
        """This frame's delay: delay_s moved by up to jitter_s either way."""
        if not self.jitter_s:
            return self.delay_s
        return max(0.0, self.delay_s + self.rng.uniform(-self.jitter_s, self.jitter_s))


class Relay:
    def __init__(self, tap_name, qemu_addr, listen_addr, to_guest, to_host):
        self.tap = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK)
        fcntl.ioctl(self.tap, TUNSETIFF, struct.pack('16sH22x', tap_name.encode(), IFF_TAP | IFF_NO_PI))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.udp.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        self.udp.bind(listen_addr)
        self.udp.setblocking(False)
        self.qemu = qemu_addr
        self.dirs = {'to_guest': to_guest, 'to_host': to_host}
        self.timed = []          # heap of (release time, order, direction, frame)
        self.held = {'to_guest': [], 'to_host': []}  # reordered: [frames_to_wait, deadline, frame]
        self.order = 0
        self.running = True
        self.busy = {'to_guest': 0.0, 'to_host': 0.0}      # rate-limited link free from then
        self.rate_q = {'to_guest': collections.deque(), 'to_host': collections.deque()}
        self.armed = 0

    def emit(self, direction, frame):
        try:
            if direction == 'to_guest':
                self.udp.sendto(frame, self.qemu)
            else:
                os.write(self.tap, frame)
        except (BlockingIOError, OSError):
            self.dirs[direction].counts.setdefault('send_errors', 0)
            self.dirs[direction].counts['send_errors'] += 1

    def forward(self, direction, frame, now):
        d = self.dirs[direction]
        for f, reordered in d.decide(frame):
            if reordered:
                self.held[direction].append([REORDER_HOLD_FRAMES, now + REORDER_HOLD_MAX_S, f])
                continue
            self.release(direction, f, now)
        # Every frame that passes lets held ones get closer to leaving.
        keep = []
        for h in self.held[direction]:
            h[0] -= 1
            if h[0] <= 0:
                self.release(direction, h[2], now)
            else:
                keep.append(h)
        self.held[direction] = keep

    def release(self, direction, frame, now):
        d = self.dirs[direction]
        if not d.enabled:
            self.emit(direction, frame)
            return
        t = now
        if d.rate_kbit:
            t = self.rate_depart(d, direction, len(frame), now)
            if t is None:
                return
        t += d.delay()
        if t > now:
            heapq.heappush(self.timed, (t, self.order, direction, frame))
            self.order += 1
        else:
            self.emit(direction, frame)

    def rate_depart(self, d, direction, length, now):
        """When a frame of length bytes has been clocked out at d's rate, or
        None if the queue already holds d.limit frames (it is dropped)."""
        q = self.rate_q[direction]
        while q and q[0] <= now:
            q.popleft()
        if len(q) >= d.limit:
            d.counts['over_limit'] += 1
            return None
        start = max(now, self.busy[direction])
        self.busy[direction] = start + (length + WIRE_OVERHEAD) * 8 / (d.rate_kbit * 1000.0)
        q.append(self.busy[direction])
        return self.busy[direction]

    def arm(self, enable):
        """Impairment on (if enable says so per direction), blackout afresh."""
        for name, d in self.dirs.items():
            d.enabled = enable[name]
            if d.blackout:
                d.blackout.arm()
        self.armed += 1
        print('armed %d' % self.armed, flush=True)

    def disarm(self):
        """Impairment off (frames already held still leave on time)."""
        for d in self.dirs.values():
            d.enabled = False
        self.armed += 1
        print('disarmed %d' % self.armed, flush=True)

    def run(self):
        sel = selectors.DefaultSelector()
        sel.register(self.tap, selectors.EVENT_READ, 'to_guest')
        sel.register(self.udp, selectors.EVENT_READ, 'to_host')
        while self.running:
            now = time.monotonic()
            timeout = None
            if self.timed:
                timeout = max(0.0, self.timed[0][0] - now)
            for direction in self.held:
                for h in self.held[direction]:
                    t = max(0.0, h[1] - now)
                    timeout = t if timeout is None else min(timeout, t)
            for key, _ in sel.select(timeout if timeout is not None else 0.5):
                for _ in range(64):     # drain a burst before looking at timers
                    try:
                        if key.data == 'to_guest':
                            frame = os.read(self.tap, FRAME_MAX)
                        else:
                            frame, _ = self.udp.recvfrom(FRAME_MAX)
                    except (BlockingIOError, InterruptedError):
                        break
                    self.forward(key.data, frame, time.monotonic())
            now = time.monotonic()
            while self.timed and self.timed[0][0] <= now:
                _, _, direction, frame = heapq.heappop(self.timed)
                self.emit(direction, frame)
            for direction in self.held:
                keep = []
                for h in self.held[direction]:
                    if h[1] <= now:
                        self.release(direction, h[2], now)
                    else:
                        keep.append(h)
                self.held[direction] = keep

    def summary(self):
        return ' '.join('%s:%s' % (n, ','.join('%s=%d' % kv for kv in d.counts.items()))
                        for n, d in self.dirs.items())


def free_udp_port(lab):
    """A UDP port free on the lab's loopback."""
    s = lab.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class ImpairedLab:
    """A tap Netlab whose guest NIC goes through the relay. Pass it to
    harness.Guest(net=...). profile names one of profiles.py; settings
    (the keys of SETTINGS; rates in percent) override it; both directions
    unless to_guest_only. start_clean: no impairment until arm()."""

    def __init__(self, lab, seed=1, profile=None, to_guest_only=False, start_clean=False, **settings):
        if lab.mode != 'tap':
            raise ValueError('the relay needs a tap lab')
        unknown = set(settings) - set(SETTINGS)
        if unknown:
            raise ValueError('unknown relay settings: %s' % ', '.join(sorted(unknown)))
        self.lab = lab
        self.profile = profiles.find(profile) if profile else None
        self.settings = settings
        self.args = dict(seed=seed, to_guest_only=to_guest_only, start_clean=start_clean)
        self.proc = None
        self.ports = None
        self.armed = 0

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
        return False

    # The parts of Netlab that harness.Guest uses.
    @property
    def started(self):
        return self.proc is not None

    def start(self):
        if self.proc:
            return self
        self.lab.start()
        relay_port, qemu_port = free_udp_port(self.lab), free_udp_port(self.lab)
        self.ports = (relay_port, qemu_port)
        a = self.args
        argv = [sys.executable, os.path.abspath(__file__), '--tap', 'ptap0',
                '--listen', '127.0.0.1:%d' % relay_port, '--qemu', '127.0.0.1:%d' % qemu_port,
                '--seed', str(a['seed'])]
        if self.profile:
            argv += ['--profile', self.profile.name]
        for key, value in sorted(self.settings.items()):
            argv += ['--' + key.replace('_', '-'), str(value)]
        if a['to_guest_only']:
            argv.append('--to-guest-only')
        if a['start_clean']:
            argv.append('--start-clean')
        self.log_path = self.lab.path('impair.log')
        self.log = open(self.log_path, 'w')
        self.proc = subprocess.Popen(self.lab.wrap(argv), stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def arm(self, timeout=10.0):
        """Turn the impairment on (start_clean) and start the blackout count
        afresh; returns once the relay says so."""
        self._signal(signal.SIGUSR1, 'armed', timeout)

    def disarm(self, timeout=10.0):
        """Turn the impairment off until the next arm()."""
        self._signal(signal.SIGUSR2, 'disarmed', timeout)

    def _signal(self, signum, answer, timeout):
        self.proc.send_signal(signum)
        self.armed += 1
        want = '%s %d' % (answer, self.armed)
        deadline = time.monotonic() + timeout
        while want not in self.summary().split('\n'):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError('the relay did not arm: %r' % self.summary()[-300:])
            time.sleep(0.01)    # polling the relay's log for its answer

    def stop_relay(self):
        """Stop the relay (it prints its counters); the lab stays up."""
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
            self.log.close()

    def close(self):
        self.stop_relay()
        self.lab.close()

    def counts(self, direction):
        """The relay's final counters for 'to_guest' or 'to_host' (after
        stop_relay), as a dict of ints."""
        lines = self.summary().split('\n')
        for part in lines[-1].split():
            name, _, fields = part.partition(':')
            if name == direction:
                return {k: int(v) for k, v in (f.split('=') for f in fields.split(','))}
        raise AssertionError('no relay counters for %s in %r' % (direction, self.summary()))

    def summary(self):
        try:
            with open(self.log_path) as f:
                return f.read().strip()
        except (OSError, AttributeError):
            return ''

    def wrap(self, argv):
        return self.lab.wrap(argv)

    def qemu_args(self, mac=None):
        relay_port, qemu_port = self.ports
        netdev = ('dgram,id=net0,local.type=inet,local.host=127.0.0.1,local.port=%d,'
                  'remote.type=inet,remote.host=127.0.0.1,remote.port=%d' % (qemu_port, relay_port))
        return ['-netdev', netdev, '-device', 'e1000,netdev=net0,mac=' + (mac or '52:54:00:12:34:56')]

    def __getattr__(self, name):
        return getattr(self.lab, name)


def maybe_impaired(lab, profile=None, seed=None):
    """lab behind the relay with profile (default: $PROFILE, seed $SEED),
    or lab itself when no profile is named."""
    profile = profile or os.environ.get('PROFILE', '').strip()
    if not profile:
        return lab
    return ImpairedLab(lab, seed=int(seed or os.environ.get('SEED', '1')), profile=profile)


def hostport(s):
    host, port = s.rsplit(':', 1)
    return host, int(port)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tap', default='ptap0')
    ap.add_argument('--qemu', type=hostport, required=True, help="QEMU's dgram socket")
    ap.add_argument('--listen', type=hostport, required=True, help="our socket QEMU sends to")
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--profile', help='a profile of profiles.py (name or id): its settings, then ours')
    for key, default in SETTINGS.items():
        ap.add_argument('--' + key.replace('_', '-'), type=type(default), default=None,
                        help='percent' if isinstance(default, float) and not key.endswith('_ms') else None)
    ap.add_argument('--to-guest-only', action='store_true', help='impair only frames towards QEMU')
    ap.add_argument('--start-clean', action='store_true', help='no impairment until SIGUSR1')
    a = ap.parse_args()
    s = dict(SETTINGS)
    if a.profile:
        s.update(profiles.find(a.profile).relay)
    for key in SETTINGS:
        if getattr(a, key) is not None:
            s[key] = getattr(a, key)
    blackout = Blackout(s['blackout_ms'], s['blackout_after']) if s['blackout_ms'] else None
    params = dict(seed=a.seed, loss=s['loss'], dup=s['dup'], reorder=s['reorder'], delay_s=s['delay_ms'] / 1000.0,
                  jitter_s=s['jitter_ms'] / 1000.0, corrupt=s['corrupt'], corrupt_bytes=s['corrupt_bytes'],
                  ge_p=s['ge_p'], ge_r=s['ge_r'], rate_kbit=s['rate_kbit'], limit=s['limit'], blackout=blackout)
    enable = {'to_guest': True, 'to_host': not a.to_guest_only}
    relay = Relay(a.tap, a.qemu, a.listen,
                  Direction('to_guest', enabled=enable['to_guest'] and not a.start_clean, **params),
                  Direction('to_host', enabled=enable['to_host'] and not a.start_clean, **params))

    def stop(signum, frame):
        relay.running = False
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGUSR1, lambda signum, frame: relay.arm(enable))
    signal.signal(signal.SIGUSR2, lambda signum, frame: relay.disarm())
    try:
        relay.run()
    finally:
        print(relay.summary(), flush=True)


if __name__ == '__main__':
    main()
