#include "lockdot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void dot_quote(struct strbuf *out, const char *s)
{
	strbuf_addch(out, '"');
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addch(out, '\\');
		if (*s == '\n')
			strbuf_adds(out, "\\n");
		else
			strbuf_addch(out, *s);
	}
	strbuf_addch(out, '"');
}

static bool in_cycle_thread(const struct dump *d, const struct thread *t)
{
	for (size_t i = 0; i < d->nfindings; i++) {
		const struct finding *f = d->findings[i];
		if (strcmp(f->id, "lock-cycle") && strcmp(f->id, "unwinder-loader-deadlock"))
			continue;
		for (size_t k = 0; k < f->nthreads; k++)
			if (f->threads[k] == t)
				return true;
	}
	return false;
}

static bool in_cycle_lock(const struct dump *d, const struct lock *l)
{
	for (size_t i = 0; i < d->nfindings; i++) {
		const struct finding *f = d->findings[i];
		if (strcmp(f->id, "lock-cycle") && strcmp(f->id, "unwinder-loader-deadlock"))
			continue;
		for (size_t k = 0; k < f->nlocks; k++)
			if (f->locks[k] == l)
				return true;
	}
	return false;
}

void lockdot_render(const struct dump *d, struct strbuf *out)
{
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
		dot_quote(out, label.buf);
		strbuf_release(&label);
		strbuf_adds(out, in_cycle_thread(d, t) ? ",color=red,penwidth=2];\n" : "];\n");
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
		strbuf_adds(out, in_cycle_lock(d, l) ? ",color=red,penwidth=2];\n" : "];\n");
	}
	for (size_t i = 0; i < d->nthreads; i++) {
		const struct thread *t = d->threads[i];
		if (t->waiting_on)
			strbuf_addf(out, "  t%zu -> l%zu [label=\"waits\",style=dashed];\n", i,
				    t->waiting_on->index);
		for (size_t k = 0; k < t->nholds; k++)
			strbuf_addf(out, "  l%zu -> t%zu [label=\"held by\"];\n", t->holds[k]->index, i);
	}
	for (size_t i = 0; i < d->nlocks; i++) {
		const struct lock *l = d->locks[i];
		bool listed = false;
		if (!l->owner)
			continue;
		for (size_t k = 0; k < l->owner->nholds; k++)
			listed |= l->owner->holds[k] == l;
		if (!listed)
			strbuf_addf(out, "  l%zu -> t%zu [label=\"held by\"];\n", i, l->owner->index);
	}
	strbuf_adds(out, "}\n");
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
