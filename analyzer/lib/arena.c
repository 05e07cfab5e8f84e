#include "analyzer/lib/arena.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ARENA_ALIGN 16
#define ARENA_BLOCK (64 * 1024)
/*
 * Blocks grow with the arena (a quarter of what it holds, up to
 * ARENA_BLOCK_MAX): a dump of 100 MB is not 1,600 small blocks. Blocks of
 * ARENA_HUGE or more are mapped directly and asked for huge pages, which
 * spares most page faults on large dumps.
 */
#define ARENA_BLOCK_MAX (32 * 1024 * 1024)
#define ARENA_HUGE (2 * 1024 * 1024)

struct block {
	struct block *prev;
	size_t size;   /* usable bytes after the header */
	size_t used;
	bool mapped;   /* from mmap (free with munmap), else malloc */
	/* data follows, aligned */
};

struct arena {                /* at most ARENA_LINE bytes */
	struct block *head;
	void *last;        /* most recent allocation, for arena_grow in place */
	size_t used_total;
	size_t expect;     /* arena_expect's */
};

#define BLOCK_HEADER ((sizeof(struct block) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))
#define BLOCK_DATA(b) ((char *)(b) + BLOCK_HEADER)

/* On a cache line of its own: the arenas of a split parse's parts are made together and written by different threads. */
#define ARENA_LINE 64

struct arena *arena_new(void)
{
	void *a;
	if (posix_memalign(&a, ARENA_LINE, ARENA_LINE))
		die_oom();
	return memset(a, 0, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	struct block *b = a->head;
	while (b) {
		struct block *prev = b->prev;
		if (b->mapped)
			munmap(b, BLOCK_HEADER + b->size);
		else
			free(b);
		b = prev;
	}
	free(a);
}

void arena_expect(struct arena *a, size_t bytes)
{
	a->expect = bytes;
}

void arena_adopt(struct arena *a, struct arena *from)
{
	struct block *tail = from->head;
	if (tail) {
		while (tail->prev)
			tail = tail->prev;
		if (a->head) { /* behind A's current block, which stays the one allocated from */
			tail->prev = a->head->prev;
			a->head->prev = from->head;
		} else {
			a->head = from->head;
			a->last = NULL;
		}
		a->used_total += from->used_total;
	}
	free(from);
}

static struct block *block_map(size_t size)
{
	void *p = mmap(NULL, BLOCK_HEADER + size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die_oom();
#ifdef MADV_HUGEPAGE
	madvise(p, BLOCK_HEADER + size, MADV_HUGEPAGE);
#endif
	struct block *b = p;
	b->mapped = true;
	return b;
}

static struct block *block_new(struct arena *a, size_t need)
{
	size_t grow = a->used_total / 4 > a->expect ? a->used_total / 4 : a->expect;
	if (grow > ARENA_BLOCK_MAX)
		grow = ARENA_BLOCK_MAX;
	size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
	if (grow > size)
		size = grow;
	if (size > SIZE_MAX - 2 * sizeof(struct block) - ARENA_ALIGN)
		die_oom();
	struct block *b;
	if (size >= ARENA_HUGE) {
		size = (size + ARENA_HUGE - 1) & ~(size_t)(ARENA_HUGE - 1);
		b = block_map(size - BLOCK_HEADER);
		size -= BLOCK_HEADER;
	} else {
		b = xmalloc(BLOCK_HEADER + size);
		b->mapped = false;
	}
	b->prev = a->head;
	b->size = size;
	b->used = 0;
	a->head = b;
	return b;
}

/*
 * SIZE bytes at a multiple of ALIGN (1, or ARENA_ALIGN for anything but a
 * string): a string takes only its bytes, and what follows it is aligned
 * where it begins.
 */
static inline void *take(struct arena *a, size_t size, size_t align)
{
	struct block *b = a->head;
	size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;
	if (!b || at > b->size || b->size - at < size) {
		b = block_new(a, size);
		at = 0;
	}
	void *p = BLOCK_DATA(b) + at;
	a->used_total += at + size - b->used;
	b->used = at + size;
	a->last = p;
	return p;
}

void *arena_alloc_raw(struct arena *a, size_t size)
{
	return take(a, size ? size : 1, ARENA_ALIGN);
}

void *arena_alloc(struct arena *a, size_t size)
{
	void *p = arena_alloc_raw(a, size);
	/* a mapped block is fresh zero pages, and the arena never hands out a byte twice */
	if (!a->head->mapped)
		memset(p, 0, size ? size : 1);
	return p;
}

void *arena_grow(struct arena *a, void *ptr, size_t old, size_t new)
{
	if (!ptr)
		return arena_alloc(a, new);
	struct block *b = a->head;
	if (ptr == a->last && b && new > old && (char *)ptr + old == BLOCK_DATA(b) + b->used &&
	    b->size - b->used >= new - old) {
		b->used += new - old;
		a->used_total += new - old;
		memset((char *)ptr + old, 0, new - old);
		return ptr;
	}
	void *p = arena_alloc_raw(a, new);
	memcpy(p, ptr, old < new ? old : new);
	if (new > old)
		memset((char *)p + old, 0, new - old);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = take(a, len + 1, 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		n = 0;
	char *p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

