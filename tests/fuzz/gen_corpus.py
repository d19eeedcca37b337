#!/usr/bin/python3
"""Write the fuzz seed corpora (tests/fuzz/corpus/<target>/) from a capture
of a real run (tests/fuzz/capture.py; the capture kept is
tests/fuzz/capture/slirp-run.pcap).

Every seed is a real frame or message, or one put together from them in the
target's input format (each target's .c file describes it): the frames
Pigeon received, its DNS answers, DHCP replies and HTTP responses, the TCP
segments renumbered into the fuzz world's connection (tests/fuzz/
fuzz_world.h: our ISN, the web server's, our client port), fragments cut
from a real datagram. A few seeds add the malformed cases the catalog
names (overlapping fragments, zero-length options, a NAK, a truncated DNS
answer) so the fuzzer starts next to them.

    /usr/bin/python3 tests/fuzz/gen_corpus.py [PCAP]     (needs python3-scapy)
"""

import hashlib
import os
import shutil
import struct
import sys

from scapy.all import ARP, DNS, ICMP, IP, TCP, UDP, Ether, Raw, rdpcap  # noqa: F401

HERE = os.path.dirname(os.path.abspath(__file__))
PCAP = os.path.join(HERE, 'capture', 'slirp-run.pcap')
OUT = os.path.join(HERE, 'corpus')

# The fuzz world (tests/fuzz/fuzz_world.h).
OUR_MAC = '52:54:00:12:34:56'
GW_MAC = '52:55:0a:00:02:02'
OUR_IP = '10.0.2.15'
GW_IP = '10.0.2.2'
DNS_IP = '10.0.2.3'
WEB_IP = '198.51.100.10'
FW_ISS = 0xfffffff0
FW_PEER_ISS = 0x7ffffff0
FW_CLIENT_PORT = 49200
FW_REQUEST_LEN = 78
M32 = 0xffffffff

# tests/fuzz/fuzz_stateful.c's actions and flags.
APP_NONE, APP_SEND, APP_SHUTDOWN, APP_CLOSE, APP_ABORT, APP_CONNECT, APP_PAUSE, APP_SERVE, \
    APP_SERVE_CLOSE, APP_DNS, APP_DHCP_RENEW, APP_DHCP_RESTART, APP_LINK, APP_NODELAY = range(14)
FIXUP, ETH1 = 0x4000, 0x8000

seeds = {}


def seed(target, name, data):
    seeds.setdefault(target, []).append((name, bytes(data)))


def u16(v):
    return struct.pack('>H', v)


def u32(v):
    return struct.pack('>I', v & M32)


def fix(pkt):
    """Recompute lengths and checksums after editing a scapy packet."""
    for layer in (IP, UDP, TCP, ICMP):
        if layer in pkt:
            for f in ('len', 'chksum'):
                if f in pkt[layer].fields:
                    del pkt[layer].fields[f]
    return Ether(bytes(pkt))


# ---- what the capture holds ----

def received(frames):
    """Frames that came to Pigeon (not from its MAC)."""
    return [p for p in frames if p[Ether].src.lower() != OUR_MAC]


def tcp_streams(frames):
    """Per client port: the server's segments, in order, and the ISNs."""
    streams = {}
    for p in frames:
        if TCP not in p:
            continue
        t = p[TCP]
        ours = p[IP].src == OUR_IP
        port = t.sport if ours else t.dport
        s = streams.setdefault(port, {'server': [], 'our_iss': None, 'peer_iss': None, 'sport': None})
        if t.flags & 0x02:
            if ours:
                s['our_iss'] = t.seq
            else:
                s['peer_iss'] = t.seq
        if not ours:
            s['server'].append(p)
            s['sport'] = t.sport
    return streams


def http_bytes(stream):
    """The server's payload of one connection, in sequence order."""
    data = {}
    for p in stream['server']:
        if Raw in p[TCP]:
            data[p[TCP].seq] = bytes(p[TCP][Raw].load)
    return b''.join(data[k] for k in sorted(data, key=lambda s: (s - stream['peer_iss']) & M32))


def renumber(p, stream):
    """A server segment of a captured connection as one of the fuzz
    world's web server to its client (tests/fuzz/fuzz_world.c)."""
    q = p.copy()
    q[Ether].dst, q[Ether].src = OUR_MAC, GW_MAC
    q[IP].src, q[IP].dst = WEB_IP, OUR_IP
    t = q[TCP]
    t.sport, t.dport = 80, FW_CLIENT_PORT
    t.seq = (FW_PEER_ISS + ((t.seq - stream['peer_iss']) & M32)) & M32
    acked = min(((t.ack - stream['our_iss']) & M32) - 1, FW_REQUEST_LEN)
    t.ack = (FW_ISS + 1 + max(acked, 0)) & M32
    return fix(q)


# ---- targets ----

def eth_input(frames, streams):
    rx = received(frames)
    kinds = {}
    for p in rx:
        if ARP in p:
            k = 'arp'
        elif TCP in p:
            k = 'tcp-' + str(p[TCP].flags)
        elif DNS in p:
            k = 'dns'
        elif UDP in p:
            k = 'udp-%d' % p[UDP].sport
        elif ICMP in p:
            k = 'icmp'
        else:
            k = p.lastlayer().name.lower()
        if kinds.get(k, 0) < 3:
            kinds[k] = kinds.get(k, 0) + 1
            seed('eth_input', 'real-%s-%d' % (k, kinds[k]), bytes(p))
    home = first_http_stream(streams)
    for i, p in enumerate(home['server'][1:]):
        seed('eth_input', 'world-web-%d-%s' % (i, p[TCP].flags), bytes(renumber(p, home)))
    # A SYN to our listener: Pigeon's own SYN, coming the other way.
    syn = next(p for p in frames if TCP in p and p[TCP].flags == 'S')
    s = syn.copy()
    s[Ether].dst, s[Ether].src = OUR_MAC, GW_MAC
    s[IP].src, s[IP].dst = GW_IP, OUR_IP
    s[TCP].sport, s[TCP].dport = 40000, 80
    seed('eth_input', 'world-syn-to-listener', bytes(fix(s)))
    # An echo request to us, and a port unreachable quoting our DNS query.
    req = next(p for p in frames if ICMP in p and p[ICMP].type == 8)
    e = req.copy()
    e[Ether].dst, e[Ether].src = OUR_MAC, GW_MAC
    e[IP].src, e[IP].dst = GW_IP, OUR_IP
    seed('eth_input', 'world-echo-request', bytes(fix(e)))
    query = next(p for p in frames if DNS in p and p[IP].src == OUR_IP)
    unreach = Ether(dst=OUR_MAC, src=GW_MAC) / IP(src=DNS_IP, dst=OUR_IP) / ICMP(type=3, code=3) / \
        bytes(query[IP])[:28 + 8]
    seed('eth_input', 'world-port-unreachable', bytes(unreach))
    # The first fragment of a real DNS answer, and one with IP options.
    ans = next(p for p in rx if DNS in p)
    udp = bytes(ans[UDP])
    frag = Ether(dst=OUR_MAC, src=GW_MAC) / IP(src=DNS_IP, dst=OUR_IP, proto=17, id=77, flags='MF') / udp[:16]
    seed('eth_input', 'frag-first-of-dns-answer', bytes(fix(frag)))
    opt = Ether(dst=OUR_MAC, src=GW_MAC) / IP(src=DNS_IP, dst=OUR_IP, options=b'\x01\x01\x01\x00') / \
        UDP(sport=53, dport=5000) / b'hello'
    seed('eth_input', 'ip-options-udp', bytes(fix(opt)))


def first_http_stream(streams):
    for s in streams.values():
        if s['sport'] == 80 and s['peer_iss'] is not None and http_bytes(s).startswith(b'HTTP/1.1 200'):
            return s
    raise SystemExit('no HTTP 200 in the capture')


def reasm_record(ctl, frag_word, payload):
    return bytes([ctl]) + u16(frag_word) + u16(len(payload)) + payload


def ipv4_reasm(frames):
    ans = next(p for p in received(frames) if DNS in p)
    udp = bytearray(bytes(ans[UDP]))
    udp[2:4] = b'\x13\x88'          # to port 5000, the world's endpoint
    udp[6:8] = b'\x00\x00'          # no checksum (the harness rewrites no UDP)
    udp = bytes(udp)
    parts = [udp[i:i + 16] for i in range(0, len(udp), 16)]
    recs = [reasm_record(0, (0x2000 if i < len(parts) - 1 else 0) | (i * 2), part)
            for i, part in enumerate(parts)]
    seed('ipv4_reasm', 'dns-answer-in-order', b''.join(recs))
    seed('ipv4_reasm', 'dns-answer-reversed', b''.join(reversed(recs)))
    seed('ipv4_reasm', 'dns-answer-duplicate', b''.join(recs[:2] + recs[1:]))
    seed('ipv4_reasm', 'dns-answer-missing-last', b''.join(recs[:-1]))
    seed('ipv4_reasm', 'dns-answer-timeout', b''.join(recs[:1] + [bytes([0x20]) + recs[1][1:]] + recs[2:]))
    over = reasm_record(0, 0x2000 | 1, udp[8:24])  # offset 8: overlaps the first
    seed('ipv4_reasm', 'overlap-teardrop', recs[0] + over + b''.join(recs[1:]))
    seed('ipv4_reasm', 'two-datagrams-interleaved',
         b''.join(r for pair in zip(recs, [bytes([1]) + r[1:] for r in recs]) for r in pair))
    req = next(p for p in frames if ICMP in p and p[ICMP].type == 8)
    icmp = bytes(req[ICMP])
    half = (len(icmp) // 2) & ~7
    seed('ipv4_reasm', 'echo-request-in-two',
         reasm_record(0x08, 0x2000, icmp[:half]) + reasm_record(0x08, half // 8, icmp[half:]))
    seed('ipv4_reasm', 'ping-of-death-offset', reasm_record(0, 0x1fff, b'\0' * 16) + recs[0])
    seed('ipv4_reasm', 'df-and-mf', reasm_record(0x40, 0x6000, udp[:16]))


def tcp_options(frames):
    done = set()
    for p in frames:
        if TCP in p:
            hdr = bytes(p[TCP])[:p[TCP].dataofs * 4]
            key = (p[TCP].flags, hdr[20:])
            if key not in done:
                done.add(key)
                seed('tcp_options', 'real-%s-%d' % (p[TCP].flags, len(done)), bytes(p[TCP]))
    base = bytes(next(p for p in frames if TCP in p and p[TCP].flags == 'S')[TCP])[:20]

    def with_opts(opts):
        h = bytearray(base)
        h[12] = ((20 + len(opts)) // 4) << 4
        return bytes(h) + opts
    seed('tcp_options', 'linux-syn', with_opts(bytes.fromhex('020405b40402080a0001e24000000000' '01030307')))
    seed('tcp_options', 'sack-4-blocks', with_opts(b'\x01\x01\x05\x22' + b''.join(u32(i * 100) for i in range(8))))
    seed('tcp_options', 'zero-length-option', with_opts(b'\x02\x00\x00\x00'))
    seed('tcp_options', 'length-past-header', with_opts(b'\x01\x01\x08\x20'))
    seed('tcp_options', 'unknown-kind', with_opts(b'\xfe\x06\x00\x00\x00\x00\x01\x00'))


def dns_response(frames):
    names = {'www.google.com.': 0, 'www.example.test.': 1, 'multi.example.test.': 2, 'nx.example.test.': 3}
    for p in received(frames):
        if DNS in p:
            msg = bytes(p[UDP].payload)
            qname = p[DNS].qd.qname.decode()
            ctl = 1 | names.get(qname, 0) << 2
            seed('dns_response', 'real-' + qname.rstrip('.'), bytes([ctl]) + u16(len(msg)) + msg)
            if qname == 'www.google.com.':
                tc = bytearray(msg)
                tc[2] |= 0x02
                seed('dns_response', 'truncated-then-tcp', bytes([ctl]) + u16(len(tc)) + tc + u16(len(msg)) + msg)
                seed('dns_response', 'wrong-source-then-real', bytes([ctl | 2]) + (u16(len(msg)) + msg) * 2)
                ptr = bytearray(msg)
                ptr += b'\xc0\x0c'  # a trailing pointer into the question
                seed('dns_response', 'trailing-pointer', bytes([ctl]) + u16(len(ptr)) + ptr)
                loop = bytearray(msg[:12]) + b'\xc0\x0c' + msg[12 + len(p[DNS].qd.qname) + 1:]
                seed('dns_response', 'pointer-to-itself', bytes([ctl]) + u16(len(loop)) + loop)


def dhcp_replies(frames):
    return [bytes(p[UDP].payload) for p in received(frames) if UDP in p and p[UDP].sport == 67]


def dhcp_message(frames):
    offer, ack = dhcp_replies(frames)[:2]
    rec = lambda m, secs=1: u16(len(m)) + m + u16(secs)
    seed('dhcp_message', 'offer-in-selecting', bytes([1]) + rec(offer))
    seed('dhcp_message', 'offer-then-ack', bytes([1]) + rec(offer) + rec(ack))
    seed('dhcp_message', 'ack-in-requesting', bytes([1 | 1 << 1]) + rec(ack))
    seed('dhcp_message', 'ack-when-bound', bytes([1 | 2 << 1]) + rec(ack, 4000))
    seed('dhcp_message', 'ack-when-renewing', bytes([1 | 3 << 1 | 8]) + rec(ack))
    nak = bytearray(ack)
    i = nak.index(b'\x35\x01\x05')
    nak[i + 2] = 6
    seed('dhcp_message', 'nak-when-renewing', bytes([1 | 3 << 1]) + rec(bytes(nak)))
    over = bytearray(offer)
    over[240:240] = b'\x34\x01\x03'   # option 52: options continue in file and sname
    seed('dhcp_message', 'overload-both', bytes([1]) + rec(bytes(over)))
    noend = offer[:offer.rindex(b'\xff')]
    seed('dhcp_message', 'no-end-option', bytes([1]) + rec(noend))
    seed('dhcp_message', 'offer-unpatched', bytes([0]) + rec(offer))


def http_response(streams):
    n = 0
    for s in streams.values():
        if s['peer_iss'] is None:
            continue
        body = http_bytes(s)
        if not body:
            continue
        n += 1
        seed('http_response', 'real-%d-whole' % n, b'\x00' + body)
        seed('http_response', 'real-%d-bytes' % n, b'\x02' + body)
        seed('http_response', 'real-%d-slices' % n, b'\x40' + body)
        if n == 1:
            seed('http_response', 'real-%d-head' % n, b'\x01' + body)
    seed('http_response', 'chunk-size-overflow',
         b'\x00HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n')
    seed('http_response', 'two-content-lengths',
         b'\x00HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello')


def url(streams):
    typed = ['www.google.com', 'http://www.google.com/redirect1', 'HTTP://WWW.Google.COM:8080/a/./b/../c?q=1#frag',
             '198.51.100.10:8084/', 'www.google.com./%7Euser/', 'https://www.google.com/', 'host:/']
    locations = []
    for s in streams.values():
        if s['peer_iss'] is None:
            continue
        for line in http_bytes(s).split(b'\r\n'):
            if line.lower().startswith(b'location:'):
                locations.append(line.split(b':', 1)[1].strip())
    locations += [b'//other.test:81/x', b'../../up?x=1', b'?only-query', b'', b'/a/b/../../../c']
    for i, t in enumerate(typed):
        seed('url', 'typed-%d' % i, t.encode() + b'\0' + locations[i % len(locations)])
    for i, loc in enumerate(locations):
        seed('url', 'location-%d' % i, b'http://www.google.com/a/b/c\0' + loc)


def st_record(delay_ms, frame=b'', action=APP_NONE, arg=0, flags=0):
    return u32((action | arg << 4) << 24 | delay_ms) + u16(flags | len(frame)) + frame


def stateful(frames, streams):
    rx = received(frames)
    home = first_http_stream(streams)
    web = [bytes(renumber(p, home)) for p in home['server'][1:]]
    dns = next(p for p in rx if DNS in p and p[DNS].qd.qname == b'www.google.com.')
    dhcp = []
    for p in rx:
        if UDP in p and p[UDP].sport == 67:
            # The lease on eth1, in its own subnet: 10.0.3.0/24.
            q = p.copy()
            q[Ether].dst = 'ff:ff:ff:ff:ff:ff'
            raw = bytes(q[UDP].payload).replace(bytes([10, 0, 2]), bytes([10, 0, 3]))
            q[UDP].remove_payload()
            q = q / Raw(raw)
            dhcp.append(bytes(fix(q)))
    fetch = st_record(3, bytes(dns), flags=FIXUP) + b''.join(st_record(5, f) for f in web)
    seed('stateful', 'fetch', fetch)
    seed('stateful', 'fetch-reordered', st_record(3, bytes(dns), flags=FIXUP) +
         b''.join(st_record(5, f) for f in reversed(web)))
    seed('stateful', 'fetch-then-close', fetch + st_record(10, action=APP_CLOSE) + st_record(70000))
    seed('stateful', 'dhcp-on-eth1', b''.join(st_record(2, f, flags=FIXUP | ETH1) for f in dhcp[:2]) +
         st_record(1800 * 1000, action=APP_DHCP_RENEW) + st_record(5, dhcp[1], flags=FIXUP | ETH1))
    # A peer opens a connection to our listener: SYN, then (our ISN is
    # fixed) the ACK of our SYN-ACK and a request; we answer and close.
    syn = Ether(dst=OUR_MAC, src=GW_MAC) / IP(src=GW_IP, dst=OUR_IP) / \
        TCP(sport=40000, dport=80, seq=1000, flags='S', window=65535, options=[('MSS', 1460)])
    ack = Ether(dst=OUR_MAC, src=GW_MAC) / IP(src=GW_IP, dst=OUR_IP) / \
        TCP(sport=40000, dport=80, seq=1001, ack=(FW_ISS + 1) & M32, flags='A', window=65535)
    req = ack.copy()
    req[TCP].flags = 'PA'
    req = req / Raw(b'GET / HTTP/1.1\r\nHost: pigeon\r\n\r\n')
    seed('stateful', 'serve', st_record(1, bytes(syn)) + st_record(1, bytes(ack)) + st_record(1, bytes(fix(req))) +
         st_record(1, action=APP_SERVE, arg=3) + st_record(200, action=APP_SERVE_CLOSE) + st_record(1000))
    seed('stateful', 'send-and-timeout', st_record(1, action=APP_SEND, arg=7) + st_record(200000) +
         st_record(1, web[0]))
    seed('stateful', 'zero-window', st_record(1, action=APP_SEND, arg=15) + st_record(1, action=APP_PAUSE) +
         b''.join(st_record(5, f) for f in web) + st_record(60000))
    stateful_tcp(dhcp)
    seed('stateful', 'everything', st_record(3, bytes(dns), flags=FIXUP) +
         b''.join(st_record(2, f, flags=FIXUP | ETH1) for f in dhcp[:2]) +
         st_record(1, bytes(syn)) + st_record(1, bytes(ack)) + b''.join(st_record(5, f) for f in web) +
         st_record(1, action=APP_LINK) + st_record(3000, action=APP_LINK) + st_record(1, action=APP_CONNECT))


def web(seq, ack, flags, payload=b'', win=502):
    """A segment of the fuzz world's web server to its client, sequence
    numbers relative to both ISNs (our request is bytes 1..78)."""
    f = Ether(dst=OUR_MAC, src=GW_MAC) / IP(src=WEB_IP, dst=OUR_IP) / \
        TCP(sport=80, dport=FW_CLIENT_PORT, seq=(FW_PEER_ISS + seq) & M32, ack=(FW_ISS + ack) & M32,
            flags=flags, window=win)
    return bytes(f / Raw(payload)) if payload else bytes(f)


def stateful_tcp(dhcp):
    """The client connection's life, from the web server's side."""
    req_end = 1 + FW_REQUEST_LEN
    page = b'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'
    n = len(page)
    seed('stateful', 'active-close-time-wait',
         st_record(2, web(1, req_end, 'A')) + st_record(3, web(1, req_end, 'PA', page)) +
         st_record(1, action=APP_CLOSE) + st_record(20, web(1 + n, req_end + 1, 'A')) +
         st_record(5, web(1 + n, req_end + 1, 'FA')) + st_record(70000))
    seed('stateful', 'passive-close-last-ack',
         st_record(2, web(1, req_end, 'PA', page)) + st_record(2, web(1 + n, req_end, 'FA')) +
         st_record(1, action=APP_CLOSE) + st_record(20, web(2 + n, req_end + 1, 'A')))
    seed('stateful', 'fast-retransmit',
         st_record(1, action=APP_SEND, arg=7) + st_record(30, web(1, req_end, 'A')) +
         b''.join(st_record(2, web(1, req_end + 1460, 'A')) for _ in range(5)) +
         st_record(10, web(1, req_end + 4 * 1460, 'A')) + st_record(10, web(1, req_end + 8192, 'A')))
    seed('stateful', 'rst-from-peer', st_record(2, web(1, req_end, 'A')) + st_record(2, web(1, req_end, 'R')))
    seed('stateful', 'window-zero-then-open',
         st_record(1, action=APP_SEND, arg=3) + st_record(5, web(1, req_end, 'A', win=0)) +
         st_record(5000) + st_record(1, web(1, req_end + 1, 'A', win=502)))
    nak = bytearray(dhcp[1])
    i = nak.index(b'\x35\x01\x05')
    nak[i + 2] = 6
    seed('stateful', 'dhcp-nak-when-renewing',
         b''.join(st_record(2, f, flags=FIXUP | ETH1) for f in dhcp[:2]) +
         st_record(10, action=APP_DHCP_RENEW) + st_record(5, bytes(nak), flags=FIXUP | ETH1) + st_record(5000))


def pair():
    patch = lambda frame, op, offset=0, data=b'': bytes([frame, op]) + u16(offset) + bytes([len(data)]) + data
    ip, tcp = 14, 14 + 20
    seed('pair', 'honest', b'')
    seed('pair', 'drop-syn', patch(0, 1))
    seed('pair', 'drop-data', patch(3, 1) + patch(5, 1))
    seed('pair', 'duplicate-and-delay', patch(4, 2) + patch(6, 3, 300))
    seed('pair', 'rst-in-data', patch(4, 0, tcp + 13, b'\x14'))
    seed('pair', 'zero-window', patch(2, 0, tcp + 14, b'\x00\x00') + patch(3, 0, tcp + 14, b'\x00\x00'))
    seed('pair', 'seq-jump', patch(5, 0, tcp + 4, b'\x80\x00\x00\x00'))
    seed('pair', 'bad-data-offset', patch(3, 0, tcp + 12, b'\xf0'))
    seed('pair', 'fragment-bits', patch(4, 0, ip + 6, b'\x20\x10'))
    seed('pair', 'syn-ack-options', patch(1, 0, tcp + 20, b'\x03\x03\x0e\x01'))


def main(argv):
    pcap = argv[1] if len(argv) > 1 else PCAP
    frames = [p for p in rdpcap(pcap) if Ether in p]
    streams = tcp_streams(frames)
    eth_input(frames, streams)
    ipv4_reasm(frames)
    tcp_options(frames)
    dns_response(frames)
    dhcp_message(frames)
    http_response(streams)
    url(streams)
    stateful(frames, streams)
    pair()
    for target, files in sorted(seeds.items()):
        d = os.path.join(OUT, target)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        seen = set()
        for name, data in files:
            h = hashlib.sha1(data).hexdigest()
            if h in seen:
                continue
            seen.add(h)
            with open(os.path.join(d, name), 'wb') as f:
                f.write(data)
        print('%-14s %3d seeds' % (target, len(seen)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
