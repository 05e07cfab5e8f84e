#ifndef MORTEM_CONTENTHASH_H
#define MORTEM_CONTENTHASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * A fast 128-bit content hash (four xxh64-style lanes, not cryptographic):
 * triage uses it to recognise an artifact it has analyzed before, whatever
 * its name. contenthash_hex writes the byte count and the hash as
 * "SIZE-32HEXDIGITS" into OUT (at least CONTENTHASH_HEX bytes).
 */
#define CONTENTHASH_HEX 56

void contenthash_hex(const void *data, size_t len, char out[CONTENTHASH_HEX]);

/*
 * The same hash over bytes that come in pieces: contenthash_add takes
 * them in order, each piece but the last a multiple of CONTENTHASH_BLOCK
 * bytes long; contenthash_end writes what contenthash_hex would have for
 * all of them at once.
 */
#define CONTENTHASH_BLOCK 32

struct contenthash {
	uint64_t v[4];
	uint64_t len;
	unsigned char tail[CONTENTHASH_BLOCK];
	size_t ntail;
};

void contenthash_begin(struct contenthash *h);
void contenthash_add(struct contenthash *h, const void *data, size_t n);
void contenthash_end(struct contenthash *h, char out[CONTENTHASH_HEX]);

/*
 * The hash of the first LEN bytes of the file FD (from offset 0, FD's own
 * offset left alone), read through BUF (BUFSIZE bytes, a multiple of
 * CONTENTHASH_BLOCK): no mapping, so no page of the file is ever faulted
 * in. 0, or -1 when they cannot all be read (errno says why; EIO for an
 * early end).
 */
int contenthash_fd(int fd, size_t len, void *buf, size_t bufsize, char out[CONTENTHASH_HEX]);

#endif
