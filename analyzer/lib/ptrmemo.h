#ifndef MORTEM_PTRMEMO_H
#define MORTEM_PTRMEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "analyzer/lib/hashmap.h"
#include "analyzer/lib/xalloc.h"

/*
 * A small direct-mapped memo from an address and a count to a word, for an
 * answer that depends only on the N elements at an address and is asked
 * again and again: a pool's threads share one frames array, and a pass
 * over 200,000 threads asks once per array instead of once per thread.
 * A colliding key overwrites the slot, so a miss only costs the answer's
 * recomputation; the table (PTRMEMO_SLOTS slots) is allocated by the first
 * ptrmemo_put, once, never grown or rehashed: a pass that keeps nothing
 * (a core's threads share no frames) allocates nothing.
 * PTRMEMO_INIT, then ptrmemo_release.
 */
#define PTRMEMO_SLOTS 512

struct ptrmemo_slot {
	const void *key;   /* NULL: empty */
	size_t n;
	size_t value;
};

struct ptrmemo {
	struct ptrmemo_slot *slot;   /* NULL until the first ptrmemo_put */
};

#define PTRMEMO_INIT { NULL }

static inline struct ptrmemo_slot *ptrmemo_slot(const struct ptrmemo *m, const void *key)
{
	return &m->slot[hash_ptr(key) & (PTRMEMO_SLOTS - 1)];
}

/* The value kept for (KEY, N) into *VALUE; false when there is none. */
static inline bool ptrmemo_get(const struct ptrmemo *m, const void *key, size_t n, size_t *value)
{
	if (!m->slot || !key)
		return false;
	const struct ptrmemo_slot *s = ptrmemo_slot(m, key);
	if (s->key != key || s->n != n)
		return false;
	*value = s->value;
	return true;
}

/* Keeps VALUE for (KEY, N), KEY not NULL. */
static inline void ptrmemo_put(struct ptrmemo *m, const void *key, size_t n, size_t value)
{
	if (!m->slot)
		m->slot = xcalloc(PTRMEMO_SLOTS, sizeof(*m->slot));
	*ptrmemo_slot(m, key) = (struct ptrmemo_slot){ key, n, value };
}

/* Frees the table; M is empty and reusable. */
static inline void ptrmemo_release(struct ptrmemo *m)
{
	free(m->slot);
	m->slot = NULL;
}

#endif
