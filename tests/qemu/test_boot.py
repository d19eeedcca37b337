"""Boot: both loaders reach the prompt, and autorun drives Pigeon to poweroff."""

import os
import re
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BANNER_RE, Guest, KERNEL, ROOT, accelerator, note  # noqa: E402
import netlab                                                            # noqa: E402

AUTORUN = 'autorun="uptime; mem; ps; poweroff"'


def check_autorun_output(g):
    """The script's three results, each after its echoed command line."""
    g.expect(r'pigeon> uptime\r*\n')
    g.expect(r'(?m)^up ')
    g.expect(r'pigeon> mem\r*\n')
    m = g.expect(r'(?s)(.*?)pigeon> ps\r*\n')
    mem = m.group(1)
    assert 'heap' in mem, 'mem output does not mention the heap: %r' % mem
    assert re.search(r'pages|KiB', mem), 'mem output shows no pages/KiB: %r' % mem
    m = g.expect(r'(?s)(.*?)pigeon> poweroff')
    ps = m.group(1)
    for thread in ('idle', 'shell'):
        assert re.search(r'\b%s\b' % thread, ps), 'ps lists no %s thread: %r' % (thread, ps)


def test_direct_boot():
    with Guest() as g:
        g.expect(BANNER_RE, timeout=60)
        g.wait_prompt()
        note('direct boot reached the prompt in %.2f s (accel %s)'
             % (g.boot_seconds, g.accel))


def test_iso_boot():
    with Guest(boot='iso') as g:
        g.expect(BANNER_RE, timeout=120)
        g.wait_prompt(timeout=120)
        note('ISO (SeaBIOS + GRUB) boot reached the prompt in %.2f s' % g.boot_seconds)


def test_autorun_poweroff():
    with Guest(append=AUTORUN) as g:
        check_autorun_output(g)
        status = g.wait_exit()
        assert status == 0, 'QEMU exited with %d after poweroff, not 0' % status


def test_autorun_literal_command():
    # The check, typed the way a person types it into a shell: the
    # single and double quotes must reach the kernel command line intact.
    cmd = ('%s -accel %s -m 128 -display none -monitor none -serial stdio '
           '-no-reboot -nic none -kernel %s '
           "-append 'autorun=\"uptime; mem; ps; poweroff\"'"
           % ('qemu-system-x86_64', accelerator(), shlex.quote(os.path.relpath(KERNEL, ROOT))))
    assert os.path.exists(KERNEL), '%s not found (run make)' % KERNEL
    with Guest(argv=['/bin/sh', '-c', 'exec ' + cmd]) as g:
        check_autorun_output(g)
        status = g.wait_exit()
        assert status == 0, 'QEMU exited with %d after poweroff, not 0' % status


def test_boot_with_e1000_on_tap():
    # Pigeon with a NIC on the netlab's TAP still boots, and QEMU holds the
    # TAP: the namespace sees the link's carrier come up.
    with Guest(net=netlab.Netlab('tap')) as g:
        g.wait_prompt()
        link = g.net.run(['ip', 'link', 'show', 'dev', netlab.TAP_NAME]).stdout
        assert 'LOWER_UP' in link, 'TAP carrier is down while QEMU runs: %s' % link
        assert 'echo' in g.run('help')


def test_boot_with_e1000_on_slirp():
    with Guest(net=netlab.Netlab('user')) as g:
        g.wait_prompt()
        assert 'echo' in g.run('help')
