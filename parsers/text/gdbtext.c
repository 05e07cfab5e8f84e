/*
 * gdb's thread-dump text as a state machine over lines. Each line is
 * classified by its first characters; only frame lines are scanned
 * further (gdbframe.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/text/gdbframe.h"
#include "analyzer/lib/path.h"
#include "parsers/text/gdbtext.h"
#include "parsers/text/waitlock.h"

void gdbtext_init(struct gdbtext *g, struct dump *d, const void *data, size_t len)
{
	memset(g, 0, sizeof(*g));
	if (len && ((const char *)data)[len - 1] != '\n')
		g->cut_end = (const char *)data + len;
	g->d = d;
	g->last_no = -1;
	g->marker_pid = -1;
	g->current_lwp = -1;
	strbuf_init(&g->joined, 256);
	d->process.runtime = "native";
}

/*
 * A slot for the current thread's next frame, not zeroed (the caller writes
 * all of it); past the frame limit the last is reused.
 */
static struct frame *next_frame_raw(struct gdbtext *g)
{
	size_t limit = g->d->max_frames ? g->d->max_frames + 1 : SIZE_MAX;
	if (g->nframes == limit)
		g->nframes--;
	ALLOC_GROW(g->frames, g->nframes + 1, g->frames_alloc);
	return &g->frames[g->nframes++];
}

/* The same, zeroed. */
static struct frame *next_frame(struct gdbtext *g)
{
	return memset(next_frame_raw(g), 0, sizeof(struct frame));
}

static void finish_thread(struct gdbtext *g)
{
	g->orphan = false;
	if (g->thread && !g->d->snapshot_frozen) {
		/* threads with the same frames share one array, read-only from here */
		gdbframe_mark_inlines(g->frames, g->nframes);
		thread_share_frames(g->d, g->thread, g->frames, g->nframes);
	}
	g->nframes = 0;
	if (g->thread)
		waitlock_thread(g->d, g->thread);
	g->thread = NULL;
	g->last_no = -1;
	g->last_open = false;
	g->replace_frames = false;
}

void gdbtext_marker(struct gdbtext *g, int64_t pid)
{
	finish_thread(g);
	if (g->snapshot_threads || !g->d->input.snapshots)
		g->want_snapshot = true;
	g->marker_pid = pid;
}

static void ensure_snapshot(struct gdbtext *g)
{
	struct dump *d = g->d;
	if (d->input.snapshots && !g->want_snapshot)
		return;
	dump_snapshot_begin(d);
	g->want_snapshot = false;
	g->snapshot_threads = 0;
	g->thread_one = NULL;
	g->headers = false;
	if (g->marker_pid >= 0 && !d->snapshot_frozen)
		d->process.pid = g->marker_pid;
	g->marker_pid = -1;
}

/* A new thread: with id ID (NULL: its number) and kernel thread TID; or, ID_IS_TID, TID's decimal as its id. */
static struct thread *new_thread(struct gdbtext *g, const char *id, int64_t tid, bool id_is_tid)
{
	finish_thread(g);
	ensure_snapshot(g);
	struct thread *t;
	if (id_is_tid) {
		t = dump_add_thread_tid(g->d, tid);
	} else {
		t = dump_add_thread(g->d, id);
		t->tid = tid;
	}
	g->snapshot_threads++;
	g->thread = t;
	return t;
}

/* A thread for frames printed without a header: gdb's current thread. */
static struct thread *anonymous_thread(struct gdbtext *g)
{
	if (g->current_lwp >= 0)
		return new_thread(g, NULL, g->current_lwp, true);
	return new_thread(g, NULL, -1, false);
}

struct thread *gdbtext_begin_thread(struct gdbtext *g, const char *id, int64_t tid)
{
	return new_thread(g, id, tid, false);
}

struct frame *gdbtext_add_frame(struct gdbtext *g)
{
	if (!g->thread)
		anonymous_thread(g);
	return next_frame(g);
}

/* The thread a header or "[Switching to thread …]" names: an earlier listing is replaced. */
static void select_thread(struct gdbtext *g, const struct gdbthread *th, bool header)
{
	struct dump *d = g->d;
	/* its id: the LWP's number, else gdb's, looked up as a number */
	bool by_lwp = th->lwp >= 0;
	struct thread *t = d->snapshot_frozen ? NULL
					      : dump_find_thread_n(d, by_lwp ? (uint64_t)th->lwp : th->number);
	if (t && header && !g->interactive && t->nframes > 1) {
		gdbtext_marker(g, -1);   /* the same thread twice: a second dump */
		t = NULL;
	}
	if (t) {
		finish_thread(g);
		g->thread = t;
		g->replace_frames = true;
		for (size_t i = 0; i < t->nframes; i++)
			*next_frame_raw(g) = t->frames[i];
	} else {
		t = new_thread(g, by_lwp ? NULL : gdbframe_thread_id(d, th), th->lwp, by_lwp);
		if (th->name.len)
			t->name = dump_strndup(d, th->name.s, th->name.len);
		t->pthread = th->pthread;
	}
	if (th->number == 1)
		g->thread_one = t->id;
}

static void add_frame_as(struct gdbtext *g, const struct gdbframe *gf, struct span text,
			 const struct frame *filled);

static void add_frame(struct gdbtext *g, const struct gdbframe *gf, struct span text)
{
	add_frame_as(g, gf, text, NULL);
}

/* Adds the frame GF of the line TEXT; FILLED: what gdbframe_fill gave for it before, or NULL. */
static void add_frame_as(struct gdbtext *g, const struct gdbframe *gf, struct span text,
			 const struct frame *filled)
{
	struct dump *d = g->d;
	if (g->orphan)
		return;
	if (!g->thread) {
		if ((g->crash_seen || g->core_seen) && !g->d->nthreads && !g->pending.len &&
		    !g->interactive) {
			/*
			 * the location gdb prints when it loads a core (crashed or
			 * gcore'd) or stops a program, before the listing: the
			 * current thread's top frame, not a thread of its own
			 */
			g->pending = text;
			g->crash_pc = gf->pc;
			g->has_crash_pc = gf->has_pc;
			return;
		}
		anonymous_thread(g);
		struct gdbframe top;
		if (gf->no > 0 && g->pending.len && g->d->nthreads == 1 &&
		    gdbframe_scan(g->pending, &top) && top.no == 0) {
			/* `bt` went on from the frame printed at the stop: it is frame #0 */
			add_frame(g, &top, g->pending);
			g->pending.len = 0;
		}
	} else if ((int64_t)gf->no <= g->last_no || (g->replace_frames && gf->no == 0)) {
		if (g->at_cut) {
			return; /* a number cut short, not a new stack */
		} else if (g->replace_frames || g->interactive) {
			g->nframes = 0;
			g->thread->frames_truncated = false;
		} else if (g->headers) {
			/* a stray frame gdb prints on detach, after the listing */
			finish_thread(g);
			g->orphan = true;
			return;
		} else {
			anonymous_thread(g);
		}
	}
	g->replace_frames = false;
	g->last_no = (int64_t)gf->no;
	struct frame *f = filled ? next_frame_raw(g) : next_frame(g);
	g->last_open = gf->args_open;
	g->last_text = text; /* copied only when a continuation comes (a wrapped line is rare) */
	if (g->joined.len)
		strbuf_reset(&g->joined);
	if (filled)
		*f = *filled;
	else
		gdbframe_fill(d, f, gf);
}

/*
 * A frame line read before and what it gave: its scan (the numbers and
 * flags; its spans point into the line it was first read from and are
 * not used again) and its frame as gdbframe_fill made it. A pool's
 * threads print the same lines: such a line is compared, not scanned, and
 * its names are not interned again. NEXT is the line that followed it last
 * time, tried first. At most MEMO_MAX distinct lines are kept (a dump
 * whose lines are all distinct gains nothing from them).
 */
struct gdbtext_memo {
	struct gdbtext_memo *next, *all;
	struct gdbframe gf;
	struct frame f;
	size_t len;
	char text[];
};

#define MEMO_MAX 16384

/* A new memo for line X in the empty SLOT of memo_by_line. */
static struct gdbtext_memo *memo_new(struct gdbtext *g, struct hashmap_slot *slot, struct span x)
{
	struct gdbframe gf;
	bool frame = gdbframe_scan(x, &gf) && !gf.next.len;
	struct gdbtext_memo *m = xmalloc(sizeof(*m) + x.len + 1);
	memcpy(m->text, x.s, x.len);
	m->text[x.len] = '\0';
	m->len = frame ? x.len : SIZE_MAX; /* not a single frame: never predicted, scanned each time */
	m->next = NULL;
	m->all = g->memos;
	g->memos = m;
	m->gf = gf;
	memset(&m->f, 0, sizeof(m->f));
	if (frame)
		gdbframe_fill(g->d, &m->f, &gf);
	slot->key = m->text;
	slot->value = m;
	return m;
}

/* The memo of the single-frame line X: predicted, looked up, or made; NULL when X is not memoized. */
static struct gdbtext_memo *memo_of(struct gdbtext *g, struct span x)
{
	struct gdbtext_memo *m = g->memo_prev ? g->memo_prev->next : NULL;
	if (m && m->len == x.len && !memcmp(m->text, x.s, x.len)) {
		g->memo_prev = m;
		return m;
	}
	m = NULL;
	if (g->memo_by_line.count < MEMO_MAX) { /* past it, only the prediction */
		struct hashmap_slot *slot = hashmap_slot_n(&g->memo_by_line, x.s, x.len);
		m = slot->value ? slot->value : memo_new(g, slot, x);
	}
	if (m && m->len == SIZE_MAX)
		m = NULL;
	if (g->memo_prev && m)
		g->memo_prev->next = m;
	g->memo_prev = m;
	return m;
}

static void frame_line(struct gdbtext *g, struct span x)
{
	struct gdbtext_memo *m = memo_of(g, x);
	if (m) {
		add_frame_as(g, &m->gf, x, &m->f);
		return;
	}
	struct gdbframe gf;
	while (gdbframe_scan(x, &gf)) {
		struct span next = gf.next;
		struct span text = x;
		if (next.len)
			text.len = (size_t)(next.s - x.s);
		add_frame(g, &gf, span_trim(text));
		if (!next.len)
			break;
		x = next;
	}
}

/* "name = value": a local variable `bt full` prints under its frame. */
static bool local_line(struct span t)
{
	size_t n = 0;
	while (n < t.len && (t.s[n] == '_' || t.s[n] == '$' || (t.s[n] >= 'a' && t.s[n] <= 'z') ||
			     (t.s[n] >= 'A' && t.s[n] <= 'Z') || (t.s[n] >= '0' && t.s[n] <= '9')))
		n++;
	return n && span_starts(span_drop(t, n), " = ");
}

/* A joined frame line longer than this is not joined further (a runaway open list). */
#define MAX_JOINED (256 * 1024)

/* "    at file.c:12" or the rest of an open argument list: joins the last frame. */
static bool continuation(struct gdbtext *g, struct span t)
{
	size_t joined = g->joined.len ? g->joined.len : g->last_text.len;
	if (!g->thread || !g->nframes || !joined)
		return false;
	if (span_starts(t, "at ") || span_starts(t, "from ")) {
		/* a wrapped location */
	} else if (!g->last_open || local_line(t) || joined > MAX_JOINED) {
		return false;
	}
	if (!g->joined.len)
		strbuf_add(&g->joined, g->last_text.s, g->last_text.len);
	strbuf_addch(&g->joined, ' ');
	strbuf_add(&g->joined, t.s, t.len);
	struct span j = { g->joined.buf, g->joined.len };
	struct gdbframe gf;
	if (!gdbframe_scan(j, &gf))
		return false;
	struct frame *f = &g->frames[g->nframes - 1];
	memset(f, 0, sizeof(*f));
	gdbframe_fill(g->d, f, &gf);
	g->last_open = gf.args_open;
	return true;
}

static void crash_line(struct gdbtext *g, struct span x, bool terminated)
{
	struct span y = span_drop(x, (size_t)span_find(x, "signal ") + 7);
	size_t n = 0;
	while (n < y.len && y.s[n] != ',' && y.s[n] != '.' && y.s[n] != ' ')
		n++;
	char name[32];
	snprintf(name, sizeof(name), "%.*s", (int)n, y.s);
	int signo = name[0] >= '0' && name[0] <= '9' ? atoi(name) : signal_number(name);
	const char *sig = signo > 0 ? signal_name(signo) : NULL;
	static const char *const fatal[] = { "SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGABRT", "SIGSYS" };
	bool is_fatal = terminated;
	for (size_t i = 0; !is_fatal && sig && i < sizeof(fatal) / sizeof(fatal[0]); i++)
		is_fatal = !strcmp(sig, fatal[i]);
	if (!is_fatal)
		return;
	struct crash *c = dump_crash(g->d);
	c->signal = sig ? sig : dump_strdup(g->d, name);
	c->signo = signo > 0 ? signo : 0;
	struct span desc = span_trim(span_drop(y, n + 1));
	if (desc.len && desc.s[desc.len - 1] == '.')
		desc.len--;
	if (desc.len)
		c->reason = dump_strndup(g->d, desc.s, desc.len);
	g->crash_seen = true;
}

static void core_line(struct gdbtext *g, struct span x)
{
	struct span y = span_drop(x, strlen("Core was generated by `"));
	long end = span_find(y, "'");
	if (end >= 0)
		y.len = (size_t)end;
	struct dump *d = g->d;
	d->process.cmdline = dump_strndup(d, y.s, y.len);
	struct span w = span_word(&y);
	d->process.executable = dump_strndup(d, w.s, w.len);
}

/* "  26   Thread 0x… (LWP 71) "name" 0x… in poll () at …" */
static bool info_threads_row(struct gdbtext *g, struct span t)
{
	bool current = span_starts(t, "* ");
	if (current)
		t = span_skip_ws(span_drop(t, 2));
	uint64_t number;
	if (!t.len || t.s[0] < '0' || t.s[0] > '9' || !span_number(&t, &number))
		return false;
	struct gdbthread th;
	if (!gdbframe_target_id(t, &th))
		return false;
	th.number = number;
	select_thread(g, &th, false);
	struct gdbframe gf;
	memset(&gf, 0, sizeof(gf));
	gdbframe_scan_body(th.rest, &gf);
	if (g->thread && !g->nframes)
		add_frame(g, &gf, th.rest);
	if (current && th.lwp >= 0)
		g->current_lwp = th.lwp;
	finish_thread(g);
	return true;
}

/* "0x… 0x… Yes (*) /lib/x.so" rows of `info sharedlibrary`. */
static bool module_row(struct gdbtext *g, struct span t)
{
	uint64_t from, to;
	struct span w1 = span_word(&t), w2 = span_word(&t);
	if (!span_hex(&w1, &from) || !span_hex(&w2, &to))
		return false;
	struct span read = span_word(&t);
	if (!span_eq(read, "Yes") && !span_eq(read, "No"))
		return false;
	t = span_skip_ws(t);
	bool no_debug = span_starts(t, "(*)");
	if (no_debug)
		t = span_skip_ws(span_drop(t, 3));
	t = span_trim(t);
	if (!t.len || g->d->snapshot_frozen)
		return true;
	struct module *m = dump_add_module(g->d);
	m->path = dump_strndup(g->d, t.s, t.len);
	m->name = path_basename(m->path);
	m->start = from;
	m->end = to;
	m->debug_info = span_eq(read, "Yes") && !no_debug;
	return true;
}

static void prompt_command(struct gdbtext *g, struct span cmd)
{
	struct span w = span_word(&cmd);
	g->print_expr = (struct span){ cmd.s, 0 };
	g->frame_command = span_eq(w, "frame") || span_eq(w, "f") || span_eq(w, "up") ||
			   span_eq(w, "down") || span_eq(w, "select-frame");
	if (span_eq(w, "p") || span_eq(w, "print") || span_starts(w, "p/") || span_starts(w, "print/")) {
		g->print_expr = span_trim(cmd);
	} else if (span_eq(w, "bt") || span_eq(w, "backtrace") || span_eq(w, "where")) {
		g->replace_frames = g->thread != NULL;
	} else if (span_eq(w, "info") && span_starts(span_skip_ws(cmd), "threads")) {
		finish_thread(g);
		g->in_info_threads = true;
	} else if (span_eq(w, "thread") && span_starts(span_skip_ws(cmd), "apply")) {
		if (g->snapshot_threads)
			gdbtext_marker(g, -1);
	}
}

/* "$1 = {__data = {__lock = 2, __count = 0, __owner = 10192, …" after `p EXPR`. */
static bool value_line(struct gdbtext *g, struct span t)
{
	if (!span_starts(t, "$"))
		return false;
	struct span y = span_drop(t, 1);
	uint64_t n;
	if (!span_number(&y, &n) || !span_starts(y, " = "))
		return false;
	long at = span_find(y, "__owner = ");
	size_t skip = strlen("__owner = ");
	if (at < 0) {
		at = span_find(y, "__cur_writer = ");
		skip = strlen("__cur_writer = ");
	}
	struct span v = span_drop(y, (size_t)(at >= 0 ? at : 0) + skip);
	uint64_t owner;
	if (at >= 0 && g->print_expr.len && span_number(&v, &owner) && owner) {
		struct gdbtext_owner *o = arena_alloc(g->d->arena, sizeof(*o));
		*o = (struct gdbtext_owner){ g->print_expr, (int64_t)owner, g->thread, g->owners };
		g->owners = o;
	}
	g->print_expr.len = 0;
	return true;
}

/* The identifier at the end of EXPR ("*mutex", "&lock_a", "*(pthread_mutex_t *) &m"). */
static struct span last_identifier(struct span e)
{
	size_t end = e.len;
	while (end > 0 && (e.s[end - 1] == ')' || e.s[end - 1] == ' '))
		end--;
	size_t start = end;
	while (start > 0 && (e.s[start - 1] == '_' || (e.s[start - 1] >= 'a' && e.s[start - 1] <= 'z') ||
			     (e.s[start - 1] >= 'A' && e.s[start - 1] <= 'Z') ||
			     (e.s[start - 1] >= '0' && e.s[start - 1] <= '9')))
		start--;
	return (struct span){ e.s + start, end - start };
}

/* The lock a printed expression names: an address, a lock's symbol, or the waiting frame's argument. */
static struct lock *printed_lock(struct gdbtext *g, const struct gdbtext_owner *o, bool *inferred)
{
	struct dump *d = g->d;
	*inferred = false;
	long hex = span_find(o->expr, "0x");
	if (hex >= 0) {
		struct span y = span_drop(o->expr, (size_t)hex);
		uint64_t addr;
		if (!span_hex(&y, &addr))
			return NULL;
		struct lock *l = dump_find_lock(d, dump_printf(d, "0x%llx", (unsigned long long)addr));
		if (!l) {
			l = dump_lock(d, dump_printf(d, "0x%llx", (unsigned long long)addr), LOCK_PTHREAD_MUTEX);
			l->addr = addr;
		}
		return l;
	}
	struct span id = last_identifier(o->expr);
	for (size_t i = 0; id.len && i < d->nlocks; i++)
		if (d->locks[i]->label && span_eq(id, d->locks[i]->label))
			return d->locks[i];
	/* `p *mutex` in the lock call's frame: the lock that thread waits on */
	if ((span_eq(id, "mutex") || span_eq(id, "rwlock") || span_eq(id, "futex")) && o->thread &&
	    o->thread->waiting_on && dump_find_thread(d, o->thread->id) == o->thread) {
		*inferred = true;
		return o->thread->waiting_on;
	}
	return NULL;
}

static void resolve_owners(struct gdbtext *g)
{
	struct dump *d = g->d;
	if (d->snapshot_frozen && !d->nthreads)
		return;
	for (const struct gdbtext_owner *o = g->owners; o; o = o->next) {
		bool inferred;
		struct lock *l = printed_lock(g, o, &inferred);
		struct thread *t = dump_find_tid(d, o->owner);
		if (!l || !t || l->owner)
			continue;
		thread_hold(d, t, l);
		if (inferred) {
			l->owner_inferred = true;
			dump_warn(d, "lock %s: owner %s inferred from `p %.*s` printed in thread %s's lock call",
				  l->id, t->id, (int)o->expr.len, o->expr.s, o->thread->id);
		}
	}
}

static bool bracket_line(struct gdbtext *g, struct span t)
{
	struct gdbthread th;
	if (span_starts(t, "[Switching to thread ")) {
		struct span y = span_drop(t, strlen("[Switching to thread "));
		uint64_t number;
		if (span_number(&y, &number) && span_starts(y, " (") &&
		    gdbframe_target_id(span_drop(y, 2), &th)) {
			th.number = number;
			select_thread(g, &th, false);
			g->last_no = -1;
		}
		return true;
	}
	if (span_starts(t, "[Switching to Thread ") || span_starts(t, "[Switching to LWP ")) {
		/* where a running program stopped: its current thread */
		if (gdbframe_target_id(span_drop(t, strlen("[Switching to ")), &th))
			g->current_lwp = th.lwp;
		return true;
	}
	if (span_starts(t, "[Current thread is ")) {
		struct span y = span_drop(t, strlen("[Current thread is "));
		uint64_t number;
		if (span_number(&y, &number) && span_starts(y, " (") &&
		    gdbframe_target_id(span_drop(y, 2), &th))
			g->current_lwp = th.lwp;
		return true;
	}
	return span_starts(t, "[New ") || span_starts(t, "[Thread ") || span_starts(t, "[Inferior ");
}

void gdbtext_line(struct gdbtext *g, struct span x)
{
	g->at_cut = g->cut_end && x.s + x.len + 1 >= g->cut_end && x.s < g->cut_end;
	struct span t = span_skip_ws(x);
	bool indented = t.s != x.s;
	while (span_starts(t, "(gdb) ") || span_eq(t, "(gdb)")) {
		g->interactive = true;
		t = span_skip_ws(span_drop(t, 5));
		if (t.len && t.s[0] != '#' && !span_starts(t, "[")) {
			prompt_command(g, t);
			return;
		}
	}
	if (!t.len) {
		g->in_info_threads = g->in_modules = false;
		return;
	}
	t = span_trim(t);
	if (t.s[0] == '#' && t.len > 1 && t.s[1] >= '0' && t.s[1] <= '9') {
		if (!g->frame_command)
			frame_line(g, t);
		return;
	}
	struct gdbthread th;
	if ((t.s[0] == 'T' && span_find(t, " received signal ") > 0) ||
	    span_starts(t, "received signal ") || span_find(t, "\" received signal ") >= 0) {
		/* Thread 2 "name" received signal SIGSEGV, …, or a paste that cut its start */
		crash_line(g, t, false);
		return;
	}
	if (t.s[0] == 'T' && gdbframe_thread_header(t, &th)) {
		g->orphan = false;
		select_thread(g, &th, true);
		g->headers = true;
		g->last_no = -1;
		g->replace_frames = false;
		return;
	}
	if (indented && continuation(g, t))
		return;
	if (g->last_open && continuation(g, t))
		return;
	if (t.s[0] == '[' && bracket_line(g, t))
		return;
	if (t.s[0] == '$' && value_line(g, t))
		return;
	if (g->in_info_threads && info_threads_row(g, t))
		return;
	if (g->in_modules && module_row(g, t))
		return;
	if (span_starts(t, "Id ") && span_find(t, "Target Id") > 0) {
		finish_thread(g);
		g->in_info_threads = true;
	} else if (span_starts(t, "From ") && span_find(t, "Shared Object Library") > 0) {
		finish_thread(g);
		g->in_modules = true;
	} else if (span_starts(t, "Program terminated with signal ")) {
		crash_line(g, t, true);
	} else if (span_starts(t, "Program received signal ")) {
		crash_line(g, t, false);
	} else if (span_starts(t, "Core was generated by `")) {
		core_line(g, t);
		g->core_seen = true;
	} else if (span_starts(t, "Backtrace stopped: ") && g->thread && !g->d->snapshot_frozen) {
		g->thread->frames_truncated = true;
		dump_warn(g->d, "thread %s: %.*s", g->thread->id, (int)t.len, t.s);
	}
}

static void resolve_crash_thread(struct gdbtext *g)
{
	struct dump *d = g->d;
	if (d->crash && d->crash->thread &&
	    dump_find_thread(d, d->crash->thread->id) != d->crash->thread) {
		/* named in an earlier listing: the same thread in the reported one */
		d->crash->thread = dump_find_thread(d, d->crash->thread->id);
		if (d->crash->thread)
			d->crash->thread->crashed = true;
	}
	if (!d->crash || d->crash->thread || !d->nthreads)
		return;
	struct thread *t = g->current_lwp >= 0 ? dump_find_tid(d, g->current_lwp) : NULL;
	for (size_t i = 0; !t && g->has_crash_pc && i < d->nthreads; i++)
		if (d->threads[i]->nframes && d->threads[i]->frames[0].has_pc &&
		    d->threads[i]->frames[0].pc == g->crash_pc)
			t = d->threads[i];
	if (!t && g->thread_one)
		t = dump_find_thread(d, g->thread_one);
	if (!t && d->nthreads == 1)
		t = d->threads[0];
	if (t) {
		t->crashed = true;
		d->crash->thread = t;
	}
}

void gdbtext_finish(struct gdbtext *g)
{
	struct thread *last = g->thread;
	if (!g->d->nthreads && g->pending.len) {
		struct gdbframe gf;
		if (gdbframe_scan(g->pending, &gf)) {
			anonymous_thread(g);
			add_frame(g, &gf, g->pending);
			last = g->thread;
		}
	}
	finish_thread(g);
	if (!g->d->input.snapshots)
		dump_snapshot_begin(g->d);
	resolve_crash_thread(g);
	waitlock_resolve_joins(g->d);
	resolve_owners(g);
	if (g->cut_end)
		gdbframe_note_truncation(g->d, last);
	strbuf_release(&g->joined);
	free(g->frames);
	hashmap_clear(&g->memo_by_line);
	while (g->memos) {
		struct gdbtext_memo *m = g->memos;
		g->memos = m->all;
		free(m);
	}
}
