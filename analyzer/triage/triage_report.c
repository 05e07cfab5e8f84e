/* Aggregation of triage items into buckets, and the text and JSON renderers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/lib/arena.h"
#include "analyzer/analysis/bucket.h"
#include "analyzer/lib/jsonw.h"
#include "analyzer/lib/hashmap.h"
#include "analyzer/lib/termsafe.h"
#include "analyzer/triage/triage.h"

void triage_time(struct strbuf *out, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strbuf_addf(out, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int triage_parse_date(const char *s, int64_t *t)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	const char *p = s + n;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		int k = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &k) != 2 || k != 5)
			return -1;
		p += 1 + k;
		if (*p == ':') {
			if (sscanf(p + 1, "%2d%n", &sec, &k) != 1 || k != 2)
				return -1;
			p += 1 + k;
			if (*p == '.' || *p == ',')
				for (p++; *p >= '0' && *p <= '9'; p++)
					;
		}
	}
	int64_t offset = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om = 0, k = 0;
		if (sscanf(p + 1, "%2d%n", &oh, &k) != 1 || k != 2)
			return -1;
		const char *q = p + 3;
		if (*q == ':')
			q++;
		if (*q && (sscanf(q, "%2d%n", &om, &k) != 1 || k != 2))
			return -1;
		offset = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
		p = *q ? q + 2 : q;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
			 .tm_min = mi, .tm_sec = sec };
	*t = (int64_t)timegm(&tm) - offset;
	return 0;
}

static int cmp_items(const void *a, const void *b)
{
	const struct triage_item *x = *(struct triage_item *const *)a;
	const struct triage_item *y = *(struct triage_item *const *)b;
	int c = strcmp(x->path, y->path);
	return c ? c : strcmp(x->hash, y->hash);
}

static int cmp_problems(const void *a, const void *b)
{
	const struct triage_problem *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : strcmp(x->error, y->error);
}

/* A bucket's severity for ordering: critical first, none (-1) last. */
static int severity_rank(int severity)
{
	return severity < 0 ? SEVERITY_COUNT : severity;
}

/* Biggest first; among equals, the most severe first. */
static int cmp_buckets(const void *a, const void *b)
{
	const struct triage_bucket *x = a, *y = b;
	if (x->nmembers != y->nmembers)
		return x->nmembers > y->nmembers ? -1 : 1;
	int c = severity_rank(x->severity) - severity_rank(y->severity);
	if (c)
		return c;
	c = strcmp(x->signature, y->signature);
	return c ? c : strcmp(x->bucket, y->bucket);
}

static void add_to(struct triage_problem **list, size_t *n, const char *path, const char *error)
{
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = (struct triage_problem){ xstrdup(path), xstrdup(error) };
}

void triage_add_problem(struct triage_run *run, const char *path, const char *error)
{
	add_to(&run->problems, &run->nproblems, path, error);
}

static void free_list(struct triage_problem *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].path);
		free(list[i].error);
	}
	free(list);
}

void triage_add_unread(struct triage_run *run, const char *path, const char *what)
{
	add_to(&run->unread, &run->nunread, path, what);
}

static void bucket_add_finding(struct triage_bucket *b, const char *id)
{
	for (size_t i = 0; i < b->nfindings; i++)
		if (!strcmp(b->findings[i], id))
			return;
	b->findings = xrealloc(b->findings, (b->nfindings + 1) * sizeof(*b->findings));
	b->findings[b->nfindings++] = xstrdup(id);
}

static void bucket_add(struct triage_bucket *b, struct triage_item *it)
{
	const struct triage_record *r = &it->rec;
	b->members = xrealloc(b->members, (b->nmembers + 1) * sizeof(*b->members));
	b->members[b->nmembers++] = it;
	b->fresh += it->fresh;
	if (r->severity >= 0 && (b->severity < 0 || r->severity < b->severity))
		b->severity = r->severity; /* enum severity: lower is worse */
	for (size_t i = 0; i < r->nfindings; i++)
		bucket_add_finding(b, r->findings[i]);
	if (!b->example || r->score > b->example->rec.score)
		b->example = it;
	if (it->mtime > 0 && (!b->first_seen || it->mtime < b->first_seen))
		b->first_seen = it->mtime;
	if (it->mtime > b->last_seen)
		b->last_seen = it->mtime;
}

/* The signature of an artifact without one: what the analysis found still tells bugs apart. */
static void placeholder(const struct triage_record *r, struct strbuf *sig)
{
	strbuf_adds(sig, TRIAGE_NO_SIGNATURE);
	for (size_t i = 0; i < r->nfindings; i++)
		strbuf_addf(sig, "%s%s", i ? ", " : " (findings: ", r->findings[i]);
	if (r->nfindings)
		strbuf_addch(sig, ')');
}

void triage_bucket_of(const struct triage_record *r, struct strbuf *key, struct strbuf *sig)
{
	if (r->bucket && r->signature) {
		strbuf_adds(key, r->bucket);
		strbuf_adds(sig, r->signature);
		return;
	}
	char digest[17];
	size_t start = sig->len;
	placeholder(r, sig);
	bucket_digest(sig->buf + start, sig->len - start, digest);
	strbuf_adds(key, digest);
}

void triage_aggregate(struct triage_run *run)
{
	if (run->nitems)
		qsort(run->items, run->nitems, sizeof(*run->items), cmp_items);
	struct hashmap index = HASHMAP_INIT; /* bucket -> position + 1 */
	struct strbuf key = STRBUF_INIT, sig = STRBUF_INIT;
	run->fresh = run->known = 0;
	for (size_t i = 0; i < run->nitems; i++) {
		struct triage_item *it = run->items[i];
		if (!it->done || it->first_seen < run->since)
			continue;
		const struct triage_record *r = &it->rec;
		if (r->status == RECORD_SKIPPED) {
			add_to(&run->skips, &run->nskips, it->path, r->error ? r->error : "not a dump");
			run->skipped++;
			continue;
		}
		run->fresh += it->fresh;
		run->known += it->known;
		if (r->status == RECORD_FAILED) {
			triage_add_problem(run, it->path, r->error ? r->error : "cannot be analyzed");
			continue;
		}
		run->analyzed++;
		bool signed_ = r->bucket && r->signature;
		strbuf_reset(&key);
		strbuf_reset(&sig);
		if (!signed_)
			triage_bucket_of(r, &key, &sig);
		const char *k = signed_ ? r->bucket : key.buf;
		size_t pos = (size_t)(uintptr_t)hashmap_get(&index, k);
		if (!pos) {
			run->buckets = xrealloc(run->buckets, (run->nbuckets + 1) * sizeof(*run->buckets));
			struct triage_bucket *b = &run->buckets[run->nbuckets++];
			memset(b, 0, sizeof(*b));
			if (!signed_) {
				k = b->owned_bucket = xstrdup(key.buf);
				b->owned_signature = xstrdup(sig.buf);
			}
			b->bucket = k;
			b->signature = signed_ ? r->signature : b->owned_signature;
			b->severity = -1;
			pos = run->nbuckets;
			hashmap_put(&index, k, (void *)(uintptr_t)pos);
		}
		bucket_add(&run->buckets[pos - 1], it);
	}
	strbuf_release(&key);
	strbuf_release(&sig);
	hashmap_clear(&index);
	if (run->nbuckets)
		qsort(run->buckets, run->nbuckets, sizeof(*run->buckets), cmp_buckets);
	if (run->nproblems)
		qsort(run->problems, run->nproblems, sizeof(*run->problems), cmp_problems);
	if (run->nskips)
		qsort(run->skips, run->nskips, sizeof(*run->skips), cmp_problems);
	if (run->nunread)
		qsort(run->unread, run->nunread, sizeof(*run->unread), cmp_problems);
}

void triage_run_release(struct triage_run *run)
{
	for (size_t i = 0; i < run->nbuckets; i++) {
		struct triage_bucket *b = &run->buckets[i];
		for (size_t k = 0; k < b->nfindings; k++)
			free(b->findings[k]);
		free(b->findings);
		free(b->members);
		free(b->owned_bucket);
		free(b->owned_signature);
		free(b->hist_time);
		free(b->hist_count);
	}
	free(run->buckets);
	for (size_t i = 0; i < run->nitems; i++) {
		record_release(&run->items[i]->rec);
		free(run->items[i]->path);
		free(run->items[i]);
	}
	free(run->items);
	free_list(run->problems, run->nproblems);
	free_list(run->skips, run->nskips);
	for (size_t i = 0; i < run->nnot_stored; i++)
		free(run->not_stored[i]);
	free(run->not_stored);
	free_list(run->unread, run->nunread);
	memset(run, 0, sizeof(*run));
}

/* ---- text ---- */

/*
 * Appends S cut to WIDTH columns (0: whole), with "..." where it was cut;
 * control characters from the artifacts (names, paths) shown escaped.
 */
static void add_cut(struct strbuf *out, const char *raw, int width)
{
	struct strbuf safe = STRBUF_INIT;
	termsafe_adds(&safe, raw);
	const char *s = safe.buf;
	size_t n = safe.len;
	if (width <= 0 || n <= (size_t)width) {
		strbuf_add(out, s, n);
	} else if (width <= 3) {
		strbuf_add(out, s, (size_t)width);
	} else {
		size_t keep = (size_t)width - 3;
		while (keep && ((unsigned char)s[keep] & 0xc0) == 0x80)
			keep--; /* never split a UTF-8 sequence */
		strbuf_add(out, s, keep);
		strbuf_adds(out, "...");
	}
	strbuf_release(&safe);
}

/* The bucket id in its 16 columns (a hash mortem made, but a --db file could hold anything). */
static void add_bucket(struct strbuf *out, const char *bucket)
{
	struct strbuf safe = STRBUF_INIT;
	termsafe_adds(&safe, bucket);
	strbuf_addf(out, "%-16.16s  ", safe.buf);
	strbuf_release(&safe);
}

static void add_date(struct strbuf *out, int64_t t)
{
	if (!t) {
		strbuf_addf(out, "%-10s", "-");
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	triage_time(&sb, t);
	strbuf_add(out, sb.buf, 10);
	strbuf_release(&sb);
}

/* "  path: why", cut to WIDTH */
static void path_line(struct strbuf *out, const struct triage_problem *p, int width)
{
	struct strbuf line = STRBUF_INIT;
	strbuf_addf(&line, "%s: %s", p->path, p->error);
	strbuf_adds(out, "  ");
	add_cut(out, line.buf, width > 12 ? width - 2 : 0);
	strbuf_addch(out, '\n');
	strbuf_release(&line);
}

/* Skipped files named in the text table; JSON lists them all. */
#define SKIPS_NAMED 5

#define LEFT_COLUMNS 52 /* "COUNT  SEVERITY  BUCKET            LAST SEEN   " */

void triage_text(const struct triage_run *run, struct strbuf *out, int width)
{
	size_t inputs = run->analyzed + run->nproblems;
	strbuf_addf(out, "%zu artifact%s", inputs, inputs == 1 ? "" : "s");
	if (run->with_db) /* of the analyzed and the failed alike: both are stored */
		strbuf_addf(out, " (%zu new, %zu already known)", run->fresh, run->known);
	strbuf_addf(out, ": %zu analyzed, %zu failed, %zu skipped (not dumps), %zu bucket%s",
		    run->analyzed, run->nproblems,
		    run->skipped, run->nbuckets, run->nbuckets == 1 ? "" : "s");
	if (run->nunread)
		strbuf_addf(out, ", %zu not read (not regular files)", run->nunread);
	if (run->since) {
		strbuf_adds(out, "; first seen since ");
		triage_time(out, run->since);
	}
	strbuf_addch(out, '\n');
	int rest = width > LEFT_COLUMNS + 10 ? width - LEFT_COLUMNS : 0;
	if (run->nbuckets) {
		strbuf_addf(out, "\n%5s  %-8s  %-16s  %-10s  %s\n", "COUNT", "SEVERITY", "BUCKET",
			    "LAST SEEN", "SIGNATURE");
	}
	for (size_t i = 0; i < run->nbuckets; i++) {
		const struct triage_bucket *b = &run->buckets[i];
		strbuf_addf(out, "%5zu  %-8s  ", b->nmembers,
			    b->severity >= 0 ? severity_name((enum severity)b->severity) : "-");
		add_bucket(out, b->bucket);
		add_date(out, b->last_seen);
		strbuf_adds(out, "  ");
		add_cut(out, b->signature, rest);
		strbuf_addch(out, '\n');
		strbuf_addf(out, "%*s", LEFT_COLUMNS - 4, "e.g. ");
		add_cut(out, b->example->path, rest);
		strbuf_addch(out, '\n');
	}
	if (run->nproblems)
		strbuf_adds(out, "\nfailed:\n");
	for (size_t i = 0; i < run->nproblems; i++)
		path_line(out, &run->problems[i], width);
	if (run->nskips)
		strbuf_addf(out, "\nskipped, not dumps:\n");
	for (size_t i = 0; i < run->nskips && i < SKIPS_NAMED; i++)
		path_line(out, &run->skips[i], width);
	if (run->nskips > SKIPS_NAMED)
		strbuf_addf(out, "  and %zu more (--json lists every one)\n", run->nskips - SKIPS_NAMED);
	if (run->nnot_stored)
		strbuf_adds(out, "\nanalyzed, but not stored in the database:\n");
	for (size_t i = 0; i < run->nnot_stored; i++) {
		strbuf_adds(out, "  ");
		add_cut(out, run->not_stored[i], width > 12 ? width - 2 : 0);
		strbuf_addch(out, '\n');
	}
	if (run->nunread)
		strbuf_adds(out, "\nnot read (only regular files are opened):\n");
	for (size_t i = 0; i < run->nunread; i++) {
		struct strbuf line = STRBUF_INIT;
		strbuf_addf(&line, "%s: %s", run->unread[i].path, run->unread[i].error);
		strbuf_adds(out, "  ");
		add_cut(out, line.buf, width > 12 ? width - 2 : 0);
		strbuf_addch(out, '\n');
		strbuf_release(&line);
	}
}

/* ---- JSON ---- */

static void json_bucket(struct jsonw *w, const struct triage_run *run, const struct triage_bucket *b)
{
	jsonw_obj_begin(w);
	jsonw_key(w, "bucket");
	jsonw_str(w, b->bucket);
	jsonw_key(w, "signature");
	jsonw_str(w, b->signature);
	jsonw_key(w, "count");
	jsonw_uint(w, b->nmembers);
	jsonw_key(w, "severity");
	jsonw_str(w, b->severity >= 0 ? severity_name((enum severity)b->severity) : NULL);
	jsonw_key(w, "findings");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < b->nfindings; i++)
		jsonw_str(w, b->findings[i]);
	jsonw_arr_end(w);
	jsonw_key(w, "example");
	jsonw_str(w, b->example->path);
	jsonw_key(w, "members");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < b->nmembers; i++)
		jsonw_str(w, b->members[i]->path);
	jsonw_arr_end(w);
	struct strbuf t = STRBUF_INIT;
	jsonw_key(w, "first_seen");
	if (b->first_seen) {
		triage_time(&t, b->first_seen);
		jsonw_str(w, t.buf);
	} else {
		jsonw_null(w);
	}
	jsonw_key(w, "last_seen");
	if (b->last_seen) {
		strbuf_reset(&t);
		triage_time(&t, b->last_seen);
		jsonw_str(w, t.buf);
	} else {
		jsonw_null(w);
	}
	strbuf_release(&t);
	jsonw_key(w, "new");
	jsonw_uint(w, b->fresh);
	jsonw_key(w, "format");
	jsonw_str(w, b->example->rec.format);
	if (run->with_db) {
		jsonw_key(w, "total");
		jsonw_int(w, b->total);
		jsonw_key(w, "history");
		jsonw_arr_begin(w);
		for (size_t i = 0; i < b->nhist; i++) {
			struct strbuf ts = STRBUF_INIT;
			triage_time(&ts, b->hist_time[i]);
			jsonw_obj_begin(w);
			jsonw_key(w, "time");
			jsonw_str(w, ts.buf);
			jsonw_key(w, "count");
			jsonw_int(w, b->hist_count[i]);
			jsonw_obj_end(w);
			strbuf_release(&ts);
		}
		jsonw_arr_end(w);
	}
	jsonw_obj_end(w);
}

void triage_json(const struct triage_run *run, struct strbuf *out)
{
	struct jsonw w;
	jsonw_init(&w, out);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "schema");
	jsonw_str(&w, "mortem.triage/1");
	jsonw_key(&w, "inputs");
	jsonw_uint(&w, run->analyzed + run->nproblems);
	jsonw_key(&w, "analyzed");
	jsonw_uint(&w, run->analyzed);
	jsonw_key(&w, "new");
	jsonw_uint(&w, run->fresh);
	if (run->with_db) {
		jsonw_key(&w, "known");
		jsonw_uint(&w, run->known);
		jsonw_key(&w, "not_stored");
		jsonw_arr_begin(&w);
		for (size_t i = 0; i < run->nnot_stored; i++)
			jsonw_str(&w, run->not_stored[i]);
		jsonw_arr_end(&w);
	}
	jsonw_key(&w, "skipped");
	jsonw_uint(&w, run->skipped);
	jsonw_key(&w, "skipped_inputs");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < run->nskips; i++) {
		jsonw_obj_begin(&w);
		jsonw_key(&w, "path");
		jsonw_str(&w, run->skips[i].path);
		jsonw_key(&w, "reason");
		jsonw_str(&w, run->skips[i].error);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_key(&w, "failed");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < run->nproblems; i++) {
		jsonw_obj_begin(&w);
		jsonw_key(&w, "path");
		jsonw_str(&w, run->problems[i].path);
		jsonw_key(&w, "error");
		jsonw_str(&w, run->problems[i].error);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_key(&w, "not_read");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < run->nunread; i++) {
		jsonw_obj_begin(&w);
		jsonw_key(&w, "path");
		jsonw_str(&w, run->unread[i].path);
		jsonw_key(&w, "reason");
		jsonw_str(&w, run->unread[i].error);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_key(&w, "buckets");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < run->nbuckets; i++)
		json_bucket(&w, run, &run->buckets[i]);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	strbuf_addch(out, '\n');
}
