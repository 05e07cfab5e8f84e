/*
 * mortem triage: walk PATHs for artifacts, analyze each in a worker process
 * (or take its record from --db), aggregate into buckets, render.
 */
#include "analyzer/triage/triage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "analyzer/lib/arena.h"
#include "analyzer/commands.h"
#include "analyzer/lib/input.h"
#include "analyzer/triage/triage_pool.h"
#include "analyzer/triage/triagedb.h"
#include "analyzer/triage/walk.h"

struct progress {
	bool on;
	double start, last;
	uint64_t total_bytes, done_bytes;
	size_t done;
};

struct triage_ctx {
	struct triage_run run;
	struct pool *pool;
	struct triagedb *db;
	const struct mortem_opts *o;
	struct progress prog;
	struct strbuf err;
	bool db_failed;
	char **paths;             /* the PATHs as given */
	int npaths;
};

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress_show(struct progress *p, bool force)
{
	if (!p->on)
		return;
	double t = wall();
	if (!force && t - p->last < 0.2)
		return;
	p->last = t;
	double el = t - p->start;
	double rate = el > 0 ? p->done / el : 0;
	fprintf(stderr, "\rtriage: %zu artifacts, %.1f/s", p->done, rate);
	if (p->total_bytes && p->done_bytes && p->done_bytes < p->total_bytes) {
		double frac = (double)p->done_bytes / (double)p->total_bytes;
		long eta = (long)(el / frac * (1 - frac));
		fprintf(stderr, ", %d%%, ETA %ld:%02ld", (int)(frac * 100), eta / 60, eta % 60);
	}
	fprintf(stderr, "    ");
	fflush(stderr);
}

static void progress_end(struct progress *p)
{
	if (p->on)
		fprintf(stderr, "\r%60s\r", "");
}

static struct triage_item *new_item(struct triage_run *run, const char *path, int64_t mtime)
{
	struct triage_item *it = xcalloc(1, sizeof(*it));
	it->path = xstrdup(path);
	it->mtime = mtime;
	it->first_seen = run->started;
	run->items = xrealloc(run->items, (run->nitems + 1) * sizeof(*run->items));
	run->items[run->nitems++] = it;
	return it;
}

static void item_set_record(struct triage_ctx *c, struct triage_item *it, const char *json)
{
	if (record_parse(&it->rec, json, &c->err) < 0) {
		struct strbuf sb = STRBUF_INIT;
		record_problem(&sb, RECORD_FAILED, c->err.buf);
		record_parse(&it->rec, sb.buf, &c->err);
		strbuf_release(&sb);
	}
	it->done = true;
}

static void on_done(void *ctx, size_t tag, const char *record, const char *error)
{
	struct triage_ctx *c = ctx;
	struct triage_item *it = c->run.items[tag];
	struct strbuf sb = STRBUF_INIT;
	bool keep = record != NULL; /* a crashed or timed-out worker is retried by the next run */
	if (!record) {
		record_problem(&sb, RECORD_FAILED, error);
		record = sb.buf;
	}
	item_set_record(c, it, record);
	it->fresh = true;
	c->run.fresh += it->rec.status != RECORD_SKIPPED;
	if (keep && c->db && !c->db_failed &&
	    triagedb_store(c->db, it->hash, it->path, it->mtime, record, c->run.started, &c->err) < 0) {
		cli_error(c->o->db, "%s", c->err.buf);
		c->db_failed = true;
	}
	strbuf_release(&sb);
	c->prog.done++;
	progress_show(&c->prog, false);
}

static int on_artifact(void *ctx, const struct walk_artifact *a)
{
	struct triage_ctx *c = ctx;
	struct triage_item *it = new_item(&c->run, a->path, a->mtime);
	contenthash_hex(a->data, a->len, it->hash);
	if (c->db) {
		char *stored = NULL;
		int64_t first = 0;
		int r = triagedb_lookup(c->db, it->hash, &stored, &first, &c->err);
		if (r > 0) {
			item_set_record(c, it, stored);
			it->first_seen = first;
			free(stored);
			triagedb_touch(c->db, it->hash, c->run.started, &c->err);
			c->prog.done++;
			progress_show(&c->prog, false);
			return 0;
		}
	}
	pool_submit(c->pool, a->fd, a->len, a->path, c->run.nitems - 1);
	return 0;
}

static void on_problem(void *ctx, const char *path, const char *msg)
{
	struct triage_ctx *c = ctx;
	triage_add_problem(&c->run, path, msg);
	for (int i = 0; i < c->npaths; i++)
		if (!strcmp(c->paths[i], path))
			cli_error(path, "%s", msg); /* a PATH the user named: say so on stderr too */
}

static void on_progress(void *ctx, uint64_t raw)
{
	struct triage_ctx *c = ctx;
	c->prog.done_bytes += raw;
	progress_show(&c->prog, false);
}

static void from_db(void *ctx, const char *hash, const char *path, int64_t mtime,
		    int64_t first_seen, const char *record)
{
	struct triage_ctx *c = ctx;
	struct triage_item *it = new_item(&c->run, path, mtime);
	snprintf(it->hash, sizeof(it->hash), "%s", hash);
	it->first_seen = first_seen;
	item_set_record(c, it, record);
}

static int jobs(const struct mortem_opts *o)
{
	if (o->jobs > 0)
		return o->jobs;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

static void walk_all(struct triage_ctx *c, int argc, char **argv)
{
	static const struct walk_ops ops = { on_artifact, on_problem, on_progress };
	struct walk_limits limits = WALK_LIMITS_DEFAULT;
	if (c->o->max_depth)
		limits.max_depth = c->o->max_depth;
	if (c->o->max_members)
		limits.max_members = c->o->max_members;
	if (c->o->max_archive_bytes)
		limits.max_bytes = c->o->max_archive_bytes;
	struct input_limits in_lim = { .max_decompressed = c->o->max_decompressed };
	limits.max_member_bytes = input_decompressed_limit(&in_lim);
	struct walk_stats stats;
	c->paths = argv;
	c->npaths = argc;
	c->prog.on = isatty(2);
	c->prog.start = wall();
	if (c->prog.on)
		c->prog.total_bytes = walk_total_bytes((const char *const *)argv, (size_t)argc);
	c->pool = pool_start(jobs(c->o), c->o, c->o->timeout, on_done, c);
	walk_paths((const char *const *)argv, (size_t)argc, &limits, &ops, c, &stats);
	pool_finish(c->pool);
	c->pool = NULL;
	progress_show(&c->prog, true);
	progress_end(&c->prog);
}

static void history_add(void *ctx, int64_t time, int64_t count)
{
	struct triage_bucket *b = ctx;
	b->hist_time = xrealloc(b->hist_time, (b->nhist + 1) * sizeof(*b->hist_time));
	b->hist_count = xrealloc(b->hist_count, (b->nhist + 1) * sizeof(*b->hist_count));
	b->hist_time[b->nhist] = time;
	b->hist_count[b->nhist++] = count;
}

/* Records this run's bucket counts, then reads every bucket's history back. */
static int db_history(struct triage_ctx *c, bool record_run)
{
	struct triage_run *run = &c->run;
	if (triagedb_begin(c->db, &c->err) < 0)
		return -1;
	if (record_run) {
		int64_t id = triagedb_add_run(c->db, run->started, (int64_t)(run->analyzed + run->nproblems),
					      (int64_t)run->fresh, &c->err);
		if (id < 0)
			return -1;
		for (size_t i = 0; i < run->nbuckets; i++)
			if (triagedb_add_count(c->db, id, run->buckets[i].bucket, run->buckets[i].signature,
					       (int64_t)run->buckets[i].nmembers, &c->err) < 0)
				return -1;
	}
	if (triagedb_commit(c->db, &c->err) < 0)
		return -1;
	for (size_t i = 0; i < run->nbuckets; i++)
		if (triagedb_history(c->db, run->buckets[i].bucket, history_add, &run->buckets[i],
				     &c->err) < 0)
			return -1;
	return 0;
}

static int out_width(void)
{
	struct winsize ws;
	if (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *cols = getenv("COLUMNS");
	return cols ? atoi(cols) : 0;
}

static int write_html(const struct triage_run *run, const char *path)
{
	struct strbuf page = STRBUF_INIT;
	triage_html(run, &page);
	FILE *f = fopen(path, "w");
	int rc = 0;
	if (!f || fwrite(page.buf, 1, page.len, f) != page.len)
		rc = -1;
	if (f && fclose(f) != 0)
		rc = -1;
	if (rc < 0)
		cli_error(path, "cannot write the HTML report: %m");
	strbuf_release(&page);
	return rc;
}

static int render(struct triage_ctx *c)
{
	struct strbuf out = STRBUF_INIT;
	if (c->o->json)
		triage_json(&c->run, &out);
	else
		triage_text(&c->run, &out, out_width());
	int rc = cli_write_stdout(out.buf, out.len);
	if (rc == 0 && fflush(stdout))
		rc = -1;
	strbuf_release(&out);
	if (c->o->html && write_html(&c->run, c->o->html) < 0)
		rc = -1;
	return rc;
}

static int check_usage(int argc, const struct mortem_opts *o, int64_t *since)
{
	*since = 0;
	if (argc == 0 && !o->db) {
		cli_error("triage", "no PATH given (see mortem --help)");
		return -1;
	}
	if (o->since && !o->db) {
		cli_error("triage", "--since needs --db");
		return -1;
	}
	if (o->since && triage_parse_date(o->since, since) < 0) {
		cli_error("triage", "--since '%s': expected YYYY-MM-DD or an ISO 8601 time", o->since);
		return -1;
	}
	return 0;
}

int cmd_triage(int argc, char **argv, struct mortem_opts *o)
{
	struct triage_ctx c = { .o = o, .err = STRBUF_INIT };
	if (check_usage(argc, o, &c.run.since) < 0)
		return 2;
	c.run.started = (int64_t)time(NULL);
	c.run.with_db = o->db != NULL;
	int status = 0;
	if (o->db && triagedb_open(&c.db, o->db, &c.err) < 0) {
		cli_error(o->db, "%s", c.err.buf);
		strbuf_release(&c.err);
		return 1;
	}
	if (argc > 0)
		walk_all(&c, argc, argv);
	else if (triagedb_each(c.db, c.run.since, from_db, &c, &c.err) < 0)
		cli_error(o->db, "%s", c.err.buf), status = 1;
	triage_aggregate(&c.run);
	if (c.db && db_history(&c, argc > 0 && !c.run.since) < 0)
		cli_error(o->db, "%s", c.err.buf), status = 1;
	if (render(&c) < 0)
		status = 1;
	if (c.run.nproblems || c.db_failed)
		status = 1;
	triagedb_close(c.db);
	triage_run_release(&c.run);
	strbuf_release(&c.err);
	return status;
}
