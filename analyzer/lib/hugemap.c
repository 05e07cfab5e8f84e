/* Mappings at huge-page boundaries (hugemap.h). */
#include "analyzer/lib/hugemap.h"

#include <stdint.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analyzer/lib/fdio.h"

void *hugemap_reserve(size_t len, int prot)
{
	size_t span = len + HUGEMAP_PAGE;
	char *area = mmap(NULL, span, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return MAP_FAILED;
	char *at = (char *)(((uintptr_t)area + HUGEMAP_PAGE - 1) & ~(uintptr_t)(HUGEMAP_PAGE - 1));
	/* the rest of the reservation goes (the mapping ends at a page boundary) */
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	char *end = (char *)(((uintptr_t)(at + len) + page - 1) & ~(page - 1));
	if (at > area)
		munmap(area, (size_t)(at - area));
	if (end < area + span)
		munmap(end, (size_t)(area + span - end));
	return at;
}

void hugemap_advise(void *at, size_t len)
{
#ifdef MADV_HUGEPAGE
	madvise(at, len, MADV_HUGEPAGE);
#endif
}

void hugemap_advise_within(void *at, size_t len)
{
	uintptr_t from = ((uintptr_t)at + HUGEMAP_PAGE - 1) & ~(uintptr_t)(HUGEMAP_PAGE - 1);
	uintptr_t to = ((uintptr_t)at + len) & ~(uintptr_t)(HUGEMAP_PAGE - 1);
	if (to > from)
		hugemap_advise((void *)from, (size_t)(to - from));
}

bool hugemap_available(void)
{
	static _Atomic int known = -1; /* asked by the threads of a split parse: any may read the file first */
	int k = atomic_load_explicit(&known, memory_order_relaxed);
	if (k < 0) {
		struct strbuf mode = STRBUF_INIT; /* "always [madvise] never" */
		fd_first_line("/sys/kernel/mm/transparent_hugepage/enabled", &mode);
		k = strstr(mode.buf, "[always]") || strstr(mode.buf, "[madvise]");
		strbuf_release(&mode);
		atomic_store_explicit(&known, k, memory_order_relaxed);
	}
	return k;
}

void *hugemap_fresh(size_t len)
{
	if (len < HUGEMAP_PAGE)
		return mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	void *at = hugemap_reserve(len, PROT_READ | PROT_WRITE);
	if (at == MAP_FAILED)
		return MAP_FAILED;
	/* only whole huge pages: a partly used one would count 2 MB of RSS */
	hugemap_advise(at, len & ~(HUGEMAP_PAGE - 1));
#ifdef MADV_POPULATE_WRITE
	madvise(at, len, MADV_POPULATE_WRITE); /* a kernel before 5.14: pages come at first touch */
#endif
	return at;
}
