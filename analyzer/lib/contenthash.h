#ifndef MORTEM_CONTENTHASH_H
#define MORTEM_CONTENTHASH_H

#include <stddef.h>

/*
 * A fast 128-bit content hash (four xxh64-style lanes, not cryptographic):
 * triage uses it to recognise an artifact it has analyzed before, whatever
 * its name. contenthash_hex writes the byte count and the hash as
 * "SIZE-32HEXDIGITS" into OUT (at least CONTENTHASH_HEX bytes).
 */
#define CONTENTHASH_HEX 56

void contenthash_hex(const void *data, size_t len, char out[CONTENTHASH_HEX]);

#endif
