#include "analyzer/lib/membudget.h"

#include <sys/mman.h>

#include "analyzer/lib/xalloc.h"

struct membudget {
	uint64_t total;
	uint64_t used;   /* atomic: taken by every process sharing the mapping */
	uint64_t peak;   /* atomic */
};

struct membudget *membudget_new(uint64_t total)
{
	void *m = mmap(NULL, sizeof(struct membudget), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		die_oom();
	struct membudget *b = m;
	b->total = total;
	b->used = b->peak = 0;
	return b;
}

void membudget_free(struct membudget *b)
{
	if (b)
		munmap(b, sizeof(*b));
}

uint64_t membudget_total(const struct membudget *b)
{
	return b->total;
}

uint64_t membudget_used(const struct membudget *b)
{
	return __atomic_load_n(&b->used, __ATOMIC_SEQ_CST);
}

uint64_t membudget_peak(const struct membudget *b)
{
	return __atomic_load_n(&b->peak, __ATOMIC_SEQ_CST);
}

bool membudget_take(struct membudget *b, uint64_t n)
{
	uint64_t used = __atomic_load_n(&b->used, __ATOMIC_SEQ_CST);
	do {
		if (n > b->total || used > b->total - n)
			return false;
	} while (!__atomic_compare_exchange_n(&b->used, &used, used + n, false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	uint64_t peak = __atomic_load_n(&b->peak, __ATOMIC_SEQ_CST);
	while (used + n > peak &&
	       !__atomic_compare_exchange_n(&b->peak, &peak, used + n, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST))
		;
	return true;
}

void membudget_give(struct membudget *b, uint64_t n)
{
	__atomic_sub_fetch(&b->used, n, __ATOMIC_SEQ_CST);
}
