"""The testbench's hold on the wire: raw Ethernet frames on the netlab's
TAP (ptap0), from an AF_PACKET socket opened inside the namespace.

The host kernel owns 192.0.2.1 on ptap0 and would answer (or RST) any
flow addressed to it, so crafted flows use *virtual peers* 192.0.2.2-9:
they exist only here; a reader thread answers ARP for them and queues every
other frame for expect(). scapy (Debian's python3-scapy, /usr/bin/python3)
builds and parses the frames.

Every expected frame has a deadline; under TCG the tolerance on a timed
event is max(100 ms, 25%) (robustness-tests.md section 1.2).
"""

import collections
import ctypes
import socket
import struct
import threading
import time

from scapy.all import ARP, Ether, IP, conf
conf.verb = 0

TAP = 'ptap0'
ETH_P_ALL = 0x0003
PEERS = ['192.0.2.%d' % i for i in range(2, 10)]


SO_ATTACH_FILTER = 26
SKF_AD_PKTTYPE = 0xfffff000 + 4     # SKF_AD_OFF + SKF_AD_PKTTYPE (linux/filter.h)


def drop_outgoing_copies(sock):
    """A classic BPF filter on an AF_PACKET socket that drops the copies of
    frames sent on the TAP (pkttype PACKET_OUTGOING), which the reader
    skips anyway: during a flood they would fill the socket's receive
    buffer and the guest's replies would be lost behind them. Returns the
    program, which must live as long as the socket."""
    insns = [(0x20, 0, 0, SKF_AD_PKTTYPE),                      # ld [pkttype]
             (0x15, 0, 1, socket.PACKET_OUTGOING),              # jeq OUTGOING
             (0x06, 0, 0, 0),                                   # ret 0: drop
             (0x06, 0, 0, 0x40000)]                             # ret: keep
    prog = ctypes.create_string_buffer(b''.join(struct.pack('HBBI', *i) for i in insns))
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER,
                    struct.pack('HL', len(insns), ctypes.addressof(prog)))
    return prog


def peer_mac(ip):
    """The made-up MAC of a virtual peer: 02:00:00:00:00:<last octet>."""
    return '02:00:00:00:00:%02x' % int(ip.split('.')[-1])


def tolerance(seconds):
    """The TCG slack on a timed event of that length."""
    return max(0.1, 0.25 * seconds)


class Wire:
    """Frames in and out of ptap0; ARP for the virtual peers answered."""

    def __init__(self, lab, peers=PEERS):
        self.peers = set(peers)
        self.guest_mac = None
        self._cond = threading.Condition()
        self._frames = collections.deque(maxlen=20000)   # (time, Ether)
        self._stop = False
        self.arp_answered = 0

        def open_raw():
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            s.bind((TAP, 0))
            return s
        self.sock = lab.call_inside(open_raw)
        self._bpf = drop_outgoing_copies(self.sock)
        self.sock.settimeout(0.2)
        self.my_mac = ':'.join('%02x' % b for b in self.sock.getsockname()[4][:6])
        self._thread = threading.Thread(target=self._reader, name='wire', daemon=True)
        self._thread.start()

    def close(self):
        self._stop = True
        self._thread.join(2)
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- the reader --

    def _reader(self):
        while not self._stop:
            try:
                data, addr = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            if addr[2] == socket.PACKET_OUTGOING:
                continue            # our own frames (and the host kernel's)
            try:
                pkt = Ether(data)
            except Exception:       # noqa: BLE001 (anything unparsable is noise)
                continue
            if self._answer_arp(pkt):
                continue
            with self._cond:
                self._frames.append((time.monotonic(), pkt))
                self._cond.notify_all()

    def _answer_arp(self, pkt):
        if ARP not in pkt:
            return False
        a = pkt[ARP]
        if a.op == 1 and a.pdst in self.peers:
            mac = peer_mac(a.pdst)
            self.guest_mac = self.guest_mac or a.hwsrc
            self.send(Ether(src=mac, dst=a.hwsrc) /
                      ARP(op=2, hwsrc=mac, psrc=a.pdst, hwdst=a.hwsrc, pdst=a.psrc))
            self.arp_answered += 1
            return True
        return False

    # -- sending --

    def send(self, frame):
        """Send one frame (a scapy packet or bytes)."""
        self.sock.send(bytes(frame))

    def send_ip(self, pkt, src_mac=None):
        """Send an IP packet (scapy) from a virtual peer to the guest."""
        src = src_mac or peer_mac(pkt[IP].src if pkt[IP].src in self.peers else PEERS[0])
        self.send(Ether(src=src, dst=self.guest_mac) / pkt)

    # -- receiving --

    def mark(self):
        """A point in time: expect(since=mark) looks only at later frames."""
        return time.monotonic()

    def flush(self):
        with self._cond:
            self._frames.clear()

    def expect(self, match, timeout=2.0, since=None, consume=True):
        """The first frame (scapy Ether) after `since` for which match(pkt)
        is true, waiting up to timeout seconds; None if none came."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for item in list(self._frames):
                    t, pkt = item
                    if since is not None and t < since:
                        continue
                    try:
                        ok = match(pkt)
                    except (IndexError, AttributeError):
                        ok = False
                    if ok:
                        if consume:
                            self._frames.remove(item)
                        self.last_time = t
                        return pkt
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def collect(self, match, duration, since=None):
        """Every matching frame seen until duration seconds from now, as
        (time, pkt) pairs."""
        time.sleep(duration)
        with self._cond:
            return [(t, p) for t, p in self._frames
                    if (since is None or t >= since) and _safe(match, p)]


def _safe(match, pkt):
    try:
        return match(pkt)
    except (IndexError, AttributeError):
        return False


def learn_guest_mac(wire, guest_ip, timeout=5.0):
    """Ping the guest from a virtual peer to learn its MAC (and make it
    learn the peer's through its ARP request)."""
    src = PEERS[-1]
    t0 = wire.mark()
    for _ in range(int(timeout / 0.5)):
        wire.send(Ether(src=peer_mac(src), dst='ff:ff:ff:ff:ff:ff') /
                  ARP(op=1, hwsrc=peer_mac(src), psrc=src, pdst=guest_ip))
        rep = wire.expect(lambda p: ARP in p and p[ARP].op == 2 and p[ARP].psrc == guest_ip,
                          timeout=0.5, since=t0)
        if rep is not None:
            wire.guest_mac = rep[ARP].hwsrc
            return wire.guest_mac
    raise AssertionError('the guest did not answer ARP for %s' % guest_ip)
