#!/usr/bin/python3
"""The impairment matrix (robustness catalog E1): for every fault profile
of tests/netlab/profiles.py, N fetches of a 10 MiB file and of the home
page with `fetch -o null --sha256`, over TAP so that Pigeon's own TCP is
what recovers, with the profile applied both ways by the netlab relay
(--via relay) and/or by Pigeon's own injector (--via netem).

    /usr/bin/python3 tests/bench/matrix.py [--profiles all|P0,lossy-2,...]
        [--via relay|netem|relay,netem] [--runs 10] [--home-runs 10]
        [--size-mib 10] [--seed 1] [--out build/bench/matrix.md]

Per profile and path, one boot: the lease, a clean fetch of each file (the
clean time the bounds are written in: measured in the same boot, so a
busy machine moves bound and result together), then the runs, each with
the profile armed afresh (the relay's SIGUSR1, or `netem eth0 profile
NAME seed S`). Checks, per profile, path and file:
  - zero crashes: no panic on the console, the shell answers after each run;
  - sha256 intact in every completed run;
  - at least the profile's share (95%; P11 90%) of the runs complete within
    its bound; where the catalog asks for none (P8-30, P12), every run ends
    cleanly: success, a `fetch:` error, or (past our deadline) Ctrl-C
    answered by the prompt;
  - corrupt (P7): a checksum drop counter in `netstat -s` above zero;
  - afterwards, with the impairment off, a clean fetch matches (G4).
Prints a Markdown table to stdout and to the --out file; exit status 1 if
any verdict is FAIL.

Time: the default (10 runs of each file, every profile, relay only) took
18 minutes on this 2-core machine (P9 long-fat, 29 s a run, and the
blackouts are most of it); --via relay,netem about twice that. The
catalog's 20 runs: --runs 20 (about 35 minutes per path).
"""

import argparse
import hashlib
import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [os.path.join(ROOT, 'tests', 'qemu'), os.path.join(ROOT, 'tests', 'netlab')]

import harness                  # noqa: E402
import impair                   # noqa: E402
import netlab                   # noqa: E402
import profiles                 # noqa: E402
import webroot                  # noqa: E402

BUILD = os.path.join(ROOT, os.environ.get('PIGEON_BUILD', 'build'))
LEASE_RE = r'eth0: (192\.0\.2\.\d+)/24 gw 192\.0\.2\.1'
FETCH_PATIENCE_S = 60           # fetch -T: see fetch_once
SUMMARY_RE = re.compile(r'(\d{3})[^\n,]*, (\d+) bytes in ([\d.]+) (ms|s) ')
SHA_RE = re.compile(r'sha256 ([0-9a-f]{64})')
ERROR_RE = re.compile(r'(?m)^fetch: (.*)$')
HOST = 'http://www.google.com'
# A run with no time bound is stopped (Ctrl-C) after this long.
UNBOUNDED_DEADLINE_S = 45.0
# A bounded run is given this multiple of its bound before it is stopped.
DEADLINE_FACTOR = 2.0


def log(msg):
    print(msg, flush=True)


class File:
    """One thing to fetch: its label, path on www.google.com, size, sha256."""

    def __init__(self, label, path, size, sha, local=None):
        self.label, self.path, self.size, self.sha, self.local = label, path, size, sha, local

    @property
    def url(self):
        return HOST + self.path


def home_file():
    body = netlab.HOME_PAGE.encode()
    return File('home', '/', len(body), hashlib.sha256(body).hexdigest())


def pattern_file(size):
    """A file of size bytes of webroot's pattern, made once under
    build/netlab/; a File for it."""
    name = 'matrix-%d.bin' % size
    path, digest = webroot.pattern_file(name, size)
    return File(label_for(size), '/' + name, size, digest, path)


def label_for(size):
    return '%dMiB' % (size >> 20) if size % (1 << 20) == 0 else '%dKiB' % (size >> 10)


def publish(lab, f):
    """Serve f from the lab's nginx (a link in its document root)."""
    if f.local:
        link = os.path.join(lab.path('web-root'), 'www', f.path.lstrip('/'))
        if not os.path.exists(link):
            os.symlink(f.local, link)


class Run:
    """The outcome of one fetch: 'ok', 'corrupt' (sha256 differs), 'error'
    (a clean `fetch:` failure), 'stopped' (Ctrl-C at our deadline, prompt
    back), 'hang' (no prompt even then), 'crash' (panic or QEMU gone)."""

    def __init__(self, outcome, secs=None, detail=''):
        self.outcome, self.secs, self.detail = outcome, secs, detail

    def __repr__(self):
        return '%s%s%s' % (self.outcome, ' %.3f s' % self.secs if self.secs is not None else '',
                           ' (%s)' % self.detail if self.detail else '')


def fetch_once(g, f, deadline_s):
    """One `fetch -o null --sha256 -T 60` of f, stopped after deadline_s.
    -T 60: fetch's own 10 s limits (connecting, and between bytes) are
    shorter than four retransmission timeouts in a row (1+2+4+8 s), so
    under bursts they, not the stack, would decide; the matrix measures
    the stack, with the patience a user on a bad link gives it."""
    g.type('fetch -o null --sha256 -T %d %s' % (FETCH_PATIENCE_S, f.url))
    try:
        out = g.enter(timeout=deadline_s)
    except harness.GuestTimeout:
        return stop_fetch(g, deadline_s)
    except harness.GuestError as e:
        return Run('crash', detail=str(e).split('\n')[0])
    return parse_fetch(out, f)


def stop_fetch(g, deadline_s):
    g.send(harness.CTRL_C)
    try:
        g.wait_prompt(timeout=30)
    except harness.GuestError as e:
        return Run('crash' if not g.alive() or harness.HALTED_RE.search(g.output) else 'hang',
                   detail=str(e).split('\n')[0])
    return Run('stopped', detail='still running after %.0f s' % deadline_s)


def parse_fetch(out, f):
    m = SUMMARY_RE.search(out)
    if not m:
        e = ERROR_RE.search(out)
        return Run('error', detail=e.group(1) if e else out.strip()[-120:])
    secs = float(m.group(3)) / (1000.0 if m.group(4) == 'ms' else 1.0)
    sha = SHA_RE.search(out)
    if int(m.group(1)) != 200 or int(m.group(2)) != f.size or not sha or sha.group(1) != f.sha:
        return Run('corrupt', secs, 'status %s, %s bytes, sha256 %s' % (
            m.group(1), m.group(2), sha.group(1)[:16] if sha else 'missing'))
    return Run('ok', secs)


def counters(g):
    """`netstat -s` as {(group, name): value} (rows that are zero absent)."""
    out = g.run('netstat -s', timeout=30)
    found, group = {}, None
    for line in out.split('\n'):
        if line and not line[0].isspace() and line.rstrip().endswith(':'):
            group = line.strip()[:-1]
            continue
        m = re.match(r'^\s+(\w+) (\d+)\s*$', line)
        if m and group:
            found[(group, m.group(1))] = int(m.group(2))
    return found


def checksum_drops(found):
    """The sum of the checksum drop counters, every layer."""
    return sum(v for (group, name), v in found.items() if 'checksum' in name or 'badsum' in name)


class Row:
    """The runs of one profile, path and file, and their verdict."""

    def __init__(self, profile, via, f, clean_s):
        self.profile, self.via, self.file, self.clean_s = profile, via, f, clean_s
        self.bound = profile.bound(f.size, clean_s)
        self.runs = []
        self.problems = []
        self.notes = ''

    def outcomes(self):
        """What the runs that did not complete did, e.g. ['2 error (...)']."""
        out = []
        for kind in ('error', 'stopped', 'corrupt', 'hang', 'crash'):
            these = [r for r in self.runs if r.outcome == kind]
            if these:
                out.append('%d %s (%s)' % (len(these), kind, these[0].detail[:60]))
        return out

    def deadline(self):
        return self.bound * DEADLINE_FACTOR if self.bound else UNBOUNDED_DEADLINE_S

    @property
    def completed(self):
        return [r for r in self.runs if r.outcome == 'ok']

    @property
    def within(self):
        return [r for r in self.completed if self.bound is None or r.secs <= self.bound]

    def verdict(self):
        """(PASS or FAIL, the reasons)."""
        why = list(self.problems)
        n = len(self.runs)
        crashes = [r for r in self.runs if r.outcome in ('crash', 'hang')]
        if crashes:
            why.append('%d crash or hang' % len(crashes))
        bad = [r for r in self.runs if r.outcome == 'corrupt']
        if bad:
            why.append('%d completed with a wrong sha256' % len(bad))
        if n == 0:
            why.append('no runs')
        elif self.profile.need and len(self.within) < self.profile.need * n:
            why.append('%d/%d within the bound, %d%% needed' % (len(self.within), n, self.profile.need * 100))
        return ('FAIL' if why else 'PASS'), why

    def name(self):
        return 'matrix.%s.%s.%s' % (self.profile.id, self.via, self.file.label)


def boot(profile, via, seed, files):
    """boot_once, tried again once if QEMU itself failed to start (it exits
    before Pigeon's banner when, say, the kernel is being rebuilt by a
    `make` beside us): that is no finding about Pigeon."""
    try:
        return boot_once(profile, via, seed, files)
    except harness.GuestError as e:
        if 'QEMU exited' not in str(e) or 'Pigeon ' in str(e):
            raise
        log('  QEMU did not start (%s); once more' % str(e).split('\n')[0])
        return boot_once(profile, via, seed, files)


def boot_once(profile, via, seed, files):
    """A lab (behind the relay when via is relay), nginx serving files,
    Pigeon booted with a lease: (guest, net)."""
    base = netlab.Netlab('tap', http=True)
    net = base
    if via == 'relay':
        net = impair.ImpairedLab(base, seed=seed, profile=profile.name, start_clean=True)
    try:
        net.start()
        for f in files:
            publish(base, f)
        g = harness.Guest(net=net).start()
        try:
            g.wait_prompt()
            g.expect(LEASE_RE, timeout=90)
        except BaseException:
            g.close()
            raise
    except BaseException:
        net.close()
        raise
    return g, net


def clean_time(g, f):
    """Pigeon's time for f without impairment (the best of two: the first
    also fills the ARP and DNS caches)."""
    times = []
    for _ in range(2):
        r = fetch_once(g, f, 120)
        if r.outcome != 'ok':
            raise AssertionError('clean fetch of %s failed before any impairment: %r' % (f.url, r))
        times.append(r.secs)
    return min(times)


def arm(g, net, profile, via, seed):
    if via == 'relay':
        net.arm()
    else:
        out = g.run(profile.netem_command(seed), timeout=30)
        if 'netem loss' not in out:
            raise AssertionError('netem did not take the profile: %r' % out)


def disarm(g, net, via):
    if via == 'relay':
        net.disarm()
    else:
        g.run('netem eth0 off', timeout=30)


def run_profile(profile, via, files, runs, seed):
    """Every run of one profile on one path: a Row per file."""
    rows = []
    g, net = boot(profile, via, seed, [f for f, _ in runs])
    try:
        before = None
        for f, n in runs:
            row = Row(profile, via, f, clean_time(g, f))
            rows.append(row)
            before = before or counters(g)
            for i in range(n):
                arm(g, net, profile, via, seed * 1000 + len(rows) * 100 + i)
                r = fetch_once(g, f, row.deadline())
                row.runs.append(r)
                log('  %s run %d: %r (bound %s)' % (row.name(), i + 1, r,
                                                    '%.1f s' % row.bound if row.bound else 'none'))
                if r.outcome == 'crash':
                    break
                disarm(g, net, via)
                alive = g.run('echo alive', timeout=30)
                if 'alive' not in alive:
                    row.problems.append('shell did not answer after run %d' % (i + 1))
            if any(r.outcome == 'crash' for r in row.runs):
                break
        after_checks(g, net, profile, via, rows, files, before)
    except harness.GuestError as e:
        (rows[-1].problems if rows else []).append('guest: ' + str(e).split('\n')[0])
        if not rows:
            raise
    finally:
        g.close()
        net.close()
    return rows


def after_checks(g, net, profile, via, rows, files, before):
    """P7's checksum counter, P9's retransmissions (on a path that loses
    nothing, any is spurious) and a clean fetch (G4) with the impairment
    off."""
    disarm(g, net, via)
    after = counters(g)
    if profile.name == 'corrupt':
        drops = checksum_drops(after) - checksum_drops(before)
        if drops == 0:
            rows[-1].problems.append('no checksum drop counted under corruption')
        for row in rows:
            row.notes = 'checksum drops %d' % drops
    if profile.name == 'long-fat':
        key = ('tcp', 'retransmits')
        rexmt = after.get(key, 0) - before.get(key, 0)
        if rexmt:
            rows[-1].problems.append('%d retransmissions by Pigeon on a lossless long path' % rexmt)
        for row in rows:
            row.notes = 'Pigeon retransmitted %d' % rexmt
    f = files[0]
    r = fetch_once(g, f, 120)
    if r.outcome != 'ok':
        rows[-1].problems.append('clean fetch after the runs: %r' % r)


def table(rows):
    lines = ['| profile | via | file | runs | completed | within bound | median | bound | verdict |',
             '|---|---|---|---|---|---|---|---|---|']
    for row in rows:
        verdict, why = row.verdict()
        done = row.completed
        med = '%.3f s' % statistics.median(r.secs for r in done) if done else '-'
        bound = '%.1f s' % row.bound if row.bound else 'none (%s)' % row.profile.note.split(':')[0]
        notes = '; '.join(why + row.outcomes() + ([row.notes] if row.notes else []))
        lines.append('| %s %s | %s | %s | %d | %d | %d | %s | %s | %s%s |' % (
            row.profile.id, row.profile.name, row.via, row.file.label, len(row.runs), len(done),
            len(row.within), med, bound, verdict, ': ' + notes if notes else ''))
    return '\n'.join(lines) + '\n'


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--profiles', default='all')
    ap.add_argument('--via', default='relay')
    ap.add_argument('--runs', type=int, default=10, help='fetches of the big file per profile')
    ap.add_argument('--home-runs', type=int, default=None, help='fetches of the home page (default: --runs)')
    ap.add_argument('--size-mib', type=float, default=10)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--out', default=os.path.join(BUILD, 'bench', 'matrix.md'))
    a = ap.parse_args(argv)
    chosen = profiles.PROFILES if a.profiles == 'all' else [profiles.find(n) for n in a.profiles.split(',')]
    vias = a.via.split(',')
    for v in vias:
        if v not in ('relay', 'netem'):
            ap.error('--via takes relay, netem or both, comma-separated')
    big = pattern_file(int(a.size_mib * (1 << 20)))
    home = home_file()
    home_runs = a.runs if a.home_runs is None else a.home_runs
    runs = [(f, n) for f, n in ((big, a.runs), (home, home_runs)) if n > 0]
    rows = []
    t0 = time.monotonic()
    for p in chosen:
        for via in vias:
            log('%s %s via %s' % (p.id, p.name, via))
            try:
                rows += run_profile(p, via, [big, home], runs, a.seed)
            except Exception as e:          # one profile's failure, then the rest
                row = Row(p, via, big, 0.0)
                row.problems.append('%s: %s' % (type(e).__name__, str(e).split('\n')[0]))
                rows.append(row)
    text = table(rows)
    head = '# Impairment matrix (E1)\n\n%d profile(s), via %s, %d + %d runs each, %.0f s in all.\n\n' % (
        len(chosen), a.via, a.runs, home_runs, time.monotonic() - t0)
    print('\n' + head + text, flush=True)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, 'w') as f:
        f.write(head + text)
    failed = 0
    for row in rows:
        verdict, why = row.verdict()
        failed += verdict == 'FAIL'
        print('%s %s%s' % (verdict, row.name(), ': ' + '; '.join(why) if why else ''), flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
