"""`make bench` output: the Markdown table (median and min-max per figure
and guest, Pigeon's ratio against each peer), results.json and the gnuplot
chart of throughput per guest and backend."""

import json
import os
import shutil
import statistics
import subprocess

GUESTS = ['pigeon', 'linux', 'ipxe']
TITLES = {'pigeon': 'Pigeon', 'linux': 'Linux 6.1 + busybox', 'ipxe': 'iPXE'}
BACKENDS = [('tap', 'TAP'), ('user', 'slirp')]

# (key, label, unit, scale from the stored unit, better: 'lower'/'higher')
FIGURES = [
    ('ready', 'QEMU start to ready (prompt / init / iPXE)', 'ms', 1000, 'lower'),
    ('bound', 'QEMU start to DHCP bound', 'ms', 1000, 'lower'),
    ('dns', 'DNS lookup of www.google.com', 'ms', 1000, 'lower'),
    ('page', 'home page fetch (DNS included)', 'ms', 1000, 'lower'),
    ('page_wall', 'home page, host wall time (typing/marker to summary)', 'ms', 1000, 'lower'),
    ('big_mbit', '64 MiB download', 'Mbit/s', 1, 'higher'),
    ('cpu_per_mib', 'host CPU per MiB received', 'ms', 1000, 'lower'),
    ('httpd_rps', 'web server under wrk -c 50 (Pigeon httpd, busybox httpd)', 'requests/s', 1, 'higher'),
]
PIGEON_ONLY = [
    ('idle_cpu_pct', 'idle host CPU at the prompt (10 s)', '%', 1),
    ('mem_used_mib', 'physical memory in use after the fetches (`mem`)', 'MiB', 1),
    ('heap_peak_kib', 'kernel heap peak (`mem`)', 'KiB', 1),
]


def summarize(values, scale=1):
    vals = [v * scale for v in values if v is not None]
    if not vals:
        return None
    return {'median': statistics.median(vals), 'min': min(vals), 'max': max(vals),
            'n': len(vals)}


def _fmt(x):
    if x is None:
        return 'n/a'
    return '%.0f' % x if abs(x) >= 100 else ('%.1f' % x if abs(x) >= 10 else '%.2f' % x)


def _cell(s):
    if s is None:
        return 'not measured'
    return '%s (%s-%s)' % (_fmt(s['median']), _fmt(s['min']), _fmt(s['max']))


def _ratio(p, q):
    if p is None or q is None or not q['median']:
        return 'n/a'
    return '%.3gx' % (p['median'] / q['median'])


def build_table(runs, guests):
    """runs: {guest: {backend: [figures dict per run]}} -> (rows, summary)."""
    summary = {}
    for g in guests:
        for b, _ in BACKENDS:
            for key, _, _, scale, _ in FIGURES:
                summary.setdefault(g, {}).setdefault(b, {})[key] = summarize(
                    [r.get(key) for r in runs.get(g, {}).get(b, [])], scale)
    return summary


def markdown(summary, guests, extra, notes, meta):
    peers = [g for g in guests if g != 'pigeon']
    head = ['Figure', 'Backend', 'Better'] + [TITLES[g] for g in guests] + \
        ['Pigeon / %s' % TITLES[p] for p in peers if 'pigeon' in guests]
    lines = ['# Pigeon against its peers (`make bench`)', '',
             'Median (min-max) of %d runs per guest and backend, interleaved run by run; '
             'QEMU %s TCG, `-m 256`, `-device e1000`, in a netlab namespace. '
             'Ratio = Pigeon\'s median / the peer\'s median.' % (meta['runs'], meta['qemu']),
             '', 'Machine: %s, %s cores; load average at start %s.' % (
                 meta['cpu'], meta['nproc'], meta['load']), '',
             '| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for key, label, unit, _, better in FIGURES:
        for b, bname in BACKENDS:
            cells = [summary.get(g, {}).get(b, {}).get(key) for g in guests]
            if all(c is None for c in cells):
                continue
            row = ['%s (%s)' % (label, unit), bname, better] + [_cell(c) for c in cells]
            if 'pigeon' in guests:
                p = summary['pigeon'][b][key]
                row += [_ratio(p, summary[q][b][key]) for q in peers]
            lines.append('| ' + ' | '.join(row) + ' |')
    lines += ['', '## Pigeon only', '', '| Figure | Value |', '|---|---|']
    for label, value in extra:
        lines.append('| %s | %s |' % (label, value))
    if notes:
        lines += ['', '## Notes', ''] + ['- ' + n for n in notes]
    return '\n'.join(lines) + '\n'


def chart(summary, guests, out_dir):
    """A PNG bar chart of 64 MiB throughput (median, min-max error bars)."""
    if not shutil.which('gnuplot'):
        return None
    data = os.path.join(out_dir, 'throughput.dat')
    with open(data, 'w') as f:
        for g in guests:
            row = ['"%s"' % TITLES[g]]
            for b, _ in BACKENDS:
                s = summary.get(g, {}).get(b, {}).get('big_mbit')
                row += ['%.1f %.1f %.1f' % (s['median'], s['min'], s['max']) if s else '0 0 0']
            f.write(' '.join(row) + '\n')
    png = os.path.join(out_dir, 'throughput.png')
    script = '''set terminal pngcairo size 800,480 noenhanced
set output '%s'
set title '64 MiB HTTP download under QEMU TCG (e1000): median, min-max'
set ylabel 'Mbit/s'
set yrange [0:*]
set style data histograms
set style histogram errorbars gap 2 lw 1
set style fill solid 0.8 border -1
set key top left
set grid ytics
plot '%s' using 2:3:4:xtic(1) title 'TAP', '' using 5:6:7 title 'slirp'
''' % (png, data)
    proc = subprocess.run(['gnuplot'], input=script, text=True, capture_output=True)
    if proc.returncode != 0:
        # pngcairo may be missing from gnuplot-nox: fall back to the gd driver.
        proc = subprocess.run(['gnuplot'], input=script.replace('pngcairo', 'png'),
                              text=True, capture_output=True)
    return png if proc.returncode == 0 else None


def write(out_dir, runs, guests, extra, notes, meta):
    summary = build_table(runs, guests)
    os.makedirs(out_dir, exist_ok=True)
    md = markdown(summary, guests, extra, notes, meta)
    png = chart(summary, guests, out_dir)
    if png:
        md += '\n![64 MiB throughput per guest and backend](throughput.png)\n'
    with open(os.path.join(out_dir, 'results.md'), 'w') as f:
        f.write(md)
    with open(os.path.join(out_dir, 'results.json'), 'w') as f:
        json.dump({'meta': meta, 'runs': runs, 'summary': summary,
                   'pigeon_only': extra, 'notes': notes}, f, indent=1)
    return md, png
