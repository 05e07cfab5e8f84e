#include "analyzer/analysis/bucket.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analysis/analyze.h"

void bucket_digest(const char *s, size_t len, char out[17])
{
	uint64_t h = hash_fnv1a(s, len);
	/* a second, independent round so near-identical inputs spread */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* ---- signatures ---- */

/*
 * Appends " in SITE < A1 < A2": the crash site (T's first meaningful frame,
 * whoever's code it is), then its in-app frames, when the frame a reader
 * should look at (thread_top_frame) is in-app; else (no in-app frame, a
 * crash inside a VM's own code) its first N meaningful frames. Returns
 * that frame, NULL for no thread.
 */
static const struct frame *add_frames(const struct dump *d, const struct thread *t, int n, struct strbuf *sig)
{
	if (!t)
		return NULL;
	size_t start = thread_crash_start(t);
	const struct frame *top = thread_top_frame(t);
	bool app = top && frame_in_app(top);
	int k = 0;
	for (size_t i = start; i < t->nframes && k < n; i++) {
		const struct frame *f = &t->frames[i];
		if (frame_is_noise(f) || (k && app && !frame_in_app(f)))
			continue;
		size_t before = sig->len;
		strbuf_adds(sig, k ? " < " : " in ");
		size_t name = sig->len;
		frame_signature_name(d, f, sig);
		if (sig->len == name || (k && !strcmp(sig->buf + name, "??"))) {
			sig->len = before; /* nothing left after normalizing */
			sig->buf[before] = '\0';
			continue;
		}
		k++;
	}
	return top;
}

static void crash_signature(struct dump *d, struct strbuf *sig)
{
	const struct thread *t = dump_crash_thread(d);
	if (d->crash && d->crash->signal)
		strbuf_adds(sig, d->crash->signal);
	else if (d->crash && d->crash->reason)
		strbuf_adds(sig, d->crash->reason);
	else
		strbuf_adds(sig, "crash");
	const struct frame *top = add_frames(d, t, SIGNATURE_FRAMES, sig);
	if (top && d->crash && !d->crash->frame) {
		struct strbuf s = STRBUF_INIT;
		frame_describe(top, &s);
		d->crash->frame = dump_strdup(d, s.buf);
		strbuf_release(&s);
	}
}

static char *waiting_frame(const struct dump *d, const struct thread *t)
{
	struct strbuf sb = STRBUF_INIT;
	thread_own_frames(d, t, 1, &sb);
	return strbuf_detach(&sb, NULL);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void cycle_signature(const struct dump *d, const struct finding *f, struct strbuf *sig)
{
	char **names = xcalloc(f->nthreads ? f->nthreads : 1, sizeof(*names));
	for (size_t i = 0; i < f->nthreads; i++)
		names[i] = waiting_frame(d, f->threads[i]);
	qsort(names, f->nthreads, sizeof(*names), cmp_str);
	strbuf_adds(sig, "deadlock: ");
	for (size_t i = 0; i < f->nthreads; i++) {
		strbuf_addf(sig, "%s%s", i ? " \xe2\x87\x84 " : "", names[i]);
		free(names[i]);
	}
	free(names);
}

static const struct finding *top_finding(const struct dump *d)
{
	const struct finding *best = NULL;
	for (size_t i = 0; i < d->nfindings; i++)
		if (!best || d->findings[i]->severity < best->severity)
			best = d->findings[i];
	return best;
}

int bucket_compute(struct dump *d, const struct mortem_opts *o, struct strbuf *err)
{
	(void)o;
	(void)err;
	if (d->signature)
		return 0; /* an earlier stage already named it */
	struct strbuf sig = STRBUF_INIT;
	const struct finding *cycle = dump_find_finding(d, "lock-cycle");
	const struct finding *top = top_finding(d);
	if (d->crash || dump_crash_thread(d)) {
		crash_signature(d, &sig);
	} else if (cycle) {
		cycle_signature(d, cycle, &sig);
	} else if (top) {
		strbuf_adds(&sig, top->id);
		if (top->nthreads) {
			strbuf_adds(&sig, " in ");
			thread_own_frames(d, top->threads[0], 2, &sig);
		}
	} else {
		return 0; /* nothing to name: signature and bucket stay null */
	}
	char hex[17];
	bucket_digest(sig.buf, sig.len, hex);
	d->signature = dump_strdup(d, sig.buf);
	d->bucket = dump_strdup(d, hex);
	strbuf_release(&sig);
	return 0;
}
