#!/usr/bin/python3
"""Pigeon in the netlab, on this terminal: `make tap`, `make demo`.

    interactive.py tap  [--iso] [--kernel build/pigeon.elf] [--append '...']
    interactive.py demo
    interactive.py demo --topo story   (two Pigeons: tests/netlab/story_demo.py)

Brings up a TAP netlab (DHCP, DNS that knows www.google.com, the test web
server), runs QEMU inside it with the serial console on this terminal, and
tears everything down when QEMU exits. While it runs, the namespace's name
is in build/netlab.ns, so `make netlab-shell` can open a shell inside it
(to ping Pigeon, or watch with tcpdump -i ptap0).
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, HERE)
import impair  # noqa: E402
import netlab  # noqa: E402
import story  # noqa: E402
import story_demo  # noqa: E402

NS_FILE = os.path.join(ROOT, 'build', 'netlab.ns')
DEMO = 'autorun="dhcp -s -w; fetch -v www.google.com; poweroff"'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('mode', choices=['tap', 'demo'])
    ap.add_argument('--kernel', default=os.path.join(ROOT, 'build', 'pigeon.elf'))
    ap.add_argument('--append', default=None)
    ap.add_argument('--accel', default=os.environ.get('ACCEL', 'tcg'))
    ap.add_argument('--mem', default=os.environ.get('MEM', '128'))
    ap.add_argument('--topo', choices=['plain', 'story'], default=os.environ.get('TOPO') or 'plain',
                    help='plain: one namespace; story: home router (NAT), three routers, resolver, server')
    ap.add_argument('--pcap', default=None,
                    help="connect COM2 (Pigeon's `capture`) to this file")
    ap.add_argument('--pcap-host', default=None,
                    help="QEMU's own capture of the NIC (filter-dump) to this file")
    a = ap.parse_args()
    if a.mode == 'demo' and a.topo == 'story':
        return story_demo.main()    # both ends of one fetch
    append = a.append if a.append is not None else (DEMO if a.mode == 'demo' else '')
    lab = story.Story() if a.topo == 'story' else netlab.Netlab('tap', http=True)
    if a.topo != 'story':
        lab = impair.maybe_impaired(lab)   # PROFILE=lossy-2 [SEED=3]: the relay between QEMU and the TAP
    with lab:
        os.makedirs(os.path.dirname(NS_FILE), exist_ok=True)
        with open(NS_FILE, 'w') as f:
            f.write(lab.name + '\n')
        print('netlab %s%s: Pigeon gets 192.0.2.100-199 by DHCP; www.google.com is %s; '
              '`make netlab-shell` opens a shell beside it. Quit: poweroff, or Ctrl-A X.'
              % (lab.name, ' (story: the home router\'s namespace)' if a.topo == 'story' else '',
                 netlab.WEB_ADDR), flush=True)
        argv = ['qemu-system-x86_64', '-accel', a.accel, '-m', a.mem, '-no-reboot', '-display', 'none',
                '-chardev', 'stdio,id=con,mux=on,signal=off', '-serial', 'chardev:con',
                '-mon', 'chardev=con,mode=readline',
                '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-kernel', a.kernel]
        if append:
            argv += ['-append', append]
        argv += lab.qemu_args()
        if a.pcap:
            argv += ['-serial', 'file:' + os.path.abspath(a.pcap)]
        if a.pcap_host:
            argv += ['-object', 'filter-dump,id=f0,netdev=net0,file=' + os.path.abspath(a.pcap_host)]
        try:
            status = subprocess.call(lab.wrap(argv))
        finally:
            try:
                os.unlink(NS_FILE)
            except FileNotFoundError:
                pass
    return status


if __name__ == '__main__':
    sys.exit(main())
