"""The HTTP client against hostile servers: the robustness catalog's rows
P1 (body framing), P2 (header and status abuse) and P3 (slow or stalled
server), issue 8. One test per row; each boots Pigeon over TAP in the
netlab with tests/netlab/badhttpd.py, whose PORT_ABUSE serves one
behaviour per path, and types every variant of the row at the prompt
with the exact output fetch must print for it.

test_fetch.py already covers the first forms of several of these (a
silent server, a reset after 512 KiB, a close-delimited body, odd chunks,
1xx, a 20 KB header block, 150 fields, nginx's redirect loops); the rows
here add the rest. The parser's rules are also tested on the host
(tests/unit/http/test_http_wire.c) at every truncation point.
"""

import hashlib
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import CTRL_C, PROMPT_RE                   # noqa: E402
import badhttpd                                         # noqa: E402
from test_fetch import boot, shown, summary, web_lab    # noqa: E402

BAD = badhttpd.DEFAULT_ADDR
PORT = badhttpd.PORT_ABUSE
ABUSE = 'http://%s:%d' % (BAD, PORT)
BAR = r'(?:\[[#.]+\] +\d+%[^\n]*)+\n'     # -o null's progress bar, as logged
# -o null's bar for 10 bytes of 2^64 - 1: 0 %, and an ETA of at least
# 10^9 s (2^64 bytes at under 10 GB/s), not a wrapped small number.
CL_MAX_BAR = (r'\[\.{24}\]   0%%  %d B of 17592186044415\.9 MiB  \d+(?:\.\d)? (?:B|KiB|MiB)/s  ETA \d{10,} s\x1b\[K\n'
              % len(badhttpd.CL_MAX_SENT))
KEEPALIVE_MS_MAX = 5000     # far below the 10 s idle timeout a wait for the close would hit
MEM_SLACK = 8               # allocations or buffers a finished fetch may leave for a while
URL_TEXT_MAX = 7 + 254 + 6 + 1024   # user/url.h: what a redirect's URL is cut to, with its NUL


def bad(what):
    """fetch's line for a response the parser refused."""
    return r'fetch: bad response from %s:%d: %s\n' % (re.escape(BAD), PORT, re.escape(what))


def sha(body):
    return r'sha256 %s\n' % hashlib.sha256(body).hexdigest()


def ok(body, sha256=False):
    """A text body printed whole, its summary, and its SHA-256 if asked."""
    return shown(body) + summary(200, 'OK', len(body)) + (sha(body) if sha256 else '')


def run_cases(g, table):
    """Type each (command, expected output regex, timeout); all must match."""
    failures = []
    for cmd, want, timeout in table:
        out = g.run(cmd, timeout=timeout)
        if not re.fullmatch(want, out):
            failures.append('%s\n  printed: %r\n  expected (regex): %r' % (cmd, out[-1500:], want))
    assert not failures, '%d of %d cases failed:\n%s' % (len(failures), len(table), '\n'.join(failures))


def with_guest(fn):
    """Run fn(g) with Pigeon booted in a netlab that has badhttpd."""
    lab = web_lab('tap')
    try:
        with boot(lab) as g:
            fn(g)
    finally:
        lab.close()


def p1_cases():
    big = badhttpd.abuse_big_body()
    return [
        # An exact Content-Length: the body and its hash, small and large.
        ('fetch --sha256 %s/cl-exact' % ABUSE, ok(badhttpd.ABUSE_BODY, True), 30),
        ('fetch -o null --sha256 %s/cl-exact-big' % ABUSE,
         BAR + summary(200, 'OK', len(big)) + sha(big), 60),
        # A Content-Length shorter than what is sent: the length wins, the
        # rest is not body.
        ('fetch --sha256 %s/cl-short' % ABUSE, ok(badhttpd.CL_SHORT_BODY, True), 30),
        # Longer than what is sent, then the close: reported as truncated.
        ('fetch %s/cl-long' % ABUSE,
         shown(badhttpd.CL_LONG_SENT) + r'fetch: connection closed after %d of %d body bytes\n'
         % (len(badhttpd.CL_LONG_SENT), badhttpd.CL_LONG_LEN), 30),
        # Chunked with extensions (BWS, quoted strings) and trailers.
        ('fetch --sha256 %s/chunk-ext' % ABUSE, ok(badhttpd.EXT_BODY, True), 30),
        # Chunk sizes that must be refused, after a good chunk.
        ('fetch %s/chunk-huge' % ABUSE, r'hello\n' + bad('chunk size too large'), 30),
        ('fetch %s/chunk-negative' % ABUSE, r'hello\n' + bad('malformed chunk size'), 30),
        ('fetch %s/chunk-nonhex' % ABUSE, r'hello\n' + bad('malformed chunk size'), 30),
        ('fetch %s/chunk-0x' % ABUSE, r'hello\n' + bad('malformed chunk size'), 30),
        # Both Transfer-Encoding and Content-Length: chunked wins.
        ('fetch --sha256 %s/te-cl' % ABUSE, ok(badhttpd.TE_CL_BODY, True), 30),
        # Invalid Content-Length values are errors, not guesses.
        ('fetch %s/cl-12abc' % ABUSE, bad('malformed Content-Length'), 30),
        ('fetch %s/cl-minus1' % ABUSE, bad('malformed Content-Length'), 30),
        ('fetch %s/cl-two' % ABUSE, bad('conflicting Content-Length values'), 30),
        # The largest Content-Length that fits in 64 bits is taken at its
        # word (the bar's percentage and ETA do not wrap); one more is
        # refused.
        ('fetch -o null %s/cl-max' % ABUSE, CL_MAX_BAR + r'fetch: connection closed after %d of %d body bytes\n'
         % (len(badhttpd.CL_MAX_SENT), badhttpd.CL_MAX), 30),
        ('fetch %s/cl-overflow' % ABUSE, bad('Content-Length too large'), 30),
        # Connection: close and no length: the body ends at the close.
        ('fetch --sha256 %s/close-nolen' % ABUSE, ok(badhttpd.CLOSE_NOLEN_BODY, True), 30),
    ]


def test_p1_body_framing():
    """P1: every body framing, good and bad (RFC 9112 6.1, 6.3, 7.1):
    the body and its SHA-256 exactly, or one clean error line; TE wins
    over CL; no overflow from FFFFFFFFFFFFFFFF0; a body cut before its
    Content-Length is reported as truncated."""
    with_guest(lambda g: run_cases(g, p1_cases()))


def p2_cases():
    return [
        # A 64 KiB header line and 10,000 header fields: refused at the
        # parser's bounds (16 KiB, 100 fields), not buffered.
        ('fetch %s/long-line' % ABUSE, bad('response headers larger than 16384 bytes'), 30),
        ('fetch %s/many-headers' % ABUSE, bad('more than 100 header fields'), 30),
        # Bare LF line ends are accepted (RFC 9112 2.2).
        ('fetch %s/lf-only' % ABUSE, ok(badhttpd.LF_BODY), 30),
        # Garbage where the status line should be.
        ('fetch %s/garbage-status' % ABUSE, bad('not an HTTP/1.x response'), 30),
        ('fetch %s/bad-status-code' % ABUSE, bad('malformed status line'), 30),
        ('fetch %s/binary-status' % ABUSE, bad('malformed status line'), 30),
        # 100 Continue before the 200 is skipped; nine of them are too many.
        ('fetch %s/continue' % ABUSE, ok(badhttpd.INTERIM_OK_BODY), 30),
        ('fetch %s/interim-flood' % ABUSE, bad('unexpected interim (1xx) responses'), 30),
        # 301 for ever: capped at the default limit; a 301 to itself: a loop.
        ('fetch %s/redirect/0' % ABUSE, r'fetch: too many redirects \(5\)\n', 30),
        ('fetch %s/self' % ABUSE, r'fetch: redirect loop at %s/self\n' % re.escape(ABUSE), 30),
        # A Location we cannot follow is named (cut to the URL bound), with why.
        ('fetch %s/redirect-https' % ABUSE, r'fetch: bad redirect to %s: https is not supported \(no TLS yet\)\n'
         % re.escape(badhttpd.REDIRECT_HTTPS), 30),
        ('fetch %s/redirect-long' % ABUSE, r'fetch: bad redirect to %s: path and query too long\n'
         % re.escape(badhttpd.REDIRECT_LONG[:URL_TEXT_MAX - 1]), 30),
        # And a sane fetch still works after all that.
        ('fetch %s/cl-exact' % ABUSE, ok(badhttpd.ABUSE_BODY), 30),
    ]


def memory(g):
    """(live heap allocations, packet buffers in use) from `mem`."""
    out = g.run('mem', timeout=10)
    live = re.search(r'(\d+) live allocations', out)
    bufs = re.search(r'(\d+) in use, high water', out)
    assert live and bufs, out
    return int(live.group(1)), int(bufs.group(1))


def test_p2_header_abuse():
    """P2: header and status abuse (RFC 9112 2-4, RFC 9110 15.4): a
    64 KiB header line, 10k headers, LF-only line ends, garbage status
    lines, 100 Continue before the 200, a 301 loop: each gives its exact
    body or one clean error line, memory stays within the parser's
    fixed bounds, and redirects stop at 5."""
    def run(g):
        live0, bufs0 = memory(g)
        run_cases(g, p2_cases())
        live, bufs = memory(g)
        # The header block lives in the client's fixed state: nothing
        # grows with what the servers sent (a few TIME_WAIT blocks may
        # still be held from the polite closes).
        assert live <= live0 + MEM_SLACK and bufs <= bufs0 + MEM_SLACK, \
            'memory grew: %d -> %d allocations, %d -> %d packet buffers' % (live0, live, bufs0, bufs)
    with_guest(run)


def drip_then_ctrl_c(g):
    """fetch -o null of the 1 byte/s drip: the bar counts the bytes; after
    three of them Ctrl-C stops it at once, and the shell answers."""
    seen = 3
    g.type('fetch -o null %s/drip' % ABUSE)
    start = g.mark()
    g.send('\r')
    # The bar shows each byte as it comes: no timeout while bytes trickle.
    g.expect(r'\b%d B of %d B' % (seen, badhttpd.DRIP_LEN), timeout=30)
    t0 = time.monotonic()
    g.send(CTRL_C)
    g.expect(r'fetch: interrupted\r?\n', timeout=10, start=start)
    prompt = g.expect(PROMPT_RE, timeout=10)
    took = time.monotonic() - t0
    out = g.output[start:prompt.end()].replace('\r', '')
    assert took < 3.0 * g.scale, 'the prompt took %.1f s to come back after Ctrl-C' % took
    # The bar (redrawn in place), then the interruption on lines of its own.
    assert re.fullmatch(r'\n(?:\[[#.]+\] +\d+%[^\n]*)\n\^C\nfetch: interrupted\npigeon> ', out), out
    assert g.run('echo still here', timeout=10) == 'still here\n'
    # What the prompt saw after fetch stopped: checked by the caller.
    return g.since(prompt.end()).replace('\r', '')


def p3_cases():
    return [
        # Headers, then silence: the idle timeout (10 s between bytes).
        ('fetch %s/stall' % ABUSE, r'fetch: timed out waiting for the body after 0 bytes \(10 s\)\n', 60),
        # An RST in the middle of the body: what came is shown, then the reset.
        ('fetch %s/rst' % ABUSE, shown(badhttpd.RST_BODY)
         + r'fetch: connection reset by peer after %d body bytes\n' % len(badhttpd.RST_BODY), 30),
        # A server that keeps the connection open: done at the end of the
        # Content-Length (or the last chunk), not at the close.
        ('fetch %s/keepalive' % ABUSE, ok(badhttpd.KEEPALIVE_BODY), 30),
        ('fetch %s/keepalive-chunked' % ABUSE, ok(badhttpd.KEEPALIVE_BODY), 30),
    ]


def keepalive_fast(g):
    """The keep-alive cases finish in well under the idle timeout."""
    for path in ('/keepalive', '/keepalive-chunked'):
        out = g.run('fetch %s%s' % (ABUSE, path), timeout=30)
        m = re.search(r'200 OK, \d+ bytes in (\d+) ms', out)
        assert m and int(m.group(1)) < KEEPALIVE_MS_MAX, '%s took too long:\n%s' % (path, out)


def test_p3_slow_server():
    """P3: slow or stalled servers (slowloris class; RFC 9293 MUST-20):
    a 1 byte/s drip is not a timeout (fetch's limit is 10 s between
    bytes, documented in user/http.h) and Ctrl-C ends it at once; headers
    then silence time out after 10 s with the documented message; an RST
    mid-body is reported with the bytes that came; a keep-alive server
    that never closes does not hold fetch past its Content-Length. The
    shell answers after each."""
    def run(g):
        after_drip = drip_then_ctrl_c(g)
        run_cases(g, p3_cases())
        keepalive_fast(g)
        assert g.run('echo done', timeout=10) == 'done\n'
        # The one Ctrl-C stopped fetch and nothing else: it must not also
        # cancel the next line at the prompt (type-ahead keeps other keys).
        assert '^C' not in after_drip, 'the Ctrl-C that stopped fetch also reached the prompt:\n%r' % after_drip
    with_guest(run)
