#include "analyzer/model/thread.h"

#include <stddef.h>
#include <string.h>

#include "analyzer/lib/hashmap.h"
#include "analyzer/lib/path.h"
#include "analyzer/lib/ptrmemo.h"

/* ---- building ---- */

/* thread_share_frames' entries (the table's keys): a distinct stack, and the thread that brought it. */
struct shared_stack {
	const struct frame *frames;
	size_t n;
	struct thread *first;
};

struct frame *thread_add_frame(struct dump *d, struct thread *t)
{
	if (t->detached)
		return NULL;
	if (d->max_frames && t->nframes >= d->max_frames) {
		if (!t->frames_truncated)
			dump_warn(d, "thread %s: stack cut at %zu frames", t->id, d->max_frames);
		t->frames_truncated = true;
		return NULL;
	}
	if (t->nframes > t->frames_alloc) { /* read-only (thread_share_frames) */
		struct frame *own = arena_alloc_raw(d->arena, (t->nframes + 16) * sizeof(*own));
		if (t->nframes)
			memcpy(own, t->frames, t->nframes * sizeof(*own));
		t->frames = own;
		t->frames_alloc = t->nframes + 16;
		t->frames_shared = false;
	}
	ARENA_GROW(d->arena, t->frames, t->nframes + 1, t->frames_alloc);
	struct frame *f = &t->frames[t->nframes++];
	memset(f, 0, sizeof(*f));
	return f;
}

void thread_set_frames(struct dump *d, struct thread *t, const struct frame *frames, size_t n)
{
	if (d->max_frames && n > d->max_frames) {
		if (!t->frames_truncated)
			dump_warn(d, "thread %s: stack cut at %zu frames", t->id, d->max_frames);
		t->frames_truncated = true;
		n = d->max_frames;
	}
	if (n > t->frames_alloc || t->nframes > t->frames_alloc) {
		t->frames = arena_alloc_raw(d->arena, n * sizeof(*t->frames));
		t->frames_alloc = n;
		t->frames_shared = false;
	}
	if (n)
		memcpy(t->frames, frames, n * sizeof(*t->frames));
	t->nframes = n;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/* The fields that tell frames apart (frame_equal compares all of them). */
static uint64_t frame_hash(uint64_t h, const struct frame *f)
{
	return mix(h, f->pc ^ (uintptr_t)f->function * 31 ^ (uintptr_t)f->text * 7 ^
			      (uint64_t)(uint32_t)f->line << 40);
}

/*
 * The bytes of a frame's fields: all of it but the padding at its end.
 * frame.h lays the fields out with no gap between them, which these pin.
 */
#define FRAME_FIELD_BYTES (offsetof(struct frame, has_module_offset) + sizeof(bool))
_Static_assert(offsetof(struct frame, line) == 8 * sizeof(uint64_t), "eight words, then line");
_Static_assert(offsetof(struct frame, column) == offsetof(struct frame, line) + sizeof(int), "column");
_Static_assert(offsetof(struct frame, has_pc) == offsetof(struct frame, column) + sizeof(int) + 2,
	       "kind and trust are the two bytes after column");
_Static_assert(offsetof(struct frame, has_offset) == offsetof(struct frame, has_pc) + 1, "has_offset");
_Static_assert(offsetof(struct frame, has_module_offset) == offsetof(struct frame, has_offset) + 1,
	       "has_module_offset");

/* Every field, compared as the bytes they are (a pool's threads compare whole stacks). */
static bool frame_equal(const struct frame *a, const struct frame *b)
{
	return !memcmp(a, b, FRAME_FIELD_BYTES);
}

struct stack_key {
	const struct frame *frames;
	size_t n;
};

static bool stack_eq(const void *key, const void *ctx)
{
	const struct shared_stack *s = key;
	const struct stack_key *k = ctx;
	if (s->n != k->n)
		return false;
	if (!memcmp(s->frames, k->frames, k->n * sizeof(*k->frames)))
		return true; /* the same bytes, padding too (as a parser that zeroes its frames gives) */
	for (size_t i = 0; i < k->n; i++)
		if (!frame_equal(&s->frames[i], &k->frames[i]))
			return false;
	return true;
}

/*
 * D's stack equal to the N frames at FRAMES; when it has none, a new one
 * whose first thread is T, of a copy of them (COPY) or of FRAMES
 * themselves (an array in D's arena). *MADE says whether it is new.
 */
static struct shared_stack *stack_in(struct dump *d, struct thread *t, const struct frame *frames, size_t n,
				     bool copy, bool *made)
{
	hashmap_reserve(&d->stacks);
	uint64_t h = n;
	for (size_t i = 0; i < n; i++)
		h = frame_hash(h, &frames[i]);
	struct stack_key k = { frames, n };
	struct hashmap_slot *slot = hashmap_probe(&d->stacks, h, stack_eq, &k);
	struct shared_stack *ss = (struct shared_stack *)slot->key;
	*made = !ss;
	if (!ss) {
		const struct frame *keep = frames;
		if (copy) {
			struct frame *c = arena_alloc_raw(d->arena, n * sizeof(*c));
			memcpy(c, frames, n * sizeof(*c));
			keep = c;
		}
		ss = arena_alloc(d->arena, sizeof(*ss));
		*ss = (struct shared_stack){ keep, n, t };
		hashmap_fill(&d->stacks, slot, h, ss);
	}
	return ss;
}

void thread_share_frames(struct dump *d, struct thread *t, const struct frame *frames, size_t n)
{
	if (d->max_frames && n > d->max_frames) {
		thread_set_frames(d, t, frames, n); /* cuts and warns */
		return;
	}
	if (!n) {
		thread_set_frames(d, t, frames, 0);
		return;
	}
	bool made;
	struct shared_stack *ss = stack_in(d, t, frames, n, true, &made);
	if (!made)
		ss->first->frames_shared = true;
	t->frames_shared = !made;
	t->frames = (struct frame *)ss->frames;
	t->nframes = n;
	t->frames_alloc = 0;
}

void thread_adopt_frames(struct dump *d, struct thread *t)
{
	if (!t->nframes)
		return;
	bool made;
	struct shared_stack *ss = stack_in(d, t, t->frames, t->nframes, false, &made);
	if (!made && ss->frames != t->frames) {
		ss->first->frames_shared = true;
		t->frames_shared = true;
		t->frames = (struct frame *)ss->frames;
	}
	t->frames_alloc = 0; /* one of D's stacks now: read-only */
}

const struct thread_regs thread_regs_none;

struct thread_regs *thread_regs(struct dump *d, struct thread *t)
{
	if (t->regs == &thread_regs_none)
		t->regs = arena_alloc(d->arena, sizeof(struct thread_regs));
	return (struct thread_regs *)t->regs; /* the arena's, not thread_regs_none */
}

void thread_add_note(struct dump *d, struct thread *t, size_t frame, const char *text, size_t len)
{
	if (t->detached || !d->keep_notes)
		return;
	struct frame_note n = { frame, dump_strndup(d, text, len) };
	DUMP_PUSH(d, t->notes, t->nnotes, t->notes_alloc, n);
}

void thread_wait_on(struct dump *d, struct thread *t, struct lock *l)
{
	if (t->detached)
		return;
	t->waiting_on = l;
	for (size_t i = 0; i < l->nwaiters; i++)
		if (l->waiters[i] == t)
			return;
	DUMP_PUSH(d, l->waiters, l->nwaiters, l->waiters_alloc, t);
}

void thread_hold(struct dump *d, struct thread *t, struct lock *l)
{
	if (t->detached)
		return;
	for (size_t i = 0; i < t->nholds; i++)
		if (t->holds[i] == l)
			return;
	DUMP_PUSH(d, t->holds, t->nholds, t->holds_alloc, l);
	if (!l->owner)
		l->owner = t;
}

/* ---- asking ---- */

size_t thread_crash_start(const struct thread *t)
{
	bool named = false, in_aid = false;
	for (size_t i = 0; i < t->nframes; i++) {
		const struct frame *f = &t->frames[i];
		if (frame_is_trampoline(f))
			return i + 1;
		if (!f->function)
			continue;
		if (!named)
			in_aid = frame_is(f, ROLE_REPORTER_AID); /* a handler's waitpid, fork: it caught a fault */
		named = true;
		if (!in_aid && !frame_is(f, FRAME_AFTER_FAULT))
			return 0;
	}
	return 0;
}

const struct frame *thread_site_frame(const struct thread *t)
{
	for (size_t i = thread_crash_start(t); i < t->nframes; i++)
		if (!frame_is_noise(&t->frames[i]))
			return &t->frames[i];
	return t->nframes ? &t->frames[0] : NULL;
}

const struct frame *thread_app_frame(const struct thread *t, size_t from, unsigned skip)
{
	for (size_t i = from; i < t->nframes; i++)
		if (!frame_is(&t->frames[i], skip) && frame_in_app(&t->frames[i]))
			return &t->frames[i];
	return NULL;
}

/*
 * Whether the crash site of T is inside a VM's own call path (a VM frame
 * called by another: GC, compiler, the VM's allocator), not a VM entry
 * point called from Java (Unsafe_PutLong under Unsafe.putLong).
 */
static bool site_in_vm(const struct thread *t, size_t start)
{
	const struct frame *site = NULL;
	for (size_t i = start; i < t->nframes; i++) {
		const struct frame *f = &t->frames[i];
		if (frame_is_noise(f))
			continue;
		if (site)
			return frame_is_vm(f);
		if (!frame_is_vm(f))
			return false;
		site = f;
	}
	return false;
}

const struct frame *thread_top_frame(const struct thread *t)
{
	size_t start = thread_crash_start(t);
	const struct frame *f = t->crashed && site_in_vm(t, start) ? NULL : thread_app_frame(t, start, FRAME_NOISE);
	return f ? f : thread_site_frame(t);
}

void thread_own_frames(const struct dump *d, const struct thread *t, int n, struct strbuf *out)
{
	int k = 0;
	bool app = thread_app_frame(t, 0, FRAME_NOISE | FRAME_BLOCKING) != NULL;
	for (size_t i = 0; i < t->nframes && k < n; i++) {
		const struct frame *f = &t->frames[i];
		if (frame_is(f, FRAME_NOISE | FRAME_BLOCKING) || (app && !frame_in_app(f)))
			continue;
		size_t before = out->len;
		if (k)
			strbuf_adds(out, " < ");
		size_t name = out->len;
		frame_signature_name(d, f, out);
		if (out->len == name) {
			out->len = before;
			out->buf[before] = '\0';
			continue;
		}
		k++;
	}
	if (!k)
		strbuf_adds(out, "??");
}

const struct frame *thread_wait_frame(const struct thread *t)
{
	for (size_t i = 0; i < t->nframes; i++)
		if (t->frames[i].function && !frame_is(&t->frames[i], FRAME_NOISE | FRAME_LOCKING))
			return &t->frames[i];
	return t->nframes ? &t->frames[0] : NULL;
}

bool thread_where(const struct thread *t, struct strbuf *out)
{
	const struct frame *f = thread_app_frame(t, 0, FRAME_NOISE | FRAME_LOCKING);
	if (!f)
		f = thread_wait_frame(t);
	if (f && !f->function && f->module && f->has_module_offset) { /* a stripped build */
		strbuf_addf(out, "at %s+0x%llx", path_basename(f->module), (unsigned long long)f->module_offset);
		return true;
	}
	if (!f || !f->function)
		return false;
	strbuf_addf(out, "at %s", f->function);
	if (f->file) {
		strbuf_addf(out, " %s", path_basename(f->file));
		if (f->line > 0)
			strbuf_addf(out, ":%d", f->line);
	}
	return true;
}

void thread_label(const struct thread *t, struct strbuf *out)
{
	strbuf_adds(out, t->id);
	if (t->name && strcmp(t->name, t->id))
		strbuf_addf(out, " \"%s\"", t->name);
}

void thread_describe(const struct thread *t, struct strbuf *out)
{
	strbuf_adds(out, "thread ");
	thread_label(t, out);
}

size_t thread_frames_ask(struct ptrmemo *memo, const struct thread *t,
			 size_t (*ask)(const struct thread *t))
{
	size_t v;
	if (!t->frames_shared || !t->nframes)
		return ask(t);
	if (!ptrmemo_get(memo, t->frames, t->nframes, &v)) {
		v = ask(t);
		ptrmemo_put(memo, t->frames, t->nframes, v);
	}
	return v;
}
