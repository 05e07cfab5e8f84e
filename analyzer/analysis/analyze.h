#ifndef MORTEM_ANALYZE_H
#define MORTEM_ANALYZE_H

#include "analyzer/model/dump.h"
#include "analyzer/model/options.h"
#include "analyzer/lib/strbuf.h"

/*
 * The analysis after a parse, as a list of stages defined once and run in
 * order. A stage reads the model and adds to it (locks, findings, the
 * signature); it never prints. It returns 0, or -1 with a message in ERR
 * for a failure that makes the whole analysis meaningless (rare: most
 * problems are warnings on the dump).
 *
 * X(function, name)
 */
#define ANALYSIS_STAGES(X)                 \
	X(locknative_analyze, "native locks")  \
	X(lockgraph_analyze, "lock graph")     \
	X(signatures_analyze, "signatures")    \
	X(bucket_compute, "signature")

#define X_DECLARE(fn, name) \
	int fn(struct dump *d, const struct mortem_opts *o, struct strbuf *err);
ANALYSIS_STAGES(X_DECLARE)
#undef X_DECLARE

/* Runs every stage on D. Returns 0, or -1 with ERR from the stage that failed. */
int analyze_dump(struct dump *d, const struct mortem_opts *o, struct strbuf *err);

#endif
