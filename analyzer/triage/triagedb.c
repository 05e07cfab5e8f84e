#include "analyzer/triage/triagedb.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/arena.h"

struct triagedb {
	sqlite3 *db;
	sqlite3_stmt *lookup, *store, *touch, *history, *count;
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS artifacts("
	" hash TEXT PRIMARY KEY, path TEXT NOT NULL, mtime INTEGER,"
	" first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, record TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS artifacts_first_seen ON artifacts(first_seen);"
	"CREATE TABLE IF NOT EXISTS runs("
	" id INTEGER PRIMARY KEY, time INTEGER NOT NULL, found INTEGER, analyzed INTEGER);"
	"CREATE TABLE IF NOT EXISTS bucket_counts("
	" run INTEGER NOT NULL, bucket TEXT NOT NULL, signature TEXT, count INTEGER NOT NULL,"
	" PRIMARY KEY(run, bucket));";

static int fail(struct triagedb *db, struct strbuf *err, const char *what)
{
	return error_set(err, "sqlite %s: %s", what, sqlite3_errmsg(db->db));
}

static int prepare(struct triagedb *db, sqlite3_stmt **st, const char *sql, struct strbuf *err)
{
	if (sqlite3_prepare_v2(db->db, sql, -1, st, NULL) != SQLITE_OK)
		return fail(db, err, "prepare");
	return 0;
}

int triagedb_open(struct triagedb **out, const char *path, struct strbuf *err)
{
	struct triagedb *db = xcalloc(1, sizeof(*db));
	*out = NULL;
	if (sqlite3_open_v2(path, &db->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		error_set(err, "cannot open database: %s",
			  db->db ? sqlite3_errmsg(db->db) : "out of memory");
		triagedb_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db->db, 10000);
	char *msg = NULL;
	if (sqlite3_exec(db->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		error_set(err, "not a mortem triage database: %s", msg ? msg : "?");
		sqlite3_free(msg);
		triagedb_close(db);
		return -1;
	}
	if (prepare(db, &db->lookup, "SELECT record, first_seen FROM artifacts WHERE hash = ?", err) ||
	    prepare(db, &db->store,
		    "INSERT INTO artifacts(hash, path, mtime, first_seen, last_seen, record)"
		    " VALUES(?1, ?2, ?3, ?4, ?4, ?5) ON CONFLICT(hash) DO UPDATE SET"
		    " path = ?2, mtime = ?3, last_seen = ?4, record = ?5",
		    err) ||
	    prepare(db, &db->touch, "UPDATE artifacts SET last_seen = ?2 WHERE hash = ?1", err) ||
	    prepare(db, &db->history,
		    "SELECT runs.time, bucket_counts.count FROM bucket_counts JOIN runs"
		    " ON runs.id = bucket_counts.run WHERE bucket = ? ORDER BY runs.id",
		    err) ||
	    prepare(db, &db->count,
		    "INSERT OR REPLACE INTO bucket_counts(run, bucket, signature, count)"
		    " VALUES(?, ?, ?, ?)",
		    err)) {
		triagedb_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

void triagedb_close(struct triagedb *db)
{
	if (!db)
		return;
	sqlite3_finalize(db->lookup);
	sqlite3_finalize(db->store);
	sqlite3_finalize(db->touch);
	sqlite3_finalize(db->history);
	sqlite3_finalize(db->count);
	sqlite3_close(db->db);
	free(db);
}

/* Steps a statement that returns no rows, then resets it. */
static int run(struct triagedb *db, sqlite3_stmt *st, struct strbuf *err)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : fail(db, err, "write");
}

int triagedb_lookup(struct triagedb *db, const char *hash, char **record, int64_t *first_seen,
		    struct strbuf *err)
{
	sqlite3_bind_text(db->lookup, 1, hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(db->lookup);
	int found = 0;
	if (rc == SQLITE_ROW) {
		*record = xstrdup((const char *)sqlite3_column_text(db->lookup, 0));
		*first_seen = sqlite3_column_int64(db->lookup, 1);
		found = 1;
	} else if (rc != SQLITE_DONE) {
		found = fail(db, err, "read");
	}
	sqlite3_reset(db->lookup);
	sqlite3_clear_bindings(db->lookup);
	return found;
}

int triagedb_store(struct triagedb *db, const char *hash, const char *path, int64_t mtime,
		   const char *record, int64_t now, struct strbuf *err)
{
	sqlite3_bind_text(db->store, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(db->store, 2, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(db->store, 3, mtime);
	sqlite3_bind_int64(db->store, 4, now);
	sqlite3_bind_text(db->store, 5, record, -1, SQLITE_STATIC);
	return run(db, db->store, err);
}

int triagedb_touch(struct triagedb *db, const char *hash, int64_t now, struct strbuf *err)
{
	sqlite3_bind_text(db->touch, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(db->touch, 2, now);
	return run(db, db->touch, err);
}

int triagedb_each(struct triagedb *db, int64_t since, triagedb_each_fn fn, void *ctx,
		  struct strbuf *err)
{
	sqlite3_stmt *st;
	if (prepare(db, &st,
		    "SELECT hash, path, mtime, first_seen, record FROM artifacts"
		    " WHERE first_seen >= ? ORDER BY path",
		    err))
		return -1;
	sqlite3_bind_int64(st, 1, since);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(st, 0),
		   (const char *)sqlite3_column_text(st, 1), sqlite3_column_int64(st, 2),
		   sqlite3_column_int64(st, 3), (const char *)sqlite3_column_text(st, 4));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(db, err, "read");
}

int64_t triagedb_add_run(struct triagedb *db, int64_t now, int64_t found, int64_t fresh,
			 struct strbuf *err)
{
	sqlite3_stmt *st;
	if (prepare(db, &st, "INSERT INTO runs(time, found, analyzed) VALUES(?, ?, ?)", err))
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, found);
	sqlite3_bind_int64(st, 3, fresh);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(db, err, "write");
	return sqlite3_last_insert_rowid(db->db);
}

int triagedb_add_count(struct triagedb *db, int64_t runid, const char *bucket,
		       const char *signature, int64_t count, struct strbuf *err)
{
	sqlite3_bind_int64(db->count, 1, runid);
	sqlite3_bind_text(db->count, 2, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(db->count, 3, signature, -1, SQLITE_STATIC);
	sqlite3_bind_int64(db->count, 4, count);
	return run(db, db->count, err);
}

int triagedb_history(struct triagedb *db, const char *bucket, triagedb_history_fn fn, void *ctx,
		     struct strbuf *err)
{
	sqlite3_bind_text(db->history, 1, bucket, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(db->history)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(db->history, 0), sqlite3_column_int64(db->history, 1));
	sqlite3_reset(db->history);
	sqlite3_clear_bindings(db->history);
	return rc == SQLITE_DONE ? 0 : fail(db, err, "read");
}

int triagedb_begin(struct triagedb *db, struct strbuf *err)
{
	return sqlite3_exec(db->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? 0 : fail(db, err, "begin");
}

int triagedb_commit(struct triagedb *db, struct strbuf *err)
{
	return sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0
										: fail(db, err, "commit");
}
