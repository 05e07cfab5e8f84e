#ifndef MORTEM_GDBTEXT_H
#define MORTEM_GDBTEXT_H

/*
 * The line-driven state machine for text gdb prints — `thread apply all
 * bt [full]`, a bare `bt`, interactive sessions, `info threads`, core
 * preambles — shared by the gdb parser and the Linux pstack/gstack parser
 * (which is gdb's output filtered to its "Thread" and "#" lines).
 *
 * Usage: gdbtext_init, gdbtext_line for every line, gdbtext_finish once.
 * The caller may call gdbtext_marker where its format shows that a new
 * dump begins (a shell prompt running pstack, "==> PID <=="): the next
 * thread then starts a new snapshot.
 */

#include <stddef.h>

#include "analyzer/model/dump.h"
#include "analyzer/lib/strbuf.h"
#include "parsers/text/gdbframe.h"
#include "parsers/text/text.h"

/* A lock owner gdb printed: `(gdb) p EXPR` then `$1 = {__data = {… __owner = N …`. */
struct gdbtext_owner {
	struct span expr;            /* what was printed */
	int64_t owner;               /* the TID in __owner / __cur_writer */
	struct thread *thread;       /* gdb's current thread when it was printed, or NULL */
	struct gdbtext_owner *next;
};

struct gdbtext {
	struct dump *d;
	struct thread *thread;       /* the thread frames go to, or NULL */
	int64_t last_no;             /* its last frame number; -1 before the first */
	bool replace_frames;         /* the next "#0" replaces the current thread's frames */
	bool interactive;            /* a "(gdb)" prompt was seen */
	bool want_snapshot;          /* a marker: the next thread begins a new snapshot */
	int64_t marker_pid;          /* the pid the marker named, or -1 */
	size_t snapshot_threads;     /* threads added to the current snapshot */
	bool in_info_threads;        /* inside an `info threads` table */
	bool in_modules;             /* inside an `info sharedlibrary` table */
	bool crash_seen;             /* "Program terminated with signal" was read */
	struct span pending;         /* a crash-location "#0" printed before any thread */
	int64_t current_lwp;         /* "[Current thread is N (… (LWP M))]", else -1 */
	const char *thread_one;      /* id of gdb's thread 1 in this snapshot */
	uint64_t crash_pc;
	bool has_crash_pc;
	struct strbuf joined;        /* the last frame line, for continuation lines */
	struct frame *frames;        /* the current thread's stack, stored when it is complete */
	size_t nframes, frames_alloc;
	struct span last_text;       /* the last frame line as read */
	bool last_open;              /* the last frame's argument list is still open */
	bool headers;                /* this snapshot's threads came with "Thread N (…)" headers */
	bool orphan;                 /* frames after a complete listing, without a header: dropped */
	bool frame_command;          /* after `frame N`/`up`/`down`: its frame line is not a stack */
	struct span print_expr;      /* the last `(gdb) p EXPR`, until its value is read */
	struct gdbtext_owner *owners;/* printed owners, resolved at the end */
	const char *cut_end;         /* end of the input when it ends inside a line, else NULL */
	bool at_cut;                 /* the line being read is that cut last line */
};

/* DATA/LEN: the whole input the lines come from (to know its cut last line). */
void gdbtext_init(struct gdbtext *g, struct dump *d, const void *data, size_t len);
/* Reads one line (a whole line, CR and LF stripped). */
void gdbtext_line(struct gdbtext *g, struct span line);
/* A new dump begins with the next thread; PID (or -1) is its process. */
void gdbtext_marker(struct gdbtext *g, int64_t pid);
/*
 * For formats with their own frame grammar (Solaris pstack, HotSpot SA):
 * begins a thread with ID (copied; NULL: its number) and TID (or -1),
 * honouring markers; and appends a frame to the current thread (a thread
 * is begun when there is none). The frame is the thread's once the
 * thread is complete (the next thread, a marker, or the end).
 */
struct thread *gdbtext_begin_thread(struct gdbtext *g, const char *id, int64_t tid);
struct frame *gdbtext_add_frame(struct gdbtext *g);

/*
 * Ends the input: completes the last thread, resolves the crash thread
 * and lock owners, notes truncation, and releases G's buffers.
 */
void gdbtext_finish(struct gdbtext *g);

#endif
