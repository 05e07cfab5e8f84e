/*
 * Which lock a thread of a text dump waits on, read from the arguments
 * of the lock call it is blocked in. The call table is data: adding a
 * wait function is adding a row.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/text/waitlock.h"

/* A low-level futex wait ranks below the API call that it serves. */
enum { RANK_FUTEX = 1, RANK_API = 2 };

struct wait_call {
	const char *function;   /* normalized name */
	const char *arg;        /* the argument holding the address */
	enum lock_kind kind;
	int rank;
};

static const struct wait_call wait_calls[] = {
	{ "pthread_mutex_lock", "mutex", LOCK_PTHREAD_MUTEX, RANK_API },
	{ "pthread_mutex_timedlock", "mutex", LOCK_PTHREAD_MUTEX, RANK_API },
	{ "pthread_mutex_clocklock", "mutex", LOCK_PTHREAD_MUTEX, RANK_API },
	{ "pthread_mutex_clocklock_common", "mutex", LOCK_PTHREAD_MUTEX, RANK_API },
	{ "pthread_mutex_lock_full", "mutex", LOCK_PTHREAD_MUTEX, RANK_API },
	{ "pthread_mutex_cond_lock", "mutex", LOCK_PTHREAD_MUTEX, RANK_API },
	{ "lll_mutex_lock_optimized", "mutex", LOCK_PTHREAD_MUTEX, RANK_API },
	{ "pthread_rwlock_wrlock", "rwlock", LOCK_PTHREAD_RWLOCK, RANK_API },
	{ "pthread_rwlock_rdlock", "rwlock", LOCK_PTHREAD_RWLOCK, RANK_API },
	{ "pthread_rwlock_timedwrlock", "rwlock", LOCK_PTHREAD_RWLOCK, RANK_API },
	{ "pthread_rwlock_timedrdlock", "rwlock", LOCK_PTHREAD_RWLOCK, RANK_API },
	{ "pthread_rwlock_clockwrlock", "rwlock", LOCK_PTHREAD_RWLOCK, RANK_API },
	{ "pthread_rwlock_clockrdlock", "rwlock", LOCK_PTHREAD_RWLOCK, RANK_API },
	{ "pthread_rwlock_wrlock_full", "rwlock", LOCK_PTHREAD_RWLOCK, RANK_API },
	{ "pthread_rwlock_rdlock_full", "rwlock", LOCK_PTHREAD_RWLOCK, RANK_API },
	{ "pthread_rwlock_wrlock_full64", "rwlock", LOCK_PTHREAD_RWLOCK, RANK_API },
	{ "pthread_rwlock_rdlock_full64", "rwlock", LOCK_PTHREAD_RWLOCK, RANK_API },
	{ "pthread_join", "threadid", LOCK_THREAD_JOIN, RANK_API },
	{ "pthread_timedjoin_ex", "threadid", LOCK_THREAD_JOIN, RANK_API },
	{ "pthread_clockjoin_ex", "threadid", LOCK_THREAD_JOIN, RANK_API },
	{ "pthread_timedjoin_np", "threadid", LOCK_THREAD_JOIN, RANK_API },
	{ "lll_lock_wait", "futex", LOCK_FUTEX, RANK_FUTEX },
	{ "lll_lock_wait_private", "futex", LOCK_FUTEX, RANK_FUTEX },
};

/* How deep into a stack a blocked lock call can sit (futex plumbing below it). */
#define WAIT_DEPTH 8

struct waitlock_name waitlock_normalize(const char *name)
{
	struct waitlock_name n = { name, 0 };
	if (!name)
		return n;
	if (!strncmp(name, "__GI_", 5))
		name += 5;
	while (*name == '_')
		name++;
	size_t len = strcspn(name, "@ (");
	return (struct waitlock_name){ name, len };
}

static const struct wait_call *find_call(const char *function)
{
	struct waitlock_name n = waitlock_normalize(function);
	if (!n.len)
		return NULL;
	for (size_t i = 0; i < sizeof(wait_calls) / sizeof(wait_calls[0]); i++)
		if (strlen(wait_calls[i].function) == n.len &&
		    !memcmp(wait_calls[i].function, n.s, n.len))
			return &wait_calls[i];
	return NULL;
}

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

void waitlock_thread(struct dump *d, struct thread *t)
{
	if (d->snapshot_frozen || t->waiting_on)
		return;
	struct lock_arg futex = { 0 }, arg;
	bool have_futex = false;
	for (size_t i = 0; i < t->nframes && i < WAIT_DEPTH; i++) {
		const struct frame *f = &t->frames[i];
		if (f->kind == FRAME_SIGNAL)
			break;
		const struct wait_call *c = find_call(f->function);
		if (!c)
			continue;
		bool found = f->args && find_arg(f->args, c->arg, &arg);
		if (c->rank == RANK_FUTEX) {
			if (found && !have_futex) {
				futex = arg;
				have_futex = true;
			}
			continue;
		}
		if (found) {
			wait_on(d, t, &arg, c->kind);
			return;
		}
		/* a mutex's futex word is its first field: same address */
		if (have_futex && c->kind == LOCK_PTHREAD_MUTEX) {
			wait_on(d, t, &futex, c->kind);
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
