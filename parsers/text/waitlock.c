/*
 * Which lock a thread of a text dump waits on, read from the arguments
 * of the lock call it is blocked in. Which calls those are, and which
 * argument holds the address, is the frame vocabulary's
 * (frame_name_lock_kind, analyzer/model/frame.c): a new lock call is a row there.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/text/waitlock.h"

/* How deep into a stack a blocked lock call can sit (futex plumbing below it). */
#define WAIT_DEPTH 8

struct lock_arg {
	uint64_t addr;
	const char *symbol;   /* "<lock_a>" without brackets, or NULL */
	size_t symbol_len;
};

/* The value of NAME=… in ARGS ("mutex=mutex@entry=0x… <sym>", "threadid=1397…"). */
static bool find_arg(const char *args, const char *name, struct lock_arg *out)
{
	size_t n = strlen(name);
	for (const char *p = strstr(args, name); p; p = strstr(p + 1, name)) {
		if (p != args && p[-1] != ' ' && p[-1] != '(' && p[-1] != ',')
			continue;
		const char *v = p + n;
		if (*v != '=')
			continue;
		v++;
		if (!strncmp(v, name, n) && !strncmp(v + n, "@entry=", 7))
			v += n + 7;
		char *end;
		unsigned long long a = strtoull(v, &end, 0);
		if (end == v || !a)
			return false;
		out->addr = a;
		out->symbol = NULL;
		if (end[0] == ' ' && end[1] == '<') {
			const char *close = strchr(end + 2, '>');
			if (close) {
				out->symbol = end + 2;
				out->symbol_len = (size_t)(close - end - 2);
			}
		}
		return true;
	}
	return false;
}

static void wait_on(struct dump *d, struct thread *t, const struct lock_arg *a, enum lock_kind kind)
{
	char id[32];
	snprintf(id, sizeof(id), "0x%" PRIx64, a->addr);
	struct lock *l = dump_lock(d, id, kind);
	l->addr = a->addr;
	if (!l->label && a->symbol && a->symbol_len)
		l->label = dump_strndup(d, a->symbol, a->symbol_len);
	thread_wait_on(d, t, l);
}

/* Whether a frame WAIT_DEPTH deep, above any signal frame, prints an argument (else no lock is named). */
static bool any_args(const struct thread *t)
{
	for (size_t i = 0; i < t->nframes && i < WAIT_DEPTH; i++) {
		if (t->frames[i].kind == FRAME_SIGNAL)
			return false;
		if (t->frames[i].args && t->frames[i].args[0])
			return true;
	}
	return false;
}

void waitlock_thread(struct dump *d, struct thread *t)
{
	if (d->snapshot_frozen || t->waiting_on || !any_args(t))
		return;
	struct lock_arg futex = { 0 }, arg;
	bool have_futex = false;
	for (size_t i = 0; i < t->nframes && i < WAIT_DEPTH; i++) {
		const struct frame *f = &t->frames[i];
		if (f->kind == FRAME_SIGNAL)
			break;
		const char *name;
		int kind = frame_name_lock_kind(f->function, &name);
		if (kind < 0 || !name)
			continue;
		bool found = f->args && find_arg(f->args, name, &arg);
		/* a low-level futex wait ranks below the API call that it serves */
		if (kind == LOCK_FUTEX) {
			if (found && !have_futex) {
				futex = arg;
				have_futex = true;
			}
			continue;
		}
		if (found) {
			wait_on(d, t, &arg, kind);
			return;
		}
		/* a mutex's futex word is its first field: same address */
		if (have_futex && kind == LOCK_PTHREAD_MUTEX) {
			wait_on(d, t, &futex, kind);
			return;
		}
		break;
	}
	if (have_futex)
		wait_on(d, t, &futex, LOCK_FUTEX);
}

void waitlock_resolve_joins(struct dump *d)
{
	for (size_t i = 0; i < d->nlocks; i++) {
		struct lock *l = d->locks[i];
		if (l->kind != LOCK_THREAD_JOIN || l->owner || !l->addr)
			continue;
		for (size_t j = 0; j < d->nthreads; j++)
			if (d->threads[j]->pthread == l->addr) {
				thread_hold(d, d->threads[j], l);
				break;
			}
	}
}
