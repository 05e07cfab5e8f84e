#include "analyzer/lib/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Tables of this size or more are mapped on their own and asked for huge pages. */
#define TABLE_HUGE (2 * 1024 * 1024)

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

void *xreallocarray(void *ptr, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		die_oom();
	return xrealloc(ptr, n * size);
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

void *table_calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		die_oom();
	/*
	 * Written before it is read: a probe's read of an untouched page maps
	 * the zero page, and the write after it must then flush that mapping
	 * from every CPU a thread of this process runs on (a split parse,
	 * parsers/text/split.h): an interrupt to each, costly in a VM.
	 */
	if (n * size < TABLE_HUGE)
		return memset(xmalloc(n * size), 0, n * size);
	void *p = mmap(NULL, n * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die_oom();
#ifdef MADV_HUGEPAGE
	madvise(p, n * size, MADV_HUGEPAGE);
#endif
#ifdef MADV_POPULATE_WRITE
	madvise(p, n * size, MADV_POPULATE_WRITE);
#endif
	return p;
}

void table_free(void *p, size_t n, size_t size)
{
	if (!p)
		return;
	if (n * size < TABLE_HUGE)
		free(p);
	else
		munmap(p, n * size);
}
