"""The whole story (issue 11): traceroute and reverse DNS, Pigeon's httpd,
and the story topology (tests/netlab/story.py): a home router doing NAT,
three routers, an ISP resolver and the server.

Every case is typed at the prompt, as a person types."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'netlab'))
from harness import Guest                               # noqa: E402
import netlab                                           # noqa: E402
import story                                            # noqa: E402

LEASE_RE = r'eth0: (\S+)/\d+ gw \S+ dns \S+ \(dhcp'
RTT = r'  \d+\.\d{3} ms'


def hop_re(n, name, addr, queries=3):
    """One traceroute line: hop n answered by name (addr) every time."""
    return r' ?%d  %s \(%s\)%s\n' % (n, re.escape(name), re.escape(addr), RTT * queries)


def boot(lab, **kw):
    g = Guest(net=lab, **kw).start()
    g.wait_prompt()
    g.expect(LEASE_RE, timeout=60)
    return g


# -- the plain TAP netlab: www.google.com is on the namespace's lo ----------

def test_traceroute_plain_tap():
    """One hop: the namespace itself is the destination."""
    with netlab.Netlab('tap', http=False) as lab, boot(lab) as g:
        out = g.run('traceroute www.google.com', timeout=60)
        want = (r'traceroute to www\.google\.com \(198\.51\.100\.10\), 30 hops max, 60 byte packets\n'
                + hop_re(1, 'www.google.com', netlab.WEB_ADDR))
        assert re.fullmatch(want, out), out
        out = g.run('traceroute -n -q 1 198.51.100.10', timeout=60)
        want = (r'traceroute to 198\.51\.100\.10 \(198\.51\.100\.10\), 30 hops max, 60 byte packets\n'
                r' 1  198\.51\.100\.10 \(198\.51\.100\.10\)' + RTT + r'\n')
        assert re.fullmatch(want, out), out


def test_host_ptr():
    with netlab.Netlab('tap', http=False) as lab, boot(lab) as g:
        out = g.run('host 198.51.100.10', timeout=30)
        assert out == '10.100.51.198.in-addr.arpa domain name pointer www.google.com.\n', out
        out = g.run('host 203.0.113.77', timeout=30)
        assert re.fullmatch(r'Host 77\.113\.0\.203\.in-addr\.arpa not found: \d\((?:NXDOMAIN|REFUSED)\)\n', out), out


# -- Pigeon's httpd, from the namespace ---------------------------------------

def _curl(lab, *args):
    proc = lab.run(['curl', '-sS', '--max-time', '20'] + list(args), timeout=40)
    assert proc.returncode == 0, 'curl %s: %s' % (' '.join(args), proc.stderr)
    return proc.stdout


def test_httpd_curl():
    with netlab.Netlab('tap', http=False) as lab, boot(lab) as g:
        ip = re.search(LEASE_RE, g.output).group(1)
        out = g.run('httpd', timeout=10)
        assert out == 'httpd: serving http://%s:80/ in the background (httpd stop ends it)\n' % ip, out
        base = 'http://%s' % ip
        assert _curl(lab, base + '/hello.txt') == 'Hello from Pigeon!\n'
        page = _curl(lab, base + '/')
        assert '<h1>Pigeon' in page and 'eth0' in page and 'ESTABLISHED' in page and 'LISTEN' in page, page
        assert _curl(lab, base + '/whoami') == netlab.GATEWAY + '\n'
        # Keep-alive: two documents over one connection; curl says it reused it.
        proc = lab.run(['curl', '-sS', '-v', '--max-time', '20', base + '/hello.txt', base + '/pigeon.html'],
                       timeout=40)
        assert proc.returncode == 0, proc.stderr
        assert 'Re-using existing connection' in proc.stderr, proc.stderr
        # 404, 405, 400, HEAD.
        code = _curl(lab, '-o', '/dev/null', '-w', '%{http_code}', base + '/nosuch')
        assert code == '404', code
        code = _curl(lab, '-o', '/dev/null', '-w', '%{http_code}', '-X', 'DELETE', base + '/')
        assert code == '405', code
        head = _curl(lab, '-I', base + '/hello.txt')
        # (lab.run reads text: CRLF arrives as LF.)
        assert re.match(r'HTTP/1\.1 200 OK\n', head) and 'Content-Length: 19\n' in head, head
        sock = lab.connect((ip, 80))
        try:
            sock.sendall(b'GET / HTTP/1.1\r\n\r\n')      # no Host: a 400, then the close
            raw = b''
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                raw += chunk
        finally:
            sock.close()
        assert raw.startswith(b'HTTP/1.1 400 Bad Request\r\n') and b'Connection: close\r\n' in raw, raw
        # The shell stays usable, and httpd reports what it did.
        out = g.run('httpd', timeout=10)
        assert re.fullmatch(r'httpd: port 80, up \d+ s, \d+ connections, \d+ requests \(\d+ errors\), '
                            r'\d+ active \(peak \d+, at most 8\)\n', out), out
        out = g.run('httpd stop', timeout=20)
        assert out == 'httpd: stopped\n', out
        proc = lab.run(['curl', '-sS', '--max-time', '5', base + '/'], timeout=20)
        assert proc.returncode != 0, 'httpd still answers after stop: ' + proc.stdout


def _heap_used_kib(g):
    out = g.run('mem', timeout=10)
    m = re.search(r'kernel heap\n(?:.*\n)*?\s+used\s+(\d+) KiB', out)
    assert m, out
    return int(m.group(1))


def httpd_load(seconds, connections=50):
    """wrk with `connections` connections for `seconds` against httpd (at
    most 8 served at once): no crash, no error answers, requests served;
    afterwards the connections gone, the netbuf pool and the heap back at
    their baseline (but for the server's fixed pool), and it serves again.
    Returns requests per second."""
    import shutil
    import time
    assert shutil.which('wrk'), 'wrk is not installed (apt-get install wrk)'
    with netlab.Netlab('tap', http=False) as lab, boot(lab) as g:
        ip = re.search(LEASE_RE, g.output).group(1)
        g.run('httpd', timeout=10)
        assert _curl(lab, 'http://%s/hello.txt' % ip) == 'Hello from Pigeon!\n'
        base = _heap_used_kib(g)        # the pool is made by now
        pool = _netbufs_in_use(g)
        proc = lab.run(['wrk', '-t', '2', '-c', str(connections), '-d', '%ds' % seconds,
                        '--timeout', '5s', 'http://%s/hello.txt' % ip], timeout=seconds + 60)
        assert proc.returncode == 0, proc.stderr
        m = re.search(r'Requests/sec:\s+([\d.]+)', proc.stdout)
        assert m and float(m.group(1)) > 100, proc.stdout
        assert 'Non-2xx' not in proc.stdout, proc.stdout
        out = g.run('httpd', timeout=10)
        assert re.search(r'\(0 errors\)', out), out
        # wrk's socket errors, if any, must be the bounded accept queue's:
        # a connection whose SYN-RECEIVED entry was dropped under the flood
        # gets a RST for its request (drop_listen_ack, then rst_out).
        errs = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', proc.stdout)
        if errs:
            connect, read, write, tmo = (int(x) for x in errs.groups())
            dropped, resets = _tcp_counter(g, 'drop_listen_ack'), _tcp_counter(g, 'rst_out')
            assert connect == 0 and tmo == 0 and dropped > 0 and read + write <= resets, \
                'wrk errors not explained by the listener\'s counted drops (%d) and resets (%d): %s' % (
                    dropped, resets, errs.group(0))
        assert g.run('httpd stop', timeout=30) == 'httpd: stopped\n'
        deadline = time.monotonic() + 10 * g.scale
        while True:
            out = g.run('netstat', timeout=10)
            left = [ln for ln in out.splitlines() if re.search(r':80 ', ln) and 'TIME_WAIT' not in ln]
            if not left:
                break
            assert time.monotonic() < deadline, 'connections left after httpd stop:\n' + out
            time.sleep(0.2)
        used = _heap_used_kib(g)
        assert used <= base + 64, 'heap %d KiB after the load, %d KiB before' % (used, base)
        in_use = _netbufs_in_use(g)
        assert in_use <= pool + 2, 'netbufs in use %d after the load, %d before' % (in_use, pool)
        # And it serves again.
        g.run('httpd 8080', timeout=10)
        assert _curl(lab, 'http://%s:8080/hello.txt' % ip) == 'Hello from Pigeon!\n'
        assert 'PANIC' not in g.output
        return float(m.group(1)), proc.stdout


def _tcp_counter(g, name):
    """One row of the tcp group of `netstat -s` (a zero row is hidden)."""
    out = g.run('netstat -s', timeout=10)
    m = re.search(r'(?ms)^tcp:\n(?:  .*\n)*?  %s (\d+)\n' % re.escape(name), out)
    return int(m.group(1)) if m else 0


def _netbufs_in_use(g):
    """netbuf in_use from `netstat -s` (a zero row is hidden)."""
    out = g.run('netstat -s', timeout=10)
    assert re.search(r'(?m)^netbuf', out), 'no netbuf group in netstat -s: %r' % out
    m = re.search(r'(?m)^\s+in_use (\d+)\s*$', out)
    return int(m.group(1)) if m else 0


def test_httpd_load():
    """A short load run: wrk with 50 connections for 10 s (make soak runs
    30 s: tests/qemu/soak_httpd.py)."""
    from harness import note
    rps, _ = httpd_load(10)
    note('httpd, wrk -c 50 -d 10s: %.0f requests/s' % rps)


# -- the story topology --------------------------------------------------------

def test_story_traceroute():
    """Exactly the home router, the three routers and the server, by name."""
    with story.Story() as lab, boot(lab) as g:
        out = g.run('traceroute www.google.com', timeout=120)
        want = (r'traceroute to www\.google\.com \(198\.51\.100\.10\), 30 hops max, 60 byte packets\n'
                + ''.join(hop_re(i + 1, name, addr) for i, (name, addr) in enumerate(story.TRACE_HOPS)))
        assert re.fullmatch(want, out), out + lab.log()[-3000:]


def test_story_fetch():
    """fetch through NAT and three routers; the journey's hop count and
    the [nat] line."""
    with story.Story() as lab, boot(lab) as g:
        ip = re.search(LEASE_RE, g.output).group(1)
        out = g.run('fetch www.google.com', timeout=60)
        assert '<title>Google</title>' in out and re.search(r'200 OK, %d bytes' % len(netlab.HOME_PAGE.encode()),
                                                            out), out
        out = g.run('fetch www.google.com/whoami', timeout=60)
        assert out.startswith(story.HOME_WAN + '\n'), out
        out = g.run('fetch -v www.google.com', timeout=60)
        assert '<title>Google</title>' in out, out
        # The SYN-ACK left the server with TTL 64 and crossed 4 routers.
        assert re.search(r'\[ip\]   the SYN,ACK arrived with TTL 60: sent with 64, so 4 routers forwarded it', out), out
        assert re.search(r'\[nat\]  you are %s; the server saw %s: the home router translated your address'
                         % (re.escape(ip), re.escape(story.HOME_WAN)), out), out


def test_story_pigeon_serves_through_nat():
    """Pigeon on both ends of the story: the client fetches www.google.com
    through NAT and three routers from a second Pigeon running httpd; the
    server's trace tells its half: r3 asking by ARP for the server's MAC,
    the SYN from the home router's WAN address (the NAT seen from the far
    end) arriving at port 80, the request handed to httpd, the close."""
    with story.Story(server='pigeon') as lab:
        with Guest(net=lab.server_net()) as srv:
            srv.wait_prompt()
            srv.run(story.SERVER_PIGEON_SETUP)
            out = srv.run('httpd 80')
            assert '80' in out, out
            srv.run('trace on')
            start = srv.mark()
            with boot(lab) as cli:
                out = cli.run('fetch -v www.google.com', timeout=90)
                assert re.search(r'200 OK, \d+ bytes in', out), out
                assert re.search(r'\[nat\]  you are \S+; the server saw %s' % re.escape(story.HOME_WAN), out), out
            wan, srv_ip, gw = (re.escape(a) for a in (story.HOME_WAN, story.SERVER, story.SERVER_GW))
            steps = [
                r'\[arp\]  <- who-has %s\? tell %s' % (srv_ip, gw),
                r'\[arp\]  -> %s is-at %s' % (srv_ip, re.escape(story.SERVER_MAC)),
                r'\[tcp\]  <- SYN     %s:\d+ > %s:80 ' % (wan, srv_ip),
                r'\[tcp\]  -> SYN,ACK %s:80 > %s:\d+ ' % (srv_ip, wan),
                r'\[tcp\]  <- (PSH,)?ACK .* len [1-9]',
                r'\[tcp\]  (->|<-) FIN',
            ]
            pos = start
            for step in steps:
                pos = srv.expect(step, timeout=30, start=pos).end()
            srv.run('trace off', timeout=30)
            out = srv.run('httpd', timeout=30)
            assert re.search(r' [1-9]\d* requests \(0 errors\)', out), out
