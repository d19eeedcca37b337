#!/usr/bin/python3
"""`make soak`, the server's part: wrk with 50 connections for 30 s against
Pigeon's httpd over TAP (tests/qemu/test_story.py httpd_load: no error
answers, no crash, connections, netbufs and heap back at their baseline
afterwards, and httpd serves again).

    /usr/bin/python3 tests/qemu/soak_httpd.py [--seconds 30] [--connections 50]
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness          # noqa: E402
import test_story       # noqa: E402


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seconds', type=int, default=30)
    ap.add_argument('--connections', type=int, default=50)
    a = ap.parse_args(argv)
    harness.netlab.install_signal_cleanup()
    try:
        rps, report = test_story.httpd_load(a.seconds, a.connections)
    except AssertionError as e:
        print('FAIL soak.httpd: %s' % str(e).split('\n')[0])
        return 1
    print(report.rstrip())
    print('PASS soak.httpd: wrk -c %d -d %ds: %.0f requests/s, pools back at baseline'
          % (a.connections, a.seconds, rps))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
