/*
 * BEA/Oracle JRockit thread dumps (ctrl-break, jrcmd print_threads):
 *
 *   ===== FULL THREAD DUMP ===============
 *   "Main Thread" id=1 idx=0x2 tid=5584 prio=5 alive, in native, waiting
 *       -- Waiting for notification on: weblogic/t3/srvr/T3Srvr@0x02147DE8[fat lock]
 *       at java/lang/Object.wait()V(Native Method)
 *       ^-- Lock released while waiting: weblogic/t3/srvr/T3Srvr@0x02147DE8[fat lock]
 *       ^-- Holding lock: java/lang/Object@0x0135B438[fat lock]
 *       -- Blocked trying to get lock: java/lang/Object@0x0135B430[fat lock]
 *       -- end of trace
 *   Circular (deadlocked) lock chains ...      (JRockit's own analysis: a section)
 *   ===== END OF THREAD DUMP ===============
 *
 * tid= is the native thread id (the thread's id). Frames use slashes and
 * JVM signatures ("pkg/C.m(I)V(File.java:3)"); they become "pkg.C.m".
 */
#include <stdio.h>
#include <string.h>

#include "parsers/text/javastack.h"
#include "parsers/parser.h"
#include "parsers/text/text.h"

struct jr_state {
	struct dump *d;
	struct thread *t;
	bool in_dump, in_chains;
	const char *chains_start;
	struct javalocks jl;
	struct javaframe_hint hint;  /* the previous frame line (javastack_frame) */
	struct strbuf scratch;
};

static void jr_finish_thread(struct jr_state *st)
{
	if (st->t)
		javalocks_apply(st->d, st->t, &st->jl,
				st->t->state && strstr(st->t->state, "blocked") != NULL);
	st->t = NULL;
	st->jl.n = 0;
}

static void jr_finish_chains(struct jr_state *st, const char *end)
{
	if (st->in_chains && st->chains_start && end > st->chains_start)
		dump_add_section(st->d, "JRockit lock chains", st->chains_start,
				 (size_t)(end - st->chains_start));
	st->in_chains = false;
	st->chains_start = NULL;
}

static void jr_header(struct jr_state *st, struct span y, long close)
{
	struct dump *d = st->d;
	jr_finish_thread(st);
	if (!st->in_dump) {
		dump_snapshot_begin(d);
		st->in_dump = true;
	}
	struct span name = { y.s + 1, (size_t)close - 1 };
	struct span rest = span_drop(y, (size_t)close + 1);
	int64_t tid = -1;
	long p = span_find(rest, " tid=");
	if (p >= 0) {
		struct span v = span_drop(rest, (size_t)p + 5);
		uint64_t n;
		if (span_number(&v, &n))
			tid = (int64_t)n;
	}
	strbuf_reset(&st->scratch);
	if (tid >= 0)
		strbuf_addint(&st->scratch, tid);
	else
		strbuf_add(&st->scratch, name.s, name.len);
	struct thread *t = dump_add_thread(d, st->scratch.buf);
	t->tid = tid;
	t->name = dump_strndup(d, name.s, name.len);
	long prio = span_find(rest, " prio=");
	if (prio >= 0) {
		struct span s = span_drop(rest, (size_t)prio + 6);
		span_word(&s);
		s = span_trim(s);
		if (s.len)
			t->state = dump_strndup(d, s.s, s.len);
		t->daemon = span_find(s, "daemon") >= 0;
	}
	st->t = t;
}

/* "java/lang/Object@0x0135B438[fat lock]": id before '[', class before '@'. */
static void jr_lock(struct jr_state *st, enum jlock_what what, struct span v)
{
	v = span_trim(v);
	long br = span_find(v, "[");
	if (br >= 0)
		v.len = (size_t)br;
	long at = span_find(v, "@");
	struct span cls = { v.s, at > 0 ? (size_t)at : 0 };
	javalocks_add(&st->jl, what, v, cls);
}

static void jr_thread_line(struct jr_state *st, struct span y)
{
	static const struct {
		const char *prefix;
		enum jlock_what what;
	} locks[] = {
		{ "-- Blocked trying to get lock:", JL_WAIT_LOCK },
		{ "-- Waiting for notification on:", JL_WAIT_ON },
		{ "-- Parking to wait for:", JL_PARK },
		{ "^-- Holding lock:", JL_LOCKED },
	};
	if (span_starts(y, "at ")) {
		struct frame *f = thread_add_frame(st->d, st->t);
		if (f)
			javastack_frame(st->d, &st->hint, f, span_drop(y, 3), true);
		return;
	}
	for (size_t i = 0; i < sizeof(locks) / sizeof(locks[0]); i++)
		if (span_starts(y, locks[i].prefix)) {
			jr_lock(st, locks[i].what, span_drop(y, strlen(locks[i].prefix)));
			return;
		}
	if (span_starts(y, "-- end of trace"))
		jr_finish_thread(st);
}

static void jr_line(struct jr_state *st, const struct line *l)
{
	struct span y = span_trim(span_of(l));
	if (span_starts(y, "===== FULL THREAD DUMP")) {
		jr_finish_thread(st);
		jr_finish_chains(st, l->s);
		dump_snapshot_begin(st->d);
		st->in_dump = true;
		return;
	}
	if (span_starts(y, "===== END OF THREAD DUMP")) {
		jr_finish_thread(st);
		jr_finish_chains(st, l->s);
		return;
	}
	if (st->in_chains)
		return;
	if (span_starts(y, "Circular (deadlocked) lock chains") ||
	    span_starts(y, "Blocked lock chains") || span_starts(y, "Open lock chains")) {
		jr_finish_thread(st);
		st->in_chains = true;
		st->chains_start = l->s;
		return;
	}
	if (span_starts(y, "BEA JRockit") || span_starts(y, "Oracle JRockit")) {
		st->d->process.runtime_version = dump_strndup(st->d, y.s, y.len);
		return;
	}
	if (y.len > 1 && y.s[0] == '"') {
		long close = -1;
		for (size_t i = y.len; i > 1; i--)
			if (y.s[i - 1] == '"') {
				close = (long)i - 1;
				break;
			}
		if (close > 0 && span_find(span_drop(y, (size_t)close), " id=") >= 0) {
			jr_header(st, y, close);
			return;
		}
	}
	if (st->t)
		jr_thread_line(st, y);
}

static int jrockit_parse(struct dump *d, const struct input *in, const struct mortem_opts *o,
			 struct strbuf *err)
{
	(void)o;
	(void)err;
	struct jr_state st = { .d = d, .jl = JAVALOCKS_INIT, .scratch = STRBUF_INIT };
	struct line_reader r;
	struct line l;
	d->process.runtime = "jvm";
	line_reader_open(&r, d, in->data, in->len);
	while (line_next(&r, &l))
		jr_line(&st, &l);
	bool open = st.t != NULL;
	jr_finish_thread(&st);
	jr_finish_chains(&st, r.end);
	if (!d->input.snapshots)
		dump_snapshot_begin(d);
	if (open)
		dump_warn(d, "input ended early: the last thread has no \"-- end of trace\"");
	javalocks_release(&st.jl);
	strbuf_release(&st.scratch);
	return 0;
}

static int jrockit_probe(const unsigned char *data, size_t len)
{
	struct line_reader r;
	struct line l;
	line_reader_init(&r, data, len);
	int score = 0;
	while (line_next(&r, &l) && score < 95) {
		struct span y = span_trim(span_of(&l));
		if (span_starts(y, "===== FULL THREAD DUMP"))
			return 96;
		else if (y.len && y.s[0] == '"' && span_find(y, " idx=0x") > 0)
			score += 20;
		else if (span_starts(y, "-- end of trace"))
			score += 10;
	}
	return score > 96 ? 96 : score;
}

const struct parser jrockit_parser = {
	.name = "jrockit",
	.summary = "BEA/Oracle JRockit thread dumps (===== FULL THREAD DUMP)",
	.probe = jrockit_probe,
	.parse = jrockit_parse,
};
