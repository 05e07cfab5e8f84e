/*
 * `mortem browse`: load and analyze the input, then the event loop —
 * terminal (term.h) -> panes of views (view.h) -> key map (keys.h) ->
 * requests. Everything shown was computed before the first frame.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/browse.h"
#include "tui/view.h"
#include "analyzer/lib/path.h"
#include "analyzer/report/report.h"

static const struct view_ops *const registry[] = {
#define X_REG(id, ops, title, pane) &ops,
	VIEWS(X_REG)
#undef X_REG
};

static const char *const titles[] = {
#define X_TITLE(id, ops, title, pane) title,
	VIEWS(X_TITLE)
#undef X_TITLE
};

static const bool is_pane[] = {
#define X_PANE(id, ops, title, pane) pane,
	VIEWS(X_PANE)
#undef X_PANE
};

/* Where each pane's name is on the top row, for mouse clicks. */
static int pane_x[VIEW_COUNT], pane_w[VIEW_COUNT];

/* ---- views on panes ---- */

static struct view *view_new(struct browser *b, enum view_id id, size_t thread, size_t frame)
{
	struct view *v = xcalloc(1, sizeof(*v));
	v->ops = registry[id];
	v->b = b;
	v->thread = thread;
	v->frame = frame;
	v->section = thread;
	v->ops->open(v);
	return v;
}

static void view_free(struct view *v)
{
	if (v->ops->release)
		v->ops->release(v);
	free(v->lines);
	free(v->hits);
	free(v);
}

static struct view *browser_view(struct browser *b)
{
	struct pane *p = &b->panes[b->cur];
	return p->stack[p->depth];
}

struct view *browser_push(struct browser *b, enum view_id id, size_t thread, size_t frame)
{
	struct pane *p = &b->panes[b->cur];
	if (p->depth + 1 >= PANE_DEPTH) /* deep enough: the top view gives way to the new one */
		view_free(p->stack[p->depth--]);
	struct view *v = view_new(b, id, thread, frame);
	p->stack[++p->depth] = v;
	return v;
}

static void pane_pop(struct pane *p)
{
	if (p->depth > 0)
		view_free(p->stack[p->depth--]);
}

static struct view *browser_pane(struct browser *b, enum view_id id)
{
	for (size_t i = 0; i < b->npanes; i++)
		if (b->panes[i].id == id) {
			b->cur = i;
			return browser_view(b);
		}
	return NULL;
}

/* Pane ID back at its first view. */
static struct view *pane_root(struct browser *b, enum view_id id)
{
	if (!browser_pane(b, id))
		return NULL;
	struct pane *p = &b->panes[b->cur];
	while (p->depth > 0)
		pane_pop(p);
	return p->stack[0];
}

void browser_message(struct browser *b, int style, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_reset(&b->message);
	strbuf_vaddf(&b->message, fmt, ap);
	va_end(ap);
	b->message_style = style;
}

static void open_finding(struct browser *b, size_t i)
{
	const struct finding *f = b->d->findings[i];
	struct view *cur = browser_view(b);
	if (cur->ops->id != VIEW_FINDINGS) { /* to the finding in the findings pane */
		struct view *v = pane_root(b, VIEW_FINDINGS);
		view_select(v, view_find_target(v, TGT_FINDING, i), false);
		return;
	}
	if (f->nthreads) { /* its evidence: the first thread it names */
		size_t ti = f->threads[0]->index;
		browser_push(b, VIEW_STACK, ti, b->model.th[ti].top_frame);
	} else if (f->nlocks) {
		struct view *v = pane_root(b, VIEW_LOCKS);
		view_select(v, view_find_target(v, TGT_LOCK, f->locks[0]->index), true);
	} else {
		browser_message(b, ST_NORMAL, "this finding names no thread or lock");
	}
}

static void browser_open_target(struct browser *b, const struct tline *l)
{
	switch (l->target) {
	case TGT_THREAD:
		browser_push(b, VIEW_STACK, l->a, b->model.th[l->a].top_frame);
		break;
	case TGT_FRAME:
		browser_push(b, VIEW_STACK, l->a, l->b);
		break;
	case TGT_LOCK: {
		struct view *v = pane_root(b, VIEW_LOCKS);
		view_select(v, view_find_target(v, TGT_LOCK, l->a), true);
		break;
	}
	case TGT_FINDING:
		open_finding(b, l->a);
		break;
	case TGT_SECTION:
		browser_push(b, VIEW_SECTION, l->a, 0);
		break;
	default:
		break;
	}
}

/* ---- drawing ---- */

static int pane_count_style(const struct browser *b, enum view_id id, char *buf, size_t n)
{
	const struct dump *d = b->d;
	buf[0] = '\0';
	switch (id) {
	case VIEW_THREADS: snprintf(buf, n, " %zu", d->nthreads); break;
	case VIEW_FINDINGS: snprintf(buf, n, " %zu", d->nfindings); return d->nfindings ? ST_HIGH : ST_TAB;
	case VIEW_LOCKS: if (d->nlocks) snprintf(buf, n, " %zu", d->nlocks); break;
	case VIEW_MODULES: if (d->nmodules) snprintf(buf, n, " %zu", d->nmodules); break;
	default: break;
	}
	return ST_TAB;
}

/* The panes' labels: " 2 Threads 12 ", or with SHORT " 2 Thr 12 " for the inactive ones. */
static int pane_label(const struct browser *b, size_t i, bool short_names, char *label, size_t n, int *style)
{
	char count[32];
	enum view_id id = b->panes[i].id;
	*style = pane_count_style(b, id, count, sizeof(count));
	if (i == b->cur)
		*style = ST_TAB_ACTIVE;
	if (short_names && i != b->cur)
		snprintf(label, n, " %zu %.3s%s ", i + 1, titles[id], count);
	else
		snprintf(label, n, " %zu %s%s ", i + 1, titles[id], count);
	return term_width(label);
}

/* The panes, then the input's name: the pane names shorten, then the name, before it is left out. */
static void draw_panes(struct browser *b, int width)
{
	const char *path = b->d->input.path ? b->d->input.path : "-";
	const char *base = path_basename(path);
	char label[96];
	int style, full = 0, brief = 0;
	for (size_t i = 0; i < b->npanes; i++) {
		full += pane_label(b, i, false, label, sizeof(label), &style);
		brief += pane_label(b, i, true, label, sizeof(label), &style);
	}
	bool short_names = full + term_width(base) + 2 > width;
	int used = short_names ? brief : full;
	const char *name = used + term_width(path) + 2 <= width ? path : base;
	int x = 0;
	term_fill(0, 0, width, ST_NORMAL);
	for (size_t i = 0; i < b->npanes; i++) {
		pane_label(b, i, short_names, label, sizeof(label), &style);
		pane_x[i] = x;
		pane_w[i] = term_put(0, x, width - x, style, label);
		x += pane_w[i];
	}
	int room = width - x - 2;
	if (room >= 8) {
		int nw = term_width(name) < room ? term_width(name) : room;
		term_put_cut(0, width - nw - 1, nw, ST_DIM, name, NULL);
	}
}

/* The thread V shows or points at (a stack view, or the cursor's row of the threads pane); SIZE_MAX: none. */
static size_t view_thread(struct browser *b, struct view *v)
{
	if (v->ops->id == VIEW_STACK)
		return v->thread;
	if (v->ops->id == VIEW_THREADS)
		return tmodel_row_thread(&b->model, v->cursor);
	return SIZE_MAX;
}

static void draw_help_line(struct browser *b, int row, int width)
{
	static const enum request shown[] = { REQ_OPEN, REQ_NEXT_PANE, REQ_SEARCH, REQ_HELP, REQ_CLOSE };
	static const char *const words[] = { "open", "pane", "search", "help", "back" };
	struct strbuf sb = STRBUF_INIT;
	bool top = b->panes[b->cur].depth == 0;
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		char kb[16];
		int key = -1;
		for (size_t k = 0; k < keymap_count && key < 0; k++)
			if (keymap_default[k].req == shown[i])
				key = keymap_default[k].key;
		strbuf_addf(&sb, "%s%s: %s", i ? "  " : "", key_name(key, kb),
			    shown[i] == REQ_CLOSE && top ? "quit" : words[i]);
	}
	size_t ti = view_thread(b, browser_view(b));
	const struct lock *l = ti != SIZE_MAX ? b->model.th[ti].t->waiting_on : NULL;
	if (l && l->owner) /* o is what a reader of a waiting thread wants next */
		strbuf_adds(&sb, "  o: holder");
	if (width >= 100)
		strbuf_adds(&sb, "  n/N: next/prev hit  f: filter  s: sort");
	if (width >= 140)
		strbuf_adds(&sb, "  c: crashed  o: owner  w: save  y: copy");
	term_fill(row, 0, width, ST_NORMAL);
	term_put(row, 0, width, ST_HELPLINE, sb.buf);
	strbuf_release(&sb);
}

/*
 * Draws S in WIDTH columns; cut, a frame's " at /path/file.c:123" keeps its
 * end ("… at …/src/file.c:123": the file's name and line number whole),
 * and in "#3/9 NAME at " a NAME without blanks (Java's, C's) loses its
 * start, not its method ("#3/9 …DelayedWorkQueue.take at ").
 */
static int put_frame_text(int row, int col, int width, int style, const char *s)
{
	const char *at = view_line_tail(s);
	if (!at || term_width(s) <= width)
		return term_put_cut(row, col, width, style, s, NULL);
	/* the head whole when the file's name and line still fit after it */
	const char *path = at + 4;
	int namew = term_width(path_basename(path)) + 1, headw = term_width(s) - term_width(path);
	int keep = width - headw >= namew ? width - headw : namew;
	if (keep > width - 8)
		return term_put_cut(row, col, width, style, s, NULL);
	struct strbuf label = STRBUF_INIT, name = STRBUF_INIT;
	const char *sp = strchr(s, ' ');
	size_t nl = sp && sp < at ? (size_t)(sp + 1 - s) : 0;
	strbuf_add(&label, s, nl);
	strbuf_add(&name, s + nl, (size_t)(path - s) - nl); /* "NAME at " */
	int used = 0;
	if (!memchr(name.buf, ' ', name.len - 4) && term_width(label.buf) + 8 < width - keep) {
		used = term_put(row, col, width - keep, style, label.buf);
		used += term_put_cut_front(row, col + used, width - keep - used, style, name.buf,
					   name.buf + name.len - 4);
	} else {
		strbuf_add(&label, name.buf, name.len);
		used = term_put_cut(row, col, width - keep, style, label.buf, NULL);
	}
	strbuf_release(&label);
	strbuf_release(&name);
	return used + term_put_cut_front(row, col + used, width - used, style, path, NULL);
}

static void draw_status(struct browser *b, struct view *v, int row, int width)
{
	struct strbuf sb = STRBUF_INIT, search = STRBUF_INIT;
	int style = ST_STATUS;
	if (b->message.len) {
		strbuf_adds(&sb, b->message.buf);
		style = b->message_style | ST_SELECTED;
	} else if (v->ops->status) {
		v->ops->status(v, &sb);
	} else {
		strbuf_addf(&sb, "line %zu/%zu", v->nlines ? v->cursor + 1 : 0, v->nlines);
	}
	if (b->search && !b->message.len)
		strbuf_addf(&search, "  search: %c%s", b->search_dir < 0 ? '?' : '/', tregex_pattern(b->search));
	term_fill(row, 0, width, ST_STATUS);
	int sw = term_width(search.buf), avail = width - 1;
	if (sw + term_width(sb.buf) > avail) /* the search pattern gives way to what the view says */
		sw = 0;
	int x = 1 + put_frame_text(row, 1, avail - sw, style == ST_STATUS ? ST_STATUS : style, sb.buf);
	if (sw)
		term_put(row, x, width - x, ST_STATUS, search.buf);
	strbuf_release(&sb);
	strbuf_release(&search);
}

/* After a change of width: views that wrap text build their lines again. */
static void rewrap(struct browser *b)
{
	for (size_t i = 0; i < b->npanes; i++)
		for (int k = 0; k <= b->panes[i].depth; k++) {
			struct view *v = b->panes[i].stack[k];
			if (!v->ops->wraps)
				continue;
			size_t cursor = v->cursor;
			v->nlines = 0;
			free(v->hits);
			v->hits = NULL;
			v->ops->open(v);
			view_select(v, cursor, true);
		}
}

static void draw(struct browser *b)
{
	int rows = term_rows(), cols = term_cols();
	term_begin();
	if (rows < 6 || cols < 20) {
		term_put(0, 0, cols, ST_ERROR, "terminal too small");
		term_end();
		return;
	}
	struct view *v = browser_view(b);
	int headings = v->subtitle ? 2 : 1;
	b->first_row = 1 + headings;
	b->height = rows - 3 - headings;
	if (b->width != cols) {
		b->width = cols;
		rewrap(b);
	}
	view_select(v, v->cursor, false); /* the height may have changed */
	draw_panes(b, cols);
	if (v->ops->heading) {
		v->ops->heading(v, 1, cols);
	} else {
		term_fill(1, 0, cols, ST_NORMAL);
		term_put_cut(1, 1, cols - 1, ST_HEADER, v->title, NULL);
	}
	if (v->subtitle) {
		term_fill(2, 0, cols, ST_NORMAL);
		term_put_cut(2, 1, cols - 1, ST_MARK, v->subtitle, v->subtitle_tail);
	}
	for (int r = 0; r < b->height; r++) {
		size_t line = v->top + (size_t)r;
		if (line >= v->nlines)
			break;
		if (v->ops->draw)
			v->ops->draw(v, line, b->first_row + r, cols, line == v->cursor);
		else
			view_draw_tline(v, line, b->first_row + r, cols, line == v->cursor);
	}
	draw_status(b, v, rows - 2, cols);
	draw_help_line(b, rows - 1, cols);
	term_end();
}

/* ---- requests ---- */

static void move_cursor(struct view *v, long delta)
{
	long c = (long)v->cursor + delta;
	view_select(v, c < 0 ? 0 : (size_t)c, false);
}

static void find(struct browser *b, int dir)
{
	struct view *v = browser_view(b);
	if (!b->search) {
		browser_message(b, ST_NORMAL, "nothing to find yet: / searches forward, ? backward");
		return;
	}
	if (v->ops->find)
		v->ops->find(v, dir);
	else
		view_find_lines(v, dir);
}

static void prompt_search(struct browser *b, int dir)
{
	struct strbuf in = STRBUF_INIT, err = STRBUF_INIT;
	if (term_prompt(dir > 0 ? "/" : "?", NULL, &in) == 0 && in.len) {
		struct tregex *re = tregex_new(in.buf, &err);
		if (!re) {
			browser_message(b, ST_ERROR, "%s", err.buf);
		} else {
			tregex_free(b->search);
			b->search = re;
			b->search_gen++;
			b->search_dir = dir;
			tmodel_search(&b->model, in.buf, &err);
			find(b, dir);
		}
	}
	strbuf_release(&in);
	strbuf_release(&err);
}

static void switch_pane(struct browser *b, enum view_id id)
{
	if (!browser_pane(b, id))
		browser_message(b, ST_NORMAL, "no %s pane for this input", titles[id]);
}

/* c: the crashed thread's row in the threads pane, and its stack on top. */
static void open_crashed(struct browser *b)
{
	const struct thread *t = dump_crash_thread(b->d);
	if (!t) {
		browser_message(b, ST_NORMAL, "no thread crashed in this input (a hang or a snapshot)");
		return;
	}
	struct view *tv = pane_root(b, VIEW_THREADS);
	size_t r = tmodel_reveal(&b->model, t->index);
	tv->nlines = b->model.nrows;
	if (r != SIZE_MAX)
		view_select(tv, r, true);
	browser_push(b, VIEW_STACK, t->index, b->model.th[t->index].top_frame);
}

/* Thread TI's stack as text, as the dump gave it: header, lock, frames and the lines under them. */
static void stack_text(struct browser *b, size_t ti, struct strbuf *out)
{
	const struct thread *t = b->model.th[ti].t;
	strbuf_adds(out, "Thread ");
	thread_label(t, out);
	if (t->state)
		strbuf_addf(out, " %s", t->state);
	strbuf_addch(out, '\n');
	if (t->waiting_on)
		strbuf_addf(out, "  waiting on %s %s%s%s\n", lock_kind_name(t->waiting_on->kind), t->waiting_on->id,
			    t->waiting_on->owner ? " held by " : "",
			    t->waiting_on->owner ? t->waiting_on->owner->id : "");
	size_t k = 0;
	for (size_t i = 0; i < t->nframes; i++) {
		strbuf_addf(out, "  #%-3zu ", i);
		frame_describe(&t->frames[i], out);
		strbuf_addch(out, '\n');
		for (; k < t->nnotes && t->notes[k].frame <= i; k++)
			strbuf_addf(out, "        %s\n", t->notes[k].text);
	}
	if (t->frames_truncated)
		strbuf_adds(out, "  ... (stack cut short)\n");
}

/* A file name from S: letters, digits, '.', '-' and '_' kept, anything else '_'. */
static void file_word(const char *s, struct strbuf *out)
{
	for (; *s; s++)
		strbuf_addch(out, (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
					  *s == '.' || *s == '-' ? *s : '_');
}

/* w: the stack shown to a file (anywhere else, the whole report), asking where; never over a file. */
static void save(struct browser *b, struct view *v)
{
	size_t ti = v->ops->id == VIEW_STACK ? v->thread : SIZE_MAX;
	struct strbuf name = STRBUF_INIT, text = STRBUF_INIT, in = STRBUF_INIT;
	strbuf_adds(&name, "mortem-");
	if (ti != SIZE_MAX) {
		strbuf_adds(&name, "thread-");
		file_word(b->model.th[ti].t->id, &name);
	} else {
		strbuf_adds(&name, "report");
	}
	strbuf_adds(&name, ".txt");
	if (term_prompt(ti != SIZE_MAX ? "save this stack to: " : "save the report to: ", name.buf, &in) == 0 &&
	    in.len) {
		if (ti != SIZE_MAX)
			stack_text(b, ti, &text);
		else
			report_text(b->d, &text, 0);
		FILE *f = fopen(in.buf, "wx"); /* x: an existing file is not replaced */
		bool ok = f && fwrite(text.buf, 1, text.len, f) == text.len;
		if (f && fclose(f))
			ok = false;
		if (ok)
			browser_message(b, ST_GOOD, "saved %s to %s", ti != SIZE_MAX ? "the stack" : "the report", in.buf);
		else
			browser_message(b, ST_ERROR, "cannot write %s: %m", in.buf);
	}
	strbuf_release(&name);
	strbuf_release(&text);
	strbuf_release(&in);
}

/* y: the stack shown, or the cursor's thread's, to the terminal's clipboard. */
static void copy(struct browser *b, struct view *v)
{
	size_t ti = view_thread(b, v);
	if (ti == SIZE_MAX) {
		browser_message(b, ST_NORMAL, "y copies a stack: open one, or choose a thread in the threads pane");
		return;
	}
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	stack_text(b, ti, &text);
	if (term_clipboard(text.buf, text.len, &err) == 0)
		browser_message(b, ST_GOOD, "copied thread %s's stack (%zu frame%s) to the clipboard",
				b->model.th[ti].t->id, b->model.th[ti].t->nframes,
				b->model.th[ti].t->nframes == 1 ? "" : "s");
	else
		browser_message(b, ST_MEDIUM, "cannot copy: %s; w saves it to a file", err.buf);
	strbuf_release(&text);
	strbuf_release(&err);
}

/* Requests every view understands; views handle theirs first. */
static void generic_request(struct browser *b, struct view *v, enum request req)
{
	long page = b->height > 1 ? b->height - 1 : 1;
	switch (req) {
	case REQ_UP: move_cursor(v, -1); break;
	case REQ_DOWN: move_cursor(v, 1); break;
	case REQ_PAGE_UP: move_cursor(v, -page); break;
	case REQ_PAGE_DOWN: move_cursor(v, page); break;
	case REQ_FIRST: view_select(v, 0, false); break;
	case REQ_LAST: view_select(v, v->nlines ? v->nlines - 1 : 0, false); break;
	case REQ_OPEN:
		if (v->lines && v->cursor < v->nlines)
			browser_open_target(b, &v->lines[v->cursor]);
		break;
	case REQ_CLOSE:
		if (b->panes[b->cur].depth > 0)
			pane_pop(&b->panes[b->cur]);
		else
			b->quit = true;
		break;
	case REQ_BACK: /* never quits: a stray Esc or Left must not end the session */
		if (b->panes[b->cur].depth > 0)
			pane_pop(&b->panes[b->cur]);
		else
			browser_message(b, ST_NORMAL, "this is the first view of the pane; q quits");
		break;
	case REQ_QUIT: b->quit = true; break;
	case REQ_CRASHED: open_crashed(b); break;
	case REQ_OWNER:
		browser_message(b, ST_NORMAL, "o goes from a waiting thread (threads pane or a stack) to the holder");
		break;
	case REQ_SAVE: save(b, v); break;
	case REQ_COPY: copy(b, v); break;
	case REQ_NEXT_PANE: b->cur = (b->cur + 1) % b->npanes; break;
	case REQ_PREV_PANE: b->cur = (b->cur + b->npanes - 1) % b->npanes; break;
	case REQ_PANE_SUMMARY: switch_pane(b, VIEW_SUMMARY); break;
	case REQ_PANE_THREADS: switch_pane(b, VIEW_THREADS); break;
	case REQ_PANE_FINDINGS: switch_pane(b, VIEW_FINDINGS); break;
	case REQ_PANE_LOCKS: switch_pane(b, VIEW_LOCKS); break;
	case REQ_PANE_MODULES: switch_pane(b, VIEW_MODULES); break;
	case REQ_PANE_SECTIONS: switch_pane(b, VIEW_SECTIONS); break;
	case REQ_SEARCH: prompt_search(b, 1); break;
	case REQ_SEARCH_BACK: prompt_search(b, -1); break;
	case REQ_NEXT_HIT: find(b, b->search_dir < 0 ? -1 : 1); break;
	case REQ_PREV_HIT: find(b, b->search_dir < 0 ? 1 : -1); break;
	case REQ_FILTER:
	case REQ_SORT: { /* they act on the threads: go there */
		struct view *t = pane_root(b, VIEW_THREADS);
		t->ops->request(t, req);
		break;
	}
	case REQ_HELP:
		if (v->ops->id != VIEW_HELP)
			browser_push(b, VIEW_HELP, 0, 0);
		break;
	case REQ_REDRAW: term_invalidate(); break;
	default: break;
	}
}

static void on_mouse(struct browser *b, const struct term_event *ev)
{
	struct view *v = browser_view(b);
	if (ev->button == TB_WHEEL_UP || ev->button == TB_WHEEL_DOWN) {
		move_cursor(v, ev->button == TB_WHEEL_UP ? -3 : 3);
		return;
	}
	if (ev->button != TB_CLICK && ev->button != TB_DOUBLE)
		return;
	if (ev->row == 0) {
		for (size_t i = 0; i < b->npanes; i++)
			if (ev->col >= pane_x[i] && ev->col < pane_x[i] + pane_w[i])
				b->cur = i;
		return;
	}
	if (ev->row < b->first_row || ev->row >= b->first_row + b->height)
		return;
	size_t line = v->top + (size_t)(ev->row - b->first_row);
	if (line >= v->nlines)
		return;
	bool again = line == v->cursor;
	view_select(v, line, false);
	if (again || ev->button == TB_DOUBLE) {
		if (!v->ops->request || !v->ops->request(v, REQ_OPEN))
			generic_request(b, v, REQ_OPEN);
	}
}

static void on_event(struct browser *b, const struct term_event *ev)
{
	strbuf_reset(&b->message);
	if (ev->key == TK_RESIZE)
		return;
	if (ev->key == TK_MOUSE) {
		on_mouse(b, ev);
		return;
	}
	enum request req = keymap_lookup(ev->key);
	if (req == REQ_NONE) {
		char kb[16];
		browser_message(b, ST_NORMAL, "%s does nothing here; h lists every key", key_name(ev->key, kb));
		return;
	}
	struct view *v = browser_view(b);
	if (v->ops->request && v->ops->request(v, req))
		return;
	generic_request(b, v, req);
}

/* ---- setup ---- */

static void browser_init(struct browser *b, struct dump *d, const struct mortem_opts *o)
{
	memset(b, 0, sizeof(*b));
	b->d = d;
	b->o = o;
	b->arena = arena_new();
	strbuf_init(&b->message, 0);
	b->height = 20;
	b->first_row = 2;
	tmodel_init(&b->model, d);
	for (int id = 0; id < VIEW_COUNT; id++) {
		if (!is_pane[id] || (id == VIEW_SECTIONS && !d->nsections))
			continue;
		struct pane *p = &b->panes[b->npanes++];
		p->id = (enum view_id)id;
		p->stack[0] = view_new(b, p->id, 0, 0);
	}
}

static void browser_release(struct browser *b)
{
	for (size_t i = 0; i < b->npanes; i++)
		while (b->panes[i].depth >= 0) {
			view_free(b->panes[i].stack[b->panes[i].depth]);
			b->panes[i].depth--;
		}
	tregex_free(b->search);
	tmodel_release(&b->model);
	strbuf_release(&b->message);
	arena_free(b->arena);
}

void browse_key_table(struct strbuf *out)
{
	strbuf_adds(out, "| keys | what they do |\n| --- | --- |\n");
	for (int r = 0; r < REQUEST_COUNT; r++) {
		strbuf_addch(out, '|');
		for (size_t i = 0; i < keymap_count; i++) {
			char kb[16];
			if (keymap_default[i].req == r)
				strbuf_addf(out, " `%s`", key_name(keymap_default[i].key, kb));
		}
		strbuf_addf(out, " | %s |\n", request_help((enum request)r));
	}
}

bool browse_have_terminal(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool want_color(const struct mortem_opts *o)
{
	const char *nc = getenv("NO_COLOR");
	if (o->color == COLOR_ALWAYS)
		return true;
	return o->color != COLOR_NEVER && !(nc && *nc);
}

int browse_dump(struct dump *d, const struct mortem_opts *o, struct strbuf *err)
{
	if (term_open(want_color(o), err) < 0)
		return -1;
	struct browser b;
	browser_init(&b, d, o);
	while (!b.quit) {
		draw(&b);
		struct term_event ev;
		if (term_read(&ev) < 0)
			break;
		on_event(&b, &ev);
	}
	term_close();
	browser_release(&b);
	return 0;
}
