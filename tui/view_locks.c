/*
 * The lock graph pane: any cycle first (thread -> waits for lock -> held
 * by thread ...), highlighted; then every lock with its owner and waiters.
 */
#include <stdio.h>
#include <string.h>

#include "tui/view.h"

static bool lock_in_cycle(const struct dump *d, const struct lock *l)
{
	for (size_t i = 0; i < d->nfindings; i++) {
		const struct finding *f = d->findings[i];
		if (strcmp(f->id, "lock-cycle") && strcmp(f->id, "unwinder-loader-deadlock"))
			continue;
		for (size_t k = 0; k < f->nlocks; k++)
			if (f->locks[k] == l)
				return true;
		for (size_t k = 0; k < f->nthreads; k++)
			if (f->threads[k]->waiting_on == l)
				return true;
	}
	return false;
}

/* "java.lang.Object <0x...>" or "0x7f..." */
static const char *lock_text(struct browser *b, const struct lock *l)
{
	if (l->label && strcmp(l->label, l->id))
		return arena_printf(b->arena, "%s %s", l->label, l->id);
	return l->id;
}

static void add_cycles(struct view *v)
{
	struct browser *b = v->b;
	const struct dump *d = b->d;
	for (size_t i = 0; i < d->nfindings; i++) {
		const struct finding *f = d->findings[i];
		if (strcmp(f->id, "lock-cycle") && strcmp(f->id, "unwinder-loader-deadlock"))
			continue;
		view_add(v, ST_CRITICAL, TGT_FINDING, i, 0, "CYCLE  %s (%s)", f->title, f->id);
		for (size_t k = 0; k < f->nthreads; k++) {
			const struct thread *t = f->threads[k];
			const struct lock *l = t->waiting_on;
			struct tline *tl = view_add(v, ST_HIGH, TGT_THREAD, t->index, 0, "  %s  %s",
						    thread_short(b, t), b->model.th[t->index].top);
			view_line_frame(tl, b->model.th[t->index].top);
			/* Enter here opens the thread that holds it */
			bool owned = l && l->owner;
			view_add(v, ST_NORMAL, owned ? TGT_THREAD : TGT_NONE, owned ? l->owner->index : 0, 0,
				 "      waits for %s%s%s", l ? lock_text(b, l) : "?", owned ? ", held by " : "",
				 owned ? thread_short(b, l->owner) : "");
		}
		view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "%s", "");
	}
}

static void add_lock(struct view *v, const struct lock *l, bool cycle)
{
	struct browser *b = v->b;
	view_add(v, cycle ? ST_CRITICAL : ST_TITLE, TGT_LOCK, l->index, 0, "%s%s  %s", cycle ? "@ " : "",
		 lock_text(b, l), lock_kind_name(l->kind));
	if (l->owner)
		view_add(v, cycle ? ST_HIGH : ST_GOOD, TGT_THREAD, l->owner->index, 0, "    held by  %s%s",
			 thread_short(b, l->owner), l->owner_inferred ? "  (inferred)" : "");
	else
		view_add(v, ST_DIM, TGT_NONE, 0, 0, "    held by  (unknown)");
	for (size_t k = 0; k < l->nwaiters; k++)
		view_add(v, cycle ? ST_HIGH : ST_MEDIUM, TGT_THREAD, l->waiters[k]->index, 0, "    %-8s %s",
			 k ? "" : "waiters", thread_short(b, l->waiters[k]));
}

static void locks_open(struct view *v)
{
	const struct dump *d = v->b->d;
	v->title = arena_printf(v->b->arena, "Lock graph: %zu lock%s; who holds what, who waits", d->nlocks,
				d->nlocks == 1 ? "" : "s");
	add_cycles(v);
	if (!d->nlocks) {
		view_add(v, ST_DIM, TGT_NONE, 0, 0, "No locks known in this input.");
		view_add(v, ST_DIM, TGT_NONE, 0, 0,
			 "(Owners come from cores, live processes and Java dumps; plain stacks rarely show them.)");
		return;
	}
	/* locks in a cycle first */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < d->nlocks; i++) {
			bool cycle = lock_in_cycle(d, d->locks[i]);
			if (cycle == !pass)
				add_lock(v, d->locks[i], cycle);
		}
}

const struct view_ops locks_view = {
	.id = VIEW_LOCKS,
	.open = locks_open,
};
