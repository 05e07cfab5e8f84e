#include "analyzer/lib/contenthash.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/lib/fdio.h"

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL

static uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t round64(uint64_t acc, uint64_t in)
{
	acc += in * P2;
	acc = rotl(acc, 31);
	return acc * P1;
}

static uint64_t load64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static uint64_t avalanche(uint64_t h)
{
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return h;
}

void contenthash_begin(struct contenthash *h)
{
	*h = (struct contenthash){ .v = { P1 + P2, P2, 0, -P1 } };
}

void contenthash_add(struct contenthash *h, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t i = 0;
	for (; i + CONTENTHASH_BLOCK <= n; i += CONTENTHASH_BLOCK)
		for (int k = 0; k < 4; k++)
			h->v[k] = round64(h->v[k], load64(p + i + 8 * k));
	h->ntail = n - i;
	memcpy(h->tail, p + i, h->ntail);
	h->len += n;
}

void contenthash_end(struct contenthash *h, char out[CONTENTHASH_HEX])
{
	uint64_t *v = h->v;
	uint64_t len = h->len;
	memset(h->tail + h->ntail, 0, sizeof(h->tail) - h->ntail);
	for (int k = 0; k < 4; k++)
		v[k] = round64(v[k], load64(h->tail + 8 * k) ^ len);
	uint64_t h1 = avalanche(rotl(v[0], 1) + rotl(v[1], 7) + (v[2] ^ P4) + rotl(v[3], 18));
	uint64_t h2 = avalanche((v[0] ^ P3) + rotl(v[1], 12) + rotl(v[2], 23) + (v[3] * P4) + len);
	snprintf(out, CONTENTHASH_HEX, "%llu-%016llx%016llx", (unsigned long long)len,
		 (unsigned long long)h1, (unsigned long long)h2);
}

void contenthash_hex(const void *data, size_t len, char out[CONTENTHASH_HEX])
{
	struct contenthash h;
	contenthash_begin(&h);
	contenthash_add(&h, data, len);
	contenthash_end(&h, out);
}

int contenthash_fd(int fd, size_t len, void *buf, size_t bufsize, char out[CONTENTHASH_HEX])
{
	struct contenthash h;
	contenthash_begin(&h);
	for (size_t off = 0; off < len;) {
		size_t n = len - off < bufsize ? len - off : bufsize;
		if (fd_pread_full(fd, buf, n, (off_t)off) < 0)
			return -1;
		contenthash_add(&h, buf, n);
		off += n;
	}
	contenthash_end(&h, out);
	return 0;
}
