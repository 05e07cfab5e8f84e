#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ARENA_ALIGN 16
#define ARENA_BLOCK (64 * 1024)
#define ARENA_BLOCK_MAX (8 * 1024 * 1024)
#define ARENA_HUGE (2 * 1024 * 1024)

struct block {
	struct block *prev;
	size_t size;   /* usable bytes after the header */
	size_t used;
	/* data follows, aligned */
};

struct arena {
	struct block *head;
	void *last;        /* most recent allocation, for arena_grow in place */
	size_t used_total;
};

#define BLOCK_HEADER ((sizeof(struct block) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))
#define BLOCK_DATA(b) ((char *)(b) + BLOCK_HEADER)

void die_oom(void)
{
	static const char msg[] = "mortem: out of memory\n";
	ssize_t ignored = write(2, msg, sizeof(msg) - 1);
	(void)ignored;
	_exit(1);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		die_oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die_oom();
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		die_oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		die_oom();
	return p;
}

struct arena *arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	struct block *b = a->head;
	while (b) {
		struct block *prev = b->prev;
		free(b);
		b = prev;
	}
	free(a);
}

static size_t align_up(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

/*
 * Blocks grow with the arena (a quarter of what it holds, 64 KiB to 8 MiB):
 * a big dump gets few, large blocks, which are 2 MiB-aligned and offered
 * to the kernel for transparent huge pages (far fewer page faults).
 */
static struct block *block_alloc(size_t bytes)
{
	if (bytes < ARENA_HUGE)
		return xmalloc(bytes);
	void *p = NULL;
	bytes = (bytes + ARENA_HUGE - 1) & ~(size_t)(ARENA_HUGE - 1);
	if (posix_memalign(&p, ARENA_HUGE, bytes) != 0 || !p)
		die_oom();
#ifdef MADV_HUGEPAGE
	madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

static struct block *block_new(struct arena *a, size_t need)
{
	size_t grown = a->used_total / 4;
	if (grown > ARENA_BLOCK_MAX)
		grown = ARENA_BLOCK_MAX;
	size_t size = grown > ARENA_BLOCK ? grown : ARENA_BLOCK;
	if (need > size)
		size = need;
	if (size > SIZE_MAX - 2 * sizeof(struct block) - ARENA_ALIGN - ARENA_HUGE)
		die_oom();
	if (size + BLOCK_HEADER >= ARENA_HUGE)
		size = ((size + BLOCK_HEADER + ARENA_HUGE - 1) & ~(size_t)(ARENA_HUGE - 1)) - BLOCK_HEADER;
	struct block *b = block_alloc(BLOCK_HEADER + size);
	b->prev = a->head;
	b->size = size;
	b->used = 0;
	a->head = b;
	return b;
}

void *arena_alloc(struct arena *a, size_t size)
{
	size = align_up(size ? size : 1);
	struct block *b = a->head;
	if (!b || b->size - b->used < size)
		b = block_new(a, size);
	void *p = BLOCK_DATA(b) + b->used;
	b->used += size;
	a->used_total += size;
	memset(p, 0, size);
	a->last = p;
	return p;
}

void *arena_grow(struct arena *a, void *ptr, size_t old, size_t new)
{
	if (!ptr)
		return arena_alloc(a, new);
	struct block *b = a->head;
	size_t old_al = align_up(old ? old : 1), new_al = align_up(new ? new : 1);
	if (ptr == a->last && b && (char *)ptr + old_al == BLOCK_DATA(b) + b->used &&
	    b->size - b->used >= new_al - old_al) {
		b->used += new_al - old_al;
		a->used_total += new_al - old_al;
		memset((char *)ptr + old, 0, new - old);
		return ptr;
	}
	void *p = arena_alloc(a, new);
	memcpy(p, ptr, old);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
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

size_t arena_used(const struct arena *a)
{
	return a->used_total;
}
