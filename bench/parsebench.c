/*
 * parsebench FORMAT FILE [ROUNDS]: parses FILE with the parser FORMAT
 * ROUNDS times (default 3) and prints the best round's speed in MB/s of
 * CPU time (the machine may be shared),
 * parse only (no analysis, no rendering). Used by bench/run.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "parsers/parser.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: parsebench FORMAT FILE [ROUNDS]\n");
		return 2;
	}
	const struct parser *p = parser_find(argv[1]);
	if (!p) {
		fprintf(stderr, "parsebench: no format '%s'\n", argv[1]);
		return 2;
	}
	int rounds = argc > 3 ? atoi(argv[3]) : 3;
	struct input in;
	struct strbuf err = STRBUF_INIT;
	if (input_open(&in, argv[2], &err) < 0) {
		fprintf(stderr, "parsebench: %s\n", err.buf);
		return 1;
	}
	struct mortem_opts o = MORTEM_OPTS_INIT;
	double best = 1e30;
	size_t threads = 0, frames = 0;
	for (int i = 0; i < rounds; i++) {
		struct dump *d = dump_new(argv[2]);
		double t0 = now();
		if (p->parse(d, &in, &o, &err) < 0) {
			fprintf(stderr, "parsebench: %s\n", err.buf);
			return 1;
		}
		double t = now() - t0;
		if (t < best)
			best = t;
		threads = d->nthreads;
		frames = 0;
		for (size_t j = 0; j < d->nthreads; j++)
			frames += d->threads[j]->nframes;
		dump_free(d);
	}
	printf("%-8s %8.1f MB  %7zu threads %9zu frames  %7.3f s  %7.0f MB/s\n", p->name,
	       (double)in.len / 1e6, threads, frames, best, (double)in.len / 1e6 / best);
	input_close(&in);
	strbuf_release(&err);
	return 0;
}
