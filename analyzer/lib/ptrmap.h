#ifndef MORTEM_PTRMAP_H
#define MORTEM_PTRMAP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A map from pointers to size_t values (open addressing), for memos keyed
 * by an object's address: "this shared stack was already rendered".
 */
struct ptrmap_slot {
	const void *key;          /* NULL: an empty slot */
	size_t value;
};

struct ptrmap {
	struct ptrmap_slot *slots;
	size_t cap, count;
};

#define PTRMAP_INIT { 0 }

/* KEY's value, or false when KEY is not in the map. */
bool ptrmap_get(const struct ptrmap *m, const void *key, size_t *value);
/* Sets KEY (not NULL) to VALUE. */
void ptrmap_put(struct ptrmap *m, const void *key, size_t value);
void ptrmap_clear(struct ptrmap *m);

#endif
