#ifndef MORTEM_PTRMEMO_H
#define MORTEM_PTRMEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "analyzer/lib/hashmap.h"

/*
 * A small direct-mapped memo from an address and a count to a word, for an
 * answer that depends only on the N elements at an address and is asked
 * again and again: a pool's threads share one frames array, and a pass
 * over 200,000 threads asks once per array instead of once per thread.
 * A colliding key overwrites the slot, so a miss only costs the answer's
 * recomputation; no allocation, no rehash (PTRMEMO_SLOTS slots, on the
 * caller's stack or in its struct). ptrmemo_init empties it.
 */
#define PTRMEMO_SLOTS 512

struct ptrmemo {
	struct ptrmemo_slot {
		const void *key;   /* NULL: empty */
		size_t n;
		size_t value;
	} slot[PTRMEMO_SLOTS];
};

static inline void ptrmemo_init(struct ptrmemo *m)
{
	memset(m, 0, sizeof(*m));
}

static inline struct ptrmemo_slot *ptrmemo_slot(struct ptrmemo *m, const void *key)
{
	return &m->slot[hash_ptr(key) & (PTRMEMO_SLOTS - 1)];
}

/* The value kept for (KEY, N) into *VALUE; false when there is none. */
static inline bool ptrmemo_get(struct ptrmemo *m, const void *key, size_t n, size_t *value)
{
	const struct ptrmemo_slot *s = ptrmemo_slot(m, key);
	if (!key || s->key != key || s->n != n)
		return false;
	*value = s->value;
	return true;
}

/* Keeps VALUE for (KEY, N), KEY not NULL. */
static inline void ptrmemo_put(struct ptrmemo *m, const void *key, size_t n, size_t value)
{
	*ptrmemo_slot(m, key) = (struct ptrmemo_slot){ key, n, value };
}

#endif
