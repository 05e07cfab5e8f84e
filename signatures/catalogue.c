#include "signatures/catalogue.h"

#include <string.h>

const struct catalogue_entry catalogue[] = {
#define X_ENTRY(id, sev, title) { id, sev, title },
	CATALOGUE(X_ENTRY)
#undef X_ENTRY
};

const size_t catalogue_count = sizeof(catalogue) / sizeof(catalogue[0]);

const struct catalogue_entry *catalogue_find(const char *id)
{
	for (size_t i = 0; i < catalogue_count; i++)
		if (!strcmp(catalogue[i].id, id))
			return &catalogue[i];
	return NULL;
}
