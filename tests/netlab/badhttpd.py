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

The bodies are fixed (CLOSE_BODY, CHUNKED_BODY, INTERIM_BODY) so tests can
expect them exactly. Nothing listens on PORT_REFUSED (81): connections to it
are refused by the namespace's kernel.

    /usr/bin/python3 tests/netlab/badhttpd.py [ADDR]    # prints "ready"
    badhttpd.start(lab)                                 # from a test

Standard library only.
"""

import os
import socket
import struct
import sys
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


BEHAVIOURS = {
    PORT_SILENT: serve_silent,
    PORT_RESET: serve_reset,
    PORT_CLOSE: serve_close,
    PORT_CHUNKED: serve_chunked,
    PORT_INTERIM: serve_interim,
    PORT_BIGHEAD: serve_bighead,
    PORT_MANYHEAD: serve_manyhead,
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
