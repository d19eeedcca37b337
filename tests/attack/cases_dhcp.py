"""DHCP tests of the catalog (robustness-tests.md H1-H3), each a function of
a Bench. scapy plays the DHCP server(s) as virtual peers (SERVER_A, and
SERVER_B where two are needed). The lab's dnsmasq would answer too, so for
the length of each test an nftables rule in the lab's namespace keeps
DHCP (UDP port 67) from reaching it; the test ends by handing Pigeon back
to dnsmasq (`dhcp -w`) so the global checks and G4's fetch see the lab as
it was.

Each test starts the client with `ifconfig` (which stops the boot-time
client; its RELEASE is blocked, so dnsmasq keeps the lease to give back)
and then `dhcp` (a new client: DISCOVER).
"""

import contextlib
import re
import socket
import struct
import time

from scapy.all import IP, UDP, Ether, Raw

from cases_names import restore_dhcp
from wire import PEERS, peer_mac, tolerance

SERVER_A = PEERS[3]             # 192.0.2.5
SERVER_B = PEERS[4]             # 192.0.2.6
ADDR_A = '192.0.2.50'
ADDR_B = '192.0.2.60'
GATEWAY = '192.0.2.1'
MAGIC = b'\x63\x82\x53\x63'

DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE = 1, 2, 3, 4, 5, 6, 7
O_PAD, O_MASK, O_ROUTER, O_DNS, O_HOSTNAME, O_VENDOR = 0, 1, 3, 6, 12, 43
O_REQ_IP, O_LEASE, O_OVERLOAD, O_TYPE, O_SERVER_ID = 50, 51, 52, 53, 54
O_DOMAIN_SEARCH, O_END = 119, 255

NFT_TABLE = 'pigeon_attack_dhcp'


def _delta(before, after, key):
    return after.get(key, 0) - before.get(key, 0)


# -- the wire format (RFC 2131 figure 1, RFC 2132), built by hand --

def opt(code, data):
    return bytes([code, len(data)]) + data


def ip4(text):
    return socket.inet_aton(text)


def bootreply(b, xid, yiaddr, options, chaddr=None, sname=b'', file=b''):
    """A BOOTREPLY for Pigeon's MAC (or chaddr) with these option bytes."""
    mac = chaddr or bytes.fromhex(b.wire.guest_mac.replace(':', ''))
    return (struct.pack('!BBBBIHH', 2, 1, 6, 0, xid, 0, 0x8000) + ip4('0.0.0.0') + ip4(yiaddr)
            + ip4('0.0.0.0') + ip4('0.0.0.0') + mac.ljust(16, b'\0') + sname.ljust(64, b'\0')
            + file.ljust(128, b'\0') + MAGIC + options)


def lease_options(mtype, server=SERVER_A, lease=3600, end=True):
    """The options of a plain OFFER or ACK (server id, lease, mask, router, DNS)."""
    o = (opt(O_TYPE, bytes([mtype])) + opt(O_SERVER_ID, ip4(server)) + opt(O_LEASE, struct.pack('!I', lease))
         + opt(O_MASK, ip4('255.255.255.0')) + opt(O_ROUTER, ip4(GATEWAY)) + opt(O_DNS, ip4(GATEWAY)))
    return o + (bytes([O_END]) if end else b'')


def send_reply(b, payload, server=SERVER_A, to=None):
    """A server's reply: broadcast (Pigeon sets the broadcast flag), or
    unicast to the address `to` (renewing)."""
    dst_mac, dst_ip = (b.wire.guest_mac, to) if to else ('ff:ff:ff:ff:ff:ff', '255.255.255.255')
    b.wire.send(Ether(src=peer_mac(server), dst=dst_mac) / IP(src=server, dst=dst_ip)
                / UDP(sport=67, dport=68) / Raw(payload))


class ClientMsg:
    """A message Pigeon's client sent, decoded just enough to check."""

    def __init__(self, pkt, t):
        self.t = t
        self.ip_src, self.ip_dst = pkt[IP].src, pkt[IP].dst
        self.eth_dst = pkt[Ether].dst
        raw = bytes(pkt[UDP].payload)[:pkt[UDP].len - 8]
        self.op, self.xid, self.flags = raw[0], struct.unpack('!I', raw[4:8])[0], struct.unpack('!H', raw[10:12])[0]
        self.ciaddr = socket.inet_ntoa(raw[12:16])
        self.opts, i = {}, 240
        while i < len(raw) and raw[i] != O_END:
            if raw[i] == O_PAD:
                i += 1
                continue
            self.opts[raw[i]] = raw[i + 2:i + 2 + raw[i + 1]]
            i += 2 + raw[i + 1]
        self.type = self.opts.get(O_TYPE, b'\0')[0]

    def addr_opt(self, code):
        v = self.opts.get(code)
        return socket.inet_ntoa(v) if v and len(v) == 4 else None


def _is_client(b, mtype=None):
    def m(p):
        if not (IP in p and UDP in p and p[UDP].sport == 68 and p[UDP].dport == 67
                and p[Ether].src == b.wire.guest_mac):
            return False
        return mtype is None or ClientMsg(p, 0).type == mtype
    return m


def expect_client(b, mtype, timeout, since=None):
    """The next DISCOVER/REQUEST/... Pigeon sends, as a ClientMsg, or None."""
    p = b.wire.expect(_is_client(b, mtype), timeout=timeout * b.guest.scale, since=since)
    return ClientMsg(p, b.wire.last_time) if p is not None else None


def expect_no_client(b, mtype, duration, since, what):
    p = b.wire.expect(_is_client(b, mtype), timeout=duration, since=since)
    assert p is None, 'Pigeon sent a %s after %s' % ({DISCOVER: 'DISCOVER', REQUEST: 'REQUEST'}.get(mtype), what)


@contextlib.contextmanager
def scapy_is_the_server(b):
    """For the test's length: dnsmasq hears no DHCP, Pigeon has no DHCP
    client until the test starts one; then back to dnsmasq's lease."""
    orig = b.dut.ip
    rules = ('nft add table inet {t}; '
             "nft add chain inet {t} input '{{ type filter hook input priority -300; }}'; "
             'nft add rule inet {t} input udp dport 67 drop').format(t=NFT_TABLE)
    r = b.lab.run(rules)
    assert r.returncode == 0, 'nft: %s' % r.stderr.strip()
    try:
        b.dut.run('ifconfig eth0 %s/24 gw %s dns %s' % (orig, GATEWAY, GATEWAY))
        yield
    finally:
        b.dut.run('ifconfig eth0 %s/24 gw %s dns %s' % (orig, GATEWAY, GATEWAY))
        b.lab.run('nft delete table inet ' + NFT_TABLE)
        restore_dhcp(b)


def start_client(b):
    """`dhcp` (a new client) and its first DISCOVER."""
    t0 = b.wire.mark()
    b.dut.run('dhcp')
    d = expect_client(b, DISCOVER, 5, since=t0)
    assert d is not None, 'no DISCOVER after `dhcp`'
    return d


def status(b):
    return b.dut.run('dhcp -s')


# -- H1 --

def h1_happy_path_and_timers(b):
    """H1: a 16 s lease from scapy: bound within 2 s of the DISCOVER; at
    T1 = 8 s a unicast REQUEST (ciaddr set, no server id); its ACK renews
    for 12 s; at that lease's T1 (6 s) a unicast REQUEST, unanswered, and
    no other until T2 (10.5 s), when a broadcast REQUEST rebinds; nobody
    answers, so at expiry (12 s) the address is removed and a DISCOVER
    starts over."""
    with scapy_is_the_server(b):
        d = start_client(b)
        t0 = b.wire.mark()
        send_reply(b, bootreply(b, d.xid, ADDR_A, lease_options(OFFER, lease=16)))
        req = expect_client(b, REQUEST, 3, since=t0)
        assert req is not None, 'no REQUEST after the OFFER'
        assert req.addr_opt(O_REQ_IP) == ADDR_A and req.addr_opt(O_SERVER_ID) == SERVER_A, \
            'REQUEST asks for %s from %s' % (req.addr_opt(O_REQ_IP), req.addr_opt(O_SERVER_ID))
        mark = b.guest.mark()
        send_reply(b, bootreply(b, req.xid, ADDR_A, lease_options(ACK, lease=16)))
        b.guest.expect(r'eth0: 192\.0\.2\.50/24 gw 192\.0\.2\.1 dns 192\.0\.2\.1 \(dhcp, lease 16 s\)',
                       timeout=5, start=mark)
        bound = time.monotonic() - d.t
        assert bound < 2.0 * b.guest.scale, 'bound %.1f s after the DISCOVER' % bound
        b.dut.ip = ADDR_A

        # T1: renew by unicast to the server.
        renew = expect_client(b, REQUEST, 8 + tolerance(8) + 2, since=req.t + 1)
        assert renew is not None, 'no REQUEST at T1'
        at = renew.t - req.t
        assert abs(at - 8) <= tolerance(8), 'renewed at %.1f s, T1 is 8 s' % at
        assert renew.ip_dst == SERVER_A and renew.eth_dst == peer_mac(SERVER_A), \
            'renewing REQUEST not unicast to the server (%s)' % renew.ip_dst
        assert renew.ciaddr == ADDR_A and renew.ip_src == ADDR_A, 'renewing REQUEST without ciaddr'
        assert O_SERVER_ID not in renew.opts and O_REQ_IP not in renew.opts, \
            'renewing REQUEST carries a server id or requested address (RFC 2131 4.3.2)'
        send_reply(b, bootreply(b, renew.xid, ADDR_A, lease_options(ACK, lease=12)), to=ADDR_A)
        deadline = time.monotonic() + 3
        while 'lease 12 s' not in status(b):
            assert time.monotonic() < deadline, 'the renewing ACK was not taken: %r' % status(b)
            time.sleep(0.1)

        # The new lease's T1 (6 s): renew again; this time nobody answers.
        renew2 = expect_client(b, REQUEST, 6 + tolerance(6) + 2, since=renew.t + 1)
        assert renew2 is not None, 'no REQUEST at the renewed lease\'s T1'
        assert abs(renew2.t - renew.t - 6) <= tolerance(6), 'renewed at %.1f s, T1 is 6 s' % (renew2.t - renew.t)
        assert renew2.ip_dst == SERVER_A, 'second renew not unicast'

        # T2 (10.5 s): rebind by broadcast, and nothing in between.
        rebind = expect_client(b, REQUEST, 4.5 + tolerance(10.5) + 2, since=renew2.t + 0.01)
        assert rebind is not None, 'no REQUEST at T2'
        at = rebind.t - renew.t
        assert rebind.ip_dst == '255.255.255.255', 'REQUEST to %s before T2 (at %.1f s)' % (rebind.ip_dst, at)
        assert abs(at - 10.5) <= tolerance(10.5), 'rebound at %.1f s, T2 is 10.5 s' % at
        assert rebind.ciaddr == ADDR_A and O_SERVER_ID not in rebind.opts, 'rebinding REQUEST malformed'

        # Expiry (12 s): address gone, DISCOVER again.
        mark = b.guest.mark()
        disc = expect_client(b, DISCOVER, 1.5 + tolerance(12) + 2, since=rebind.t + 0.01)
        assert disc is not None, 'no DISCOVER after the lease expired'
        at = disc.t - renew.t
        assert abs(at - 12) <= tolerance(12), 'discovery restarted at %.1f s, expiry is 12 s' % at
        assert disc.xid not in (req.xid, renew.xid), 'the new DISCOVER reuses an old xid'
        b.guest.expect(r'eth0: DHCP lease lost; address removed', timeout=5, start=mark)
        out = b.dut.run('ifconfig eth0')
        assert 'no IPv4 address' in out, 'the address stayed after expiry: %r' % out


# -- H2 --

def h2_malformed_options(b):
    """H2: OFFERs with an option running past the packet, overload (52)
    into garbage, overload with a bad value or inside the file field,
    zero-length mask and message type, no message type, and no server id
    are each dropped and counted (no REQUEST follows). An OFFER with 255
    PADs, a zero-length unknown option, 255-byte options 119, 12 and 43
    and no END is used. An ACK without a server id is refused; an ACK
    whose lease time sits in the file field (overload 1) binds."""
    with scapy_is_the_server(b):
        d = start_client(b)
        base = opt(O_TYPE, bytes([OFFER])) + opt(O_SERVER_ID, ip4(SERVER_A)) + opt(O_LEASE, struct.pack('!I', 3600))
        garbage = bytes(range(0x35, 0x35 + 64)) * 2
        bad = [
            ('rx_opt_trunc', base + bytes([O_ROUTER, 200]) + ip4(GATEWAY), {}),
            ('rx_opt_trunc', base + opt(O_OVERLOAD, b'\x03') + bytes([O_END]), {'file': b'\x35\xff' + garbage[:100],
                                                                              'sname': garbage[:64]}),
            ('rx_overload', base + opt(O_OVERLOAD, b'\x09') + bytes([O_END]), {}),
            ('rx_overload', base + opt(O_OVERLOAD, b'\x01') + bytes([O_END]), {'file': opt(O_OVERLOAD, b'\x02')
                                                                             + bytes([O_END])}),
            ('rx_opt_len', base + bytes([O_MASK, 0, O_END]), {}),
            ('rx_opt_len', opt(O_SERVER_ID, ip4(SERVER_A)) + bytes([O_TYPE, 0, O_END]), {}),
            ('rx_no_type', opt(O_SERVER_ID, ip4(SERVER_A)) + opt(O_LEASE, b'\0\0\x0e\x10') + bytes([O_END]), {}),
            ('rx_bad_offer', lease_options(OFFER).replace(opt(O_SERVER_ID, ip4(SERVER_A)), b''), {}),
        ]
        c0 = b.dut.counters()
        t0 = b.wire.mark()
        for _, opts, fields in bad:
            send_reply(b, bootreply(b, d.xid, ADDR_A, opts, **fields))
        expect_no_client(b, REQUEST, 1.0, t0, 'a malformed OFFER')
        c1 = b.dut.counters()
        for key in sorted({k for k, _, _ in bad}):
            want = sum(1 for k, _, _ in bad if k == key)
            got = _delta(c0, c1, 'dhcp.' + key)
            assert got == want, 'dhcp.%s moved by %d, want %d' % (key, got, want)

        # Odd but valid: used.
        odd = (bytes(255) + lease_options(OFFER, end=False) + bytes([224, 0]) + opt(O_DOMAIN_SEARCH, b'\x03abc' * 63
               + b'\x01a\x00') + opt(O_HOSTNAME, b'h' * 255) + opt(O_VENDOR, bytes(range(255))))
        t0 = b.wire.mark()
        send_reply(b, bootreply(b, d.xid, ADDR_A, odd))
        req = expect_client(b, REQUEST, 3, since=t0)
        assert req is not None, 'the odd but valid OFFER was not taken'
        assert req.addr_opt(O_REQ_IP) == ADDR_A and req.addr_opt(O_SERVER_ID) == SERVER_A, 'REQUEST for the wrong lease'

        # An ACK without a server identifier (RFC 2131 table 3: MUST).
        c0 = b.dut.counters()
        mark = b.guest.mark()
        send_reply(b, bootreply(b, req.xid, ADDR_A, lease_options(ACK).replace(opt(O_SERVER_ID, ip4(SERVER_A)), b'')))
        time.sleep(0.5)
        assert 'REQUESTING' in status(b), 'an ACK without a server id was taken: %r' % status(b)
        c1 = b.dut.counters()
        assert _delta(c0, c1, 'dhcp.rx_bad_ack') == 1, 'the ACK without a server id was not counted'

        # An ACK whose lease, mask, router and DNS sit in the file field.
        in_file = (opt(O_LEASE, struct.pack('!I', 3000)) + opt(O_MASK, ip4('255.255.255.0'))
                   + opt(O_ROUTER, ip4(GATEWAY)) + opt(O_DNS, ip4(GATEWAY)) + bytes([O_END]))
        send_reply(b, bootreply(b, req.xid, ADDR_A, opt(O_TYPE, bytes([ACK])) + opt(O_SERVER_ID, ip4(SERVER_A))
                                + opt(O_OVERLOAD, b'\x01') + bytes([O_END]), file=in_file))
        b.guest.expect(r'eth0: 192\.0\.2\.50/24 gw 192\.0\.2\.1 dns 192\.0\.2\.1 \(dhcp, lease 3000 s\)',
                       timeout=5, start=mark)


# -- H3 --

def h3_spoof_and_sequence(b):
    """H3: OFFERs with a wrong xid or chaddr are ignored (counted); of two
    servers' OFFERs the first is chosen and the REQUEST names it; the
    other server's ACK and NAK are ignored; the chosen server's NAK
    restarts discovery with a new xid; after binding, duplicate ACKs (one
    with another address) and a NAK change nothing."""
    with scapy_is_the_server(b):
        d = start_client(b)
        c0 = b.dut.counters()
        t0 = b.wire.mark()
        send_reply(b, bootreply(b, d.xid ^ 0x01000000, ADDR_A, lease_options(OFFER)))
        send_reply(b, bootreply(b, d.xid, ADDR_A, lease_options(OFFER), chaddr=bytes.fromhex('020000000099')))
        expect_no_client(b, REQUEST, 0.8, t0, 'a spoofed OFFER')
        c1 = b.dut.counters()
        assert _delta(c0, c1, 'dhcp.rx_wrong_xid') == 1, 'wrong xid not counted'
        assert _delta(c0, c1, 'dhcp.rx_wrong_chaddr') == 1, 'wrong chaddr not counted'

        # Two servers offer: one is chosen, the REQUEST says which.
        t0 = b.wire.mark()
        send_reply(b, bootreply(b, d.xid, ADDR_A, lease_options(OFFER, server=SERVER_A)), server=SERVER_A)
        send_reply(b, bootreply(b, d.xid, ADDR_B, lease_options(OFFER, server=SERVER_B)), server=SERVER_B)
        req = expect_client(b, REQUEST, 3, since=t0)
        assert req is not None, 'no REQUEST after two OFFERs'
        assert req.addr_opt(O_SERVER_ID) == SERVER_A and req.addr_opt(O_REQ_IP) == ADDR_A, \
            'REQUEST names %s from %s' % (req.addr_opt(O_REQ_IP), req.addr_opt(O_SERVER_ID))
        late = b.wire.expect(lambda p: _is_client(b, REQUEST)(p) and ClientMsg(p, 0).addr_opt(O_SERVER_ID) != SERVER_A,
                             timeout=0.5, since=t0)
        assert late is None, 'a REQUEST for the second server too'

        # The server not chosen: its ACK and NAK are not ours to obey.
        mark = b.guest.mark()
        send_reply(b, bootreply(b, req.xid, ADDR_B, lease_options(ACK, server=SERVER_B)), server=SERVER_B)
        send_reply(b, bootreply(b, req.xid, '0.0.0.0', opt(O_TYPE, bytes([NAK])) + opt(O_SERVER_ID, ip4(SERVER_B))
                                + bytes([O_END])), server=SERVER_B)
        time.sleep(0.3)
        s = status(b)
        assert 'REQUESTING' in s, 'the other server moved the client: %r' % s
        assert ADDR_B not in b.guest.since(mark), 'bound to the other server\'s address'

        # The chosen server says no: discovery starts over, new xid.
        t0 = b.wire.mark()
        send_reply(b, bootreply(b, req.xid, '0.0.0.0', opt(O_TYPE, bytes([NAK])) + opt(O_SERVER_ID, ip4(SERVER_A))
                                + bytes([O_END])))
        d2 = expect_client(b, DISCOVER, 1.0 + tolerance(1.0) + 2, since=t0)
        assert d2 is not None, 'no DISCOVER after the NAK'
        assert d2.xid != d.xid, 'discovery after the NAK reuses the xid'
        assert d2.t - t0 >= 1.0 - tolerance(1.0), 'DISCOVER %.2f s after the NAK: no pause' % (d2.t - t0)

        t0 = b.wire.mark()
        send_reply(b, bootreply(b, d2.xid, ADDR_A, lease_options(OFFER)))
        req2 = expect_client(b, REQUEST, 3, since=t0)
        assert req2 is not None, 'no REQUEST after the second OFFER'
        mark = b.guest.mark()
        send_reply(b, bootreply(b, req2.xid, ADDR_A, lease_options(ACK)))
        b.guest.expect(r'eth0: 192\.0\.2\.50/24 .*\(dhcp, lease 3600 s\)', timeout=5, start=mark)
        before = status(b)

        # Duplicates and a late NAK while bound: nothing changes.
        c0 = b.dut.counters()
        mark = b.guest.mark()
        t0 = b.wire.mark()
        send_reply(b, bootreply(b, req2.xid, ADDR_A, lease_options(ACK)))
        send_reply(b, bootreply(b, req2.xid, '192.0.2.77', lease_options(ACK, lease=60)))
        send_reply(b, bootreply(b, req2.xid, '0.0.0.0', opt(O_TYPE, bytes([NAK])) + opt(O_SERVER_ID, ip4(SERVER_A))
                                + bytes([O_END])))
        expect_no_client(b, None, 0.5, t0, 'duplicate ACKs')
        c1 = b.dut.counters()
        assert _delta(c0, c1, 'dhcp.rx_unexpected') == 3, 'duplicates counted %d' % _delta(c0, c1, 'dhcp.rx_unexpected')
        after = status(b)
        assert re.sub(r'\d+ s left', '', after) == re.sub(r'\d+ s left', '', before), \
            'the lease changed: %r -> %r' % (before, after)
        assert 'eth0: 192' not in b.guest.since(mark), 'a duplicate ACK reconfigured the interface'
        out = b.dut.run('ifconfig eth0')
        assert 'inet 192.0.2.50/24' in out, 'address changed: %r' % out


TESTS = [
    ('H1.happy_path_and_timers', h1_happy_path_and_timers),
    ('H2.malformed_options', h2_malformed_options),
    ('H3.spoof_and_sequence', h3_spoof_and_sequence),
]
