#!/usr/bin/python3
"""A scripted HTTP server for the cases a real web server will not produce,
one behaviour per port on the test host (run inside the netlab namespace):

  PORT_SILENT    8081  accepts, reads the request, never answers
  PORT_RESET     8082  sends half of a RESET_LENGTH-byte body, then resets
                       (SO_LINGER 0 close: an RST, not a FIN)
  PORT_CLOSE     8083  a body with no Content-Length: it ends at the close
  PORT_CHUNKED   8084  chunked, odd chunk sizes, chunk extensions, a trailer
  PORT_INTERIM   8085  100 Continue and 103 Early Hints before the 200
  PORT_BIGHEAD   8086  a header block over 16 KiB
  PORT_MANYHEAD  8087  150 header fields
  PORT_ABUSE     8088  one behaviour per request path (ABUSE_PATHS): the
                       robustness catalog's HTTP rows P1-P3 (body framing,
                       header and status abuse, slow or stalled servers)

The bodies are fixed (CLOSE_BODY, CHUNKED_BODY, INTERIM_BODY) so tests can
expect them exactly. Nothing listens on PORT_REFUSED (81): connections to it
are refused by the namespace's kernel.

    /usr/bin/python3 tests/netlab/badhttpd.py [ADDR]    # prints "ready"
    badhttpd.start(lab)                                 # from a test

Standard library only.
"""

import fcntl
import hashlib
import os
import socket
import struct
import sys
import termios
import threading
import time

DEFAULT_ADDR = '198.51.100.10'

PORT_REFUSED = 81
PORT_SILENT = 8081
PORT_RESET = 8082
PORT_CLOSE = 8083
PORT_CHUNKED = 8084
PORT_INTERIM = 8085
PORT_BIGHEAD = 8086
PORT_MANYHEAD = 8087
PORT_ABUSE = 8088

REQUEST_MAX = 65536
SILENT_HOLD = 120.0                      # seconds a silent connection is kept
RESET_LENGTH = 1024 * 1024
RESET_SENT = RESET_LENGTH // 2

CLOSE_BODY = b'This body has no length: it ends when the server closes.\n' * 20
# (chunk data, extension text): sizes 1, 7, 13, 0x1f, 250, 1000 and a
# chunk extension on most, as RFC 9112 7.1.1 allows.
CHUNKS = [
    (b'<', ''),
    (b'chunky>', ';name=value'),
    (b'\nodd sizes, ', ' ; quoted="a;b" ; bare'),
    (b'extensions and a trailer:\r\n..', ';x'),
    (b'%' * 250, ''),
    (b'0123456789' * 100, ';last-big-one'),
]
CHUNKED_BODY = b''.join(data for data, _ in CHUNKS)
INTERIM_BODY = b'final answer after two interim responses\n'
BIGHEAD_SIZE = 20000
MANYHEAD_COUNT = 150


def _read_request(conn):
    """Read up to the end of the request headers (bounded); True if seen."""
    data = b''
    while b'\r\n\r\n' not in data and b'\n\n' not in data and len(data) < REQUEST_MAX:
        chunk = conn.recv(4096)
        if not chunk:
            return False
        data += chunk
    return True


def _status(code, reason, fields):
    head = 'HTTP/1.1 %d %s\r\n' % (code, reason)
    head += ''.join('%s: %s\r\n' % kv for kv in fields)
    return (head + '\r\n').encode('latin-1')


def serve_silent(conn):
    _read_request(conn)
    # Hold the connection open; the client gives up (or closes) first.
    conn.settimeout(SILENT_HOLD)
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass


def serve_reset(conn):
    if not _read_request(conn):
        return
    conn.sendall(_status(200, 'OK', [('Content-Type', 'application/octet-stream'),
                                     ('Content-Length', str(RESET_LENGTH))]))
    conn.sendall(b'r' * RESET_SENT)
    # Give the bytes time to leave before the RST overtakes them.
    time.sleep(0.5)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))


def serve_close(conn):
    if not _read_request(conn):
        return
    conn.sendall(_status(200, 'OK', [('Content-Type', 'text/plain'), ('Connection', 'close')]))
    # In a few writes, so the client sees several segments.
    for i in range(0, len(CLOSE_BODY), 333):
        conn.sendall(CLOSE_BODY[i:i + 333])
        time.sleep(0.01)
    conn.shutdown(socket.SHUT_WR)


def serve_chunked(conn):
    if not _read_request(conn):
        return
    out = _status(200, 'OK', [('Content-Type', 'text/plain'), ('Transfer-Encoding', 'chunked'),
                              ('Trailer', 'X-Checksum')])
    for data, ext in CHUNKS:
        out += b'%x%s\r\n' % (len(data), ext.encode()) + data + b'\r\n'
    out += b'0;end\r\nX-Checksum: none\r\nX-Other: 1\r\n\r\n'
    # A few bytes at a time: chunk boundaries fall anywhere in the segments.
    for i in range(0, len(out), 97):
        conn.sendall(out[i:i + 97])
        time.sleep(0.002)


def serve_interim(conn):
    if not _read_request(conn):
        return
    conn.sendall(_status(100, 'Continue', []))
    time.sleep(0.05)
    conn.sendall(_status(103, 'Early Hints', [('Link', '</style.css>; rel=preload; as=style')]))
    time.sleep(0.05)
    conn.sendall(_status(200, 'OK', [('Content-Type', 'text/plain'),
                                     ('Content-Length', str(len(INTERIM_BODY)))]) + INTERIM_BODY)


def serve_bighead(conn):
    if not _read_request(conn):
        return
    fields = [('X-Filler-%d' % i, 'x' * 180) for i in range(BIGHEAD_SIZE // 200 + 1)]
    conn.sendall(_status(200, 'OK', fields + [('Content-Length', '2')]) + b'ok')


def serve_manyhead(conn):
    if not _read_request(conn):
        return
    fields = [('X-Field-%d' % i, str(i)) for i in range(MANYHEAD_COUNT)]
    conn.sendall(_status(200, 'OK', fields + [('Content-Length', '2')]) + b'ok')


# ---- PORT_ABUSE: the robustness catalog's rows P1-P3, one path each ----
#
# Each path's response is a module-level constant or a small function, so
# a test can derive the exact output fetch must print. Unless a behaviour
# says otherwise the server then closes its side and waits for the client.

ABUSE_HOLD = 60.0                       # seconds a held connection is kept
ABUSE_BODY = b'P1 exact Content-Length: this body is framed by its length.\n' * 3
ABUSE_BIG_LEN = 200003                  # odd, > 64 KiB: many segments, a window or two


def abuse_big_body():
    """ABUSE_BIG_LEN deterministic bytes, binary (fetch -o null --sha256)."""
    out, block = b'', b'pigeon'
    while len(out) < ABUSE_BIG_LEN:
        block = hashlib.sha256(block).digest()
        out += block
    return out[:ABUSE_BIG_LEN]


CL_SHORT_BODY = b'0123456789'       # what Content-Length announces ...
CL_SHORT_EXTRA = b'<bytes past the Content-Length: not the body>\n'  # ... and more sent
CL_LONG_LEN = 100
CL_LONG_SENT = b'only part of the promised body comes, then the close\n'
# Chunked, RFC 9112 7.1: upper-case hex with leading zeros, BWS before ';',
# extensions with quoted strings (a ';' and an escaped quote inside),
# chunks that straddle segments, a last-chunk with an extension, trailers.
EXT_CHUNKS = [
    (b'Chunked ', '000%X', ''),
    (b'with extensions, ', '%X', ' ;a=1'),
    (b'quoted ones, ', '%X', ';q="x;y \\" z";n'),
    (b'#' * 3000, '%X', ';big'),
    (b'\nand trailers.\n', '00%X', ';end=almost'),
]
EXT_BODY = b''.join(d for d, _, _ in EXT_CHUNKS)
EXT_TRAILERS = b'X-Checksum: none\r\nX-Empty:\r\nX-Sum: 0\r\n'
TE_CL_BODY = b'Transfer-Encoding wins over Content-Length.\n'
CLOSE_NOLEN_BODY = b'No length, Connection: close: the close ends it.\n' * 4
LF_BODY = b'bare LF line ends are accepted\n'
INTERIM_OK_BODY = b'after a 100 Continue\n'
REDIRECT_BODY = b'moved\n'
REDIRECT_HTTPS = 'https://198.51.100.10/'
REDIRECT_LONG = '/' + 'L' * 4000        # a Location past any target bound
CL_MAX = 2 ** 64 - 1                    # the largest Content-Length that fits ...
CL_MAX_SENT = b'ten bytes\n'            # ... of which only this comes
LONG_LINE = 64 * 1024                  # one header line of 64 KiB
MANY_HEADERS = 10000
DRIP_LEN = 64                          # body bytes announced by /drip
DRIP_INTERVAL = 1.0                    # seconds between two of them
STALL_LEN = 100                        # /stall announces this, sends none
RST_LEN = 1000                         # /rst announces this ...
RST_BODY = b'these bytes arrive, then a reset\n' * 9   # ... sends this, resets
KEEPALIVE_BODY = b'keep-alive: the server never closes\n'


def _head(status_line, fields):
    """A header block with CRLF line ends."""
    lines = [status_line] + ['%s: %s' % kv for kv in fields]
    return ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1')


def _ok(fields):
    return _head('HTTP/1.1 200 OK', [('Content-Type', 'text/plain')] + fields)


def _chunk(data, size_fmt, ext):
    return (size_fmt % len(data)).encode() + ext.encode() + b'\r\n' + data + b'\r\n'


def _ext_chunked():
    out = _ok([('Transfer-Encoding', 'chunked'), ('Trailer', 'X-Checksum, X-Empty, X-Sum')])
    out += b''.join(_chunk(d, f, e) for d, f, e in EXT_CHUNKS)
    return out + b'0000;final=yes\r\n' + EXT_TRAILERS + b'\r\n'


def _chunked_then(bad_size_line):
    """A good chunk, then a chunk-size line that must be refused."""
    return (_ok([('Transfer-Encoding', 'chunked')]) + _chunk(b'hello', '%x', '')
            + bad_size_line + b'\r\n' + b'x' * 64 + b'\r\n0\r\n\r\n')


def _te_cl():
    chunked = _chunk(TE_CL_BODY[:7], '%x', '') + _chunk(TE_CL_BODY[7:], '%x', '') + b'0\r\n\r\n'
    return _ok([('Transfer-Encoding', 'chunked'), ('Content-Length', '5')]) + chunked


def _interim_flood():
    return _head('HTTP/1.1 100 Continue', []) * 9 + _ok([('Content-Length', '2')]) + b'ok'


# Responses sent whole (then the server closes), by path.
ABUSE_FIXED = {
    '/cl-exact': _ok([('Content-Length', str(len(ABUSE_BODY)))]) + ABUSE_BODY,
    '/cl-short': _ok([('Content-Length', str(len(CL_SHORT_BODY)))]) + CL_SHORT_BODY + CL_SHORT_EXTRA,
    '/cl-long': _ok([('Content-Length', str(CL_LONG_LEN))]) + CL_LONG_SENT,
    '/chunk-ext': _ext_chunked(),
    '/chunk-huge': _chunked_then(b'FFFFFFFFFFFFFFFF0'),
    '/chunk-negative': _chunked_then(b'-5'),
    '/chunk-nonhex': _chunked_then(b'zz'),
    '/chunk-0x': _chunked_then(b'0x10'),
    '/te-cl': _te_cl(),
    '/cl-12abc': _ok([('Content-Length', '12abc')]) + b'123456789012',
    '/cl-minus1': _ok([('Content-Length', '-1')]) + b'body',
    '/cl-two': _ok([('Content-Length', '5'), ('Content-Length', '6')]) + b'123456',
    '/cl-max': _ok([('Content-Length', str(CL_MAX))]) + CL_MAX_SENT,
    '/cl-overflow': _ok([('Content-Length', str(CL_MAX + 1))]) + CL_MAX_SENT,
    '/close-nolen': _ok([('Connection', 'close')]) + CLOSE_NOLEN_BODY,
    '/lf-only': (b'HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: %d\n\n' % len(LF_BODY)
                 + LF_BODY),
    '/garbage-status': b'SPDY/3 200 OK\r\nContent-Length: 2\r\n\r\nok',
    '/bad-status-code': b'HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nok',
    '/binary-status': b'\x16\x03\x01\x00\x2a\x02\x00\x00\x26\x03\x03\r\n\r\n',
    '/continue': (_head('HTTP/1.1 100 Continue', [])
                  + _ok([('Content-Length', str(len(INTERIM_OK_BODY)))]) + INTERIM_OK_BODY),
    '/interim-flood': _interim_flood(),
    '/self': _head('HTTP/1.1 301 Moved Permanently',
                   [('Location', '/self'), ('Content-Length', str(len(REDIRECT_BODY)))]) + REDIRECT_BODY,
    '/redirect-https': _head('HTTP/1.1 301 Moved Permanently', [('Location', REDIRECT_HTTPS),
                                                                 ('Content-Length', '0')]),
    '/redirect-long': _head('HTTP/1.1 302 Found', [('Location', REDIRECT_LONG), ('Content-Length', '0')]),
    '/long-line': _ok([('X-Long', 'l' * LONG_LINE), ('Content-Length', '2')]) + b'ok',
    '/many-headers': _ok([('X-H%d' % i, 'v') for i in range(MANY_HEADERS)] + [('Content-Length', '2')]) + b'ok',
}


def _read_target(conn):
    """Read the request headers (bounded); the request target, or None."""
    data = b''
    while b'\r\n\r\n' not in data and b'\n\n' not in data and len(data) < REQUEST_MAX:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    parts = data.split(b'\r\n', 1)[0].split(b' ')
    return parts[1].decode('latin-1') if len(parts) == 3 else None


def _hold(conn):
    """Keep the connection open until the client closes it (or ABUSE_HOLD)."""
    conn.settimeout(ABUSE_HOLD)
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass


def _close_after(conn, data):
    """Send data in a few segments, close our side, wait for the client's."""
    for i in range(0, len(data), 1400):
        conn.sendall(data[i:i + 1400])
    conn.shutdown(socket.SHUT_WR)
    _hold(conn)


def _wait_acked(conn, limit=5.0):
    """Until the client has acknowledged every byte sent (TIOCOUTQ 0)."""
    deadline = time.monotonic() + limit
    buf = bytearray(4)
    while time.monotonic() < deadline:
        fcntl.ioctl(conn.fileno(), termios.TIOCOUTQ, buf)
        if struct.unpack('i', buf)[0] == 0:
            return
        time.sleep(0.01)


def abuse_redirect(conn, n):
    """/redirect/N: 301 to /redirect/N+1, for ever (fetch caps it)."""
    _close_after(conn, _head('HTTP/1.1 301 Moved Permanently',
                             [('Location', '/redirect/%d' % (n + 1)),
                              ('Content-Length', str(len(REDIRECT_BODY)))]) + REDIRECT_BODY)


def abuse_drip(conn):
    """/drip: headers at once, then the body one byte per DRIP_INTERVAL."""
    conn.sendall(_ok([('Content-Length', str(DRIP_LEN))]))
    for i in range(DRIP_LEN):
        time.sleep(DRIP_INTERVAL)
        conn.sendall(b'%d' % (i % 10))
    _hold(conn)


def abuse_stall(conn):
    """/stall: headers announcing STALL_LEN bytes, then silence."""
    conn.sendall(_ok([('Content-Length', str(STALL_LEN))]))
    _hold(conn)


def abuse_rst(conn):
    """/rst: RST_BODY of RST_LEN announced bytes, acknowledged, then an RST
    (SO_LINGER 0 close), not a FIN."""
    conn.sendall(_ok([('Content-Length', str(RST_LEN))]) + RST_BODY)
    _wait_acked(conn)
    time.sleep(0.2)                 # the client reads what it acknowledged
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))


def abuse_keepalive(conn, chunked):
    """/keepalive, /keepalive-chunked: a whole response, then the
    connection is held open (the client's "Connection: close" ignored)."""
    if chunked:
        head = _ok([('Transfer-Encoding', 'chunked'), ('Connection', 'keep-alive')])
        conn.sendall(head + _chunk(KEEPALIVE_BODY, '%x', '') + b'0\r\n\r\n')
    else:
        conn.sendall(_ok([('Content-Length', str(len(KEEPALIVE_BODY))), ('Connection', 'keep-alive')])
                     + KEEPALIVE_BODY)
    _hold(conn)


ABUSE_PATHS = sorted(ABUSE_FIXED) + ['/cl-exact-big', '/redirect/N', '/drip', '/stall', '/rst',
                                     '/keepalive', '/keepalive-chunked']


def serve_abuse(conn):
    target = _read_target(conn)
    if target is None:
        return
    if target in ABUSE_FIXED:
        _close_after(conn, ABUSE_FIXED[target])
    elif target == '/cl-exact-big':
        body = abuse_big_body()
        _close_after(conn, _head('HTTP/1.1 200 OK', [('Content-Type', 'application/octet-stream'),
                                                     ('Content-Length', str(len(body)))]) + body)
    elif target.startswith('/redirect/') and target[10:].isdigit():
        abuse_redirect(conn, int(target[10:]))
    elif target == '/drip':
        abuse_drip(conn)
    elif target == '/stall':
        abuse_stall(conn)
    elif target == '/rst':
        abuse_rst(conn)
    elif target in ('/keepalive', '/keepalive-chunked'):
        abuse_keepalive(conn, target.endswith('chunked'))
    else:
        _close_after(conn, _head('HTTP/1.1 404 Not Found', [('Content-Length', '0')]))


BEHAVIOURS = {
    PORT_SILENT: serve_silent,
    PORT_RESET: serve_reset,
    PORT_CLOSE: serve_close,
    PORT_CHUNKED: serve_chunked,
    PORT_INTERIM: serve_interim,
    PORT_BIGHEAD: serve_bighead,
    PORT_MANYHEAD: serve_manyhead,
    PORT_ABUSE: serve_abuse,
}


def _handle(conn, behaviour):
    try:
        behaviour(conn)
    except OSError:
        pass                        # the client went away: its business
    finally:
        conn.close()


def _accept_loop(sock, behaviour):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=_handle, args=(conn, behaviour), daemon=True).start()


def serve(addr=DEFAULT_ADDR):
    """Listen on every port, print "ready", serve until killed."""
    for port, behaviour in BEHAVIOURS.items():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(16)
        threading.Thread(target=_accept_loop, args=(s, behaviour), daemon=True).start()
    print('ready', flush=True)
    while True:
        time.sleep(3600)


def argv(addr=DEFAULT_ADDR):
    """The command that runs this server (to be run inside a namespace)."""
    return ['/usr/bin/python3', os.path.abspath(__file__), addr]


def start(lab, addr=DEFAULT_ADDR):
    """Run the server inside a started netlab.Netlab; it stops with the lab."""
    proc = lab._spawn('badhttpd', argv(addr))
    lab._wait_ready('badhttpd', proc,
                    lambda: lab.connect((addr, PORT_CLOSE), timeout=0.5).close())
    return proc


if __name__ == '__main__':
    serve(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_ADDR)
