#ifndef MORTEM_THREAD_H
#define MORTEM_THREAD_H

/*
 * Every thread_* call: building a thread's stack and its locks (parsers),
 * and asking what its frames mean (the analysis, renderers and browser),
 * through the frame vocabulary of frame.h. struct thread is in dump.h,
 * which includes this header.
 */

#include <stddef.h>

#include "analyzer/lib/strbuf.h"
#include "analyzer/model/dump.h"
#include "analyzer/model/frame.h"

/* ---- building ---- */

/* T's registers for a parser to fill in: made (zeroed, valid false) on the first call. */
struct thread_regs *thread_regs(struct dump *d, struct thread *t);

/*
 * Appends an empty frame to T (kind native, trust none) and returns it. The
 * pointer stays valid until the next thread_add_frame on the same thread.
 * When d->max_frames is reached, returns NULL and marks the thread truncated.
 */
struct frame *thread_add_frame(struct dump *d, struct thread *t);

/*
 * Sets T's frames to a copy of the N frames at FRAMES (replacing any it
 * had) in one allocation: for parsers that collect a stack before
 * storing it. Honours d->max_frames as thread_add_frame does (keeps the
 * first max_frames, marks the thread truncated, warns once).
 */
void thread_set_frames(struct dump *d, struct thread *t, const struct frame *frames, size_t n);

/*
 * As thread_set_frames, but when a thread of D already holds the same N
 * frames (every field equal: a pool of a thousand threads often has one
 * stack), T points at that array instead of a copy, and both threads are
 * marked frames_shared. Either way T's frames become read-only (its
 * frames_alloc is 0): thread_add_frame and thread_set_frames give T an
 * array of its own before they change anything; nothing else may write them.
 */
void thread_share_frames(struct dump *d, struct thread *t, const struct frame *frames, size_t n);
/*
 * T's frames, an array in D's arena (a part's thread, dump_adopt_part),
 * into D's stacks as thread_share_frames would: T shares the array of an
 * equal stack D has, or its array becomes one of D's stacks (read-only).
 * A part's parse shares stacks within the part only.
 */
void thread_adopt_frames(struct dump *d, struct thread *t);

/*
 * Keeps the LEN bytes at TEXT (copied) as a line the dump printed under
 * frame FRAME of T ("- locked <0x..> (a java.lang.Object)"), for views
 * that show the stack as the dump did. No-op for a detached T and when D
 * does not keep notes (keep_notes: the browser's dumps only).
 */
void thread_add_note(struct dump *d, struct thread *t, size_t frame, const char *text, size_t len);

/* Thread T waits on L (sets waiting_on, adds T to L's waiters once). No-op for a detached T. */
void thread_wait_on(struct dump *d, struct thread *t, struct lock *l);
/* Thread T holds L (adds to holds once; sets L's owner when it has none). No-op for a detached T. */
void thread_hold(struct dump *d, struct thread *t, struct lock *l);

/* ---- asking ---- */

struct ptrmemo;
/*
 * ASK(T), a question about T's frames alone (a yes or no answers 1 or 0),
 * asked once per shared frames array (a pool's threads share one,
 * thread_share_frames): MEMO (analyzer/lib/ptrmemo.h) keeps the answers.
 */
size_t thread_frames_ask(struct ptrmemo *memo, const struct thread *t,
			 size_t (*ask)(const struct thread *t));

/*
 * Index of the first frame of T that belongs to the failure itself: after
 * a signal trampoline when every frame above it is error reporting (a
 * crash handler that caught the fault: FRAME_AFTER_FAULT, or unnamed), or
 * when T is inside what a crash handler calls after the fault (its first
 * named frame is ROLE_REPORTER_AID: waitpid, fork) whatever handler code
 * called it; 0 otherwise.
 */
size_t thread_crash_start(const struct thread *t);

/*
 * Where T crashed or blocks: its first frame from thread_crash_start that
 * is not noise, whoever's code it is (strlen, Unsafe_PutLong,
 * pthread_mutex_lock); frame 0 when all are noise; NULL when T has none.
 */
const struct frame *thread_site_frame(const struct thread *t);

/*
 * The first frame of T from FROM that is in-app (frame_in_app) and has
 * none of the roles in SKIP; NULL when there is none.
 */
const struct frame *thread_app_frame(const struct thread *t, size_t from, unsigned skip);

/*
 * The frame a reader should look at first: the first in-app frame from
 * thread_crash_start that is not noise (deposit() under std::mutex::lock
 * and pthread_mutex_lock; Crash.writeSlot under Unsafe_PutLong); when T
 * has no in-app frame there, or it crashed inside a VM's own call path
 * (a VM frame called by another: a VM bug whatever Java code ran),
 * thread_site_frame. NULL when T has no frames.
 */
const struct frame *thread_top_frame(const struct thread *t);

/*
 * Appends T's first N frames that are its own code, joined by " < ":
 * in-app frames (frame_in_app) that are neither noise nor FRAME_BLOCKING
 * plumbing; when T has no such frame, any frame that is neither (as
 * before in-app frames existed: a JVM's own threads). Each is named by
 * frame_signature_name (D: the dump T is in, for build ids; may be NULL).
 * "??" when there is none.
 */
void thread_own_frames(const struct dump *d, const struct thread *t, int n, struct strbuf *out);

/*
 * Where a blocked thread waits, for people: its first frame with a
 * function name that is neither noise nor FRAME_LOCKING; frame 0 when
 * there is none; NULL for a thread without frames.
 */
const struct frame *thread_wait_frame(const struct thread *t);

/*
 * Appends where T waits in its own code, for people: "at deposit(long)
 * bank.cpp:74" (its first in-app frame that is neither noise nor lock
 * plumbing, else thread_wait_frame), "at bank+0x24b3" for a stripped build.
 * Appends nothing and returns false when no frame says.
 */
bool thread_where(const struct thread *t, struct strbuf *out);

/*
 * T as a reader names it, the one way every report and view does: its id,
 * and its name in quotes when it has one that differs (15331 "worker").
 * thread_describe is the same in a sentence: thread 15331 "worker".
 */
void thread_label(const struct thread *t, struct strbuf *out);
void thread_describe(const struct thread *t, struct strbuf *out);

#endif
