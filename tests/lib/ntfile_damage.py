#!/usr/bin/env python3
"""ntfile_damage.py IN OUT [COUNT]: copies the ELF core IN to OUT with the
file count of its NT_FILE note set to COUNT (default 0x7fffffffffffffff),
the one-byte damage that crashed libunwind-coredump (issue 21, item 1).
Exits 1 when IN has no NT_FILE note."""
import struct
import sys

data = bytearray(open(sys.argv[1], 'rb').read())
count = int(sys.argv[3], 0) if len(sys.argv) > 3 else 0x7fffffffffffffff
phoff, = struct.unpack_from('<Q', data, 0x20)
phentsize, phnum = struct.unpack_from('<HH', data, 0x36)
done = False
for i in range(phnum):
    ph = phoff + i * phentsize
    if struct.unpack_from('<I', data, ph)[0] != 4:  # PT_NOTE
        continue
    off, = struct.unpack_from('<Q', data, ph + 8)
    size, = struct.unpack_from('<Q', data, ph + 32)
    q = off
    while q + 12 <= off + size:
        namesz, descsz, ntype = struct.unpack_from('<III', data, q)
        desc = q + 12 + ((namesz + 3) & ~3)
        if ntype == 0x46494c45:  # NT_FILE
            struct.pack_into('<Q', data, desc, count)
            done = True
        q = desc + ((descsz + 3) & ~3)
open(sys.argv[2], 'wb').write(data)
sys.exit(0 if done else 1)
