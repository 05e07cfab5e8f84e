#ifndef MORTEM_GDBFRAME_H
#define MORTEM_GDBFRAME_H

/*
 * The frame-line and thread-header grammar that gdb prints and that
 * pstack/gstack, pt-pmp and `info threads` repeat, scanned once here for
 * the gdb, pstack and lldb parsers. Scanners never allocate: they return
 * spans into the caller's line; gdbframe_fill() copies into the dump.
 *
 *   #N  0xPC in FUNC (ARGS) at FILE:LINE[:COL]
 *   #N  FUNC (ARGS) at FILE:LINE                 (no pc: inline caller / line start)
 *   #N  0xPC in FUNC () from /lib/module.so
 *   #N  0xPC in FUNC at FILE:LINE:COL            (pt-pmp eu-stack renderer: no args)
 *   #N  <signal handler called>
 *   #N  0xPC in ?? ()
 */

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/model/dump.h"
#include "parsers/text/text.h"

struct gdbframe {
	uint64_t no;              /* the #N */
	bool has_pc;
	uint64_t pc;
	struct span function;     /* empty when unknown ("??") */
	bool has_args;
	struct span args;         /* inside the parentheses */
	bool args_open;           /* the argument list did not close on this line */
	struct span file;         /* empty when none */
	int line, column;
	struct span module;       /* "from MODULE"; empty when none */
	bool signal;              /* <signal handler called> */
	struct span next;         /* a second "#N ..." glued to this line, or empty */
};

/*
 * Scans a frame line X ("#N ..." with leading blanks already dropped).
 * Returns false when X is not one.
 */
bool gdbframe_scan(struct span x, struct gdbframe *g);

/* Scans the part after "#N " (also the Frame column of `info threads`). */
void gdbframe_scan_body(struct span x, struct gdbframe *g);



/*
 * From S[0] == '(' to its matching ')': returns the length including both
 * parentheses, or 0 when it does not close within S.
 */
size_t gdbframe_balanced(struct span s);

/* "FILE:LINE[:COL]" (a word); false when it is not one. REST: what follows. */
bool gdbframe_source(struct span x, struct span *file, int *line, int *column, struct span *rest);

/*
 * Copies G into F (function, args, pc, file, line, module, kind); names
 * are interned (dump_intern). The raw line is not kept: everything in it
 * is (f->text stays NULL).
 */
void gdbframe_fill(struct dump *d, struct frame *f, const struct gdbframe *g);

/* dump_intern of a span (NULL for an empty one). */
const char *gdbframe_intern(struct dump *d, struct span x);

/*
 * A gdb thread header's facts: "Thread N (Thread 0x… (LWP M) "name"):",
 * "Thread N (LWP M):", "Thread N (process M):", and the same inside
 * "[Switching to thread N (…)]" and `info threads` rows ("Thread 0x… (LWP M) "name"").
 */
struct gdbthread {
	uint64_t number;          /* gdb's thread number; 0 when absent */
	int64_t lwp;              /* -1 when absent */
	uint64_t pthread;         /* the pthread_t in "Thread 0x… (LWP M)"; 0 when absent */
	struct span name;         /* empty when absent */
	struct span rest;         /* text after the target id (info threads: the frame) */
};

/* Scans "Thread N (TARGET)…" at the front of X. */
bool gdbframe_thread_header(struct span x, struct gdbthread *t);

/* Scans a target id ("Thread 0x… (LWP M) "name"", "LWP M", "process M") at the front of X. */
bool gdbframe_target_id(struct span x, struct gdbthread *t);

/* The decimal text of a thread's id for T (LWP when known, else gdb's number). */
const char *gdbframe_thread_id(struct dump *d, const struct gdbthread *t);

/*
 * Marks the N FRAMES of one stack that gdb shows without a pc after frame
 * 0: each is the caller an inlined frame was folded into, so the frame
 * before it is inline.
 */
void gdbframe_mark_inlines(struct frame *frames, size_t n);

/* Notes a cut input (it ends inside a line): a warning, and LAST's stack marked cut. */
void gdbframe_note_truncation(struct dump *d, struct thread *last);

#endif
