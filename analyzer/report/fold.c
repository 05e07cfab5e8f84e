#include "analyzer/report/fold.h"

#include <ctype.h>
#include <string.h>

#include "analyzer/lib/hashmap.h"
#include "analyzer/lib/path.h"

/* ---- the user's code ---- */

bool fold_in_app(const struct frame *f)
{
	return frame_in_app(f);
}

/* ---- repeats ---- */

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool fold_same_place(const struct frame *a, const struct frame *b)
{
	return a->kind == b->kind && a->line == b->line && a->has_offset == b->has_offset &&
	       (!a->has_offset || a->offset == b->offset) && same_str(a->function, b->function) &&
	       same_str(a->file, b->file) && same_str(a->module, b->module) &&
	       (a->function || a->file || (a->has_pc == b->has_pc && a->pc == b->pc));
}

/* How many times the PERIOD frames at I repeat in a row from I (1: they do not). */
static size_t repeats(const struct thread *t, size_t i, size_t period)
{
	size_t count = 1;
	while (i + (count + 1) * period <= t->nframes) {
		const struct frame *base = &t->frames[i], *next = &t->frames[i + count * period];
		size_t k = 0;
		while (k < period && fold_same_place(&base[k], &next[k]))
			k++;
		if (k < period)
			break;
		count++;
	}
	return count;
}

bool fold_run_at(const struct thread *t, size_t i, struct fold_run *run)
{
	for (size_t p = 1; p <= FOLD_MAX_PERIOD && i + p * FOLD_MIN_REPEATS <= t->nframes; p++) {
		/* a block that is itself a repeat of a shorter one was found at that length */
		size_t n = repeats(t, i, p);
		if (n < FOLD_MIN_REPEATS)
			continue;
		*run = (struct fold_run){ .start = i, .period = p, .count = n, .len = n * p };
		return true;
	}
	return false;
}

/* ---- stacks ---- */

bool fold_same_stack(const struct thread *a, const struct thread *b)
{
	if (a->nframes != b->nframes)
		return false;
	if (a->frames == b->frames)
		return true;
	for (size_t i = 0; i < a->nframes; i++)
		if (!fold_same_place(&a->frames[i], &b->frames[i]))
			return false;
	return true;
}

static uint64_t str_hash(const char *s)
{
	return s ? hash_bytes(s, strlen(s)) : 0;
}

uint64_t fold_stack_hash(const struct thread *t)
{
	uint64_t h = t->nframes * 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < t->nframes; i++) {
		const struct frame *f = &t->frames[i];
		/* the function and the line tell most frames apart; equal ones are compared whole */
		h = (h ^ str_hash(f->function) ^ (uint64_t)(uint32_t)f->line << 7) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	return h;
}

/* ---- one line per thread ---- */

void fold_frame_brief(const struct frame *f, struct strbuf *out)
{
	size_t at = out->len;
	frame_normalize(f, out);
	if (out->len == at)
		strbuf_adds(out, "??");
	if (f->file) {
		strbuf_addf(out, " %s", path_basename(f->file));
		if (f->line > 0)
			strbuf_addf(out, ":%d", f->line);
	} else if (f->module && f->function) {
		strbuf_addf(out, " (%s)", path_basename(f->module));
	}
}

/* The first frame from I on that is the user's; else the first that is not noise or a wait; or SIZE_MAX. */
static size_t own_frame(const struct thread *t, size_t i)
{
	for (size_t k = i; k < t->nframes; k++)
		if (fold_in_app(&t->frames[k]))
			return k;
	for (size_t k = i; k < t->nframes; k++)
		if (!frame_is(&t->frames[k], FRAME_NOISE | FRAME_WAITING))
			return k;
	return SIZE_MAX;
}

/*
 * Where T is: *WAIT the outermost wait above the user's code (SIZE_MAX when
 * it is not waiting), *OWN the user's frame that called it, or where it
 * runs (SIZE_MAX when there is none).
 */
/*
 * Where T crashed or blocks, whoever's code it is (pthread_cond_wait, not
 * the application frame that called it): the first frame from
 * thread_crash_start that is not noise, else frame 0.
 */
static size_t site_index(const struct thread *t)
{
	for (size_t i = thread_crash_start(t); i < t->nframes; i++)
		if (!frame_is_noise(&t->frames[i]))
			return i;
	return 0;
}

static void thread_place(const struct thread *t, size_t *wait, size_t *own)
{
	size_t top = site_index(t), k = top;
	*wait = SIZE_MAX;
	for (; k < t->nframes && !fold_in_app(&t->frames[k]); k++)
		if (frame_is(&t->frames[k], FRAME_WAITING))
			*wait = k;
	if (*wait != SIZE_MAX)
		*own = own_frame(t, *wait + 1);
	else
		*own = k < t->nframes ? k : top;
}

void fold_thread_brief(const struct thread *t, struct strbuf *out)
{
	if (!t->nframes) {
		strbuf_adds(out, "(no frames)");
		return;
	}
	size_t wait, own, top = site_index(t);
	thread_place(t, &wait, &own);
	if (wait != SIZE_MAX) {
		size_t at = out->len;
		frame_normalize(&t->frames[wait], out);
		if (own != SIZE_MAX) {
			strbuf_adds(out, out->len > at ? " < " : "");
			fold_frame_brief(&t->frames[own], out);
		}
		return;
	}
	fold_frame_brief(&t->frames[top], out);
	if (own != top) {
		strbuf_adds(out, " < ");
		fold_frame_brief(&t->frames[own], out);
	}
}

const struct frame *fold_thread_own(const struct thread *t)
{
	if (!t->nframes)
		return NULL;
	size_t wait, own;
	thread_place(t, &wait, &own);
	return own != SIZE_MAX ? &t->frames[own] : NULL;
}

/* ---- states ---- */

/* Spellings of one state, after lower-casing and '_' -> ' ' (a dump's word on the left). */
static const struct {
	const char *spelling, *word;
} state_words[] = {
	{ "waiting on condition", "waiting" },
	{ "in object.wait()", "waiting" },
	{ "waiting for monitor entry", "blocked" },
	{ "parked", "waiting" },
	{ "on object monitor", "blocked" },
	/* IBM J9 javacore codes */
	{ "r", "runnable" }, { "cw", "waiting" }, { "b", "blocked" }, { "p", "waiting" },
	{ "s", "suspended" }, { "z", "zombie" },
	/* JRockit */
	{ "active", "runnable" },
};

void fold_state_word(const char *state, struct strbuf *out)
{
	if (!state)
		return;
	const char *s = state, *end = state + strlen(state);
	/* Linux task states: "S (sleeping)", "R (running)": the word in parentheses */
	if (isupper((unsigned char)s[0]) && s[1] == ' ' && s[2] == '(' && end[-1] == ')') {
		s += 3;
		end--;
	} else {
		const char *paren = strstr(s, " (");
		if (paren && paren > s)
			end = paren; /* "TIMED_WAITING (parking)" */
		if (*s == '(' && end[-1] == ')' && end - s > 2) {
			s++;
			end--;
		}
	}
	if (!strncmp(s, "_thread_", 8) && end - s > 8)
		s += 8;
	struct strbuf w = STRBUF_INIT;
	bool keep = false; /* a signal name keeps its case: "signal SIGSEGV" (lldb) */
	for (const char *p = s; p < end; p++) {
		if (p == s || p[-1] == ' ')
			keep = !strncmp(p, "SIG", 3);
		strbuf_addch(&w, *p == '_' ? ' ' : keep ? *p : tolower((unsigned char)*p));
	}
	const char *word = w.buf;
	for (size_t i = 0; i < sizeof(state_words) / sizeof(state_words[0]); i++)
		if (!strcmp(w.buf, state_words[i].spelling))
			word = state_words[i].word;
	strbuf_adds(out, word);
	strbuf_release(&w);
}
