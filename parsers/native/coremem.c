#include "parsers/native/coremem.h"

#include <fcntl.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/lib/arena.h"
#include "parsers/native/elfshare.h"

struct segment {
	uint64_t vaddr, memsz, offset, filesz;
	uint32_t flags;
	bool cut;       /* part of it was lost to truncation */
};

struct mapping {
	uint64_t start, end, offset;
	char *path;
	int fd;         /* -2: not opened yet, -1: none (cannot, or IMAGE) */
	Elf *elf;       /* a module file elfshare.h keeps (this mapping's reference), or NULL */
	const unsigned char *image; /* the file's bytes in memory (ELF's, maybe another mapping's), or NULL */
	size_t image_len;
};

/*
 * The last two pages read from mapped files: libthread_db and the lock
 * analysis read a few bytes at a time from a library's file, most of them
 * from two pages in turn (sixteen reads of libc for a small core).
 */
#define FILE_PAGE 4096
#define FILE_PAGES 2

struct file_page {
	int fd;         /* -1: none */
	off_t off;      /* a multiple of FILE_PAGE */
	size_t len;     /* bytes valid (less at the file's end) */
	unsigned long used; /* when last read from (a count of reads) */
	unsigned char bytes[FILE_PAGE];
};

struct coremem {
	const unsigned char *data;
	size_t len;
	struct segment *segs;
	size_t nsegs, asegs;
	struct mapping *maps;
	size_t nmaps, amaps;
	int truncated;
	struct file_page pages[FILE_PAGES];
	unsigned long reads;
};

struct coremem *coremem_new(const unsigned char *data, size_t len)
{
	struct coremem *m = xcalloc(1, sizeof(*m));
	m->data = data;
	m->len = len;
	for (int i = 0; i < FILE_PAGES; i++)
		m->pages[i].fd = -1;
	return m;
}

void coremem_free(struct coremem *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nmaps; i++) {
		if (m->maps[i].fd >= 0) {
			/* several mappings share one descriptor: close it once */
			int fd = m->maps[i].fd;
			for (size_t k = i; k < m->nmaps; k++)
				if (m->maps[k].fd == fd)
					m->maps[k].fd = -1;
			close(fd);
		}
		elf_end(m->maps[i].elf);
		free(m->maps[i].path);
	}
	free(m->maps);
	free(m->segs);
	free(m);
}

void coremem_add_segment(struct coremem *m, uint64_t vaddr, uint64_t memsz, uint64_t offset,
			 uint64_t filesz, uint32_t flags)
{
	ALLOC_GROW(m->segs, m->nsegs + 1, m->asegs);
	if (filesz > memsz)
		filesz = memsz;
	/* what the core really holds of this segment */
	bool cut = false;
	if (filesz && (offset >= m->len || filesz > m->len - offset)) {
		m->truncated++;
		filesz = offset >= m->len ? 0 : m->len - offset;
		cut = true;
	}
	m->segs[m->nsegs++] = (struct segment){ vaddr, memsz, offset, filesz, flags, cut };
}

void coremem_add_file(struct coremem *m, uint64_t start, uint64_t end, uint64_t offset,
		      const char *path)
{
	ALLOC_GROW(m->maps, m->nmaps + 1, m->amaps);
	char *p = xmalloc(strlen(path) + 1);
	strcpy(p, path);
	m->maps[m->nmaps++] = (struct mapping){ .start = start, .end = end, .offset = offset,
						.path = p, .fd = -2 };
}

static int seg_cmp(const void *a, const void *b)
{
	const struct segment *x = a, *y = b;
	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static int map_cmp(const void *a, const void *b)
{
	const struct mapping *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

void coremem_seal(struct coremem *m)
{
	if (m->nsegs)
		qsort(m->segs, m->nsegs, sizeof(*m->segs), seg_cmp);
	if (m->nmaps)
		qsort(m->maps, m->nmaps, sizeof(*m->maps), map_cmp);
}

int coremem_truncated_segments(const struct coremem *m)
{
	return m->truncated;
}

static const struct segment *find_seg(const struct coremem *m, uint64_t addr)
{
	size_t lo = 0, hi = m->nsegs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->segs[mid].vaddr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const struct segment *s = &m->segs[lo - 1];
	return addr - s->vaddr < s->memsz ? s : NULL;
}

static struct mapping *find_map(struct coremem *m, uint64_t addr)
{
	size_t lo = 0, hi = m->nmaps;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->maps[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	struct mapping *p = &m->maps[lo - 1];
	return addr < p->end ? p : NULL;
}

/*
 * Opens P's file once for all the mappings of its path: a module file
 * elfshare.h keeps is read from memory (a triage worker reads a few pages
 * of the same libc for every core: no open, no read, no close), any other
 * through a descriptor.
 */
static void map_open(struct coremem *m, struct mapping *p)
{
	for (size_t i = 0; i < m->nmaps; i++) {
		const struct mapping *o = &m->maps[i];
		if (o->fd != -2 && o != p && !strcmp(o->path, p->path)) {
			p->fd = o->fd;
			p->image = o->image;
			p->image_len = o->image_len;
			return;
		}
	}
	struct stat st;
	if (stat(p->path, &st) == 0 && (p->elf = elfshare_get(&st))) {
		p->fd = -1;
		p->image = (const unsigned char *)elf_rawfile(p->elf, &p->image_len);
		if (p->image)
			return;
		elf_end(p->elf);
		p->elf = NULL;
	}
	p->fd = open(p->path, O_RDONLY | O_CLOEXEC);
}

/* Up to LEN bytes of FD at AT, through the pages kept in M (the older read again when neither holds AT); how many, or -1. */
static ssize_t read_page(struct coremem *m, int fd, off_t at, void *buf, size_t len)
{
	off_t page = at & ~(off_t)(FILE_PAGE - 1);
	struct file_page *pg = &m->pages[0];
	for (int i = 0; i < FILE_PAGES; i++) {
		if (m->pages[i].fd == fd && m->pages[i].off == page) {
			pg = &m->pages[i];
			break;
		}
		if (m->pages[i].used < pg->used)
			pg = &m->pages[i];
	}
	if (pg->fd != fd || pg->off != page) {
		pg->fd = -1;
		ssize_t r = pread(fd, pg->bytes, FILE_PAGE, page);
		if (r <= 0)
			return -1;
		pg->fd = fd;
		pg->off = page;
		pg->len = (size_t)r;
	}
	pg->used = ++m->reads;
	size_t in = (size_t)(at - page);
	if (in >= pg->len)
		return -1;
	size_t n = pg->len - in < len ? pg->len - in : len;
	memcpy(buf, pg->bytes + in, n);
	return (ssize_t)n;
}

/* Up to LEN bytes at ADDR from the mapped file; how many, or -1. */
static ssize_t read_file(struct coremem *m, uint64_t addr, void *buf, size_t len)
{
	struct mapping *p = find_map(m, addr);
	if (!p)
		return -1;
	if (p->fd == -2)
		map_open(m, p);
	uint64_t avail = p->end - addr;
	if (len > avail)
		len = (size_t)avail;
	uint64_t at = p->offset + (addr - p->start);
	if (p->image) {
		if (at >= p->image_len)
			return -1;
		size_t n = p->image_len - at < len ? (size_t)(p->image_len - at) : len;
		memcpy(buf, p->image + at, n);
		return (ssize_t)n;
	}
	int fd = p->fd;
	if (fd < 0)
		return -1;
	if (len >= FILE_PAGE) {
		ssize_t r = pread(fd, buf, len, (off_t)at);
		return r > 0 ? r : -1;
	}
	return read_page(m, fd, (off_t)at, buf, len);
}

int coremem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct coremem *m = ctx;
	unsigned char *out = buf;
	while (len) {
		const struct segment *s = find_seg(m, addr);
		if (!s) {
			/* gdb's gcore leaves unmodified file mappings out altogether */
			ssize_t r = read_file(m, addr, out, len);
			if (r <= 0)
				return -1;
			out += r;
			addr += (uint64_t)r;
			len -= (size_t)r;
			continue;
		}
		uint64_t rel = addr - s->vaddr;
		size_t n;
		if (rel < s->filesz) {
			n = (size_t)(s->filesz - rel < len ? s->filesz - rel : len);
			memcpy(out, m->data + s->offset + rel, n);
		} else {
			if (s->cut && (s->flags & PF_W))
				return -1;
			uint64_t left = s->memsz - rel;
			ssize_t r = read_file(m, addr, out, left < len ? (size_t)left : len);
			if (r <= 0)
				return -1;
			n = (size_t)r;
		}
		out += n;
		addr += n;
		len -= n;
	}
	return 0;
}
