#ifndef MORTEM_TUI_VIEW_H
#define MORTEM_TUI_VIEW_H

/*
 * Views of the browser, one file each, as const ops tables (after tig's
 * view_ops). A view is a list of lines with a cursor; most views build
 * their lines once when opened (struct tline: text, style, and what Enter
 * on it opens), the threads and stack views draw from the precomputed
 * model (model.h). Views draw only through term.h.
 *
 * X(id, ops symbol, title, is a pane)
 */

#include <stdbool.h>
#include <stddef.h>

#include "analyzer/model/dump.h"
#include "analyzer/model/options.h"
#include "tui/keys.h"
#include "tui/model.h"
#include "tui/term.h"

#define VIEWS(X)                                         \
	X(VIEW_SUMMARY, summary_view, "Summary", true)   \
	X(VIEW_THREADS, threads_view, "Threads", true)   \
	X(VIEW_FINDINGS, findings_view, "Findings", true) \
	X(VIEW_LOCKS, locks_view, "Locks", true)         \
	X(VIEW_MODULES, modules_view, "Modules", true)   \
	X(VIEW_SECTIONS, sections_view, "Sections", true) \
	X(VIEW_STACK, stack_view, "Stack", false)        \
	X(VIEW_SOURCE, source_view, "Source", false)     \
	X(VIEW_SECTION, section_view, "Section", false)  \
	X(VIEW_HELP, help_view, "Help", false)

#define X_ENUM(id, ops, title, pane) id,
enum view_id { VIEWS(X_ENUM) VIEW_COUNT };
#undef X_ENUM

/* What Enter on a text line opens. */
enum target { TGT_NONE, TGT_THREAD, TGT_FRAME, TGT_LOCK, TGT_FINDING, TGT_SECTION };

struct tline {
	const char *text;
	int style;
	enum target target;
	size_t a, b;           /* thread/lock/finding/section index; frame index for TGT_FRAME */
	const char *frame;     /* a suffix of text naming a frame ("Pool.take at Pool.java:88"), or
				  NULL: cut, it loses its start, not its end (view_line_frame) */
};

struct browser;
struct view;

/* A row of the stack view: frame FRAME, or the dump's note NOTE under it (-1: the frame). */
struct stack_row {
	size_t frame;
	long note;
};

struct view_ops {
	enum view_id id;
	/* Builds what the view shows (lines, nlines, title) from v->thread etc. */
	void (*open)(struct view *v);
	/* Draws line LINE at ROW, WIDTH columns; NULL draws the tline. */
	void (*draw)(struct view *v, size_t line, int row, int width, bool selected);
	/* Handles a request first; returns true when handled (NULL: none). */
	bool (*request)(struct view *v, enum request req);
	/* Moves to the next search hit in direction DIR; NULL: search the tlines. */
	void (*find)(struct view *v, int dir);
	/* Draws the line under the panes at ROW; NULL draws v->title. */
	void (*heading)(struct view *v, int row, int width);
	/* Status text (position, sort, filter), appended to OUT; NULL: "line N/M". */
	void (*status)(struct view *v, struct strbuf *out);
	/* Whether open wraps text to b->width (rebuilt after a resize). */
	bool wraps;
	/* Frees what open allocated outside the browser's arena; may be NULL. */
	void (*release)(struct view *v);
};

#define X_DECLARE(id, ops, title, pane) extern const struct view_ops ops;
VIEWS(X_DECLARE)
#undef X_DECLARE

struct view {
	const struct view_ops *ops;
	struct browser *b;
	size_t cursor, top;
	size_t nlines;
	struct tline *lines;   /* text views: heap array of nlines */
	size_t lines_alloc;
	const char *title;     /* the line under the panes (column headings or what this is) */
	const char *subtitle;  /* a second such line, or NULL ("waits for LOCK held by THREAD") */
	const char *subtitle_tail; /* the suffix of subtitle never cut ("held by THREAD"), or NULL */
	size_t thread, frame;  /* stack: the thread; source: thread and frame */
	size_t section;        /* section view */
	char *path;            /* source view: the file shown (malloc'ed) */
	int colw;              /* stack view: widest function name */
	int srcw;              /* stack view: widest "file:line" */
	struct stack_row *srows; /* stack view: a row per frame and per note under it (malloc'ed);
				    NULL when the thread has no notes (row i is frame i) */
	/* search over tlines, computed once per pattern */
	unsigned hits_gen;
	bool *hits;
};

#define PANE_DEPTH 8

struct pane {
	enum view_id id;
	struct view *stack[PANE_DEPTH];
	int depth;
};

struct browser {
	struct dump *d;
	const struct mortem_opts *o;
	struct tmodel model;
	struct arena *arena;   /* strings of the views' lines */
	struct pane panes[VIEW_COUNT];
	size_t npanes, cur;
	struct strbuf message;
	int message_style;
	struct tregex *search; /* the last search pattern */
	unsigned search_gen;   /* bumped on each new pattern */
	int search_dir;        /* 1 after '/', -1 after '?' */
	bool quit;
	int height;            /* content rows */
	int first_row;         /* the screen row of the first content row (after the headings) */
	int width;             /* columns; views that wrap text are rebuilt when it changes */
};

/* Opens view ID (for THREAD/FRAME/SECTION where it needs them) on top of the current pane. */
struct view *browser_push(struct browser *b, enum view_id id, size_t thread, size_t frame);
/* Sets the status-line message (printf-style). */
void browser_message(struct browser *b, int style, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- helpers for text views (view.c) ---- */

/* Appends a line (text printf-style, kept in the browser's arena). */
struct tline *view_add(struct view *v, int style, enum target t, size_t a, size_t b,
		       const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/*
 * Appends TEXT (several lines when it holds newlines) wrapped at spaces to
 * the browser's width, after LABEL on the first line and as much blank
 * space on the others.
 */
void view_add_wrapped(struct view *v, int style, const char *label, const char *text);
/* Puts the cursor on LINE and scrolls so it shows (centred when MIDDLE). */
void view_select(struct view *v, size_t line, bool middle);
/* The first line whose target is T with index A, or SIZE_MAX. */
size_t view_find_target(const struct view *v, enum target t, size_t a);
/*
 * The suffix of TEXT a cut must keep: a frame's " at FILE:LINE" at its end
 * (no blank in FILE), or NULL.
 */
const char *view_line_tail(const char *text);
/* Marks the end of L's text from FRAME (a frame's short text L ends with) as a frame. */
void view_line_frame(struct tline *l, const char *frame);
/*
 * Draws a tline (the default draw): cut with an ellipsis, view_line_tail
 * kept whole; a line's frame keeps the end of its name.
 */
void view_draw_tline(struct view *v, size_t line, int row, int width, bool selected);
/* The default find: next tline matching the browser's pattern in DIR. */
void view_find_lines(struct view *v, int dir);
/* The style of a severity. */
int severity_style(enum severity s);
/* A thread as "ID "name" STATE" in the browser's arena. */
const char *thread_with_state(struct browser *b, const struct thread *t);
/* A thread as "ID "name"". */
const char *thread_short(struct browser *b, const struct thread *t);

#endif
