#include "analyzer/lib/sparseread.h"

#include <errno.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "analyzer/lib/fdio.h"
#include "analyzer/lib/xalloc.h"

#define PAGE ((size_t)4096)
#define BATCH 32             /* extents asked of FIEMAP at once */
#define MAX_SPANS 256        /* more pieces than this: the file is read whole */
#define MERGE_GAP (2 * PAGE) /* a hole this small is read with its neighbours: a read costs more */

struct span {
	size_t start, end;
};

static void add_span(struct span *out, int *n, size_t start, size_t end)
{
	if (*n && start <= out[*n - 1].end + MERGE_GAP) {
		if (end > out[*n - 1].end)
			out[*n - 1].end = end;
		return;
	}
	out[(*n)++] = (struct span){ start, end };
}

/*
 * Where FD's first LEN bytes hold data, in order, into OUT (MAX_SPANS of
 * them at most): how many spans, or -1 when the filesystem cannot say.
 */
static int data_spans(int fd, size_t len, struct span *out)
{
	struct {
		struct fiemap map;
		struct fiemap_extent ext[BATCH];
	} q;
	int n = 0;
	uint64_t at = 0;
	while (at < len) {
		memset(&q, 0, sizeof(q)); /* the extents too: valgrind does not know FIEMAP writes them */
		q.map.fm_start = at;
		q.map.fm_length = len - at;
		q.map.fm_extent_count = BATCH;
		if (ioctl(fd, FS_IOC_FIEMAP, &q.map) < 0)
			return -1;
		if (!q.map.fm_mapped_extents)
			break; /* the rest is a hole */
		bool last = false;
		for (unsigned i = 0; i < q.map.fm_mapped_extents && i < BATCH; i++) {
			const struct fiemap_extent *e = &q.ext[i];
			uint64_t end = e->fe_logical + e->fe_length;
			if (end <= at || e->fe_logical > len)
				return -1; /* not moving forward: not an answer to rely on */
			uint64_t start = e->fe_logical < at ? at : e->fe_logical;
			if (n == MAX_SPANS)
				return -1;
			add_span(out, &n, (size_t)start, (size_t)(end < len ? end : len));
			at = end;
			last = e->fe_flags & FIEMAP_EXTENT_LAST;
		}
		if (last)
			break;
	}
	return n;
}

static bool is_dirty(const struct sparseread *r, size_t page)
{
	return r->dirty[page / 64] >> (page % 64) & 1;
}

/* [START, END) of the buffer is a hole of this file: zeros wherever an earlier file wrote. */
static void zero_hole(struct sparseread *r, size_t start, size_t end)
{
	for (size_t p = start / PAGE; p * PAGE < end; p++) {
		if (!is_dirty(r, p))
			continue;
		size_t from = p * PAGE > start ? p * PAGE : start;
		size_t to = (p + 1) * PAGE < end ? (p + 1) * PAGE : end;
		memset(r->buf + from, 0, to - from);
		if (from == p * PAGE && to == (p + 1) * PAGE)
			r->dirty[p / 64] &= ~((uint64_t)1 << (p % 64));
	}
}

static void mark_dirty(struct sparseread *r, size_t start, size_t end)
{
	for (size_t p = start / PAGE; p * PAGE < end; p++)
		r->dirty[p / 64] |= (uint64_t)1 << (p % 64);
}

const unsigned char *sparseread_file(struct sparseread *r, int fd, size_t len)
{
	if (len + 1 > r->cap) {
		free(r->buf);
		free(r->dirty);
		r->cap = len + 1 > ((size_t)1 << 20) ? len + 1 : (size_t)1 << 20;
		r->buf = xcalloc(r->cap, 1); /* fresh pages: zeros, none dirty */
		r->dirty = xcalloc(r->cap / PAGE / 64 + 1, sizeof(*r->dirty));
	}
	struct span spans[MAX_SPANS];
	int n = len ? data_spans(fd, len, spans) : 0;
	if (n < 0) {
		n = 1;
		spans[0] = (struct span){ 0, len };
	}
	size_t at = 0;
	for (int i = 0; i < n; i++) {
		zero_hole(r, at, spans[i].start);
		mark_dirty(r, spans[i].start, spans[i].end);
		if (fd_pread_full(fd, r->buf + spans[i].start, spans[i].end - spans[i].start,
				  (off_t)spans[i].start) < 0)
			return NULL;
		r->read += spans[i].end - spans[i].start;
		r->skipped += spans[i].start - at;
		at = spans[i].end;
	}
	struct stat st;
	if (at < len && (fstat(fd, &st) < 0 || (uint64_t)st.st_size < len)) {
		errno = EIO; /* not a hole at its end: the file is shorter than it was */
		return NULL;
	}
	zero_hole(r, at, len);
	r->skipped += len - at;
	r->buf[len] = '\0';
	return r->buf;
}

void sparseread_stats(const struct sparseread *r, uint64_t *read, uint64_t *skipped)
{
	*read = r->read;
	*skipped = r->skipped;
}

void sparseread_release(struct sparseread *r)
{
	free(r->buf);
	free(r->dirty);
	*r = (struct sparseread)SPARSEREAD_INIT;
}
