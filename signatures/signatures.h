#ifndef MORTEM_SIGNATURES_H
#define MORTEM_SIGNATURES_H

/*
 * The signature stage and the whole catalogue.
 *
 * signatures_analyze (an analysis stage, analyze.h) runs the C detectors
 * (detect.h), then the rules (built-in and --rules files, rules.h) on the
 * dump; it runs after the lock graph, so rules can refine its findings.
 */

#include "analyzer/model/dump.h"
#include "analyzer/lib/strbuf.h"
#include "signatures/rules.h"
#include "analyzer/model/options.h"

/* The analysis stage (analyzer/analysis/analyze.h): detectors, then rules. */
int signatures_analyze(struct dump *d, const struct mortem_opts *o, struct strbuf *err);

/* One catalogue line: id, severity, title, where it comes from. */
struct catalogue_line {
	const char *id;
	enum severity severity;
	const char *title;
	const char *origin;       /* "detector", "lock graph", or the rule file */
};

/*
 * Every finding id mortem can report, in order: the lock graph's, the C
 * detectors', then each rule id of RS not listed yet (RS may be NULL).
 * Calls FN once per id. Ids are unique in the listing.
 */
void signatures_catalogue(const struct ruleset *rs,
			  void (*fn)(const struct catalogue_line *line, void *ctx), void *ctx);

#endif
