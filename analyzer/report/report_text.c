/*
 * The text report, read top to bottom: what the input is, the findings,
 * the crash; then the threads that matter in full (crashed, in a cycle,
 * named by a finding, blocked behind those), every other thread folded by
 * stack into one line per group, and the threads by state. Runs of
 * repeated frames fold into one line; system frames are shortened. With
 * REPORT_ALL, every thread in full in dump order.
 */
#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/hashmap.h"
#include "analyzer/lib/ptrmemo.h"
#include "analyzer/lib/path.h"
#include "analyzer/lib/termsafe.h"
#include "analyzer/lib/xalloc.h"
#include "analyzer/report/fold.h"
#include "analyzer/report/report.h"

struct palette {
	const char *reset, *bold, *dim, *red, *yellow, *green, *cyan, *magenta;
};

static const struct palette colors = { "\033[0m", "\033[1m", "\033[2m", "\033[31m",
				       "\033[33m", "\033[32m", "\033[36m", "\033[35m" };
static const struct palette plain = { "", "", "", "", "", "", "", "" };

/*
 * Text that came from the input (names, paths, frames, messages) enters
 * the report only through put() and put_n(): the one place to make it safe
 * for a terminal.
 */
static void put_n(struct strbuf *out, const char *s, size_t n)
{
	strbuf_add(out, s, n);
}

static void put(struct strbuf *out, const char *s)
{
	if (s)
		put_n(out, s, strlen(s));
}

/* Text built from the input in a scratch buffer (frame_describe, thread_label...), then put. */
static void put_buf(struct strbuf *out, struct strbuf *scratch)
{
	put_n(out, scratch->buf, scratch->len);
	strbuf_reset(scratch);
}

/* Why a thread is printed in full: marks, most telling first. */
enum {
	WHY_CRASHED = 1,
	WHY_CYCLE = 2,
	WHY_FINDING = 4,
	WHY_BEHIND = 8,
};

struct text {
	const struct dump *d;
	struct strbuf *out;
	const struct palette *p;
	unsigned flags;
	FILE *to;                 /* with TO, OUT is written there whenever it passes 1 MiB */
	int rc;
	struct strbuf scratch;
	/* the frame lines of shared stacks, each rendered once (a pool of 1,000 threads has one) */
	struct strbuf memo_text;  /* the blocks, each after its length (a size_t) */
	struct hashmap memo_at;   /* frames array -> where its length is in memo_text */
	/* per thread, by index: why it is shown in full (0: folded), and for WHY_* its finding */
	unsigned *why;
	const struct finding **why_finding;
	const struct thread **behind; /* WHY_BEHIND: the thread it waits behind */
};

#define TEXT_FLUSH_AT (1 << 20)

/*
 * Writes what the renderer built to TO, every control character and escape
 * sequence that came from the input shown escaped (analyzer/lib/termsafe.h):
 * the only bytes that reach the terminal raw are newlines, tabs and, with
 * COLOR, the palette's own codes.
 */
static int write_safe(FILE *to, const struct strbuf *text, bool color)
{
	unsigned keep = TERMSAFE_LINES | (color ? TERMSAFE_COLOR : 0);
	if (termsafe_clean(text->buf, text->len, keep))
		return fwrite(text->buf, 1, text->len, to) == text->len ? 0 : -1;
	struct strbuf safe = STRBUF_INIT;
	termsafe_add(&safe, text->buf, text->len, keep);
	int rc = fwrite(safe.buf, 1, safe.len, to) == safe.len ? 0 : -1;
	strbuf_release(&safe);
	return rc;
}

static void flush(struct text *x)
{
	if (!x->to || x->out->len <= TEXT_FLUSH_AT)
		return;
	if (!x->rc && write_safe(x->to, x->out, x->flags & REPORT_COLOR) < 0)
		x->rc = -1;
	strbuf_reset(x->out);
}

static const char *severity_color(const struct palette *p, enum severity s)
{
	switch (s) {
	case SEV_CRITICAL:
	case SEV_HIGH:
		return p->red;
	case SEV_MEDIUM:
		return p->yellow;
	default:
		return p->cyan;
	}
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* ---- header, findings, crash ---- */

static void text_process(struct text *x)
{
	const struct dump *d = x->d;
	struct strbuf *out = x->out;
	strbuf_adds(out, x->p->bold);
	put(out, d->input.path);
	strbuf_addf(out, "%s: ", x->p->reset);
	put(out, d->input.format ? d->input.format : "?");
	if (d->input.snapshots > 1)
		strbuf_addf(out, ", %d snapshots", d->input.snapshots);
	if (d->process.pid >= 0)
		strbuf_addf(out, ", pid %lld", (long long)d->process.pid);
	if (d->process.executable) {
		strbuf_adds(out, ", ");
		put(out, d->process.executable);
	}
	if (d->process.runtime_version) {
		strbuf_adds(out, ", ");
		put(out, d->process.runtime_version);
	}
	strbuf_addf(out, ", %zu %s\n", d->nthreads, plural(d->nthreads, "thread", "threads"));
	if (d->process.cmdline) {
		strbuf_adds(out, "  cmdline: ");
		put(out, d->process.cmdline);
		strbuf_addch(out, '\n');
	}
	if (d->signature) {
		strbuf_adds(out, "  signature: ");
		put(out, d->signature);
		strbuf_adds(out, "\n  bucket: ");
		put(out, d->bucket ? d->bucket : "-");
		strbuf_addch(out, '\n');
	}
	for (size_t i = 0; i < d->input.nwarnings; i++) {
		strbuf_addf(out, "  %swarning:%s ", x->p->yellow, x->p->reset);
		put(out, d->input.warnings[i]);
		strbuf_addch(out, '\n');
	}
	strbuf_addch(out, '\n');
}

static void text_findings(struct text *x)
{
	const struct dump *d = x->d;
	const struct palette *p = x->p;
	struct strbuf *out = x->out;
	if (!d->nfindings)
		return;
	strbuf_addf(out, "%sFindings%s\n", p->bold, p->reset);
	for (size_t i = 0; i < d->nfindings; i++) {
		const struct finding *f = d->findings[i];
		strbuf_addf(out, "  %s%s[%s]%s %s", severity_color(p, f->severity), p->bold,
			    severity_name(f->severity), p->reset, p->bold);
		put(out, f->title);
		strbuf_addf(out, "%s (", p->reset);
		put(out, f->id);
		strbuf_addf(out, ", %s)\n", confidence_name(f->confidence));
		/* indent every line of a multi-line summary */
		for (const char *s = f->summary; s && *s;) {
			const char *nl = strchr(s, '\n');
			size_t n = nl ? (size_t)(nl - s) : strlen(s);
			strbuf_adds(out, "    ");
			put_n(out, s, n);
			strbuf_addch(out, '\n');
			s += n + (nl != NULL);
		}
		if (f->nthreads) {
			strbuf_adds(out, "    threads:");
			for (size_t k = 0; k < f->nthreads; k++) {
				strbuf_addch(out, ' ');
				put(out, f->threads[k]->id);
			}
			strbuf_addch(out, '\n');
		}
		if (f->advice) {
			strbuf_addf(out, "    %sadvice:%s ", p->green, p->reset);
			put(out, f->advice);
			strbuf_addch(out, '\n');
		}
	}
	strbuf_addch(out, '\n');
}

static void crash_field(struct text *x, const char *label, const char *value)
{
	if (!value)
		return;
	strbuf_addf(x->out, "  %-9s", label);
	put(x->out, value);
	strbuf_addch(x->out, '\n');
}

static void text_crash(struct text *x)
{
	const struct crash *c = x->d->crash;
	const struct palette *p = x->p;
	struct strbuf *out = x->out;
	if (!c)
		return;
	strbuf_addf(out, "%sCrash%s\n", p->bold, p->reset);
	if (c->signal || c->signo) {
		strbuf_addf(out, "  signal:  %s", p->red);
		put(out, c->signal ? c->signal : "?");
		strbuf_adds(out, p->reset);
		if (c->signo)
			strbuf_addf(out, " (%d)", c->signo);
		if (c->code) {
			strbuf_addch(out, ' ');
			put(out, c->code);
		}
		if (c->has_address)
			strbuf_addf(out, " at 0x%llx", (unsigned long long)c->address);
		strbuf_addch(out, '\n');
	}
	crash_field(x, "reason:", c->reason);
	if (c->thread) {
		thread_label(c->thread, &x->scratch);
		crash_field(x, "thread:", x->scratch.buf);
		strbuf_reset(&x->scratch);
	}
	crash_field(x, "frame:", c->frame);
	crash_field(x, "message:", c->abort_message);
	if (c->has_errno)
		strbuf_addf(out, "  errno:   %d\n", c->err_no);
	strbuf_addch(out, '\n');
}

/* ---- frames ---- */

/* A frame of the user's code, whole: "#5   0x... worker+0x6d (prog+0x2414) at /src/pool.cpp:42". */
static void frame_whole(struct text *x, size_t i, const struct frame *f, struct strbuf *out)
{
	const struct palette *p = x->p;
	strbuf_addf(out, "  #%-3zu ", i);
	if (f->has_pc)
		strbuf_addf(out, "%s0x%016llx%s ", p->dim, (unsigned long long)f->pc, p->reset);
	frame_describe(f, &x->scratch);
	put_buf(out, &x->scratch);
}

/* A system frame, short and dim: "#3   pthread_cond_wait (libc.so.6) at pthread_cond_wait.c:618". */
static void frame_short(struct text *x, size_t i, const struct frame *f, struct strbuf *out)
{
	strbuf_addf(out, "  %s#%-3zu ", x->p->dim, i);
	if (f->function && strpbrk(f->function, "(<"))
		frame_normalize(f, &x->scratch); /* C++: no parameters, no template arguments */
	else if (f->function)
		strbuf_adds(&x->scratch, f->function);
	put(out, x->scratch.len ? x->scratch.buf : "??");
	strbuf_reset(&x->scratch);
	if (f->module) {
		strbuf_adds(out, " (");
		put(out, path_basename(f->module));
		if (!f->function && f->has_module_offset) /* the only name it has */
			strbuf_addf(out, "+0x%llx", (unsigned long long)f->module_offset);
		strbuf_addch(out, ')');
	}
	if (f->file) {
		strbuf_adds(out, " at ");
		put(out, path_basename(f->file));
		if (f->line > 0)
			strbuf_addf(out, ":%d", f->line);
	}
	strbuf_adds(out, x->p->reset);
}

static void frame_line(struct text *x, size_t i, const struct frame *f, struct strbuf *out)
{
	if ((x->flags & REPORT_ALL) || fold_in_app(f))
		frame_whole(x, i, f, out);
	else
		frame_short(x, i, f, out);
	const char *tag = frame_kind_tag(f->kind);
	if (tag)
		strbuf_addf(out, " %s[%s]%s", x->p->cyan, tag, x->p->reset);
	strbuf_addch(out, '\n');
}

/* The middle of a run of repeats in one line: "#2–#2046  recurse overflow.c:8  ×2045". */
static void fold_line(struct text *x, const struct thread *t, const struct fold_run *r, struct strbuf *out)
{
	size_t first = r->start + r->period, last = r->start + r->len - r->period - 1;
	strbuf_addf(out, "  %s#%zu–#%zu%s  ", x->p->magenta, first, last, x->p->reset);
	for (size_t k = 0; k < r->period; k++) {
		if (k)
			strbuf_adds(out, " < ");
		fold_frame_brief(&t->frames[r->start + k], &x->scratch);
		put_buf(out, &x->scratch);
	}
	size_t folded = r->count - 2;
	if (r->period == 1)
		strbuf_addf(out, "  %s×%zu%s\n", x->p->magenta, folded, x->p->reset);
	else
		strbuf_addf(out, "  %s×%zu%s (%zu frames each)\n", x->p->magenta, folded, x->p->reset,
			    r->period);
}

static void text_frames(struct text *x, const struct thread *t, struct strbuf *out)
{
	for (size_t i = 0; i < t->nframes;) {
		struct fold_run r;
		if ((x->flags & REPORT_ALL) || !fold_run_at(t, i, &r)) {
			frame_line(x, i, &t->frames[i], out);
			i++;
			continue;
		}
		/* the first and the last repeat whole, the ones between in one line */
		for (size_t k = 0; k < r.period; k++)
			frame_line(x, i + k, &t->frames[i + k], out);
		fold_line(x, t, &r, out);
		for (size_t k = r.len - r.period; k < r.len; k++)
			frame_line(x, i + k, &t->frames[i + k], out);
		i += r.len;
	}
}

static void text_shared_frames(struct text *x, const struct thread *t)
{
	size_t at, len;
	if (!hashmap_get_ptr(&x->memo_at, t->frames, &at)) {
		struct strbuf block = STRBUF_INIT;
		text_frames(x, t, &block);
		at = x->memo_text.len;
		strbuf_add(&x->memo_text, &block.len, sizeof(block.len));
		strbuf_add(&x->memo_text, block.buf, block.len);
		hashmap_put_ptr(&x->memo_at, t->frames, at);
		strbuf_release(&block);
	}
	memcpy(&len, x->memo_text.buf + at, sizeof(len));
	strbuf_add(x->out, x->memo_text.buf + at + sizeof(len), len);
}

/* ---- one thread in full ---- */

static void lock_text(struct text *x, const struct lock *l)
{
	put(x->out, lock_kind_name(l->kind));
	strbuf_addch(x->out, ' ');
	put(x->out, l->id);
	if (l->label) {
		strbuf_adds(x->out, " (");
		put(x->out, l->label);
		strbuf_addch(x->out, ')');
	}
}

/* Why T is here, after its name: "(crashed)", "(in a lock cycle)", "(blocked behind 13608)". */
static void thread_reason(struct text *x, const struct thread *t)
{
	const struct palette *p = x->p;
	struct strbuf *out = x->out;
	unsigned why = x->why ? x->why[t->index] : 0;
	if (t->crashed || (why & WHY_CRASHED))
		strbuf_addf(out, " %s(crashed)%s", p->red, p->reset);
	else if (why & WHY_CYCLE)
		strbuf_addf(out, " %s(in a lock cycle)%s", p->red, p->reset);
	else if (why & WHY_FINDING) {
		strbuf_addf(out, " %s(", p->yellow);
		put(out, x->why_finding[t->index]->id);
		strbuf_addf(out, ")%s", p->reset);
	} else if (why & WHY_BEHIND) {
		strbuf_addf(out, " %s(blocked behind ", p->magenta);
		put(out, x->behind[t->index]->id);
		strbuf_addf(out, ")%s", p->reset);
	}
}

static void thread_head(struct text *x, const struct thread *t)
{
	const struct palette *p = x->p;
	struct strbuf *out = x->out;
	strbuf_addf(out, "%sThread ", t->crashed ? p->red : p->bold);
	put(out, t->id);
	strbuf_adds(out, p->reset);
	if (t->name) {
		strbuf_adds(out, " \"");
		put(out, t->name);
		strbuf_addch(out, '"');
	}
	if (t->state) {
		strbuf_addf(out, " %s", p->dim);
		put(out, t->state);
		strbuf_adds(out, p->reset);
	}
	thread_reason(x, t);
	strbuf_addch(out, '\n');
}

static void thread_locks(struct text *x, const struct thread *t)
{
	const struct palette *p = x->p;
	struct strbuf *out = x->out;
	if (t->waiting_on) {
		const struct lock *l = t->waiting_on;
		strbuf_addf(out, "  %swaiting on%s ", p->magenta, p->reset);
		lock_text(x, l);
		if (l->owner) {
			strbuf_adds(out, " held by ");
			put(out, l->owner->id);
		}
		strbuf_addch(out, '\n');
	}
	for (size_t i = 0; i < t->nholds; i++) {
		strbuf_addf(out, "  %sholds%s ", p->magenta, p->reset);
		lock_text(x, t->holds[i]);
		strbuf_addch(out, '\n');
	}
}

static void text_thread(struct text *x, const struct thread *t)
{
	thread_head(x, t);
	thread_locks(x, t);
	if (t->frames_shared)
		text_shared_frames(x, t);
	else
		text_frames(x, t, x->out);
	if (t->frames_truncated)
		strbuf_addf(x->out, "  %s... (stack cut short)%s\n", x->p->dim, x->p->reset);
	strbuf_addch(x->out, '\n');
	flush(x);
}

/* ---- which threads matter ---- */

static bool finding_is_cycle(const struct finding *f)
{
	return !strcmp(f->id, "lock-cycle") || !strcmp(f->id, "unwinder-loader-deadlock");
}

/* Appends T to ORDER with reason WHY, once. */
static void pick(struct text *x, const struct thread **order, size_t *n, const struct thread *t,
		 unsigned why, const struct finding *f)
{
	if (x->why[t->index])
		return;
	x->why[t->index] = why;
	x->why_finding[t->index] = f;
	order[(*n)++] = t;
}

/*
 * The threads that matter, most telling first: crashed, in a lock cycle,
 * named by a finding, then those blocked behind any of them (waiting on a
 * lock one of them holds, and so on; at most MAX_BEHIND: a lock with
 * thousands of waiters leaves the rest to the folded list). Returns how
 * many, in ORDER.
 */
#define MAX_BEHIND 64
static size_t threads_that_matter(struct text *x, const struct thread **order)
{
	const struct dump *d = x->d;
	size_t n = 0;
	if (d->crash && d->crash->thread)
		pick(x, order, &n, d->crash->thread, WHY_CRASHED, NULL);
	for (size_t i = 0; i < d->nthreads; i++)
		if (d->threads[i]->crashed)
			pick(x, order, &n, d->threads[i], WHY_CRASHED, NULL);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < d->nfindings; i++) {
			const struct finding *f = d->findings[i];
			if (finding_is_cycle(f) != !pass)
				continue;
			for (size_t k = 0; k < f->nthreads; k++)
				pick(x, order, &n, f->threads[k], pass ? WHY_FINDING : WHY_CYCLE, f);
		}
	size_t behind = 0;
	for (bool more = true; more && behind < MAX_BEHIND;) { /* until no thread is added: chains too */
		more = false;
		for (size_t i = 0; i < d->nthreads && behind < MAX_BEHIND; i++) {
			const struct thread *t = d->threads[i];
			const struct lock *l = t->waiting_on;
			if (x->why[i] || !l || !l->owner || l->owner->index >= d->nthreads ||
			    !x->why[l->owner->index])
				continue;
			x->behind[i] = l->owner;
			pick(x, order, &n, t, WHY_BEHIND, NULL);
			behind++;
			more = true;
		}
	}
	return n;
}

/* Whether T may be folded into an earlier thread of the same stack among those in full. */
static bool foldable_in_full(const struct text *x, const struct thread *t)
{
	return !(x->why[t->index] & (WHY_CRASHED | WHY_CYCLE)) && !t->crashed && !t->nholds;
}

/* Thread ids after a label, wrapped; at most LIST_IDS of them. */
#define LIST_IDS 100
static void id_list(struct text *x, const char *indent, const struct thread *const *ts, size_t n)
{
	struct strbuf *out = x->out;
	size_t col = 0;
	for (size_t i = 0; i < n && i < LIST_IDS; i++) {
		if (col == 0 || col + strlen(ts[i]->id) > 96) {
			if (col)
				strbuf_addch(out, '\n');
			strbuf_adds(out, indent);
			col = strlen(indent);
		} else {
			strbuf_addch(out, ' ');
			col++;
		}
		put(out, ts[i]->id);
		col += strlen(ts[i]->id);
	}
	if (n > LIST_IDS)
		strbuf_addf(out, " and %zu more", n - LIST_IDS);
	strbuf_addch(out, '\n');
}

/* ---- groups of threads with one stack ---- */

struct group {
	const struct thread **members;
	size_t n, alloc;
};

struct group_ctx {
	const struct thread *t;
	bool by_lock;             /* members also wait on the same lock */
};

/* The index's keys are each group's first member. */
static bool group_eq(const void *key, const void *ctx)
{
	const struct thread *first = key;
	const struct group_ctx *c = ctx;
	return (!c->by_lock || first->waiting_on == c->t->waiting_on) && fold_same_stack(first, c->t);
}

/* A thread's stack hash (fold.h), as thread_frames_ask's answer. */
static size_t stack_hash(const struct thread *t)
{
	return (size_t)fold_stack_hash(t);
}

/*
 * THREADS (N of them) grouped by stack, in order of first appearance (with
 * BY_LOCK, by stack and the lock waited on). Returns the groups; the caller
 * frees each members array and the array.
 */
static struct group *group_threads(const struct thread *const *threads, size_t n, bool by_lock,
				   size_t *ngroups)
{
	struct hashmap index = HASHMAP_INIT; /* first member -> group number + 1 */
	struct ptrmemo hashes = PTRMEMO_INIT; /* a shared frames array (a pool's) -> its stack hash */
	struct group *groups = NULL;
	size_t ng = 0, alloc = 0;
	for (size_t i = 0; i < n; i++) {
		struct group_ctx c = { threads[i], by_lock };
		size_t sh = thread_frames_ask(&hashes, c.t, stack_hash);
		uint64_t h = (uint64_t)sh ^ (by_lock ? hash_ptr(c.t->waiting_on) : 0);
		hashmap_reserve(&index);
		struct hashmap_slot *s = hashmap_probe(&index, h, group_eq, &c);
		if (!s->key) {
			ALLOC_GROW(groups, ng + 1, alloc);
			memset(&groups[ng], 0, sizeof(groups[ng]));
			hashmap_fill(&index, s, h, c.t);
			s->value = (void *)(uintptr_t)++ng;
		}
		struct group *g = &groups[(uintptr_t)s->value - 1];
		ALLOC_GROW(g->members, g->n + 1, g->alloc);
		g->members[g->n++] = c.t;
	}
	hashmap_clear(&index);
	ptrmemo_release(&hashes);
	*ngroups = ng;
	return groups;
}

static void groups_free(struct group *groups, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(groups[i].members);
	free(groups);
}

/* ---- the parts of the report ---- */

/* The threads that matter in full; threads of one stack waiting on one lock once, with the others' ids. */
static void text_threads_in_full(struct text *x, const struct thread **order, size_t n)
{
	size_t ng;
	struct group *groups = group_threads(order, n, true, &ng);
	strbuf_addf(x->out, "%sThreads to read first%s (%zu of %zu)\n\n", x->p->bold, x->p->reset, n,
		    x->d->nthreads);
	for (size_t i = 0; i < ng; i++) {
		struct group *g = &groups[i];
		size_t k = 0;
		while (k < g->n) { /* the first of each run that may not fold, whole */
			text_thread(x, g->members[k]);
			size_t more = 0;
			while (k + 1 + more < g->n && foldable_in_full(x, g->members[k]) &&
			       foldable_in_full(x, g->members[k + 1 + more]))
				more++;
			if (more) {
				strbuf_addf(x->out, "  %zu more %s with this stack%s:\n", more,
					    plural(more, "thread", "threads"),
					    g->members[k]->waiting_on ? ", waiting on the same lock" : "");
				id_list(x, "    ", g->members + k + 1, more);
				strbuf_addch(x->out, '\n');
			}
			k += 1 + more;
		}
	}
	groups_free(groups, ng);
}

/* One line per group: "8 threads like 13598 "worker": pthread_cond_wait < worker pool.cpp:42", then the ids. */
static void text_group_line(struct text *x, const struct group *g)
{
	const struct thread *first = g->members[0];
	struct strbuf *out = x->out;
	if (g->n > 1)
		strbuf_addf(out, "  %s%zu threads%s like ", x->p->bold, g->n, x->p->reset);
	else
		strbuf_adds(out, "  ");
	thread_label(first, &x->scratch);
	put_buf(out, &x->scratch);
	strbuf_adds(out, ": ");
	fold_thread_brief(first, &x->scratch);
	put_buf(out, &x->scratch);
	strbuf_addch(out, '\n');
	if (g->n > 1)
		id_list(x, "      ", g->members, g->n);
	flush(x);
}

static int cmp_groups(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return (x->members[0]->index > y->members[0]->index) - (x->members[0]->index < y->members[0]->index);
}

/* Every thread not in full, folded by stack, biggest group first. */
static void text_threads_folded(struct text *x, const struct thread **rest, size_t n, bool after_full)
{
	if (!n)
		return;
	size_t ng;
	struct group *groups = group_threads(rest, n, false, &ng);
	qsort(groups, ng, sizeof(*groups), cmp_groups);
	strbuf_addf(x->out, "%s%s threads%s (%zu), folded by stack; report --all prints each in full\n",
		    x->p->bold, after_full ? "Other" : "All", x->p->reset, n);
	for (size_t i = 0; i < ng; i++)
		text_group_line(x, &groups[i]);
	strbuf_addch(x->out, '\n');
	groups_free(groups, ng);
}

struct state_count {
	const char *word;
	size_t n;
};

static int cmp_states(const void *a, const void *b)
{
	const struct state_count *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->word, y->word);
}

/* "Threads by state: 9 runnable, 6 waiting, 1 blocked" (nothing when no thread has a state). */
static void text_states(struct text *x)
{
	const struct dump *d = x->d;
	struct hashmap index = HASHMAP_INIT; /* word -> position + 1 */
	struct hashmap seen = HASHMAP_INIT;  /* a state string (interned: a few) -> position + 1, 0: none */
	struct state_count *counts = NULL;
	size_t n = 0, alloc = 0, unknown = 0;
	for (size_t i = 0; i < d->nthreads; i++) {
		const char *state = d->threads[i]->state;
		size_t at = 0;
		if (!state || !hashmap_get_ptr(&seen, state, &at)) {
			strbuf_reset(&x->scratch);
			fold_state_word(state, &x->scratch);
			if (x->scratch.len) {
				struct hashmap_slot *s = hashmap_slot(&index, x->scratch.buf);
				if (!s->value) {
					ALLOC_GROW(counts, n + 1, alloc);
					counts[n] = (struct state_count){ xstrdup(x->scratch.buf), 0 };
					s->key = counts[n].word;
					s->value = (void *)(uintptr_t)++n;
				}
				at = (uintptr_t)s->value;
			}
			if (state)
				hashmap_put_ptr(&seen, state, at);
		}
		if (at)
			counts[at - 1].n++;
		else
			unknown++;
	}
	strbuf_reset(&x->scratch);
	hashmap_clear(&index);
	hashmap_clear(&seen);
	if (n) {
		qsort(counts, n, sizeof(*counts), cmp_states);
		strbuf_addf(x->out, "%sThreads by state:%s", x->p->bold, x->p->reset);
		for (size_t k = 0; k < n; k++) {
			strbuf_addf(x->out, "%s %zu ", k ? "," : "", counts[k].n);
			put(x->out, counts[k].word);
		}
		if (unknown)
			strbuf_addf(x->out, ", %zu unknown", unknown);
		strbuf_addch(x->out, '\n');
	}
	for (size_t k = 0; k < n; k++)
		free((char *)counts[k].word);
	free(counts);
}

/* Every thread whole, in dump order, the crashed one first (REPORT_ALL). */
static void text_all_threads(struct text *x)
{
	const struct dump *d = x->d;
	const struct thread *crashed = d->crash ? d->crash->thread : NULL;
	if (crashed)
		text_thread(x, crashed);
	for (size_t i = 0; i < d->nthreads; i++)
		if (d->threads[i] != crashed)
			text_thread(x, d->threads[i]);
}

/* With no crash and no finding, a dump this small is shown whole: its stacks are all there is. */
#define SMALL_DUMP_THREADS 4

static void text_threads(struct text *x)
{
	const struct dump *d = x->d;
	x->why = xcalloc(d->nthreads + 1, sizeof(*x->why));
	x->why_finding = xcalloc(d->nthreads + 1, sizeof(*x->why_finding));
	x->behind = xcalloc(d->nthreads + 1, sizeof(*x->behind));
	const struct thread **order = xcalloc(d->nthreads + 1, sizeof(*order));
	const struct thread **rest = xcalloc(d->nthreads + 1, sizeof(*rest));
	size_t n = threads_that_matter(x, order), nrest = 0;
	if (!n && d->nthreads <= SMALL_DUMP_THREADS) {
		text_all_threads(x);
	} else {
		if (n)
			text_threads_in_full(x, order, n);
		for (size_t i = 0; i < d->nthreads; i++)
			if (!x->why[i])
				rest[nrest++] = d->threads[i];
		text_threads_folded(x, rest, nrest, n > 0);
	}
	text_states(x);
	free(order);
	free(rest);
	free(x->why);
	free(x->why_finding);
	free(x->behind);
	x->why = NULL;
}

static int text_report(const struct dump *d, struct strbuf *out, unsigned flags, FILE *to)
{
	struct text x = {
		.d = d, .out = out, .p = (flags & REPORT_COLOR) ? &colors : &plain, .flags = flags,
		.to = to, .scratch = STRBUF_INIT, .memo_text = STRBUF_INIT, .memo_at = HASHMAP_INIT,
	};
	text_process(&x);
	text_findings(&x);
	text_crash(&x);
	if (flags & REPORT_ALL)
		text_all_threads(&x);
	else
		text_threads(&x);
	if (to && !x.rc && out->len && write_safe(to, out, flags & REPORT_COLOR) < 0)
		x.rc = -1;
	strbuf_release(&x.memo_text);
	strbuf_release(&x.scratch);
	hashmap_clear(&x.memo_at);
	return x.rc;
}

void report_text(const struct dump *d, struct strbuf *out, unsigned flags)
{
	struct strbuf raw = STRBUF_INIT;
	text_report(d, &raw, flags, NULL);
	termsafe_add(out, raw.buf, raw.len, TERMSAFE_LINES | ((flags & REPORT_COLOR) ? TERMSAFE_COLOR : 0));
	strbuf_release(&raw);
}

int report_text_file(const struct dump *d, FILE *to, unsigned flags)
{
	struct strbuf out = STRBUF_INIT;
	int rc = text_report(d, &out, flags, to);
	strbuf_release(&out);
	return rc;
}
