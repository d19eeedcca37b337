"""fetch (issue 6): the HTTP/1.1 client against the netlab's web, under
slirp and under TAP. Every case is typed at the prompt, as a person types,
and has one exact expected output; autorun drives it too.

The web: nginx with tests/netlab/webroot.py's pages (home page, redirects,
404, chunked, 64 MiB) and tests/netlab/badhttpd.py for the pathological
servers (silent, reset, close-delimited, odd chunks, 1xx, huge headers).
"""

import hashlib
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import CTRL_C, PROMPT_RE, Guest, note     # noqa: E402
import badhttpd                                         # noqa: E402
import netlab                                           # noqa: E402
import webroot                                          # noqa: E402

LEASE_RE = r'eth0: (\S+)/\d+ gw \S+ dns \S+ \(dhcp'
BIG_TIMEOUT = 300           # 64 MiB: about 1 s here; TCG on a loaded machine is slower
BAD = badhttpd.DEFAULT_ADDR


def summary(status, reason, nbytes):
    """The line after a complete response, as a regex."""
    return (r'%d %s, %d bytes in \d+(?:\.\d)? m?s \(\d+(?:\.\d)? (?:B|KiB|MiB)/s\)\n'
            % (status, re.escape(reason), nbytes))


def shown(body):
    """A text body as fetch prints it (CRLF as one newline; the serial
    log loses every CR anyway), then the newline fetch adds if needed."""
    text = body.decode('utf-8') if isinstance(body, bytes) else body
    text = text.replace('\r\n', '\n')
    return re.escape(text if text.endswith('\n') else text + '\n')


HOME = netlab.HOME_PAGE
HOME_LEN = len(HOME.encode())
FINAL_LEN = len(webroot.FINAL_BODY.encode())
CHUNKED_SHTML = ''.join(webroot.CHUNKED_PARTS)
HEADERS = r'HTTP/1\.1 200 OK\n(?:[A-Za-z-]+: [^\n]*\n)+\n'


def cases():
    """(command, the whole output it must print as a regex, timeout in s)."""
    return [
        ('fetch www.google.com', shown(HOME) + summary(200, 'OK', HOME_LEN), 30),
        ('fetch http://www.google.com/redirect1',
         shown(webroot.FINAL_BODY) + r'followed 2 redirects to http://web\.example\.test/final\n'
         + summary(200, 'OK', FINAL_LEN), 30),
        ('fetch www.google.com/see-other',
         shown(HOME) + r'followed 1 redirect to http://www\.google\.com/\n' + summary(200, 'OK', HOME_LEN), 30),
        ('fetch www.google.com/hop1', r'fetch: too many redirects \(5\)\n', 30),
        ('fetch -L 7 www.google.com/hop1',
         shown(HOME) + r'followed 7 redirects to http://www\.google\.com/\n' + summary(200, 'OK', HOME_LEN), 30),
        ('fetch -L 0 www.google.com/redirect1',
         r'(?s)<html>.*</html>\n' + summary(301, 'Moved Permanently', 169), 30),
        ('fetch www.google.com/loop1', r'fetch: redirect loop at http://www\.google\.com/loop1\n', 30),
        ('fetch www.google.com/missing', r'(?s)<html>.*404 Not Found.*</html>\n' + summary(404, 'Not Found', 153), 30),
        ('fetch -I www.google.com', HEADERS + summary(200, 'OK', 0), 30),
        ('fetch -i www.google.com/chunked.shtml',
         HEADERS + shown(CHUNKED_SHTML) + summary(200, 'OK', len(CHUNKED_SHTML)), 30),
        ('fetch -o null --sha256 www.google.com/big.bin',
         r'(?:\[[#.]+\] +\d+%[^\n]*)+\n' + summary(200, 'OK', webroot.BIG_SIZE)
         + r'sha256 %s\n' % webroot.big_sha256(), BIG_TIMEOUT),
        ('fetch nosuch.example.test', r'fetch: nosuch\.example\.test: DNS NXDOMAIN\n', 30),
        ('fetch https://www.google.com/',
         r'fetch: https is not supported \(no TLS yet\): try http://www\.google\.com/\n', 30),
        ('fetch http://www.google.com:0/',
         r'fetch: http://www\.google\.com:0/: port out of range \(1-65535\)\n', 30),
        ('fetch http://%s:%d/' % (BAD, badhttpd.PORT_REFUSED),
         r'fetch: %s:%d: connection refused\n' % (re.escape(BAD), badhttpd.PORT_REFUSED), 30),
        ('fetch http://%s:%d/' % (BAD, badhttpd.PORT_SILENT),
         r'fetch: timed out waiting for response headers \(10 s\)\n', 40),
        ('fetch -T 2 http://%s:%d/' % (BAD, badhttpd.PORT_SILENT),
         r'fetch: timed out waiting for response headers \(2 s\)\n', 20),
        ('fetch -o null http://%s:%d/' % (BAD, badhttpd.PORT_RESET),
         r'(?:\[[#.]+\] +\d+%%[^\n]*)+\nfetch: connection reset by peer after %d body bytes\n'
         % badhttpd.RESET_SENT, 30),
        ('fetch http://%s:%d/' % (BAD, badhttpd.PORT_CLOSE),
         shown(badhttpd.CLOSE_BODY) + summary(200, 'OK', len(badhttpd.CLOSE_BODY)), 30),
        ('fetch --sha256 http://%s:%d/' % (BAD, badhttpd.PORT_CHUNKED),
         shown(badhttpd.CHUNKED_BODY) + summary(200, 'OK', len(badhttpd.CHUNKED_BODY))
         + r'sha256 %s\n' % hashlib.sha256(badhttpd.CHUNKED_BODY).hexdigest(), 30),
        ('fetch http://%s:%d/' % (BAD, badhttpd.PORT_INTERIM),
         shown(badhttpd.INTERIM_BODY) + summary(200, 'OK', len(badhttpd.INTERIM_BODY)), 30),
        ('fetch http://%s:%d/' % (BAD, badhttpd.PORT_BIGHEAD),
         r'fetch: bad response from %s:%d: response headers larger than 16384 bytes\n'
         % (re.escape(BAD), badhttpd.PORT_BIGHEAD), 30),
        ('fetch http://%s:%d/' % (BAD, badhttpd.PORT_MANYHEAD),
         r'fetch: bad response from %s:%d: more than 100 header fields\n'
         % (re.escape(BAD), badhttpd.PORT_MANYHEAD), 30),
    ]


def web_lab(mode):
    """A netlab with fetch's whole web: nginx (webroot.py) and badhttpd."""
    lab = netlab.Netlab(mode, http=False)
    lab.start()
    try:
        webroot.start(lab)
        badhttpd.start(lab)
    except BaseException:
        lab.close()
        raise
    return lab


def boot(lab, **kw):
    g = Guest(net=lab, **kw).start()
    g.wait_prompt()
    g.expect(LEASE_RE, timeout=60)
    return g


def run_cases(mode):
    lab = web_lab(mode)
    try:
        with boot(lab) as g:
            failures = []
            table = cases()
            for cmd, want, timeout in table:
                t0 = time.monotonic()
                out = g.run(cmd, timeout=timeout)
                took = time.monotonic() - t0
                if not re.fullmatch(want, out):
                    failures.append('%s\n  printed: %r\n  expected (regex): %r' % (cmd, out[-1500:], want))
                elif 'big.bin' in cmd:
                    note('%s: 64 MiB in %.1f s (typing included)' % (mode, took))
            assert not failures, '%d of %d cases failed:\n%s' % (
                len(failures), len(table), '\n'.join(failures))
    finally:
        lab.close()


def test_cases_slirp():
    run_cases('user')


def test_cases_tap():
    run_cases('tap')


def test_google_with_netlab_http():
    """The netlab's own web server (Netlab(http=True)) as it is."""
    with netlab.Netlab('user', http=True) as lab, boot(lab) as g:
        out = g.run('fetch www.google.com', timeout=30)
        assert '<title>Google</title>' in out, out
        assert re.search(summary(200, 'OK', HOME_LEN), out), out


def test_autorun():
    lab = web_lab('tap')
    try:
        append = 'autorun="dhcp -s -w; fetch www.google.com; poweroff"'
        with Guest(net=lab, append=append) as g:
            g.expect(r'pigeon> fetch www\.google\.com\r*\n', timeout=90)
            m = g.expect(r'(?s)(.*?)pigeon> poweroff', timeout=60)
            out = m.group(1).replace('\r', '')
            assert re.fullmatch(shown(HOME) + summary(200, 'OK', HOME_LEN), out), out
            status = g.wait_exit()
            assert status == 0, 'QEMU exited with %d after poweroff, not 0' % status
    finally:
        lab.close()


def test_ctrl_c():
    """Ctrl-C during a wait for headers: the prompt comes back at once."""
    lab = web_lab('tap')
    try:
        with boot(lab) as g:
            g.type('fetch http://%s:%d/' % (BAD, badhttpd.PORT_SILENT))
            start = g.mark()
            g.send('\r')
            time.sleep(1.0)         # the request is out, the server silent
            t0 = time.monotonic()
            g.send(CTRL_C)
            g.expect(r'fetch: interrupted\r?\n', timeout=10, start=start)
            g.expect(PROMPT_RE, timeout=10)
            took = time.monotonic() - t0
            assert took < 2.0, 'the prompt took %.1f s to come back' % took
            assert 'timed out' not in g.since(start), g.since(start)
            # And the shell works on.
            out = g.run('fetch www.google.com', timeout=30)
            assert re.search(summary(200, 'OK', HOME_LEN), out), out
    finally:
        lab.close()


# The journey's steps for `fetch -v www.google.com`, in the order a packet
# lives them (each a regex that must match a line, after the one before).
JOURNEY_FIRST = [
    r'\[url\]  http://www\.google\.com/: host www\.google\.com, port 80, target /',
    r'\[dns\]  query A www\.google\.com\? to (\S+):53 from port \d+, id 0x[0-9a-f]{4}',
    r'\[ip\]   route: \S+ is on-link on eth0',
    r'\[arp\]  -> who-has \S+\? tell \S+   eth 52:54:00:12:34:56 > ff:ff:ff:ff:ff:ff',
    r'\[arp\]  <- \S+ is-at [0-9a-f:]{17}',
    r'\[udp\]  -> \S+:\d+ > \S+:53 len \d+  dns',
    r'\[udp\]  <- \S+:53 > \S+:\d+ len \d+  dns',
    r'\[dns\]  answer id 0x[0-9a-f]{4} from \S+: www\.google\.com A 198\.51\.100\.10, TTL \d+ s',
    r'\[tcp\]  \S+:\d+ state CLOSED -> SYN_SENT',
    r'\[tcp\]  -> SYN     \S+:\d+ > 198\.51\.100\.10:80 seq \d+ win \d+ <mss \d+,wscale \d+',
    r'eth 52:54:00:12:34:56 > [0-9a-f:]{17}  ip ttl 64',
    r'\[tcp\]  <- SYN,ACK 198\.51\.100\.10:80 > \S+:\d+ seq \d+ ack \d+ win \d+ <mss \d+',
    r'\[tcp\]  handshake round trip [\d.]+ ms',
    r'\[tcp\]  \S+:\d+ state SYN_SENT -> ESTABLISHED',
    r'\[tcp\]  -> ACK     ',
    r'\[http\] > GET / HTTP/1\.1',
    r'\[tcp\]  transfer: \d+ segments in \(\d+ data bytes\), \d+ out',
    r'\[tcp\]  <- FIN',
    r'\[http\] < HTTP/1\.1 200 OK',
    r'\[tcp\]  -> FIN,ACK',
    r'200 OK, %d bytes in \d+ ms' % HOME_LEN,
]
JOURNEY_SECOND = [
    r'\[dns\]  cache hit: www\.google\.com A 198\.51\.100\.10',
    r'\[arp\]  cache hit: \S+ is-at [0-9a-f:]{17}',
    r'\[tcp\]  -> SYN ',
]


def check_in_order(out, steps):
    pos = 0
    for step in steps:
        m = re.compile(step).search(out, pos)
        assert m, 'journey step missing or out of order: %r\nafter:\n%s' % (step, out[pos:pos + 2000])
        pos = m.end()


def journey(mode):
    lab = web_lab(mode)
    try:
        with boot(lab) as g:
            out = g.run('fetch -v www.google.com', timeout=60)
            check_in_order(out, JOURNEY_FIRST)
            assert '<title>Google</title>' in out, out
            out = g.run('fetch -v www.google.com', timeout=60)
            check_in_order(out, JOURNEY_SECOND)
            assert '[dns]  query' not in out, 'the second fetch asked DNS again:\n' + out
            assert 'who-has' not in out, 'the second fetch asked ARP again:\n' + out
    finally:
        lab.close()


def test_journey_tap():
    journey('tap')


def test_journey_slirp():
    journey('user')
