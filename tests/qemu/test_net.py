"""The wire (issue 3): DHCP under slirp and TAP, ping both ways, large
fragmented pings, ARP, static configuration, link down/up and a flood."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Guest, note                # noqa: E402
import netlab                                  # noqa: E402

LEASE_TAP_RE = (r'eth0: (192\.0\.2\.\d+)/24 gw 192\.0\.2\.1 dns 192\.0\.2\.1 '
                r'\(dhcp, lease 3600 s\)')
LEASE_SLIRP = 'eth0: 10.0.2.15/24 gw 10.0.2.2 dns 10.0.2.3 (dhcp, lease 86400 s)'


def ping_summary(out):
    """(transmitted, received) from Pigeon's ping summary."""
    m = re.search(r'(\d+) packets transmitted, (\d+) received', out)
    assert m, 'no ping summary in:\n' + out
    return int(m.group(1)), int(m.group(2))


def boot_tap(lab, **kw):
    """A guest on the lab's TAP, bound by DHCP; returns (guest, address)."""
    g = Guest(net=lab, **kw).start()
    g.wait_prompt()
    m = g.expect(LEASE_TAP_RE, timeout=60)
    addr = m.group(1)
    leased = lab.wait_lease()
    assert addr == leased, 'Pigeon says %s, dnsmasq leased %s' % (addr, leased)
    return g, addr


def test_dhcp_slirp():
    with netlab.Netlab('user') as lab:
        t0 = time.monotonic()
        with Guest(net=lab) as g:
            g.wait_prompt()
            g.expect(re.escape(LEASE_SLIRP), timeout=60)
            note('DHCP bound under slirp %.2f s after QEMU started' % (time.monotonic() - t0))
            out = g.run('dhcp -s')
            assert 'BOUND, 10.0.2.15/24 from server 10.0.2.2' in out, out


def test_dhcp_tap():
    with netlab.Netlab('tap') as lab:
        t0 = time.monotonic()
        g, addr = boot_tap(lab)
        with g:
            note('DHCP bound under TAP (%s) %.2f s after QEMU started' % (addr, time.monotonic() - t0))
            out = g.run('ifconfig eth0')
            assert 'inet %s/24  gw 192.0.2.1  dns 192.0.2.1  (dhcp)' % addr in out, out
            out = g.run('route')
            assert re.search(r'default\s+192\.0\.2\.1\s+eth0\s+dhcp', out), out


def test_ping_gateway_slirp():
    with netlab.Netlab('user') as lab, Guest(net=lab) as g:
        g.wait_prompt()
        g.expect(re.escape(LEASE_SLIRP), timeout=60)
        out = g.run('ping 10.0.2.2 -c 3 -i 200', timeout=30)
        assert re.search(r'64 bytes from 10\.0\.2\.2: icmp_seq=1 ttl=\d+ time=[\d.]+ ms', out), out
        assert ping_summary(out) == (3, 3), out
        assert re.search(r'rtt min/avg/max = [\d.]+/[\d.]+/[\d.]+ ms', out), out


def test_ping_both_ways_tap():
    with netlab.Netlab('tap') as lab:
        g, addr = boot_tap(lab)
        with g:
            out = g.run('ping 192.0.2.1 -c 3 -i 200', timeout=30)
            assert ping_summary(out) == (3, 3), out
            assert 'ttl=64' in out, out    # Linux answers with TTL 64
            r = lab.run(['ping', '-c', '3', '-i', '0.2', '-W', '2', addr])
            assert r.returncode == 0, 'the host could not ping Pigeon:\n' + r.stdout + r.stderr
            assert ' 0% packet loss' in r.stdout, r.stdout
            out = g.run('arp')
            assert re.search(r'192\.0\.2\.1\s+[0-9a-f:]{17}\s+eth0\s+reachable', out), out


def test_fragmented_ping_both_ways_tap():
    with netlab.Netlab('tap') as lab:
        g, addr = boot_tap(lab)
        with g:
            out = g.run('ping 192.0.2.1 -s 4000 -c 2 -i 200', timeout=30)
            assert ping_summary(out) == (2, 2), out
            assert '4008 bytes from 192.0.2.1' in out, out
            r = lab.run(['ping', '-c', '2', '-i', '0.2', '-W', '2', '-s', '4000', addr])
            assert r.returncode == 0 and '4008 bytes from' in r.stdout, r.stdout + r.stderr
            note('4000-byte echoes fragmented and reassembled both ways')


def test_unreachable_host_reported():
    with netlab.Netlab('tap') as lab:
        g, _ = boot_tap(lab)
        with g:
            out = g.run('ping 192.0.2.99 -c 1 -W 6000', timeout=30)
            assert 'Destination Host Unreachable' in out, out
            assert ping_summary(out) == (1, 0), out


def test_static_config_and_arp_delete():
    with netlab.Netlab('tap') as lab:
        g, _ = boot_tap(lab)
        with g:
            out = g.run('ifconfig eth0 192.0.2.77/24 gw 192.0.2.1 dns 192.0.2.1')
            assert 'inet 192.0.2.77/24  gw 192.0.2.1  dns 192.0.2.1  (static)' in out, out
            out = g.run('dhcp -s')
            assert 'not running' in out, out
            r = lab.run(['ping', '-c', '2', '-i', '0.2', '-W', '2', '192.0.2.77'])
            assert r.returncode == 0, r.stdout + r.stderr
            g.run('ping 192.0.2.1 -c 1', timeout=20)
            out = g.run('arp -d 192.0.2.1')
            out = g.run('arp')
            assert not re.search(r'^192\.0\.2\.1 ', out, re.M), out
            out = g.run('ifconfig eth0 300.1.1.1/24')
            assert 'not an address' in out, out


def test_link_down_and_up():
    with netlab.Netlab('tap') as lab:
        g, _ = boot_tap(lab, monitor=True)
        with g:
            g.hmp('set_link net0 off')
            g.expect(r'eth0: link down', timeout=20)
            out = g.run('ifconfig eth0')
            assert 'link DOWN' in out, out
            out = g.run('ping 192.0.2.1 -c 1 -W 1000', timeout=30)
            assert ping_summary(out)[1] == 0, out
            g.hmp('set_link net0 on')
            g.expect(r'eth0: link up', timeout=20)
            g.wait_prompt()
            out = g.run('ping 192.0.2.1 -c 2 -i 200', timeout=30)
            assert ping_summary(out) == (2, 2), out


def test_flood_from_host():
    """The host floods Pigeon with echo requests; Pigeon neither crashes nor
    wedges, and answers normally afterwards."""
    count = int(os.environ.get('PIGEON_FLOOD_COUNT', '5000'))
    with netlab.Netlab('tap') as lab:
        g, addr = boot_tap(lab)
        with g:
            r = lab.run(['ping', '-f', '-c', str(count), '-W', '1', addr], timeout=300)
            m = re.search(r'(\d+) packets transmitted, (\d+) received.*?([\d.]+)% packet loss', r.stdout)
            assert m, 'no flood summary:\n' + r.stdout + r.stderr
            received = int(m.group(2))
            note('flood of %d echo requests from the host: %s received (%s%% loss)'
                 % (count, received, m.group(3)))
            assert received >= count * 0.9, r.stdout
            out = g.run('ping 192.0.2.1 -c 2 -i 200', timeout=30)
            assert ping_summary(out) == (2, 2), out
            out = g.run('mem')
            assert 'heap' in out, out


def test_lspci_finds_the_e1000():
    with netlab.Netlab('user') as lab, Guest(net=lab) as g:
        g.wait_prompt()
        out = g.run('lspci')
        assert re.search(r'00:03\.0 8086:100e Ethernet controller\s+irq \d+', out), out
        assert re.search(r'BAR0 mem32 0x[0-9a-f]+ size 128K', out), out


def test_ctrl_c_stops_ping():
    with netlab.Netlab('user') as lab, Guest(net=lab) as g:
        g.wait_prompt()
        g.expect(re.escape(LEASE_SLIRP), timeout=60)
        g.type('ping 10.0.2.2 -c 0 -i 200')
        start = g.mark()
        g.send('\r')
        g.expect(r'icmp_seq=2 ', start=start, timeout=30)
        g.send('\x03')
        g.expect(r'--- 10\.0\.2\.2 ping statistics ---', timeout=10)
        g.wait_prompt(timeout=10)
        out = g.run('echo still here')
        assert 'still here' in out, out


def test_small_rings():
    """Catalog D4: booted with 8 and 16 descriptors per ring (e1000.ring=N)
    the driver programs what it says and 64 MiB arrive intact; a size that
    is not a multiple of 8 is refused with a message and 256 kept."""
    import webroot
    for n in (8, 16):
        with netlab.Netlab('tap', http=True) as lab, \
                Guest(net=lab, append='e1000.ring=%d' % n) as g:
            g.wait_prompt()
            g.expect(LEASE_TAP_RE, timeout=60)
            out = g.run('ifconfig eth0')
            assert re.search(r'rings %d rx, %d tx\n' % (n, n), out), out
            out = g.run('fetch -o null --sha256 http://www.google.com/big.bin', timeout=300)
            assert 'sha256 %s' % webroot.big_sha256() in out, out
            note('e1000.ring=%d: %s' % (n, re.search(r'200 OK, [^\n]*', out).group(0)))
    with netlab.Netlab('user') as lab, Guest(net=lab, append='e1000.ring=12') as g:
        g.wait_prompt()
        assert 'eth0: e1000.ring=12 ignored: a multiple of 8 from 8 to 256' in g.output, g.output
        out = g.run('ifconfig eth0')
        assert 'rings 256 rx, 256 tx' in out, out
