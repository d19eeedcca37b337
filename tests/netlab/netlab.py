#!/usr/bin/python3
"""Netlab: an offline internet in a box for Pigeon's QEMU tests.

A Netlab is a fresh network namespace (pigeon-<pid>-<n>) holding everything
the guest may talk to: dnsmasq for DNS (and DHCP in TAP mode), the test hosts'
addresses (198.51.100.0/24 on the namespace's lo), and optionally nginx serving
a small home page for www.google.com. QEMU runs inside the namespace
(Netlab.wrap), so no packet of a test can leave it.

  mode 'tap':  ptap0 in the namespace, host side 192.0.2.1/24, dnsmasq gives
               DHCP leases 192.0.2.100-199, router and DNS 192.0.2.1.
  mode 'user': QEMU's slirp; dnsmasq answers DNS on 127.0.0.1 and
               /etc/netns/<ns>/resolv.conf points slirp (guest 10.0.2.3) at it.

Standard library only; needs root, `ip`, `dnsmasq` and, for http=True, `nginx`.
Everything it starts or creates is torn down on close, on exceptions and on
SIGTERM/SIGINT.

    with Netlab('tap', http=True) as lab:
        subprocess.run(lab.wrap(['qemu-system-x86_64', ...] + lab.qemu_args()))
        print(lab.leases())

`python3 tests/netlab/netlab.py --selftest` checks both modes end to end.
"""

import atexit
import ctypes
import fcntl
import itertools
import os
import random
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

# --- The addresses and names of the box -----------------------------------

TAP_NAME = 'ptap0'
GATEWAY = '192.0.2.1'           # the namespace's side of the TAP (RFC 5737)
GATEWAY_PREFIX = 24
DHCP_FIRST = '192.0.2.100'
DHCP_LAST = '192.0.2.199'
DHCP_NETMASK = '255.255.255.0'
DHCP_LEASE_TIME = '1h'
GUEST_MAC = '52:54:00:12:34:56'
SLIRP_GUEST = '10.0.2.15'       # slirp's fixed addresses, for reference
SLIRP_GATEWAY = '10.0.2.2'
SLIRP_DNS = '10.0.2.3'

WEB_ADDR = '198.51.100.10'      # www.google.com lives here
DEFAULT_TTL = 300
SHORT_TTL = 2

# (name, IPv4 address, TTL): each one is a dnsmasq host-record.
HOST_RECORDS = [
    ('www.google.com', WEB_ADDR, DEFAULT_TTL),
    ('google.com', WEB_ADDR, DEFAULT_TTL),
    ('web.example.test', '198.51.100.11', DEFAULT_TTL),
    ('multi.example.test', '198.51.100.21', DEFAULT_TTL),
    ('multi.example.test', '198.51.100.22', DEFAULT_TTL),
    ('multi.example.test', '198.51.100.23', DEFAULT_TTL),
    ('short.example.test', '198.51.100.30', SHORT_TTL),
]
# (alias, target, TTL): www.example.test -> alias1 -> web.example.test.
CNAMES = [
    ('www.example.test', 'alias1.example.test', DEFAULT_TTL),
    ('alias1.example.test', 'web.example.test', DEFAULT_TTL),
]
# Zones answered only from the records above: any other name in them is
# NXDOMAIN (e.g. nx.example.test), and nothing is ever forwarded anywhere.
LOCAL_ZONES = ['example.test', 'google.com', 'test']

# Test hosts that a server in the namespace may listen on.
LO_ADDRS = sorted({addr for _, addr, _ in HOST_RECORDS})

HOME_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Google</title></head>
<body>
<center>
<h1><span style="color:#4285f4">G</span><span style="color:#ea4335">o</span\
><span style="color:#fbbc05">o</span><span style="color:#4285f4">g</span\
><span style="color:#34a853">l</span><span style="color:#ea4335">e</span></h1>
<form action="/search" method="get">
<input name="q" size="50" title="Search">
<br><input type="submit" value="Google Search">
<input type="submit" name="btnI" value="I'm Feeling Lucky">
</form>
<p>Served from Pigeon's offline internet (netlab, 198.51.100.10).</p>
</center>
</body>
</html>
"""

_counter = itertools.count()
_live = set()                   # Netlabs not yet closed, for atexit

# --- Small helpers -----------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454ca
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


class NetlabError(Exception):
    pass


def _ip(*args, check=True):
    """Run `ip ARGS`; raise NetlabError with its stderr if it fails."""
    proc = subprocess.run(['ip'] + list(args), capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise NetlabError('ip %s: %s' % (' '.join(args), proc.stderr.strip()))
    return proc


def _pdeathsig(signame):
    """A command prefix that makes the child get SIGNAME if we die first."""
    if shutil.which('setpriv'):
        return ['setpriv', '--pdeathsig', signame, '--']
    return []


def _stop(proc, grace=5.0):
    """Stop one child we started (and its process group), politely first."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


_signals = {'depth': 0, 'pending': None}


def _raise_for(signum):
    # The first signal ends the test; later ones must not cut its cleanup.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


def _on_signal(signum, frame):
    if _signals['depth'] > 0:
        _signals['pending'] = signum    # raised when the cleanup is done
        return
    _raise_for(signum)


def install_signal_cleanup():
    """Turn SIGTERM into SystemExit (and SIGINT into KeyboardInterrupt) so
    `with` blocks clean up. A signal arriving during a cleanup (see
    cleaning()) waits until that cleanup has finished. Only replaces the
    default handlers, and only from the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _on_signal)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_signal)


class cleaning:
    """`with cleaning():` around teardown code: SIGTERM/SIGINT cannot
    interrupt it half-way; a signal that arrived meanwhile is raised at the
    end of the outermost cleanup."""

    def __enter__(self):
        _signals['depth'] += 1

    def __exit__(self, exc_type, exc, tb):
        _signals['depth'] -= 1
        if _signals['depth'] == 0 and _signals['pending'] and exc_type is None:
            signum, _signals['pending'] = _signals['pending'], None
            _raise_for(signum)
        return False


@atexit.register
def _close_all():
    for lab in list(_live):
        lab.close()


# --- DNS wire format, just enough to ask and check (RFC 1035 4.1) ------------

DNS_TYPES = {'A': 1, 'NS': 2, 'CNAME': 5, 'PTR': 12, 'MX': 15, 'AAAA': 28}
DNS_TYPE_NAMES = {v: k for k, v in DNS_TYPES.items()}
DNS_CLASS_IN = 1
DNS_FLAG_RD = 0x0100
DNS_RCODE_NXDOMAIN = 3


def dns_query(name, qtype='A', qid=None):
    """Build a standard query for NAME (recursion desired); returns bytes."""
    qid = random.getrandbits(16) if qid is None else qid
    header = struct.pack('!HHHHHH', qid, DNS_FLAG_RD, 1, 0, 0, 0)
    qname = b''.join(bytes([len(label)]) + label.encode('ascii')
                     for label in name.rstrip('.').split('.')) + b'\0'
    return header + qname + struct.pack('!HH', DNS_TYPES[qtype], DNS_CLASS_IN)


def _dns_name(msg, off):
    """Decode the name at OFF (following compression pointers).

    Returns (name, offset just past the name in the original position)."""
    labels, end, jumps = [], None, 0
    while True:
        if off >= len(msg):
            raise NetlabError('dns: name runs past the message')
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if off + 1 >= len(msg) or jumps > 32:
                raise NetlabError('dns: bad compression pointer')
            if end is None:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            jumps += 1
        elif n == 0:
            return '.'.join(labels), (off + 1 if end is None else end)
        else:
            labels.append(msg[off + 1:off + 1 + n].decode('ascii', 'replace'))
            off += 1 + n


def dns_parse(msg):
    """Parse a response: {'id', 'rcode', 'answers': [(name, type, ttl, data)]}.

    data is a dotted quad for A, a name for CNAME/PTR, raw bytes otherwise."""
    if len(msg) < 12:
        raise NetlabError('dns: short message')
    qid, flags, qd, an, _, _ = struct.unpack('!HHHHHH', msg[:12])
    off = 12
    for _ in range(qd):
        _, off = _dns_name(msg, off)
        off += 4
    answers = []
    for _ in range(an):
        name, off = _dns_name(msg, off)
        rtype, _, ttl, rdlen = struct.unpack('!HHIH', msg[off:off + 10])
        off += 10
        rdata = msg[off:off + rdlen]
        if rtype == DNS_TYPES['A'] and rdlen == 4:
            data = socket.inet_ntoa(rdata)
        elif rtype in (DNS_TYPES['CNAME'], DNS_TYPES['PTR']):
            data, _ = _dns_name(msg, off)
        else:
            data = rdata
        answers.append((name, DNS_TYPE_NAMES.get(rtype, rtype), ttl, data))
        off += rdlen
    return {'id': qid, 'rcode': flags & 0xF, 'answers': answers}


# --- The lab -----------------------------------------------------------------

class Netlab:
    """A network namespace with DNS, DHCP (tap) and optionally HTTP."""

    def __init__(self, mode='tap', http=False, dhcp=True):
        if mode not in ('tap', 'user'):
            raise ValueError("Netlab mode must be 'tap' or 'user'")
        self.mode = mode
        self.http = http
        self.dhcp = dhcp and mode == 'tap'
        self.name = 'pigeon-%d-%d' % (os.getpid(), next(_counter))
        self.dir = None
        self.started = False
        self._procs = []        # (label, Popen) in start order
        self._etc = '/etc/netns/' + self.name
        self._made_ns = False

    # Paths inside the lab's temp dir.
    def path(self, name):
        return os.path.join(self.dir, name)

    @property
    def lease_file(self):
        return self.path('dnsmasq.leases')

    @property
    def dnsmasq_log(self):
        return self.path('dnsmasq.log')

    # -- lifecycle --

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def start(self):
        if self.started:
            return self
        install_signal_cleanup()
        self.started = True
        _live.add(self)
        try:
            self.dir = tempfile.mkdtemp(prefix=self.name + '-')
            _ip('netns', 'add', self.name)
            self._made_ns = True
            os.makedirs(self._etc, exist_ok=True)
            with open(os.path.join(self._etc, 'resolv.conf'), 'w') as f:
                f.write('nameserver 127.0.0.1\n')
            _ip('-n', self.name, 'link', 'set', 'lo', 'up')
            for addr in LO_ADDRS:
                _ip('-n', self.name, 'addr', 'add', addr + '/32', 'dev', 'lo')
            if self.mode == 'tap':
                # The TAP must be made from inside the namespace: the tun
                # driver creates it in the namespace of the caller.
                self._run_checked(['ip', 'tuntap', 'add', 'dev', TAP_NAME,
                                   'mode', 'tap'])
                _ip('-n', self.name, 'addr', 'add',
                    '%s/%d' % (GATEWAY, GATEWAY_PREFIX), 'dev', TAP_NAME)
                _ip('-n', self.name, 'link', 'set', TAP_NAME, 'up')
            self._start_dnsmasq()
            if self.http:
                self._start_nginx()
        except BaseException:
            self.close()
            raise
        return self

    def close(self):
        """Tear everything down; safe to call twice and after a failed start."""
        with cleaning():
            self._close()

    def _close(self):
        if not self.started:
            return
        self.started = False
        _live.discard(self)
        for _, proc in reversed(self._procs):
            _stop(proc)
        self._procs = []
        if self._made_ns:
            if self.mode == 'tap':
                _ip('-n', self.name, 'link', 'del', TAP_NAME, check=False)
            _ip('netns', 'del', self.name, check=False)
            self._made_ns = False
        shutil.rmtree(self._etc, ignore_errors=True)
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- running things inside --

    def wrap(self, argv):
        """argv, to be run inside the namespace (and its /etc/netns files)."""
        return ['ip', 'netns', 'exec', self.name] + list(argv)

    def run(self, cmd, timeout=60, check=False):
        """Run a host-side command in the namespace; returns CompletedProcess
        (text stdout/stderr). cmd is an argv list or a shell string."""
        if isinstance(cmd, str):
            cmd = ['sh', '-c', cmd]
        return subprocess.run(self.wrap(cmd), capture_output=True, text=True,
                              timeout=timeout, check=check)

    def _run_checked(self, argv):
        proc = self.run(argv)
        if proc.returncode != 0:
            raise NetlabError('%s: %s' % (' '.join(argv), proc.stderr.strip()))
        return proc

    def call_inside(self, fn):
        """Call fn() on a thread that has entered the namespace; return its
        result. Sockets made there stay in the namespace for their life, so
        the caller can use them from any thread."""
        result = {}

        def body():
            try:
                fd = os.open('/run/netns/' + self.name, os.O_RDONLY)
                try:
                    if _libc.setns(fd, CLONE_NEWNET) != 0:
                        err = ctypes.get_errno()
                        raise OSError(err, 'setns: ' + os.strerror(err))
                finally:
                    os.close(fd)
                result['value'] = fn()
            except BaseException as e:      # handed to the caller below
                result['error'] = e

        t = threading.Thread(target=body, name='netns-' + self.name)
        t.start()
        t.join()
        if 'error' in result:
            raise result['error']
        return result['value']

    def socket(self, family=socket.AF_INET, type=socket.SOCK_STREAM):
        """A new socket in the namespace."""
        return self.call_inside(lambda: socket.socket(family, type))

    def connect(self, addr, timeout=10):
        """A TCP connection made from inside the namespace to addr."""
        sock = self.socket()
        sock.settimeout(timeout)
        sock.connect(addr)
        return sock

    def resolve(self, name, qtype='A', server='127.0.0.1', timeout=2.0):
        """Ask the lab's dnsmasq (from inside the namespace); see dns_parse."""
        sock = self.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.settimeout(timeout)
            query = dns_query(name, qtype)
            sock.sendto(query, (server, 53))
            while True:
                reply, _ = sock.recvfrom(4096)
                parsed = dns_parse(reply)
                if parsed['id'] == struct.unpack('!H', query[:2])[0]:
                    return parsed
        finally:
            sock.close()

    def http_get(self, path='/', host='www.google.com', addr=WEB_ADDR, port=80):
        """Fetch a page from inside the namespace: (status, headers, body)."""
        sock = self.connect((addr, port))
        try:
            sock.sendall(('GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' % (path, host))
                         .encode('ascii'))
            data = b''
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        finally:
            sock.close()
        head, _, body = data.partition(b'\r\n\r\n')
        lines = head.decode('latin-1').split('\r\n')
        status = int(lines[0].split()[1])
        headers = dict(line.split(': ', 1) for line in lines[1:] if ': ' in line)
        return status, headers, body

    # -- QEMU --

    def qemu_args(self, mac=GUEST_MAC):
        """The -netdev/-device arguments for a QEMU run inside (wrap) the lab."""
        if self.mode == 'tap':
            netdev = 'tap,id=net0,ifname=%s,script=no,downscript=no' % TAP_NAME
        else:
            netdev = 'user,id=net0'
        return ['-netdev', netdev, '-device', 'e1000,netdev=net0,mac=' + mac]

    # -- DHCP leases (tap mode) --

    def leases(self):
        """Current dnsmasq leases: list of dicts (expiry, mac, ip, hostname)."""
        try:
            with open(self.lease_file) as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            fields = line.split()
            if len(fields) >= 4:
                out.append({'expiry': int(fields[0]), 'mac': fields[1],
                            'ip': fields[2], 'hostname': fields[3]})
        return out

    def wait_lease(self, mac=GUEST_MAC, timeout=30.0):
        """Wait until dnsmasq has leased an address to MAC; return the IP."""
        deadline = time.monotonic() + timeout
        while True:
            for lease in self.leases():
                if lease['mac'].lower() == mac.lower():
                    return lease['ip']
            if time.monotonic() > deadline:
                raise NetlabError('no DHCP lease for %s after %.0f s' % (mac, timeout))
            time.sleep(0.05)

    def log(self):
        """dnsmasq's log so far (queries and DHCP), for failure reports."""
        try:
            with open(self.dnsmasq_log) as f:
                return f.read()
        except FileNotFoundError:
            return ''

    # -- servers --

    def _spawn(self, label, argv):
        proc = subprocess.Popen(self.wrap(_pdeathsig('TERM') + argv),
                                stdin=subprocess.DEVNULL,
                                stdout=open(self.path(label + '.out'), 'w'),
                                stderr=subprocess.STDOUT,
                                start_new_session=True)
        self._procs.append((label, proc))
        return proc

    def _wait_ready(self, label, proc, probe, timeout=15.0):
        """Wait until probe() succeeds, failing early if proc dies."""
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                with open(self.path(label + '.out')) as f:
                    out = f.read()
                raise NetlabError('%s exited with %d: %s%s' % (
                    label, proc.returncode, out, self.log() if label == 'dnsmasq' else ''))
            try:
                probe()
                return
            except (OSError, NetlabError):
                if time.monotonic() > deadline:
                    raise NetlabError('%s not ready after %.0f s' % (label, timeout))
                time.sleep(0.05)

    def _dnsmasq_conf(self):
        lines = [
            'no-resolv', 'no-hosts', 'no-ping',
            'bind-interfaces', 'listen-address=127.0.0.1',
            'user=root', 'group=root',      # its files live in our 0700 dir
            'pid-file=' + self.path('dnsmasq.pid'),
            'dhcp-leasefile=' + self.lease_file,
            'log-facility=' + self.dnsmasq_log,
            'log-queries', 'log-dhcp',
        ]
        if self.mode == 'tap':
            lines += ['listen-address=' + GATEWAY]
            if self.dhcp:
                lines += [
                    'dhcp-range=%s,%s,%s,%s' % (DHCP_FIRST, DHCP_LAST,
                                                DHCP_NETMASK, DHCP_LEASE_TIME),
                    'dhcp-option=option:router,' + GATEWAY,
                    'dhcp-option=option:dns-server,' + GATEWAY,
                    'dhcp-authoritative',
                ]
        for zone in LOCAL_ZONES:
            lines.append('local=/%s/' % zone)
        for name, addr, ttl in HOST_RECORDS:
            lines.append('host-record=%s,%s,%d' % (name, addr, ttl))
        for alias, target, ttl in CNAMES:
            lines.append('cname=%s,%s,%d' % (alias, target, ttl))
        return '\n'.join(lines) + '\n'

    def _start_dnsmasq(self):
        conf = self.path('dnsmasq.conf')
        with open(conf, 'w') as f:
            f.write(self._dnsmasq_conf())
        proc = self._spawn('dnsmasq', ['dnsmasq', '--conf-file=' + conf,
                                       '--keep-in-foreground'])

        def probe():
            if self.resolve('www.google.com', timeout=0.5)['rcode'] != 0:
                raise NetlabError('dnsmasq answered with an error')
        self._wait_ready('dnsmasq', proc, probe)

    def _start_nginx(self):
        """The web: nginx with the test pages (webroot.py) and the scripted
        server for the pathological cases (badhttpd.py)."""
        import badhttpd
        import webroot
        webroot.start(self)
        badhttpd.start(self)


# --- Self-test ---------------------------------------------------------------

class _Tap:
    """The TAP device opened from the namespace, as QEMU would: raw frames."""

    def __init__(self, lab):
        def open_tap():
            fd = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK)
            ifr = struct.pack('16sH22x', TAP_NAME.encode(), IFF_TAP | IFF_NO_PI)
            fcntl.ioctl(fd, TUNSETIFF, ifr)
            return fd
        self.fd = lab.call_inside(open_tap)

    def close(self):
        os.close(self.fd)

    def send(self, frame):
        os.write(self.fd, frame)

    def recv(self, accept, timeout=5.0):
        """Return the first frame for which accept(frame) is true."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise NetlabError('tap: no matching frame in %.0f s' % timeout)
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                frame = os.read(self.fd, 65536)
                if accept(frame):
                    return frame


def _checksum(data):
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _dhcp_frame(mac, xid, msg_type, extra_opts=b''):
    """A broadcast DHCP client frame (RFC 2131 with the broadcast flag)."""
    hw = bytes.fromhex(mac.replace(':', ''))
    bootp = struct.pack('!BBBBIHH4s4s4s4s16s64s128sI', 1, 1, 6, 0, xid, 0, 0x8000,
                        b'\0' * 4, b'\0' * 4, b'\0' * 4, b'\0' * 4, hw, b'', b'',
                        0x63825363)
    opts = bytes([53, 1, msg_type]) + extra_opts + bytes([55, 3, 1, 3, 6, 255])
    payload = bootp + opts
    udp = struct.pack('!HHHH', 68, 67, 8 + len(payload), 0) + payload
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     b'\0' * 4, b'\xff' * 4)
    ip = ip[:10] + struct.pack('!H', _checksum(ip)) + ip[12:]
    return b'\xff' * 6 + hw + b'\x08\x00' + ip + udp


def _dhcp_reply(frame, xid):
    """(message type, yiaddr, options) if frame is a DHCP reply for xid."""
    if len(frame) < 14 + 20 + 8 + 240 or frame[12:14] != b'\x08\x00':
        return None
    ihl = (frame[14] & 0xF) * 4
    if frame[14 + 9] != 17:
        return None
    udp = frame[14 + ihl:]
    if struct.unpack('!H', udp[2:4])[0] != 68:
        return None
    bootp = udp[8:]
    if bootp[0] != 2 or struct.unpack('!I', bootp[4:8])[0] != xid:
        return None
    opts, i = {}, 240
    while i < len(bootp) and bootp[i] != 255:
        if bootp[i] == 0:
            i += 1
            continue
        opts[bootp[i]] = bootp[i + 2:i + 2 + bootp[i + 1]]
        i += 2 + bootp[i + 1]
    return opts.get(53, b'\0')[0], socket.inet_ntoa(bootp[16:20]), opts


def _checker(lab, failures):
    """check(cond, what): print one PASS/FAIL line, remember failures."""
    def check(cond, what):
        print('%s netlab.%s.%s' % ('PASS' if cond else 'FAIL', lab.mode, what), flush=True)
        if not cond:
            failures.append(what)
    return check


def _selftest_dns(lab, failures):
    check = _checker(lab, failures)

    def a_records(r):
        return sorted(d for _, t, _, d in r['answers'] if t == 'A')

    servers = ['127.0.0.1'] + ([GATEWAY] if lab.mode == 'tap' else [])
    for server in servers:
        r = lab.resolve('www.google.com', server=server)
        check(r['rcode'] == 0 and a_records(r) == [WEB_ADDR],
              'dns_www_google@' + server)
    r = lab.resolve('www.example.test')
    chain = [(n, t, d) for n, t, _, d in r['answers']]
    check(chain == [('www.example.test', 'CNAME', 'alias1.example.test'),
                    ('alias1.example.test', 'CNAME', 'web.example.test'),
                    ('web.example.test', 'A', '198.51.100.11')], 'dns_cname_chain')
    r = lab.resolve('multi.example.test')
    check(a_records(r) == ['198.51.100.21', '198.51.100.22', '198.51.100.23'],
          'dns_multi_a')
    r = lab.resolve('short.example.test')
    check([t for _, _, t, _ in r['answers']] == [SHORT_TTL], 'dns_short_ttl')
    for name in ('nx.example.test', 'nothing.google.com'):
        r = lab.resolve(name)
        check(r['rcode'] == DNS_RCODE_NXDOMAIN and not r['answers'],
              'dns_nxdomain_' + name.split('.')[0])
    r = lab.resolve('www.google.com', qtype='AAAA')
    check(r['rcode'] == 0 and not r['answers'], 'dns_aaaa_nodata')
    # slirp reads resolv.conf; ip netns exec must show it ours.
    out = lab.run(['cat', '/etc/resolv.conf']).stdout
    check(out.strip() == 'nameserver 127.0.0.1', 'resolv_conf')
    out = lab.run(['ip', '-4', 'addr', 'show', 'dev', 'lo']).stdout
    check(all(a + '/32' in out for a in LO_ADDRS), 'lo_test_hosts')


def _selftest_dhcp(lab, failures):
    check = _checker(lab, failures)

    tap = _Tap(lab)
    try:
        xid = random.getrandbits(32)
        t0 = time.monotonic()
        tap.send(_dhcp_frame(GUEST_MAC, xid, 1))                     # DISCOVER
        offer = _dhcp_reply(tap.recv(lambda f: _dhcp_reply(f, xid) is not None), xid)
        took = time.monotonic() - t0
        check(offer[0] == 2 and offer[1].startswith('192.0.2.')
              and socket.inet_ntoa(offer[2][3]) == GATEWAY
              and socket.inet_ntoa(offer[2][6]) == GATEWAY, 'dhcp_offer')
        # no-ping: an offer comes at once, not after dnsmasq's 3 s ping wait.
        check(took < 2.0, 'dhcp_offer_fast')
        req = (bytes([50, 4]) + socket.inet_aton(offer[1]) +
               bytes([54, 4]) + socket.inet_aton(GATEWAY))
        tap.send(_dhcp_frame(GUEST_MAC, xid, 3, req))                # REQUEST
        ack = _dhcp_reply(tap.recv(lambda f: (_dhcp_reply(f, xid) or (0,))[0] == 5), xid)
        check(ack[1] == offer[1], 'dhcp_ack')
        check(lab.wait_lease(timeout=5) == offer[1], 'dhcp_lease_file')
    finally:
        tap.close()
    out = lab.run(['ip', '-4', 'addr', 'show', 'dev', TAP_NAME]).stdout
    check('%s/%d' % (GATEWAY, GATEWAY_PREFIX) in out, 'tap_address')


def selftest():
    """Bring up each mode, check it from inside, tear it down, check that
    nothing is left. One PASS/FAIL line per check; returns the exit status."""
    failures = []
    for mode in ('tap', 'user'):
        lab = Netlab(mode, http=True)
        check = _checker(lab, failures)
        pids, tmp = [], None
        try:
            with lab:
                pids = [p.pid for _, p in lab._procs]
                tmp = lab.dir
                _selftest_dns(lab, failures)
                if mode == 'tap':
                    _selftest_dhcp(lab, failures)
                status, _, body = lab.http_get('/')
                check(status == 200 and b'<title>Google</title>' in body, 'http_home_page')
        except (NetlabError, OSError, subprocess.SubprocessError) as e:
            check(False, 'setup: %s' % e)
        left = []
        if lab.name in _ip('netns', 'list').stdout.split():
            left.append('namespace')
        if os.path.exists('/etc/netns/' + lab.name) or (tmp and os.path.exists(tmp)):
            left.append('files')
        left += ['pid %d' % pid for pid in pids if os.path.exists('/proc/%d' % pid)]
        check(not left, 'teardown' + (': left ' + ', '.join(left) if left else ''))
    return 1 if failures else 0


def main(argv):
    if argv[1:] == ['--selftest']:
        return selftest()
    if len(argv) >= 2 and argv[1] in ('tap', 'user'):
        # Interactive: `netlab.py tap [--http] [-- CMD...]` runs CMD (or a
        # shell) inside a fresh lab, e.g. to try a QEMU by hand.
        rest = argv[2:]
        http = '--http' in rest
        cmd = rest[rest.index('--') + 1:] if '--' in rest else [os.environ.get('SHELL', 'sh')]
        with Netlab(argv[1], http=http) as lab:
            print('netlab %s: namespace %s, qemu args: %s' % (
                lab.mode, lab.name, ' '.join(lab.qemu_args())), file=sys.stderr)
            return subprocess.call(lab.wrap(cmd))
    print('usage: netlab.py --selftest | netlab.py tap|user [--http] [-- CMD...]',
          file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
