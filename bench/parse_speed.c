/*
 * Parse-only speed: opens FILE, detects its format and parses it into the
 * model N times (no analysis, no report), and prints MB/s of CPU time.
 * Built by bench/jstack.sh against the build's objects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "analyzer/pipeline.h"
#include "parsers/parser.h"

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: parse_speed FILE [RUNS]\n");
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 3;
	struct strbuf err = STRBUF_INIT;
	struct input in;
	if (input_open(&in, argv[1], &err) < 0) {
		fprintf(stderr, "parse_speed: %s: %s\n", argv[1], err.buf);
		return 1;
	}
	struct mortem_opts o = MORTEM_OPTS_INIT;
	const struct parser *p = parser_detect(&in);
	if (!p) {
		fprintf(stderr, "parse_speed: %s: not a recognised dump format\n", argv[1]);
		return 1;
	}
	double best = 1e9;
	size_t threads = 0;
	for (int i = 0; i < runs; i++) {
		double t0 = cpu_now();
		struct dump *d = dump_new(argv[1]);
		if (p->parse(d, &in, &o, &err) < 0)
			return 1;
		double t = cpu_now() - t0;
		threads = d->nthreads;
		dump_free(d);
		if (t < best)
			best = t;
	}
	printf("%-10s parse only: %6.1f MB, %zu threads, %.3f s CPU, %.1f MB/s\n", p->name,
	       (double)in.len / 1e6, threads, best, (double)in.len / 1e6 / best);
	input_close(&in);
	strbuf_release(&err);
	return 0;
}
