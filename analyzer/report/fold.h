#ifndef MORTEM_FOLD_H
#define MORTEM_FOLD_H

/*
 * How threads are shown to a person reading top to bottom, for every
 * renderer (the text report, the browser): which frames are the user's
 * own, runs of repeated frames (recursion), threads with the same stack,
 * a thread in one line, and the word for a thread's state. Pure: reads
 * the dump, never changes it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/lib/strbuf.h"
#include "analyzer/model/dump.h"

/*
 * Whether F is the user's own code rather than system code (the model's
 * frame_in_app: the C library, the loader, the C++ runtime and code
 * inlined from its headers, a VM and its class library, and a user's
 * [in-app]/[system] rules). Renderers show system frames shortened and
 * dimmed, never drop them. The one place renderers ask.
 */
bool fold_in_app(const struct frame *f);

/* Whether A and B are the same place in the code (function, module, file, line, offset, kind). */
bool fold_same_place(const struct frame *a, const struct frame *b);

/*
 * A run of repeats in a stack: from frame START, a block of PERIOD frames
 * (1 to FOLD_MAX_PERIOD) repeated COUNT times in a row (at least
 * FOLD_MIN_REPEATS), LEN = PERIOD * COUNT frames in all.
 */
#define FOLD_MAX_PERIOD 4
#define FOLD_MIN_REPEATS 5
struct fold_run {
	size_t start, period, count, len;
};
/* The run that starts at frame I of T (the shortest period that repeats), or false. */
bool fold_run_at(const struct thread *t, size_t i, struct fold_run *run);

/* Whether threads A and B have the same stack (fold_same_place frame by frame). */
bool fold_same_stack(const struct thread *a, const struct thread *b);
/* A hash of T's stack that fold_same_stack agrees with (equal stacks, equal hashes). */
uint64_t fold_stack_hash(const struct thread *t);

/*
 * T in one line, what it sits in and the user's code that called it:
 * "pthread_cond_wait < worker pool.cpp:42", "compute matrix.c:12",
 * "Object.wait < com.acme.Pool.take Pool.java:88"; "(no frames)" when it
 * has none. Appended to OUT.
 */
void fold_thread_brief(const struct thread *t, struct strbuf *out);
/*
 * The frame of T a reader knows it by: the user's code that called what it
 * waits in, else its first frame of the user's code, else its top
 * meaningful frame; NULL when it has no frames.
 */
const struct frame *fold_thread_own(const struct thread *t);
/* One frame as fold_thread_brief writes it: "worker pool.cpp:42", "memcpy (libc.so.6)". */
void fold_frame_brief(const struct frame *f, struct strbuf *out);

/*
 * The word for a thread's state, whatever the dump's spelling, so that one
 * state is counted once: "RUNNABLE" and "runnable" -> "runnable",
 * "TIMED_WAITING (parking)" -> "timed waiting", "waiting on condition" ->
 * "waiting", "S (sleeping)" -> "sleeping", "_thread_blocked" -> "blocked".
 * NULL (unknown) appends nothing.
 */
void fold_state_word(const char *state, struct strbuf *out);

#endif
