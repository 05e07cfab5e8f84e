/*
 * HotSpot thread dumps: jstack, jcmd Thread.print, kill -3 (SIGQUIT) output,
 * also inside application logs, JDK 1.5 through 25, and the dialects that
 * share HotSpot's shape:
 *
 *   "main" #1 [4711] daemon prio=5 os_prio=0 cpu=1.2ms elapsed=3s tid=0x.. nid=0x1267 runnable  [0x..]
 *      java.lang.Thread.State: RUNNABLE
 *           at pkg.Class.method(java.base@17/File.java:12)
 *           - locked <0x000000076b3a1e28> (a java.lang.Object)
 *      Locked ownable synchronizers:
 *           - <0x000000076b3a1f00> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)
 *
 *   HP-UX:        "x" daemon prio=8 tid=0x037cc188 nid=108 lwp_id=3574670 waiting on monitor [..]
 *   VisualVM:     "Timer-1" - Thread t@332 / java.lang.Thread.State: TIMED_WAITING on X@hash
 *   JMX ThreadInfo: "name" id=3149 in RUNNABLE (running in native)
 *   Spring actuator text: frames "java.base@17/pkg.C.m(File.java:1)"
 *
 * Thread id: the decimal kernel thread id where the dump gives one
 * (lwp_id=, then nid=, then the JDK 21+ "[tid]"), else the thread's name.
 * Several "Full thread dump" blocks are snapshots. HotSpot's "Found one
 * Java-level deadlock" section is kept as a dump section (a cross-check);
 * the locks come from the stacks (parsers/text/javastack.h). A dump whose last
 * snapshot has no closing "JNI global refs" line, or whose last line is cut,
 * gets a warning that the input ended early.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/arena.h"
#include "parsers/text/javastack.h"
#include "parsers/parser.h"
#include "parsers/text/split.h"
#include "parsers/text/text.h"

enum js_mode { JS_OUTSIDE, JS_THREAD, JS_DEADLOCK };

struct js_state {
	struct dump *d;
	enum js_mode mode;
	struct thread *t;
	bool ownable;             /* inside "Locked ownable synchronizers:" */
	bool blocked_hint;        /* header said "waiting for monitor entry" */
	struct span header_state; /* what the header says of the state ("waiting on condition") */
	struct intern_recent states; /* the states last interned */
	bool in_snapshot;
	bool footer_seen;         /* "JNI global refs" after the last thread */
	struct span prev;         /* the previous non-empty line */
	const char *section_start;
	struct javalocks jl;
	struct javaframe_hint hint;  /* the previous frame line (javastack_frame) */
	struct strbuf scratch;
	struct frame *fv;         /* the current thread's frames, added at its end */
	size_t nfv, fv_alloc;
	bool unseen_frame;        /* one of them is no earlier frame's text (javastack_frame) */
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void finish_thread(struct js_state *st)
{
	if (st->t && st->nfv) {
		if (st->unseen_frame) /* equal to no stack before it: not looked for */
			thread_set_frames(st->d, st->t, st->fv, st->nfv);
		else
			thread_share_frames(st->d, st->t, st->fv, st->nfv);
	}
	st->nfv = 0;
	st->unseen_frame = false;
	if (st->t) {
		if (!st->t->state && st->header_state.len) /* no State: line said it */
			st->t->state = dump_intern_recent(st->d, &st->states, st->header_state.s,
							  st->header_state.len);
		bool blocked = st->blocked_hint ||
			       (st->t->state && st->t->state[0] == 'B' && !strncmp(st->t->state, "BLOCKED", 7));
		javalocks_apply(st->d, st->t, &st->jl, blocked);
	}
	st->t = NULL;
	st->ownable = false;
	st->blocked_hint = false;
	st->header_state = (struct span){ NULL, 0 };
	st->jl.n = 0;
	if (st->mode == JS_THREAD)
		st->mode = JS_OUTSIDE;
}

static void finish_deadlock(struct js_state *st, const char *end)
{
	if (st->mode != JS_DEADLOCK)
		return;
	if (st->section_start && end > st->section_start)
		dump_add_section(st->d, "Java-level deadlock (HotSpot)", st->section_start,
				 (size_t)(end - st->section_start));
	st->mode = JS_OUTSIDE;
	st->section_start = NULL;
}

static void begin_snapshot(struct js_state *st)
{
	dump_snapshot_begin(st->d);
	st->in_snapshot = true;
	st->footer_seen = false;
}

/* "Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode):" */
static void full_dump_line(struct js_state *st, struct span x)
{
	finish_thread(st);
	begin_snapshot(st);
	struct dump *d = st->d;
	struct span vm = span_trim(span_drop(x, strlen("Full thread dump")));
	if (vm.len && vm.s[vm.len - 1] == ':')
		vm.len--;
	vm = span_trim(vm);
	if (vm.len)
		d->process.runtime_version = dump_strndup(d, vm.s, vm.len);
	if (st->prev.len && is_digit(st->prev.s[0]))
		d->process.time = dump_strndup(d, st->prev.s, st->prev.len);
}

/* The position of the closing quote of a thread header, or -1. */
static long header_close(struct span x)
{
	if (x.len < 2 || x.s[0] != '"')
		return -1;
	const char *q = memrchr(x.s + 1, '"', x.len - 1);
	return q ? (long)(q - x.s) : -1;
}

/* Whether the quote at CLOSE ends a thread's name in Y: the line ends there, or a blank follows. */
static bool name_ends(struct span y, long close)
{
	return close > 0 && ((size_t)close + 1 == y.len || y.s[close + 1] == ' ' || y.s[close + 1] == '\t');
}

/* Whether Y, a thread's name up to CLOSE, says more of it: a header, not a deadlock report's "name": line. */
static bool names_more(struct span y, long close)
{
	struct span rest = close > 0 ? span_trim(span_drop(y, (size_t)close + 1)) : y;
	return close > 0 && rest.len && !span_eq(rest, ":");
}

struct header {
	struct span name, state_desc, state;
	bool daemon;
	bool has_nid, has_lwp, has_bracket; /* each number is read only when its flag is set */
	uint64_t nid, lwp, bracket;
	struct span java_tid;
};

/* Inline: KEY's length folds to a constant. */
static inline __attribute__((always_inline)) bool word_value(struct span w, const char *key, struct span *val)
{
	if (!span_starts(w, key))
		return false;
	*val = span_drop(w, strlen(key));
	return true;
}

/* Decimal, or hex with 0x, or bare hex (HP-UX tid=6000...). */
static bool number_any(struct span v, uint64_t *out)
{
	struct span y = v;
	if (span_number(&y, out) && !y.len)
		return true;
	y = v;
	return span_hex(&y, out) && !y.len;
}

enum header_word { WORD_ATTR, WORD_DESC, WORD_END };

/* What word W of a thread header is (REST: the words after it), noted in H. */
static enum header_word header_word(struct header *h, struct span w, struct span rest)
{
	struct span v;
	switch (w.s[0]) { /* one compare for most words */
	case '#':
		if (w.len > 1 && is_digit(w.s[1])) /* Java thread number */
			return WORD_ATTR;
		break;
	case '[': /* JDK 21+ "[4711]", the OS thread id in decimal; else "[0x00007f..]", the stack: the end */
		if (w.len > 2 && is_digit(w.s[1]) && (w.s[2] | 0x20) != 'x' && w.s[w.len - 1] == ']') {
			struct span y = span_drop(w, 1);
			uint64_t n;
			if (span_number(&y, &n) && span_eq(y, "]")) {
				h->has_bracket = true;
				h->bracket = n;
			}
			return WORD_ATTR;
		}
		return WORD_END;
	case 'd':
		if (span_eq(w, "daemon")) {
			h->daemon = true;
			return WORD_ATTR;
		}
		break;
	/* HotSpot's other attributes, known before the '=' is looked for (it would find them) */
	case 'p':
		if (span_starts(w, "prio="))
			return WORD_ATTR;
		break;
	case 'o':
		if (span_starts(w, "os_prio="))
			return WORD_ATTR;
		break;
	case 'c':
		if (span_starts(w, "cpu="))
			return WORD_ATTR;
		break;
	case 'e':
		if (span_starts(w, "elapsed="))
			return WORD_ATTR;
		break;
	case 'v':
		if (span_eq(w, "virtual"))
			return WORD_ATTR;
		break;
	case 'n':
		if (word_value(w, "nid=", &v)) {
			h->has_nid = number_any(v, &h->nid);
			return WORD_ATTR;
		}
		break;
	case 'l':
		if (word_value(w, "lwp_id=", &v)) {
			h->has_lwp = number_any(v, &h->lwp);
			return WORD_ATTR;
		}
		break;
	case 't':
		if (word_value(w, "tid=", &v)) {
			h->java_tid = v;
			return WORD_ATTR;
		}
		break;
	}
	for (size_t i = 1; i < w.len; i++) /* a short word: no memchr call */
		if (w.s[i] == '=')
			return WORD_ATTR; /* prio= os_prio= cpu= elapsed= allocated= defined_classes= id= */
	if (span_eq(w, "-") && span_starts(span_skip_ws(rest), "Thread t@"))
		return WORD_END; /* VisualVM "- Thread t@332" */
	return WORD_DESC;
}

static void header_words(struct header *h, struct span rest)
{
	struct span desc_start = { NULL, 0 };
	const char *desc_end = NULL;
	while (1) {
		struct span w = span_word(&rest);
		if (!w.len)
			break;
		if (span_eq(w, "in") && !desc_start.s) {
			/* JMX ThreadInfo: "id=3149 in RUNNABLE (running in native)" */
			struct span st = span_word(&rest);
			if (st.len && st.s[0] >= 'A' && st.s[0] <= 'Z') {
				h->state = st;
				break;
			}
			w = (struct span){ w.s, (size_t)(st.s + st.len - w.s) };
		} else {
			enum header_word k = header_word(h, w, rest);
			if (k == WORD_END)
				break;
			if (k == WORD_ATTR)
				continue;
		}
		if (!desc_start.s)
			desc_start.s = w.s;
		desc_end = w.s + w.len;
	}
	if (desc_start.s)
		h->state_desc = (struct span){ desc_start.s, (size_t)(desc_end - desc_start.s) };
}

static void thread_header(struct js_state *st, struct span x, long close)
{
	struct dump *d = st->d;
	finish_thread(st);
	if (!st->in_snapshot)
		begin_snapshot(st);
	st->footer_seen = false;
	struct header h; /* field by field: "= { 0 }" is a rep stos, slow to start, once a thread */
	h.name = (struct span){ x.s + 1, (size_t)close - 1 };
	h.state_desc = h.state = h.java_tid = (struct span){ NULL, 0 };
	h.daemon = h.has_nid = h.has_lwp = h.has_bracket = false;
	header_words(&h, span_drop(x, (size_t)close + 1));
	int64_t tid = -1;
	if (h.has_lwp)
		tid = (int64_t)h.lwp;
	else if (h.has_nid)
		tid = (int64_t)h.nid;
	else if (h.has_bracket)
		tid = (int64_t)h.bracket;
	struct thread *t;
	if (tid >= 0) {
		t = dump_add_thread_tid(d, tid);
	} else {
		strbuf_reset(&st->scratch);
		strbuf_add(&st->scratch, h.name.s, h.name.len);
		t = dump_add_thread(d, st->scratch.buf);
	}
	t->name = dump_strndup(d, h.name.s, h.name.len);
	t->daemon = h.daemon;
	if (h.java_tid.len)
		t->java_tid = dump_strndup(d, h.java_tid.s, h.java_tid.len);
	st->header_state = h.state.len ? h.state : h.state_desc; /* unless a State: line follows */
	st->blocked_hint = span_find(h.state_desc, "waiting for monitor entry") >= 0;
	st->t = t;
	st->mode = JS_THREAD;
}

/* A frame line ("at ..."), the current thread's next frame. */
static inline void frame_line(struct js_state *st, struct span y)
{
	st->ownable = false;
	ALLOC_GROW(st->fv, st->nfv + 1, st->fv_alloc);
	struct frame *f = &st->fv[st->nfv++];
	memset(f, 0, sizeof(*f));
	st->unseen_frame |= javastack_frame(st->d, &st->hint, f, span_drop(y, 3), false);
}

/* A lock line ("- locked <0x..> (a C)"), kept under its frame for the browser (the lines jstack users read). */
static void lock_line(struct js_state *st, struct span y)
{
	if (javalocks_line(&st->jl, y, st->ownable) && !st->ownable && st->nfv)
		thread_add_note(st->d, st->t, st->nfv - 1, y.s, y.len);
}

/* Any other line inside a thread: its state, or where its ownable synchronizers begin. */
static void thread_line(struct js_state *st, struct span y)
{
	if (y.s[0] == 'j' && span_starts(y, "java.lang.Thread.State:")) {
		struct span s = span_trim(span_drop(y, strlen("java.lang.Thread.State:")));
		if (s.len)
			st->t->state = dump_intern_recent(st->d, &st->states, s.s, s.len);
	} else if (y.s[0] == 'L' && (span_starts(y, "Locked ownable synchronizers:") ||
				     span_starts(y, "Locked synchronizers:"))) {
		st->ownable = true;
	}
}

static bool deadlock_start(struct span x)
{
	if (!x.len || x.s[0] != 'F') /* most lines: one compare */
		return false;
	return span_starts(x, "Found one Java-level deadlock") ||
	       span_starts(x, "Found a total of") || span_starts(x, "Found one Java-level");
}

static void other_line(struct js_state *st, const struct line *l, struct span y);

/* Inline into the two loops that read lines: nine lines in ten take its first branch. */
static inline __attribute__((always_inline)) void jstack_line(struct js_state *st, const struct line *l)
{
	struct span y = span_of(l);
	if (y.len && y.s[0] == '\t') /* a frame or lock line's one tab: the trim's loop stops at once */
		y = span_drop(y, 1);
	y = span_trim(y);
	if (!y.len)
		return;
	/* the bulk of a dump: a frame or lock line inside a thread (every one of them comes here) */
	if (st->mode == JS_THREAD && y.len > 2 &&
	    ((y.s[0] == 'a' && y.s[1] == 't' && y.s[2] == ' ') || (y.s[0] == '-' && y.s[1] == ' '))) {
		if (y.s[0] == 'a')
			frame_line(st, y);
		else
			lock_line(st, y);
		st->prev = y;
		return;
	}
	other_line(st, l, y);
}

/*
 * Every other line (Y: L trimmed, not empty). Not inlined into jstack_line:
 * what it does (a thread's header, a snapshot, a deadlock report) needs
 * registers that every frame line would otherwise save and restore.
 */
static __attribute__((noinline)) void other_line(struct js_state *st, const struct line *l, struct span y)
{
	long close = y.s[0] == '"' ? header_close(y) : -1;
	if (st->mode == JS_DEADLOCK) {
		bool real_header = names_more(y, close);
		if (span_starts(y, "Found ") && span_find(y, " deadlock") > 0 && !deadlock_start(y)) {
			finish_deadlock(st, l->s + l->len);
			return;
		}
		if (!real_header && !span_starts(y, "Full thread dump"))
			return;
		finish_deadlock(st, l->s);
	}
	if (y.s[0] == 'F' && span_starts(y, "Full thread dump")) {
		full_dump_line(st, y);
	} else if (name_ends(y, close)) {
		thread_header(st, y, close);
	} else if (deadlock_start(y)) {
		finish_thread(st);
		st->mode = JS_DEADLOCK;
		st->section_start = l->s;
	} else if (y.s[0] == 'J' && span_starts(y, "JNI global ref")) {
		finish_thread(st);
		st->footer_seen = true;
	} else if (st->mode == JS_THREAD) {
		thread_line(st, y);
	}
	st->prev = y;
}

/*
 * A dump pasted upside down (lines reversed, as `tac` or a newest-first log
 * viewer gives): frames come before the first thread header and "Full
 * thread dump" after the last one.
 */
static bool is_reversed(const unsigned char *data, size_t len)
{
	struct line_reader r;
	struct line l;
	line_reader_init(&r, data, len);
	bool frame_first = false, header_seen = false, full_after = false;
	while (line_next(&r, &l)) {
		struct span y = span_trim(span_of(&l));
		if (span_starts(y, "at ") && !header_seen)
			frame_first = true;
		else if (y.len && y.s[0] == '"' && header_close(y) > 0)
			header_seen = true;
		else if (span_starts(y, "Full thread dump"))
			full_after = header_seen;
		if (header_seen && !frame_first)
			return false;
	}
	return frame_first && full_after;
}

static void reverse_lines(const unsigned char *data, size_t len, struct strbuf *out)
{
	const char *s = (const char *)data, *end = s + len;
	strbuf_grow(out, len + 1);
	while (end > s) {
		const char *e = end;
		if (e[-1] == '\n')
			e--;
		const char *b = e;
		while (b > s && b[-1] != '\n')
			b--;
		strbuf_add(out, b, (size_t)(e - b));
		strbuf_addch(out, '\n');
		end = b;
	}
}

/*
 * A thread's first line, read as one in every state of the parse (not a
 * deadlock report's "name": line), with no blank before its quote: a split
 * is made only where that is plain.
 */
static bool part_start(struct span line)
{
	if (!line.len || line.s[0] != '"')
		return false;
	struct span y = span_trim(line);
	long close = header_close(y);
	return name_ends(y, close) && names_more(y, close);
}

/* Lines that end a run of threads: their parse needs what came before (the caller reads them). */
static bool leaves_part(const struct line *l)
{
	struct span y = span_skip_ws(span_of(l));
	if (!y.len || (y.s[0] != 'F' && y.s[0] != 'J'))
		return false;
	return span_starts(y, "Full thread dump") || deadlock_start(y) || span_starts(y, "JNI global ref");
}

static void state_release(struct js_state *st)
{
	javalocks_release(&st->jl);
	strbuf_release(&st->scratch);
	free(st->fv);
}

/* A part of a split parse (parsers/text/split.h), on a thread of its own: threads only, in the snapshot begun before it. */
static void parse_part(struct text_part *p)
{
	struct js_state st = { .d = p->d, .jl = JAVALOCKS_INIT, .scratch = STRBUF_INIT, .in_snapshot = true };
	struct line_reader r;
	struct line l;
	line_reader_open(&r, p->d, p->from, (size_t)(p->to - p->from));
	while (line_next(&r, &l)) {
		if (leaves_part(&l)) {
			line_unread(&r, &l);
			break;
		}
		jstack_line(&st, &l);
	}
	finish_thread(&st);
	p->stop = r.p;
	p->lines = r.no;
	p->last = st.prev;
	line_reader_end(&r);
	state_release(&st);
}

/* Reads the lines from FROM to TO into ST's dump, the NO lines before them read. */
static void read_lines(struct js_state *st, const char *from, const char *to, size_t *no)
{
	struct line_reader r;
	struct line l;
	line_reader_open(&r, st->d, from, (size_t)(to - from));
	r.no = *no;
	while (line_next(&r, &l))
		jstack_line(st, &l);
	*no = r.no;
}

/* At a part's first line, a thread header: what reading it would do before its thread begins. */
static void part_begins(struct js_state *st, const char *at)
{
	if (st->mode == JS_DEADLOCK)
		finish_deadlock(st, at);
	finish_thread(st);
	if (!st->in_snapshot)
		begin_snapshot(st);
	st->footer_seen = false;
}

static int jstack_parse(struct dump *d, const struct input *in, const struct mortem_opts *o,
			struct strbuf *err)
{
	(void)err;
	struct js_state st = { .d = d, .jl = JAVALOCKS_INIT, .scratch = STRBUF_INIT };
	struct strbuf rev = STRBUF_INIT;
	const char *data = (const char *)in->data, *end = data + in->len;
	d->process.runtime = "jvm";
	if (is_reversed(in->data, in->len)) {
		reverse_lines(in->data, in->len, &rev);
		dump_warn(d, "the dump's lines are in reverse order; read bottom-up");
		data = rev.buf;
		end = rev.buf + rev.len;
	}
	struct text_split split;
	text_split_start(&split, d, data, (size_t)(end - data), o->jobs, part_start, parse_part);
	size_t no = 0;
	read_lines(&st, data, text_split_until(&split, 0, end), &no);
	for (size_t i = 0; i < split.n; i++) {
		struct text_part *p = &split.part[i];
		part_begins(&st, p->from);
		const char *from = p->from;
		if (text_split_adopt(&split, i, d)) {
			st.prev = p->last;
			from = p->stop;
			no += p->lines;
		}
		read_lines(&st, from, text_split_until(&split, i + 1, end), &no);
	}
	text_split_end(&split);
	finish_thread(&st);
	finish_deadlock(&st, end);
	if (!d->input.snapshots)
		dump_snapshot_begin(d);
	if (d->nthreads && !st.footer_seen)
		dump_warn(d, in->len && in->data[in->len - 1] != '\n'
				     ? "input ended early: the last line is cut short"
				     : "input ended early: the last thread dump has no closing "
				       "\"JNI global refs\" line (cut short?)");
	state_release(&st);
	strbuf_release(&rev);
	return 0;
}

/* Scores HotSpot thread-dump markers in the first lines. */
static int jstack_probe(const unsigned char *data, size_t len)
{
	struct line_reader r;
	struct line l;
	line_reader_init(&r, data, len);
	int score = 0, frames = 0;
	while (line_next(&r, &l) && score < 95) {
		struct span x = span_trim(span_of(&l));
		if (span_starts(x, "Full thread dump"))
			score += 60;
		else if (x.len && x.s[0] == '"' && header_close(x) > 0) {
			if (span_find(x, " idx=0x") > 0)
				continue; /* JRockit */
			if (span_find(x, " prio=") > 0 || span_find(x, " nid=") > 0 ||
			    span_find(x, " - Thread t@") > 0 || span_find(x, " in ") > 0)
				score += 15;
		} else if (span_starts(x, "java.lang.Thread.State:"))
			score += 10;
		else if (span_starts(x, "at ") && x.len && x.s[x.len - 1] == ')' && frames < 20)
			frames++;
	}
	if (score)
		score += frames;
	return score > 95 ? 95 : score;
}

const struct parser jstack_parser = {
	.name = "jstack",
	.summary = "HotSpot thread dumps: jstack, jcmd Thread.print, kill -3, JDK 5-25, "
		   "HP-UX, VisualVM/JMX ThreadInfo",
	.probe = jstack_probe,
	.parse = jstack_parse,
};
