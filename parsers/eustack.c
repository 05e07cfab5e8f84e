/*
 * eu-stack text output (elfutils), with any of -m -s -i -b -a -d -r:
 *
 *   PID 2707 - process            (or "- core")
 *   TID 2708:
 *   #0  0x00007f5d1056112b futex_wait
 *       ../sysdeps/nptl/futex-internal.h:146:13
 *   #2  0x00007f5d10567482 - 1 ___pthread_mutex_lock - /usr/lib/.../libc.so.6
 *       [93ac61ec...]@0x7f5d104db000+0x8c481
 *   eu-stack: tid 13654: shown max number of frames (6, use -n 0 for unlimited)
 *
 * Older builds print the source on the frame line after three spaces
 * ("fn - /lib/module   file.c:29:10"). Inline frames (-i) share the pc of
 * the frame that follows them; all but the last of such a run are inline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/parser.h"
#include "parsers/text/text.h"

struct eu_state {
	struct dump *d;
	struct thread *thread;
	struct frame *last;
	bool last_has_source;
};

/* "file:line[:col]" at the end of X, when it is one. */
static bool parse_source(struct span x, const char **file, int *line, int *col, struct dump *d)
{
	x = span_trim(x);
	if (!x.len)
		return false;
	/* walk back over ":digits" groups, at most two */
	size_t end = x.len;
	uint64_t nums[2] = { 0, 0 };
	int n = 0;
	while (n < 2) {
		size_t colon = span_colon_number((struct span){ x.s, end });
		if (colon == end)
			break;
		nums[n++] = span_atoull((struct span){ x.s + colon + 1, end - colon - 1 });
		end = colon;
	}
	if (!n || !end)
		return false;
	*file = dump_strndup(d, x.s, end);
	*line = (int)(n == 2 ? nums[1] : nums[0]);
	*col = n == 2 ? (int)nums[0] : 0;
	return true;
}

static void mark_inlines(struct thread *t)
{
	for (size_t i = 0; i + 1 < t->nframes; i++)
		if (t->frames[i].has_pc && t->frames[i + 1].has_pc &&
		    t->frames[i].pc == t->frames[i + 1].pc)
			t->frames[i].kind = FRAME_INLINE;
}

static void parse_frame(struct eu_state *st, struct span x)
{
	struct dump *d = st->d;
	if (!st->thread) {
		dump_snapshot_begin(d);
		st->thread = dump_add_thread(d, NULL);
	}
	struct frame *f = thread_add_frame(d, st->thread);
	st->last = f;
	st->last_has_source = false;
	if (!f)
		return;
	f->text = dump_strndup(d, x.s, x.len);
	x = span_drop(x, 1); /* '#' */
	uint64_t no;
	span_number(&x, &no);
	x = span_skip_ws(x);
	uint64_t pc;
	if (span_hex(&x, &pc)) {
		f->pc = pc;
		f->has_pc = true;
	}
	x = span_skip_ws(x);
	if (span_starts(x, "- 1 "))
		x = span_skip_ws(span_drop(x, 4));
	if (!x.len)
		return;
	/* function [- module][   source] */
	long mod = span_find(x, " - ");
	struct span fn = x, rest = { x.s + x.len, 0 };
	if (mod >= 0) {
		fn.len = (size_t)mod;
		rest = span_drop(x, (size_t)mod + 3);
	}
	fn = span_trim(fn);
	if (fn.len && !span_eq(fn, "??") && !span_eq(fn, "?\?()"))
		f->function = dump_strndup(d, fn.s, fn.len);
	if (!rest.len)
		return;
	long src = span_find(rest, "   ");
	struct span module = rest;
	if (src >= 0) {
		module.len = (size_t)src;
		if (parse_source(span_drop(rest, (size_t)src), &f->file, &f->line, &f->column, d))
			st->last_has_source = true;
	}
	module = span_trim(module);
	if (module.len)
		f->module = dump_strndup(d, module.s, module.len);
}

/* An indented line after a frame: "[build-id]@0xbase+0xoff" or "file:line:col". */
static void parse_continuation(struct eu_state *st, struct span x)
{
	struct frame *f = st->last;
	if (!f)
		return;
	if (x.len && x.s[0] == '[') {
		struct span y = span_drop(x, 1);
		long at = span_find(y, "]@");
		if (at < 0)
			return;
		uint64_t base, off;
		struct span z = span_drop(y, (size_t)at + 2);
		if (span_hex(&z, &base) && z.len && z.s[0] == '+') {
			z = span_drop(z, 1);
			if (span_hex(&z, &off)) {
				f->module_offset = off;
				f->has_module_offset = true;
			}
		}
		return;
	}
	if (!st->last_has_source &&
	    parse_source(x, &f->file, &f->line, &f->column, st->d))
		st->last_has_source = true;
}

static void finish_thread(struct eu_state *st)
{
	if (st->thread)
		mark_inlines(st->thread);
	st->thread = NULL;
	st->last = NULL;
}

static void parse_diagnostic(struct eu_state *st, struct span x)
{
	struct span msg = span_trim(span_drop(x, strlen("eu-stack: ")));
	if (span_find(msg, "shown max number of frames") >= 0) {
		uint64_t tid = 0;
		struct span y = msg;
		if (span_starts(y, "tid ")) {
			y = span_drop(y, 4);
			span_number(&y, &tid);
		}
		struct thread *t = dump_find_tid(st->d, (int64_t)tid);
		if (t)
			t->frames_truncated = true;
	}
	dump_warn(st->d, "eu-stack: %.*s", (int)msg.len, msg.s);
}

static int eustack_parse(struct dump *d, const struct input *in, const struct mortem_opts *o,
			 struct strbuf *err)
{
	(void)o;
	(void)err;
	struct eu_state st = { .d = d };
	struct line_reader r;
	struct line l;
	line_reader_open(&r, d, in->data, in->len);
	d->process.runtime = "native";
	while (line_next(&r, &l)) {
		struct span x = span_of(&l);
		struct span t = span_skip_ws(x);
		if (span_starts(x, "PID ")) {
			finish_thread(&st);
			dump_snapshot_begin(d);
			struct span y = span_drop(x, 4);
			uint64_t pid;
			if (span_number(&y, &pid))
				d->process.pid = (int64_t)pid;
		} else if (span_starts(x, "TID ")) {
			finish_thread(&st);
			if (!d->input.snapshots)
				dump_snapshot_begin(d);
			struct span y = span_drop(x, 4);
			uint64_t tid;
			if (!span_number(&y, &tid)) {
				dump_warn(d, "line %zu: thread header without a number", l.no);
				continue;
			}
			if (tid <= INT64_MAX) {
				st.thread = dump_add_thread_tid(d, (int64_t)tid);
			} else { /* no kernel's: the number as written, no TID */
				char id[32];
				snprintf(id, sizeof(id), "%llu", (unsigned long long)tid);
				st.thread = dump_add_thread(d, id);
				st.thread->tid = (int64_t)tid;
			}
		} else if (span_starts(t, "#") && t.len > 1 && t.s[1] >= '0' && t.s[1] <= '9' && t.s == x.s) {
			parse_frame(&st, x);
		} else if (span_starts(x, "eu-stack: ")) {
			parse_diagnostic(&st, x);
		} else if (x.len && (x.s[0] == ' ' || x.s[0] == '\t')) {
			parse_continuation(&st, span_trim(x));
		}
	}
	finish_thread(&st);
	if (!d->input.snapshots)
		dump_snapshot_begin(d);
	return 0;
}

/* "PID n - process|core" then "TID n:" is eu-stack's signature. */
static int eustack_probe(const unsigned char *data, size_t len)
{
	struct line_reader r;
	struct line l;
	line_reader_init(&r, data, len);
	int score = 0, lines = 0;
	while (line_next(&r, &l) && lines++ < 200) {
		struct span x = span_of(&l);
		if (span_starts(x, "PID ") && (span_find(x, " - process") > 0 || span_find(x, " - core") > 0))
			score += 60;
		else if (span_starts(x, "TID ") && x.len && x.s[x.len - 1] == ':')
			score += 30;
		else if (span_starts(x, "eu-stack: "))
			score += 20;
		if (score >= 90)
			return 90;
	}
	return score > 90 ? 90 : score;
}

const struct parser eustack_parser = {
	.name = "eu-stack",
	.summary = "eu-stack (elfutils) output, any of -m -s -i -b -a",
	.probe = eustack_probe,
	.parse = eustack_parse,
};
