#!/usr/bin/python3
"""Run Pigeon's QEMU tests: one line per test, PASS or FAIL.

    /usr/bin/python3 tests/qemu/run.py [-k PATTERN] [-j N] [--list]

Tests are the functions test_* of tests/qemu/test_*.py (or a module's TESTS
list), named qemu.<file>.<function> without the test_ prefixes, e.g.
qemu.boot.direct_boot. Each runs in a child process of its own (so each owns
its QEMU and its cleanup), at most 2 at a time. A failure prints the reason on
its FAIL line and the evidence (serial log tail, QEMU command) indented below;
the whole serial log of every test is in build/qemu-logs/<name>.log (or in
$PIGEON_QEMU_LOGDIR). The exit status is non-zero if any test failed.
"""

import argparse
import fnmatch
import glob
import importlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness                                              # noqa: E402

TEST_TIMEOUT = 600.0        # per test, before PIGEON_TIMEOUT_SCALE
TERM_GRACE = 15.0           # after SIGTERM, before SIGKILL
PARALLEL = 2


def shown(path):
    """path relative to the repository when it is inside it."""
    rel = os.path.relpath(path, harness.ROOT)
    return path if rel.startswith('..') else rel


CASE_RE = re.compile(r'^(PASS|FAIL) (attack\..*)$')


def discover():
    """[(name, module, function)] in file order, then definition order."""
    tests = []
    for path in sorted(glob.glob(os.path.join(HERE, 'test_*.py'))):
        modname = os.path.basename(path)[:-3]
        module = importlib.import_module(modname)
        fns = getattr(module, 'TESTS', None)
        if fns is None:
            fns = [v for k, v in vars(module).items()
                   if k.startswith('test_') and callable(v)]
        for fn in fns:
            name = 'qemu.%s.%s' % (modname[len('test_'):],
                                   fn.__name__[len('test_'):] if fn.__name__.startswith('test_')
                                   else fn.__name__)
            tests.append((name, modname, fn.__name__))
    return tests


def selected(name, patterns):
    if not patterns:
        return True
    return any(p in name or fnmatch.fnmatchcase(name, p) for p in patterns)


# --- the child: runs one test ------------------------------------------------

def child(modname, fnname, result_path):
    harness.netlab.install_signal_cleanup()
    result = {'ok': False, 'reason': 'did not finish', 'details': ''}
    try:
        fn = getattr(importlib.import_module(modname), fnname)
        fn()
        result = {'ok': True}
    except BaseException as e:      # reported, whatever it was
        result = {'ok': False}
        text = str(e).strip()
        if isinstance(e, AssertionError) and text:
            reason, _, details = text.partition('\n')
            if not isinstance(e, harness.GuestError):
                # Plain assert: say where, and the serial tail is in the log.
                frame = traceback.extract_tb(e.__traceback__)[-1]
                details = '%s:%d: %s' % (os.path.basename(frame.filename),
                                         frame.lineno, frame.line)
        elif isinstance(e, AssertionError):
            frame = traceback.extract_tb(e.__traceback__)[-1]
            reason = 'assertion failed: %s' % frame.line
            details = '%s:%d' % (os.path.basename(frame.filename), frame.lineno)
        elif isinstance(e, (KeyboardInterrupt, SystemExit)):
            reason, details = 'interrupted', ''
        else:
            reason = '%s: %s' % (type(e).__name__, text.split('\n')[0])
            details = ''.join(traceback.format_exception(e)).rstrip()
        result['reason'] = reason
        result['details'] = details
    with open(result_path, 'w') as f:
        json.dump(result, f)
    return 0 if result['ok'] else 1


# --- the parent: schedules children and reports --------------------------------

class Runner:
    def __init__(self, tests, jobs, logdir):
        self.tests = list(tests)
        self.jobs = jobs
        self.logdir = logdir
        self.lock = threading.Lock()
        self.running = {}           # name -> Popen
        self.failed = 0
        self.stopping = False

    def log_tail(self, path):
        try:
            with open(path, encoding='latin-1') as f:
                text = f.read()
        except FileNotFoundError:
            return ''
        return harness.tail(text)

    def report(self, name, result, stdout, log_path, seconds):
        lines = []
        if result.get('ok'):
            lines.append('PASS %s' % name)
        else:
            lines.append('FAIL %s: %s' % (name, result.get('reason', '?')))
        notes = [line for line in stdout.splitlines() if line.strip()]
        # A test made of named cases (the attack groups print one
        # "PASS attack.T2.options" line each) reports each case as a result
        # of its own, so the summary counts the catalog tests.
        lines += [CASE_RE.sub(r'\1 qemu.\2', line.strip()) if CASE_RE.match(line.strip()) else '    ' + line
                  for line in notes]
        if not result.get('ok'):
            details = result.get('details', '')
            if details:
                lines += ['    ' + line for line in details.splitlines()]
            if 'serial log' not in details:
                tail = self.log_tail(log_path)
                if tail.strip():
                    lines.append('    serial log (last %d lines) in %s:'
                                 % (harness.TAIL_LINES, shown(log_path)))
                    lines += ['    | ' + line for line in tail.split('\n')]
            lines.append('    (%.1f s; full log %s)' % (seconds, shown(log_path)))
        with self.lock:
            if not result.get('ok'):
                self.failed += 1
            print('\n'.join(lines), flush=True)

    def run_one(self, name, modname, fnname):
        log_path = os.path.join(self.logdir, name + '.log')
        try:
            os.unlink(log_path)
        except FileNotFoundError:
            pass
        fd, result_path = tempfile.mkstemp(prefix='pigeon-result-')
        os.close(fd)
        env = dict(os.environ, PIGEON_QEMU_LOG=log_path, PYTHONUNBUFFERED='1')
        t0 = time.monotonic()
        limit = TEST_TIMEOUT * harness.timeout_scale()
        with self.lock:
            if self.stopping:
                os.unlink(result_path)
                return
            proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), '--child',
                                     modname, fnname, result_path],
                                    cwd=harness.ROOT, env=env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, start_new_session=True)
            self.running[name] = proc
        try:
            stdout, _ = proc.communicate(timeout=limit)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
            self.terminate(proc)
            stdout, _ = proc.communicate()
        with self.lock:
            self.running.pop(name, None)
        try:
            with open(result_path) as f:
                result = json.load(f)
        except (OSError, ValueError):
            result = {'ok': False, 'reason': 'test process died (status %s)' % proc.returncode,
                      'details': stdout.strip()[-3000:]}
            stdout = ''
        finally:
            os.unlink(result_path)
        if timed_out:
            result = {'ok': False, 'reason': 'test took longer than %.0f s' % limit,
                      'details': ''}
        self.report(name, result, stdout, log_path, time.monotonic() - t0)

    @staticmethod
    def terminate(proc):
        """SIGTERM the child (it cleans up QEMU and netlab), then SIGKILL."""
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(TERM_GRACE)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stop_all(self):
        with self.lock:
            self.stopping = True
            procs = list(self.running.values())
        for proc in procs:
            self.terminate(proc)

    def run(self):
        queue = list(self.tests)
        qlock = threading.Lock()

        def worker():
            while True:
                with qlock:
                    if not queue or self.stopping:
                        return
                    item = queue.pop(0)
                self.run_one(*item)

        workers = [threading.Thread(target=worker, daemon=True)
                   for _ in range(min(self.jobs, len(queue)) or 1)]
        for w in workers:
            w.start()
        for w in workers:
            while w.is_alive():
                w.join(0.5)


def main(argv):
    if len(argv) == 5 and argv[1] == '--child':
        return child(argv[2], argv[3], argv[4])
    ap = argparse.ArgumentParser(description='Run the QEMU tests.')
    ap.add_argument('-k', action='append', default=[], metavar='PATTERN',
                    help='run tests whose name contains PATTERN or matches it as a glob')
    ap.add_argument('-j', type=int, default=PARALLEL, help='tests at once (default 2)')
    ap.add_argument('--list', action='store_true', help='list the tests and exit')
    args = ap.parse_args(argv[1:])

    tests = [t for t in discover() if selected(t[0], args.k)]
    if args.list:
        for name, _, _ in tests:
            print(name)
        return 0
    if not tests:
        print('FAIL qemu.selection: no test matches %s' % ' '.join(args.k))
        return 1
    logdir = os.environ.get('PIGEON_QEMU_LOGDIR') or os.path.join(harness.BUILD, 'qemu-logs')
    os.makedirs(logdir, exist_ok=True)
    print('# qemu tests: %d, accelerator %s, %d at a time, logs in %s'
          % (len(tests), harness.accelerator(), max(args.j, 1),
             shown(logdir)), flush=True)

    runner = Runner(tests, max(args.j, 1), logdir)

    def on_signal(signum, frame):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        runner.run()
    except KeyboardInterrupt:
        print('# interrupted: stopping running tests', flush=True)
        runner.stop_all()
        return 130
    return 1 if runner.failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
