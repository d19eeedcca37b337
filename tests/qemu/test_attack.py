"""The attack testbench (issue 8): scapy owns the TAP in the netlab
namespace and sends crafted frames; Pigeon performs socket calls through
`nettest`. One boot per group; each catalog test prints its own
PASS/FAIL attack.<ID> line, then the global checks G1-G3 run (G4, a clean
fetch, after the last test of a group). Helpers live in tests/attack/."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'attack'))
import bench as attack_bench        # noqa: E402
import cases_ip                     # noqa: E402
import cases_tcp                    # noqa: E402


def _group(cases):
    with attack_bench.Bench(http=True) as b:
        for i, (test_id, fn) in enumerate(cases):
            b.check(test_id, fn, fetch=(i == len(cases) - 1))
        b.assert_all_passed()


def test_attack_tcp():
    _group(cases_tcp.TESTS)


def test_attack_ip():
    _group(cases_ip.TESTS)
