#ifndef MORTEM_TRIAGE_POOL_H
#define MORTEM_TRIAGE_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/lib/membudget.h"
#include "analyzer/model/options.h"

/*
 * The triage workers: N long-lived processes, each analyzing one artifact
 * at a time. An artifact travels as a file descriptor (SCM_RIGHTS over a
 * socketpair): the worker maps it, runs the pipeline and answers with one
 * record (triage_record.h, JSON) and its summary. A worker runs under an address-space
 * limit (RLIMIT_AS) and the parent under a clock: a worker that dies
 * (a signal, an exit) or overruns the timeout is killed and replaced, and
 * its artifact is reported as failed with the reason. Because a worker
 * lives for many artifacts, caches a parser keeps per process (debug info
 * by build-id) serve every later core it is given.
 */

struct pool;

/*
 * Called for every artifact handed to pool_submit, in completion order:
 * RECORD is the worker's JSON record and SUMMARY its summary (empty when
 * the record is a failed or skipped one; triage_record.h), or both NULL
 * with ERROR saying why there is none ("analysis killed by SIGSEGV",
 * "timed out after 5 s").
 */
typedef void (*pool_done_fn)(void *ctx, size_t tag, const char *record, const char *summary,
			     const char *error);

/*
 * Starts NWORKERS workers analyzing with O; TIMEOUT seconds per artifact
 * (0: none); what they decompress is taken from BUDGET (may be NULL).
 * Never NULL (dies on resource exhaustion).
 */
struct pool *pool_start(int nworkers, const struct mortem_opts *o, int timeout,
			struct membudget *budget, pool_done_fn done, void *ctx);

/*
 * Hands the LEN bytes readable from FD (named PATH) to the worker holding
 * the fewest artifacts, first waiting (and reporting completions) when all
 * are full: a worker holds the artifact it analyzes and up to seven more
 * (fewer with many workers), which it goes on with while the parent reads
 * its answers. When a worker dies, the artifact it analyzed fails and those
 * waiting go to its replacement. FD stays the caller's (the pool keeps a
 * copy while the artifact waits).
 */
void pool_submit(struct pool *p, int fd, size_t len, const char *path, size_t tag);

/*
 * Reports the artifacts that finished (or overran their time) within MS
 * milliseconds: returns after the first completions, or when MS passed.
 */
void pool_wait(struct pool *p, int ms);

/*
 * Waits until one artifact in flight is done (its completion reported).
 * Returns false at once when none is in flight.
 */
bool pool_wait_one(struct pool *p);

/* Waits for every artifact in flight, stops the workers, frees P. */
void pool_finish(struct pool *p);


#endif
