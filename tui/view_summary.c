/* The summary pane: findings first (severity-coloured), the crash, the process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/view.h"
#include "analyzer/report/fold.h"

static void add_findings(struct view *v, const struct dump *d)
{
	if (!d->nfindings) {
		view_add(v, ST_GOOD, TGT_NONE, 0, 0, "No findings: nothing mortem recognises.");
		return;
	}
	view_add(v, ST_TITLE, TGT_NONE, 0, 0, "Findings (Enter opens the evidence)");
	for (size_t i = 0; i < d->nfindings; i++) {
		const struct finding *f = d->findings[i];
		view_add(v, severity_style(f->severity), TGT_FINDING, i, 0, "  %-8s %s  (%s)",
			 severity_name(f->severity), f->title, f->id);
	}
}

static void add_crash(struct view *v, const struct dump *d)
{
	const struct crash *c = d->crash;
	if (!c) {
		view_add(v, ST_DIM, TGT_NONE, 0, 0, "No crash recorded (a hang or a snapshot).");
		return;
	}
	view_add(v, ST_TITLE, TGT_NONE, 0, 0, "Crash");
	if (c->signal || c->signo) {
		struct tline *l = view_add(v, ST_CRITICAL, TGT_NONE, 0, 0, "  signal   %s%s%s",
					   c->signal ? c->signal : "?", c->code ? " " : "",
					   c->code ? c->code : "");
		if (c->has_address)
			l->text = arena_printf(v->b->arena, "%s at 0x%llx", l->text,
					       (unsigned long long)c->address);
	}
	if (c->reason)
		view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "  reason   %s", c->reason);
	if (c->thread)
		view_add(v, ST_HIGH, TGT_FRAME, c->thread->index, v->b->model.th[c->thread->index].top_frame,
			 "  thread   %s", thread_short(v->b, c->thread));
	if (c->frame)
		view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "  frame    %s", c->frame);
	if (c->abort_message)
		view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "  message  %s", c->abort_message);
	if (c->has_errno)
		view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "  errno    %d", c->err_no);
}

static void add_process(struct view *v, const struct dump *d)
{
	view_add(v, ST_TITLE, TGT_NONE, 0, 0, "Input");
	view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "  %s (%s%s), %zu thread%s, %zu lock%s, %zu module%s",
		 d->input.path ? d->input.path : "-", d->input.format ? d->input.format : "?",
		 d->input.snapshots > 1 ? arena_printf(v->b->arena, ", %d snapshots", d->input.snapshots) : "",
		 d->nthreads, d->nthreads == 1 ? "" : "s", d->nlocks, d->nlocks == 1 ? "" : "s",
		 d->nmodules, d->nmodules == 1 ? "" : "s");
	if (d->process.pid >= 0)
		view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "  pid      %lld", (long long)d->process.pid);
	if (d->process.executable)
		view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "  program  %s", d->process.executable);
	if (d->process.cmdline)
		view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "  cmdline  %s", d->process.cmdline);
	if (d->process.runtime_version)
		view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "  runtime  %s", d->process.runtime_version);
	if (d->signature)
		view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "  signature %s", d->signature);
	if (d->bucket)
		view_add(v, ST_DIM, TGT_NONE, 0, 0, "  bucket   %s", d->bucket);
	for (size_t i = 0; i < d->input.nwarnings; i++)
		view_add(v, ST_MEDIUM, TGT_NONE, 0, 0, "  warning  %s", d->input.warnings[i]);
}

/* Threads a reader should look at first: the crashed one, those in cycles, those in findings. */
static void add_threads_to_read(struct view *v)
{
	static const struct {
		unsigned mark;
		const char *word;
		int style;
	} kinds[] = {
		{ MARK_CRASHED, "crashed", ST_HIGH },
		{ MARK_CYCLE, "cycle  ", ST_MARK },
		{ MARK_FINDING, "finding", ST_MEDIUM },
	};
	const struct tmodel *m = &v->b->model;
	size_t shown = 0, more = 0;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t of_kind = 0;
		for (size_t i = 0; i < m->n; i++) {
			/* each thread once, under its most telling mark; a few of each */
			unsigned marks = m->th[i].marks;
			if (!(marks & kinds[k].mark) || (marks & (kinds[k].mark - 1)))
				continue;
			if (shown >= 8 || of_kind++ >= 4) {
				more++;
				continue;
			}
			if (!shown++)
				view_add(v, ST_TITLE, TGT_NONE, 0, 0, "Threads to read first");
			struct tline *l = view_add(v, kinds[k].style, TGT_FRAME, i, m->th[i].top_frame,
						   "  %s %s  %s", kinds[k].word, thread_short(v->b, m->th[i].t),
						   m->th[i].top);
			view_line_frame(l, m->th[i].top);
		}
	}
	if (more)
		view_add(v, ST_DIM, TGT_NONE, 0, 0, "  and %zu more (marked in the threads pane)", more);
}

/* How the threads stand: counts by state, the biggest group of identical stacks. */
static void add_thread_overview(struct view *v)
{
	const struct tmodel *m = &v->b->model;
	if (!m->n)
		return;
	/* one word per state, however the dump spells it (RUNNABLE and runnable are one) */
	struct hashmap counts = HASHMAP_INIT;
	const char **states = xmalloc(m->n * sizeof(*states));
	size_t nstates = 0;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < m->n; i++) {
		strbuf_reset(&sb);
		fold_state_word(m->th[i].t->state, &sb);
		const char *word = sb.len ? sb.buf : "-";
		struct hashmap_slot *slot = hashmap_slot(&counts, word);
		if (!slot->value) { /* new: the key must outlive the map */
			slot->key = states[nstates++] = arena_strndup(v->b->arena, word, strlen(word));
			slot->value = (void *)(uintptr_t)1;
		} else {
			slot->value = (void *)((uintptr_t)slot->value + 1);
		}
	}
	strbuf_reset(&sb);
	for (size_t k = 0; k < nstates && k < 8; k++)
		strbuf_addf(&sb, "%s%s %zu", k ? ", " : "", states[k], (size_t)hashmap_get(&counts, states[k]));
	if (nstates > 8)
		strbuf_addf(&sb, ", %zu more states", nstates - 8);
	view_add(v, ST_TITLE, TGT_NONE, 0, 0, "Threads: %zu", m->n);
	if (nstates > 1 || strcmp(states[0], "-"))
		view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "  by state  %s", sb.buf);
	size_t big = SIZE_MAX;
	for (size_t g = 0; g < m->ngroups; g++)
		if (big == SIZE_MAX || m->groups[g].n > m->groups[big].n)
			big = g;
	if (big != SIZE_MAX) {
		size_t first = m->groups[big].members[0], distinct = m->ngroups;
		for (size_t i = 0; i < m->n; i++)
			distinct += m->th[i].group < 0;
		struct tline *l = view_add(v, ST_NORMAL, TGT_FRAME, first, m->th[first].top_frame,
					   "  stacks    %zu distinct; %zu threads share: %s",
					   distinct, m->groups[big].n, m->th[first].top);
		view_line_frame(l, m->th[first].top);
	}
	strbuf_release(&sb);
	hashmap_clear(&counts);
	free(states);
}

static void summary_open(struct view *v)
{
	const struct dump *d = v->b->d;
	v->title = "Summary: what happened";
	add_findings(v, d);
	view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "%s", "");
	add_crash(v, d);
	add_threads_to_read(v);
	view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "%s", "");
	add_thread_overview(v);
	view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "%s", "");
	add_process(v, d);
	/* start on the first line that opens something */
	for (size_t i = 0; i < v->nlines; i++)
		if (v->lines[i].target != TGT_NONE) {
			view_select(v, i, false);
			break;
		}
}

const struct view_ops summary_view = {
	.id = VIEW_SUMMARY,
	.open = summary_open,
};
