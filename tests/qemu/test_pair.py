"""Pigeon to Pigeon (issue 11): two guests joined by a QEMU socket link
on loopback, one serving with httpd and telling its side with `trace on`,
the other fetching with `fetch -v`: both halves of one story."""

import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Guest  # noqa: E402

SERVER, CLIENT = '192.0.2.10', '192.0.2.20'


def pair_link():
    """QEMU arguments for the two ends of one Ethernet cable (a TCP stream
    on 127.0.0.1; nothing leaves the machine)."""
    port = random.randint(20000, 60000)
    server = ['-netdev', 'socket,id=net0,listen=127.0.0.1:%d' % port,
              '-device', 'e1000,netdev=net0,mac=52:54:00:00:00:10']
    client = ['-netdev', 'socket,id=net0,connect=127.0.0.1:%d' % port,
              '-device', 'e1000,netdev=net0,mac=52:54:00:00:00:20']
    return server, client


def test_pigeon_serves_pigeon():
    s_args, c_args = pair_link()
    with Guest(extra=s_args) as srv:
        srv.wait_prompt()
        with Guest(extra=c_args) as cli:
            cli.wait_prompt()
            srv.run('ifconfig eth0 %s/24' % SERVER)
            cli.run('ifconfig eth0 %s/24' % CLIENT)
            out = srv.run('httpd 80')
            assert 'listening' in out or 'serving' in out or '80' in out, out
            srv.run('trace on')
            start = srv.mark()
            out = cli.run('fetch -v http://%s/hello.txt' % SERVER, timeout=60)
            assert re.search(r'200 OK, \d+ bytes in', out), out
            assert re.search(r'\[tcp\]  -> SYN .* > %s:80 ' % re.escape(SERVER), out), out
            # The server's half, in the order it lived it.
            steps = [
                r'\[arp\]  <- who-has %s\? tell %s' % (re.escape(SERVER), re.escape(CLIENT)),
                r'\[arp\]  -> %s is-at 52:54:00:00:00:10' % re.escape(SERVER),
                r'\[tcp\]  <- SYN     %s:\d+ > %s:80 ' % (re.escape(CLIENT), re.escape(SERVER)),
                r'\[tcp\]  -> SYN,ACK %s:80 > %s:\d+ ' % (re.escape(SERVER), re.escape(CLIENT)),
                r'\[tcp\]  <- (PSH,)?ACK .* len [1-9]',
                r'\[tcp\]  (->|<-) FIN',
            ]
            pos = start
            for step in steps:
                m = srv.expect(step, timeout=30, start=pos)
                pos = m.end()
            out = srv.run('trace off', timeout=30)
            out = srv.run('httpd stop', timeout=30)
