/* Helpers shared by the text views (view.h). */
#include "tui/view.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

struct tline *view_add(struct view *v, int style, enum target t, size_t a, size_t b,
		       const char *fmt, ...)
{
	ALLOC_GROW(v->lines, v->nlines + 1, v->lines_alloc);
	va_list ap;
	va_start(ap, fmt);
	struct tline *l = &v->lines[v->nlines++];
	l->text = arena_vprintf(v->b->arena, fmt, ap);
	va_end(ap);
	l->style = style;
	l->target = t;
	l->a = a;
	l->b = b;
	l->frame = NULL;
	return l;
}

/* Bytes of S (at most N) that fit in WIDTH columns, broken after a space when it can. */
static size_t wrap_point(const char *s, size_t n, int width)
{
	size_t fit = 0, brk = 0;
	int used = 0;
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	while (fit < n) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + fit, n - fit, &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			k = 1;
			wc = L'?';
			memset(&st, 0, sizeof(st));
		}
		int w = wcwidth(wc);
		if (used + (w > 0 ? w : 1) > width)
			break;
		used += w > 0 ? w : 1;
		fit += k;
		if (wc == L' ')
			brk = fit;
	}
	if (fit == n)
		return n;
	return brk ? brk : fit ? fit : 1;
}

void view_add_wrapped(struct view *v, int style, const char *label, const char *text)
{
	int lw = term_width(label);
	int width = (v->b->width > 0 ? v->b->width : 80) - 2 - lw;
	if (width < 20)
		width = 20;
	bool first = true;
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		do {
			size_t k = wrap_point(text, n, width);
			view_add(v, style, TGT_NONE, 0, 0, "%s%*s%.*s", first ? label : "", first ? 0 : lw, "",
				 (int)k, text);
			first = false;
			text += k;
			n -= k;
		} while (n);
		text += nl != NULL;
	}
}

void view_select(struct view *v, size_t line, bool middle)
{
	size_t h = v->b->height > 0 ? (size_t)v->b->height : 1;
	if (!v->nlines) {
		v->cursor = v->top = 0;
		return;
	}
	if (line >= v->nlines)
		line = v->nlines - 1;
	v->cursor = line;
	if (middle && (line < v->top || line >= v->top + h))
		v->top = line > h / 2 ? line - h / 2 : 0;
	if (line < v->top)
		v->top = line;
	if (line >= v->top + h)
		v->top = line - h + 1;
	if (v->top + h > v->nlines)
		v->top = v->nlines > h ? v->nlines - h : 0;
}

size_t view_find_target(const struct view *v, enum target t, size_t a)
{
	for (size_t i = 0; i < v->nlines && v->lines; i++)
		if (v->lines[i].target == t && v->lines[i].a == a)
			return i;
	return SIZE_MAX;
}

static bool view_line_hit(struct view *v, size_t line)
{
	return v->hits && v->hits_gen == v->b->search_gen && line < v->nlines && v->hits[line];
}

const char *view_line_tail(const char *text)
{
	const char *at = NULL;
	for (const char *p = strstr(text, " at "); p; p = strstr(p + 1, " at "))
		at = p;
	if (!at || strchr(at + 4, ' '))
		return NULL;
	const char *colon = strrchr(at + 4, ':');
	if (!colon || !colon[1])
		return NULL;
	for (const char *p = colon + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return NULL;
	return at;
}

void view_line_frame(struct tline *l, const char *frame)
{
	size_t n = strlen(l->text), k = frame ? strlen(frame) : 0;
	l->frame = k && k <= n && !strcmp(l->text + n - k, frame) ? l->text + n - k : NULL;
}

void view_draw_tline(struct view *v, size_t line, int row, int width, bool selected)
{
	const struct tline *l = &v->lines[line];
	int style = view_line_hit(v, line) ? ST_MATCH : l->style;
	if (selected)
		style |= ST_SELECTED;
	term_fill(row, 0, width, selected ? ST_SELECTED : ST_NORMAL);
	/* cut with an ellipsis; a frame's " at file:line" at the end stays whole */
	const char *tail = view_line_tail(l->text);
	if (!l->frame || term_width(l->text) <= width - 1) {
		term_put_cut(row, 1, width - 1, style, l->text, tail);
		return;
	}
	/* what comes before the frame (whole when the frame still gets a third of
	 * the row and its file:line), then the frame with the end of its name
	 * ("…Pool.take at Pool.java:88") */
	int avail = width - 1, framew = term_width(l->frame);
	int headw = term_width(l->text) - framew, tailw = tail ? term_width(tail) : 0;
	int room = tailw + 8 > avail / 3 ? tailw + 8 : avail / 3;
	if (room > framew)
		room = framew;
	int keep = avail - headw >= room ? avail - headw : room;
	struct strbuf head = STRBUF_INIT;
	strbuf_add(&head, l->text, (size_t)(l->frame - l->text));
	int x = 1 + term_put_cut(row, 1, width - 1 - keep, style, head.buf, NULL);
	term_put_cut_front(row, x, width - x, style, l->frame, tail && tail > l->frame ? tail : NULL);
	strbuf_release(&head);
}

static void compute_hits(struct view *v)
{
	struct browser *b = v->b;
	if (v->hits && v->hits_gen == b->search_gen)
		return;
	free(v->hits);
	v->hits = xcalloc(v->nlines + 1, sizeof(*v->hits));
	v->hits_gen = b->search_gen;
	for (size_t i = 0; i < v->nlines && b->search; i++)
		v->hits[i] = tregex_match(b->search, v->lines[i].text, strlen(v->lines[i].text));
}

void view_find_lines(struct view *v, int dir)
{
	struct browser *b = v->b;
	if (!b->search || !v->nlines || !v->lines)
		return;
	compute_hits(v);
	for (size_t step = 1; step <= v->nlines; step++) {
		size_t i = dir > 0 ? (v->cursor + step) % v->nlines
				   : (v->cursor + v->nlines - step % v->nlines) % v->nlines;
		if (!v->hits[i])
			continue;
		bool wrapped = dir > 0 ? i <= v->cursor : i >= v->cursor;
		view_select(v, i, true);
		if (wrapped)
			browser_message(b, ST_MEDIUM, "search wrapped");
		return;
	}
	browser_message(b, ST_ERROR, "no match for /%s/", tregex_pattern(b->search));
}

int severity_style(enum severity s)
{
	switch (s) {
	case SEV_CRITICAL: return ST_CRITICAL;
	case SEV_HIGH: return ST_HIGH;
	case SEV_MEDIUM: return ST_MEDIUM;
	case SEV_LOW: return ST_LOW;
	default: return ST_INFO;
	}
}

const char *thread_short(struct browser *b, const struct thread *t)
{
	struct strbuf sb = STRBUF_INIT;
	thread_label(t, &sb);
	const char *s = arena_strndup(b->arena, sb.buf, sb.len);
	strbuf_release(&sb);
	return s;
}

const char *thread_with_state(struct browser *b, const struct thread *t)
{
	struct strbuf sb = STRBUF_INIT;
	thread_label(t, &sb);
	if (t->state)
		strbuf_addf(&sb, " %s", t->state);
	const char *s = arena_strndup(b->arena, sb.buf, sb.len);
	strbuf_release(&sb);
	return s;
}
