/*
 * The stack of one thread: a frame per line (number, kind, function,
 * file:line, module); inline and signal frames marked, the top meaningful
 * frame pointed at. Search here moves from frame to frame and on into the
 * next thread that matches.
 */
#include <stdio.h>
#include <limits.h>
#include <string.h>

#include "tui/view.h"
#include "analyzer/lib/path.h"

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

static void stack_draw(struct view *v, size_t line, int row, int width, bool selected)
{
	const struct tmodel *m = &v->b->model;
	const struct tthread *tt = &m->th[v->thread];
	const struct frame *f = &tt->t->frames[line];
	int sel = selected ? ST_SELECTED : 0;
	bool hit = tmodel_is_hit(m, v->thread, (long)line + 1);
	char num[24];
	term_fill(row, 0, width, sel ? ST_SELECTED : ST_NORMAL);
	term_put(row, 0, 1, ST_CRITICAL | sel, line == tt->top_frame ? ">" : " ");
	snprintf(num, sizeof(num), "#%-3zu", line);
	term_put(row, 1, 5, ST_DIM | sel, num);
	term_put(row, 6, 6, kind_style(f->kind) | sel,
		 frame_kind_tag(f->kind) ? frame_kind_tag(f->kind) : "");
	int x = 13;
	/* the function gets what file:line and module leave, but at least half */
	int tail = v->tailw < 40 ? v->tailw : 40;
	int funcw = width - x - 2 - tail;
	if (funcw < (width - x) * 3 / 5)
		funcw = (width - x) * 3 / 5;
	if (v->colw < funcw)
		funcw = v->colw;
	char pcbuf[32];
	const char *fn = f->function;
	if (!fn) {
		snprintf(pcbuf, sizeof(pcbuf), f->has_pc ? "0x%llx" : "??", (unsigned long long)f->pc);
		fn = pcbuf;
	}
	term_put(row, x, funcw, (hit ? ST_MATCH : f->kind == FRAME_INLINE ? ST_LOW : ST_TITLE) | sel, fn);
	x += funcw + 2;
	if (f->file) {
		struct strbuf src = STRBUF_INIT;
		strbuf_adds(&src, path_basename(f->file));
		if (f->line > 0)
			strbuf_addf(&src, ":%d", f->line);
		x += term_put(row, x, width - x, ST_GOOD | sel, src.buf) + 2;
		strbuf_release(&src);
	}
	if (f->module && x < width)
		term_put(row, x, width - x, ST_DIM | sel, path_basename(f->module));
}

static void stack_open(struct view *v)
{
	const struct tthread *tt = &v->b->model.th[v->thread];
	v->nlines = tt->t->nframes;
	v->colw = 8;
	v->tailw = 0;
	for (size_t i = 0; i < tt->t->nframes; i++) {
		const struct frame *f = &tt->t->frames[i];
		int w = f->function ? term_width(f->function) : 18;
		if (w > v->colw)
			v->colw = w;
		int tail = (f->file ? term_width(path_basename(f->file)) + 8 : 0) +
			   (f->module ? term_width(path_basename(f->module)) + 2 : 0);
		if (tail > v->tailw)
			v->tailw = tail;
	}
	v->title = arena_printf(v->b->arena, "%sThread %s  %zu frame%s%s%s",
				tt->marks & MARK_CRASHED ? "CRASHED " : tt->marks & MARK_CYCLE ? "IN A CYCLE " : "",
				thread_with_state(v->b, tt->t), tt->t->nframes,
				tt->t->nframes == 1 ? "" : "s", tt->t->frames_truncated ? " (truncated)" : "",
				tt->t->waiting_on ? arena_printf(v->b->arena, "  waits for %s",
								 tt->t->waiting_on->label ? tt->t->waiting_on->label
											  : tt->t->waiting_on->id)
						  : "");
	view_select(v, v->frame, true);
}

static bool stack_request(struct view *v, enum request req)
{
	if (req != REQ_OPEN || !v->nlines)
		return false;
	const struct frame *f = &v->b->model.th[v->thread].t->frames[v->cursor];
	if (!f->file) {
		browser_message(v->b, ST_MEDIUM, "no source file is known for this frame");
		return true;
	}
	browser_push(v->b, VIEW_SOURCE, v->thread, v->cursor);
	return true;
}

static void stack_find(struct view *v, int dir)
{
	struct browser *b = v->b;
	size_t ti = v->thread;
	long line = v->nlines ? (long)v->cursor + 1 : (dir > 0 ? -1 : LONG_MAX);
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
	view_select(v, line > 0 ? (size_t)line - 1 : 0, true);
}

static void stack_status(struct view *v, struct strbuf *out)
{
	/* the whole frame, however narrow the columns */
	const struct tthread *tt = &v->b->model.th[v->thread];
	strbuf_addf(out, "#%zu/%zu ", v->nlines ? v->cursor : 0, v->nlines);
	if (v->nlines)
		strbuf_adds(out, tt->frame_text[v->cursor]);
}

const struct view_ops stack_view = {
	.id = VIEW_STACK,
	.open = stack_open,
	.draw = stack_draw,
	.request = stack_request,
	.find = stack_find,
	.status = stack_status,
};
