#ifndef MORTEM_STRMAP_H
#define MORTEM_STRMAP_H

#include <stddef.h>

/*
 * A map from NUL-terminated strings to pointers (open addressing).
 * Keys are not copied: they must outlive the map (arena strings do).
 */
struct strmap {
	const char **keys;
	void **values;
	size_t count, cap;
};

#define STRMAP_INIT { 0 }

/* The value for KEY, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);
/* Sets KEY to VALUE (VALUE must not be NULL). */
void strmap_put(struct strmap *m, const char *key, void *value);
void strmap_clear(struct strmap *m);
/* FNV-1a over LEN bytes. */
unsigned long long strmap_hash(const void *data, size_t len, unsigned long long seed);

#endif
