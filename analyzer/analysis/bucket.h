#ifndef MORTEM_BUCKET_H
#define MORTEM_BUCKET_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer/model/dump.h"
#include "analyzer/lib/strbuf.h"

/*
 * Crash signatures and buckets (SPEC.md; README.md "Signatures and
 * buckets").
 *
 * - A crash: "SIGNAL in f1 < f2 < f3", the first SIGNATURE_FRAMES
 *   meaningful frames of the crashing thread (see thread_crash_start and
 *   frame_is_noise), each normalized by frame_normalize.
 * - A hang with a lock cycle (a "lock-cycle" finding) and no crash:
 *   "deadlock: f1 ⇄ f2 ...", each cycle thread's first frame that is neither
 *   noise nor lock plumbing, sorted, so the text does not depend on which
 *   thread the cycle starts from.
 * - Neither: "FINDING-ID: f1 < f2" from the most severe finding and its first
 *   thread; with no finding at all, no signature (JSON null).
 *
 * The bucket is 16 hex digits of a 64-bit FNV-1a digest of the signature.
 * Only function names enter it (never addresses, offsets, files or lines),
 * so two runs (ASLR), two builds and two JDK updates agree. -O0 and -O2
 * builds agree when the unwinder reports inlined frames (libdw does from
 * DWARF) and compiler clone suffixes (.constprop.0, .isra.0, .part.0,
 * .cold, [clone ...]) are dropped.
 *
 * bucket_compute (an analysis stage, see analyze.h) sets d->signature,
 * d->bucket and d->crash->frame.
 */

#define SIGNATURE_FRAMES 3

/* Whether F carries no identity (abort/raise, assert plumbing, signal trampolines, JVM error reporting...). */
bool frame_is_noise(const struct frame *f);

/* Whether F is a signal-delivery trampoline (__restore_rt, "<signal handler called>", kind signal). */
bool frame_is_trampoline(const struct frame *f);

/*
 * Whether F is where signal-handler code starts: a trampoline, or a
 * function known to run as (or inside) a signal handler (signalHandler,
 * ProfileHandler::SignalHandler, Profiler::recordSample...). Frames inner
 * to it (lower index) run inside the handler.
 */
bool frame_is_handler_entry(const struct frame *f);

/*
 * Index of the first frame of T that belongs to the failure itself: after
 * a signal trampoline when every frame above it is error reporting (a
 * crash handler that caught the fault); 0 otherwise.
 */
size_t thread_crash_start(const struct thread *t);

/*
 * Appends F's function name normalized for bucketing to OUT: no addresses,
 * offsets, parameter lists, template arguments, clone suffixes,
 * lambda/proxy/accessor/JIT numbering. Unknown functions become
 * "?? (module)" with the module's version suffix dropped.
 */
void frame_normalize(const struct frame *f, struct strbuf *out);

/* The first meaningful frame of T (from thread_crash_start), or NULL. */
const struct frame *thread_top_frame(const struct thread *t);

/* The crashing thread: d->crash->thread, else the first thread marked crashed, else NULL. */
struct thread *bucket_crash_thread(const struct dump *d);

/*
 * Appends T's first N frames that are its own code (neither noise nor lock
 * or wait plumbing such as __lll_lock_wait, pthread_mutex_lock,
 * Unsafe.park), normalized, joined by " < "; "??" when there is none.
 */
void thread_own_frames(const struct thread *t, int n, struct strbuf *out);

/* 16 lowercase hex digits of a 64-bit digest of S. Writes 17 bytes to OUT. */
void bucket_digest(const char *s, size_t len, char out[17]);

#endif
