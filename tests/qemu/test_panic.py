"""Faults: each panic-test kind ends in a full report and a halted CPU, not a
triple fault (with -no-reboot, a triple fault would make QEMU exit)."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Guest, GuestError  # noqa: E402

HEX16 = r'0x[0-9a-fA-F]{16}'
REGISTERS = ['RAX', 'RBX', 'RCX', 'RDX', 'RSI', 'RDI', 'RBP', 'R8', 'R9', 'R10',
             'R11', 'R12', 'R13', 'R14', 'R15']
PF_ADDRESS = '0x00000dead0000000'

# kind -> (title regex, does the CPU push an error code?)
KINDS = {
    'pf': (r'Page Fault \(#PF, vector 14\)', True),
    'ud': (r'Invalid Opcode \(#UD, vector 6\)', False),
    'de': (r'Divide Error \(#DE, vector 0\)', False),
    'gp': (r'General Protection \(#GP, vector 13\)', True),
    'stack': (r'Double Fault \(#DF, vector 8\)', True),
    'panic': (r'panic-test', False),
}


def check_panic(kind):
    title, has_error_code = KINDS[kind]
    with Guest(monitor=True) as g:
        g.wait_prompt()
        g.type('panic-test ' + kind)
        start = g.mark()
        g.send('\r')
        head = g.expect(r'\*\*\* PANIC: (.*?) \*\*\*\r*\n', start=start)
        report = g.expect(r'(?s)(.*?)\*\*\* system halted \*\*\*').group(1)
        report = report.replace('\r', '')
        what = head.group(1)
        assert re.fullmatch(title + r'.*', what), \
            'panic title %r does not match %r' % (what, title)
        code = re.search(r'error code (0x[0-9a-fA-F]+)', what)
        if has_error_code:
            assert code, 'no error code in %r' % what
        else:
            # The CPU pushes none, so the report must not invent one.
            assert not code, 'an error code for an exception without one: %r' % what
        if kind == 'panic':
            # panic() reports where it was called from, not a CPU frame.
            assert re.search(r'RIP ' + HEX16, report) or 'backtrace' in report, \
                'panic report has neither RIP nor backtrace'
        else:
            rip = re.search(r'RIP (' + HEX16 + r')', report)
            assert rip, 'no RIP in the report'
            frame0 = re.search(r'#0 (' + HEX16 + r')', report)
            assert frame0 and frame0.group(1).lower() == rip.group(1).lower(), \
                'backtrace #0 is not the faulting RIP %s' % rip.group(1)
            for reg in ('RSP', 'RFLAGS', 'CS', 'SS', 'CR3') + tuple(REGISTERS):
                assert re.search(r'\b%s\s+(0x)?[0-9a-fA-F]+\b' % reg, report), \
                    'register %s missing from the report' % reg
            cr2 = re.search(r'CR2 (0x[0-9a-fA-F]+)', report)
            assert cr2, 'no CR2 in the report'
            if kind == 'stack':
                assert 'stack overflow: CR2 is in the guard page below thread shell' in report, report
            if kind == 'pf':
                assert cr2.group(1).lower() == PF_ADDRESS, \
                    'CR2 is %s, expected %s' % (cr2.group(1), PF_ADDRESS)
        assert re.search(r'backtrace:\n\s+#0 ' + HEX16, report), 'no backtrace lines'
        assert re.search(r'thread: shell', report), 'the report does not name the thread'
        # Halted, not rebooted: QEMU still runs and its CPU sits in HLT.
        if not g.alive():
            raise g.failure('QEMU exited after the panic (triple fault?)')
        halted = wait_halted(g)
        assert halted, 'the CPU is not halted after the report'
        assert g.alive(), 'QEMU exited after the panic (triple fault?)'


def wait_halted(g, tries=200):
    """Ask the monitor until the vCPU shows HLT=1 (it gets there within a few
    instructions of the last character; each answer is an event)."""
    for _ in range(tries):
        regs = g.hmp('info registers')
        if re.search(r'\bHLT=1\b', regs):
            return True
        if not g.alive():
            raise GuestError('QEMU exited after the panic')
    return False


def test_page_fault():
    check_panic('pf')


def test_invalid_opcode():
    check_panic('ud')


def test_divide_error():
    check_panic('de')


def test_general_protection():
    check_panic('gp')


def test_panic_call():
    check_panic('panic')


def test_stack_overflow():
    """Recursion into the guard page: the #PF cannot be delivered on the
    broken stack, the double fault runs on its IST stack and says why."""
    check_panic('stack')
