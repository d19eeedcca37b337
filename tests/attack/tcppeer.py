"""A scripted TCP peer on the wire (packetdrill's vocabulary, in scapy):
the testbench plays a virtual peer (192.0.2.2-9) against a Pigeon socket
that `nettest` opened. Sequence numbers are kept absolute; `snd` is the
peer's next sequence number and `rcv` the next byte expected from Pigeon.
"""

import random

from scapy.all import IP, TCP


def tcp_data(t):
    """The data of a TCP segment (scapy TCP layer) as the IP total length
    bounds it: never the Ethernet padding scapy keeps as payload."""
    ip = t.underlayer
    raw = bytes(ip)
    return raw[ip.ihl * 4 + t.dataofs * 4:ip.len]


def seg_from(dut_ip, peer_ip, dport):
    """A matcher for TCP segments Pigeon sends to peer_ip:dport."""
    def match(p):
        return (IP in p and TCP in p and p[IP].src == dut_ip and p[IP].dst == peer_ip
                and p[TCP].dport == dport)
    return match


class TcpPeer:
    def __init__(self, bench, peer_ip='192.0.2.2', port=None, dut_port=7):
        self.b = bench
        self.w = bench.wire
        self.dut_ip = bench.dut.ip
        self.ip = peer_ip
        self.port = port or random.randint(20000, 60000)
        self.dut_port = dut_port
        self.snd = random.randint(1, 2**32 - 1)
        self.rcv = None
        self.win = 65535
        self.match = seg_from(self.dut_ip, self.ip, self.port)

    # -- sending --

    def packet(self, flags='A', data=b'', seq=None, ack=None, win=None, options=None, **tcp):
        t = TCP(sport=self.port, dport=self.dut_port, flags=flags,
                seq=self.snd if seq is None else seq % 2**32,
                ack=(self.rcv or 0) if ack is None else ack % 2**32,
                window=self.win if win is None else win, options=options or [], **tcp)
        return IP(src=self.ip, dst=self.dut_ip) / t / data if data else IP(src=self.ip, dst=self.dut_ip) / t

    def send(self, flags='A', data=b'', advance=True, **kw):
        self.w.send_ip(self.packet(flags, data, **kw))
        if advance and kw.get('seq') is None:
            self.snd = (self.snd + len(data) + ('S' in flags) + ('F' in flags)) % 2**32

    def send_raw(self, pkt):
        self.w.send_ip(pkt)

    # -- receiving --

    def expect(self, pred=None, timeout=2.0, since=None):
        """The next segment from Pigeon to this peer for which pred(tcp) holds."""
        def m(p):
            return self.match(p) and (pred is None or pred(p[TCP]))
        p = self.w.expect(m, timeout=timeout, since=since)
        return p[TCP] if p is not None else None

    def expect_none(self, pred=None, duration=0.5, since=None):
        """Fail if Pigeon sends a matching segment within duration."""
        t = self.expect(pred, timeout=duration, since=since)
        assert t is None, 'unexpected segment %s seq=%d ack=%d len=%d' % (
            t.sprintf('%flags%'), t.seq, t.ack, len(tcp_data(t)))

    # -- opening --

    def connect(self, mss=1460):
        """Three-way handshake to Pigeon's listener."""
        self.send('S', options=[('MSS', mss)])
        sa = self.expect(lambda t: t.flags.S and t.flags.A, timeout=3)
        assert sa is not None, 'no SYN-ACK from the listener'
        assert sa.ack == self.snd, 'SYN-ACK acks %d, want %d' % (sa.ack, self.snd)
        self.rcv = (sa.seq + 1) % 2**32
        self.iss_dut = sa.seq
        self.send('A')
        return sa

    def close_quietly(self):
        """Reset the connection from our side (tidy-up)."""
        if self.rcv is not None:
            self.send('R', advance=False)


def pigeon_connects(bench, peer_ip='192.0.2.3', port=None, synack=True, options=(('MSS', 1460),),
                    wait_prompt=True):
    """Start `nettest connect PEER PORT`, catch the SYN, set up a TcpPeer
    whose ports are swapped (the peer is the server), answer with a SYN-ACK
    (unless synack is False) and ACK nothing more. Returns (peer, syn)."""
    port = port or random.randint(2000, 9000)
    dut = bench.dut
    t0 = bench.wire.mark()
    dut.start('nettest connect %s %d' % (peer_ip, port))
    syn = bench.wire.expect(lambda p: IP in p and TCP in p and p[IP].dst == peer_ip
                            and p[TCP].dport == port and p[TCP].flags == 'S',
                            timeout=5, since=t0)
    assert syn is not None, 'no SYN from Pigeon'
    peer = TcpPeer(bench, peer_ip=peer_ip, port=syn[TCP].dport, dut_port=syn[TCP].sport)
    # The peer's "port" is its own (the server's); Pigeon's is dut_port.
    peer.port, peer.dut_port = port, syn[TCP].sport
    peer.match = seg_from(bench.dut.ip, peer_ip, port)
    peer.rcv = (syn[TCP].seq + 1) % 2**32
    peer.iss_dut = syn[TCP].seq
    if synack:
        peer.send('SA', options=list(options))
        if wait_prompt:
            bench.guest.expect(r'nettest: connected from port \d+', timeout=10)
            dut.finish()
    return peer, syn[TCP]

