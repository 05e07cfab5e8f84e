/*
 * The threads pane: one row per thread (id, name, state, top meaningful
 * frame), identical stacks folded into one row with a count; rows come
 * precomputed from the model, so moving through 2,000 threads costs only
 * the drawing of one screen.
 */
#include <stdio.h>
#include <limits.h>
#include <string.h>

#include "tui/view.h"

static int state_style(const char *state)
{
	if (!state)
		return ST_DIM;
	if (!strncmp(state, "BLOCKED", 7) || !strncmp(state, "D ", 2))
		return ST_HIGH;
	if (!strncmp(state, "WAITING", 7) || !strncmp(state, "TIMED_WAITING", 13) ||
	    !strncmp(state, "S ", 2))
		return ST_MEDIUM;
	if (!strncmp(state, "RUNNABLE", 8) || !strncmp(state, "R ", 2))
		return ST_GOOD;
	return ST_NORMAL;
}

static const char *mark_text(unsigned marks)
{
	if (marks & MARK_CRASHED)
		return "!";
	if (marks & MARK_CYCLE)
		return "@";
	if (marks & MARK_FINDING)
		return "*";
	return " ";
}

/* Column widths for WIDTH: id, name, state; the top frame takes the rest. */
static void columns(const struct tmodel *m, int width, int *idw, int *namew, int *statew)
{
	*idw = m->id_w;
	/* a column no thread fills takes no room (0) */
	*namew = !m->has_names ? 0 : m->name_w < width / 5 ? m->name_w : width / 5;
	*statew = !m->has_states ? 0 : m->state_w < width / 6 ? m->state_w : width / 6;
	if (m->ngroups) { /* room for "1234 threads" over the id and name columns */
		char label[32];
		int need = snprintf(label, sizeof(label), "%zu threads", m->max_group);
		if (*namew && *idw + 1 + *namew < need)
			*namew = need - 1 - *idw;
		else if (!*namew && *idw < need)
			*idw = need;
	}
	int fixed = 4 + *idw + 1 + *namew + 1 + *statew + 1;
	if (*namew && width - fixed < 24) { /* narrow: names give way first */
		*namew -= 24 - (width - fixed);
		if (*namew < 6)
			*namew = 6;
	}
}

/* The top meaningful frame (its " at file:line" whole when cut), then (dim) the wait it sits in. */
static void draw_top(int row, int x, int width, int sel, const struct tthread *tt)
{
	const char *at = NULL;
	for (const char *p = strstr(tt->top, " at "); p; p = strstr(p + 1, " at "))
		at = p;
	/* cut, the function's end and file:line stay ("…Pool.take at Pool.java:88") */
	x += at ? term_put_cut_front(row, x, width - x, ST_NORMAL | sel, tt->top, at)
		: term_put_cut(row, x, width - x, ST_NORMAL | sel, tt->top, NULL);
	if (tt->waits_in && x + 6 < width)
		term_put_cut(row, x + 2, width - x - 2, ST_DIM | sel, tt->waits_in, NULL);
}

static void draw_cells(int row, int x, int width, int sel, int idw, int namew, int statew,
		       const struct tthread *tt, const char *state, int state_st)
{
	const char *id = tt->t->id, *name = tt->t->name ? tt->t->name : "-";
	term_put_cut(row, x, idw, ST_NORMAL | sel, id, NULL);
	x += idw + 1;
	if (namew) {
		term_put_cut(row, x, namew, ST_TITLE | sel, name, NULL);
		x += namew + 1;
	}
	if (statew) {
		term_put_cut(row, x, statew, state_st | sel, state, NULL);
		x += statew + 1;
	}
	draw_top(row, x, width, sel, tt);
}

static void threads_draw(struct view *v, size_t line, int row, int width, bool selected)
{
	const struct tmodel *m = &v->b->model;
	const struct trow *r = &m->rows[line];
	int sel = selected ? ST_SELECTED : 0;
	int idw, namew, statew;
	columns(m, width, &idw, &namew, &statew);
	term_fill(row, 0, width, sel ? ST_SELECTED : ST_NORMAL);
	if (r->kind == TROW_GROUP) {
		const struct tgroup *g = &m->groups[r->index];
		const struct tthread *first = &m->th[tmodel_row_thread(m, line)];
		char count[48];
		snprintf(count, sizeof(count), "%zu threads", g->nvisible);
		int x = 4, span = idw + (namew ? 1 + namew : 0);
		term_put(row, 0, 3, ST_MARK | sel, g->expanded ? "[-]" : "[+]");
		term_put(row, x, span, ST_MARK | sel, count);
		x += span + 1;
		if (statew) {
			term_put(row, x, statew, state_style(first->t->state) | sel, first->state);
			x += statew + 1;
		}
		draw_top(row, x, width, sel, first);
		return;
	}
	const struct tthread *tt = &m->th[r->index];
	bool hit = m->search && m->hit_count[r->index];
	term_put(row, 0, 1, (hit ? ST_MATCH : ST_NORMAL) | sel, hit ? ">" : " ");
	term_put(row, 1, 1, (tt->marks & MARK_CRASHED ? ST_CRITICAL : ST_MARK) | sel, mark_text(tt->marks));
	if (r->member)
		term_put(row, 2, 1, ST_DIM | sel, "|");
	draw_cells(row, 4, width, sel, idw, namew, statew, tt, tt->state, state_style(tt->t->state));
}

static size_t cursor_thread(struct view *v)
{
	return tmodel_row_thread(&v->b->model, v->cursor);
}

/* After the rows changed: the cursor back on thread TI (or its group). */
static void follow_thread(struct view *v, size_t ti)
{
	struct tmodel *m = &v->b->model;
	v->nlines = m->nrows;
	for (size_t r = 0; r < m->nrows && ti != SIZE_MAX; r++) {
		const struct trow *row = &m->rows[r];
		if ((row->kind == TROW_THREAD && row->index == ti) ||
		    (row->kind == TROW_GROUP && (int)row->index == m->th[ti].group)) {
			view_select(v, r, true);
			return;
		}
	}
	view_select(v, v->cursor, false);
}

static void prompt_filter(struct view *v)
{
	struct browser *b = v->b;
	struct strbuf in = STRBUF_INIT, err = STRBUF_INIT;
	size_t ti = cursor_thread(v);
	/* an empty line to type into; the filter in force is in the label */
	const char *label = b->model.filter
		? arena_printf(b->arena, "filter threads (regex; now /%s/; empty: all): ", tregex_pattern(b->model.filter))
		: "filter threads (state or text regex, empty: all): ";
	if (term_prompt(label, NULL, &in) == 0) {
		if (tmodel_filter(&b->model, in.buf, &err) < 0)
			browser_message(b, ST_ERROR, "%s", err.buf);
		else if (in.len)
			browser_message(b, ST_NORMAL, "%zu of %zu thread%s match%s /%s/", b->model.nflat,
					b->model.n, b->model.n == 1 ? "" : "s", b->model.n == 1 ? "es" : "",
					in.buf);
		follow_thread(v, ti);
	}
	strbuf_release(&in);
	strbuf_release(&err);
}

/* o on a row: the cursor on the thread holding what this one waits for. */
static void to_owner(struct view *v)
{
	struct browser *b = v->b;
	struct tmodel *m = &b->model;
	size_t ti = cursor_thread(v);
	if (ti == SIZE_MAX)
		return;
	const struct thread *t = m->th[ti].t;
	const struct lock *l = t->waiting_on;
	if (!l || !l->owner) {
		browser_message(b, ST_MEDIUM, l ? "nobody is known to hold what thread %s waits for"
						: "thread %s waits on no known lock", t->id);
		return;
	}
	size_t r = tmodel_reveal(m, l->owner->index);
	v->nlines = m->nrows;
	if (r == SIZE_MAX) {
		browser_message(b, ST_MEDIUM, "thread %s holds it, but the filter hides it", l->owner->id);
		return;
	}
	view_select(v, r, true);
	browser_message(b, ST_NORMAL, "thread %s holds %s that thread %s waits for", l->owner->id,
			l->label ? l->label : l->id, t->id);
}

static bool threads_request(struct view *v, enum request req)
{
	struct tmodel *m = &v->b->model;
	switch (req) {
	case REQ_OPEN: {
		if (!m->nrows)
			return true;
		const struct trow *r = &m->rows[v->cursor];
		if (r->kind == TROW_GROUP) {
			tmodel_toggle_group(m, r->index);
			v->nlines = m->nrows;
			view_select(v, v->cursor, false);
		} else {
			browser_push(v->b, VIEW_STACK, r->index, m->th[r->index].top_frame);
		}
		return true;
	}
	case REQ_SORT: {
		size_t ti = cursor_thread(v);
		tmodel_sort(m, (m->sort + 1) % THREAD_SORT_COUNT);
		follow_thread(v, ti);
		browser_message(v->b, ST_NORMAL, "sorted by %s", thread_sort_name(m->sort));
		return true;
	}
	case REQ_FILTER:
		prompt_filter(v);
		return true;
	case REQ_OWNER:
		to_owner(v);
		return true;
	default:
		return false;
	}
}

static void threads_find(struct view *v, int dir)
{
	struct browser *b = v->b;
	struct tmodel *m = &b->model;
	size_t ti = cursor_thread(v);
	long line = dir > 0 ? LONG_MAX : -1; /* from this thread on to the next one */
	bool wrapped;
	if (!tmodel_next_hit(m, &ti, &line, dir, &wrapped)) {
		browser_message(b, ST_ERROR, "no thread matches /%s/", tregex_pattern(b->search));
		return;
	}
	size_t r = tmodel_reveal(m, ti);
	v->nlines = m->nrows;
	if (r != SIZE_MAX)
		view_select(v, r, true);
	browser_message(b, wrapped ? ST_MEDIUM : ST_NORMAL, "%s%zu match%s in %zu thread%s; Enter shows where",
			wrapped ? "search wrapped; " : "", m->nhits, m->nhits == 1 ? "" : "es", m->hit_threads,
			m->hit_threads == 1 ? "" : "s");
}

static void threads_status(struct view *v, struct strbuf *out)
{
	const struct tmodel *m = &v->b->model;
	strbuf_addf(out, "row %zu/%zu  ", m->nrows ? v->cursor + 1 : 0, m->nrows);
	if (m->nrows && m->rows[v->cursor].kind == TROW_GROUP) {
		const struct tgroup *g = &m->groups[m->rows[v->cursor].index];
		strbuf_addf(out, "%zu threads with this one stack: Enter %s them", g->nvisible,
			    g->expanded ? "folds" : "unfolds");
		return;
	}
	strbuf_addf(out, "%zu thread%s", m->nflat, m->nflat == 1 ? "" : "s");
	if (m->ngroups)
		strbuf_addf(out, ", %zu group%s", m->ngroups, m->ngroups == 1 ? "" : "s");
	strbuf_addf(out, "  sort: %s", thread_sort_name(m->sort));
	if (m->filter)
		strbuf_addf(out, "  filter: /%s/", tregex_pattern(m->filter));
	strbuf_adds(out, "  !crashed @cycle *finding");
}

static void threads_heading(struct view *v, int row, int width)
{
	int idw, namew, statew;
	columns(&v->b->model, width, &idw, &namew, &statew);
	int x = 4;
	term_fill(row, 0, width, ST_NORMAL);
	term_put(row, x, idw, ST_HEADER, "ID");
	x += idw + 1;
	if (namew) {
		term_put(row, x, namew, ST_HEADER, "NAME");
		x += namew + 1;
	}
	if (statew) {
		term_put(row, x, statew, ST_HEADER, "STATE");
		x += statew + 1;
	}
	term_put(row, x, width - x, ST_HEADER, "TOP FRAME");
}

static void threads_open(struct view *v)
{
	struct tmodel *m = &v->b->model;
	v->nlines = m->nrows;
	v->title = "Threads";
	/* start on the crashed thread, else on the first thread of a cycle */
	for (size_t i = 0; i < m->n; i++)
		if (m->th[i].marks & MARK_CRASHED) {
			follow_thread(v, i);
			return;
		}
	for (size_t i = 0; i < m->n; i++)
		if (m->th[i].marks & MARK_CYCLE) {
			follow_thread(v, i);
			return;
		}
}

const struct view_ops threads_view = {
	.id = VIEW_THREADS,
	.open = threads_open,
	.draw = threads_draw,
	.request = threads_request,
	.find = threads_find,
	.heading = threads_heading,
	.status = threads_status,
};
