# symfile.py FILE plant OLD NEW | symfile.py FILE mutate SEED: a cache file
# of parsers/native/symcache.c with its payload changed (a string replaced
# by one as long; or bytes and counts spoiled) and its checksum made right
# again, so that only the records' checks are left (tests/scenario/*cache.sh).
import random, struct, sys
path, what = sys.argv[1], sys.argv[2]
b = bytearray(open(path, 'rb').read())
at = 12
for _ in range(2):                      # build-id, stamp
    n, = struct.unpack_from('<I', b, at); at += 4 + n
head, payload = b[:at], bytearray(b[at + 16:])
if what == 'plant':
    old, new = sys.argv[3].encode(), sys.argv[4].encode()
    assert len(old) == len(new) and old in payload
    payload = payload.replace(old, new)
else:
    r = random.Random(int(sys.argv[3]))
    for _ in range(r.randint(1, 6)):
        i = r.randrange(len(payload))
        if r.random() < 0.5:
            payload[i] = r.randrange(256)
        else:                           # a length or count at its widest
            payload[i:i + 4] = r.choice([b'\xff\xff\xff\xff', b'\xfe\xff\xff\xff',
                                         b'\x00\x00\x10\x00', b'\x00\x10\x00\x00'])
h = 1469598103934665603
for c in payload:
    h = ((h ^ c) * 1099511628211) & 0xffffffffffffffff
open(path, 'wb').write(head + struct.pack('<QQ', len(payload), h) + payload)
