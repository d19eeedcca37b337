#!/usr/bin/python3
"""`make bench`: Pigeon against a Linux guest and iPXE on the same QEMU
machine (TCG, -m 256, -device e1000), in the netlab, over TAP and slirp.

    /usr/bin/python3 tests/bench/bench.py [--runs N] [--guests pigeon,linux,ipxe]
    /usr/bin/python3 tests/bench/bench.py --quick     # make test: does it work?

Guests are interleaved run by run (run 1: Pigeon, Linux, iPXE on TAP then
slirp; run 2: ...), so a busy moment of the shared machine hits all of them.
Writes BUILD/bench/results.md, results.json and throughput.png
(--quick: under BUILD/bench/quick/).

--quick boots Pigeon once per backend without the 64 MiB file, idle and
memory measurements, and checks the table is written: under a minute.
Everything it starts (namespaces, dnsmasq, nginx, QEMU) is stopped on exit,
failure and Ctrl-C (netlab's and the harness's context managers).
"""

import argparse
import os
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [HERE, os.path.join(ROOT, 'tests', 'qemu'), os.path.join(ROOT, 'tests', 'netlab')]

import harness                  # noqa: E402
import netlab                   # noqa: E402
import webroot                  # noqa: E402
import guests                   # noqa: E402
import linux_image              # noqa: E402
import report                   # noqa: E402

BUILD = os.path.join(ROOT, os.environ.get('PIGEON_BUILD', 'build'))
OUT = os.path.join(BUILD, 'bench')
IDLE_SECONDS = 10


def log(msg):
    print('bench: ' + msg, flush=True)


def machine():
    cpu = 'unknown CPU'
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    qemu = subprocess.run([guests.QEMU, '--version'], capture_output=True,
                          text=True).stdout.split('\n')[0].split()
    return {'cpu': cpu, 'nproc': os.cpu_count(), 'load': open('/proc/loadavg').read().split()[0],
            'qemu': qemu[3] if len(qemu) > 3 else '?'}


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--guests', default=','.join(report.GUESTS))
    ap.add_argument('--backends', default='tap,user')
    ap.add_argument('--quick', action='store_true',
                    help='one Pigeon run per backend, no 64 MiB, no bisection')
    ap.add_argument('--no-memory-bisect', action='store_true')
    ap.add_argument('--httpd-seconds', type=int, default=10,
                    help='wrk run against each guest\'s web server (TAP), per run; 0: none')
    args = ap.parse_args(argv)
    args.guests = [g for g in args.guests.split(',') if g]
    args.backends = [b for b in args.backends.split(',') if b]
    if args.quick:
        args.runs, args.guests, args.no_memory_bisect = 1, ['pigeon'], True
        args.httpd_seconds = min(args.httpd_seconds, 2)
    return args


def one(name, lab, args, run, linux_files):
    """Run one guest once on LAB; return its figures or None on failure."""
    t0 = time.monotonic()
    try:
        if name == 'pigeon':
            idle = IDLE_SECONDS if (lab.mode == 'tap' and not args.quick) else 0
            r = guests.pigeon(lab, idle_seconds=idle, big=not args.quick,
                              httpd_seconds=args.httpd_seconds)
        elif name == 'linux':
            r = guests.linux(lab, *linux_files)
            if args.httpd_seconds and lab.mode == 'tap':
                r.update(guests.linux_httpd(lab, *linux_files, args.httpd_seconds))
        else:
            r = guests.ipxe(lab)
    except (AssertionError, RuntimeError, OSError, ValueError) as e:
        log('%s on %s, run %d FAILED: %s' % (name, lab.mode, run, str(e).split('\n')[0]))
        if os.environ.get('BENCH_DEBUG'):
            traceback.print_exc()
        return None
    log('%s on %s, run %d: %s (%.1f s)' % (
        name, lab.mode, run, ', '.join('%s=%.4g' % (k, v) for k, v in sorted(r.items())
                                      if v is not None), time.monotonic() - t0))
    return r


def main(argv):
    args = parse_args(argv)
    meta = machine()
    meta['runs'] = args.runs
    log('machine: %s, %d cores, load %s; %d run(s) of %s on %s' % (
        meta['cpu'], meta['nproc'], meta['load'], args.runs, ','.join(args.guests),
        ','.join(args.backends)))
    if not os.path.exists(harness.KERNEL):
        log('%s not found: run make first' % harness.KERNEL)
        return 1
    webroot.big_file()
    linux_files = None
    notes = []
    if 'linux' in args.guests:
        linux_files = linux_image.build(BUILD, webroot.BIG_NAME)
    runs = {g: {b: [] for b in args.backends} for g in args.guests}
    failures = 0
    extra = []
    labs = {}
    try:
        for b in args.backends:
            # One lab per backend for the whole bench. The TAP lab's DHCP is
            # the bench's own dnsmasq, which also hands iPXE its script.
            labs[b] = netlab.Netlab(b, http=True, dhcp=('ipxe' not in args.guests))
            labs[b].start()
            guests.bench_web(labs[b])
        for run in range(1, args.runs + 1):
            for name in args.guests:
                for b in args.backends:
                    r = one(name, labs[b], args, run, linux_files)
                    if r is None:
                        failures += 1
                    else:
                        runs[name][b].append(r)
        if 'pigeon' in args.guests:
            text, size = guests.image_size()
            extra.append(('kernel image, text+data (`size build/pigeon.elf`)',
                          '%d bytes (%.0f KiB)' % (text, text / 1024)))
            extra.append(('kernel image, file size', '%d bytes (%.0f KiB)' % (size, size / 1024)))
            for key, label, unit, _ in report.PIGEON_ONLY:
                s = report.summarize([r.get(key) for b in args.backends
                                      for r in runs['pigeon'][b]])
                extra.append(('%s (%s)' % (label, unit), report._cell(s)))
            if not args.no_memory_bisect and 'tap' in labs:
                log('bisecting the smallest -m for boot + DHCP + home page (TAP)')
                m = guests.smallest_memory(labs['tap'])
                extra.append(('smallest `-m` for boot + DHCP + home page (TAP)',
                              '%s MiB' % m if m else 'failed even at 128 MiB'))
    finally:
        with netlab.cleaning():
            for lab in labs.values():
                lab.close()
    if 'ipxe' in args.guests:
        notes.append('iPXE (Debian ipxe-qemu %s) boots from its e1000 option ROM '
                     '(SeaBIOS, -boot n), gets its script over HTTP from a second nginx '
                     'on :8080 (bench.ipxe); its "ready" is "iPXE initialising devices...ok", '
                     '"bound" the end of its "Configuring" line; the page and 64 MiB times '
                     'are host times between the script\'s echo markers (imgfetch includes '
                     'DNS). iPXE has no lookup command, so no DNS row.' % guests.IPXE_ROM)
    if 'linux' in args.guests:
        notes.append('Linux: Debian linux-image-amd64 + busybox-static initramfs built by '
                     'tests/bench/linux_image.py; figures are host times between /init\'s '
                     'console markers (busybox date has no %N), so DNS and page include '
                     'exec of nslookup/wget; `quiet` console.')
    if args.httpd_seconds:
        notes.append('httpd: `wrk -t 2 -c 50 -d %ds` from the namespace against each guest\'s '
                     'web server on TAP, for /hello.txt (19 bytes): Pigeon\'s `httpd` (at most '
                     '8 connections at once) and busybox `httpd` in the Linux guest (the same '
                     'initramfs booted with bench=httpd).' % args.httpd_seconds)
    if 'pigeon' in args.guests:
        notes.append('Pigeon: DNS is `host -v`\'s own figure; the page and 64 MiB figures are '
                     'fetch\'s summary line after `dns -f` (DNS included); fetch of 64 MiB '
                     'is timed without hashing, like the peers\' wget -O /dev/null; a second, '
                     'untimed fetch --sha256 checks the bytes against webroot.py.')
    if failures:
        notes.append('%d guest run(s) failed and are left out (see the log).' % failures)
    # The quick check writes apart so `make test` never clobbers real results.
    out = os.path.join(OUT, 'quick') if args.quick else OUT
    md, png = report.write(out, runs, args.guests, extra, notes, meta)
    print(md)
    log('wrote %s, results.json%s' % (os.path.join(out, 'results.md'),
                                     ', ' + png if png else ' (no chart: gnuplot missing?)'))
    if args.quick:
        ok = all(runs['pigeon'][b] for b in args.backends) and \
            os.path.exists(os.path.join(out, 'results.md'))
        print('%s bench.quick' % ('PASS' if ok else 'FAIL'))
        return 0 if ok else 1
    return 1 if failures else 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        log('interrupted; everything it started has been stopped')
        sys.exit(130)
