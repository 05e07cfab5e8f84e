#include "analyzer/analysis/lockhotspot.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/strbuf.h"

/* One line of the section: [S, E). */
struct line {
	const char *s, *e;
};

static bool next_line(const char **p, const char *end, struct line *l)
{
	if (*p >= end)
		return false;
	l->s = *p;
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	l->e = nl ? nl : end;
	*p = nl ? nl + 1 : end;
	while (l->e > l->s && (l->e[-1] == '\r' || l->e[-1] == ' '))
		l->e--;
	while (l->s < l->e && (*l->s == ' ' || *l->s == '\t'))
		l->s++;
	return true;
}

static bool starts(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix);
	return (size_t)(l->e - l->s) >= n && !memcmp(l->s, prefix, n);
}

/* "\"NAME\":" or "which is held by \"NAME\"": the quoted name after PREFIX, into OUT. */
static bool quoted_after(const struct line *l, const char *prefix, struct strbuf *out)
{
	if (!starts(l, prefix))
		return false;
	const char *q = l->s + strlen(prefix);
	const char *close = l->e;
	while (close > q && close[-1] != '"')
		close--;
	if (close <= q)
		return false;
	strbuf_reset(out);
	strbuf_add(out, q, (size_t)(close - 1 - q));
	return true;
}

static struct thread *thread_named(struct dump *d, const char *name)
{
	for (size_t i = 0; i < d->nthreads; i++)
		if (d->threads[i]->name && !strcmp(d->threads[i]->name, name))
			return d->threads[i];
	return NULL;
}

/* The lock a "waiting to lock monitor …" / "waiting for ownable synchronizer …" line names. */
static struct lock *waited_lock(struct dump *d, const struct line *l)
{
	const char *addr = NULL;
	const char *obj = memmem(l->s, (size_t)(l->e - l->s), "(object 0x", 10);
	if (obj)
		addr = obj + 8;
	else if (starts(l, "waiting for ownable synchronizer 0x"))
		addr = l->s + strlen("waiting for ownable synchronizer ");
	if (!addr)
		return NULL;
	size_t n = 2;
	while (addr + n < l->e && strchr("0123456789abcdefABCDEF", addr[n]) && addr[n])
		n++;
	struct strbuf id = STRBUF_INIT;
	strbuf_addf(&id, "<%.*s>", (int)n, addr);
	struct lock *lk = dump_find_lock(d, id.buf);
	strbuf_release(&id);
	return lk;
}

/* Calls FN for each (waiter, lock, holder name) the sections state; thread names resolved. */
typedef void (*edge_fn)(struct dump *d, struct thread *waiter, struct lock *l, struct thread *holder,
			const char *waiter_name, const char *holder_name, void *arg);

static void each_edge(struct dump *d, edge_fn fn, void *arg)
{
	struct strbuf waiter = STRBUF_INIT, holder = STRBUF_INIT;
	for (size_t i = 0; i < d->nsections; i++) {
		const struct section *s = d->sections[i];
		if (strcmp(s->title, LOCKHOTSPOT_SECTION))
			continue;
		const char *p = s->text, *end = s->text + s->len;
		struct line l;
		struct lock *lk = NULL;
		strbuf_reset(&waiter);
		while (next_line(&p, end, &l)) {
			if (starts(&l, "Java stack information"))
				break;
			if (starts(&l, "\"") && l.e - l.s > 2 && l.e[-1] == ':' && quoted_after(&l, "\"", &waiter)) {
				lk = NULL;
				continue;
			}
			if (starts(&l, "waiting"))
				lk = waited_lock(d, &l);
			if (waiter.len && quoted_after(&l, "which is held by \"", &holder))
				fn(d, thread_named(d, waiter.buf), lk, thread_named(d, holder.buf), waiter.buf,
				   holder.buf, arg);
		}
	}
	strbuf_release(&waiter);
	strbuf_release(&holder);
}

static void fill_one(struct dump *d, struct thread *waiter, struct lock *l, struct thread *holder,
		     const char *waiter_name, const char *holder_name, void *arg)
{
	(void)waiter;
	(void)waiter_name;
	(void)holder_name;
	(void)arg;
	if (!l || !holder || l->owner)
		return;
	thread_hold(d, holder, l);
	dump_warn(d, "owner of %s %s taken from HotSpot's deadlock section (the thread dump does not list it; "
		  "jstack -l does)", lock_kind_name(l->kind), l->id);
}

void lockhotspot_fill_owners(struct dump *d)
{
	each_edge(d, fill_one, NULL);
}

static bool on_cycle(const struct dump *d, const struct thread *t)
{
	for (size_t i = 0; i < d->nfindings; i++) {
		const struct finding *f = d->findings[i];
		if (strcmp(f->id, "lock-cycle"))
			continue;
		for (size_t k = 0; k < f->nthreads; k++)
			if (f->threads[k] == t)
				return true;
	}
	return false;
}

struct named {
	const char **names;
	size_t n, alloc;
};

static void note_name(struct dump *d, struct thread *waiter, struct lock *l, struct thread *holder,
		      const char *waiter_name, const char *holder_name, void *arg)
{
	(void)l;
	(void)holder;
	(void)holder_name;
	struct named *nm = arg;
	if (!waiter)
		dump_warn(d, "HotSpot's deadlock section names thread \"%s\", which the dump does not list",
			  waiter_name);
	else if (!on_cycle(d, waiter))
		dump_warn(d, "HotSpot's deadlock section puts thread %s \"%s\" on a deadlock; mortem's lock "
			  "graph does not", waiter->id, waiter_name);
	ALLOC_GROW(nm->names, nm->n + 1, nm->alloc);
	nm->names[nm->n++] = waiter_name ? dump_strdup(d, waiter_name) : NULL;
}

static bool is_java_lock(const struct lock *l)
{
	return l->kind == LOCK_JAVA_MONITOR || l->kind == LOCK_JUC_SYNC;
}

void lockhotspot_crosscheck(struct dump *d)
{
	struct named nm = { 0 };
	bool any = false;
	for (size_t i = 0; i < d->nsections && !any; i++)
		any = !strcmp(d->sections[i]->title, LOCKHOTSPOT_SECTION);
	if (!any)
		return;
	each_edge(d, note_name, &nm);
	for (size_t i = 0; i < d->nfindings; i++) {
		const struct finding *f = d->findings[i];
		if (strcmp(f->id, "lock-cycle"))
			continue;
		for (size_t k = 0; k < f->nthreads; k++) {
			const struct thread *t = f->threads[k];
			if (!t->waiting_on || !is_java_lock(t->waiting_on))
				continue;
			bool listed = false;
			for (size_t j = 0; j < nm.n && !listed; j++)
				listed = t->name && nm.names[j] && !strcmp(nm.names[j], t->name);
			if (!listed)
				dump_warn(d, "mortem's lock graph puts thread %s on a deadlock that HotSpot's deadlock "
					  "section does not list", t->id);
		}
	}
	free(nm.names);
}
