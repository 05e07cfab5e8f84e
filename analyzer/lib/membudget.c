#include "analyzer/lib/membudget.h"

#include <sys/mman.h>

#include "analyzer/lib/xalloc.h"

struct membudget {
	uint64_t total;
	uint64_t used;   /* atomic: taken by every process sharing the mapping */
	uint64_t peak;   /* atomic */
	struct membudget *whole; /* a share: the budget it draws on (same address after fork); USED is its own */
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
	b->whole = NULL;
	return b;
}

struct membudget *membudget_share(struct membudget *b)
{
	struct membudget *s = membudget_new(b->total);
	s->whole = b;
	return s;
}

uint64_t membudget_own(const struct membudget *s)
{
	return __atomic_load_n(&s->used, __ATOMIC_SEQ_CST);
}

void membudget_disown(struct membudget *s, uint64_t n)
{
	__atomic_sub_fetch(&s->used, n, __ATOMIC_SEQ_CST);
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
	if (b->whole)
		return membudget_used(b->whole);
	return __atomic_load_n(&b->used, __ATOMIC_SEQ_CST);
}

uint64_t membudget_peak(const struct membudget *b)
{
	if (b->whole)
		return membudget_peak(b->whole);
	return __atomic_load_n(&b->peak, __ATOMIC_SEQ_CST);
}

bool membudget_take(struct membudget *b, uint64_t n)
{
	if (b->whole) {
		/*
		 * B first: a process killed between the two leaks N bytes of
		 * the budget (it only ever stays under), never gives back
		 * bytes it did not take.
		 */
		if (!membudget_take(b->whole, n))
			return false;
		__atomic_add_fetch(&b->used, n, __ATOMIC_SEQ_CST);
		return true;
	}
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
	if (b->whole)
		membudget_give(b->whole, n);
}
