"""The shell at its prompt, typed at as a person types: commands, line
editing, history, the line-length limit and ';' lists."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BACKSPACE, BELL, CTRL_C, CTRL_H, CTRL_U, DOWN, LEFT,  # noqa: E402
                     PROMPT_RE, UP, Guest)

COMMANDS = ['help', 'echo', 'uptime', 'mem', 'ps', 'clear', 'reboot', 'poweroff',
            'panic-test']
LINE_MAX = 256


def booted():
    g = Guest()
    g.start()
    g.wait_prompt()
    return g


def lines(text):
    return [line for line in text.split('\n') if line.strip()]


def test_help_lists_commands():
    with booted() as g:
        out = g.run('help')
        for cmd in COMMANDS:
            # Each command on a line of its own, with a summary after it.
            assert re.search(r'(?m)^\s*%s\b\s*\S' % re.escape(cmd), out), \
                'help does not list %s with a summary:\n%s' % (cmd, out)


def test_help_name():
    with booted() as g:
        out = g.run('help echo')
        assert 'echo' in out and 'unknown' not in out, 'help echo: %r' % out
        out = g.run('help uptime')
        assert 'uptime' in out and 'unknown' not in out, 'help uptime: %r' % out


def test_echo():
    with booted() as g:
        out = g.run('echo hello')
        assert out == 'hello\n', 'echo hello: %r' % out
        out = g.run('echo hello pigeon world')
        assert out == 'hello pigeon world\n', 'echo with three words: %r' % out


def test_uptime_mem_ps():
    with booted() as g:
        out = g.run('uptime')
        assert re.match(r'up ', out), 'uptime: %r' % out
        out = g.run('mem')
        assert 'heap' in out and re.search(r'pages|KiB', out), 'mem: %r' % out
        out = g.run('ps')
        for thread in ('idle', 'shell'):
            assert re.search(r'\b%s\b' % thread, out), 'ps has no %s: %r' % (thread, out)


def test_unknown_command():
    with booted() as g:
        out = g.run('frobnicate now')
        assert out == 'unknown command: frobnicate (try help)\n', 'got %r' % out


def test_backspace_fixes_typo():
    with booted() as g:
        g.type('ecXo' + BACKSPACE + BACKSPACE + 'ho fixed')
        assert g.enter() == 'fixed\n'
        g.type('echo oops' + CTRL_H * 4 + 'ctrl-h')
        assert g.enter() == 'ctrl-h\n'


def test_left_arrow_inserts_in_middle():
    with booted() as g:
        g.type('echo wrld' + LEFT * 3 + 'o')
        assert g.enter() == 'world\n'


def test_ctrl_u_clears_line():
    with booted() as g:
        g.type('garbage in' + CTRL_U + 'echo clean')
        assert g.enter() == 'clean\n'


def test_ctrl_c_cancels_line():
    with booted() as g:
        g.type('echo nope')
        start = g.mark()
        g.send(CTRL_C)
        g.expect(r'\^C\r*\n' + PROMPT_RE, start=start)
        assert g.run('echo after') == 'after\n'
        assert not re.search(r'(?m)^nope', g.output.replace('\r', '')), \
            'the cancelled line ran'


def test_history_up_recalls():
    with booted() as g:
        assert g.run('echo first') == 'first\n'
        assert g.run('echo second') == 'second\n'
        start = g.mark()
        g.type(UP + UP)
        g.expect(r'echo first', start=start)
        start = g.mark()
        g.type(DOWN)
        g.expect(r'echo second', start=start)
        assert g.enter() == 'second\n', 'up, up, down did not recall the second command'
        g.type(UP)
        assert g.enter() == 'second\n', 'up did not recall the last command'
        assert g.run('echo third') == 'third\n'
        g.type(UP)
        assert g.enter() == 'third\n', 'up did not recall the newest command'


def test_long_line_refused():
    with booted() as g:
        start = g.mark()
        g.type('echo ' + 'a' * 300)
        typed = g.since(start)
        assert BELL in typed, 'no bell when the line grew past %d characters' % LINE_MAX
        echoed = typed.count('a')
        assert echoed <= LINE_MAX, '%d characters accepted into a %d-character line' % (
            echoed, LINE_MAX)
        g.enter(timeout=60)        # runs (or refuses) what was accepted
        assert g.run('echo still alive') == 'still alive\n'


def test_semicolon_list():
    with booted() as g:
        out = g.run('echo one; echo two;echo three')
        assert lines(out) == ['one', 'two', 'three'], 'got %r' % out


def test_ps2_keyboard():
    """Keys typed on the PS/2 keyboard (QEMU's sendkey) reach the same
    shell as the serial console: `echo hi` typed there runs."""
    with Guest(monitor=True) as g:
        g.wait_prompt()
        start = g.mark()
        for key in ['e', 'c', 'h', 'o', 'spc', 'h', 'i', 'ret']:
            g.hmp('sendkey ' + key)
        g.expect(r'echo hi\r*\n+hi\r*\n', start=start)
        g.wait_prompt()
        # Shift and arrows too: "ECHO" cannot run, and Up recalls "echo hi".
        start = g.mark()
        for key in ['shift-a', 'ret']:
            g.hmp('sendkey ' + key)
        g.expect(r'unknown command: A \(try help', start=start)
        g.wait_prompt()
        start = g.mark()
        for key in ['up', 'up', 'ret']:
            g.hmp('sendkey ' + key)
        g.expect(r'\nhi\r*\n', start=start)
