/*
 * The findings pane: each finding with what it saw (threads, locks), why
 * it matters and what to do; Enter on a thread opens its stack, on a lock
 * the lock graph at that lock.
 */
#include <stdio.h>
#include <string.h>

#include "tui/view.h"

static void add_text(struct view *v, int style, const char *label, const char *text)
{
	view_add_wrapped(v, style, arena_printf(v->b->arena, "    %-8s ", label), text);
}

static void add_finding(struct view *v, size_t i)
{
	struct browser *b = v->b;
	const struct finding *f = b->d->findings[i];
	view_add(v, severity_style(f->severity), TGT_FINDING, i, 0, "%-8s %s  (%s, %s)", severity_name(f->severity), f->title,
		 f->id, confidence_name(f->confidence));
	if (f->summary)
		add_text(v, ST_NORMAL, "what", f->summary);
	for (size_t k = 0; k < f->nthreads; k++) {
		const struct thread *t = f->threads[k];
		struct tline *l = view_add(v, ST_MARK, TGT_THREAD, t->index, 0, "    %-8s %s  %s",
					   k ? "" : "threads", thread_short(b, t), b->model.th[t->index].top);
		view_line_frame(l, b->model.th[t->index].top);
	}
	for (size_t k = 0; k < f->nlocks; k++) {
		const struct lock *l = f->locks[k];
		view_add(v, ST_LOW, TGT_LOCK, l->index, 0, "    %-8s %s %s%s%s", k ? "" : "locks",
			 lock_kind_name(l->kind), l->id, l->label ? "  " : "", l->label ? l->label : "");
	}
	if (f->advice)
		add_text(v, ST_GOOD, "advice", f->advice);
	view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "%s", "");
}

static void findings_open(struct view *v)
{
	const struct dump *d = v->b->d;
	v->title = arena_printf(v->b->arena, "Findings (%zu): Enter on a thread or a lock opens it", d->nfindings);
	if (!d->nfindings) {
		view_add(v, ST_GOOD, TGT_NONE, 0, 0, "No findings: nothing mortem recognises in this input.");
		view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "Tab to the threads to read the stacks yourself.");
		return;
	}
	for (size_t i = 0; i < d->nfindings; i++)
		add_finding(v, i);
}

const struct view_ops findings_view = {
	.id = VIEW_FINDINGS,
	.open = findings_open,
	.wraps = true,
};
