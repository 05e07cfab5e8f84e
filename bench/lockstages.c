/*
 * lockstages FILE [ROUNDS]: parses FILE (format detected) and runs every
 * analysis stage of analyze.h in order, ROUNDS times (default 5); prints
 * the best round's CPU time of the parse and of each stage, and the share
 * of the lock-graph stages (native locks + lock graph) in parse + analysis.
 * Used by bench/lockgraph.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/analysis/analyze.h"
#include "analyzer/lib/input.h"
#include "parsers/parser.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define X_NAME(fn, name) name,
static const char *const stage_names[] = { ANALYSIS_STAGES(X_NAME) };
#undef X_NAME
enum { NSTAGES = sizeof(stage_names) / sizeof(stage_names[0]) };

static bool is_lock_stage(const char *name)
{
	return !strcmp(name, "native locks") || !strcmp(name, "lock graph");
}

/* One round: parse, then each stage timed; fills T[0] (parse) and T[1..NSTAGES]. */
static int round_once(const char *path, double *t)
{
	struct mortem_opts o = MORTEM_OPTS_INIT;
	struct strbuf err = STRBUF_INIT;
	struct input in;
	if (input_open(&in, path, NULL, &err) < 0) {
		fprintf(stderr, "lockstages: %s: %s\n", path, err.buf);
		return -1;
	}
	const struct parser *p = parser_detect(&in);
	if (!p) {
		fprintf(stderr, "lockstages: %s: not a recognised dump format\n", path);
		return -1;
	}
	struct dump *d = dump_new(path);
	d->input.format = p->name;
	double s = now();
	if (p->parse(d, &in, &o, &err) < 0) {
		fprintf(stderr, "lockstages: %s: %s\n", path, err.buf);
		return -1;
	}
	t[0] = now() - s;
	int i = 1;
#define X_TIME(fn, name)            \
	s = now();                  \
	fn(d, &o, &err);            \
	t[i++] = now() - s;
	ANALYSIS_STAGES(X_TIME)
#undef X_TIME
	dump_free(d);
	input_close(&in);
	strbuf_release(&err);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: lockstages FILE [ROUNDS]\n");
		return 2;
	}
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	double best[NSTAGES + 1] = { 0 }, t[NSTAGES + 1] = { 0 };
	double best_total = -1;
	for (int r = 0; r < rounds; r++) {
		if (round_once(argv[1], t) < 0)
			return 1;
		double total = 0;
		for (int i = 0; i <= NSTAGES; i++)
			total += t[i];
		if (best_total < 0 || total < best_total) {
			best_total = total;
			memcpy(best, t, sizeof(best));
		}
	}
	double lock = 0;
	printf("  parse %.2f ms\n", best[0] * 1e3);
	for (int i = 0; i < NSTAGES; i++) {
		printf("  stage %-14s %.3f ms\n", stage_names[i], best[i + 1] * 1e3);
		if (is_lock_stage(stage_names[i]))
			lock += best[i + 1];
	}
	printf("  lock-graph stages: %.3f ms = %.2f%% of parse + analysis (%.2f ms)\n", lock * 1e3,
	       100 * lock / best_total, best_total * 1e3);
	return 0;
}
