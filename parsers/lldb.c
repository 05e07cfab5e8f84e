/*
 * lldb `bt all` / `bt` / `thread backtrace all`:
 *
 *   Process 15325 stopped
 *   * thread #1, name = 'test', stop reason = signal SIGSTOP
 *     * frame #0: 0x00007f55484973dc libc.so.6`__GI___lll_lock_wait(futex=0x7f…, private=0) at lowlevellock.c:50:7
 *       frame #1: 0x… libc.so.6`___pthread_mutex_lock [inlined] lll_mutex_lock_optimized(mutex=0x…) at …
 *       frame #2: 0x0000007f90e29200 libgstreamer-1.0.so.0`gst_pad_stop_task + 232
 *       frame #4: 0x0000007f90e1c69c libgstreamer-1.0.so.0
 *       ...
 *
 * Pasted lines are often hard-wrapped (terminals, e-mail clients): a line
 * that starts no record continues the thread or frame line before it.
 * Threads, snapshots, lock waits and truncation go through gdbtext.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/text/gdbframe.h"
#include "parsers/text/gdbtext.h"
#include "parsers/parser.h"

/* Terminal hard wraps are at least this wide; shorter lines end where they end. */
#define WRAP_WIDTH 100

struct lldb_state {
	struct gdbtext g;
	struct strbuf rec;
	bool frame_command;  /* after `frame select`/`up`/`down`: frame lines are not a stack */
	int64_t *tids;       /* thread index -> tid, from lines that showed one (`thread list`) */
	size_t ntids;
};

/* Thread indexes above this are not remembered (no tid for them). */
#define MAX_INDEX 65536

static void remember_tid(struct lldb_state *st, uint64_t index, int64_t tid)
{
	if (index >= MAX_INDEX)
		return;
	if (index >= st->ntids) {
		size_t n = index + 64;
		st->tids = xrealloc(st->tids, n * sizeof(*st->tids));
		for (size_t i = st->ntids; i < n; i++)
			st->tids[i] = -1;
		st->ntids = n;
	}
	st->tids[index] = tid;
}

/* Drops the blanks and a selection mark ("* ") in front of a record. */
static struct span record_body(struct span x)
{
	x = span_skip_ws(x);
	if (span_starts(x, "* "))
		x = span_skip_ws(span_drop(x, 2));
	return x;
}

static bool is_thread_line(struct span b) { return span_starts(b, "thread #"); }
static bool is_frame_line(struct span b) { return span_starts(b, "frame #"); }

static bool starts_record(struct span x)
{
	struct span b = record_body(x);
	static const char *const starts[] = {
		"thread #", "frame #", "Process ", "(lldb)", "warning:", "error:", "...", "->",
		"Executable module", "Architecture set", "Target ",
	};
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (span_starts(b, starts[i]))
			return true;
	return false;
}

static bool continues(struct span prev, struct span x)
{
	if (!x.len || starts_record(x))
		return false;
	return (x.s[0] != ' ' && x.s[0] != '\t') || prev.len >= WRAP_WIDTH;
}

/* "name = 'x'" / "tid = 0x1234" in a thread line. */
static struct span field(struct span b, const char *key)
{
	long at = span_find(b, key);
	if (at < 0)
		return (struct span){ b.s, 0 };
	struct span v = span_drop(b, (size_t)at + strlen(key));
	if (span_starts(v, "'")) {
		v = span_drop(v, 1);
		const char *q = memchr(v.s, '\'', v.len);
		return (struct span){ v.s, q ? (size_t)(q - v.s) : v.len };
	}
	size_t n = 0;
	while (n < v.len && v.s[n] != ',')
		n++;
	return (struct span){ v.s, n };
}

static const struct {
	const char *reason;
	const char *signal;
} crash_reasons[] = {
	{ "signal SIGSEGV", "SIGSEGV" }, { "signal SIGBUS", "SIGBUS" },
	{ "signal SIGILL", "SIGILL" },   { "signal SIGFPE", "SIGFPE" },
	{ "signal SIGABRT", "SIGABRT" }, { "signal SIGSYS", "SIGSYS" },
	{ "EXC_BAD_ACCESS", "SIGSEGV" }, { "EXC_BAD_INSTRUCTION", "SIGILL" },
	{ "EXC_ARITHMETIC", "SIGFPE" },  { "EXC_CRASH", "SIGABRT" },
	{ "hit program assert", "SIGABRT" },
};

static void stop_reason(struct lldb_state *st, struct thread *t, struct span reason)
{
	struct dump *d = st->g.d;
	for (size_t i = 0; i < sizeof(crash_reasons) / sizeof(crash_reasons[0]); i++) {
		if (!span_starts(reason, crash_reasons[i].reason) || d->snapshot_frozen)
			continue;
		struct crash *c = dump_crash(d);
		c->signal = crash_reasons[i].signal;
		c->signo = signal_number(c->signal);
		c->reason = dump_strndup(d, reason.s, reason.len);
		if (span_starts(reason, "EXC_"))
			c->code = dump_strndup(d, reason.s, strcspn(crash_reasons[i].reason, " "));
		/* "EXC_BAD_ACCESS (code=1, address=0x0)", "SIGSEGV: invalid address (fault address: 0x0)" */
		long a = span_find(reason, "address=");
		long b = span_find(reason, "fault address: ");
		struct span y = a >= 0 ? span_drop(reason, (size_t)a + 8)
			      : b >= 0 ? span_drop(reason, (size_t)b + 15)
				       : (struct span){ reason.s, 0 };
		if (span_hex(&y, &c->address))
			c->has_address = true;
		c->thread = t;
		t->crashed = true;
		return;
	}
}

static void thread_line(struct lldb_state *st, struct span b)
{
	struct dump *d = st->g.d;
	struct span y = span_drop(b, strlen("thread #"));
	uint64_t index = 0, tid;
	span_number(&y, &index);
	struct span tids = field(b, "tid = ");
	int64_t kernel_tid = -1;
	if (tids.len && span_number(&tids, &tid)) {
		kernel_tid = (int64_t)tid;
		remember_tid(st, index, kernel_tid);
	} else if (index < st->ntids) {
		kernel_tid = st->tids[index];
	}
	const char *id = kernel_tid >= 0 ? dump_printf(d, "%lld", (long long)kernel_tid)
					 : dump_printf(d, "%llu", (unsigned long long)index);
	struct thread *t = gdbtext_begin_thread(&st->g, id, kernel_tid);
	struct span name = field(b, "name = ");
	if (name.len)
		t->name = dump_strndup(d, name.s, name.len);
	long at = span_find(b, "stop reason = ");
	if (at >= 0) {
		struct span reason = span_trim(span_drop(b, (size_t)at + 14));
		t->state = dump_strndup(d, reason.s, reason.len);
		stop_reason(st, t, reason);
	}
}

/* Where " at " begins outside parentheses in X, or -1. */
static long source_at(struct span x)
{
	int depth = 0;
	for (size_t i = 0; i + 4 <= x.len; i++) {
		char c = x.s[i];
		if (c == '(')
			depth++;
		else if (c == ')' && depth)
			depth--;
		else if (!depth && !memcmp(x.s + i, " at ", 4))
			return (long)i;
	}
	return -1;
}

/* "func(args)": args only when they look like name=value; else a signature. */
static void split_args(struct span sym, struct span *fn, struct span *args, bool *has_args)
{
	*fn = sym;
	*has_args = false;
	const char *open = memchr(sym.s, '(', sym.len);
	if (open && !gdbframe_balanced(span_drop(sym, (size_t)(open - sym.s)))) {
		/* cut inside the argument list */
		*fn = span_trim((struct span){ sym.s, (size_t)(open - sym.s) });
		*args = span_drop(sym, (size_t)(open - sym.s) + 1);
		*has_args = true;
		return;
	}
	if (!sym.len || sym.s[sym.len - 1] != ')')
		return;
	int depth = 0;
	for (size_t i = sym.len; i-- > 0;) {
		if (sym.s[i] == ')')
			depth++;
		else if (sym.s[i] == '(' && --depth == 0) {
			struct span inner = { sym.s + i + 1, sym.len - i - 2 };
			if (memchr(inner.s, '=', inner.len)) {
				*args = inner;
				*has_args = true;
				*fn = span_trim((struct span){ sym.s, i });
			}
			return;
		}
	}
}

static void frame_line(struct lldb_state *st, struct span b)
{
	struct dump *d = st->g.d;
	struct frame *f = gdbtext_add_frame(&st->g);
	if (!f)
		return;
	struct span y = span_drop(b, strlen("frame #"));
	uint64_t no;
	span_number(&y, &no);
	if (span_starts(y, ":"))
		y = span_drop(y, 1);
	y = span_skip_ws(y);
	if (span_hex(&y, &f->pc))
		f->has_pc = true;
	y = span_trim(y);
	long src = source_at(y);
	struct span sym = src >= 0 ? (struct span){ y.s, (size_t)src } : y;
	if (src >= 0) {
		struct span file, rest;
		struct span loc = span_skip_ws(span_drop(y, (size_t)src + 4));
		if (gdbframe_source(loc, &file, &f->line, &f->column, &rest))
			f->file = gdbframe_intern(d, file);
	}
	long plus = span_find(sym, " + ");
	if (plus >= 0) {
		struct span off = span_drop(sym, (size_t)plus + 3);
		if (span_number(&off, &f->offset))
			f->has_offset = true;
		sym.len = (size_t)plus;
	}
	const char *tick = memchr(sym.s, '`', sym.len);
	if (tick) {
		f->module = gdbframe_intern(d, (struct span){ sym.s, (size_t)(tick - sym.s) });
		sym = span_drop(sym, (size_t)(tick - sym.s) + 1);
	} else if (!memchr(sym.s, '(', sym.len) && src < 0) {
		f->module = gdbframe_intern(d, sym);
		return;
	}
	long inl = span_find(sym, " [inlined] ");
	if (inl >= 0) {
		sym = span_drop(sym, (size_t)inl + 11);
		f->kind = FRAME_INLINE;
	}
	struct span fn, args;
	bool has_args;
	split_args(span_trim(sym), &fn, &args, &has_args);
	f->function = gdbframe_intern(d, fn);
	if (has_args)
		f->args = dump_strndup(d, args.s, args.len);
}

static void record(struct lldb_state *st, struct span x)
{
	struct span b = record_body(x);
	struct dump *d = st->g.d;
	if (is_thread_line(b)) {
		thread_line(st, b);
	} else if (is_frame_line(b)) {
		if (!st->frame_command)
			frame_line(st, b);
	} else if (span_starts(b, "...")) {
		if (st->g.thread && !d->snapshot_frozen)
			st->g.thread->frames_truncated = true;
	} else if (span_starts(b, "Process ")) {
		struct span y = span_drop(b, 8);
		uint64_t pid;
		if (span_number(&y, &pid) && !d->snapshot_frozen)
			d->process.pid = (int64_t)pid;
	} else if (span_starts(b, "(lldb) ")) {
		struct span cmd = span_skip_ws(span_drop(b, 7));
		struct span w = span_word(&cmd);
		st->frame_command = span_eq(w, "frame") || span_eq(w, "f") || span_eq(w, "up") ||
				    span_eq(w, "down");
		if (span_eq(w, "bt") || span_eq(w, "thread"))
			gdbtext_marker(&st->g, -1);
	}
}

static int lldb_parse(struct dump *d, const struct input *in, const struct mortem_opts *o,
		      struct strbuf *err)
{
	(void)o;
	(void)err;
	struct lldb_state st = { .tids = NULL };
	struct line_reader r;
	struct line l, n;
	gdbtext_init(&st.g, d, in->data, in->len);
	strbuf_init(&st.rec, 256);
	line_reader_open(&r, d, in->data, in->len);
	size_t elided = 0;
	while (line_next(&r, &l)) {
		struct span x = span_of(&l), b = record_body(x);
		if (span_starts(b, "..."))
			elided++;
		if (!is_thread_line(b) && !is_frame_line(b)) {
			record(&st, x);
			continue;
		}
		strbuf_reset(&st.rec);
		strbuf_add(&st.rec, x.s, x.len);
		struct span prev = x;
		while (line_next(&r, &n)) {
			if (!continues(prev, span_of(&n))) {
				line_unread(&r, &n);
				break;
			}
			strbuf_add(&st.rec, n.s, n.len);
			prev = span_of(&n);
		}
		record(&st, (struct span){ st.rec.buf, st.rec.len });
	}
	if (elided)
		dump_warn(d, "%zu stack(s) shortened by hand ('...' in the input)", elided);
	gdbtext_finish(&st.g);
	strbuf_release(&st.rec);
	free(st.tids);
	return 0;
}

static int lldb_probe(const unsigned char *data, size_t len)
{
	struct line_reader r;
	struct line l;
	line_reader_init(&r, data, len);
	int threads = 0, frames = 0, lines = 0;
	while (line_next(&r, &l) && lines++ < 2000) {
		struct span b = record_body(span_of(&l));
		if (is_thread_line(b))
			threads++;
		else if (is_frame_line(b) && span_find(b, ": 0x") > 0)
			frames++;
	}
	if (!frames)
		return 0;
	return threads ? 90 : 70;
}

const struct parser lldb_parser = {
	.name = "lldb",
	.summary = "lldb backtraces: bt all, bt, thread backtrace all",
	.probe = lldb_probe,
	.parse = lldb_parse,
};
