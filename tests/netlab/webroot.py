"""The netlab's web content for fetch (issue 6): what nginx serves, and the
exact answers the QEMU tests expect.

    www.google.com (198.51.100.10:80)
      /                   the Google-like home page (netlab.HOME_PAGE)
      /redirect1          301, relative Location: /redirect2
      /redirect2          302, Location: http://web.example.test/final
      /hop1 .. /hop7      a chain of 302s, one more than fetch follows by default
      /loop1, /loop2      302s to each other
      /see-other          303 to /
      /big.bin            64 MiB of the pattern byte[i] = i % 251 (BIG_SHA256)
      /chunked.shtml      an SSI page: nginx sends it chunked
      /missing            nginx's 404
    web.example.test (198.51.100.11:80)
      /final              FINAL_BODY

Debian's nginx does the ordinary cases; tests/netlab/badhttpd.py does the
pathological ones. The 64 MiB file and its SHA-256 are made once and kept
under build/netlab/; each lab's document root links to them.

    import webroot
    webroot.start(lab)      # a started netlab.Netlab(mode, http=False)

Standard library only.
"""

import hashlib
import os

import netlab

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.path.join(ROOT, os.environ.get('PIGEON_BUILD', 'build'), 'netlab')

GOOGLE_ADDR = netlab.WEB_ADDR            # 198.51.100.10
WEB_HOST = 'web.example.test'
WEB_HOST_ADDR = '198.51.100.11'

FINAL_BODY = 'You reached web.example.test after two redirects.\n'
BIG_NAME = 'big.bin'
BIG_SIZE = 64 * 1024 * 1024
BIG_PERIOD = 251                         # a prime: no alignment with any buffer
HOPS = 7                                 # /hop1 .. /hop7, then /
# The SSI page: text around an include, so nginx emits several chunks.
CHUNKED_PARTS = ['<p>part one of a chunked page</p>\n',
                 '<p>part two, from an include</p>\n',
                 '<p>part three</p>\n']


def pattern_file(name, size):
    """A file of size bytes of the pattern byte[i] = i % BIG_PERIOD, made
    once under build/netlab/NAME (its SHA-256 beside it); returns
    (path, sha256 hex)."""
    path = os.path.join(CACHE, name)
    sha_path = path + '.sha256'
    try:
        if os.path.getsize(path) == size:
            with open(sha_path) as f:
                digest = f.read().split()[0]
            if len(digest) == 64:
                return path, digest
    except (OSError, IndexError):
        pass
    os.makedirs(CACHE, exist_ok=True)
    period = bytes(range(BIG_PERIOD))
    block = period * (1024 * 1024 // BIG_PERIOD + 2)       # > 1 MiB of whole periods
    h = hashlib.sha256()
    # Tests run in parallel: each writer its own temporary file; the
    # rename is atomic, so the last one in wins with identical bytes.
    tmp = '%s.tmp.%d' % (path, os.getpid())
    with open(tmp, 'wb') as f:
        done = 0
        while done < size:
            # Each piece starts where the pattern is at offset `done`.
            start = done % BIG_PERIOD
            n = min(1024 * 1024, size - done)
            piece = block[start:start + n]
            f.write(piece)
            h.update(piece)
            done += n
    os.replace(tmp, path)
    digest = h.hexdigest()
    sha_tmp = '%s.tmp.%d' % (sha_path, os.getpid())
    with open(sha_tmp, 'w') as f:
        f.write('%s  %s\n' % (digest, name))
    os.replace(sha_tmp, sha_path)
    return path, digest


def big_file():
    """The 64 MiB pattern file; returns (path, sha256 hex)."""
    return pattern_file(BIG_NAME, BIG_SIZE)


def big_sha256():
    return big_file()[1]


def write(docroot):
    """Write the document roots: DOCROOT/www (www.google.com) and
    DOCROOT/web (web.example.test)."""
    www = os.path.join(docroot, 'www')
    web = os.path.join(docroot, 'web')
    os.makedirs(www, exist_ok=True)
    os.makedirs(web, exist_ok=True)
    with open(os.path.join(www, 'index.html'), 'w') as f:
        f.write(netlab.HOME_PAGE)
    with open(os.path.join(www, 'chunked.shtml'), 'w') as f:
        f.write(CHUNKED_PARTS[0] + '<!--# include file="part2.html" -->' + CHUNKED_PARTS[2])
    with open(os.path.join(www, 'part2.html'), 'w') as f:
        f.write(CHUNKED_PARTS[1])
    with open(os.path.join(web, 'final'), 'w') as f:
        f.write(FINAL_BODY)
    big, _ = big_file()
    link = os.path.join(www, BIG_NAME)
    if not os.path.exists(link):
        os.symlink(big, link)


def nginx_servers(docroot):
    """The nginx `server` blocks for the document roots under DOCROOT."""
    hops = ''.join('        location = /hop%d { return 302 /%s; }\n'
                   % (i, 'hop%d' % (i + 1) if i < HOPS else '') for i in range(1, HOPS + 1))
    return '''    server {
        listen %(google)s:80;
        server_name www.google.com google.com;
        root %(root)s/www;
        index index.html;
        default_type text/html;
        types { text/html html shtml; application/octet-stream bin; }
        # A relative Location, as many servers send them.
        location = /redirect1 { absolute_redirect off; return 301 /redirect2; }
        location = /redirect2 { return 302 http://%(web)s/final; }
%(hops)s        location = /loop1 { return 302 /loop2; }
        location = /loop2 { return 302 /loop1; }
        location = /see-other { return 303 /; }
        # Server-side includes: no Content-Length, so HTTP/1.1 gets chunks.
        location ~ \\.shtml$ { ssi on; }
    }
    server {
        listen %(web_addr)s:80;
        server_name %(web)s;
        root %(root)s/web;
        default_type text/plain;
    }
''' % {'google': GOOGLE_ADDR, 'web': WEB_HOST, 'web_addr': WEB_HOST_ADDR, 'root': docroot, 'hops': hops}


def nginx_conf(labdir, docroot):
    """A whole nginx.conf for one lab (its temp dir LABDIR)."""
    return '''# nginx for one Pigeon netlab: fetch's web (generated by webroot.py)
daemon off;
user root;
worker_processes 1;
pid %(dir)s/nginx.pid;
error_log %(dir)s/nginx-error.log info;
events { worker_connections 64; }
http {
    access_log %(dir)s/nginx-access.log;
    client_body_temp_path %(dir)s/nginx-tmp/body;
    proxy_temp_path %(dir)s/nginx-tmp/proxy;
    fastcgi_temp_path %(dir)s/nginx-tmp/fastcgi;
    uwsgi_temp_path %(dir)s/nginx-tmp/uwsgi;
    scgi_temp_path %(dir)s/nginx-tmp/scgi;
    sendfile on;
%(servers)s}
''' % {'dir': labdir, 'servers': nginx_servers(docroot)}


def start(lab):
    """Serve the web from nginx inside a started Netlab made with
    http=False; it stops with the lab."""
    docroot = lab.path('web-root')
    write(docroot)
    os.makedirs(lab.path('nginx-tmp'), exist_ok=True)
    conf = lab.path('nginx.conf')
    with open(conf, 'w') as f:
        f.write(nginx_conf(lab.dir, docroot))
    proc = lab._spawn('nginx', ['nginx', '-p', lab.dir, '-c', conf,
                                '-e', lab.path('nginx-error.log')])

    def probe():
        lab.connect((GOOGLE_ADDR, 80), timeout=0.5).close()
        lab.connect((WEB_HOST_ADDR, 80), timeout=0.5).close()
    lab._wait_ready('nginx', proc, probe)
