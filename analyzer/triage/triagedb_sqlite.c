/*
 * The SQLite store (triagedb.h): one file, WAL mode, one transaction per
 * claim batch and per result. A file is only ever changed once it is known
 * to be mortem's (its application id, or the tables of the first,
 * unversioned schema) or empty; a read-only open changes nothing, not even
 * the journal mode.
 */
#include "analyzer/triage/triagedb.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/lib/arena.h"
#include "analyzer/triage/triage.h"

/* PRAGMA application_id of a mortem triage database: "Mort". */
#define MORTEM_APP_ID 0x4d6f7274

struct sdb {
	struct triagedb base;
	sqlite3 *db;
	sqlite3_stmt *get, *add, *take, *touch, *release;
	sqlite3_stmt *put_artifact, *put_result, *put_bucket;
	sqlite3_stmt *total, *history;
};

static const char schema_v2[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE artifacts("
	" hash TEXT PRIMARY KEY, path TEXT NOT NULL, mtime INTEGER,"
	" first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
	" claimed_by TEXT, claim_until INTEGER, stored INTEGER);"
	"CREATE INDEX artifacts_first_seen ON artifacts(first_seen);"
	"CREATE TABLE results("
	" hash TEXT PRIMARY KEY REFERENCES artifacts(hash) ON DELETE CASCADE,"
	" status TEXT NOT NULL, bucket TEXT, signature TEXT, stored INTEGER NOT NULL,"
	" record TEXT NOT NULL);"
	"CREATE INDEX results_bucket ON results(bucket);"
	"CREATE TABLE buckets("
	" bucket TEXT PRIMARY KEY, signature TEXT NOT NULL, count INTEGER NOT NULL,"
	" first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL);"
	"CREATE INDEX bucket_counts_bucket ON bucket_counts(bucket, run);"
	"INSERT INTO meta VALUES('schema_version', '2');"
	"PRAGMA application_id = 1299149428;";

static const char runs_v2[] =
	"CREATE TABLE runs("
	" id INTEGER PRIMARY KEY, time INTEGER NOT NULL, worker TEXT, found INTEGER,"
	" analyzed INTEGER, known INTEGER);"
	"CREATE TABLE bucket_counts("
	" run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, bucket TEXT NOT NULL,"
	" signature TEXT, count INTEGER NOT NULL, PRIMARY KEY(run, bucket));";

/* The first schema (no version): its artifacts rows move into artifacts + results. */
static const char migrate_v1[] =
	"DROP INDEX IF EXISTS artifacts_first_seen;"
	"ALTER TABLE artifacts RENAME TO artifacts_v1;"
	"ALTER TABLE runs ADD COLUMN worker TEXT;"
	"ALTER TABLE runs ADD COLUMN known INTEGER;";

static int fail(struct sdb *s, struct strbuf *err, const char *what)
{
	return error_set(err, "sqlite %s: %s", what, sqlite3_errmsg(s->db));
}

static int prepare(struct sdb *s, sqlite3_stmt **st, const char *sql, struct strbuf *err)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return fail(s, err, "prepare");
	return 0;
}

static int exec(struct sdb *s, const char *sql, struct strbuf *err)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	error_set(err, "sqlite: %s", msg ? msg : sqlite3_errmsg(s->db));
	sqlite3_free(msg);
	return -1;
}

/* Steps a statement that returns no rows, then resets it. */
static int run(struct sdb *s, sqlite3_stmt *st, struct strbuf *err)
{
	int rc = sqlite3_step(st);
	int ok = rc == SQLITE_DONE || rc == SQLITE_ROW;
	if (!ok)
		fail(s, err, "write");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ok ? 0 : -1;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* ---- what a file holds ---- */

enum shape { SHAPE_EMPTY, SHAPE_V1, SHAPE_MORTEM, SHAPE_FOREIGN };

/* One integer from a one-row query into *V (0 without a row); -1 with ERR. */
static int query_int(struct sdb *s, const char *sql, int64_t *v, struct strbuf *err)
{
	sqlite3_stmt *st;
	if (prepare(s, &st, sql, err) < 0)
		return -1;
	*v = 0;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(s, err, "read");
}

/* Whether the three tables have the first schema's columns (compiling a query that names them). */
static bool has_v1_columns(struct sdb *s)
{
	static const char *const probes[] = {
		"SELECT hash, path, mtime, first_seen, last_seen, record FROM artifacts",
		"SELECT id, time, found, analyzed FROM runs",
		"SELECT run, bucket, signature, count FROM bucket_counts",
	};
	for (size_t i = 0; i < sizeof(probes) / sizeof(*probes); i++) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(s->db, probes[i], -1, &st, NULL);
		sqlite3_finalize(st);
		if (rc != SQLITE_OK)
			return false;
	}
	return true;
}

/*
 * What the file holds: nothing, mortem's first schema (exactly its three
 * tables, with their columns), mortem's (its application id), or another
 * application's.
 */
static int shape(struct sdb *s, enum shape *out, struct strbuf *err)
{
	sqlite3_stmt *st;
	if (prepare(s, &st,
		    "SELECT name FROM sqlite_schema WHERE type = 'table'"
		    " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
		    err) < 0) {
		if ((sqlite3_errcode(s->db) & 0xff) == SQLITE_NOTADB)
			error_set(err, "not a mortem triage database (not an SQLite file); left"
				       " unchanged");
		return -1;
	}
	int ntables = 0, nv1 = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		ntables++;
		nv1 += !strcmp(name, "artifacts") || !strcmp(name, "runs") ||
		       !strcmp(name, "bucket_counts");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(s, err, "read");
	if (nv1 == 3 && !has_v1_columns(s))
		nv1 = 0;
	int64_t app;
	if (query_int(s, "PRAGMA application_id", &app, err) < 0)
		return -1;
	if (app == MORTEM_APP_ID)
		*out = SHAPE_MORTEM;
	else if (app == 0 && ntables == 0)
		*out = SHAPE_EMPTY;
	else if (app == 0 && ntables == 3 && nv1 == 3)
		*out = SHAPE_V1;
	else
		*out = SHAPE_FOREIGN;
	return 0;
}

static int schema_version(struct sdb *s, struct strbuf *err)
{
	int64_t v;
	if (query_int(s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'", &v,
		      err) < 0)
		return -1;
	return (int)v;
}

static int refuse_foreign(struct strbuf *err)
{
	return error_set(err, "not a mortem triage database (it holds another application's"
			      " tables); left unchanged");
}

static int check_version(struct sdb *s, struct strbuf *err)
{
	int v = schema_version(s, err);
	if (v < 0)
		return -1;
	if (v > TRIAGEDB_SCHEMA_VERSION)
		return error_set(err, "triage database of a newer mortem (schema version %d; this"
				      " mortem knows up to %d)", v, TRIAGEDB_SCHEMA_VERSION);
	return 0;
}

/* ---- creating and upgrading ---- */

static int copy_v1_row(struct sdb *s, sqlite3_stmt *row, sqlite3_stmt *art, sqlite3_stmt *res,
		       sqlite3_stmt *bkt, struct strbuf *err)
{
	const char *hash = (const char *)sqlite3_column_text(row, 0);
	const char *record = (const char *)sqlite3_column_text(row, 5);
	int64_t first = sqlite3_column_int64(row, 3), last = sqlite3_column_int64(row, 4);
	struct triage_record rec;
	struct strbuf key = STRBUF_INIT, sig = STRBUF_INIT, perr = STRBUF_INIT;
	const char *status = "failed";
	if (record && record_parse(&rec, record, NULL, &perr) == 0) {
		status = rec.status == RECORD_OK ? "ok" : rec.status == RECORD_SKIPPED ? "skipped"
										: "failed";
		if (rec.status == RECORD_OK)
			triage_bucket_of(&rec, &key, &sig);
		record_release(&rec);
	}
	for (int i = 1; i <= 5; i++)
		sqlite3_bind_value(art, i, sqlite3_column_value(row, i - 1));
	sqlite3_bind_int64(art, 6, last);
	int rc = run(s, art, err);
	bind_text(res, 1, hash);
	bind_text(res, 2, status);
	bind_text(res, 3, key.len ? key.buf : NULL);
	bind_text(res, 4, key.len ? sig.buf : NULL);
	sqlite3_bind_int64(res, 5, last);
	bind_text(res, 6, record ? record : "{}");
	rc = rc < 0 ? -1 : run(s, res, err);
	if (rc == 0 && key.len) {
		bind_text(bkt, 1, key.buf);
		bind_text(bkt, 2, sig.buf);
		sqlite3_bind_int64(bkt, 3, first);
		sqlite3_bind_int64(bkt, 4, last);
		rc = run(s, bkt, err);
	}
	strbuf_release(&key);
	strbuf_release(&sig);
	strbuf_release(&perr);
	return rc;
}

static const char put_bucket_sql[] =
	"INSERT INTO buckets(bucket, signature, count, first_seen, last_seen)"
	" VALUES(?1, ?2, 1, ?3, ?4) ON CONFLICT(bucket) DO UPDATE SET count = count + 1,"
	" first_seen = min(first_seen, excluded.first_seen),"
	" last_seen = max(last_seen, excluded.last_seen)";

/* Moves the first schema's artifacts into artifacts + results + buckets. */
static int upgrade_v1(struct sdb *s, struct strbuf *err)
{
	if (exec(s, migrate_v1, err) < 0 || exec(s, schema_v2, err) < 0)
		return -1;
	sqlite3_stmt *row = NULL, *art = NULL, *res = NULL, *bkt = NULL;
	int rc = -1;
	if (prepare(s, &row,
		    "SELECT hash, path, mtime, first_seen, last_seen, record FROM artifacts_v1", err) ||
	    prepare(s, &art,
		    "INSERT INTO artifacts(hash, path, mtime, first_seen, last_seen, stored)"
		    " VALUES(?, ?, ?, ?, ?, ?)",
		    err) ||
	    prepare(s, &res,
		    "INSERT INTO results(hash, status, bucket, signature, stored, record)"
		    " VALUES(?, ?, ?, ?, ?, ?)",
		    err) ||
	    prepare(s, &bkt, put_bucket_sql, err))
		goto out;
	int step;
	while ((step = sqlite3_step(row)) == SQLITE_ROW)
		if (copy_v1_row(s, row, art, res, bkt, err) < 0)
			goto out;
	if (step != SQLITE_DONE) {
		fail(s, err, "read");
		goto out;
	}
	rc = exec(s, "DROP TABLE artifacts_v1", err);
out:
	sqlite3_finalize(row);
	sqlite3_finalize(art);
	sqlite3_finalize(res);
	sqlite3_finalize(bkt);
	return rc;
}

/* Creates or upgrades the schema, in one transaction that other workers wait for. */
static int prepare_schema(struct sdb *s, struct strbuf *err)
{
	if (exec(s, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	enum shape sh;
	int rc = shape(s, &sh, err);
	if (rc == 0 && sh == SHAPE_FOREIGN)
		rc = refuse_foreign(err);
	else if (rc == 0 && sh == SHAPE_EMPTY)
		rc = exec(s, runs_v2, err) < 0 || exec(s, schema_v2, err) < 0 ? -1 : 0;
	else if (rc == 0 && sh == SHAPE_V1)
		rc = upgrade_v1(s, err);
	else if (rc == 0)
		rc = check_version(s, err);
	if (rc < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return exec(s, "COMMIT", err);
}

/* ---- opening ---- */

/* PATH as an SQLite URI that opens it immutable (read-only, no locks, no -shm). */
static void immutable_uri(struct strbuf *out, const char *path)
{
	strbuf_adds(out, "file:");
	for (const char *p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			strbuf_addf(out, "%%%02X", (unsigned char)*p);
		else
			strbuf_addch(out, *p);
	}
	strbuf_adds(out, "?immutable=1");
}

#define BUSY_MS 10000 /* how long a statement waits for other workers' transactions */

static int open_file(struct sdb *s, const char *path, int flags, struct strbuf *err)
{
	if (sqlite3_open_v2(path, &s->db, flags, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(s->db, BUSY_MS); /* other workers' transactions */
		return 0;
	}
	error_set(err, "cannot open the database: %s", s->db ? sqlite3_errmsg(s->db) : "out of memory");
	sqlite3_close(s->db);
	s->db = NULL;
	return -1;
}

/*
 * Read-only. A WAL database in a folder the user cannot write cannot be
 * opened the usual way (SQLite wants its -shm file): without a -wal file
 * (no writer has anything uncheckpointed), it is read as immutable.
 */
static int open_read(struct sdb *s, const char *path, enum shape *sh, struct strbuf *err)
{
	if (access(path, F_OK) < 0)
		return error_set(err, "cannot open the database: %s", strerror(errno));
	if (open_file(s, path, SQLITE_OPEN_READONLY, err) < 0)
		return -1;
	if (shape(s, sh, err) == 0)
		return 0;
	int code = sqlite3_errcode(s->db) & 0xff;
	struct strbuf wal = STRBUF_INIT, uri = STRBUF_INIT;
	strbuf_addf(&wal, "%s-wal", path);
	bool retry = (code == SQLITE_READONLY || code == SQLITE_CANTOPEN) && access(wal.buf, F_OK) < 0;
	strbuf_release(&wal);
	if (!retry)
		return -1;
	sqlite3_close(s->db);
	s->db = NULL;
	strbuf_reset(err);
	immutable_uri(&uri, path);
	int rc = open_file(s, uri.buf, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, err);
	strbuf_release(&uri);
	return rc < 0 ? -1 : shape(s, sh, err);
}

static int check_read(struct sdb *s, enum shape sh, struct strbuf *err)
{
	switch (sh) {
	case SHAPE_EMPTY:
		return error_set(err, "not a mortem triage database (it is empty)");
	case SHAPE_FOREIGN:
		return refuse_foreign(err);
	case SHAPE_V1:
		return error_set(err, "triage database of an older mortem (schema version 1): a"
				      " triage run with PATHs upgrades it");
	case SHAPE_MORTEM:
		break;
	}
	return check_version(s, err);
}

/*
 * WAL, and the rest. Workers that start together on a new file all switch
 * it to WAL, and SQLite answers "database is locked" to a switch at once,
 * without waiting as the busy timeout says, while another connection
 * holds the file (1 run in 50-150 of four or six workers here): tried
 * again for as long as the busy timeout would have waited.
 */
static int set_modes(struct sdb *s, struct strbuf *err)
{
	for (int tries = 0;; tries++) {
		int rc = exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON", err);
		if (rc == 0 || (sqlite3_errcode(s->db) & 0xff) != SQLITE_BUSY || tries == BUSY_MS / 10)
			return rc;
		usleep(10 * 1000);
	}
}

static int open_write(struct sdb *s, const char *path, struct strbuf *err)
{
	if (open_file(s, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err) < 0)
		return -1;
	if (sqlite3_db_readonly(s->db, "main") == 1)
		return error_set(err, "the database is read-only: a report (--db without PATH) can"
				      " read it, a triage run must write it");
	enum shape sh;
	if (shape(s, &sh, err) < 0)
		return -1;
	if (sh == SHAPE_FOREIGN)
		return refuse_foreign(err);
	if (set_modes(s, err) < 0)
		return -1;
	return prepare_schema(s, err);
}

static int prepare_statements(struct sdb *s, struct strbuf *err)
{
	return prepare(s, &s->get,
		       "SELECT a.stored, a.claimed_by, a.claim_until, a.first_seen, r.record"
		       " FROM artifacts a LEFT JOIN results r ON r.hash = a.hash WHERE a.hash = ?",
		       err) ||
	       prepare(s, &s->add,
		       "INSERT INTO artifacts(hash, path, mtime, first_seen, last_seen, claimed_by,"
		       " claim_until) VALUES(?1, ?2, ?3, ?4, ?4, ?5, ?6)",
		       err) ||
	       prepare(s, &s->take,
		       "UPDATE artifacts SET claimed_by = ?2, claim_until = ?3, last_seen = ?4,"
		       " stored = NULL WHERE hash = ?1",
		       err) ||
	       prepare(s, &s->touch, "UPDATE artifacts SET last_seen = ?2 WHERE hash = ?1", err) ||
	       prepare(s, &s->release,
		       "UPDATE artifacts SET claimed_by = NULL, claim_until = NULL"
		       " WHERE hash = ?1 AND claimed_by = ?2 AND stored IS NULL",
		       err) ||
	       prepare(s, &s->put_artifact,
		       "INSERT INTO artifacts(hash, path, mtime, first_seen, last_seen, stored)"
		       " VALUES(?1, ?2, ?3, ?4, ?4, ?4) ON CONFLICT(hash) DO UPDATE SET"
		       " path = ?2, mtime = ?3, last_seen = ?4, stored = ?4, claimed_by = NULL,"
		       " claim_until = NULL",
		       err) ||
	       prepare(s, &s->put_result,
		       "INSERT OR IGNORE INTO results(hash, status, bucket, signature, stored, record)"
		       " VALUES(?, ?, ?, ?, ?, ?)",
		       err) ||
	       prepare(s, &s->put_bucket, put_bucket_sql, err) ||
	       prepare(s, &s->total, "SELECT count FROM buckets WHERE bucket = ?", err) ||
	       prepare(s, &s->history,
		       "SELECT runs.time, bucket_counts.count FROM bucket_counts JOIN runs"
		       " ON runs.id = bucket_counts.run WHERE bucket = ? ORDER BY runs.id",
		       err)
		       ? -1
		       : 0;
}

static void sdb_close(struct triagedb *base)
{
	struct sdb *s = (struct sdb *)base;
	sqlite3_stmt *all[] = { s->get, s->add, s->take, s->touch, s->release, s->put_artifact,
				s->put_result, s->put_bucket, s->total, s->history };
	for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++)
		sqlite3_finalize(all[i]);
	sqlite3_close(s->db);
	free(s);
}

static struct triagedb *sdb_open(const char *path, enum triagedb_mode mode, const char *worker,
				 struct strbuf *err)
{
	struct sdb *s = xcalloc(1, sizeof(*s));
	int rc;
	if (mode == TRIAGEDB_READ) {
		enum shape sh;
		rc = open_read(s, path, &sh, err);
		if (rc == 0)
			rc = check_read(s, sh, err);
	} else {
		rc = open_write(s, path, err);
	}
	if (rc == 0)
		rc = prepare_statements(s, err);
	if (rc < 0) {
		sdb_close(&s->base);
		return NULL;
	}
	(void)worker;
	return &s->base;
}

/* ---- claims and results ---- */

static int claim_one(struct sdb *s, struct triagedb_claim *c, const char *dead, int64_t now,
		     int64_t lease, struct strbuf *err)
{
	sqlite3_bind_text(s->get, 1, c->hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s->get);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s->get);
		if (rc != SQLITE_DONE)
			return fail(s, err, "read");
		bind_text(s->add, 1, c->hash);
		bind_text(s->add, 2, c->path);
		sqlite3_bind_int64(s->add, 3, c->mtime);
		sqlite3_bind_int64(s->add, 4, now);
		bind_text(s->add, 5, s->base.worker);
		sqlite3_bind_int64(s->add, 6, now + lease);
		c->state = TRIAGEDB_MINE;
		c->first_seen = now;
		return run(s, s->add, err);
	}
	const char *holder = (const char *)sqlite3_column_text(s->get, 1);
	const char *record = (const char *)sqlite3_column_text(s->get, 4);
	bool held = holder && sqlite3_column_int64(s->get, 2) >= now && strcmp(holder, s->base.worker) &&
		    !(dead && !strcmp(dead, holder));
	c->first_seen = sqlite3_column_int64(s->get, 3);
	if (record) {
		c->state = TRIAGEDB_KNOWN;
		c->record = xstrdup(record);
	} else if (held) {
		c->state = TRIAGEDB_BUSY;
		c->holder = xstrdup(holder);
		c->until = sqlite3_column_int64(s->get, 2);
	} else {
		c->state = TRIAGEDB_MINE;
	}
	sqlite3_reset(s->get);
	sqlite3_stmt *st = c->state == TRIAGEDB_MINE ? s->take : s->touch;
	bind_text(st, 1, c->hash);
	if (st == s->take) {
		bind_text(st, 2, s->base.worker);
		sqlite3_bind_int64(st, 3, now + lease);
		sqlite3_bind_int64(st, 4, now);
	} else {
		sqlite3_bind_int64(st, 2, now);
	}
	return run(s, st, err);
}

static int sdb_claim(struct triagedb *base, struct triagedb_claim *claims, size_t n,
		     const char *const *dead, int64_t now, int64_t lease, struct strbuf *err)
{
	struct sdb *s = (struct sdb *)base;
	if (exec(s, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (claim_one(s, &claims[i], dead ? dead[i] : NULL, now, lease, err) < 0) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	return exec(s, "COMMIT", err);
}

static int peek_one(struct sdb *s, struct triagedb_claim *c, int64_t now, struct strbuf *err)
{
	sqlite3_bind_text(s->get, 1, c->hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s->get);
	if (rc == SQLITE_ROW) {
		const char *holder = (const char *)sqlite3_column_text(s->get, 1);
		const char *record = (const char *)sqlite3_column_text(s->get, 4);
		c->first_seen = sqlite3_column_int64(s->get, 3);
		if (record) {
			c->state = TRIAGEDB_KNOWN;
			c->record = xstrdup(record);
		} else if (holder && sqlite3_column_int64(s->get, 2) >= now &&
			   strcmp(holder, s->base.worker)) {
			c->state = TRIAGEDB_BUSY;
			c->holder = xstrdup(holder);
			c->until = sqlite3_column_int64(s->get, 2);
		}
	}
	sqlite3_reset(s->get);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(s, err, "read");
}

static int sdb_peek(struct triagedb *base, struct triagedb_claim *claims, size_t n, int64_t now,
		    struct strbuf *err)
{
	struct sdb *s = (struct sdb *)base;
	if (exec(s, "BEGIN", err) < 0) /* one read transaction: no write lock */
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = peek_one(s, &claims[i], now, err);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

static int sdb_release(struct triagedb *base, const char *hash, struct strbuf *err)
{
	struct sdb *s = (struct sdb *)base;
	bind_text(s->release, 1, hash);
	bind_text(s->release, 2, s->base.worker);
	return run(s, s->release, err);
}

static int store_rows(struct sdb *s, const struct triagedb_result *r, int64_t now, int *inserted,
		      struct strbuf *err)
{
	bind_text(s->put_artifact, 1, r->hash);
	bind_text(s->put_artifact, 2, r->path);
	sqlite3_bind_int64(s->put_artifact, 3, r->mtime);
	sqlite3_bind_int64(s->put_artifact, 4, now);
	if (run(s, s->put_artifact, err) < 0)
		return -1;
	bind_text(s->put_result, 1, r->hash);
	bind_text(s->put_result, 2, r->status);
	bind_text(s->put_result, 3, r->bucket);
	bind_text(s->put_result, 4, r->signature);
	sqlite3_bind_int64(s->put_result, 5, now);
	bind_text(s->put_result, 6, r->record);
	if (run(s, s->put_result, err) < 0)
		return -1;
	*inserted = sqlite3_changes(s->db) > 0;
	if (!*inserted || !r->bucket)
		return 0;
	bind_text(s->put_bucket, 1, r->bucket);
	bind_text(s->put_bucket, 2, r->signature);
	sqlite3_bind_int64(s->put_bucket, 3, now);
	sqlite3_bind_int64(s->put_bucket, 4, now);
	return run(s, s->put_bucket, err);
}

static int sdb_store(struct triagedb *base, const struct triagedb_result *r, int64_t now,
		     struct strbuf *err)
{
	struct sdb *s = (struct sdb *)base;
	int inserted = 0;
	int rc = exec(s, "BEGIN IMMEDIATE", err);
	if (rc == 0 && store_rows(s, r, now, &inserted, err) < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		rc = -1;
	}
	if (rc == 0)
		rc = exec(s, "COMMIT", err);
	triagedb_report_stored(base, r->tag, rc < 0 ? -1 : inserted);
	return rc;
}

static int sdb_flush(struct triagedb *base, struct strbuf *err)
{
	(void)base;
	(void)err;
	return 0; /* every store is committed before it returns */
}

static int sdb_add_run(struct triagedb *base, const struct triagedb_run *r, struct strbuf *err)
{
	struct sdb *s = (struct sdb *)base;
	sqlite3_stmt *st = NULL, *cnt = NULL;
	if (exec(s, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	int rc = prepare(s, &st,
			 "INSERT INTO runs(time, worker, found, analyzed, known) VALUES(?, ?, ?, ?, ?)",
			 err);
	if (rc == 0)
		rc = prepare(s, &cnt,
			     "INSERT OR REPLACE INTO bucket_counts(run, bucket, signature, count)"
			     " VALUES(?, ?, ?, ?)",
			     err);
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, r->time);
		bind_text(st, 2, s->base.worker_shown);
		sqlite3_bind_int64(st, 3, r->found);
		sqlite3_bind_int64(st, 4, r->fresh);
		sqlite3_bind_int64(st, 5, r->known);
		rc = run(s, st, err);
	}
	int64_t id = sqlite3_last_insert_rowid(s->db);
	for (size_t i = 0; rc == 0 && i < r->nbuckets; i++) {
		sqlite3_bind_int64(cnt, 1, id);
		bind_text(cnt, 2, r->buckets[i]);
		bind_text(cnt, 3, r->signatures[i]);
		sqlite3_bind_int64(cnt, 4, r->counts[i]);
		rc = run(s, cnt, err);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(cnt);
	if (rc < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return exec(s, "COMMIT", err);
}

static int one_bucket(struct sdb *s, const char *bucket, size_t i, triagedb_total_fn total_fn,
		      triagedb_history_fn history_fn, void *ctx, struct strbuf *err)
{
	sqlite3_bind_text(s->total, 1, bucket, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s->total);
	total_fn(ctx, i, rc == SQLITE_ROW ? sqlite3_column_int64(s->total, 0) : 0);
	sqlite3_reset(s->total);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, err, "read");
	sqlite3_bind_text(s->history, 1, bucket, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s->history)) == SQLITE_ROW)
		history_fn(ctx, i, sqlite3_column_int64(s->history, 0),
			   sqlite3_column_int64(s->history, 1));
	sqlite3_reset(s->history);
	return rc == SQLITE_DONE ? 0 : fail(s, err, "read");
}

static int sdb_buckets(struct triagedb *base, const char *const *buckets, size_t n,
		       triagedb_total_fn total_fn, triagedb_history_fn history_fn, void *ctx,
		       struct strbuf *err)
{
	struct sdb *s = (struct sdb *)base;
	if (exec(s, "BEGIN", err) < 0) /* one snapshot for every bucket */
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = one_bucket(s, buckets[i], i, total_fn, history_fn, ctx, err);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

static int sdb_each(struct triagedb *base, int64_t since, triagedb_each_fn fn, void *ctx,
		    struct strbuf *err)
{
	struct sdb *s = (struct sdb *)base;
	sqlite3_stmt *st;
	if (prepare(s, &st,
		    "SELECT a.hash, a.path, a.mtime, a.first_seen, r.record FROM artifacts a"
		    " JOIN results r ON r.hash = a.hash WHERE a.first_seen >= ?",
		    err))
		return -1;
	sqlite3_bind_int64(st, 1, since);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(st, 0),
		   (const char *)sqlite3_column_text(st, 1), sqlite3_column_int64(st, 2),
		   sqlite3_column_int64(st, 3), (const char *)sqlite3_column_text(st, 4));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(s, err, "read");
}

const struct triagedb_ops triagedb_sqlite_ops = {
	.name = "sqlite",
	.open = sdb_open,
	.claim = sdb_claim,
	.peek = sdb_peek,
	.release = sdb_release,
	.store = sdb_store,
	.flush = sdb_flush,
	.add_run = sdb_add_run,
	.buckets = sdb_buckets,
	.each = sdb_each,
	.close = sdb_close,
};
