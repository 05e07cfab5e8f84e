#ifndef MORTEM_SPARSEREAD_H
#define MORTEM_SPARSEREAD_H
/*
 * Files read one after another into a buffer kept from one to the next,
 * without copying their holes: the ranges a filesystem stores no data for
 * read as zeros, and the buffer's pages no earlier file wrote still hold
 * zeros (a triage worker reads its artifacts so, all but cores, which it
 * maps: the kernel writes a core's untouched pages as holes, six in ten of
 * a small core's bytes, and an analysis reads little of the rest). Where
 * the data lies is asked once a file (the FIEMAP ioctl: delayed
 * allocations count as data); a filesystem that cannot say (tmpfs, a
 * memfd) has its files read whole.
 */
#include <stddef.h>
#include <stdint.h>

struct sparseread {
	/* private */
	unsigned char *buf;
	size_t cap;
	uint64_t *dirty;          /* one bit a page of BUF that may hold a non-zero byte */
	uint64_t read, skipped;   /* bytes copied and bytes of holes not copied, over all files */
};

#define SPARSEREAD_INIT { 0 }

/*
 * FD's first LEN bytes in R's buffer, a NUL after them, valid until the
 * next call; NULL when they cannot all be read (errno; EIO when the file
 * is shorter).
 */
const unsigned char *sparseread_file(struct sparseread *r, int fd, size_t len);

/* The bytes copied and the bytes of holes left out, over every file R read. */
void sparseread_stats(const struct sparseread *r, uint64_t *read, uint64_t *skipped);

/* Frees R's buffer; R is SPARSEREAD_INIT again. */
void sparseread_release(struct sparseread *r);

#endif
