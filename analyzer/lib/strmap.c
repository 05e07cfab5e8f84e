#include "analyzer/lib/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/arena.h"

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

/* The slot of the LEN bytes at KEY (hash H), or the empty slot where they would go. */
static size_t slot_of(const struct strmap *m, const char *key, size_t len, uint64_t h)
{
	size_t mask = m->cap - 1;
	size_t i = (size_t)h & mask;
	while (m->slots[i].key && (m->slots[i].hash != h || strncmp(m->slots[i].key, key, len) ||
				   m->slots[i].key[len]))
		i = (i + 1) & mask;
	return i;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t len = strlen(key);
	size_t i = slot_of(m, key, len, hash_bytes(key, len));
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
	return strmap_slot_n(m, key, strlen(key));
}

struct strmap_slot *strmap_slot_n(struct strmap *m, const char *key, size_t len)
{
	if ((m->count + 1) * 2 > m->cap)
		rehash(m, m->cap ? m->cap * 2 : 64);
	uint64_t h = hash_bytes(key, len);
	struct strmap_slot *s = &m->slots[slot_of(m, key, len, h)];
	if (!s->key) {
		s->key = key;
		s->hash = h;
		s->value = NULL;
		m->count++;
	}
	return s;
}

void strmap_prefetch(const struct strmap *m, const char *key, size_t len)
{
	if (m->cap)
		__builtin_prefetch(&m->slots[(size_t)hash_bytes(key, len) & (m->cap - 1)]);
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
