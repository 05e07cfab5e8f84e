#ifndef MORTEM_TRIAGEDB_H
#define MORTEM_TRIAGEDB_H

#include <stdint.h>

#include "analyzer/lib/strbuf.h"

/*
 * triage --db: results kept in SQLite (WAL mode, one transaction per
 * artifact, so a run killed at any point loses at most the artifacts in
 * flight), keyed by the artifact's content hash (contenthash.h). Each
 * artifact row holds its triage record (triage_record.h) and when the
 * database first and last saw it; each run adds a row and the count of
 * every bucket it reported, so bucket history accumulates.
 *
 * Every call returns 0 (or the documented value), or -1 with a message in ERR.
 */

struct triagedb;

int triagedb_open(struct triagedb **db, const char *path, struct strbuf *err);
void triagedb_close(struct triagedb *db);

/*
 * The stored record for HASH: returns 1 with a malloc'ed copy in *RECORD
 * (the caller frees) and when it was first seen in *FIRST_SEEN; 0 when the
 * database does not hold it; -1 on error.
 */
int triagedb_lookup(struct triagedb *db, const char *hash, char **record, int64_t *first_seen,
		    struct strbuf *err);

/*
 * Stores (or updates) the artifact HASH found at PATH (file time MTIME) with
 * its RECORD, seen at NOW; an artifact already stored keeps its first-seen
 * time. Committed before it returns.
 */
int triagedb_store(struct triagedb *db, const char *hash, const char *path, int64_t mtime,
		   const char *record, int64_t now, struct strbuf *err);

/* Marks HASH as seen again at NOW. */
int triagedb_touch(struct triagedb *db, const char *hash, int64_t now, struct strbuf *err);

/* Calls FN for every stored artifact first seen at or after SINCE, ordered by path. */
typedef void (*triagedb_each_fn)(void *ctx, const char *hash, const char *path, int64_t mtime,
				 int64_t first_seen, const char *record);
int triagedb_each(struct triagedb *db, int64_t since, triagedb_each_fn fn, void *ctx,
		  struct strbuf *err);

/* Records a run at NOW that found FOUND artifacts, NEW of them analyzed; returns its id or -1. */
int64_t triagedb_add_run(struct triagedb *db, int64_t now, int64_t found, int64_t fresh,
			 struct strbuf *err);
/* Adds bucket BUCKET's COUNT in run RUN. */
int triagedb_add_count(struct triagedb *db, int64_t run, const char *bucket, const char *signature,
		       int64_t count, struct strbuf *err);

/* Calls FN with (run time, count) for every run that reported BUCKET, oldest first. */
typedef void (*triagedb_history_fn)(void *ctx, int64_t time, int64_t count);
int triagedb_history(struct triagedb *db, const char *bucket, triagedb_history_fn fn, void *ctx,
		     struct strbuf *err);

/* Wraps several stores in one transaction (begin/commit). */
int triagedb_begin(struct triagedb *db, struct strbuf *err);
int triagedb_commit(struct triagedb *db, struct strbuf *err);

#endif
