"""The impairment matrix (catalog E1), quick set for `make test`: profiles
P0 clean, P3 lossy-2, P5 reorder and P7 corrupt, each applied both ways
by the netlab relay over TAP (P7 also by Pigeon's own netem), two fetches
of a 1 MiB file and one of the home page each. Per profile the same checks
as tests/bench/matrix.py (the full matrix: 10 MiB, every profile, more
runs): no crash, sha256 intact in every completed run, at least 95% of the
runs within the profile's bound, a clean fetch afterwards; P7 also counts
checksum drops. And Pigeon's profile table (`netem profiles`) agrees with
the relay's (tests/netlab/profiles.py)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, '..', 'bench'), os.path.join(HERE, '..', 'netlab')]
from harness import Guest, note                # noqa: E402
import matrix                                  # noqa: E402
import profiles                                # noqa: E402

SIZE = 1 << 20
BIG_RUNS = 2
HOME_RUNS = 1


def quick(name, via='relay'):
    """Run one profile's quick set and assert every verdict."""
    p = profiles.find(name)
    big, home = matrix.pattern_file(SIZE), matrix.home_file()
    rows = matrix.run_profile(p, via, [big, home], [(big, BIG_RUNS), (home, HOME_RUNS)], seed=7)
    for line in matrix.table(rows).strip().split('\n'):
        note('    ' + line)
    assert len(rows) == 2, 'expected a row per file, got %r' % [r.name() for r in rows]
    failed = []
    for row in rows:
        verdict, why = row.verdict()
        if verdict != 'PASS':
            failed.append('%s: %s (runs %r)' % (row.name(), '; '.join(why), row.runs))
    assert not failed, '\n'.join(failed)


def test_profile_tables_agree():
    """Pigeon's `netem profiles` lists every profile of profiles.py, by id
    and name, with the same settings."""
    with Guest() as g:
        g.wait_prompt()
        out = g.run('netem profiles')
    lines = out.strip().split('\n')
    for p in profiles.PROFILES:
        heads = [i for i, line in enumerate(lines) if line.split()[:2] == [p.id, p.name]]
        assert heads, 'netem profiles does not list %s %s:\n%s' % (p.id, p.name, out)
        got = lines[heads[0] + 1].strip()
        assert got == p.netem_listing(), '%s: Pigeon has %r, profiles.py %r' % (p.name, got, p.netem_listing())
    assert len([line for line in lines if not line.startswith(' ')]) == len(profiles.PROFILES), out


def test_p0_clean():
    """E1 P0 (clean): the baseline passes its own bound."""
    quick('clean')


def test_p3_lossy2():
    """E1 P3 (2% loss, 10 ms each way): completes within 3x the Mathis time."""
    quick('lossy-2')


def test_p5_reorder():
    """E1 P5 (25% reordered behind 10 ms): within 2x the lan time, intact."""
    quick('reorder')


def test_p7_corrupt_relay():
    """E1 P7 (1% corrupted, bits and byte runs) by the relay: intact, and
    Pigeon counted checksum drops."""
    quick('corrupt')


def test_p7_corrupt_netem():
    """E1 P7 by Pigeon's own injector: the same checks."""
    quick('corrupt', via='netem')
