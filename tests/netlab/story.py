"""The story topology (issue 11): the netlab shaped like the journey.

    Pigeon --TAP-- home router --- r1 --- r2 --- r3 --- server (www.google.com)
    192.0.2.x/24   192.0.2.1        |                   198.51.100.10
                   NAT, DHCP,      ISP resolver
                   DNS forwarder   203.0.113.10

Every namespace is its own machine. Links (RFC 5737 documentation ranges,
one small subnet each; the home LAN stands for the private side):

    home LAN   192.0.2.0/24      Pigeon (DHCP) - home 192.0.2.1 (TAP ptap0)
    home-r1    198.51.100.0/30   home .2 (wan0)  - r1 .1
    r1-r2      203.0.113.0/30    r1 .1           - r2 .2
    r2-r3      203.0.113.4/30    r2 .5           - r3 .6
    r3-server  198.51.100.8/30   r3 .9           - server .10
    r1-isp     203.0.113.8/30    r1 .9           - isp .10

The home router masquerades everything leaving wan0 (nftables), serves
DHCP on the LAN and forwards DNS to the ISP's resolver, which answers
www.google.com and the PTR name of every router address and the server's.
The routers have static routes and answer ICMP without rate limits (so a
traceroute's three probes per hop are all answered). The server runs nginx
with the home page and /whoami (the address the request came from: the
home router's WAN address, because of the NAT).

Story(server='pigeon') puts a second Pigeon there instead of nginx: the
server namespace becomes a bridge between r3's link and a TAP (stap0), and
the guest booted with lab.server_net() takes www.google.com's address
itself (SERVER_PIGEON_SETUP) and serves it with httpd, so one fetch can be
told from both ends.

    import story
    with story.Story() as lab:          # duck-types netlab.Netlab for Guest
        Guest(net=lab) ...
        lab.run(['curl', ...], ns='server')

Run it alone as a self-test: /usr/bin/python3 tests/netlab/story.py
"""

import atexit
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab                                   # noqa: E402

TAP_NAME = netlab.TAP_NAME
GUEST_MAC = netlab.GUEST_MAC
HOME_LAN = '192.0.2.1'
HOME_WAN = '198.51.100.2'
SERVER = netlab.WEB_ADDR                        # 198.51.100.10
ISP_DNS = '203.0.113.10'
DHCP_FIRST, DHCP_LAST = '192.0.2.100', '192.0.2.199'

# Links: (namespace a, its address, namespace b, its address, prefix length).
LINKS = [
    ('home', HOME_WAN, 'r1', '198.51.100.1', 30),
    ('r1', '203.0.113.1', 'r2', '203.0.113.2', 30),
    ('r2', '203.0.113.5', 'r3', '203.0.113.6', 30),
    ('r3', '198.51.100.9', 'server', SERVER, 30),
    ('r1', '203.0.113.9', 'isp', ISP_DNS, 30),
]
# Static routes per namespace: (destination, via).
ROUTES = {
    'home': [('default', '198.51.100.1')],
    'r1': [('default', '203.0.113.2')],
    'r2': [('198.51.100.8/30', '203.0.113.6'), ('198.51.100.0/30', '203.0.113.1'),
           ('203.0.113.8/30', '203.0.113.1')],
    'r3': [('default', '203.0.113.5')],
    'server': [('default', '198.51.100.9')],
    'isp': [('default', '203.0.113.9')],
}
ROUTERS = ['home', 'r1', 'r2', 'r3']
# The names the ISP's resolver gives (A and PTR for every address listed).
NAMES = [
    ('home-router.example.test', [HOME_LAN, HOME_WAN]),
    ('r1.example.test', ['198.51.100.1', '203.0.113.1', '203.0.113.9']),
    ('r2.example.test', ['203.0.113.2', '203.0.113.5']),
    ('r3.example.test', ['203.0.113.6', '198.51.100.9']),
    ('www.google.com', [SERVER]),
    ('resolver.example.test', [ISP_DNS]),
]
# What traceroute www.google.com must show, hop by hop: the address that
# answers (the interface facing Pigeon) and its name.
TRACE_HOPS = [
    ('home-router.example.test', HOME_LAN),
    ('r1.example.test', '198.51.100.1'),
    ('r2.example.test', '203.0.113.2'),
    ('r3.example.test', '203.0.113.6'),
    ('www.google.com', SERVER),
]
# The Pigeon server (Story(server='pigeon')): its TAP, MAC and configuration.
SERVER_TAP = 'stap0'
SERVER_MAC = '52:54:00:00:00:10'
SERVER_GW = '198.51.100.9'
SERVER_PIGEON_SETUP = 'ifconfig eth0 %s/30 gw %s dns %s' % (SERVER, SERVER_GW, ISP_DNS)
REVERSE_ZONES = ['2.0.192.in-addr.arpa', '100.51.198.in-addr.arpa', '113.0.203.in-addr.arpa']
WHOAMI = '/whoami'

_counter = itertools.count()
_live = set()


@atexit.register
def _close_all():
    for lab in list(_live):
        lab.close()


class Story:
    """The topology above; quacks like netlab.Netlab where harness.Guest
    needs it (started, start, close, wrap, qemu_args)."""

    mode = 'tap'

    def __init__(self, server='nginx'):
        if server not in ('nginx', 'pigeon'):
            raise ValueError("server must be 'nginx' or 'pigeon'")
        self.server = server
        self.tag = 'pst%d-%d' % (os.getpid() % 100000, next(_counter))
        self.ns = {role: '%s-%s' % (self.tag, role)
                   for role in ['home', 'r1', 'r2', 'r3', 'isp', 'server']}
        self.name = self.ns['home']             # where QEMU runs
        self.dir = None
        self.started = False
        self._made = []                         # namespaces made
        self._procs = []

    # -- paths, as netlab.Netlab has them --
    def path(self, name):
        return os.path.join(self.dir, name)

    @property
    def lease_file(self):
        return self.path('home-dnsmasq.leases')

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
        return False

    # -- running things --
    def wrap(self, argv, ns='home'):
        return ['ip', 'netns', 'exec', self.ns[ns]] + list(argv)

    def run(self, cmd, ns='home', timeout=60, check=False):
        if isinstance(cmd, str):
            cmd = ['sh', '-c', cmd]
        return subprocess.run(self.wrap(cmd, ns), capture_output=True, text=True,
                              timeout=timeout, check=check)

    def _do(self, ns, *argv):
        proc = self.run(list(argv), ns=ns)
        if proc.returncode != 0:
            raise netlab.NetlabError('%s: %s: %s' % (ns, ' '.join(argv), proc.stderr.strip()))
        return proc

    def _spawn(self, label, ns, argv):
        proc = subprocess.Popen(self.wrap(netlab._pdeathsig('TERM') + argv, ns),
                                stdin=subprocess.DEVNULL,
                                stdout=open(self.path(label + '.out'), 'w'),
                                stderr=subprocess.STDOUT, start_new_session=True)
        self._procs.append((label, proc))
        return proc

    def _wait(self, label, proc, probe, timeout=15.0):
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                with open(self.path(label + '.out')) as f:
                    raise netlab.NetlabError('%s exited with %d: %s' % (label, proc.returncode, f.read()))
            if probe():
                return
            if time.monotonic() > deadline:
                raise netlab.NetlabError('%s not ready after %.0f s' % (label, timeout))
            time.sleep(0.05)

    def qemu_args(self, mac=GUEST_MAC):
        return ['-netdev', 'tap,id=net0,ifname=%s,script=no,downscript=no' % TAP_NAME,
                '-device', 'e1000,netdev=net0,mac=' + mac]

    # -- lifecycle --
    def start(self):
        if self.started:
            return self
        netlab.install_signal_cleanup()
        self.started = True
        _live.add(self)
        try:
            self.dir = tempfile.mkdtemp(prefix=self.tag + '-')
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def _build(self):
        for role, ns in self.ns.items():
            netlab._ip('netns', 'add', ns)
            self._made.append(ns)
            netlab._ip('-n', ns, 'link', 'set', 'lo', 'up')
            # Every ICMP error answered: no per-destination rate limit.
            self._do(role, 'sysctl', '-qw', 'net.ipv4.icmp_ratelimit=0')
            if role in ROUTERS:
                self._do(role, 'sysctl', '-qw', 'net.ipv4.ip_forward=1')
        for i, (a, addr_a, b, addr_b, plen) in enumerate(LINKS):
            ia, ib = ('wan0' if a == 'home' else 'v%d' % i), 'v%d' % i
            # Made inside the namespaces: no name ever exists in ours.
            netlab._ip('-n', self.ns[a], 'link', 'add', ia, 'type', 'veth',
                       'peer', 'name', ib, 'netns', self.ns[b])
            for ns, ifname, addr in ((a, ia, addr_a), (b, ib, addr_b)):
                netlab._ip('-n', self.ns[ns], 'addr', 'add', '%s/%d' % (addr, plen), 'dev', ifname)
                netlab._ip('-n', self.ns[ns], 'link', 'set', ifname, 'up')
        for role, routes in ROUTES.items():
            for dst, via in routes:
                netlab._ip('-n', self.ns[role], 'route', 'add', dst, 'via', via)
        # Pigeon's LAN: the TAP, made from inside the home namespace.
        self._do('home', 'ip', 'tuntap', 'add', 'dev', TAP_NAME, 'mode', 'tap')
        netlab._ip('-n', self.ns['home'], 'addr', 'add', HOME_LAN + '/24', 'dev', TAP_NAME)
        netlab._ip('-n', self.ns['home'], 'link', 'set', TAP_NAME, 'up')
        # NAT: everything leaving the WAN side takes the home router's address.
        nft = self.path('nat.nft')
        with open(nft, 'w') as f:
            f.write('table ip nat {\n'
                    '  chain postrouting {\n'
                    '    type nat hook postrouting priority srcnat; policy accept;\n'
                    '    oifname "wan0" masquerade\n'
                    '  }\n'
                    '}\n')
        self._do('home', 'nft', '-f', nft)
        self._start_isp_dns()
        self._start_home_dnsmasq()
        if self.server == 'pigeon':
            self._bridge_server_tap()
        else:
            self._start_nginx()

    def _bridge_server_tap(self):
        """The server namespace as a plain switch: r3's link and the
        second Pigeon's TAP on one bridge, no address of its own."""
        link = 'v%d' % [i for i, l in enumerate(LINKS) if l[2] == 'server'][0]
        self._do('server', 'ip', 'addr', 'flush', 'dev', link)
        self._do('server', 'ip', 'link', 'add', 'br0', 'type', 'bridge')
        self._do('server', 'ip', 'tuntap', 'add', 'dev', SERVER_TAP, 'mode', 'tap')
        for dev in (link, SERVER_TAP):
            self._do('server', 'ip', 'link', 'set', dev, 'master', 'br0')
            self._do('server', 'ip', 'link', 'set', dev, 'up')
        self._do('server', 'ip', 'link', 'set', 'br0', 'up')

    def server_net(self):
        """For harness.Guest(net=...): the server Pigeon's NIC on stap0."""
        assert self.server == 'pigeon' and self.started
        return _ServerNet(self)

    def _dns_ok(self, ns, server, name='www.google.com'):
        def probe():
            try:
                sock = self.socket(ns, type=netlab.socket.SOCK_DGRAM)
            except OSError:
                return False
            try:
                sock.settimeout(0.5)
                q = netlab.dns_query(name)
                sock.sendto(q, (server, 53))
                return netlab.dns_parse(sock.recv(4096))['rcode'] == 0
            except OSError:
                return False
            finally:
                sock.close()
        return probe

    def _shim(self, ns):
        """A netlab.Netlab whose name is one of our namespaces, to borrow
        its call_inside (sockets made in that namespace)."""
        shim = netlab.Netlab.__new__(netlab.Netlab)
        shim.name = self.ns[ns]
        return shim

    def socket(self, ns='home', family=None, type=None):
        return netlab.Netlab.socket(self._shim(ns), family or netlab.socket.AF_INET,
                                    type or netlab.socket.SOCK_STREAM)

    def _start_isp_dns(self):
        lines = ['no-resolv', 'no-hosts', 'bind-interfaces', 'listen-address=' + ISP_DNS,
                 'user=root', 'group=root', 'pid-file=' + self.path('isp-dnsmasq.pid'),
                 'log-facility=' + self.path('isp-dnsmasq.log'), 'log-queries',
                 'local=/example.test/', 'local=/google.com/']
        lines += ['local=/%s/' % z for z in REVERSE_ZONES]
        # host-record takes one IPv4 address (A and PTR); the others get
        # a PTR record each.
        for name, addrs in NAMES:
            lines.append('host-record=%s,%s,300' % (name, addrs[0]))
            for addr in addrs[1:]:
                lines.append('ptr-record=%s.in-addr.arpa,%s' % ('.'.join(reversed(addr.split('.'))), name))
        conf = self.path('isp-dnsmasq.conf')
        with open(conf, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        proc = self._spawn('isp-dnsmasq', 'isp', ['dnsmasq', '--conf-file=' + conf, '--keep-in-foreground'])
        self._wait('isp-dnsmasq', proc, self._dns_ok('isp', ISP_DNS))

    def _start_home_dnsmasq(self):
        lines = ['no-resolv', 'no-hosts', 'no-ping', 'bind-interfaces',
                 'listen-address=' + HOME_LAN, 'user=root', 'group=root',
                 'pid-file=' + self.path('home-dnsmasq.pid'),
                 'dhcp-leasefile=' + self.lease_file,
                 'log-facility=' + self.path('home-dnsmasq.log'), 'log-queries', 'log-dhcp',
                 'dhcp-range=%s,%s,255.255.255.0,1h' % (DHCP_FIRST, DHCP_LAST),
                 'dhcp-option=option:router,' + HOME_LAN,
                 'dhcp-option=option:dns-server,' + HOME_LAN,
                 'dhcp-authoritative',
                 'server=' + ISP_DNS]
        conf = self.path('home-dnsmasq.conf')
        with open(conf, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        proc = self._spawn('home-dnsmasq', 'home', ['dnsmasq', '--conf-file=' + conf, '--keep-in-foreground'])
        self._wait('home-dnsmasq', proc, self._dns_ok('home', HOME_LAN))

    def _start_nginx(self):
        root = self.path('web-root')
        os.makedirs(root, exist_ok=True)
        os.makedirs(self.path('nginx-tmp'), exist_ok=True)
        with open(os.path.join(root, 'index.html'), 'w') as f:
            f.write(netlab.HOME_PAGE)
        tmp = self.path('nginx-tmp')
        conf = self.path('nginx.conf')
        with open(conf, 'w') as f:
            f.write('daemon off;\nuser root;\nworker_processes 1;\npid %s;\nerror_log %s;\n'
                    'events { worker_connections 64; }\n'
                    'http {\n'
                    '  access_log %s;\n'
                    '  client_body_temp_path %s/body; proxy_temp_path %s/proxy;\n'
                    '  fastcgi_temp_path %s/fastcgi; uwsgi_temp_path %s/uwsgi; scgi_temp_path %s/scgi;\n'
                    '  default_type text/html;\n'
                    '  server {\n'
                    '    listen %s:80;\n'
                    '    root %s;\n'
                    '    location = %s { default_type text/plain; return 200 "$remote_addr\\n"; }\n'
                    '  }\n'
                    '}\n' % (self.path('nginx.pid'), self.path('nginx-error.log'), self.path('nginx-access.log'),
                             tmp, tmp, tmp, tmp, tmp, SERVER, root, WHOAMI))
        proc = self._spawn('nginx', 'server', ['nginx', '-p', self.dir, '-c', conf,
                                               '-e', self.path('nginx-error.log')])

        def probe():
            try:
                sock = self.socket('server')
                sock.settimeout(0.5)
                sock.connect((SERVER, 80))
                sock.close()
                return True
            except OSError:
                return False
        self._wait('nginx', proc, probe)

    def close(self):
        with netlab.cleaning():
            self._close()

    def _close(self):
        if not self.started:
            return
        self.started = False
        _live.discard(self)
        for _, proc in reversed(self._procs):
            netlab._stop(proc)
        self._procs = []
        # Deleting a namespace deletes its veths (and their peers) and the TAP.
        for ns in reversed(self._made):
            netlab._ip('netns', 'del', ns, check=False)
        self._made = []
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    # -- for tests --
    def log(self):
        out = []
        for name in ('home-dnsmasq.log', 'isp-dnsmasq.log'):
            try:
                with open(self.path(name)) as f:
                    out.append(f.read())
            except (OSError, TypeError):
                pass
        return '\n'.join(out)


class _ServerNet:
    """The server Pigeon's view of the lab: QEMU in the server namespace
    on stap0. The Story itself is closed by its owner."""

    mode = 'tap'
    started = True

    def __init__(self, lab):
        self.lab = lab
        self.name = lab.ns['server']

    def qemu_args(self):
        return ['-netdev', 'tap,id=net0,ifname=%s,script=no,downscript=no' % SERVER_TAP,
                '-device', 'e1000,netdev=net0,mac=' + SERVER_MAC]

    def wrap(self, argv):
        return self.lab.wrap(argv, ns='server')

    def start(self):
        return self

    def close(self):
        pass


def selftest():
    """Build the story, check it from the inside, tear it down."""
    with Story() as lab:
        # The path from the home LAN side, as Linux's traceroute would see it:
        # ping each hop from the home router, then fetch through the NAT.
        for _, addr in TRACE_HOPS[1:]:
            p = lab.run(['ping', '-c', '1', '-W', '2', addr])
            assert p.returncode == 0, 'home cannot reach %s: %s' % (addr, p.stdout + p.stderr)
        p = lab.run(['curl', '-sS', '--max-time', '5', 'http://%s%s' % (SERVER, WHOAMI)])
        assert p.stdout == HOME_WAN + '\n', p.stdout + p.stderr
        for name, addrs in NAMES:
            for addr in addrs:
                ptr = '.'.join(reversed(addr.split('.'))) + '.in-addr.arpa'
                r = netlab.Netlab.resolve(lab._shim('home'), ptr, 'PTR', server=HOME_LAN)
                assert [a[3] for a in r['answers']] == [name], 'PTR for %s: %r' % (addr, r)
        p = lab.run(['curl', '-sS', '--max-time', '5', '-o', '/dev/null', '-w', '%{http_code}',
                     'http://%s/' % SERVER], ns='r2')
        assert p.stdout == '200', p.stdout + p.stderr
        print('story: ok (%s)' % ', '.join('%s %s' % h for h in TRACE_HOPS))


if __name__ == '__main__':
    selftest()
