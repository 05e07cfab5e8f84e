/*
 * The PostgreSQL store (triagedb.h), through libpq: the tables live in the
 * schema "mortem" of the database the URI names. The connection runs in
 * pipeline mode: a result is sent with its own sync point (committed on
 * its own) and not waited for; its answer is read with the next call that
 * needs one, so a worker never waits a round trip per result. Leases use
 * the server's clock, so the workers' clocks need not agree. libpq is
 * loaded when the first store is opened (analyzer/triage/pqlib.h).
 */
#include "analyzer/triage/triagedb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/arena.h"
#include "analyzer/triage/pqlib.h"

/* libpq's functions: set by the first pdb_open, before anything else here runs. */
static const struct pqlib *pq;

/* What an answer in the pipeline belongs to. */
enum pend_kind { PEND_STORE, PEND_RELEASE };

struct pend {
	enum pend_kind kind;
	size_t tag;
};

struct pdb {
	struct triagedb base;
	PGconn *conn;
	char *secret[2];          /* the password as written and as decoded: never shown */
	bool lost;                /* the connection is gone: every call fails */
	struct strbuf async_err;  /* the first failure of a pipelined write, not yet told */
	struct pend *pend;        /* writes sent, answers not yet read, oldest first */
	size_t npend, headpend, cappend;
};

static const char schema_sql[] =
	"CREATE SCHEMA IF NOT EXISTS mortem;"
	"CREATE TABLE mortem.meta(key text PRIMARY KEY, value text NOT NULL);"
	"CREATE TABLE mortem.artifacts("
	" hash text PRIMARY KEY, path text NOT NULL, mtime bigint,"
	" first_seen bigint NOT NULL, last_seen bigint NOT NULL,"
	" claimed_by text, claim_until bigint, stored bigint);"
	"CREATE INDEX artifacts_first_seen ON mortem.artifacts(first_seen);"
	"CREATE TABLE mortem.results("
	" hash text PRIMARY KEY REFERENCES mortem.artifacts(hash) ON DELETE CASCADE,"
	" status text NOT NULL, bucket text, signature text, stored bigint NOT NULL,"
	" record text NOT NULL);"
	"CREATE INDEX results_bucket ON mortem.results(bucket);"
	"CREATE TABLE mortem.buckets("
	" bucket text PRIMARY KEY, signature text NOT NULL, count bigint NOT NULL,"
	" first_seen bigint NOT NULL, last_seen bigint NOT NULL);"
	"CREATE TABLE mortem.runs("
	" id bigserial PRIMARY KEY, time bigint NOT NULL, worker text, found bigint,"
	" analyzed bigint, known bigint);"
	"CREATE TABLE mortem.bucket_counts("
	" run bigint NOT NULL REFERENCES mortem.runs(id) ON DELETE CASCADE,"
	" bucket text NOT NULL, signature text, count bigint NOT NULL, PRIMARY KEY(run, bucket));"
	"CREATE INDEX bucket_counts_bucket ON mortem.bucket_counts(bucket, run);"
	"INSERT INTO mortem.meta VALUES('schema_version', '2');";

/*
 * A claim: a new artifact is inserted claimed; a known one is marked seen,
 * and claimed when it has no result and its claim ran out (or its holder,
 * $7, is dead). The row lock makes one worker win. The result is read in
 * the same statement, from the statement's snapshot: a result committed
 * while the claim waited for the row shows as "stored, no record yet",
 * which the caller asks again about later.
 */
static const char claim_sql[] =
	"WITH c AS (INSERT INTO mortem.artifacts AS a"
	"  (hash, path, mtime, first_seen, last_seen, claimed_by, claim_until)"
	"  VALUES($1, $2, $3, $4, $4, $5, extract(epoch FROM now())::bigint + $6)"
	"  ON CONFLICT (hash) DO UPDATE SET last_seen = EXCLUDED.last_seen,"
	"  claimed_by = CASE WHEN a.stored IS NULL AND (a.claim_until IS NULL"
	"   OR a.claim_until < extract(epoch FROM now())::bigint OR a.claimed_by = $7)"
	"   THEN EXCLUDED.claimed_by ELSE a.claimed_by END,"
	"  claim_until = CASE WHEN a.stored IS NULL AND (a.claim_until IS NULL"
	"   OR a.claim_until < extract(epoch FROM now())::bigint OR a.claimed_by = $7)"
	"   THEN EXCLUDED.claim_until ELSE a.claim_until END"
	"  RETURNING a.claimed_by, a.claim_until, a.first_seen, a.stored IS NOT NULL AS stored)"
	" SELECT c.claimed_by, c.claim_until, c.first_seen, c.stored, r.record FROM c"
	" LEFT JOIN mortem.results r ON r.hash = $1";

/*
 * An artifact marked stored whose result row is not there (deleted by hand)
 * is made claimable again; a result committed meanwhile is seen here.
 */
static const char unstore_sql[] =
	"UPDATE mortem.artifacts SET stored = NULL WHERE hash = $1 AND stored IS NOT NULL"
	" AND NOT EXISTS (SELECT 1 FROM mortem.results r WHERE r.hash = $1)";

/* A result, its artifact's state and its bucket's count: one statement, one transaction. */
static const char store_sql[] =
	"WITH a AS (INSERT INTO mortem.artifacts AS a"
	"  (hash, path, mtime, first_seen, last_seen, stored) VALUES($1, $2, $3, $4, $4, $4)"
	"  ON CONFLICT (hash) DO UPDATE SET path = EXCLUDED.path, mtime = EXCLUDED.mtime,"
	"  last_seen = EXCLUDED.last_seen, stored = EXCLUDED.stored, claimed_by = NULL,"
	"  claim_until = NULL RETURNING hash),"
	" r AS (INSERT INTO mortem.results(hash, status, bucket, signature, stored, record)"
	"  SELECT hash, $5, $6, $7, $4, $8 FROM a ON CONFLICT (hash) DO NOTHING"
	"  RETURNING bucket, signature),"
	" b AS (INSERT INTO mortem.buckets AS b(bucket, signature, count, first_seen, last_seen)"
	"  SELECT bucket, signature, 1, $4, $4 FROM r WHERE bucket IS NOT NULL"
	"  ON CONFLICT (bucket) DO UPDATE SET count = b.count + 1,"
	"  last_seen = greatest(b.last_seen, EXCLUDED.last_seen) RETURNING 1)"
	" SELECT count(*) FROM r";

static const char release_sql[] =
	"UPDATE mortem.artifacts SET claimed_by = NULL, claim_until = NULL"
	" WHERE hash = $1 AND claimed_by = $2 AND stored IS NULL";

/* ---- messages ---- */

/* Appends MSG on one line (runs of white space made one space), every secret hidden. */
static void add_message(struct pdb *p, struct strbuf *out, const char *msg)
{
	struct strbuf sb = STRBUF_INIT;
	bool space = false;
	for (const char *m = msg ? msg : "unknown error"; *m; m++) {
		bool ws = *m == ' ' || *m == '\t' || *m == '\n' || *m == '\r';
		if (ws) {
			space = sb.len > 0;
			continue;
		}
		if (space)
			strbuf_addch(&sb, ' ');
		space = false;
		strbuf_addch(&sb, *m);
	}
	for (int i = 0; i < 2; i++) {
		const char *s = p->secret[i];
		size_t n = s ? strlen(s) : 0;
		char *hit;
		while (n >= 3 && (hit = strstr(sb.buf, s))) {
			size_t at = (size_t)(hit - sb.buf);
			struct strbuf t = STRBUF_INIT;
			strbuf_add(&t, sb.buf, at);
			strbuf_adds(&t, "***");
			strbuf_adds(&t, sb.buf + at + n);
			strbuf_release(&sb);
			sb = t;
		}
	}
	strbuf_add(out, sb.buf, sb.len);
	strbuf_release(&sb);
}

static int fail_msg(struct pdb *p, struct strbuf *err, const char *what, const char *msg)
{
	if (!err)
		return -1;
	strbuf_reset(err);
	strbuf_adds(err, what);
	strbuf_adds(err, ": ");
	add_message(p, err, msg);
	return -1;
}

/* The connection is gone: says so, and fails every pipelined write still unanswered. */
static int lose(struct pdb *p, struct strbuf *err)
{
	if (!p->lost) {
		p->lost = true;
		fail_msg(p, err, "connection to the database lost", pq->PQerrorMessage(p->conn));
	} else if (err) {
		error_set(err, "connection to the database lost");
	}
	while (p->npend) {
		struct pend e = p->pend[p->headpend];
		p->headpend = (p->headpend + 1) % p->cappend;
		p->npend--;
		if (e.kind == PEND_STORE)
			triagedb_report_stored(&p->base, e.tag, -1);
	}
	return -1;
}

static int check_alive(struct pdb *p, struct strbuf *err)
{
	if (p->lost || pq->PQstatus(p->conn) == CONNECTION_BAD)
		return lose(p, err);
	return 0;
}

/* ---- the pipeline ---- */

static void push_pend(struct pdb *p, enum pend_kind kind, size_t tag)
{
	if (p->npend == p->cappend) {
		size_t cap = p->cappend ? p->cappend * 2 : 64;
		struct pend *n = xcalloc(cap, sizeof(*n));
		for (size_t i = 0; i < p->npend; i++)
			n[i] = p->pend[(p->headpend + i) % p->cappend];
		free(p->pend);
		p->pend = n;
		p->cappend = cap;
		p->headpend = 0;
	}
	p->pend[(p->headpend + p->npend) % p->cappend] = (struct pend){ kind, tag };
	p->npend++;
}

/* Sends prepared statement NAME with N text parameters (NULL: SQL NULL). */
static int send_prepared(struct pdb *p, const char *name, int n, const char *const *values,
			 struct strbuf *err)
{
	if (check_alive(p, err) < 0)
		return -1;
	if (!pq->PQsendQueryPrepared(p->conn, name, n, values, NULL, NULL, 0))
		return check_alive(p, err) < 0
			       ? -1
			       : fail_msg(p, err, "send", pq->PQerrorMessage(p->conn));
	return 0;
}

static int send_sql(struct pdb *p, const char *sql, int n, const char *const *values,
		    struct strbuf *err)
{
	if (check_alive(p, err) < 0)
		return -1;
	if (!pq->PQsendQueryParams(p->conn, sql, n, NULL, values, NULL, NULL, 0))
		return check_alive(p, err) < 0
			       ? -1
			       : fail_msg(p, err, "send", pq->PQerrorMessage(p->conn));
	return 0;
}

static int sync_point(struct pdb *p, struct strbuf *err)
{
	if (!pq->PQpipelineSync(p->conn))
		return lose(p, err);
	return 0;
}

/*
 * Called with each result of a query in order; ROWS is NULL when the query
 * failed (its message is then in the caller's ERR).
 */
typedef void (*rows_fn)(struct pdb *p, PGresult *rows, void *ctx);

/*
 * Reads the answers of N queries and then their sync point, handing each
 * result to FN. Returns 0, or -1 when a query failed (ERR says why; the
 * rest up to the sync were aborted) or the connection was lost.
 */
static int read_answers(struct pdb *p, int n, rows_fn fn, void *ctx, struct strbuf *err)
{
	int rc = 0;
	for (int i = 0; i < n; i++) {
		PGresult *r;
		int got = 0;
		while ((r = pq->PQgetResult(p->conn))) {
			ExecStatusType st = pq->PQresultStatus(r);
			got++;
			if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK || st == PGRES_SINGLE_TUPLE) {
				if (fn)
					fn(p, r, ctx);
			} else if (st == PGRES_PIPELINE_ABORTED) {
				if (rc == 0)
					rc = error_set(err, "statement aborted");
			} else {
				if (rc == 0)
					rc = fail_msg(p, err, "query", pq->PQresultErrorMessage(r));
				if (fn)
					fn(p, NULL, ctx);
			}
			pq->PQclear(r);
		}
		if (!got || pq->PQstatus(p->conn) == CONNECTION_BAD)
			return lose(p, err);
	}
	PGresult *r = pq->PQgetResult(p->conn);
	bool synced = r && pq->PQresultStatus(r) == PGRES_PIPELINE_SYNC;
	pq->PQclear(r);
	if (!synced)
		return lose(p, err);
	return rc;
}

static void store_answer(struct pdb *p, PGresult *rows, void *ctx)
{
	int *stored = ctx;
	*stored = rows && pq->PQntuples(rows) == 1 ? atoi(pq->PQgetvalue(rows, 0, 0)) > 0 : -1;
	(void)p;
}

/* Reads the answers of every pipelined write, telling the stores' callers. */
static int drain(struct pdb *p, struct strbuf *err)
{
	struct strbuf one = STRBUF_INIT;
	while (p->npend && !p->lost) {
		struct pend e = p->pend[p->headpend];
		int stored = -1;
		strbuf_reset(&one);
		int rc = read_answers(p, 1, e.kind == PEND_STORE ? store_answer : NULL, &stored, &one);
		if (p->lost)
			break; /* lose() has failed this entry and every later one */
		p->headpend = (p->headpend + 1) % p->cappend;
		p->npend--;
		if (e.kind == PEND_STORE)
			triagedb_report_stored(&p->base, e.tag, rc < 0 ? -1 : stored);
		if (rc < 0 && !p->async_err.len)
			strbuf_add(&p->async_err, one.buf, one.len);
	}
	int rc = 0;
	if (p->lost) {
		rc = error_set(err, "%s", one.len ? one.buf : "connection to the database lost");
	} else if (p->async_err.len) { /* a write failed: told once, by the next call that can fail */
		rc = error_set(err, "%s", p->async_err.buf);
		strbuf_reset(&p->async_err);
	}
	strbuf_release(&one);
	return rc;
}

/* ---- opening ---- */

/* The password as the URI writes it (user:PASSWORD@ or password=PASSWORD), or NULL. */
static char *written_password(const char *uri)
{
	const char *auth = strstr(uri, "://");
	if (!auth)
		return NULL;
	auth += 3;
	size_t authlen = strcspn(auth, "/?#");
	const char *at = NULL;
	for (const char *q = auth; q < auth + authlen; q++)
		if (*q == '@')
			at = q;
	const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	struct strbuf sb = STRBUF_INIT;
	if (colon) {
		strbuf_add(&sb, colon + 1, (size_t)(at - colon - 1));
	} else {
		const char *q = strstr(uri, "password=");
		if (q && (q[-1] == '?' || q[-1] == '&'))
			strbuf_add(&sb, q + 9, strcspn(q + 9, "&#"));
	}
	if (!sb.len)
		return NULL;
	return strbuf_detach(&sb, NULL);
}

/* The password libpq would use from the URI (percent-decoded), or NULL. */
static char *decoded_password(const char *uri)
{
	PQconninfoOption *opts = pq->PQconninfoParse(uri, NULL);
	char *pw = NULL;
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val && *o->val)
			pw = xstrdup(o->val);
	pq->PQconninfoFree(opts);
	return pw;
}

static void no_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message; /* "schema already exists, skipping" and the like are not for the user */
}

static int exec_ok(struct pdb *p, const char *sql, struct strbuf *err)
{
	PGresult *r = pq->PQexec(p->conn, sql);
	ExecStatusType st = pq->PQresultStatus(r);
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
	if (rc < 0)
		fail_msg(p, err, "query",
			 r ? pq->PQresultErrorMessage(r) : pq->PQerrorMessage(p->conn));
	pq->PQclear(r);
	return rc;
}

/* One value of a one-row query (malloc'ed; NULL for SQL NULL or no row); *FAILED on error. */
static char *query_value(struct pdb *p, const char *sql, bool *failed, struct strbuf *err)
{
	PGresult *r = pq->PQexec(p->conn, sql);
	char *v = NULL;
	*failed = pq->PQresultStatus(r) != PGRES_TUPLES_OK;
	if (*failed)
		fail_msg(p, err, "query",
			 r ? pq->PQresultErrorMessage(r) : pq->PQerrorMessage(p->conn));
	else if (pq->PQntuples(r) > 0 && !pq->PQgetisnull(r, 0, 0))
		v = xstrdup(pq->PQgetvalue(r, 0, 0));
	pq->PQclear(r);
	return v;
}

/* The schema version, 0 when there is no mortem schema, or -1 with ERR. */
static int read_version(struct pdb *p, struct strbuf *err)
{
	bool failed;
	/*
	 * pg_class, not to_regclass(): a worker that waited for another to
	 * create the schema must see it, and to_regclass() reads the catalog
	 * cache, which a wait on an advisory lock does not refresh.
	 */
	char *meta = query_value(p,
				 "SELECT c.relname FROM pg_class c JOIN pg_namespace s"
				 " ON s.oid = c.relnamespace WHERE s.nspname = 'mortem'"
				 " AND c.relname = 'meta'",
				 &failed, err);
	if (failed)
		return -1;
	if (!meta)
		return 0;
	free(meta);
	char *v = query_value(p, "SELECT value FROM mortem.meta WHERE key = 'schema_version'", &failed,
			      err);
	if (failed)
		return -1;
	int version = v ? atoi(v) : 0;
	free(v);
	if (version <= 0)
		return error_set(err, "the schema \"mortem\" has no schema version; left unchanged");
	return version;
}

static int check_version(int version, struct strbuf *err)
{
	if (version > TRIAGEDB_SCHEMA_VERSION)
		return error_set(err, "triage database of a newer mortem (schema version %d; this"
				      " mortem knows up to %d)", version, TRIAGEDB_SCHEMA_VERSION);
	return 0;
}

/*
 * Creates the schema, under a lock so that workers starting together create
 * it once. A schema "mortem" that holds tables but no version is someone
 * else's: refused, unchanged.
 */
static int create_schema(struct pdb *p, struct strbuf *err)
{
	if (exec_ok(p, "BEGIN", err) < 0)
		return -1;
	int rc = exec_ok(p, "SELECT pg_advisory_xact_lock(7236828464957190765)", err);
	int version = rc < 0 ? -1 : read_version(p, err);
	if (version < 0) {
		rc = -1;
	} else if (version > 0) {
		rc = check_version(version, err);
	} else {
		bool failed;
		char *n = query_value(p,
				      "SELECT count(*)::text FROM pg_class c JOIN pg_namespace s"
				      " ON s.oid = c.relnamespace WHERE s.nspname = 'mortem'",
				      &failed, err);
		if (failed)
			rc = -1;
		else if (n && atoi(n) > 0)
			rc = error_set(err, "the schema \"mortem\" holds another application's tables;"
					    " left unchanged");
		else
			rc = exec_ok(p, schema_sql, err);
		free(n);
	}
	if (rc < 0) {
		pq->PQclear(pq->PQexec(p->conn, "ROLLBACK"));
		return -1;
	}
	return exec_ok(p, "COMMIT", err);
}

static int prepare_one(struct pdb *p, const char *name, const char *sql, int n, struct strbuf *err)
{
	PGresult *r = pq->PQprepare(p->conn, name, sql, n, NULL);
	int rc = pq->PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
	if (rc < 0)
		fail_msg(p, err, "prepare",
			 r ? pq->PQresultErrorMessage(r) : pq->PQerrorMessage(p->conn));
	pq->PQclear(r);
	return rc;
}

static int setup_write(struct pdb *p, struct strbuf *err)
{
	/*
	 * A commit need not wait for the server's disk: a result lost by a
	 * server crash is only analyzed again, and a result, its claim and its
	 * count still commit together or not at all.
	 */
	if (exec_ok(p, "SET synchronous_commit = off", err) < 0)
		return -1;
	int version = read_version(p, err);
	if (version < 0 || check_version(version, err) < 0)
		return -1;
	if (version < TRIAGEDB_SCHEMA_VERSION && create_schema(p, err) < 0)
		return -1;
	return prepare_one(p, "claim", claim_sql, 7, err) ||
	       prepare_one(p, "unstore", unstore_sql, 1, err) ||
	       prepare_one(p, "store", store_sql, 8, err) ||
	       prepare_one(p, "release", release_sql, 2, err)
		       ? -1
		       : 0;
}

static int setup_read(struct pdb *p, struct strbuf *err)
{
	if (exec_ok(p, "SET default_transaction_read_only = on", err) < 0)
		return -1;
	int version = read_version(p, err);
	if (version < 0)
		return -1;
	if (version == 0)
		return error_set(err, "no mortem triage data in this database (a triage run with"
				      " PATHs creates it)");
	return check_version(version, err);
}

static void pdb_close(struct triagedb *base)
{
	struct pdb *p = (struct pdb *)base;
	if (p->conn && !p->lost && pq->PQpipelineStatus(p->conn) != PQ_PIPELINE_OFF) {
		drain(p, NULL);
		pq->PQexitPipelineMode(p->conn);
	}
	pq->PQfinish(p->conn);
	free(p->secret[0]);
	free(p->secret[1]);
	free(p->pend);
	strbuf_release(&p->async_err);
	free(p);
}

static struct triagedb *pdb_open(const char *uri, enum triagedb_mode mode, const char *worker,
				 struct strbuf *err)
{
	pq = pqlib_load(err);
	if (!pq)
		return NULL;
	struct pdb *p = xcalloc(1, sizeof(*p));
	p->base.worker = (char *)worker; /* triagedb_open sets it for good */
	p->secret[0] = written_password(uri);
	p->secret[1] = decoded_password(uri);
	strbuf_init(&p->async_err, 0);
	/*
	 * Defaults first (what the URI says wins): a server that vanishes
	 * without closing the connection is given up within about a minute.
	 */
	const char *keys[] = { "connect_timeout", "keepalives_idle", "keepalives_interval",
			       "keepalives_count", "tcp_user_timeout", "fallback_application_name",
			       "dbname", NULL };
	const char *values[] = { "10", "30", "10", "3", "60000", "mortem", uri, NULL };
	p->conn = pq->PQconnectdbParams(keys, values, 1);
	int rc = 0;
	if (!p->conn)
		rc = error_set(err, "cannot connect: out of memory");
	else if (pq->PQstatus(p->conn) != CONNECTION_OK)
		rc = fail_msg(p, err, "cannot connect", pq->PQerrorMessage(p->conn));
	if (rc == 0) {
		pq->PQsetNoticeProcessor(p->conn, no_notices, NULL);
		rc = mode == TRIAGEDB_WRITE ? setup_write(p, err) : setup_read(p, err);
	}
	if (rc == 0 && !pq->PQenterPipelineMode(p->conn))
		rc = fail_msg(p, err, "pipeline mode", pq->PQerrorMessage(p->conn));
	if (rc < 0) {
		pdb_close(&p->base);
		return NULL;
	}
	return &p->base;
}

/* ---- claims and results ---- */

struct claim_answer {
	struct triagedb_claim **order; /* the claims as sent */
	bool *stored;
	size_t next;
	const char *worker;
};

static void claim_rows(struct pdb *p, PGresult *rows, void *ctx)
{
	struct claim_answer *a = ctx;
	size_t i = a->next++;
	struct triagedb_claim *c = a->order[i];
	if (!rows || pq->PQntuples(rows) != 1)
		return;
	const char *holder = pq->PQgetisnull(rows, 0, 0) ? NULL : pq->PQgetvalue(rows, 0, 0);
	a->stored[i] = pq->PQgetvalue(rows, 0, 3)[0] == 't';
	c->first_seen = strtoll(pq->PQgetvalue(rows, 0, 2), NULL, 10);
	if (!pq->PQgetisnull(rows, 0, 4)) {
		c->state = TRIAGEDB_KNOWN;
		c->record = xstrdup(pq->PQgetvalue(rows, 0, 4));
	} else if (holder && !a->stored[i] && !strcmp(holder, a->worker)) {
		c->state = TRIAGEDB_MINE;
	} else {
		c->state = TRIAGEDB_BUSY;
		c->holder = holder ? xstrdup(holder) : NULL;
		c->until = pq->PQgetisnull(rows, 0, 1) ? 0
						       : strtoll(pq->PQgetvalue(rows, 0, 1), NULL, 10);
	}
	(void)p;
}

static int by_hash(const void *a, const void *b)
{
	const struct triagedb_claim *x = *(struct triagedb_claim *const *)a;
	const struct triagedb_claim *y = *(struct triagedb_claim *const *)b;
	return strcmp(x->hash, y->hash);
}

/* Asks again, later, about the stored artifacts that showed no result (see unstore_sql). */
static int unstore_missing(struct pdb *p, struct claim_answer *a, size_t n, struct strbuf *err)
{
	for (size_t i = 0; i < n; i++) {
		if (!a->stored[i] || a->order[i]->state != TRIAGEDB_BUSY)
			continue;
		const char *h[] = { a->order[i]->hash };
		if (send_prepared(p, "unstore", 1, h, err) < 0 || sync_point(p, err) < 0)
			return -1;
		push_pend(p, PEND_RELEASE, 0);
	}
	return 0;
}

/*
 * The batch is one transaction (one sync point), its rows locked in hash
 * order: workers claiming overlapping batches wait for each other, never
 * deadlock.
 */
static int pdb_claim(struct triagedb *base, struct triagedb_claim *claims, size_t n,
		     const char *const *dead, int64_t now, int64_t lease, struct strbuf *err)
{
	struct pdb *p = (struct pdb *)base;
	if (!n)
		return 0;
	char when[24], secs[24];
	snprintf(when, sizeof(when), "%lld", (long long)now);
	snprintf(secs, sizeof(secs), "%lld", (long long)lease);
	struct claim_answer a = { xcalloc(n, sizeof(*a.order)), xcalloc(n, sizeof(*a.stored)), 0,
				  base->worker };
	for (size_t i = 0; i < n; i++)
		a.order[i] = &claims[i];
	qsort(a.order, n, sizeof(*a.order), by_hash);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char mtime[24];
		snprintf(mtime, sizeof(mtime), "%lld", (long long)a.order[i]->mtime);
		const char *v[] = { a.order[i]->hash, a.order[i]->path, mtime, when, base->worker, secs,
				    dead ? dead[a.order[i] - claims] : NULL };
		rc = send_prepared(p, "claim", 7, v, err);
	}
	if (rc == 0)
		rc = sync_point(p, err);
	if (rc == 0)
		rc = drain(p, err);
	if (rc == 0)
		rc = read_answers(p, (int)n, claim_rows, &a, err);
	if (rc == 0 || !p->lost) {
		int urc = unstore_missing(p, &a, n, err);
		rc = rc < 0 ? rc : urc;
	}
	free(a.order);
	free(a.stored);
	return rc;
}

struct peek_answer {
	struct triagedb_claim *claims;
	size_t n;
	const char *worker;
};

static struct triagedb_claim *find_claim(struct peek_answer *a, const char *hash)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->claims[i].hash, hash))
			return &a->claims[i];
	return NULL;
}

static void peek_rows(struct pdb *p, PGresult *rows, void *ctx)
{
	struct peek_answer *a = ctx;
	for (int k = 0; rows && k < pq->PQntuples(rows); k++) {
		struct triagedb_claim *c = find_claim(a, pq->PQgetvalue(rows, k, 0));
		if (!c)
			continue;
		c->first_seen = strtoll(pq->PQgetvalue(rows, k, 1), NULL, 10);
		const char *holder =
			pq->PQgetisnull(rows, k, 2) ? NULL : pq->PQgetvalue(rows, k, 2);
		bool expired = pq->PQgetvalue(rows, k, 4)[0] == 't';
		if (!pq->PQgetisnull(rows, k, 5)) {
			c->state = TRIAGEDB_KNOWN;
			c->record = xstrdup(pq->PQgetvalue(rows, k, 5));
		} else if (holder && !expired && strcmp(holder, a->worker)) {
			c->state = TRIAGEDB_BUSY;
			c->holder = xstrdup(holder);
			c->until = strtoll(pq->PQgetvalue(rows, k, 3), NULL, 10);
		}
	}
	(void)p;
}

/* A text[] literal of the N claims' hashes (hex digits and '-': nothing to escape, quoted anyway). */
static void hash_array(struct strbuf *out, const struct triagedb_claim *claims, size_t n)
{
	strbuf_addch(out, '{');
	for (size_t i = 0; i < n; i++) {
		strbuf_adds(out, i ? ",\"" : "\"");
		for (const char *h = claims[i].hash; *h; h++) {
			if (*h == '"' || *h == '\\')
				strbuf_addch(out, '\\');
			strbuf_addch(out, *h);
		}
		strbuf_addch(out, '"');
	}
	strbuf_addch(out, '}');
}

/* One query for the whole batch, on the server's clock; writes nothing. */
static int pdb_peek(struct triagedb *base, struct triagedb_claim *claims, size_t n, int64_t now,
		    struct strbuf *err)
{
	struct pdb *p = (struct pdb *)base;
	(void)now;
	if (!n)
		return 0;
	struct strbuf arr = STRBUF_INIT;
	hash_array(&arr, claims, n);
	const char *v[] = { arr.buf };
	int rc = send_sql(p,
			  "SELECT a.hash, a.first_seen, a.claimed_by, a.claim_until,"
			  " a.claim_until < extract(epoch FROM now())::bigint, r.record"
			  " FROM mortem.artifacts a LEFT JOIN mortem.results r ON r.hash = a.hash"
			  " WHERE a.hash = ANY($1::text[])",
			  1, v, err);
	strbuf_release(&arr);
	if (rc < 0 || sync_point(p, err) < 0 || drain(p, err) < 0)
		return -1;
	struct peek_answer a = { claims, n, base->worker };
	return read_answers(p, 1, peek_rows, &a, err);
}

static int pdb_release(struct triagedb *base, const char *hash, struct strbuf *err)
{
	struct pdb *p = (struct pdb *)base;
	const char *v[] = { hash, base->worker };
	if (send_prepared(p, "release", 2, v, err) < 0 || sync_point(p, err) < 0)
		return -1;
	push_pend(p, PEND_RELEASE, 0);
	return 0;
}

static int pdb_store(struct triagedb *base, const struct triagedb_result *r, int64_t now,
		     struct strbuf *err)
{
	struct pdb *p = (struct pdb *)base;
	char mtime[24], when[24];
	snprintf(mtime, sizeof(mtime), "%lld", (long long)r->mtime);
	snprintf(when, sizeof(when), "%lld", (long long)now);
	const char *v[] = { r->hash, r->path, mtime, when, r->status, r->bucket, r->signature,
			    r->record };
	if (send_prepared(p, "store", 8, v, err) < 0 || sync_point(p, err) < 0) {
		triagedb_report_stored(base, r->tag, -1);
		return -1;
	}
	push_pend(p, PEND_STORE, r->tag);
	return 0;
}

static int pdb_flush(struct triagedb *base, struct strbuf *err)
{
	return drain((struct pdb *)base, err);
}

static int pdb_add_run(struct triagedb *base, const struct triagedb_run *run, struct strbuf *err)
{
	struct pdb *p = (struct pdb *)base;
	if (drain(p, err) < 0)
		return -1;
	char t[24], found[24], fresh[24], known[24];
	snprintf(t, sizeof(t), "%lld", (long long)run->time);
	snprintf(found, sizeof(found), "%lld", (long long)run->found);
	snprintf(fresh, sizeof(fresh), "%lld", (long long)run->fresh);
	snprintf(known, sizeof(known), "%lld", (long long)run->known);
	const char *v[] = { t, base->worker_shown, found, fresh, known };
	if (send_sql(p, "BEGIN", 0, NULL, err) < 0 ||
	    send_sql(p,
		     "INSERT INTO mortem.runs(time, worker, found, analyzed, known)"
		     " VALUES($1, $2, $3, $4, $5)",
		     5, v, err) < 0)
		return -1;
	for (size_t i = 0; i < run->nbuckets; i++) {
		char count[24];
		snprintf(count, sizeof(count), "%lld", (long long)run->counts[i]);
		const char *c[] = { run->buckets[i], run->signatures[i], count };
		if (send_sql(p,
			     "INSERT INTO mortem.bucket_counts(run, bucket, signature, count)"
			     " VALUES(currval('mortem.runs_id_seq'), $1, $2, $3)",
			     3, c, err) < 0)
			return -1;
	}
	if (send_sql(p, "COMMIT", 0, NULL, err) < 0 || sync_point(p, err) < 0)
		return -1;
	return read_answers(p, (int)run->nbuckets + 3, NULL, NULL, err);
}

struct bucket_answer {
	size_t i;
	int step;                 /* 0: the total, 1: the history */
	triagedb_total_fn total_fn;
	triagedb_history_fn history_fn;
	void *ctx;
};

static void bucket_rows(struct pdb *p, PGresult *rows, void *ctx)
{
	struct bucket_answer *a = ctx;
	int step = a->step++;
	if (!rows)
		return;
	if (step == 0) {
		a->total_fn(a->ctx, a->i,
			    pq->PQntuples(rows) ? strtoll(pq->PQgetvalue(rows, 0, 0), NULL, 10)
						: 0);
		return;
	}
	for (int k = 0; k < pq->PQntuples(rows); k++)
		a->history_fn(a->ctx, a->i, strtoll(pq->PQgetvalue(rows, k, 0), NULL, 10),
			      strtoll(pq->PQgetvalue(rows, k, 1), NULL, 10));
	(void)p;
}

static int pdb_buckets(struct triagedb *base, const char *const *buckets, size_t n,
		       triagedb_total_fn total_fn, triagedb_history_fn history_fn, void *ctx,
		       struct strbuf *err)
{
	struct pdb *p = (struct pdb *)base;
	if (drain(p, err) < 0)
		return -1;
	/* one transaction: every bucket from the same snapshot */
	if (send_sql(p, "BEGIN ISOLATION LEVEL REPEATABLE READ", 0, NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *v[] = { buckets[i] };
		if (send_sql(p, "SELECT count FROM mortem.buckets WHERE bucket = $1", 1, v, err) < 0 ||
		    send_sql(p,
			     "SELECT r.time, c.count FROM mortem.bucket_counts c JOIN mortem.runs r"
			     " ON r.id = c.run WHERE c.bucket = $1 ORDER BY r.id",
			     1, v, err) < 0)
			return -1;
	}
	if (send_sql(p, "COMMIT", 0, NULL, err) < 0 || sync_point(p, err) < 0)
		return -1;
	int rc = 0;
	for (int step = 0; step < (int)(2 * n + 2); step++) {
		struct bucket_answer a = { (size_t)(step - 1) / 2, (step - 1) % 2, total_fn, history_fn,
					   ctx };
		bool query = step > 0 && step <= (int)(2 * n);
		PGresult *r;
		int got = 0;
		while ((r = pq->PQgetResult(p->conn))) {
			ExecStatusType st = pq->PQresultStatus(r);
			got++;
			if (st == PGRES_TUPLES_OK && query)
				bucket_rows(p, r, &a);
			else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && rc == 0)
				rc = fail_msg(p, err, "query", pq->PQresultErrorMessage(r));
			pq->PQclear(r);
		}
		if (!got)
			return lose(p, err);
	}
	PGresult *r = pq->PQgetResult(p->conn);
	bool synced = r && pq->PQresultStatus(r) == PGRES_PIPELINE_SYNC;
	pq->PQclear(r);
	return synced ? rc : lose(p, err);
}

static int pdb_each(struct triagedb *base, int64_t since, triagedb_each_fn fn, void *ctx,
		    struct strbuf *err)
{
	struct pdb *p = (struct pdb *)base;
	if (drain(p, err) < 0)
		return -1;
	char s[24];
	snprintf(s, sizeof(s), "%lld", (long long)since);
	const char *v[] = { s };
	if (send_sql(p,
		     "SELECT a.hash, a.path, a.mtime, a.first_seen, r.record FROM mortem.artifacts a"
		     " JOIN mortem.results r ON r.hash = a.hash WHERE a.first_seen >= $1",
		     1, v, err) < 0 ||
	    sync_point(p, err) < 0)
		return -1;
	pq->PQsetSingleRowMode(p->conn); /* a fleet's store is read a row at a time */
	int rc = 0, got = 0;
	PGresult *r;
	while ((r = pq->PQgetResult(p->conn))) {
		ExecStatusType st = pq->PQresultStatus(r);
		got++;
		if (st == PGRES_SINGLE_TUPLE)
			fn(ctx, pq->PQgetvalue(r, 0, 0), pq->PQgetvalue(r, 0, 1),
			   strtoll(pq->PQgetvalue(r, 0, 2), NULL, 10),
			   strtoll(pq->PQgetvalue(r, 0, 3), NULL, 10),
			   pq->PQgetvalue(r, 0, 4));
		else if (st != PGRES_TUPLES_OK && rc == 0)
			rc = fail_msg(p, err, "query", pq->PQresultErrorMessage(r));
		pq->PQclear(r);
	}
	if (!got)
		return lose(p, err);
	r = pq->PQgetResult(p->conn);
	bool synced = r && pq->PQresultStatus(r) == PGRES_PIPELINE_SYNC;
	pq->PQclear(r);
	return synced ? rc : lose(p, err);
}

const struct triagedb_ops triagedb_pg_ops = {
	.name = "postgresql",
	.open = pdb_open,
	.claim = pdb_claim,
	.peek = pdb_peek,
	.release = pdb_release,
	.store = pdb_store,
	.flush = pdb_flush,
	.add_run = pdb_add_run,
	.buckets = pdb_buckets,
	.each = pdb_each,
	.close = pdb_close,
};
