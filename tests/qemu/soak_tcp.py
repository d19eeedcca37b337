#!/usr/bin/python3
"""Soak: large transfers into Pigeon through hostile links, one per seed.

Not part of `make test` (minutes, not seconds): `make soak`, or
    tests/qemu/soak_tcp.py [--mib 64] [--seeds 1-10] [--mode relay|netem|both]
Each run must arrive intact (SHA-256); prints one line per run and the
median time."""

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'netlab'))
import impair                                  # noqa: E402
import netlab                                  # noqa: E402
import test_tcp                                # noqa: E402

NETEM = 'netem eth0 loss 5% dup 1% reorder 25% delay 10ms corrupt 0.1% seed {seed}'


def run_one(mode, seed, size):
    base = netlab.Netlab('tap')
    net = base
    if mode == 'relay':
        net = impair.ImpairedLab(base, seed=seed, loss=5, reorder=25, dup=1, corrupt=0.1)
    g, addr = test_tcp.boot(net)
    try:
        if mode == 'netem':
            g.run(NETEM.format(seed=seed))
        secs, _ = test_tcp.inbound(g, net, addr, size=size, timeout=1800)
        out = g.run('netstat', timeout=30)
        return secs, out
    finally:
        g.close()
        net.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--mib', type=int, default=64)
    ap.add_argument('--seeds', default='1-10')
    ap.add_argument('--mode', default='both', choices=['relay', 'netem', 'both'])
    a = ap.parse_args()
    lo, _, hi = a.seeds.partition('-')
    seeds = range(int(lo), int(hi or lo) + 1)
    modes = ['relay', 'netem'] if a.mode == 'both' else [a.mode]
    failed = 0
    for mode in modes:
        times = []
        for seed in seeds:
            try:
                secs, _ = run_one(mode, seed, a.mib << 20)
                times.append(secs)
                print('PASS soak.%s.seed%d: %d MiB intact in %.2f s' % (mode, seed, a.mib, secs), flush=True)
            except Exception as e:      # one line per failed run, then go on
                failed += 1
                print('FAIL soak.%s.seed%d: %s' % (mode, seed, str(e).split('\n')[0]), flush=True)
        if times:
            print('    %s: median %.2f s, min %.2f s, max %.2f s over %d runs'
                  % (mode, statistics.median(times), min(times), max(times), len(times)), flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
