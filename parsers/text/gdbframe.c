/*
 * gdb's frame line and thread header, scanned once for gdb, pstack and
 * lldb. Everything works on spans; nothing is copied until gdbframe_fill.
 */
#include <stdio.h>
#include <string.h>

#include "parsers/text/gdbframe.h"

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool span_at(struct span x, size_t i, const char *s)
{
	size_t n = strlen(s);
	return i + n <= x.len && !memcmp(x.s + i, s, n);
}

/*
 * Skips a quoted string or character literal at S[i]; returns the index
 * after it. An unclosed "…" runs to the end (a cut line); an unclosed '
 * is an apostrophe, not a quote.
 */
static size_t skip_quoted(struct span s, size_t i)
{
	char q = s.s[i];
	for (size_t j = i + 1; j < s.len; j++) {
		if (s.s[j] == '\\') {
			j++;
			continue;
		}
		if (s.s[j] == q)
			return j + 1;
	}
	return q == '\'' ? i + 1 : s.len;
}

size_t gdbframe_balanced(struct span s)
{
	int depth = 0;
	size_t i = 0;
	while (i < s.len) {
		char c = s.s[i];
		if (c == '"' || c == '\'') {
			i = skip_quoted(s, i);
			continue;
		}
		if (c == '(')
			depth++;
		else if (c == ')' && --depth == 0)
			return i + 1;
		i++;
	}
	return 0;
}

/* "operator<" / "operator<<" / "operator->": brackets that are not templates. */
static bool after_operator(struct span x, size_t i)
{
	size_t j = i;
	while (j > 0 && (x.s[j - 1] == '<' || x.s[j - 1] == '>' || x.s[j - 1] == '-'))
		j--;
	return j >= 8 && !memcmp(x.s + j - 8, "operator", 8);
}

/* The bytes name_end looks at; the others it skips. */
static const bool name_special[256] = { ['('] = true, [')'] = true, ['<'] = true, ['>'] = true, [' '] = true };

/* Where the name part of X ends: at " (" (args) or " at "/" from ". */
static size_t name_end(struct span x, bool track_angles, bool *args)
{
	int paren = 0, angle = 0;
	*args = false;
	for (size_t i = 0; i < x.len; i++) {
		char c = x.s[i];
		if (!name_special[(unsigned char)c])
			continue;
		if (c == '(') {
			if (!paren && !angle && i > 0 && x.s[i - 1] == ' ') {
				*args = true;
				return i;
			}
			paren++;
		} else if (c == ')') {
			if (paren)
				paren--;
		} else if (c == '<' && track_angles && !after_operator(x, i)) {
			angle++;
		} else if (c == '>' && track_angles && angle && !after_operator(x, i)) {
			angle--;
		} else if (c == ' ' && !paren && !angle &&
			   (span_at(x, i + 1, "at ") || span_at(x, i + 1, "from "))) {
			return i + 1;
		}
	}
	return track_angles && angle ? (size_t)-1 : x.len;
}

/* Where the last ") at " / ") from " of X is (the ')'), or -1. */
static long last_tail(struct span x)
{
	for (size_t i = x.len; i-- > 1;) {
		if (x.s[i] != ')')
			continue;
		if (span_at(x, i + 1, " at ") || span_at(x, i + 1, " from "))
			return (long)i;
	}
	return -1;
}

static void gdbframe_split_call(struct span x, struct span *name, struct span *args, bool *has_args,
			 bool *args_open, struct span *rest)
{
	bool found;
	size_t end = name_end(x, true, &found);
	if (end == (size_t)-1)
		end = name_end(x, false, &found);
	*name = span_trim((struct span){ x.s, end });
	*has_args = found;
	*args_open = false;
	*args = (struct span){ x.s + x.len, 0 };
	*rest = span_drop(x, end);
	if (!found)
		return;
	size_t n = gdbframe_balanced(*rest);
	if (!n) {
		/* values gdb printed cut short ("...(truncated)") leave parentheses open */
		long tail = last_tail(*rest);
		if (tail > 0)
			n = (size_t)tail + 1;
	}
	if (!n) {
		*args_open = true;
		*args = span_drop(*rest, 1);
		*rest = (struct span){ x.s + x.len, 0 };
		return;
	}
	*args = (struct span){ rest->s + 1, n - 2 };
	*rest = span_drop(*rest, n);
}

bool gdbframe_source(struct span x, struct span *file, int *line, int *column, struct span *rest)
{
	size_t w = 0;
	while (w < x.len && x.s[w] != ' ' && x.s[w] != '\t')
		w++;
	for (size_t i = 1; i + 1 < w; i++) {
		if (x.s[i] != ':' || !is_digit(x.s[i + 1]))
			continue;
		size_t j = i + 1;
		long ln = 0, col = 0;
		while (j < w && is_digit(x.s[j]) && ln < 100000000)
			ln = ln * 10 + (x.s[j++] - '0');
		if (j + 1 < w && x.s[j] == ':' && is_digit(x.s[j + 1])) {
			j++;
			while (j < w && is_digit(x.s[j]) && col < 100000000)
				col = col * 10 + (x.s[j++] - '0');
		}
		if (j != w && x.s[j] != '#')
			continue;
		*file = (struct span){ x.s, i };
		*line = (int)ln;
		*column = (int)col;
		*rest = span_drop(x, j);
		return true;
	}
	return false;
}

static bool gdbframe_scan_tail(struct span x, struct gdbframe *g)
{
	x = span_skip_ws(x);
	if (span_starts(x, "at ")) {
		struct span rest;
		if (!gdbframe_source(span_skip_ws(span_drop(x, 3)), &g->file, &g->line, &g->column, &rest))
			return false;
		rest = span_skip_ws(rest);
		if (rest.len > 1 && rest.s[0] == '#' && is_digit(rest.s[1]))
			g->next = rest;
		return true;
	}
	if (span_starts(x, "from ")) {
		g->module = span_trim(span_drop(x, 5));
		return true;
	}
	return false;
}

void gdbframe_scan_body(struct span x, struct gdbframe *g)
{
	x = span_skip_ws(x);
	if (span_starts(x, "<signal handler called>")) {
		g->signal = true;
		return;
	}
	struct span y = x;
	uint64_t pc;
	if (span_starts(y, "0x") && span_hex(&y, &pc) && (span_starts(y, " in ") || !y.len)) {
		g->has_pc = true;
		g->pc = pc;
		x = span_drop(y, y.len ? 4 : 0);
	}
	struct span rest;
	gdbframe_split_call(x, &g->function, &g->args, &g->has_args, &g->args_open, &rest);
	if (span_eq(g->function, "??"))
		g->function.len = 0;
	rest = span_skip_ws(rest);
	while (rest.len && gdbframe_scan_tail(rest, g)) {
		/* "at FILE:LINE from MODULE" is not printed, but "from" may follow "at" in pastes */
		long from = span_find(rest, " from ");
		if (!g->module.len && from > 0 && span_starts(rest, "at "))
			rest = span_drop(rest, (size_t)from + 1);
		else
			break;
	}
}

bool gdbframe_scan(struct span x, struct gdbframe *g)
{
	memset(g, 0, sizeof(*g));
	if (x.len < 2 || x.s[0] != '#' || !is_digit(x.s[1]))
		return false;
	x = span_drop(x, 1);
	span_number(&x, &g->no);
	if (x.len && x.s[0] != ' ' && x.s[0] != '\t')
		return false;
	gdbframe_scan_body(x, g);
	return true;
}

const char *gdbframe_intern(struct dump *d, struct span x)
{
	return x.len ? dump_intern(d, x.s, x.len) : NULL;
}

void gdbframe_fill(struct dump *d, struct frame *f, const struct gdbframe *g)
{
	if (g->signal) {
		f->kind = FRAME_SIGNAL;
		f->function = "<signal handler called>";
		return;
	}
	f->has_pc = g->has_pc;
	f->pc = g->pc;
	f->function = gdbframe_intern(d, g->function);
	if (g->has_args) /* interned: a pool's threads share one stack (thread_share_frames) */
		f->args = dump_intern(d, g->args.s, g->args.len);
	if (g->file.len) {
		f->file = gdbframe_intern(d, g->file);
		f->line = g->line;
		f->column = g->column;
	}
	f->module = gdbframe_intern(d, g->module);
}

bool gdbframe_target_id(struct span x, struct gdbthread *t)
{
	uint64_t n;
	t->lwp = -1;
	t->pthread = 0;
	t->name = (struct span){ x.s, 0 };
	x = span_skip_ws(x);
	if (span_starts(x, "Thread ")) {
		x = span_drop(x, 7);
		if (!span_number(&x, &n))
			return false;
		t->pthread = n;
		x = span_skip_ws(x);
		if (span_starts(x, "(LWP ")) {
			x = span_drop(x, 5);
			if (span_number(&x, &n))
				t->lwp = (int64_t)n;
			if (span_starts(x, ")"))
				x = span_drop(x, 1);
		}
	} else if (span_starts(x, "LWP ") || span_starts(x, "process ")) {
		x = span_drop(x, x.s[0] == 'L' ? 4 : 8);
		if (!span_number(&x, &n))
			return false;
		t->lwp = (int64_t)n;
	} else {
		return false;
	}
	x = span_skip_ws(x);
	if (span_starts(x, "\"")) {
		struct span y = span_drop(x, 1);
		const char *q = memchr(y.s, '"', y.len);
		if (q) {
			t->name = (struct span){ y.s, (size_t)(q - y.s) };
			x = span_drop(y, (size_t)(q - y.s) + 1);
		}
	}
	x = span_skip_ws(x);
	while (span_starts(x, "(") && span_find(x, ")") > 0 && !span_starts(x, "()")) {
		size_t n2 = gdbframe_balanced(x);
		if (!n2)
			break;
		x = span_skip_ws(span_drop(x, n2));
	}
	t->rest = x;
	return true;
}

bool gdbframe_thread_header(struct span x, struct gdbthread *t)
{
	memset(t, 0, sizeof(*t));
	if (!span_starts(x, "Thread "))
		return false;
	x = span_drop(x, 7);
	if (!x.len || !is_digit(x.s[0]) || !span_number(&x, &t->number))
		return false;
	if (!span_starts(x, " ("))
		return false;
	uint64_t number = t->number;
	if (!gdbframe_target_id(span_drop(x, 2), t))
		return false;
	t->number = number;
	return true;
}

const char *gdbframe_thread_id(struct dump *d, const struct gdbthread *t)
{
	/* decimal digits by hand: printf's machinery cost a fifth of a small thread's parse */
	char buf[24], *end = buf + sizeof(buf);
	char *p = decimal_before(end, t->lwp >= 0 ? (uint64_t)t->lwp : t->number);
	return dump_strndup(d, p, (size_t)(end - p));
}

void gdbframe_mark_inlines(struct frame *frames, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (!frames[i].has_pc && frames[i].kind == FRAME_NATIVE && frames[i - 1].kind == FRAME_NATIVE)
			frames[i - 1].kind = FRAME_INLINE;
}

void gdbframe_note_truncation(struct dump *d, struct thread *last)
{
	dump_warn(d, "input ended early: the last line is cut short");
	if (last && !d->snapshot_frozen)
		last->frames_truncated = true;
}
