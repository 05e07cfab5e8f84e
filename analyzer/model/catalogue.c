#include "analyzer/model/catalogue.h"

#include <stdlib.h>
#include <string.h>

const struct catalogue_entry catalogue[] = {
#define X_ENTRY(id, sev, title, origin) { id, sev, title, origin },
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

struct finding *catalogue_add_finding(struct dump *d, const char *id, enum confidence conf)
{
	const struct catalogue_entry *e = catalogue_find(id);
	if (!e)
		abort();
	return dump_add_finding(d, e->id, e->title, e->severity, conf);
}
