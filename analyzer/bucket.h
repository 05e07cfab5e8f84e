#ifndef MORTEM_BUCKET_H
#define MORTEM_BUCKET_H

#include <stdbool.h>

#include "dump.h"
#include "strbuf.h"

/*
 * Crash signatures and buckets (SPEC.md). The signature is the crash signal
 * plus the first meaningful frames of the crashing thread; the bucket is a
 * stable hex digest of its normalized form.
 *
 * bucket_compute (an analysis stage, see analyze.h) sets d->signature,
 * d->bucket and d->crash->frame.
 */

/* Whether F carries no identity (abort/raise, assert plumbing, signal trampolines...). */
bool frame_is_noise(const struct frame *f);

/*
 * Appends F's function name normalized for bucketing to OUT: no addresses,
 * offsets, parameter lists, template arguments, lambda/proxy/JIT numbering.
 */
void frame_normalize(const struct frame *f, struct strbuf *out);

/* The first meaningful frame of T, or NULL. */
const struct frame *thread_top_frame(const struct thread *t);

/* 16 lowercase hex digits of a 64-bit digest of S. Writes 17 bytes to OUT. */
void bucket_digest(const char *s, size_t len, char out[17]);

#endif
