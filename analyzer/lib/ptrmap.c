#include "analyzer/lib/ptrmap.h"

#include <stdint.h>
#include <string.h>

#include "analyzer/lib/arena.h"

static size_t index_of(const void *key, size_t cap)
{
	uint64_t h = (uint64_t)(uintptr_t)key * 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 24) & (cap - 1);
}

static size_t slot_of(const struct ptrmap *m, const void *key)
{
	size_t i = index_of(key, m->cap);
	while (m->slots[i].key && m->slots[i].key != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

bool ptrmap_get(const struct ptrmap *m, const void *key, size_t *value)
{
	if (!m->cap)
		return false;
	size_t i = slot_of(m, key);
	if (!m->slots[i].key)
		return false;
	*value = m->slots[i].value;
	return true;
}

static void rehash(struct ptrmap *m, size_t cap)
{
	struct ptrmap_slot *n = table_calloc(cap, sizeof(*n));
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		size_t k = index_of(m->slots[i].key, cap);
		while (n[k].key)
			k = (k + 1) & (cap - 1);
		n[k] = m->slots[i];
	}
	table_free(m->slots, m->cap, sizeof(*m->slots));
	m->slots = n;
	m->cap = cap;
}

void ptrmap_put(struct ptrmap *m, const void *key, size_t value)
{
	if ((m->count + 1) * 2 > m->cap)
		rehash(m, m->cap ? m->cap * 2 : 64);
	size_t i = slot_of(m, key);
	if (!m->slots[i].key) {
		m->slots[i].key = key;
		m->count++;
	}
	m->slots[i].value = value;
}

void ptrmap_clear(struct ptrmap *m)
{
	table_free(m->slots, m->cap, sizeof(*m->slots));
	memset(m, 0, sizeof(*m));
}
