#!/usr/bin/python3
"""`make demo TOPO=story`: one fetch told from both ends.

Two Pigeons in the story topology (story.py): the client on the home LAN
behind the home router's NAT and three routers, and a second Pigeon in the
server's place holding www.google.com's address and serving it with
httpd. The client traces the path and fetches with `fetch -v` (its output
streams here as it happens); the server has `trace on` for that fetch, and
its half of the story is printed after it: the last router's ARP for the
server's MAC, the SYN from the home router's address arriving at port 80,
the request handed to httpd, the response and the close.
"""

import os
import re
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'qemu'))
from harness import PROMPT_RE, Guest        # noqa: E402
import story                                # noqa: E402

LEASE_RE = r'eth0: (\S+)/\d+ gw \S+ dns \S+ \(dhcp'
ANSI_RE = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')


def clean(text):
    """Serial output as a reader sees it: no CR, no terminal escapes."""
    return ANSI_RE.sub('', text.replace('\r', ''))


class Echo:
    """Copy a guest's console to stdout while it runs, with a prefix."""

    def __init__(self, guest, out=sys.stdout):
        self.guest, self.out = guest, out
        self.pos = guest.mark()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _flush(self):
        text = self.guest.since(self.pos)
        # Only whole lines: a line is printed once the guest has ended it.
        cut = text.rfind('\n') + 1
        if cut:
            self.pos += cut
            self.out.write(clean(text[:cut]))
            self.out.flush()

    def _run(self):
        while not self.stop.wait(0.1):
            self._flush()

    def close(self):
        self.stop.set()
        self.thread.join()
        self._flush()


def server_side(text):
    """The server's console during the fetch, minus prompt redraws."""
    lines = [ln for ln in clean(text).split('\n') if ln.strip() and not re.fullmatch(PROMPT_RE, ln)]
    return '\n'.join(re.sub(r'^%s' % PROMPT_RE, '', ln) for ln in lines) + '\n'


def wait_closed(srv, start, timeout=30.0):
    """Until every connection the server's trace saw open has closed
    (TIME_WAIT or CLOSED): its half of the story is then complete."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = srv.since(start)
        opened = len(re.findall(r'\[tcp\]  <- SYN ', text))
        closed = len(re.findall(r'[A-Z_12]+ -> (?:TIME_WAIT|CLOSED)', text))
        if opened and closed >= opened:
            return
        time.sleep(0.1)
    raise TimeoutError('the server trace never showed every connection closed')


def main(out=sys.stdout):
    with story.Story(server='pigeon') as lab:
        out.write('netlab %s: the story topology; www.google.com (%s) is a second Pigeon.\n\n'
                  % (lab.name, story.SERVER))
        with Guest(net=lab.server_net()) as srv:
            srv.wait_prompt()
            srv.run(story.SERVER_PIGEON_SETUP)
            srv.run('httpd 80')
            with Guest(net=lab) as cli:
                cli.wait_prompt()
                m = cli.expect(LEASE_RE, timeout=90)
                lease = m.group(1)
                cli.expect(PROMPT_RE, start=m.end())    # redrawn under the lease notice
                out.write('=== The client: Pigeon on the home LAN, %s by DHCP ===\n' % lease)
                for cmd, server_trace in (('traceroute www.google.com', False),
                                          ('fetch -v www.google.com', True)):
                    if server_trace:
                        # The routers' neighbour entries from the traceroute
                        # would still be fresh: let r3 ask again, as it would
                        # after a while, so the server's ARP step is told.
                        lab.run(['ip', 'neigh', 'flush', 'all'], ns='r3', check=True)
                        srv.run('trace on')
                        start = srv.mark()
                    out.write('pigeon> ')     # the guest echoes the command
                    echo = Echo(cli, out)
                    try:
                        cli.run(cmd, timeout=180)
                    finally:
                        echo.close()
                    # the prompt the command ended with
                    out.write('\n')
                wait_closed(srv, start)
                trace = srv.since(start)
                srv.run('trace off', timeout=30)
            out.write('=== The server: Pigeon at %s (www.google.com), its trace of that fetch ===\n'
                      '(two connections: the page, then /whoami for the [nat] line)\n' % story.SERVER)
            out.write(server_side(trace))
            out.write('pigeon> httpd\n' + srv.run('httpd'))
    out.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main())
