#ifndef MORTEM_STRMAP_H
#define MORTEM_STRMAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * A map from NUL-terminated strings to pointers (open addressing; each
 * slot keeps its key's hash, so a probe rarely touches a key's bytes).
 * Keys are not copied: they must outlive the map (arena strings do).
 */
struct strmap_slot {
	uint64_t hash;
	const char *key;          /* NULL: an empty slot */
	void *value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t count, cap;
};

#define STRMAP_INIT { 0 }

/* The value for KEY, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);
/* Sets KEY to VALUE (VALUE must not be NULL). */
void strmap_put(struct strmap *m, const char *key, void *value);
void strmap_clear(struct strmap *m);
/*
 * KEY's slot, added (key set to KEY, value NULL) when KEY is not there: one
 * lookup for "find or create". The caller may point slot->key at an equal
 * string that lives longer, and must set a NULL value before the next call.
 */
struct strmap_slot *strmap_slot(struct strmap *m, const char *key);
/*
 * As strmap_slot, for the LEN bytes at KEY (no NUL needed: a span of the
 * input). When the slot is new, its key points at those bytes: the caller
 * must point it at a NUL-terminated copy that outlives the map before any
 * other call.
 */
struct strmap_slot *strmap_slot_n(struct strmap *m, const char *key, size_t len);
/*
 * A hint that the LEN bytes at KEY will be looked up soon: starts loading
 * their slot into the cache, so several look-ups' memory misses overlap.
 */
void strmap_prefetch(const struct strmap *m, const char *key, size_t len);

/*
 * FNV-1a over LEN bytes: stable across versions and machines, for ids that
 * are written out (bucket ids). Slow on long strings; in-memory tables use
 * hash_bytes.
 */
unsigned long long strmap_hash(const void *data, size_t len, unsigned long long seed);
/* A fast hash of LEN bytes, eight at a time, for in-memory tables only. */
uint64_t hash_bytes(const void *data, size_t len);

#endif
