#!/usr/bin/python3
"""Run attack-testbench groups directly:
    /usr/bin/python3 tests/attack/run.py [GROUP...] [ID...]
GROUP is a tests/attack/cases_GROUP.py (tcp, ip, ...); make test runs the
same groups through tests/qemu/run.py as qemu.attack.GROUP."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench        # noqa: E402
from groups import groups   # noqa: E402


def main(argv):
    all_groups = groups()
    names = [a for a in argv if a in all_groups] or list(all_groups)
    only = [a for a in argv if a not in all_groups]
    failed = 0
    for name in names:
        cases = [c for c in all_groups[name] if not only or any(o == c[0] or o in c[0] for o in only)]
        if not cases:
            continue
        with bench.Bench(http=True) as b:
            for i, (test_id, fn) in enumerate(cases):
                b.check(test_id, fn, fetch=(i == len(cases) - 1))
            failed += sum(1 for _, ok, _ in b.results if not ok)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
