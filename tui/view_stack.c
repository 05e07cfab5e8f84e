/*
 * The stack of one thread: a frame per line (number, kind, function,
 * file:line, module); inline and signal frames marked, system frames dim,
 * the top meaningful frame pointed at, and the lines a Java dump prints
 * under a frame ("- locked <0x..> (a C)") under it. Search here moves from
 * frame to frame and on into the next thread that matches; o goes to the
 * thread holding what this one waits for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

#include "tui/view.h"
#include "analyzer/lib/path.h"
#include "analyzer/report/fold.h"

static int kind_style(enum frame_kind k)
{
	switch (k) {
	case FRAME_INLINE: return ST_LOW;
	case FRAME_SIGNAL: return ST_MARK;
	case FRAME_VM:
	case FRAME_STUB: return ST_DIM;
	default: return ST_NORMAL;
	}
}

static const struct thread *shown(const struct view *v)
{
	return v->b->model.th[v->thread].t;
}

/* The frame row ROW shows (a note's row: the frame it is under). */
static size_t row_frame(const struct view *v, size_t row)
{
	return v->srows ? v->srows[row].frame : row;
}

/* The row of frame FRAME. */
static size_t frame_row(const struct view *v, size_t frame)
{
	if (!v->srows)
		return frame;
	for (size_t r = 0; r < v->nlines; r++)
		if (v->srows[r].frame == frame && v->srows[r].note < 0)
			return r;
	return 0;
}

static void draw_note(struct view *v, const struct thread *t, size_t note, int row, int width, int sel)
{
	term_put(row, 0, 13, ST_NORMAL | sel, "");
	term_put_cut(row, 15, width - 15, ST_MARK | sel, t->notes[note].text, NULL);
}

/* "file.c:123": never cut. */
static void source_text(const struct frame *f, struct strbuf *out)
{
	if (!f->file)
		return;
	strbuf_adds(out, path_basename(f->file));
	if (f->line > 0)
		strbuf_addf(out, ":%d", f->line);
}

static void stack_draw(struct view *v, size_t line, int row, int width, bool selected)
{
	const struct tmodel *m = &v->b->model;
	const struct tthread *tt = &m->th[v->thread];
	int sel = selected ? ST_SELECTED : 0;
	term_fill(row, 0, width, sel ? ST_SELECTED : ST_NORMAL);
	if (v->srows && v->srows[line].note >= 0) {
		draw_note(v, tt->t, (size_t)v->srows[line].note, row, width, sel);
		return;
	}
	size_t fi = row_frame(v, line);
	const struct frame *f = &tt->t->frames[fi];
	bool hit = tmodel_is_hit(m, v->thread, (long)fi + 1), own = fold_in_app(f);
	char num[24];
	term_put(row, 0, 1, ST_CRITICAL | sel, fi == tt->top_frame ? ">" : " ");
	snprintf(num, sizeof(num), "#%-3zu", fi);
	term_put(row, 1, 5, ST_DIM | sel, num);
	term_put(row, 6, 6, kind_style(f->kind) | sel, frame_kind_tag(f->kind) ? frame_kind_tag(f->kind) : "");
	int x = 13, avail = width - x;
	char pcbuf[32];
	const char *fn = f->function;
	if (!fn) {
		snprintf(pcbuf, sizeof(pcbuf), f->has_pc ? "0x%llx" : "??", (unsigned long long)f->pc);
		fn = pcbuf;
	}
	struct strbuf src = STRBUF_INIT;
	source_text(f, &src);
	/* file:line whole; the function takes what is left (aligned when it can), the module the rest */
	int srcw = src.len ? term_width(src.buf) + 2 : 0;
	int funcw = v->colw;
	if (funcw > avail - (v->srcw ? v->srcw + 2 : 0))
		funcw = avail - (v->srcw ? v->srcw + 2 : 0);
	if (funcw < 16)
		funcw = avail - srcw;
	if (funcw < 8)
		funcw = 8;
	int fstyle = hit ? ST_MATCH : f->kind == FRAME_INLINE ? ST_LOW : own ? ST_TITLE : ST_DIM;
	struct strbuf brief = STRBUF_INIT;
	if (term_width(fn) > funcw && f->kind != FRAME_NATIVE && f->kind != FRAME_INLINE) {
		java_abbreviate(fn, &brief); /* "c.a.Bank.transfer": the class and method stay in sight */
		fn = brief.buf;
		/* still too wide: the method is the end, so the cut is at the front ("…Executor$2.run") */
		term_put_cut_front(row, x, funcw, fstyle | sel, fn, NULL);
	} else {
		term_put_cut(row, x, funcw, fstyle | sel, fn, NULL);
	}
	strbuf_release(&brief);
	x += funcw + 2;
	if (src.len)
		x += term_put(row, x, width - x, (own ? ST_GOOD : ST_DIM) | sel, src.buf) + 2;
	if (f->module && x + 4 < width)
		term_put_cut(row, x, width - x, ST_DIM | sel, path_basename(f->module), NULL);
	strbuf_release(&src);
}

/* "pthread_mutex 0x55.." or the lock's label with its id (a Java class abbreviated: j.l.Object) */
static const char *lock_words(struct browser *b, const struct lock *l)
{
	struct strbuf label = STRBUF_INIT;
	if (l->label && strcmp(l->label, l->id))
		java_abbreviate(l->label, &label);
	else
		strbuf_adds(&label, lock_kind_name(l->kind));
	const char *s = arena_printf(b->arena, "%s %s", label.buf, l->id);
	strbuf_release(&label);
	return s;
}

/*
 * The stack's second heading: "waits for LOCK held by THREAD", or none;
 * cut, the lock's label gives way: its id (the address the dump's own
 * lines show) and the holder stay whole.
 */
static void wait_heading(struct view *v, const struct thread *t)
{
	struct browser *b = v->b;
	const struct lock *l = t->waiting_on;
	v->subtitle = v->subtitle_tail = NULL;
	if (!l)
		return;
	const char *held = l->owner ? arena_printf(b->arena, " held by %s", thread_short(b, l->owner))
				    : " held by (unknown)";
	v->subtitle = arena_printf(b->arena, "waits for %s%s", lock_words(b, l), held);
	v->subtitle_tail = v->subtitle + strlen(v->subtitle) - strlen(held) - strlen(l->id) - 1;
}

static void build_rows(struct view *v, const struct thread *t)
{
	free(v->srows);
	v->srows = NULL;
	v->nlines = t->nframes;
	if (!t->nnotes)
		return;
	v->srows = xmalloc((t->nframes + t->nnotes + 1) * sizeof(*v->srows));
	size_t n = 0, k = 0;
	for (size_t i = 0; i < t->nframes; i++) {
		v->srows[n++] = (struct stack_row){ i, -1 };
		for (; k < t->nnotes && t->notes[k].frame <= i; k++)
			v->srows[n++] = (struct stack_row){ i, (long)k };
	}
	for (; k < t->nnotes; k++) /* notes past the frames a limit kept */
		v->srows[n++] = (struct stack_row){ t->nframes ? t->nframes - 1 : 0, (long)k };
	v->nlines = n;
}

static void stack_open(struct view *v)
{
	struct browser *b = v->b;
	const struct tthread *tt = &b->model.th[v->thread];
	const struct thread *t = tt->t;
	build_rows(v, t);
	v->colw = 8;
	v->srcw = 0;
	for (size_t i = 0; i < t->nframes; i++) {
		const struct frame *f = &t->frames[i];
		int w = f->function ? term_width(f->function) : 18;
		if (w > v->colw)
			v->colw = w;
		struct strbuf src = STRBUF_INIT;
		source_text(f, &src);
		if (term_width(src.buf) > v->srcw)
			v->srcw = term_width(src.buf);
		strbuf_release(&src);
	}
	v->title = arena_printf(b->arena, "%sThread %s  %zu frame%s%s",
				tt->marks & MARK_CRASHED ? "CRASHED " : tt->marks & MARK_CYCLE ? "IN A CYCLE " : "",
				thread_with_state(b, t), t->nframes, t->nframes == 1 ? "" : "s",
				t->frames_truncated ? " (truncated)" : "");
	wait_heading(v, t);
	view_select(v, frame_row(v, v->frame), true);
}

/* From this thread to the one holding what it waits for (a new stack view: Left comes back). */
static void go_to_owner(struct view *v)
{
	struct browser *b = v->b;
	const struct thread *t = shown(v);
	const struct lock *l = t->waiting_on;
	if (!l) {
		browser_message(b, ST_MEDIUM, "thread %s waits on no known lock", t->id);
		return;
	}
	if (!l->owner) {
		browser_message(b, ST_MEDIUM, "nobody is known to hold %s", lock_words(b, l));
		return;
	}
	size_t oi = l->owner->index;
	browser_push(b, VIEW_STACK, oi, b->model.th[oi].top_frame);
	browser_message(b, ST_NORMAL, "thread %s holds %s that thread %s waits for", l->owner->id,
			lock_words(b, l), t->id);
}

static bool stack_request(struct view *v, enum request req)
{
	if (req == REQ_OWNER) {
		go_to_owner(v);
		return true;
	}
	if (req != REQ_OPEN || !v->nlines)
		return false;
	size_t fi = row_frame(v, v->cursor);
	const struct frame *f = &shown(v)->frames[fi];
	if (!f->file) {
		browser_message(v->b, ST_MEDIUM, "no source file is known for this frame");
		return true;
	}
	browser_push(v->b, VIEW_SOURCE, v->thread, fi);
	return true;
}

static void stack_find(struct view *v, int dir)
{
	struct browser *b = v->b;
	size_t ti = v->thread;
	long line = v->nlines ? (long)row_frame(v, v->cursor) + 1 : (dir > 0 ? -1 : LONG_MAX);
	bool wrapped;
	if (!tmodel_next_hit(&b->model, &ti, &line, dir, &wrapped)) {
		browser_message(b, ST_ERROR, "no thread matches /%s/", tregex_pattern(b->search));
		return;
	}
	if (ti != v->thread) {
		v->thread = ti;
		v->frame = line > 0 ? (size_t)line - 1 : 0;
		stack_open(v);
		browser_message(b, wrapped ? ST_MEDIUM : ST_NORMAL, "%smatch in thread %s",
				wrapped ? "search wrapped; " : "", b->model.th[ti].t->id);
	} else if (wrapped) {
		browser_message(b, ST_MEDIUM, "search wrapped");
	}
	view_select(v, frame_row(v, line > 0 ? (size_t)line - 1 : 0), true);
}

static void stack_status(struct view *v, struct strbuf *out)
{
	/* the whole frame, however narrow the columns */
	const struct tthread *tt = &v->b->model.th[v->thread];
	size_t fi = v->nlines ? row_frame(v, v->cursor) : 0;
	strbuf_addf(out, "#%zu/%zu ", fi, tt->t->nframes);
	if (tt->t->nframes)
		strbuf_adds(out, tt->frame_text[fi]);
}

static void stack_release(struct view *v)
{
	free(v->srows);
	v->srows = NULL;
}

const struct view_ops stack_view = {
	.id = VIEW_STACK,
	.open = stack_open,
	.draw = stack_draw,
	.request = stack_request,
	.find = stack_find,
	.status = stack_status,
	.release = stack_release,
};
