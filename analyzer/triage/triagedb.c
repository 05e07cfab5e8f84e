/*
 * The store interface: picks the back end by the --db argument, names this
 * worker for its claims, and takes over claims of dead local workers.
 */
#include "analyzer/triage/triagedb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/lib/arena.h"
#include "analyzer/lib/fdio.h"

static bool is_url(const char *target)
{
	return !strncmp(target, "postgresql://", 13) || !strncmp(target, "postgres://", 11);
}

/* Drops "password=..." from the query part Q (after '?'), appending the rest to OUT. */
static void redact_query(struct strbuf *out, const char *q)
{
	bool first = true;
	while (*q) {
		size_t n = strcspn(q, "&");
		if (!(n >= 9 && !strncmp(q, "password=", 9))) {
			strbuf_addch(out, first ? '?' : '&');
			strbuf_add(out, q, n);
			first = false;
		}
		q += n;
		if (*q == '&')
			q++;
	}
}

char *triagedb_redact(const char *target)
{
	if (!is_url(target))
		return xstrdup(target);
	struct strbuf out = STRBUF_INIT;
	const char *auth = strstr(target, "://") + 3;
	size_t authlen = strcspn(auth, "/?#");
	const char *at = NULL;
	for (const char *p = auth; p < auth + authlen; p++)
		if (*p == '@')
			at = p;
	strbuf_add(&out, target, (size_t)(auth - target));
	if (at) {
		const char *colon = memchr(auth, ':', (size_t)(at - auth));
		strbuf_add(&out, auth, (size_t)((colon ? colon : at) - auth));
		strbuf_add(&out, at, (size_t)(auth + authlen - at));
	} else {
		strbuf_add(&out, auth, authlen);
	}
	const char *rest = auth + authlen;
	size_t pathlen = strcspn(rest, "?#");
	strbuf_add(&out, rest, pathlen);
	rest += pathlen;
	if (*rest == '?') {
		size_t qlen = strcspn(rest + 1, "#");
		struct strbuf q = STRBUF_INIT;
		strbuf_add(&q, rest + 1, qlen);
		redact_query(&out, q.buf);
		strbuf_release(&q);
		rest += 1 + qlen;
	}
	strbuf_adds(&out, rest);
	return strbuf_detach(&out, NULL);
}

/* Field 22 of /proc/PID/stat (start time in clock ticks since boot), or 0. */
static unsigned long long start_time(long pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
	if (!p)
		return 0;
	unsigned long long t = 0;
	int field = 2;
	for (p++; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	if (field == 22)
		t = strtoull(p, NULL, 10);
	return t;
}

static void host_name(struct strbuf *out)
{
	char host[256] = "";
	if (gethostname(host, sizeof(host) - 1) < 0 || !*host)
		strcpy(host, "unknown-host");
	for (char *p = host; *p; p++)
		if (*p == '/' || *p == ' ')
			*p = '_';
	strbuf_adds(out, host);
}

/* HOST/BOOT/PID/START: unique among the live processes of every machine. */
static char *worker_identity(void)
{
	struct strbuf sb = STRBUF_INIT, boot = STRBUF_INIT;
	host_name(&sb);
	fd_first_line("/proc/sys/kernel/random/boot_id", &boot);
	long pid = (long)getpid();
	strbuf_addf(&sb, "/%.8s/%ld/%llu", boot.len ? boot.buf : "-", pid, start_time(pid));
	strbuf_release(&boot);
	return strbuf_detach(&sb, NULL);
}

static char *holder_shown(const char *holder)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = strchr(holder, '/'), *q = p ? strchr(p + 1, '/') : NULL;
	if (!q) {
		strbuf_adds(&sb, holder);
		return strbuf_detach(&sb, NULL);
	}
	strbuf_add(&sb, holder, (size_t)(p - holder));
	strbuf_adds(&sb, " pid ");
	strbuf_add(&sb, q + 1, strcspn(q + 1, "/"));
	return strbuf_detach(&sb, NULL);
}

/*
 * Whether HOLDER is a process of this machine (same host, same boot) that
 * is gone: no such pid, or a pid reused by a later process.
 */
static bool holder_dead(const char *mine, const char *holder)
{
	const char *m = strrchr(mine, '/');
	m = m ? m : mine;
	const char *mp = m > mine ? m - 1 : mine;
	while (mp > mine && *mp != '/')
		mp--; /* mine up to its PID: HOST/BOOT/ */
	size_t prefix = (size_t)(mp - mine) + 1;
	if (strncmp(mine, holder, prefix))
		return false;
	char *end;
	long pid = strtol(holder + prefix, &end, 10);
	if (*end != '/' || pid <= 0)
		return false;
	unsigned long long start = strtoull(end + 1, NULL, 10);
	return start_time(pid) != start;
}

int triagedb_open(struct triagedb **out, const char *target, enum triagedb_mode mode,
		  struct strbuf *err)
{
	const struct triagedb_ops *ops = is_url(target) ? &triagedb_pg_ops
								   : &triagedb_sqlite_ops;
	char *worker = worker_identity();
	struct triagedb *db = ops->open(target, mode, worker, err);
	*out = db;
	if (!db) {
		free(worker);
		return -1;
	}
	db->ops = ops;
	db->mode = mode;
	db->worker = worker;
	db->worker_shown = holder_shown(worker);
	return 0;
}

void triagedb_close(struct triagedb *db)
{
	if (!db)
		return;
	char *w = db->worker, *ws = db->worker_shown;
	db->ops->close(db);
	free(w);
	free(ws);
}

void triagedb_claim_release(struct triagedb_claim *c)
{
	free(c->record);
	free(c->holder);
	c->record = c->holder = NULL;
}

static void show_holders(struct triagedb_claim *claims, size_t n);

/* Asks again for the claims held by dead local workers, taking them over. */
static int take_over_dead(struct triagedb *db, struct triagedb_claim *claims, size_t n,
			  int64_t now, int64_t lease, struct strbuf *err)
{
	for (size_t i = 0; i < n; i++) {
		struct triagedb_claim *c = &claims[i];
		if (c->state != TRIAGEDB_BUSY || !c->holder || !holder_dead(db->worker, c->holder))
			continue;
		char *dead = c->holder;
		c->holder = NULL;
		int rc = db->ops->claim(db, c, 1, (const char *const *)&dead, now, lease, err);
		free(dead);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int triagedb_claim(struct triagedb *db, struct triagedb_claim *claims, size_t n, int64_t now,
		   int64_t lease, struct strbuf *err)
{
	for (size_t i = 0; i < n; i++) {
		triagedb_claim_release(&claims[i]);
		claims[i].state = TRIAGEDB_BUSY;
	}
	if (db->ops->claim(db, claims, n, NULL, now, lease, err) < 0 ||
	    take_over_dead(db, claims, n, now, lease, err) < 0)
		return -1;
	show_holders(claims, n);
	return 0;
}

/* Shows the holders of BUSY claims as triagedb_worker does. */
static void show_holders(struct triagedb_claim *claims, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (claims[i].state != TRIAGEDB_BUSY || !claims[i].holder)
			continue;
		char *shown = holder_shown(claims[i].holder);
		free(claims[i].holder);
		claims[i].holder = shown;
	}
}

int triagedb_peek(struct triagedb *db, struct triagedb_claim *claims, size_t n, int64_t now,
		  struct strbuf *err)
{
	for (size_t i = 0; i < n; i++) {
		triagedb_claim_release(&claims[i]);
		claims[i].state = TRIAGEDB_FREE;
	}
	if (db->ops->peek(db, claims, n, now, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct triagedb_claim *c = &claims[i];
		if (c->state == TRIAGEDB_BUSY && c->holder && holder_dead(db->worker, c->holder)) {
			c->state = TRIAGEDB_FREE;
			free(c->holder);
			c->holder = NULL;
		}
	}
	show_holders(claims, n);
	return 0;
}

int triagedb_release(struct triagedb *db, const char *hash, struct strbuf *err)
{
	return db->ops->release(db, hash, err);
}

void triagedb_on_stored(struct triagedb *db, triagedb_stored_fn fn, void *ctx)
{
	db->stored = fn;
	db->stored_ctx = ctx;
}

void triagedb_report_stored(struct triagedb *db, size_t tag, int stored)
{
	if (db->stored)
		db->stored(db->stored_ctx, tag, stored);
}

int triagedb_store(struct triagedb *db, const struct triagedb_result *r, int64_t now,
		   struct strbuf *err)
{
	return db->ops->store(db, r, now, err);
}

int triagedb_flush(struct triagedb *db, struct strbuf *err)
{
	return db->ops->flush(db, err);
}

int triagedb_add_run(struct triagedb *db, const struct triagedb_run *run, struct strbuf *err)
{
	return db->ops->add_run(db, run, err);
}

int triagedb_buckets(struct triagedb *db, const char *const *buckets, size_t n,
		     triagedb_total_fn total_fn, triagedb_history_fn history_fn, void *ctx,
		     struct strbuf *err)
{
	return db->ops->buckets(db, buckets, n, total_fn, history_fn, ctx, err);
}

int triagedb_each(struct triagedb *db, int64_t since, triagedb_each_fn fn, void *ctx,
		  struct strbuf *err)
{
	return db->ops->each(db, since, fn, ctx, err);
}
