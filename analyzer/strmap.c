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

static size_t slot_of(const struct strmap *m, const char *key)
{
	size_t mask = m->cap - 1;
	size_t i = (size_t)strmap_hash(key, strlen(key), 0) & mask;
	while (m->keys[i] && strcmp(m->keys[i], key))
		i = (i + 1) & mask;
	return i;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t i = slot_of(m, key);
	return m->keys[i] ? m->values[i] : NULL;
}

static void rehash(struct strmap *m, size_t cap)
{
	struct strmap n = { xcalloc(cap, sizeof(char *)), xcalloc(cap, sizeof(void *)), 0, cap };
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			strmap_put(&n, m->keys[i], m->values[i]);
	free(m->keys);
	free(m->values);
	*m = n;
}

void strmap_put(struct strmap *m, const char *key, void *value)
{
	if ((m->count + 1) * 4 >= m->cap * 3)
		rehash(m, m->cap ? m->cap * 2 : 64);
	size_t i = slot_of(m, key);
	if (!m->keys[i]) {
		m->keys[i] = key;
		m->count++;
	}
	m->values[i] = value;
}

void strmap_clear(struct strmap *m)
{
	free(m->keys);
	free(m->values);
	memset(m, 0, sizeof(*m));
}
