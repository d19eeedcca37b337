"""The three guests of `make bench`, each booted once per call on the same
machine (TCG, -m MEM, -device e1000) in a started netlab, returning a dict
of figures (seconds, Mbit/s, CPU s/MiB; None when not measured).

Pigeon is driven at its prompt; the Linux guest's /init and iPXE's served
script print `BENCH ...` markers that the host times as they arrive.
"""

import os
import re
import time

from harness import KERNEL, Guest       # tests/qemu (bench.py sets the path)
import netlab
import webroot

QEMU = 'qemu-system-x86_64'
BIG = webroot.BIG_NAME
BIG_MIB = webroot.BIG_SIZE / (1024 * 1024)
CLK_TCK = os.sysconf('SC_CLK_TCK')
IPXE_ROM = '/usr/lib/ipxe/qemu/efi-e1000.rom'
BENCH_PORT = 8080               # the bench's own nginx (ms-stamped log)
LEASE_RE = r'eth0: (\S+)/\d+ gw \S+ dns \S+ \(dhcp'
SUMMARY_RE = r'(\d+) OK, (\d+) bytes in (\d+(?:\.\d)?) (m?s) \('
STEP_TIMEOUT = 120
HTTPD_PAGE = '/hello.txt'       # Pigeon's built-in page; the Linux guest serves the same bytes
WRK = ['wrk', '-t', '2', '-c', '50', '--timeout', '5s']


def wrk(lab, url, seconds):
    """wrk from the lab's namespace against url: (requests/s, its report).
    Any Non-2xx answer fails the run; socket errors are reported (a server
    with a bounded number of connections may refuse some of the 50)."""
    proc = lab.run(WRK + ['-d', '%ds' % seconds, url], timeout=seconds + 60)
    m = re.search(r'Requests/sec:\s+([\d.]+)', proc.stdout)
    if proc.returncode != 0 or not m or 'Non-2xx' in proc.stdout:
        raise RuntimeError('wrk against %s: %s %s' % (url, proc.stdout[-400:], proc.stderr[-200:]))
    return float(m.group(1)), proc.stdout


def qemu_pid(guest):
    """The QEMU process behind a Guest (setpriv and ip netns exec exec it)."""
    pid = guest.proc.pid
    with open('/proc/%d/comm' % pid) as f:
        if f.read().startswith('qemu'):
            return pid
    for p in os.listdir('/proc'):
        try:
            with open('/proc/%s/stat' % p) as f:
                fields = f.read().rsplit(')', 1)[1].split()
            with open('/proc/%s/comm' % p) as f:
                if int(fields[1]) == pid and f.read().startswith('qemu'):
                    return int(p)
        except (OSError, ValueError, IndexError):
            pass
    return pid


def cpu_seconds(pid):
    """utime + stime of PID so far, in seconds (proc(5) fields 14 and 15)."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def since_start(guest):
    return time.monotonic() - guest._t0


def mbit(nbytes, seconds):
    return nbytes * 8 / 1e6 / seconds if seconds > 0 else None


def base_argv(memory):
    return [QEMU, '-accel', 'tcg', '-m', str(memory), '-display', 'none',
            '-serial', 'stdio', '-monitor', 'none', '-no-reboot']


# --- Pigeon -------------------------------------------------------------------

def _summary_seconds(m):
    value = float(m.group(3))
    return value / 1000 if m.group(4) == 'ms' else value


def pigeon(lab, memory=256, idle_seconds=0, big=True, httpd_seconds=0):
    """Boot Pigeon, wait for the lease, look up, fetch the home page and
    (if big) the 64 MiB file with its SHA-256, read `mem`; then (if
    httpd_seconds, TAP only) serve with httpd under wrk."""
    r = {}
    with Guest(net=lab, memory=memory) as g:
        pid = qemu_pid(g)
        g.wait_prompt()
        r['ready'] = g.boot_seconds
        addr = g.expect(LEASE_RE, timeout=60).group(1)
        r['bound'] = since_start(g)
        g.wait_prompt()
        if idle_seconds:
            c0 = cpu_seconds(pid)
            time.sleep(idle_seconds)
            r['idle_cpu_pct'] = 100 * (cpu_seconds(pid) - c0) / idle_seconds
        out = g.run('host -v www.google.com', timeout=STEP_TIMEOUT)
        m = re.search(r';; \d+ quer(?:y|ies) sent, (\d+) ms', out)
        r['dns'] = int(m.group(1)) / 1000 if m else None
        g.run('dns -f')                 # the page fetch pays for its lookup too
        g.type('fetch www.google.com')
        t0 = time.monotonic()
        g.send('\r')
        m = g.expect(SUMMARY_RE, timeout=STEP_TIMEOUT)
        r['page_wall'] = time.monotonic() - t0
        r['page'] = _summary_seconds(m)
        g.wait_prompt()
        if big:
            # Timed like the peers' `wget -O /dev/null`: no hashing on the
            # timed run (SHA-256 under TCG costs more than the transfer);
            # a second, untimed fetch proves the bytes with --sha256.
            g.run('dns -f')
            c0 = cpu_seconds(pid)
            out = g.run('fetch -o null http://www.google.com/' + BIG, timeout=STEP_TIMEOUT * 3)
            c1 = cpu_seconds(pid)
            m = re.search(SUMMARY_RE, out)
            if not m or int(m.group(2)) != webroot.BIG_SIZE:
                raise RuntimeError('pigeon: bad 64 MiB fetch: %r' % out[-300:])
            r['big_mbit'] = mbit(webroot.BIG_SIZE, _summary_seconds(m))
            r['cpu_per_mib'] = (c1 - c0) / BIG_MIB
            out = g.run('fetch -o null --sha256 http://www.google.com/' + BIG, timeout=STEP_TIMEOUT * 3)
            sha = re.search(r'sha256 ([0-9a-f]{64})', out)
            if not sha or sha.group(1) != webroot.big_sha256():
                raise RuntimeError('pigeon: 64 MiB fetch has the wrong SHA-256: %r' % out[-300:])
        out = g.run('mem')
        m = re.search(r'used\s+(\d+) KiB', out)
        r['mem_used_mib'] = int(m.group(1)) / 1024 if m else None
        m = re.search(r'peak\s+(\d+) KiB', out)
        r['heap_peak_kib'] = int(m.group(1)) if m else None
        if httpd_seconds and lab.mode == 'tap':
            g.run('httpd 80')
            r['httpd_rps'], _ = wrk(lab, 'http://%s%s' % (addr, HTTPD_PAGE), httpd_seconds)
            out = g.run('httpd')
            if not re.search(r'\(0 errors\)', out):
                raise RuntimeError('pigeon: httpd counted errors under wrk: %r' % out)
        g.type('poweroff')
        g.send('\r')
        g.wait_exit()
    return r


def pigeon_journey_ok(lab, memory):
    """Does boot + DHCP + the home page work with -m MEMORY?"""
    try:
        with Guest(net=lab, memory=memory) as g:
            g.wait_prompt(timeout=30)
            g.expect(LEASE_RE, timeout=20)
            g.wait_prompt()
            out = g.run('fetch www.google.com', timeout=30)
            return '<title>Google</title>' in out and re.search(SUMMARY_RE, out)
    except (AssertionError, OSError):       # GuestError is an AssertionError
        return False


def smallest_memory(lab, low=8, high=128):
    """Bisect the smallest -m (MiB) with which the journey works."""
    if not pigeon_journey_ok(lab, high):
        return None
    if pigeon_journey_ok(lab, low):
        return low
    while high - low > 1:
        mid = (low + high) // 2
        if pigeon_journey_ok(lab, mid):
            high = mid
        else:
            low = mid
    return high


def image_size():
    """(text + data bytes of build/pigeon.elf's loaded sections, file size)."""
    import subprocess
    out = subprocess.run(['size', KERNEL], capture_output=True, text=True).stdout
    fields = out.splitlines()[1].split()
    return int(fields[0]) + int(fields[1]), os.path.getsize(KERNEL)


# --- Linux --------------------------------------------------------------------

def _marker(g, name, timeout=STEP_TIMEOUT):
    """Wait for a BENCH marker; return (its status word or None, host time)."""
    m = g.expect(r'BENCH %s(?: (\S+))?\r?\n' % re.escape(name), timeout=timeout)
    return m.group(1), time.monotonic()


def linux(lab, kernel, initrd, memory=256):
    r = {}
    argv = base_argv(memory) + ['-kernel', kernel, '-initrd', initrd,
                                '-append', 'console=ttyS0 quiet'] + lab.qemu_args()
    with Guest(net=lab, argv=argv) as g:
        pid = qemu_pid(g)
        _marker(g, 'ready')
        r['ready'] = since_start(g)
        _marker(g, 'bound', timeout=60)
        r['bound'] = since_start(g)
        _, t0 = _marker(g, 'dns-start')
        rc, t1 = _marker(g, 'dns-end')
        r['dns'] = t1 - t0 if rc == '0' else None
        _, t0 = _marker(g, 'page-start')
        rc, t1 = _marker(g, 'page-end')
        r['page_wall'] = r['page'] = t1 - t0 if rc == '0' else None
        _, t0 = _marker(g, 'big-start')
        c0 = cpu_seconds(pid)
        rc, t1 = _marker(g, 'big-end', timeout=STEP_TIMEOUT * 3)
        c1 = cpu_seconds(pid)
        if rc != '0' or not _served_whole(lab.path('nginx-access.log'), '/' + BIG):
            raise RuntimeError('linux: the 64 MiB wget failed (%s)' % rc)
        r['big_mbit'] = mbit(webroot.BIG_SIZE, t1 - t0)
        r['cpu_per_mib'] = (c1 - c0) / BIG_MIB
        _marker(g, 'done')
        g.wait_exit(timeout=60)
    return r


def linux_httpd(lab, kernel, initrd, seconds, memory=256):
    """The Linux guest as a server: busybox httpd under the same wrk."""
    argv = base_argv(memory) + ['-kernel', kernel, '-initrd', initrd,
                                '-append', 'console=ttyS0 quiet bench=httpd'] + lab.qemu_args()
    with Guest(net=lab, argv=argv) as g:
        addr, _ = _marker(g, 'httpd', timeout=90)
        rps, _ = wrk(lab, 'http://%s%s' % (addr, HTTPD_PAGE), seconds)
    return {'httpd_rps': rps}


def _served_whole(log_path, path):
    """Did nginx's last request for PATH end 200 with the whole file?"""
    try:
        with open(log_path) as f:
            lines = [ln for ln in f if '"GET %s ' % path in ln]
    except OSError:
        return False
    return bool(lines) and re.search(r'" 200 %d ' % webroot.BIG_SIZE, lines[-1]) is not None


# --- iPXE ---------------------------------------------------------------------

IPXE_SCRIPT = '''#!ipxe
echo BENCH page-start
imgfetch http://www.google.com:%(port)d/home.html || echo BENCH page-end 1
echo BENCH page-end 0
echo BENCH big-start
imgfetch http://www.google.com:%(port)d/%(big)s || echo BENCH big-end 1
echo BENCH big-end 0
'''


def bench_web(lab):
    """A second nginx in LAB on WEB_ADDR:8080 serving the home page, the big
    file and iPXE's script, logging times in ms; and for TAP labs made with
    dhcp=False, a DHCP server that hands iPXE its script (option 175 marks
    iPXE's requests). Both stop with the lab."""
    root = lab.path('bench-root')
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, 'home.html'), 'w') as f:
        f.write(netlab.HOME_PAGE)
    with open(os.path.join(root, 'bench.ipxe'), 'w') as f:
        f.write(IPXE_SCRIPT % {'port': BENCH_PORT, 'big': BIG})
    os.symlink(webroot.big_file()[0], os.path.join(root, BIG))
    tmp = lab.path('bench-nginx')
    os.makedirs(tmp, exist_ok=True)
    conf = os.path.join(tmp, 'nginx.conf')
    with open(conf, 'w') as f:
        f.write('''daemon off;
user root;
worker_processes 1;
pid %(tmp)s/nginx.pid;
error_log %(tmp)s/error.log;
events { worker_connections 64; }
http {
    log_format bench '$msec $request_time $status $body_bytes_sent "$request"';
    access_log %(tmp)s/access.log bench;
    client_body_temp_path %(tmp)s/body;
    proxy_temp_path %(tmp)s/proxy;
    fastcgi_temp_path %(tmp)s/fastcgi;
    uwsgi_temp_path %(tmp)s/uwsgi;
    scgi_temp_path %(tmp)s/scgi;
    sendfile on;
    server {
        listen %(addr)s:%(port)d;
        root %(root)s;
        default_type application/octet-stream;
    }
}
''' % {'tmp': tmp, 'addr': netlab.WEB_ADDR, 'port': BENCH_PORT, 'root': root})
    proc = lab._spawn('bench-nginx', ['nginx', '-p', tmp, '-c', conf,
                                      '-e', os.path.join(tmp, 'error.log')])
    lab._wait_ready('bench-nginx', proc,
                    lambda: lab.connect((netlab.WEB_ADDR, BENCH_PORT), timeout=0.5).close())
    if lab.mode == 'tap' and not lab.dhcp:
        dconf = lab.path('bench-dhcp.conf')
        with open(dconf, 'w') as f:
            f.write('\n'.join([
                'port=0', 'no-resolv', 'no-hosts', 'no-ping', 'bind-interfaces',
                'interface=' + netlab.TAP_NAME, 'user=root', 'group=root',
                'pid-file=' + lab.path('bench-dhcp.pid'),
                'dhcp-leasefile=' + lab.path('bench-dhcp.leases'),
                'dhcp-range=%s,%s,%s,%s' % (netlab.DHCP_FIRST, netlab.DHCP_LAST,
                                            netlab.DHCP_NETMASK, netlab.DHCP_LEASE_TIME),
                'dhcp-option=option:router,' + netlab.GATEWAY,
                'dhcp-option=option:dns-server,' + netlab.GATEWAY,
                'dhcp-authoritative',
                'dhcp-match=set:ipxe,175',
                'dhcp-boot=tag:ipxe,' + ipxe_script_url(),
            ]) + '\n')
        lab._spawn('bench-dhcp', ['dnsmasq', '--conf-file=' + dconf, '--keep-in-foreground'])
        time.sleep(0.3)


def ipxe_script_url():
    return 'http://www.google.com:%d/bench.ipxe' % BENCH_PORT


def ipxe(lab, memory=256):
    r = {'dns': None}
    if lab.mode == 'tap':
        net = lab.qemu_args()
        net[-1] += ',romfile=' + IPXE_ROM
    else:
        net = ['-netdev', 'user,id=net0,bootfile=' + ipxe_script_url(),
               '-device', 'e1000,netdev=net0,mac=%s,romfile=%s' % (netlab.GUEST_MAC, IPXE_ROM)]
    # graphics=off makes SeaBIOS copy the option ROM's text console to serial.
    argv = base_argv(memory) + ['-machine', 'graphics=off', '-boot', 'n'] + net
    with Guest(net=lab, argv=argv) as g:
        pid = qemu_pid(g)
        g.expect(r'iPXE initialising devices\.\.\.ok', timeout=60)
        r['ready'] = since_start(g)
        g.expect(r'Configuring \(net0 [^)]*\)[. ]*ok', timeout=90)
        r['bound'] = since_start(g)
        _, t0 = _marker(g, 'page-start')
        rc, t1 = _marker(g, 'page-end')
        r['page_wall'] = r['page'] = t1 - t0 if rc == '0' else None
        _, t0 = _marker(g, 'big-start')
        c0 = cpu_seconds(pid)
        rc, t1 = _marker(g, 'big-end', timeout=STEP_TIMEOUT * 3)
        c1 = cpu_seconds(pid)
        log = lab.path('bench-nginx/access.log')
        if rc != '0' or not _bench_served_whole(log):
            raise RuntimeError('ipxe: the 64 MiB imgfetch failed (%s)' % rc)
        r['big_mbit'] = mbit(webroot.BIG_SIZE, t1 - t0)
        r['cpu_per_mib'] = (c1 - c0) / BIG_MIB
    return r


def _bench_served_whole(log_path):
    with open(log_path) as f:
        lines = [ln.split() for ln in f if '/%s ' % BIG in ln]
    return bool(lines) and lines[-1][2] == '200' and int(lines[-1][3]) == webroot.BIG_SIZE
