#ifndef MORTEM_HASHMAP_H
#define MORTEM_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The one hash table: every map in mortem (ids to threads and locks,
 * interned strings, shared stacks, memos keyed by address) is this table.
 * Open addressing with linear probing, a power-of-two capacity, at most
 * half full. A slot keeps its key's 64-bit hash, so a probe rarely touches
 * a key's bytes; an empty slot has key NULL. Keys and values are never
 * copied or freed by the table: keys must outlive it (arena strings do).
 *
 * The core (hashmap_probe/hashmap_fill) never looks inside keys: callers
 * pass the hash and an equality test. Two kinds of keys have ready-made
 * calls below: NUL-terminated strings (hashmap_get/put/slot) and addresses
 * (hashmap_get_ptr/put_ptr). One table holds one kind of key.
 */
struct hashmap_slot {
	uint64_t hash;
	const void *key;          /* NULL: an empty slot */
	void *value;
};

struct hashmap {
	struct hashmap_slot *slots;
	size_t count, cap;
};

#define HASHMAP_INIT { 0 }

/* Frees the slots (not keys or values); M is left empty and reusable. */
void hashmap_clear(struct hashmap *m);

/* Makes room for one more key (grows the table when it would be over half full). */
void hashmap_reserve(struct hashmap *m);

/*
 * The slot whose key has HASH and satisfies EQ(key, CTX), or the empty slot
 * where such a key goes; NULL when the table has no slots yet (call
 * hashmap_reserve first when a key may be added). EQ is called only on
 * slots with an equal hash. Slot pointers are valid until the next
 * hashmap_reserve. Inline: with a static EQ the compiler folds it in.
 */
static inline struct hashmap_slot *hashmap_probe(const struct hashmap *m, uint64_t hash,
						 bool (*eq)(const void *key, const void *ctx),
						 const void *ctx)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1;
	for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
		struct hashmap_slot *s = &m->slots[i];
		if (!s->key || (s->hash == hash && eq(s->key, ctx)))
			return s;
	}
}

/* Puts KEY (with HASH, not NULL) in the empty slot S that hashmap_probe returned. */
static inline void hashmap_fill(struct hashmap *m, struct hashmap_slot *s, uint64_t hash,
				const void *key)
{
	s->hash = hash;
	s->key = key;
	s->value = NULL;
	m->count++;
}

/* ---- string keys ---- */

/* The value for the string KEY, or NULL. */
void *hashmap_get(const struct hashmap *m, const char *key);
/* Sets the string KEY to VALUE (not NULL). */
void hashmap_put(struct hashmap *m, const char *key, void *value);
/*
 * KEY's slot, added (key set to KEY, value NULL) when KEY is not there: one
 * look-up for "find or create". The caller may point slot->key at an equal
 * string that lives longer, and must set a non-NULL value before the next call.
 */
struct hashmap_slot *hashmap_slot(struct hashmap *m, const char *key);
/*
 * As hashmap_slot, for the LEN bytes at KEY (no NUL needed: a span of the
 * input). When the slot is new, its key points at those bytes: the caller
 * must point it at a NUL-terminated copy that outlives the map before any
 * other call.
 */
struct hashmap_slot *hashmap_slot_n(struct hashmap *m, const char *key, size_t len);
/*
 * A hint that the LEN bytes at KEY will be looked up soon: starts loading
 * their slot into the cache, so several look-ups' memory misses overlap.
 */
void hashmap_prefetch(const struct hashmap *m, const char *key, size_t len);

/* ---- address keys ---- */

/* KEY's value into *VALUE; false when KEY is not in the map. */
bool hashmap_get_ptr(const struct hashmap *m, const void *key, size_t *value);
/* Sets KEY (not NULL) to VALUE. */
void hashmap_put_ptr(struct hashmap *m, const void *key, size_t value);

/* ---- hashes ---- */

/*
 * FNV-1a over LEN bytes: stable across versions and machines, for ids that
 * are written out (bucket ids). Slow on long strings; tables use hash_bytes.
 */
uint64_t hash_fnv1a(const void *data, size_t len);
/* A fast hash of LEN bytes, eight at a time, for in-memory tables only. */
uint64_t hash_bytes(const void *data, size_t len);
/* A hash of an address, for in-memory tables only. */
static inline uint64_t hash_ptr(const void *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

#endif
