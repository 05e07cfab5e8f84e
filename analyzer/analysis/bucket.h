#ifndef MORTEM_BUCKET_H
#define MORTEM_BUCKET_H

#include <stddef.h>

#include "analyzer/lib/strbuf.h"
#include "analyzer/model/dump.h"
#include "analyzer/model/options.h"

/*
 * Crash signatures and buckets (doc/json.md, "signature" and "bucket").
 *
 * - A crash: "SIGNAL in SITE < f2 < f3": the crashing thread's first
 *   meaningful frame (from thread_crash_start, skipping noise: the frame
 *   vocabulary of analyzer/model/frame.h), then its next in-app frames
 *   (frame_in_app), SIGNATURE_FRAMES in all; a stack without in-app frames
 *   gives its first SIGNATURE_FRAMES meaningful frames. Each is named by
 *   frame_signature_name (a stripped frame: module@build-id+offset).
 * - A hang with a lock cycle (a "lock-cycle" finding) and no crash:
 *   "deadlock: f1 ⇄ f2 ...", each cycle thread's first own in-app frame
 *   (thread_own_frames), sorted, so the text does not depend on which
 *   thread the cycle starts from.
 * - Neither: "FINDING-ID in f1 < f2" from the most severe finding and its
 *   first thread; with no finding at all, no signature (JSON null).
 *
 * The bucket is 16 hex digits of a 64-bit digest of the signature. Only
 * function names enter it (never addresses, offsets, files or lines), so
 * two runs (ASLR), two builds and two JDK updates agree. -O0 and -O2
 * builds agree when the unwinder reports inlined frames (libdw does from
 * DWARF) and compiler clone suffixes (.constprop.0, .isra.0, .part.0,
 * .cold, [clone ...]) are dropped.
 */

#define SIGNATURE_FRAMES 3

/* The analysis stage (analyze.h): sets d->signature, d->bucket and d->crash->frame. */
int bucket_compute(struct dump *d, const struct mortem_opts *o, struct strbuf *err);

/* 16 lowercase hex digits of a 64-bit digest of S. Writes 17 bytes to OUT. */
void bucket_digest(const char *s, size_t len, char out[17]);

#endif
