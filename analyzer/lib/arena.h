#ifndef MORTEM_ARENA_H
#define MORTEM_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "analyzer/lib/xalloc.h"

/*
 * An arena owns every allocation made for one dump: parse, analyze and
 * render allocate from it, and arena_free() releases all at once.
 *
 * Allocation never fails: on memory exhaustion the process prints
 * "mortem: out of memory" and exits with status 1 (as git's xmalloc does),
 * because no caller could do anything better.
 */
struct arena;

/* A new, empty arena. */
struct arena *arena_new(void);

/* Releases the arena and every block allocated from it. NULL is a no-op. */
void arena_free(struct arena *a);

/*
 * A is going to hold about BYTES: its next blocks are that big (up to the
 * largest block), not small ones that grow with it (a part of a split
 * parse, made on a thread that would otherwise fault its pages in 4 KB).
 */
void arena_expect(struct arena *a, size_t bytes);

/*
 * Moves everything FROM holds into A, where it lives until arena_free(A),
 * and frees FROM: a dump parsed in parts on several threads (each part in
 * an arena of its own) becomes one. A goes on allocating where it was.
 */
void arena_adopt(struct arena *a, struct arena *from);

/* Zeroed memory of SIZE bytes, aligned for any type. */
void *arena_alloc(struct arena *a, size_t size);

/* Like arena_alloc, but the bytes are not zeroed (for callers that write all of them). */
void *arena_alloc_raw(struct arena *a, size_t size);

/*
 * Resizes an arena array PTR of OLD bytes to NEW bytes (NEW >= OLD) and
 * returns its new address; the first OLD bytes are kept, the rest zeroed.
 * Grows in place when PTR is the arena's most recent allocation. PTR may be
 * NULL when OLD is 0.
 */
void *arena_grow(struct arena *a, void *ptr, size_t old, size_t new);

/*
 * ALLOC_GROW (xalloc.h) for an array X in arena A: makes it hold at least N
 * of its elements (doubling, from 2: most of a dump's arrays are a
 * thread's one or two notes or locks, and the array last allocated grows
 * in place), keeping what it holds.
 */
#define ARENA_GROW(a, x, n, alloc)                                                   \
	do {                                                                         \
		if ((n) > (alloc)) {                                                 \
			size_t na_ = (alloc) ? (size_t)(alloc) * 2 : 2;              \
			if (na_ < (size_t)(n))                                       \
				na_ = (n);                                           \
			(x) = arena_grow((a), (x), (alloc) * sizeof(*(x)), na_ * sizeof(*(x))); \
			(alloc) = na_;                                               \
		}                                                                    \
	} while (0)

/* A NUL-terminated copy of the first LEN bytes of S (which may hold no NUL). */
char *arena_strndup(struct arena *a, const char *s, size_t len);

/* A copy of S, or NULL when S is NULL. */
char *arena_strdup(struct arena *a, const char *s);

/* A formatted string, printf-style. */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);


#endif
