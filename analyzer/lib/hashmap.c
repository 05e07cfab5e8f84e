#include "analyzer/lib/hashmap.h"

#include <string.h>

#include "analyzer/lib/xalloc.h"

void hashmap_clear(struct hashmap *m)
{
	table_free(m->slots, m->cap, sizeof(*m->slots));
	memset(m, 0, sizeof(*m));
}

void hashmap_reserve(struct hashmap *m)
{
	if ((m->count + 1) * 2 <= m->cap)
		return;
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct hashmap_slot *n = table_calloc(cap, sizeof(*n));
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		size_t k = (size_t)m->slots[i].hash & (cap - 1);
		while (n[k].key)
			k = (k + 1) & (cap - 1);
		n[k] = m->slots[i];
	}
	table_free(m->slots, m->cap, sizeof(*m->slots));
	m->slots = n;
	m->cap = cap;
}

/* ---- string keys ---- */

struct span_key {
	const char *s;
	size_t len;
};

static bool span_eq(const void *key, const void *ctx)
{
	const struct span_key *k = ctx;
	const char *s = key;
	return !strncmp(s, k->s, k->len) && !s[k->len];
}

void *hashmap_get(const struct hashmap *m, const char *key)
{
	struct span_key k = { key, strlen(key) };
	struct hashmap_slot *s = hashmap_probe(m, hash_bytes(key, k.len), span_eq, &k);
	return s && s->key ? s->value : NULL;
}

struct hashmap_slot *hashmap_slot_n(struct hashmap *m, const char *key, size_t len)
{
	hashmap_reserve(m);
	struct span_key k = { key, len };
	uint64_t h = hash_bytes(key, len);
	struct hashmap_slot *s = hashmap_probe(m, h, span_eq, &k);
	if (!s->key)
		hashmap_fill(m, s, h, key);
	return s;
}

struct hashmap_slot *hashmap_slot(struct hashmap *m, const char *key)
{
	return hashmap_slot_n(m, key, strlen(key));
}

void hashmap_put(struct hashmap *m, const char *key, void *value)
{
	hashmap_slot(m, key)->value = value;
}

void hashmap_prefetch(const struct hashmap *m, const char *key, size_t len)
{
	if (m->cap)
		__builtin_prefetch(&m->slots[(size_t)hash_bytes(key, len) & (m->cap - 1)]);
}

/* ---- address keys ---- */

static bool ptr_eq(const void *key, const void *ctx)
{
	return key == ctx;
}

bool hashmap_get_ptr(const struct hashmap *m, const void *key, size_t *value)
{
	struct hashmap_slot *s = hashmap_probe(m, hash_ptr(key), ptr_eq, key);
	if (!s || !s->key)
		return false;
	*value = (size_t)(uintptr_t)s->value;
	return true;
}

void hashmap_put_ptr(struct hashmap *m, const void *key, size_t value)
{
	hashmap_reserve(m);
	uint64_t h = hash_ptr(key);
	struct hashmap_slot *s = hashmap_probe(m, h, ptr_eq, key);
	if (!s->key)
		hashmap_fill(m, s, h, key);
	s->value = (void *)(uintptr_t)value;
}

/* ---- hashes ---- */

uint64_t hash_fnv1a(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Two independent lanes of 8 bytes: the multiplies of one 16-byte step overlap. */
uint64_t hash_bytes(const void *data, size_t len)
{
	const char *s = data;
	uint64_t a = 0x9e3779b97f4a7c15ULL ^ len, b = 0x6a09e667f3bcc909ULL;
	size_t i = 0;
	for (; i + 16 <= len; i += 16) {
		uint64_t w1, w2;
		memcpy(&w1, s + i, 8);
		memcpy(&w2, s + i + 8, 8);
		a = (a ^ w1) * 0xff51afd7ed558ccdULL;
		b = (b ^ w2) * 0xc4ceb9fe1a85ec53ULL;
		a ^= a >> 32;
		b ^= b >> 29;
	}
	if (i + 8 <= len) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		a = (a ^ w) * 0xff51afd7ed558ccdULL;
		a ^= a >> 32;
		i += 8;
	}
	uint64_t w = 0;
	memcpy(&w, s + i, len - i);
	uint64_t h = (a ^ w ^ (b << 23 | b >> 41)) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}
