#include "signatures.h"

#include <stdlib.h>
#include <string.h>

#include "../analyzer/analyze.h"
#include "catalogue.h"
#include "detect.h"

int signatures_analyze(struct dump *d, const struct mortem_opts *o, struct strbuf *err)
{
	for (size_t i = 0; i < detectors_count; i++)
		if (!dump_find_finding(d, detectors[i].id))
			detectors[i].run(d);
	const struct ruleset *rs = ruleset_shared(o->rules_files, o->nrules_files, err);
	if (!rs)
		return -1;
	return ruleset_apply(rs, d, err);
}

/* Ids listed so far, to keep the listing unique. */
struct listed {
	const char **ids;
	size_t n;
};

static bool listed_add(struct listed *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->ids[i], id))
			return false;
	l->ids = xrealloc(l->ids, (l->n + 1) * sizeof(*l->ids));
	l->ids[l->n++] = id;
	return true;
}

void signatures_catalogue(const struct ruleset *rs,
			  void (*fn)(const struct catalogue_line *line, void *ctx), void *ctx)
{
	struct listed l = { 0 };
	static const char *const lockgraph_ids[] = { "lock-cycle", "lock-contention" };
	for (size_t i = 0; i < sizeof(lockgraph_ids) / sizeof(*lockgraph_ids); i++) {
		const struct catalogue_entry *e = catalogue_find(lockgraph_ids[i]);
		struct catalogue_line line = { e->id, e->severity, e->title, "lock graph" };
		listed_add(&l, e->id);
		fn(&line, ctx);
	}
	for (size_t i = 0; i < detectors_count; i++) {
		struct catalogue_line line = { detectors[i].id, detectors[i].severity, detectors[i].title,
					       "detector" };
		if (listed_add(&l, line.id))
			fn(&line, ctx);
	}
	for (size_t i = 0; rs && i < ruleset_count(rs); i++) {
		struct rule_info r = ruleset_rule(rs, i);
		struct catalogue_line line = { r.id, r.severity, r.title, r.origin };
		if (listed_add(&l, line.id))
			fn(&line, ctx);
	}
	free(l.ids);
}
