"""The QEMU test harness: boot Pigeon and talk to it over its serial console.

    from harness import Guest
    with Guest() as g:                    # direct boot, no network
        g.wait_prompt()
        assert g.run('echo hi') == 'hi\\n'

A Guest owns one QEMU process (in its own process group) and kills it on
close, on exceptions and on SIGTERM/SIGINT of the test. A reader thread keeps
the whole serial output (Guest.output) and mirrors it to a log file when
PIGEON_QEMU_LOG names one (tests/qemu/run.py sets it per test). Every wait is
for an event (a regex on the serial output, or QEMU's exit) with a generous
deadline for TCG on a loaded machine; PIGEON_TIMEOUT_SCALE multiplies them all.

Standard library only; run with /usr/bin/python3.
"""

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'netlab'))
import netlab                                               # noqa: E402

# PIGEON_BUILD points at another build directory (e.g. make BUILD=/tmp/b).
BUILD = os.path.join(ROOT, os.environ.get('PIGEON_BUILD', 'build'))
KERNEL = os.path.join(BUILD, 'pigeon.elf')
ISO = os.path.join(BUILD, 'pigeon.iso')
QEMU = 'qemu-system-x86_64'

PROMPT = 'pigeon> '
PROMPT_RE = r'pigeon> '
BANNER_RE = r'(?m)^Pigeon '
HALTED_RE = re.compile(r'\*\*\* system halted \*\*\*')

# Keys as a terminal sends them.
ENTER = '\r'
BACKSPACE = '\x7f'
CTRL_H = '\x08'
CTRL_C = '\x03'
CTRL_U = '\x15'
UP = '\x1b[A'
DOWN = '\x1b[B'
RIGHT = '\x1b[C'
LEFT = '\x1b[D'
BELL = '\x07'

# Deadlines in seconds, before PIGEON_TIMEOUT_SCALE.
BOOT_TIMEOUT = 60.0
EXPECT_TIMEOUT = 30.0
ECHO_TIMEOUT = 15.0
EXIT_TIMEOUT = 30.0
KILL_GRACE = 5.0
TAIL_LINES = 40


def timeout_scale():
    try:
        return max(float(os.environ.get('PIGEON_TIMEOUT_SCALE', '1')), 0.01)
    except ValueError:
        return 1.0


def accelerator():
    """'tcg' unless ACCEL=kvm (opt-in: KVM here is slow and fragile)."""
    return 'kvm' if os.environ.get('ACCEL', '').strip().lower() == 'kvm' else 'tcg'


def note(msg):
    """A line of information for the report (run.py shows it indented)."""
    print(msg, flush=True)


def split_keys(text):
    """Split text into keys: one character, or one whole ESC [ ... sequence."""
    keys, i = [], 0
    while i < len(text):
        m = re.match(r'\x1b\[[0-9;]*[@-~]', text[i:])
        n = m.end() if m else 1
        keys.append(text[i:i + n])
        i += n
    return keys


def tail(text, lines=TAIL_LINES):
    """The last lines of a serial log, '\\r' removed, control bytes shown."""
    text = text.replace('\r', '')
    text = re.sub(r'[\x00-\x08\x0b-\x1f\x7f]', lambda m: '<%02x>' % ord(m.group()), text)
    return '\n'.join(text.split('\n')[-lines:])


class GuestError(AssertionError):
    """A test failure from the guest; the message carries the evidence."""


class GuestTimeout(GuestError):
    pass


class Guest:
    """One QEMU running Pigeon.

    boot:    'direct' (-kernel build/pigeon.elf, with -append) or 'iso'
             (-cdrom build/pigeon.iso -boot d; append is not possible).
    append:  the kernel command line, e.g. 'autorun="uptime; poweroff"'.
    net:     None (no NIC at all), or a netlab.Netlab (started by the Guest
             and closed with it if not already started).
    monitor: True for an HMP monitor on a unix socket (Guest.hmp).
    extra:   more QEMU arguments.
    argv:    replace the whole command (the harness still owns the process).
    """

    def __init__(self, boot='direct', append=None, net=None, monitor=False,
                 extra=(), memory=128, argv=None, log_path=None):
        if boot not in ('direct', 'iso'):
            raise ValueError("boot must be 'direct' or 'iso'")
        if boot == 'iso' and append is not None:
            raise ValueError('an ISO boot takes its command line from grub.cfg')
        self.boot = boot
        self.append = append
        self.net = net
        self.want_monitor = monitor
        self.extra = list(extra)
        self.memory = memory
        self.argv_override = argv
        self.log_path = log_path or os.environ.get('PIGEON_QEMU_LOG')
        self.scale = timeout_scale()
        self.accel = accelerator()
        self.proc = None
        self.argv = None
        self.exit_status = None
        self.boot_seconds = None
        self._owns_net = False
        self._tmp = None
        self._mon_path = None
        self._mon = None
        self._out = ''          # all serial output, decoded as latin-1
        self._err = ''          # QEMU's stderr
        self._pos = 0           # expect() searches from here
        self._eof = False
        self._cond = threading.Condition()
        self._threads = []
        self._log = None
        self._t0 = None

    # -- command line --

    def qemu_argv(self):
        """The QEMU command this guest runs (before the netns wrapper)."""
        if self.argv_override is not None:
            return list(self.argv_override)
        argv = [QEMU, '-accel', self.accel, '-m', str(self.memory),
                '-display', 'none', '-serial', 'stdio', '-no-reboot',
                '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04']
        if self._mon_path:
            argv += ['-monitor', 'unix:%s,server,nowait' % self._mon_path]
        else:
            argv += ['-monitor', 'none']
        if self.boot == 'direct':
            argv += ['-kernel', KERNEL]
            if self.append is not None:
                argv += ['-append', self.append]
        else:
            argv += ['-cdrom', ISO, '-boot', 'd']
        if self.net is None:
            argv += ['-nic', 'none']    # else QEMU adds slirp outside any netns
        else:
            argv += self.net.qemu_args()
        return argv + self.extra

    def command_line(self):
        return shlex.join(self.argv or self.qemu_argv())

    # -- lifecycle --

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def start(self):
        """Start QEMU (once: a started Guest is returned as it is)."""
        if self.proc is not None:
            return self
        netlab.install_signal_cleanup()
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def _start(self):
        image = KERNEL if self.boot == 'direct' else ISO
        if self.argv_override is None and not os.path.exists(image):
            raise GuestError('%s not found (run make)' % os.path.relpath(image, ROOT))
        self._tmp = tempfile.mkdtemp(prefix='pigeon-guest-')
        if self.want_monitor:
            self._mon_path = os.path.join(self._tmp, 'monitor.sock')
        if self.net is not None and not self.net.started:
            self.net.start()
            self._owns_net = True
        argv = self.qemu_argv()
        if self.net is not None:
            argv = self.net.wrap(argv)
        # If the test process dies without cleaning up, QEMU dies with it.
        if shutil.which('setpriv'):
            argv = ['setpriv', '--pdeathsig', 'KILL', '--'] + argv
        self.argv = argv
        if self.log_path:
            os.makedirs(os.path.dirname(os.path.abspath(self.log_path)), exist_ok=True)
            self._log = open(self.log_path, 'a', encoding='latin-1')
            self._log.write('### qemu (accel %s): %s\n' % (self.accel, self.command_line()))
            self._log.flush()
        self._t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     bufsize=0, start_new_session=True)
        for name, stream, sink in (('serial', self.proc.stdout, '_out'),
                                   ('stderr', self.proc.stderr, '_err')):
            t = threading.Thread(target=self._reader, args=(stream, sink),
                                 name='qemu-' + name, daemon=True)
            t.start()
            self._threads.append(t)

    def _reader(self, stream, sink):
        fd = stream.fileno()
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b''
            text = data.decode('latin-1')
            with self._cond:
                if data:
                    setattr(self, sink, getattr(self, sink) + text)
                    if self._log and sink == '_out':
                        self._log.write(text)
                        self._log.flush()
                elif sink == '_out':
                    self._eof = True
                self._cond.notify_all()
            if not data:
                return

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def close(self):
        """Kill QEMU (its whole process group) and release everything."""
        with netlab.cleaning():
            self._close()

    def _close(self):
        if self.proc is not None and self.proc.poll() is None:
            for sig, grace in ((signal.SIGTERM, KILL_GRACE), (signal.SIGKILL, None)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(grace)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self.proc is not None:
            if self.exit_status is None:
                self.exit_status = self.proc.returncode
            for t in self._threads:
                t.join(5)
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                try:
                    stream.close()
                except OSError:
                    pass
        if self._mon is not None:
            self._mon.close()
            self._mon = None
        if self._log is not None:
            with self._cond:
                if self._err.strip():
                    self._log.write('\n### qemu stderr:\n' + self._err)
                self._log.write('\n### end (exit status %s)\n' % self.exit_status)
                self._log.close()
                self._log = None
        if self._owns_net:
            self.net.close()
            self._owns_net = False
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    # -- reading --

    @property
    def output(self):
        """Everything the guest has written to the serial port so far."""
        with self._cond:
            return self._out

    def mark(self):
        """A position in the output, for since() and expect(start=...)."""
        with self._cond:
            return len(self._out)

    def since(self, mark):
        with self._cond:
            return self._out[mark:]

    def failure(self, what, exc=GuestError):
        """An exception carrying the serial log tail and the QEMU command."""
        with self._cond:
            out, err = self._out, self._err
        msg = '%s\n  qemu: %s\n  serial log (last %d lines):\n%s' % (
            what, self.command_line(), TAIL_LINES,
            '\n'.join('    | ' + line for line in tail(out).split('\n')))
        if err.strip():
            msg += '\n  qemu stderr:\n' + '\n'.join(
                '    ! ' + line for line in err.strip().split('\n')[-10:])
        return exc(msg)

    def expect(self, pattern, timeout=EXPECT_TIMEOUT, start=None):
        """Wait until pattern (regex) matches the output after the cursor.

        Returns the match (on the whole output string) and moves the cursor
        past it. start= searches from that mark instead of the cursor.
        Raises GuestTimeout on timeout, GuestError if QEMU exits first or, at
        once, if the guest halts after a panic (a report then the end of
        the story) unless the pattern matched before that."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        limit = timeout * self.scale
        deadline = time.monotonic() + limit
        with self._cond:
            pos = self._pos if start is None else start
            while True:
                m = rx.search(self._out, pos)
                if m:
                    self._pos = m.end()
                    return m
                if HALTED_RE.search(self._out, pos):
                    raise self.failure('the guest panicked while waiting for %r'
                                       % rx.pattern)
                if self._eof:
                    status = self.proc.wait()
                    raise self.failure('QEMU exited (status %d) while waiting for %r'
                                       % (status, rx.pattern))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self.failure('timed out after %.0f s waiting for %r'
                                       % (limit, rx.pattern), GuestTimeout)
                self._cond.wait(left)

    def wait_prompt(self, timeout=None):
        """Wait for the next prompt; the first one also times the boot."""
        first = self.boot_seconds is None
        m = self.expect(PROMPT_RE, BOOT_TIMEOUT if first and timeout is None
                        else timeout or EXPECT_TIMEOUT)
        if first:
            self.boot_seconds = time.monotonic() - self._t0
        return m

    def wait_exit(self, timeout=EXIT_TIMEOUT):
        """Wait for QEMU to exit by itself; return its exit status.
        (isa-debug-exit: the guest writing v to port 0xf4 gives (v<<1)|1.)"""
        limit = timeout * self.scale
        try:
            self.exit_status = self.proc.wait(limit)
        except subprocess.TimeoutExpired:
            raise self.failure('QEMU still running after %.0f s' % limit, GuestTimeout)
        for t in self._threads:
            t.join(5)
        return self.exit_status

    # -- writing --

    def send(self, data):
        """Write raw bytes (or latin-1 text) to the serial port, as a paste."""
        if isinstance(data, str):
            data = data.encode('latin-1')
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self.failure('QEMU is gone; could not send %r' % data)

    def type(self, text, echo=True):
        """Type text key by key as a person would: after each printable key,
        wait until the guest has answered it (its echo, or a bell when it
        refuses it) before the next. Escape sequences and control keys are
        sent whole without waiting (they may legitimately print nothing)."""
        for key in split_keys(text):
            start = self.mark()
            self.send(key)
            if echo and len(key) == 1 and ' ' <= key <= '~':
                rx = re.compile('[%s\x07]' % re.escape(key))
                deadline = time.monotonic() + ECHO_TIMEOUT * self.scale
                with self._cond:
                    while not rx.search(self._out, start):
                        left = deadline - time.monotonic()
                        if self._eof or left <= 0:
                            raise self.failure('no echo for key %r' % key,
                                               GuestTimeout)
                        self._cond.wait(left)

    def enter(self, timeout=EXPECT_TIMEOUT):
        """Press Enter and wait for the next prompt; return the output in
        between ('\\r' removed, starting after the echoed newline)."""
        start = self.mark()
        self.send(ENTER)
        # The echo of Enter is the first newline after this point; earlier
        # keys' redraws (history, Ctrl-U) print no newline, so a prompt
        # they redraw is never taken for the next one.
        nl = self.expect(r'\n', timeout, start=start)
        prompt = self.expect(PROMPT_RE, timeout, start=nl.end())
        with self._cond:
            text = self._out[nl.end():prompt.start()]
        return text.replace('\r', '')

    def run(self, cmd, timeout=EXPECT_TIMEOUT):
        """Type cmd, press Enter, wait for the next prompt; return the output."""
        self.type(cmd)
        return self.enter(timeout)

    # -- monitor --

    def hmp(self, command, timeout=EXPECT_TIMEOUT):
        """Run one HMP command (e.g. 'set_link net0 off'); return its output."""
        if not self._mon_path:
            raise GuestError('Guest(monitor=True) is needed for hmp()')
        limit = timeout * self.scale
        if self._mon is None:
            deadline = time.monotonic() + limit
            while True:
                try:
                    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    sock.connect(self._mon_path)
                    break
                except OSError:
                    sock.close()
                    if not self.alive() or time.monotonic() > deadline:
                        raise self.failure('cannot connect to the QEMU monitor')
                    time.sleep(0.05)    # QEMU has not made the socket yet
            sock.settimeout(limit)
            self._mon = sock
            self._hmp_read()
        self._mon.sendall(command.encode() + b'\n')
        text = self._hmp_read()
        text = re.sub(r'\x1b\[[0-9;]*[A-Za-z]', '', text).replace('\r', '')
        lines = text.split('\n')
        # The monitor echoes the command line first.
        if lines and command in lines[0]:
            lines = lines[1:]
        return '\n'.join(lines).strip('\n')

    def _hmp_read(self):
        data = b''
        while not data.endswith(b'(qemu) '):
            try:
                chunk = self._mon.recv(65536)
            except socket.timeout:
                raise self.failure('QEMU monitor did not answer', GuestTimeout)
            if not chunk:
                raise self.failure('QEMU monitor closed')
            data += chunk
        return data[:-len(b'(qemu) ')].decode('latin-1')
