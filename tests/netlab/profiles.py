"""The standard fault-injection profiles P0-P12 (robustness catalog 2b),
for the netlab relay (impair.py) and for the impairment matrix (E1).

Each profile has the settings the relay applies in each direction, the
same settings as Pigeon's own `netem profile NAME` (net/netem.c keeps the
twin table; tests/qemu/test_matrix.py checks that they agree), and the E1
bound: the time within which a fetch of `size` bytes must complete, as a
function of the size and of the clean (P0) time measured in the same run.

    import profiles
    p = profiles.find('lossy-2')          # or 'P3', any case
    p.relay                               # {'loss': 2.0, 'delay_ms': 10, ...}
    p.bound(10 << 20, clean_s=0.4)        # seconds, or None: no time bound

Rates are percentages; delays apply each way, so the round trip is twice
the delay. Standard library only.
"""

import math

MSS = 1460                    # bytes per segment on the netlab's 1500-byte link
WINDOW = 256 * 1024           # Pigeon's receive window (net/tcp.h rcvbuf)
# Added to every bound: a shared 2-core machine running five TCG guests
# stalls any one of them for a second or two now and then.
SLACK_S = 3.0
RTO_BACKOFF_3_S = 1.0 + 2.0 + 4.0   # three retransmission timeouts in a row


def window_s(size, rtt_s):
    """Seconds to move size bytes when the window is the limit."""
    return size / (WINDOW / rtt_s) if rtt_s > 0 else 0.0


def rate_s(size, kbit):
    """Seconds to move size bytes (plus per-frame headers) at kbit/s."""
    frames = math.ceil(size / MSS)
    return (size + frames * (40 + 14 + 24)) * 8 / (kbit * 1000.0)


def mathis_s(size, rtt_s, p):
    """Seconds at the Mathis et al. (CCR 1997) bound, MSS/RTT * 1.22/sqrt(p)."""
    bw = MSS / rtt_s * 1.22 / math.sqrt(p)      # bytes per second
    return size / bw


class Profile:
    """One profile.

    relay:   Direction settings for impair.py (each way).
    bound:   f(size, clean_s) -> seconds, or None where the catalog asks
             for no time bound.
    need:    the fraction of runs that must complete within the bound.
    """

    def __init__(self, pid, name, summary, relay, bound, need=0.95, note=''):
        self.id, self.name, self.summary = pid, name, summary
        self.relay = relay
        self._bound = bound
        self.need = need
        self.note = note

    def bound(self, size, clean_s):
        return None if self._bound is None else self._bound(size, clean_s) + SLACK_S

    def netem_command(self, seed, extra=''):
        """The shell command that applies this profile in Pigeon."""
        return ('netem eth0 profile %s seed %d %s' % (self.name, seed, extra)).strip()

    def netem_listing(self):
        """The settings line `netem profiles` prints for it (as net/netem.c)."""
        r = self.relay

        def pct(x):
            return ('%.4f' % x).rstrip('0').rstrip('.') + '%'
        s = 'loss %s dup %s reorder %s delay %dms corrupt %s' % (
            pct(r.get('loss', 0)), pct(r.get('dup', 0)), pct(r.get('reorder', 0)), r.get('delay_ms', 0),
            pct(r.get('corrupt', 0)))
        if r.get('jitter_ms'):
            s += ' jitter %dms' % r['jitter_ms']
        if r.get('ge_p'):
            s += ' gemodel %s %s' % (pct(r['ge_p']), pct(r['ge_r']))
        if r.get('rate_kbit'):
            k = r['rate_kbit']
            s += ' rate %s limit %d' % ('%dmbit' % (k // 1000) if k % 1000 == 0 else '%dkbit' % k,
                                        r.get('limit') or 1000)
        if r.get('corrupt_bytes'):
            s += ' bytes %d' % r['corrupt_bytes']
        if r.get('blackout_ms'):
            s += ' blackout %dms after %d' % (r['blackout_ms'], r.get('blackout_after', 0))
        return s

    def __repr__(self):
        return 'Profile(%s %s)' % (self.id, self.name)


PROFILES = [
    Profile('P0', 'clean', 'no impairment: the baseline', {},
            lambda size, clean: 3 * clean),
    Profile('P1', 'lan', '1 ms each way', {'delay_ms': 1},
            lambda size, clean: 2 * clean),
    Profile('P2', 'wan', '25 +- 5 ms each way, 20 Mbit/s, queue of 200',
            {'delay_ms': 25, 'jitter_ms': 5, 'rate_kbit': 20000, 'limit': 200},
            lambda size, clean: 1.5 * max(rate_s(size, 20000), window_s(size, 0.05)) + 10 * 0.05 + clean),
    Profile('P3', 'lossy-2', '2% loss and 10 ms each way', {'loss': 2.0, 'delay_ms': 10},
            lambda size, clean: 3 * mathis_s(size, 0.02, 0.02) + clean),
    Profile('P4', 'burst', 'Gilbert-Elliott loss, p 1% r 25% (mean burst 4, 3.8% lost)',
            {'ge_p': 1.0, 'ge_r': 25.0},
            # The catalog's 20 s per MiB, but never below three timeouts in
            # a row (1 + 2 + 4 s, RFC 6298): on a quiet connection a burst
            # takes a SYN or a DNS query and its retries alike, because the
            # loss state moves per frame, not per second (as netem's gemodel).
            lambda size, clean: max(20.0 * size / (1 << 20), RTO_BACKOFF_3_S) + clean),
    Profile('P5', 'reorder', '10 ms each way, 25% of frames held 5 ms longer',
            {'delay_ms': 10, 'reorder': 25.0},
            lambda size, clean: 2 * (clean + window_s(size, 0.02) + 10 * 0.02)),
    Profile('P6', 'dup', '5% duplicated', {'dup': 5.0},
            lambda size, clean: 1.2 * clean),
    Profile('P7', 'corrupt', '1% corrupted: one bit, or 2-8 bytes', {'corrupt': 1.0, 'corrupt_bytes': 8},
            # No bound in the catalog beyond integrity: a corrupted frame is
            # a lost one, so 1% loss at the link's round trip.
            lambda size, clean: 3 * clean + 3 * mathis_s(size, 0.002, 0.01)),
    Profile('P8', 'blackout-3', 'everything lost for 3 s from the 5th frame',
            {'blackout_ms': 3000, 'blackout_after': 4},
            # Resumes within twice the backed-off RTO: after 3 s of
            # doubling timeouts the next one is at most about 3 s away.
            lambda size, clean: clean + 3.0 + 2 * 3.0),
    Profile('P8-30', 'blackout-30', 'everything lost for 30 s from the 5th frame',
            {'blackout_ms': 30000, 'blackout_after': 4}, None, need=0.0,
            note='resumes or fails cleanly: completion not required'),
    Profile('P9', 'long-fat', '300 ms each way, 10 Mbit/s', {'delay_ms': 300, 'rate_kbit': 10000},
            lambda size, clean: 1.5 * max(rate_s(size, 10000), window_s(size, 0.6)) + 10 * 0.6 + clean),
    Profile('P10', 'congestion', '20 Mbit/s with a queue of 10 frames', {'rate_kbit': 20000, 'limit': 10},
            # At least 70% of the rate for bulk; slow start takes a few RTTs more.
            lambda size, clean: rate_s(size, 20000) / 0.7 + clean),
    Profile('P11', 'chaos', '20 +- 5 ms, 1% loss, 1% dup, 5% reorder, 0.1% corrupt',
            {'delay_ms': 20, 'jitter_ms': 5, 'loss': 1.0, 'dup': 1.0, 'reorder': 5.0, 'corrupt': 0.1},
            lambda size, clean: 3 * mathis_s(size, 0.04, 0.012) + clean, need=0.90),
    Profile('P12', 'stress', '15% loss, 15% corrupt, 1 Mbit/s with a queue of 4',
            {'loss': 15.0, 'corrupt': 15.0, 'corrupt_bytes': 8, 'rate_kbit': 1000, 'limit': 4}, None, need=0.0,
            note='completion not required: each run ends in success or a clean error'),
]


def find(name):
    """The profile called name (its name or id, any case); KeyError if none."""
    for p in PROFILES:
        if name.lower() in (p.name.lower(), p.id.lower()):
            return p
    raise KeyError('no profile %r (known: %s)' % (name, ', '.join(p.name for p in PROFILES)))


def names():
    return [p.name for p in PROFILES]


if __name__ == '__main__':
    for p in PROFILES:
        b = p.bound(10 << 20, 0.5)
        print('%-5s %-11s %-55s E1 10 MiB bound %s' % (p.id, p.name, p.summary,
                                                        '%.1f s' % b if b else '-'))
