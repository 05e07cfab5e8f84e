#include "analyzer/report/lockdot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Graphviz refuses a whole file over one quoted string longer than 16384
 * bytes ("longer than 16384?"): a label keeps its first DOT_LABEL_MAX bytes
 * (whole UTF-8 characters) and ends in an ellipsis; quoted, it stays far
 * below the limit even when every byte needs a backslash.
 */
#define DOT_LABEL_MAX 1024

static void dot_quote(struct strbuf *out, const char *s)
{
	size_t n = s ? strlen(s) : 0, keep = n;
	if (n > DOT_LABEL_MAX) {
		keep = DOT_LABEL_MAX;
		while (keep && ((unsigned char)s[keep] & 0xc0) == 0x80)
			keep--; /* never split a UTF-8 sequence */
	}
	strbuf_addch(out, '"');
	for (const char *end = s + keep; s && s < end; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addch(out, '\\');
		if (*s == '\n')
			strbuf_adds(out, "\\n");
		else
			strbuf_addch(out, *s);
	}
	if (keep < n)
		strbuf_adds(out, "\xe2\x80\xa6"); /* an ellipsis */
	strbuf_addch(out, '"');
}

static bool is_cycle_finding(const struct finding *f)
{
	return !strcmp(f->id, "lock-cycle") || !strcmp(f->id, "unwinder-loader-deadlock");
}

/* Marks (by index) the threads and locks on a cycle, once: linear, however big the cycle. */
static void mark_cycles(const struct dump *d, bool *thread_on, bool *lock_on)
{
	for (size_t i = 0; i < d->nfindings; i++) {
		const struct finding *f = d->findings[i];
		if (!is_cycle_finding(f))
			continue;
		for (size_t k = 0; k < f->nthreads; k++)
			if (f->threads[k]->index < d->nthreads && d->threads[f->threads[k]->index] == f->threads[k])
				thread_on[f->threads[k]->index] = true;
		for (size_t k = 0; k < f->nlocks; k++)
			if (f->locks[k]->index < d->nlocks && d->locks[f->locks[k]->index] == f->locks[k])
				lock_on[f->locks[k]->index] = true;
	}
}

/* Edges between a thread and a lock both on a cycle are drawn red too. */
static const char *red_edge(const struct dump *d, const bool *thread_on, const bool *lock_on,
			    size_t thread_index, const struct lock *l)
{
	bool on = thread_index < d->nthreads && thread_on[thread_index] && l->index < d->nlocks &&
		  d->locks[l->index] == l && lock_on[l->index];
	return on ? ",color=red,penwidth=2" : "";
}

void lockdot_render(const struct dump *d, struct strbuf *out)
{
	bool *thread_on = xcalloc(d->nthreads, sizeof(*thread_on));
	bool *lock_on = xcalloc(d->nlocks, sizeof(*lock_on));
	mark_cycles(d, thread_on, lock_on);
	strbuf_adds(out, "digraph locks {\n  rankdir=LR;\n  node [fontname=\"monospace\"];\n");
	for (size_t i = 0; i < d->nthreads; i++) {
		const struct thread *t = d->threads[i];
		if (!t->waiting_on && !t->nholds)
			continue;
		strbuf_addf(out, "  t%zu [shape=box,label=", i);
		struct strbuf label = STRBUF_INIT;
		strbuf_addf(&label, "thread %s", t->id);
		if (t->name)
			strbuf_addf(&label, "\n%s", t->name);
		strbuf_addch(&label, '\n'); /* where it is: what tells a heap lock's holder and waiters apart */
		if (!thread_where(t, &label))
			label.buf[--label.len] = '\0';
		dot_quote(out, label.buf);
		strbuf_release(&label);
		strbuf_adds(out, thread_on[i] ? ",color=red,penwidth=2];\n" : "];\n");
	}
	for (size_t i = 0; i < d->nlocks; i++) {
		const struct lock *l = d->locks[i];
		strbuf_addf(out, "  l%zu [shape=ellipse,label=", i);
		struct strbuf label = STRBUF_INIT;
		strbuf_addf(&label, "%s %s", lock_kind_name(l->kind), l->id);
		if (l->label)
			strbuf_addf(&label, "\n%s", l->label);
		dot_quote(out, label.buf);
		strbuf_release(&label);
		strbuf_adds(out, lock_on[i] ? ",color=red,penwidth=2];\n" : "];\n");
	}
	for (size_t i = 0; i < d->nthreads; i++) {
		const struct thread *t = d->threads[i];
		if (t->waiting_on)
			strbuf_addf(out, "  t%zu -> l%zu [label=\"waits\",style=dashed%s];\n", i,
				    t->waiting_on->index,
				    red_edge(d, thread_on, lock_on, i, t->waiting_on));
		for (size_t k = 0; k < t->nholds; k++)
			strbuf_addf(out, "  l%zu -> t%zu [label=\"held by\"%s];\n", t->holds[k]->index, i,
				    red_edge(d, thread_on, lock_on, i, t->holds[k]));
	}
	for (size_t i = 0; i < d->nlocks; i++) {
		const struct lock *l = d->locks[i];
		bool listed = false;
		if (!l->owner)
			continue;
		for (size_t k = 0; k < l->owner->nholds; k++)
			listed |= l->owner->holds[k] == l;
		if (!listed)
			strbuf_addf(out, "  l%zu -> t%zu [label=\"held by\"%s];\n", i, l->owner->index,
				    red_edge(d, thread_on, lock_on, l->owner->index, l));
	}
	strbuf_adds(out, "}\n");
	free(thread_on);
	free(lock_on);
}

int lockdot_write_file(const struct dump *d, const char *path, struct strbuf *err)
{
	struct strbuf out = STRBUF_INIT;
	lockdot_render(d, &out);
	FILE *f = fopen(path, "w");
	if (!f) {
		strbuf_release(&out);
		return error_set(err, "cannot write '%s': %s", path, strerror(errno));
	}
	size_t len = out.len;
	size_t w = fwrite(out.buf, 1, len, f);
	int rc = fclose(f);
	strbuf_release(&out);
	if (w != len || rc)
		return error_set(err, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}
