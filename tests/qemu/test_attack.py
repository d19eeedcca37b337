"""The attack testbench (issue 8): scapy owns the TAP in the netlab
namespace and sends crafted frames; Pigeon performs socket calls through
`nettest`. One boot per group (tests/attack/cases_<group>.py); each
catalog test prints its own PASS/FAIL attack.<ID> line, then the global
checks G1-G3 run (G4, a clean fetch, after the last test of a group)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'attack'))
import bench as attack_bench        # noqa: E402
from groups import groups           # noqa: E402


def _group_test(name, cases):
    def run():
        with attack_bench.Bench(http=True) as b:
            for i, (test_id, fn) in enumerate(cases):
                b.check(test_id, fn, fetch=(i == len(cases) - 1))
            b.assert_all_passed()
    run.__name__ = 'test_attack_' + name
    return run


TESTS = [_group_test(name, cases) for name, cases in groups().items()]
globals().update({fn.__name__: fn for fn in TESTS})     # run.py's child looks them up by name
