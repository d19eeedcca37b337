#!/usr/bin/python3
"""Capture a real run of Pigeon for the fuzz seeds (tests/fuzz/gen_corpus.py).

Boots build/pigeon.elf in a netlab (slirp, inside the netlab's private
network namespace: no packet leaves it) with fetch's whole web (nginx and
tests/netlab/badhttpd.py), and has QEMU dump every frame of the guest's NIC
(-object filter-dump) while the guest gets its DHCP lease, resolves names,
pings and fetches pages. slirp's addresses are the fuzz world's
(tests/fuzz/fuzz_world.h), so the frames mean something there.

    /usr/bin/python3 tests/fuzz/capture.py OUT.pcap     (root; make first)
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'qemu'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'netlab'))
from harness import Guest                                # noqa: E402
import badhttpd                                          # noqa: E402
import netlab                                            # noqa: E402
import webroot                                           # noqa: E402

BAD = badhttpd.DEFAULT_ADDR
COMMANDS = [
    'host www.google.com',
    'host www.example.test',
    'host multi.example.test',
    'host nx.example.test',
    'ping -c 2 10.0.2.2',
    'fetch www.google.com',
    'fetch http://www.google.com/redirect1',
    'fetch -i www.google.com/chunked.shtml',
    'fetch http://%s:%d/' % (BAD, badhttpd.PORT_CHUNKED),
    'fetch http://%s:%d/' % (BAD, badhttpd.PORT_INTERIM),
    'fetch http://%s:%d/' % (BAD, badhttpd.PORT_CLOSE),
    'fetch http://%s:%d/' % (BAD, badhttpd.PORT_REFUSED),
    'dhcp',
]


class DumpingLab:
    """The lab as Guest sees it, with a frame dump added to QEMU's NIC."""

    def __init__(self, lab, pcap):
        self.lab, self.pcap = lab, pcap

    def __getattr__(self, name):
        return getattr(self.lab, name)

    def qemu_args(self, *a, **kw):
        return self.lab.qemu_args(*a, **kw) + [
            '-object', 'filter-dump,id=fuzzdump,netdev=net0,file=' + self.pcap]


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    pcap = os.path.abspath(argv[1])
    lab = netlab.Netlab('user', http=False)
    lab.start()
    try:
        webroot.start(lab)
        badhttpd.start(lab)
        with Guest(net=DumpingLab(lab, pcap)) as g:
            g.wait_prompt()
            g.expect(r'eth0: (\S+)/\d+ gw \S+ dns \S+ \(dhcp', timeout=60)
            for cmd in COMMANDS:
                out = g.run(cmd, timeout=60)
                print('%s: %d bytes of output' % (cmd, len(out)))
    finally:
        lab.close()
    print('wrote', pcap)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
