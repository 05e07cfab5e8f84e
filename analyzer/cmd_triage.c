/*
 * mortem triage: walk PATHs for artifacts, analyze each in a worker process
 * (or take its record from --db), aggregate into buckets, render.
 */
#include "analyzer/triage/triage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyzer/lib/arena.h"
#include "analyzer/lib/cpus.h"
#include "analyzer/commands.h"
#include "analyzer/lib/input.h"
#include "analyzer/lib/hashmap.h"
#include "analyzer/triage/triage_pool.h"
#include "analyzer/triage/triagedb.h"
#include "analyzer/triage/walk.h"
#include "analyzer/walkiso.h"

struct progress {
	bool on;
	double start, last;
	uint64_t total_bytes, done_bytes;
	size_t done;
	size_t waiting;           /* --db: artifacts other workers hold */
};

/*
 * --db: an artifact this run cannot take yet: another worker holds its
 * claim, or it repeats the bytes of an earlier artifact of this run.
 */
struct deferred {
	size_t item;
	size_t first;             /* a repeat: the earlier item's index + 1; else 0 */
	int fd;                   /* an archive member's bytes, held; -1: reopen by path */
	size_t len;
	char *holder;             /* who held the claim when last asked */
	bool resolved;            /* taken or analyzed: dropped at the end of the round */
};

/* Archive members held for deferred artifacts, at most. */
#define DEFER_MAX_FDS 64
#define DEFER_MAX_BYTES (256ULL << 20)
/*
 * Walked artifacts are claimed in batches (one transaction each): four per
 * worker process, 8 to CLAIM_BATCH of them, or fewer when their bytes
 * (held as file descriptors) pass CLAIM_BATCH_BYTES. Bigger batches cost
 * the store less; smaller ones leave more for the other workers on the
 * same inputs to share.
 */
#define CLAIM_BATCH 32
#define CLAIM_BATCH_BYTES (64ULL << 20)

/* A walked artifact waiting for its claim: the item and a held copy of its descriptor. */
struct walked {
	size_t item;
	int fd;
	size_t len;
};

/* Claims asked at once, and how long to wait between rounds, for the deferred. */
#define DEFER_BATCH 256
#define DEFER_POLL_MS 250

struct triage_ctx {
	struct triage_run run;
	struct pool *pool;
	struct triagedb *db;
	char *db_shown;           /* --db as it may be shown (no password) */
	int64_t lease;
	const struct mortem_opts *o;
	struct progress prog;
	struct strbuf err;
	bool db_failed;
	struct hashmap hashes;     /* --db: hash -> item index + 1, first of this run */
	struct deferred *deferred;
	size_t ndeferred;
	size_t held_fds;
	uint64_t held_bytes;
	struct walked batch[CLAIM_BATCH]; /* --db: walked, not claimed yet */
	size_t nbatch, batch_size;
	uint64_t batch_bytes;
	char **paths;             /* the PATHs as given */
	int npaths;
	struct membudget *budget; /* --max-decompressed: the walker's and the workers' */
	struct charge *charges;   /* per item: the budget its memfd holds */
	size_t ncharges;
};

/*
 * The bytes of the budget an artifact's memfd holds (walk.h: taken over from
 * the walker): given back when the memfd is closed, or, once a worker has
 * it (IN_POOL), when the worker is done.
 */
struct charge {
	uint64_t bytes;
	bool in_pool;
};

static void take_charge(struct triage_ctx *c, size_t item, const struct walk_artifact *a)
{
	if (item >= c->ncharges) {
		size_t n = item + 64;
		c->charges = xrealloc(c->charges, n * sizeof(*c->charges));
		memset(c->charges + c->ncharges, 0, (n - c->ncharges) * sizeof(*c->charges));
		c->ncharges = n;
	}
	if (a->charge) {
		c->charges[item].bytes = *a->charge;
		*a->charge = 0;
	}
}

static void give_back(struct triage_ctx *c, size_t item)
{
	if (item < c->ncharges && c->charges[item].bytes) {
		membudget_give(c->budget, c->charges[item].bytes);
		c->charges[item].bytes = 0;
	}
}

/* Closes an artifact's descriptor: its memfd is gone unless a worker has it too. */
static void close_artifact(struct triage_ctx *c, size_t item, int fd)
{
	close(fd);
	if (item < c->ncharges && !c->charges[item].in_pool)
		give_back(c, item);
}

static void submit(struct triage_ctx *c, int fd, size_t len, const char *path, size_t item)
{
	if (item < c->ncharges)
		c->charges[item].in_pool = true;
	pool_submit(c->pool, fd, len, path, item);
}

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
	fprintf(stderr, "\rtriage: %zu artifact%s, %.1f/s", p->done, p->done == 1 ? "" : "s", rate);
	if (p->waiting)
		fprintf(stderr, ", waiting for %zu that other workers hold", p->waiting);
	else if (p->total_bytes && p->done_bytes && p->done_bytes < p->total_bytes) {
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
		fprintf(stderr, "\r%78s\r", "");
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

/* IT's record JSON, its keys read from SUMMARY when not NULL (record_parse). */
static void item_set_record(struct triage_ctx *c, struct triage_item *it, const char *json,
			    const char *summary)
{
	if (record_parse(&it->rec, json, summary, &c->err) < 0) {
		struct strbuf sb = STRBUF_INIT;
		record_problem(&sb, RECORD_FAILED, c->err.buf);
		record_parse(&it->rec, sb.buf, NULL, &c->err);
		strbuf_release(&sb);
	}
	it->done = true;
}

/* A call to the store failed: say why once; the run claims nothing more. */
static void db_fail(struct triage_ctx *c)
{
	if (!c->db_failed || c->err.len)
		cli_error(c->db_shown, "%s", c->err.len ? c->err.buf : "the database failed");
	strbuf_reset(&c->err);
	c->db_failed = true;
}

static void add_not_stored(struct triage_run *run, const char *path)
{
	run->not_stored = xrealloc(run->not_stored, (run->nnot_stored + 1) * sizeof(*run->not_stored));
	run->not_stored[run->nnot_stored++] = xstrdup(path);
}

static const char *status_name(enum record_status st)
{
	return st == RECORD_OK ? "ok" : st == RECORD_SKIPPED ? "skipped" : "failed";
}

/* Stores the analyzed item TAG (its record RECORD): result, claim, bucket count. */
static void store_item(struct triage_ctx *c, size_t tag, const char *record)
{
	struct triage_item *it = c->run.items[tag];
	if (c->db_failed) {
		add_not_stored(&c->run, it->path);
		return;
	}
	struct strbuf key = STRBUF_INIT, sig = STRBUF_INIT;
	bool ok = it->rec.status == RECORD_OK;
	if (ok)
		triage_bucket_of(&it->rec, &key, &sig);
	struct triagedb_result r = { it->hash, it->path, it->mtime, record, status_name(it->rec.status),
				     ok ? key.buf : NULL, ok ? sig.buf : NULL, tag };
	if (triagedb_store(c->db, &r, (int64_t)time(NULL), &c->err) < 0)
		db_fail(c);
	strbuf_release(&key);
	strbuf_release(&sig);
}

/* The store's answer for item TAG: new, already there (another worker stored it first), or lost. */
static void on_stored(void *ctx, size_t tag, int stored)
{
	struct triage_ctx *c = ctx;
	struct triage_item *it = c->run.items[tag];
	if (stored == 0) {
		it->fresh = false;
		it->known = true;
	} else if (stored < 0) {
		add_not_stored(&c->run, it->path);
		c->db_failed = true;
	}
}

static void on_done(void *ctx, size_t tag, const char *record, const char *summary,
		    const char *error)
{
	struct triage_ctx *c = ctx;
	struct triage_item *it = c->run.items[tag];
	give_back(c, tag); /* the worker let go of the memfd */
	struct strbuf sb = STRBUF_INIT;
	bool keep = record != NULL; /* a crashed or timed-out worker is retried by the next run */
	if (!record) {
		record_problem(&sb, RECORD_FAILED, error);
		record = sb.buf;
	}
	item_set_record(c, it, record, summary);
	it->fresh = true;
	if (c->db && keep)
		store_item(c, tag, record);
	else if (c->db && !c->db_failed && triagedb_release(c->db, it->hash, &c->err) < 0)
		db_fail(c);
	strbuf_release(&sb);
	c->prog.done++;
	progress_show(&c->prog, false);
}

/* Defers ITEM. FD, a held copy of its bytes (or -1), becomes the entry's or is closed. */
static void defer(struct triage_ctx *c, size_t item, int fd, size_t len, size_t first,
		  const char *holder)
{
	struct deferred d = { .item = item, .first = first, .fd = -1 };
	d.holder = holder ? xstrdup(holder) : NULL;
	bool member = strstr(c->run.items[item]->path, "!/") != NULL; /* a file is opened again by its path */
	if (fd >= 0 && member && c->held_fds < DEFER_MAX_FDS &&
	    c->held_bytes + len <= DEFER_MAX_BYTES) {
		d.fd = fd;
		d.len = len;
		c->held_fds++;
		c->held_bytes += len;
	} else if (fd >= 0) {
		close_artifact(c, item, fd);
	}
	c->deferred = xrealloc(c->deferred, (c->ndeferred + 1) * sizeof(*c->deferred));
	c->deferred[c->ndeferred++] = d;
	c->prog.waiting = c->ndeferred;
}

static void release_deferred(struct triage_ctx *c, struct deferred *d)
{
	if (d->fd >= 0) {
		close_artifact(c, d->item, d->fd);
		c->held_fds--;
		c->held_bytes -= d->len;
	}
	free(d->holder);
}

/* Drops the resolved entries, keeping the order of the rest. */
static void compact_deferred(struct triage_ctx *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->ndeferred; i++) {
		if (c->deferred[i].resolved)
			release_deferred(c, &c->deferred[i]);
		else
			c->deferred[n++] = c->deferred[i];
	}
	c->ndeferred = n;
	c->prog.waiting = n;
}

/* Claims the batch of walked artifacts: known (take the result), mine (analyze it), or wait. */
static void claim_walked(struct triage_ctx *c)
{
	size_t n = c->nbatch;
	struct triagedb_claim cl[CLAIM_BATCH];
	memset(cl, 0, sizeof(cl));
	for (size_t i = 0; i < n; i++) {
		const struct triage_item *it = c->run.items[c->batch[i].item];
		cl[i] = (struct triagedb_claim){ .hash = it->hash, .path = it->path, .mtime = it->mtime };
	}
	bool ok = n && triagedb_claim(c->db, cl, n, (int64_t)time(NULL), c->lease, &c->err) == 0;
	if (n && !ok)
		db_fail(c);
	for (size_t i = 0; i < n; i++) {
		struct walked *w = &c->batch[i];
		struct triage_item *it = c->run.items[w->item];
		if (ok)
			it->first_seen = cl[i].first_seen;
		if (!ok) {
			close_artifact(c, w->item, w->fd);
		} else if (cl[i].state == TRIAGEDB_KNOWN) {
			item_set_record(c, it, cl[i].record, NULL);
			it->known = true;
			c->prog.done++;
			close_artifact(c, w->item, w->fd);
		} else if (cl[i].state == TRIAGEDB_MINE) {
			submit(c, w->fd, w->len, it->path, w->item);
			close_artifact(c, w->item, w->fd);
		} else {
			defer(c, w->item, w->fd, w->len, 0, cl[i].holder);
		}
		triagedb_claim_release(&cl[i]);
	}
	c->nbatch = 0;
	c->batch_bytes = 0;
	progress_show(&c->prog, false);
}

/* Keeps the artifact just walked for the next claim batch (a repeat of this run waits for the first). */
static int batch_artifact(struct triage_ctx *c, struct triage_item *it, const struct walk_artifact *a)
{
	size_t idx = c->run.nitems - 1;
	size_t first = (size_t)(uintptr_t)hashmap_get(&c->hashes, it->hash);
	if (first) {
		defer(c, idx, -1, 0, first, NULL);
		give_back(c, idx); /* a repeat: its memfd goes with the walker's descriptor */
		return 0;
	}
	hashmap_put(&c->hashes, it->hash, (void *)(uintptr_t)(idx + 1));
	int fd = fcntl(a->fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0 && c->nbatch) { /* out of descriptors: claim what is held, then try again */
		claim_walked(c);
		fd = fcntl(a->fd, F_DUPFD_CLOEXEC, 0);
	}
	if (fd < 0) {
		triage_add_problem(&c->run, it->path, strerror(errno));
		give_back(c, idx);
		return c->db_failed;
	}
	c->batch[c->nbatch++] = (struct walked){ idx, fd, a->len };
	c->batch_bytes += a->len;
	if (c->nbatch == c->batch_size || c->batch_bytes >= CLAIM_BATCH_BYTES)
		claim_walked(c);
	return c->db_failed;
}

/*
 * The content hash of the first LEN bytes of FD, read through one buffer
 * (a mapping would fault every page in, in the one process that walks
 * for all the workers). 0, or -1 (errno).
 */
static int hash_fd(int fd, size_t len, char out[CONTENTHASH_HEX])
{
	static unsigned char buf[256 << 10];
	return contenthash_fd(fd, len, buf, sizeof(buf), out);
}

static int on_artifact(void *ctx, const struct walk_artifact *a)
{
	struct triage_ctx *c = ctx;
	if (c->db_failed)
		return 1; /* the store is gone: claim nothing more */
	/* the hash is what a store knows an artifact by: without one, nothing asks for it */
	char hash[CONTENTHASH_HEX] = "";
	if (c->db && hash_fd(a->raw_fd, a->raw_len, hash) < 0) {
		char why[160];
		snprintf(why, sizeof(why), "cannot read: %s", strerror(errno));
		triage_add_problem(&c->run, a->path, why);
		return 0;
	}
	struct triage_item *it = new_item(&c->run, a->path, a->mtime);
	memcpy(it->hash, hash, sizeof(hash));
	take_charge(c, c->run.nitems - 1, a);
	if (!c->db) {
		submit(c, a->fd, a->len, a->path, c->run.nitems - 1);
		return 0;
	}
	return batch_artifact(c, it, a);
}

/* The walker waits for room in the budget: what is held is claimed, or a worker is done. */
static bool on_wait_memory(void *ctx)
{
	struct triage_ctx *c = ctx;
	if (c->db && c->nbatch && !c->db_failed) {
		claim_walked(c);
		return true;
	}
	return pool_wait_one(c->pool);
}

/* A repeat of an artifact of this run takes the earlier one's result once it has one. */
static bool take_repeat(struct triage_ctx *c, const struct deferred *d)
{
	const struct triage_item *first = c->run.items[d->first - 1];
	if (!first->done)
		return false;
	struct triage_item *it = c->run.items[d->item];
	item_set_record(c, it, first->rec.text, NULL);
	it->first_seen = first->first_seen;
	it->known = true;
	c->prog.done++;
	return true;
}

/* Opens PATH again (a file deferred without its bytes): its bytes must still hash to HASH. */
static int reopen_same(const char *path, const char *hash, size_t *len, struct strbuf *why)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		strbuf_addf(why, "cannot open it again: %s", fd < 0 ? strerror(errno) : "not a file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*len = (size_t)st.st_size;
	char now[CONTENTHASH_HEX];
	if (hash_fd(fd, *len, now) < 0 || strcmp(now, hash)) {
		strbuf_adds(why, "it changed while it was triaged");
		close(fd);
		return -1;
	}
	return fd;
}

/* The deferred item's claim is now this worker's: analyze it from its held or reopened bytes. */
static void submit_deferred(struct triage_ctx *c, const struct deferred *d)
{
	struct triage_item *it = c->run.items[d->item];
	struct strbuf why = STRBUF_INIT;
	size_t len = d->len;
	int fd = d->fd;
	if (fd < 0 && strstr(it->path, "!/"))
		strbuf_adds(&why, "another worker's claim on it ran out, and this run no longer holds"
				  " the archive member (run again)");
	else if (fd < 0)
		fd = reopen_same(it->path, it->hash, &len, &why);
	if (fd >= 0) {
		submit(c, fd, len, it->path, d->item);
		if (fd != d->fd)
			close(fd);
	} else {
		triage_add_problem(&c->run, it->path, why.buf);
		if (triagedb_release(c->db, it->hash, &c->err) < 0)
			db_fail(c);
	}
	strbuf_release(&why);
}

/* The answer for the deferred entry D: known (take it), mine (analyze it), busy (wait more). */
static void settle(struct triage_ctx *c, struct deferred *d, struct triagedb_claim *cl)
{
	struct triage_item *it = c->run.items[d->item];
	it->first_seen = cl->first_seen;
	if (cl->state == TRIAGEDB_KNOWN) {
		item_set_record(c, it, cl->record, NULL);
		it->known = true;
		c->prog.done++;
		d->resolved = true;
	} else if (cl->state == TRIAGEDB_MINE) {
		submit_deferred(c, d);
		d->resolved = true;
	} else {
		free(d->holder);
		d->holder = cl->holder ? xstrdup(cl->holder) : NULL;
	}
}

/*
 * Looks at the deferred entries from *START on, DEFER_BATCH at most (one
 * read), and claims those nobody holds any more.
 */
static void claim_batch(struct triage_ctx *c, size_t *start, struct triagedb_claim *cl,
			size_t *which)
{
	size_t n = 0;
	for (; *start < c->ndeferred && n < DEFER_BATCH; ++*start) {
		const struct deferred *d = &c->deferred[*start];
		if (d->first || d->resolved)
			continue;
		const struct triage_item *it = c->run.items[d->item];
		cl[n] = (struct triagedb_claim){ .hash = it->hash, .path = it->path, .mtime = it->mtime };
		which[n++] = *start;
	}
	if (n && triagedb_peek(c->db, cl, n, (int64_t)time(NULL), &c->err) < 0) {
		db_fail(c);
		n = 0;
	}
	size_t nfree = 0;
	for (size_t k = 0; k < n; k++) {
		if (cl[k].state == TRIAGEDB_FREE) { /* to the front, for one claim */
			struct triagedb_claim t = cl[nfree];
			size_t w = which[nfree];
			cl[nfree] = cl[k];
			which[nfree] = which[k];
			cl[k] = t;
			which[k] = w;
			nfree++;
		} else {
			settle(c, &c->deferred[which[k]], &cl[k]);
		}
	}
	if (nfree && triagedb_claim(c->db, cl, nfree, (int64_t)time(NULL), c->lease, &c->err) < 0) {
		db_fail(c);
		nfree = 0;
	}
	for (size_t k = 0; k < nfree; k++)
		settle(c, &c->deferred[which[k]], &cl[k]);
	for (size_t k = 0; k < DEFER_BATCH; k++)
		triagedb_claim_release(&cl[k]);
}

/*
 * Waits for the artifacts other workers hold (until they store them or
 * their leases run out) and for repeats, analyzing what becomes this
 * worker's; the pool keeps running meanwhile.
 */
static void resolve_deferred(struct triage_ctx *c)
{
	size_t *which = xcalloc(DEFER_BATCH, sizeof(*which));
	struct triagedb_claim *cl = xcalloc(DEFER_BATCH, sizeof(*cl));
	while (c->ndeferred && !c->db_failed) {
		size_t before = c->ndeferred;
		for (size_t i = 0; i < c->ndeferred; i++)
			if (c->deferred[i].first && take_repeat(c, &c->deferred[i]))
				c->deferred[i].resolved = true;
		for (size_t start = 0; start < c->ndeferred && !c->db_failed;)
			claim_batch(c, &start, cl, which);
		compact_deferred(c);
		progress_show(&c->prog, false);
		if (c->ndeferred && c->ndeferred == before)
			pool_wait(c->pool, DEFER_POLL_MS);
	}
	free(cl);
	free(which);
	for (size_t i = 0; i < c->ndeferred; i++) {
		const struct deferred *d = &c->deferred[i];
		struct strbuf why = STRBUF_INIT;
		if (d->holder)
			strbuf_addf(&why, "not analyzed: %s held it when the database failed", d->holder);
		else
			strbuf_adds(&why, "not analyzed: the database failed");
		triage_add_problem(&c->run, c->run.items[d->item]->path, why.buf);
		strbuf_release(&why);
		c->deferred[i].resolved = true;
	}
	compact_deferred(c);
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

static void on_skip(void *ctx, const char *path, const char *what)
{
	struct triage_ctx *c = ctx;
	triage_add_unread(&c->run, path, what);
}

static void from_db(void *ctx, const char *hash, const char *path, int64_t mtime,
		    int64_t first_seen, const char *record)
{
	struct triage_ctx *c = ctx;
	struct triage_item *it = new_item(&c->run, path, mtime);
	snprintf(it->hash, sizeof(it->hash), "%s", hash);
	it->first_seen = first_seen;
	it->known = true;
	item_set_record(c, it, record, NULL);
}

static int jobs(const struct mortem_opts *o)
{
	return o->jobs > 0 ? o->jobs : cpus_usable();
}

static void walk_all(struct triage_ctx *c, int argc, char **argv)
{
	static const struct walk_ops ops = { on_artifact, on_problem, on_progress, on_skip,
					     on_wait_memory, NULL };
	struct walk_limits limits = WALK_LIMITS_DEFAULT;
	if (c->o->max_depth)
		limits.max_depth = c->o->max_depth;
	if (c->o->max_members)
		limits.max_members = c->o->max_members;
	if (c->o->max_archive_bytes)
		limits.max_bytes = c->o->max_archive_bytes;
	struct input_limits in_lim = { .max_decompressed = c->o->max_decompressed };
	c->budget = limits.budget = membudget_new(input_decompressed_limit(&in_lim));
	struct walk_stats stats;
	c->paths = argv;
	c->npaths = argc;
	c->prog.on = isatty(2);
	c->prog.start = wall();
	if (c->prog.on)
		c->prog.total_bytes = walk_total_bytes((const char *const *)argv, (size_t)argc);
	c->batch_size = (size_t)jobs(c->o) * 4;
	c->batch_size = c->batch_size < 8 ? 8 : c->batch_size > CLAIM_BATCH ? CLAIM_BATCH : c->batch_size;
	c->pool = pool_start(jobs(c->o), c->o, c->o->timeout, c->budget, on_done, c);
	walkiso_paths((const char *const *)argv, (size_t)argc, &limits, &ops, c, &stats, c->o->timeout);
	if (c->db && !c->db_failed)
		claim_walked(c);
	for (size_t i = 0; i < c->nbatch; i++)
		close_artifact(c, c->batch[i].item, c->batch[i].fd); /* the store failed: never claimed */
	c->nbatch = 0;
	if (c->db)
		resolve_deferred(c);
	pool_finish(c->pool);
	c->pool = NULL;
	if (c->db && !c->db_failed && triagedb_flush(c->db, &c->err) < 0)
		db_fail(c);
	free(c->charges);
	c->charges = NULL;
	membudget_free(c->budget);
	c->budget = NULL;
	progress_show(&c->prog, true);
	progress_end(&c->prog);
}

static void bucket_total(void *ctx, size_t i, int64_t total)
{
	struct triage_run *run = ctx;
	run->buckets[i].total = total;
}

static void history_add(void *ctx, size_t i, int64_t time, int64_t count)
{
	struct triage_run *run = ctx;
	struct triage_bucket *b = &run->buckets[i];
	b->hist_time = xrealloc(b->hist_time, (b->nhist + 1) * sizeof(*b->hist_time));
	b->hist_count = xrealloc(b->hist_count, (b->nhist + 1) * sizeof(*b->hist_count));
	b->hist_time[b->nhist] = time;
	b->hist_count[b->nhist++] = count;
}

/* Records this run and its bucket counts, then reads every bucket's total and history back. */
static int db_history(struct triage_ctx *c, bool record_run)
{
	struct triage_run *run = &c->run;
	const char **names = xcalloc(run->nbuckets + 1, sizeof(*names));
	const char **sigs = xcalloc(run->nbuckets + 1, sizeof(*sigs));
	int64_t *counts = xcalloc(run->nbuckets + 1, sizeof(*counts));
	for (size_t i = 0; i < run->nbuckets; i++) {
		names[i] = run->buckets[i].bucket;
		sigs[i] = run->buckets[i].signature;
		counts[i] = (int64_t)run->buckets[i].nmembers;
	}
	struct triagedb_run r = { run->started, (int64_t)(run->analyzed + run->nproblems),
				  (int64_t)run->fresh, (int64_t)run->known, run->nbuckets, names, sigs,
				  counts };
	int rc = 0;
	if (record_run)
		rc = triagedb_add_run(c->db, &r, &c->err);
	if (rc == 0)
		rc = triagedb_buckets(c->db, names, run->nbuckets, bucket_total, history_add, run,
				      &c->err);
	free(names);
	free(sigs);
	free(counts);
	return rc;
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

/* Opens --db: read-only for a report (no PATH), else to claim and store. */
static int open_db(struct triage_ctx *c, int argc)
{
	const struct mortem_opts *o = c->o;
	c->db_shown = triagedb_redact(o->db);
	c->lease = o->lease > 0 ? o->lease : 4 * (int64_t)o->timeout;
	if (triagedb_open(&c->db, o->db, argc > 0 ? TRIAGEDB_WRITE : TRIAGEDB_READ, &c->err) < 0) {
		cli_error(c->db_shown, "%s", c->err.buf);
		return -1;
	}
	triagedb_on_stored(c->db, on_stored, c);
	return 0;
}

/* Names every analyzed artifact whose result the store did not take. */
static void tell_not_stored(const struct triage_ctx *c)
{
	for (size_t i = 0; i < c->run.nnot_stored; i++)
		cli_error(c->run.not_stored[i], "analyzed, but not stored in the database");
}

int cmd_triage(int argc, char **argv, struct mortem_opts *o)
{
	struct triage_ctx c = { .o = o, .err = STRBUF_INIT };
	if (check_usage(argc, o, &c.run.since) < 0)
		return 2;
	c.run.started = (int64_t)time(NULL);
	c.run.with_db = o->db != NULL;
	int status = 0;
	if (o->db && open_db(&c, argc) < 0) {
		free(c.db_shown);
		strbuf_release(&c.err);
		return 1;
	}
	if (argc > 0)
		walk_all(&c, argc, argv);
	else if (triagedb_each(c.db, c.run.since, from_db, &c, &c.err) < 0)
		db_fail(&c);
	triage_aggregate(&c.run);
	if (c.db && !c.db_failed && db_history(&c, argc > 0 && !c.run.since) < 0)
		db_fail(&c);
	tell_not_stored(&c);
	if (render(&c) < 0)
		status = 1;
	if (c.run.nproblems || c.db_failed)
		status = 1;
	triagedb_close(c.db);
	hashmap_clear(&c.hashes);
	free(c.deferred);
	free(c.db_shown);
	triage_run_release(&c.run);
	strbuf_release(&c.err);
	return status;
}
