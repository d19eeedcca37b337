#!/usr/bin/python3
"""A seeded impairment relay between QEMU and the netlab's TAP device.

These machines' kernels have no `tc netem`, so hostile links are made in
user space: QEMU's NIC is attached to a UDP socket (`-netdev dgram`), this
relay carries each Ethernet frame between that socket and the TAP device,
and on the way it drops, duplicates, reorders, delays and corrupts frames,
each direction with its own seeded generator, so a run is repeatable.

As a program (run inside the lab's namespace, where the TAP lives):
    impair.py --tap ptap0 --qemu 127.0.0.1:PORT --listen 127.0.0.1:PORT
              [--loss 5] [--dup 1] [--reorder 25] [--delay-ms 10]
              [--corrupt 0.1] [--seed 7] [--to-guest-only]
Rates are percentages. It prints one line of counters when it ends
(SIGTERM or SIGINT).

As a library: ImpairedLab(lab, **rates) wraps a started-or-not tap Netlab
for harness.Guest(net=...): QEMU's NIC goes to the relay instead of the TAP.
"""

import argparse
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


class Direction:
    """One direction's impairments and counters."""

    def __init__(self, name, seed, loss, dup, reorder, delay_s, corrupt, enabled=True):
        self.name = name
        self.rng = random.Random('%s:%d' % (name, seed))
        self.loss, self.dup, self.reorder, self.corrupt = loss, dup, reorder, corrupt
        self.delay_s = delay_s
        self.enabled = enabled
        self.counts = dict(frames=0, dropped=0, duplicated=0, reordered=0, corrupted=0)

    def chance(self, pct):
        return pct > 0 and self.rng.random() * 100.0 < pct

    def decide(self, frame):
        """The copies of frame to send, each with its extra hold: a list of
        (frame, reordered)."""
        self.counts['frames'] += 1
        if not self.enabled:
            return [(frame, False)]
        if self.chance(self.loss):
            self.counts['dropped'] += 1
            return []
        if frame and self.chance(self.corrupt):
            b = bytearray(frame)
            bit = self.rng.randrange(len(b) * 8)
            b[bit // 8] ^= 1 << (bit % 8)
            frame = bytes(b)
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
        delay = self.dirs[direction].delay_s
        if delay > 0:
            heapq.heappush(self.timed, (now + delay, self.order, direction, frame))
            self.order += 1
        else:
            self.emit(direction, frame)

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
    harness.Guest(net=...); rates are percentages, both directions unless
    to_guest_only."""

    def __init__(self, lab, seed=1, loss=0.0, dup=0.0, reorder=0.0, delay_ms=0.0, corrupt=0.0,
                 to_guest_only=False):
        if lab.mode != 'tap':
            raise ValueError('the relay needs a tap lab')
        self.lab = lab
        self.args = dict(seed=seed, loss=loss, dup=dup, reorder=reorder, delay_ms=delay_ms,
                         corrupt=corrupt, to_guest_only=to_guest_only)
        self.proc = None
        self.ports = None

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
                '--seed', str(a['seed']), '--loss', str(a['loss']), '--dup', str(a['dup']),
                '--reorder', str(a['reorder']), '--delay-ms', str(a['delay_ms']),
                '--corrupt', str(a['corrupt'])]
        if a['to_guest_only']:
            argv.append('--to-guest-only')
        self.log_path = self.lab.path('impair.log')
        self.log = open(self.log_path, 'w')
        self.proc = subprocess.Popen(self.lab.wrap(argv), stdout=self.log, stderr=subprocess.STDOUT)
        return self

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
        for part in self.summary().split():
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


def hostport(s):
    host, port = s.rsplit(':', 1)
    return host, int(port)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tap', default='ptap0')
    ap.add_argument('--qemu', type=hostport, required=True, help="QEMU's dgram socket")
    ap.add_argument('--listen', type=hostport, required=True, help="our socket QEMU sends to")
    ap.add_argument('--seed', type=int, default=1)
    for name in ('loss', 'dup', 'reorder', 'corrupt'):
        ap.add_argument('--' + name, type=float, default=0.0, help='percent')
    ap.add_argument('--delay-ms', type=float, default=0.0)
    ap.add_argument('--to-guest-only', action='store_true', help='impair only frames towards QEMU')
    a = ap.parse_args()
    params = dict(seed=a.seed, loss=a.loss, dup=a.dup, reorder=a.reorder, delay_s=a.delay_ms / 1000.0,
                  corrupt=a.corrupt)
    relay = Relay(a.tap, a.qemu, a.listen, Direction('to_guest', **params),
                  Direction('to_host', enabled=not a.to_guest_only, **params))

    def stop(signum, frame):
        relay.running = False
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        relay.run()
    finally:
        print(relay.summary(), flush=True)


if __name__ == '__main__':
    main()
