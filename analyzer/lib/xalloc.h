#ifndef MORTEM_XALLOC_H
#define MORTEM_XALLOC_H

#include <stddef.h>

/*
 * Memory that never fails: on exhaustion the process prints "mortem: out
 * of memory" and exits with status 1 (as git's xmalloc does), because no
 * caller could do anything better.
 */

/* Aborts the process with "mortem: out of memory". */
void die_oom(void) __attribute__((noreturn));

/* malloc/realloc/calloc/strdup that never return NULL (die_oom instead). */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
/* xrealloc of N elements of SIZE bytes; dies on overflow of N * SIZE. */
void *xreallocarray(void *ptr, size_t n, size_t size);
char *xstrdup(const char *s);

/*
 * The one growth rule for arrays on the heap: makes the array X, which has
 * room for ALLOC elements, hold at least N (doubling, from 8). X may be NULL
 * with ALLOC 0. (Arrays in a dump's arena grow with ARENA_GROW, arena.h.)
 */
#define ALLOC_GROW(x, n, alloc)                                              \
	do {                                                                 \
		if ((n) > (alloc)) {                                         \
			size_t na_ = (alloc) ? (size_t)(alloc) * 2 : 8;      \
			if (na_ < (size_t)(n))                               \
				na_ = (n);                                   \
			(x) = xreallocarray((x), na_, sizeof(*(x)));         \
			(alloc) = na_;                                       \
		}                                                            \
	} while (0)

/*
 * Zeroed memory for a big table that is probed at random (hash tables of a
 * big dump): from 2 MB on it is mapped on its own and asked for huge pages,
 * which spares a TLB miss on most probes. Free with table_free and the same
 * sizes.
 */
void *table_calloc(size_t n, size_t size);
void table_free(void *p, size_t n, size_t size);

#endif
