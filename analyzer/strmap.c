#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"

unsigned long long strmap_hash(const void *data, size_t len, unsigned long long seed)
{
	const unsigned char *p = data;
	unsigned long long h = seed ? seed : 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

uint64_t hash_bytes(const void *data, size_t len)
{
	const char *s = data;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	uint64_t w = 0;
	memcpy(&w, s + i, len - i);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

/* The slot of KEY (hash H), or the empty slot where it would go. */
static size_t slot_of(const struct strmap *m, const char *key, uint64_t h)
{
	size_t mask = m->cap - 1;
	size_t i = (size_t)h & mask;
	while (m->slots[i].key && (m->slots[i].hash != h || strcmp(m->slots[i].key, key)))
		i = (i + 1) & mask;
	return i;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t i = slot_of(m, key, hash_bytes(key, strlen(key)));
	return m->slots[i].key ? m->slots[i].value : NULL;
}

static void rehash(struct strmap *m, size_t cap)
{
	struct strmap_slot *n = table_calloc(cap, sizeof(*n));
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

struct strmap_slot *strmap_slot(struct strmap *m, const char *key)
{
	if ((m->count + 1) * 2 > m->cap)
		rehash(m, m->cap ? m->cap * 2 : 64);
	uint64_t h = hash_bytes(key, strlen(key));
	struct strmap_slot *s = &m->slots[slot_of(m, key, h)];
	if (!s->key) {
		s->key = key;
		s->hash = h;
		s->value = NULL;
		m->count++;
	}
	return s;
}

void strmap_put(struct strmap *m, const char *key, void *value)
{
	strmap_slot(m, key)->value = value;
}

void strmap_clear(struct strmap *m)
{
	table_free(m->slots, m->cap, sizeof(*m->slots));
	memset(m, 0, sizeof(*m));
}
