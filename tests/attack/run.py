#!/usr/bin/python3
"""Run attack-testbench groups directly: /usr/bin/python3 tests/attack/run.py [tcp|ip] [ID...]
(make test runs them through tests/qemu/run.py as qemu.attack.*)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench        # noqa: E402
import cases_ip     # noqa: E402
import cases_tcp    # noqa: E402

GROUPS = {'tcp': cases_tcp.TESTS, 'ip': cases_ip.TESTS}


def main(argv):
    groups = [a for a in argv if a in GROUPS] or list(GROUPS)
    only = [a for a in argv if a not in GROUPS]
    failed = 0
    for name in groups:
        cases = [c for c in GROUPS[name] if not only or any(o in c[0] for o in only)]
        if not cases:
            continue
        with bench.Bench(http=True) as b:
            for i, (test_id, fn) in enumerate(cases):
                b.check(test_id, fn, fetch=(i == len(cases) - 1))
            failed += sum(1 for _, ok, _ in b.results if not ok)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
