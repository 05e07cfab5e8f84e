#!/usr/bin/env python3
"""memfd_peak.py EXE OUT PID: until PID exits, samples every 2 ms the memfds
("/memfd:mortem-*") that processes running EXE hold, and writes to OUT the
largest total size seen at once (bytes; each memfd counted once however many
processes hold it): the decompressed bytes in memory (tests/scenario/hostile_budget)."""
import os
import sys
import time

exe, out, pid = os.path.realpath(sys.argv[1]), sys.argv[2], int(sys.argv[3])
peak = 0


def sample():
    held = {}
    for p in os.listdir('/proc'):
        if not p.isdigit():
            continue
        try:
            if os.readlink('/proc/%s/exe' % p) != exe:
                continue
            fds = os.listdir('/proc/%s/fd' % p)
        except OSError:
            continue
        for fd in fds:
            path = '/proc/%s/fd/%s' % (p, fd)
            try:
                if not os.readlink(path).startswith('/memfd:mortem'):
                    continue
                st = os.stat(path)
            except OSError:
                continue
            held[(st.st_dev, st.st_ino)] = st.st_size
    return sum(held.values())


while True:
    try:
        os.kill(pid, 0)
    except OSError:
        break
    peak = max(peak, sample())
    time.sleep(0.002)
with open(out, 'w') as f:
    f.write('%d\n' % peak)
