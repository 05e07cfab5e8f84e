/*
 * libFuzzer target for one parser, chosen at build time with
 * -DPARSER_SYM=<symbol from parsers/registry.h> (the Makefile builds one
 * target per registered parser): probe, then the whole pipeline forced to
 * that parser (parse + every analysis stage), then both renderers; the JSON
 * must be valid and an error must be one line.
 */
#include "fuzz_common.h"

#include "analyzer/pipeline.h"
#include "parsers/parser.h"
#include "parsers/text/text.h"

#ifndef PARSER_SYM
#error "build with -DPARSER_SYM=name_parser"
#endif

/* keeps a decompression bomb from eating the run */
static const struct input_limits limits = { .max_decompressed = 64 << 20 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct parser *p = &PARSER_SYM;
	if (!p->probe)  /* live: reads a process, not bytes */
		return 0;
	int score = p->probe(data, size < PROBE_BYTES ? size : PROBE_BYTES);
	if (score < 0 || score > 100) {
		fprintf(stderr, "%s: probe score %d out of 0..100\n", p->name, score);
		abort();
	}
	char path[64];
	int fd = fuzz_memfd(data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	struct strbuf err = STRBUF_INIT;
	struct input in;
	if (input_open(&in, path, &limits, &err) == 0) {
		struct mortem_opts o = MORTEM_OPTS_INIT;
		o.input_format = p->name;
		o.max_threads = 5000;
		o.max_decompressed = limits.max_decompressed;
		struct dump *d = pipeline_load_input(&in, &o, &err);
		if (d) {
			fuzz_render(d);
			dump_free(d);
		} else {
			fuzz_check_error(&err);
		}
		input_close(&in);
	}
	close(fd);
	strbuf_release(&err);
	return 0;
}
