#include "pipeline.h"

#include <stdio.h>

#include "../parsers/parser.h"
#include "../parsers/text.h"
#include "analyze.h"

static const struct parser *choose_parser(const struct input *in, const struct mortem_opts *o,
					  struct strbuf *err)
{
	if (o->input_format) {
		const struct parser *p = parser_find(o->input_format);
		if (!p)
			error_set(err, "unknown input format '%s' (see mortem --help)", o->input_format);
		return p;
	}
	const struct parser *p = parser_detect(in);
	if (!p)
		error_set(err, in->len ? "not a recognised dump format" : "empty input");
	return p;
}

static struct dump *parse_and_analyze(const struct parser *p, const struct input *in,
				      const struct mortem_opts *o, struct strbuf *err)
{
	struct dump *d = dump_new(in ? in->path : NULL);
	d->input.format = p->name;
	d->input.bytes = in ? in->len : 0;
	d->snapshot_wanted = o->snapshot;
	d->max_frames = o->max_frames;
	d->max_threads = o->max_threads;
	text_lines_cut = 0;
	if (p->parse(d, in, o, err) < 0) {
		dump_free(d);
		return NULL;
	}
	dump_finish_limits(d);
	if (text_lines_cut)
		dump_warn(d, "lines longer than %zu bytes were cut (--max-line)",
			  text_max_line ? text_max_line : TEXT_MAX_LINE_DEFAULT);
	if (o->snapshot > 0 && d->input.snapshots < o->snapshot) {
		error_set(err, "snapshot %d requested, but the input holds %d", o->snapshot,
			  d->input.snapshots);
		dump_free(d);
		return NULL;
	}
	if (d->input.snapshots == 0)
		d->input.snapshots = 1;
	if (analyze_dump(d, o, err) < 0) {
		dump_free(d);
		return NULL;
	}
	return d;
}

struct dump *pipeline_load_input(const struct input *in, const struct mortem_opts *o,
				 struct strbuf *err)
{
	const struct parser *p = choose_parser(in, o, err);
	if (!p)
		return NULL;
	if (!p->probe && !o->input_format) {
		error_set(err, "format '%s' cannot read a file", p->name);
		return NULL;
	}
	return parse_and_analyze(p, in, o, err);
}

struct dump *pipeline_load_path(const char *path, const struct mortem_opts *o, struct strbuf *err)
{
	struct input in;
	if (input_open(&in, path, err) < 0)
		return NULL;
	struct dump *d = pipeline_load_input(&in, o, err);
	input_close(&in);
	return d;
}

struct dump *pipeline_load_pid(int64_t pid, const struct mortem_opts *o, struct strbuf *err)
{
	const struct parser *p = parser_find("live");
	if (!p) {
		error_set(err, "live process support is not built in");
		return NULL;
	}
	struct mortem_opts lo = *o;
	lo.pid = pid;
	struct input in = INPUT_INIT;
	char name[32];
	snprintf(name, sizeof(name), "pid %lld", (long long)pid);
	in.path = name;
	in.data = (const unsigned char *)"";
	struct dump *d = parse_and_analyze(p, &in, &lo, err);
	return d;
}
