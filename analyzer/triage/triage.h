#ifndef MORTEM_TRIAGE_H
#define MORTEM_TRIAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/lib/contenthash.h"
#include "analyzer/lib/strbuf.h"
#include "analyzer/triage/triage_record.h"

/*
 * Triage results: every artifact found (with its record), the problems the
 * walk met, and the buckets they aggregate into. triage.c fills a run;
 * the renderers (text, JSON, HTML) only read it.
 */

struct triage_item {
	char *path;
	char hash[CONTENTHASH_HEX];
	int64_t mtime;            /* file or archive-member time; 0 unknown */
	int64_t first_seen;       /* --db: when the database first saw it; else the run's start */
	bool fresh;               /* analyzed in this run and new to --db (not taken from it) */
	bool known;               /* --db: the result was already stored */
	bool done;                /* has its record */
	struct triage_record rec;
};

struct triage_problem {
	char *path;
	char *error;
};

struct triage_bucket {
	const char *bucket;       /* the key: d->bucket (or the digest of the placeholder) */
	const char *signature;
	int severity;             /* highest among the members' findings; -1 none */
	char **findings;          /* ids, each once, in order of first appearance */
	size_t nfindings;
	struct triage_item *example; /* the most informative member */
	struct triage_item **members; /* sorted by path */
	size_t nmembers;
	size_t fresh;             /* members analyzed in this run */
	int64_t first_seen, last_seen; /* member file times; 0 unknown */
	char *owned_bucket, *owned_signature; /* placeholders for artifacts without a signature */
	int64_t *hist_time, *hist_count; /* --db: the bucket's count in every run, oldest first */
	size_t nhist;
	int64_t total;            /* --db: artifacts of this bucket the store holds results of */
};

struct triage_run {
	struct triage_item **items;
	size_t nitems;
	struct triage_problem *problems; /* failed: walk problems and failed analyses, by path */
	size_t nproblems;
	size_t skipped;           /* files that were not dumps (nskips; kept for the JSON count) */
	struct triage_problem *skips; /* those files and why, by path (error: the reason) */
	size_t nskips;
	struct triage_problem *unread; /* special files (FIFOs, devices) in folders: not opened */
	size_t nunread;
	size_t analyzed;
	size_t fresh;             /* analyzed in this run (and, with --db, new to it) */
	size_t known;             /* --db: taken from the store */
	char **not_stored;        /* --db: analyzed, but the store did not take the result */
	size_t nnot_stored;
	struct triage_bucket *buckets; /* biggest first */
	size_t nbuckets;
	int64_t since;            /* --since, or 0 */
	int64_t started;
	bool with_db;
};

/*
 * Signature of artifacts with neither a crash nor a hang signature,
 * followed by " (findings: id, id)" when the analysis found something.
 */
#define TRIAGE_NO_SIGNATURE "no crash or hang signature"

/*
 * Groups the run's analyzed items (first seen at or after run->since) into
 * buckets, sorted by count (largest first), severity (most severe first),
 * then signature; collects failed
 * items into problems and skipped ones into skips (both sorted by path).
 */
void triage_aggregate(struct triage_run *run);
/*
 * Appends the bucket key and signature of the ok record R to KEY and SIG:
 * its own, or, without a signature, TRIAGE_NO_SIGNATURE and its findings,
 * keyed by their digest.
 */
void triage_bucket_of(const struct triage_record *r, struct strbuf *key, struct strbuf *sig);
void triage_run_release(struct triage_run *run);
/* Adds PATH to the failed list with ERROR (both copied). */
void triage_add_problem(struct triage_run *run, const char *path, const char *error);
/* Adds PATH, a special file that was not opened, to the not-read list with WHAT it is (both copied). */
void triage_add_unread(struct triage_run *run, const char *path, const char *what);

/* The text table (WIDTH columns; 0: no limit), then the failed list and the first few skipped. */
void triage_text(const struct triage_run *run, struct strbuf *out, int width);
/* One JSON object, schema "mortem.triage/1" (doc/json.md), and a newline. */
void triage_json(const struct triage_run *run, struct strbuf *out);
/* A self-contained HTML page: no external resources, everything escaped. */
void triage_html(const struct triage_run *run, struct strbuf *out);

/* "2026-11-23T14:05:00Z" for T (UTC). */
void triage_time(struct strbuf *out, int64_t t);
/*
 * Parses DATE as YYYY-MM-DD (midnight UTC) or an ISO 8601 timestamp
 * (YYYY-MM-DDTHH:MM[:SS][.frac][Z|+HH:MM|-HH:MM], a space for the T;
 * no zone means UTC). Returns 0 with seconds since the epoch in *T, or -1.
 */
int triage_parse_date(const char *date, int64_t *t);

#endif
