/*
 * parsebench FORMAT FILE [ROUNDS [JOBS]]: parse throughput of one text format.
 * Maps FILE, then ROUNDS times (default 5, after one warm-up) does what the
 * pipeline does before analysis: the log-prefix pre-pass, then the parser
 * named FORMAT into a fresh dump (no analysis, no output), with JOBS threads
 * for a big input as -j N gives (default: one per CPU). Prints the
 * median wall time and MB/s of the file's bytes. Used by the bench scripts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "analyzer/lib/input.h"
#include "parsers/text/logprefix.h"
#include "parsers/parser.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: parsebench FORMAT FILE [ROUNDS [JOBS]]\n");
		return 2;
	}
	const struct parser *p = parser_find(argv[1]);
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	if (!p || rounds < 1 || rounds > 100) {
		fprintf(stderr, "parsebench: unknown format %s or bad ROUNDS\n", argv[1]);
		return 2;
	}
	struct mortem_opts o = MORTEM_OPTS_INIT;
	o.jobs = argc > 4 ? atoi(argv[4]) : 0;
	struct strbuf err = STRBUF_INIT;
	struct input in;
	if (input_open(&in, argv[2], NULL, &err) < 0) {
		fprintf(stderr, "parsebench: %s: %s\n", argv[2], err.buf);
		return 1;
	}
	double t[101];
	size_t threads = 0;
	for (int r = -1; r < rounds; r++) { /* round -1 warms the page cache */
		struct dump *d = dump_new(argv[2]);
		double s = now();
		struct strbuf clean = STRBUF_INIT;
		struct logprefix_result res = LOGPREFIX_RESULT_INIT;
		struct input use = in;
		struct input mem = in;
		mem.map = NULL; /* parse only: the bytes as in memory, none given back */
		if (logprefix_clean(&mem, &clean, &res) > 0) {
			use.data = (const unsigned char *)clean.buf;
			use.len = clean.len;
		}
		int rc = p->parse(d, &use, &o, &err);
		strbuf_release(&clean);
		logprefix_result_release(&res);
		if (rc < 0) {
			fprintf(stderr, "parsebench: %s: %s\n", argv[2], err.buf);
			return 1;
		}
		if (r >= 0)
			t[r] = now() - s;
		threads = d->nthreads;
		dump_free(d);
	}
	qsort(t, (size_t)rounds, sizeof(t[0]), by_value);
	double med = t[rounds / 2], mb = (double)in.len / 1e6;
	printf("parse %-8s %7.1f MB, %6zu threads: %7.1f ms (median of %d) = %6.0f MB/s\n", p->name, mb,
	       threads, med * 1e3, rounds, mb / med);
	input_close(&in);
	strbuf_release(&err);
	return 0;
}
