#ifndef MORTEM_TUI_MODEL_H
#define MORTEM_TUI_MODEL_H

/*
 * What the browser shows of the threads, computed once when it opens: the
 * text of every frame, each thread's top meaningful frame, groups of
 * threads with identical stacks (folded, as fastThread does), and the rows
 * of the threads view for the current sort, filter and folding. Moving the
 * cursor recomputes nothing; a new sort, filter or search pattern rebuilds
 * only what it changes (one pass over the threads).
 *
 * Pure: no curses here, so unit tests drive it directly.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/model/dump.h"
#include "analyzer/lib/strbuf.h"
#include "tui/search.h"

/* Sort orders of the threads view, in the order `s` cycles through them. */
#define THREAD_SORTS(X)                       \
	X(SORT_NATURAL, "dump order")         \
	X(SORT_GROUP, "biggest group first")  \
	X(SORT_STATE, "state")                \
	X(SORT_NAME, "name")                  \
	X(SORT_DEPTH, "deepest stack first")

#define X_ENUM(e, s) e,
enum thread_sort { THREAD_SORTS(X_ENUM) THREAD_SORT_COUNT };
#undef X_ENUM

const char *thread_sort_name(enum thread_sort s);

/* Marks on a thread row. */
enum {
	MARK_CRASHED = 1,  /* the crashing thread */
	MARK_CYCLE = 2,    /* in a lock cycle (lock-cycle, unwinder-loader-deadlock findings) */
	MARK_FINDING = 4,  /* named by any other finding */
};

struct tthread {
	struct thread *t;
	const char *header;        /* "ID NAME STATE": what search and filter see first */
	const char *state;         /* the state without its "(on object monitor)" detail; "-" unknown */
	const char **frame_text;   /* one line per frame, "function (module) at file:line" */
	const char *top;           /* the top meaningful frame, short (Java packages abbreviated:
				      "o.a.a.Foo.bar"); "" when no frames */
	size_t top_frame;          /* its index in t->frames (0 when none) */
	const char *waits_in;      /* "in pthread_mutex_lock" when frames above top_frame are
				      lock/sleep plumbing, else NULL */
	int group;                 /* index in groups, -1 when its stack is unique */
	unsigned marks;
};

struct tgroup {
	size_t *members;           /* thread indices, dump order */
	size_t n;
	size_t nvisible;           /* members that pass the filter */
	bool expanded;
};

enum trow_kind { TROW_THREAD, TROW_GROUP };

struct trow {
	enum trow_kind kind;
	size_t index;              /* thread or group index */
	bool member;               /* a thread shown under its expanded group */
};

struct tmodel {
	struct dump *d;
	struct arena *arena;       /* the model's own strings */
	struct tthread *th;
	size_t n;
	struct tgroup *groups;
	size_t ngroups;

	enum thread_sort sort;
	struct tregex *filter;     /* NULL: every thread */
	bool *visible;

	struct trow *rows;         /* the threads view, top to bottom */
	size_t nrows;
	size_t *flat;              /* visible threads in row order, groups unfolded */
	size_t nflat;
	size_t *flat_pos;          /* thread index -> position in flat, SIZE_MAX when hidden */

	struct tregex *search;     /* NULL: no search */
	uint32_t *hit_start;       /* per thread: first index in hits */
	uint32_t *hit_count;       /* per thread: number of hits */
	uint32_t *hits;            /* line numbers: 0 the header, 1 + i frame i */
	size_t nhits, hit_threads;

	int id_w, name_w, state_w; /* widest id, name, state (capped) */
	size_t max_group;          /* members of the biggest group (0: no groups) */
	bool has_names, has_states; /* whether any thread has a name, a state */
};

/*
 * Builds the model of D (which must outlive it): frame texts, top frames,
 * marks from the crash and the findings, groups; rows in dump order.
 */
void tmodel_init(struct tmodel *m, struct dump *d);
void tmodel_release(struct tmodel *m);

/*
 * Appends NAME to OUT with the package part of a Java method name
 * abbreviated to initials: "org.apache.Foo.bar" -> "o.a.Foo.bar". Names
 * without a lower-case dotted prefix are appended as they are.
 */
void java_abbreviate(const char *name, struct strbuf *out);

/* Sets the sort order and rebuilds the rows. */
void tmodel_sort(struct tmodel *m, enum thread_sort s);

/*
 * Shows only threads whose header or a frame matches PATTERN ("" or NULL:
 * all threads). Returns 0, or -1 with the regex error in ERR (filter unchanged).
 */
int tmodel_filter(struct tmodel *m, const char *pattern, struct strbuf *err);

/* Folds or unfolds group G and rebuilds the rows. */
void tmodel_toggle_group(struct tmodel *m, size_t g);

/*
 * The row showing thread TI, unfolding its group when folded; SIZE_MAX
 * when the filter hides it.
 */
size_t tmodel_reveal(struct tmodel *m, size_t ti);

/* The thread a row stands for (a group: its first visible member). */
size_t tmodel_row_thread(const struct tmodel *m, size_t row);

/*
 * Searches every thread's header and frames for PATTERN once, keeping the
 * hits. "" or NULL clears. Returns 0, or -1 with the regex error in ERR.
 */
int tmodel_search(struct tmodel *m, const char *pattern, struct strbuf *err);

/*
 * The next hit after (*TI, *LINE) (DIR > 0) or before it (DIR < 0), moving
 * across threads in row order and wrapping around. Lines are 0 for the
 * thread header and 1 + i for frame i; LINE may be -1 ("before the
 * header"). Returns false when there is no hit at all; sets *WRAPPED when
 * it went past the end.
 */
bool tmodel_next_hit(const struct tmodel *m, size_t *ti, long *line, int dir, bool *wrapped);

/* Whether line LINE of thread TI is a hit. */
bool tmodel_is_hit(const struct tmodel *m, size_t ti, long line);

/*
 * Where the source file of frame F is on this machine, trying each entry
 * of ROOTS (--source-path) in order: OLD=NEW maps a build path (a FILE
 * under OLD is looked for under NEW); a plain DIR is a source root where
 * the file is looked for as a relative path, by its Java package path
 * (com/acme/Bank.java for com.acme.Bank.transfer), by its name, then by
 * name anywhere below DIR (the match sharing most of the frame's path);
 * then the frame's own path. Returns a malloc'ed path that exists, or NULL.
 */
char *tui_source_resolve(const struct frame *f, const char *const *roots, size_t nroots);

#endif
