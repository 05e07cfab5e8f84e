#include "analyzer/pipeline.h"

#include <stdio.h>
#include <string.h>

#include "analyzer/lib/safeopen.h"
#include "parsers/text/logprefix.h"
#include "parsers/parser.h"
#include "parsers/text/text.h"
#include "analyzer/analysis/analyze.h"

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

static struct dump *parse_and_analyze_guarded(const struct parser *p, const struct input *in,
					      const struct mortem_opts *o, struct strbuf *err,
					      const struct logprefix_result *cleaned);

/* Every file the dump names and a library opens meanwhile must be a regular one (safeopen.h). */
static struct dump *parse_and_analyze(const struct parser *p, const struct input *in,
				      const struct mortem_opts *o, struct strbuf *err,
				      const struct logprefix_result *cleaned)
{
	struct strbuf refused = STRBUF_INIT;
	safeopen_guard_begin();
	struct dump *d = parse_and_analyze_guarded(p, in, o, err, cleaned);
	safeopen_guard_end(&refused);
	for (char *s = refused.buf, *nl; d && (nl = strchr(s, '\n')); s = nl + 1) {
		*nl = '\0';
		dump_warn(d, "the dump names %s: not opened, only regular files are", s);
	}
	strbuf_release(&refused);
	return d;
}

static struct dump *parse_and_analyze_guarded(const struct parser *p, const struct input *in,
					      const struct mortem_opts *o, struct strbuf *err,
					      const struct logprefix_result *cleaned)
{
	struct dump *d = dump_new(in ? in->path : NULL);
	d->input.format = p->name;
	d->input.bytes = in ? in->len : 0;
	if (cleaned && cleaned->unwrapped_lines)
		dump_warn(d, "a paste wrapped at %zu columns: %zu line%s joined to the next",
			  cleaned->wrap_width, cleaned->unwrapped_lines,
			  cleaned->unwrapped_lines == 1 ? "" : "s");
	else if (cleaned && cleaned->prefixed_lines)
		dump_warn(d, "a log prefix was removed from %zu line%s (shape \"%s\")",
			  cleaned->prefixed_lines, cleaned->prefixed_lines == 1 ? "" : "s", cleaned->shape.buf);
	else if (cleaned && cleaned->padded_lines)
		dump_warn(d, "trailing padding was removed from %zu line%s", cleaned->padded_lines,
			  cleaned->padded_lines == 1 ? "" : "s");
	d->snapshot_wanted = o->snapshot;
	d->max_frames = o->max_frames;
	d->max_threads = o->max_threads;
	d->max_line = o->max_line;
	d->keep_notes = o->frame_notes;
	if (in && in->map) {
		d->input_map = in->map;
		d->input_map_len = in->map_len;
		d->input_fd = in->fd;
	}
	if (p->parse(d, in, o, err) < 0) {
		dump_free(d);
		return NULL;
	}
	if (o->input_format && in && !d->nthreads && !d->crash && !d->nsections) {
		/* a forced format that found nothing: not an empty report, an error that says why */
		const struct parser *seen = parser_detect(in);
		error_set(err, "--input-format %s read nothing from it%s%s%s", p->name,
			  seen && seen != p ? " (it looks like " : "", seen && seen != p ? seen->name : "",
			  seen && seen != p ? ")" : "");
		dump_free(d);
		return NULL;
	}
	dump_finish_limits(d);
	if (d->lines_cut)
		dump_warn(d, "lines longer than %zu bytes were cut (--max-line)",
			  o->max_line ? o->max_line : TEXT_MAX_LINE_DEFAULT);
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
	/* pasted text: log prefixes and padding go before detection (parsers/text/logprefix.h) */
	struct strbuf clean = STRBUF_INIT;
	struct logprefix_result res = LOGPREFIX_RESULT_INIT;
	struct input cin;
	const struct input *use = in;
	bool cleaned = logprefix_clean(in, &clean, &res) > 0;
	if (cleaned) {
		cin = *in;
		cin.data = (const unsigned char *)clean.buf;
		cin.len = clean.len;
		cin.fd = -1;
		cin.raw_bytes = in->raw_bytes ? in->raw_bytes : in->len;
		cin.map = cin.heap = NULL;
		use = &cin;
	}
	struct dump *d = NULL;
	const struct parser *p = choose_parser(use, o, err);
	if (p && !p->probe && !o->input_format)
		error_set(err, "format '%s' cannot read a file", p->name);
	else if (p)
		d = parse_and_analyze(p, use, o, err, cleaned ? &res : NULL);
	if (d && cleaned)
		d->input.bytes = in->len;
	strbuf_release(&clean);
	logprefix_result_release(&res);
	return d;
}

struct dump *pipeline_load_path(const char *path, const struct mortem_opts *o, struct strbuf *err)
{
	struct input in;
	struct input_limits lim = { .max_decompressed = o->max_decompressed };
	if (input_open(&in, path, &lim, err) < 0)
		return NULL;
	struct dump *d = pipeline_load_input(&in, o, err);
	input_close(&in);
	return d;
}

struct dump *pipeline_load_held(const struct input *raw, const struct mortem_opts *o,
				struct strbuf *err)
{
	struct input in;
	struct input_limits lim = { .max_decompressed = o->max_decompressed };
	if (input_borrow(&in, raw, &lim, err) < 0)
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
	struct dump *d = parse_and_analyze(p, &in, &lo, err, NULL);
	return d;
}
