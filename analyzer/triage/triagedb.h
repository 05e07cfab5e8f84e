#ifndef MORTEM_TRIAGEDB_H
#define MORTEM_TRIAGEDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/lib/strbuf.h"

/*
 * triage --db: the bucket store. One interface, two back ends behind a
 * const ops table: SQLite (a file path; one machine) and PostgreSQL (a
 * libpq URI, postgresql://... or postgres://...; a fleet). Both hold the
 * same versioned schema, created and migrated by mortem:
 *
 *   meta           schema_version
 *   artifacts      one row per content hash (contenthash.h): where it was
 *                  first found, first and last seen, and its claim (which
 *                  worker analyzes it, until when) until it is stored
 *   results        the artifact's triage record (triage_record.h), its
 *                  status, bucket and signature
 *   buckets        every bucket's count of stored artifacts, first and
 *                  last stored
 *   runs           one row per run with PATHs (worker, found, new, known)
 *   bucket_counts  each run's count per bucket: the history
 *
 * Any number of workers (mortem processes, on any number of machines) may
 * use one store at once. A worker claims an artifact by its hash before
 * analyzing it; a claim lasts a lease and is given up when the analysis
 * crashes or times out. A claim whose lease ran out, or whose worker is a
 * dead process of this machine, is taken by the next worker that meets
 * the artifact. A result, its artifact's state and its bucket's count are
 * committed together, once per artifact: nothing is counted twice or lost.
 *
 * Every call returns 0 (or the documented value), or -1 with a message in
 * ERR. After an error that lost the connection, every later call fails.
 */

struct triagedb;

enum triagedb_mode {
	TRIAGEDB_READ,  /* reports only: nothing is written, no schema or setting changed */
	TRIAGEDB_WRITE, /* creates or upgrades the schema, claims, stores */
};

/* The schema this mortem writes; a store of a higher version is refused. */
#define TRIAGEDB_SCHEMA_VERSION 2

/*
 * TARGET as it may be shown to a user: a URI without its password (in the
 * user part or a password= parameter); a path as is. Never NULL; the
 * caller frees it.
 */
char *triagedb_redact(const char *target);

/*
 * Opens the store TARGET (a postgresql:// or postgres:// URI: PostgreSQL;
 * else a file path: SQLite) in MODE. WRITE creates a
 * missing store (a new file, or the schema in an existing database) and
 * upgrades an older schema; a store of a newer mortem, a file that holds
 * another application's tables, a read-only store opened to WRITE, an
 * unreachable server, wrong credentials are errors, and nothing is changed.
 * Messages never contain a password.
 */
int triagedb_open(struct triagedb **db, const char *target, enum triagedb_mode mode,
		  struct strbuf *err);
void triagedb_close(struct triagedb *db);

enum triagedb_claim_state {
	TRIAGEDB_MINE,  /* claimed: analyze it, then store or release it */
	TRIAGEDB_KNOWN, /* already stored: RECORD holds the result */
	TRIAGEDB_BUSY,  /* another live worker holds it: ask again later */
	TRIAGEDB_FREE,  /* triagedb_peek only: no result, no live claim: claim it */
};

/* One artifact to claim: the caller fills the first three fields. */
struct triagedb_claim {
	const char *hash;
	const char *path;
	int64_t mtime;
	enum triagedb_claim_state state;
	char *record;       /* KNOWN: the stored record (malloc'ed; triagedb_claim_release frees it) */
	int64_t first_seen; /* KNOWN and MINE: when the store first saw the artifact */
	char *holder;       /* BUSY: the worker that holds it, "HOST pid PID" */
	int64_t until;      /* BUSY: when its lease runs out (the store's clock) */
};

/*
 * Claims the N artifacts of CLAIMS (in one transaction or one round trip
 * where the back end allows) for LEASE seconds, marks each as seen at NOW,
 * and fills their state. A claim held by a dead process of this machine
 * is taken over at once; one this worker holds is MINE again (the caller
 * keeps track of what it is analyzing).
 */
int triagedb_claim(struct triagedb *db, struct triagedb_claim *claims, size_t n, int64_t now,
		   int64_t lease, struct strbuf *err);
/*
 * Looks at the N artifacts of CLAIMS without claiming, marking or writing
 * anything (one query where the back end allows): KNOWN with the record,
 * BUSY while another live worker's claim lasts, else FREE (an artifact
 * the store does not hold is FREE). Cheaper than a claim: a worker waiting
 * for other workers' artifacts peeks, and claims only what is FREE.
 */
int triagedb_peek(struct triagedb *db, struct triagedb_claim *claims, size_t n, int64_t now,
		  struct strbuf *err);

/* Frees what a claim returned (record, holder); the caller's fields stay. */
void triagedb_claim_release(struct triagedb_claim *c);

/* Gives up the claim on HASH (its analysis failed): the next worker may try it. */
int triagedb_release(struct triagedb *db, const char *hash, struct strbuf *err);

/* The result of one claimed artifact. */
struct triagedb_result {
	const char *hash;
	const char *path;
	int64_t mtime;
	const char *record;
	const char *status;    /* "ok", "failed", "skipped" */
	const char *bucket;    /* ok: the bucket key; else NULL */
	const char *signature; /* ok: the bucket's signature; else NULL */
	size_t tag;            /* handed back to the stored callback */
};

/*
 * Called once per triagedb_store, perhaps later (a back end may pipeline
 * its writes): STORED is 1 when this worker's result was committed, 0 when
 * a result for the hash was already there (it is kept, nothing counted),
 * -1 when it was not stored (the connection was lost).
 */
typedef void (*triagedb_stored_fn)(void *ctx, size_t tag, int stored);
void triagedb_on_stored(struct triagedb *db, triagedb_stored_fn fn, void *ctx);

/*
 * Stores R at NOW: the result, the artifact's state (claim cleared, path
 * and time updated) and its bucket's count, in one transaction. Returns 0
 * when the write was committed or is on its way (the callback says which),
 * -1 when the store cannot take it (the callback has said -1).
 */
int triagedb_store(struct triagedb *db, const struct triagedb_result *r, int64_t now,
		   struct strbuf *err);

/* Waits until every store so far is answered (callbacks called). */
int triagedb_flush(struct triagedb *db, struct strbuf *err);

/* A run and its bucket counts, added in one transaction. */
struct triagedb_run {
	int64_t time;
	int64_t found, fresh, known;
	size_t nbuckets;
	const char *const *buckets;
	const char *const *signatures;
	const int64_t *counts;
};
int triagedb_add_run(struct triagedb *db, const struct triagedb_run *run, struct strbuf *err);

/*
 * For each of the N BUCKETS: calls TOTAL_FN once with the bucket's count of
 * stored artifacts (0 when the store has none), then HISTORY_FN with
 * (run time, count) for every run that reported it, oldest first. I is the
 * bucket's index in BUCKETS.
 */
typedef void (*triagedb_total_fn)(void *ctx, size_t i, int64_t total);
typedef void (*triagedb_history_fn)(void *ctx, size_t i, int64_t time, int64_t count);
int triagedb_buckets(struct triagedb *db, const char *const *buckets, size_t n,
		     triagedb_total_fn total_fn, triagedb_history_fn history_fn, void *ctx,
		     struct strbuf *err);

/* Calls FN for every stored artifact first seen at or after SINCE (in no particular order). */
typedef void (*triagedb_each_fn)(void *ctx, const char *hash, const char *path, int64_t mtime,
				 int64_t first_seen, const char *record);
int triagedb_each(struct triagedb *db, int64_t since, triagedb_each_fn fn, void *ctx,
		  struct strbuf *err);

/* ---- for the back ends (triagedb_sqlite.c, triagedb_pg.c) ---- */

struct triagedb_ops {
	const char *name;
	/* Allocates the back end's handle (whose first member is struct triagedb). */
	struct triagedb *(*open)(const char *target, enum triagedb_mode mode, const char *worker,
				 struct strbuf *err);
	/* Claims N; DEAD (may be NULL) lists, per claim, a holder known dead to take over. */
	int (*claim)(struct triagedb *db, struct triagedb_claim *claims, size_t n,
		     const char *const *dead, int64_t now, int64_t lease, struct strbuf *err);
	/* Peeks at N (holders as stored; the caller decides which are dead). */
	int (*peek)(struct triagedb *db, struct triagedb_claim *claims, size_t n, int64_t now,
		    struct strbuf *err);
	int (*release)(struct triagedb *db, const char *hash, struct strbuf *err);
	int (*store)(struct triagedb *db, const struct triagedb_result *r, int64_t now,
		     struct strbuf *err);
	int (*flush)(struct triagedb *db, struct strbuf *err);
	int (*add_run)(struct triagedb *db, const struct triagedb_run *run, struct strbuf *err);
	int (*buckets)(struct triagedb *db, const char *const *buckets, size_t n,
		       triagedb_total_fn total_fn, triagedb_history_fn history_fn, void *ctx,
		       struct strbuf *err);
	int (*each)(struct triagedb *db, int64_t since, triagedb_each_fn fn, void *ctx,
		    struct strbuf *err);
	void (*close)(struct triagedb *db);
};

struct triagedb {
	const struct triagedb_ops *ops;
	enum triagedb_mode mode;
	char *worker;             /* the claim identity: HOST/BOOT/PID/START */
	char *worker_shown;       /* "HOST pid PID" */
	triagedb_stored_fn stored;
	void *stored_ctx;
};

extern const struct triagedb_ops triagedb_sqlite_ops;
extern const struct triagedb_ops triagedb_pg_ops;

/* Back ends: tells the caller of triagedb_store about TAG. */
void triagedb_report_stored(struct triagedb *db, size_t tag, int stored);

#endif
