#include <string.h>

#include "analyzer/lib/hashmap.h"
#include "analyzer/lib/termsafe.h"
#include "analyzer/report/report.h"

struct palette {
	const char *reset, *bold, *dim, *red, *yellow, *green, *cyan, *magenta;
};

static const struct palette colors = { "\033[0m", "\033[1m", "\033[2m", "\033[31m",
				       "\033[33m", "\033[32m", "\033[36m", "\033[35m" };
static const struct palette plain = { "", "", "", "", "", "", "", "" };

static const char *severity_color(const struct palette *p, enum severity s)
{
	switch (s) {
	case SEV_CRITICAL:
	case SEV_HIGH:
		return p->red;
	case SEV_MEDIUM:
		return p->yellow;
	default:
		return p->cyan;
	}
}

static void text_findings(const struct dump *d, struct strbuf *out, const struct palette *p)
{
	if (!d->nfindings)
		return;
	strbuf_addf(out, "%sFindings%s\n", p->bold, p->reset);
	for (size_t i = 0; i < d->nfindings; i++) {
		const struct finding *f = d->findings[i];
		strbuf_addf(out, "  %s%s[%s]%s %s%s%s (%s, %s)\n", severity_color(p, f->severity), p->bold,
			    severity_name(f->severity), p->reset, p->bold, f->title, p->reset, f->id,
			    confidence_name(f->confidence));
		if (f->summary) {
			/* indent every line of a multi-line summary */
			const char *s = f->summary;
			while (*s) {
				const char *nl = strchr(s, '\n');
				size_t n = nl ? (size_t)(nl - s) : strlen(s);
				strbuf_addf(out, "    %.*s\n", (int)n, s);
				s += n + (nl != NULL);
			}
		}
		if (f->nthreads) {
			strbuf_adds(out, "    threads:");
			for (size_t k = 0; k < f->nthreads; k++)
				strbuf_addf(out, " %s", f->threads[k]->id);
			strbuf_addch(out, '\n');
		}
		if (f->advice)
			strbuf_addf(out, "    %sadvice:%s %s\n", p->green, p->reset, f->advice);
	}
	strbuf_addch(out, '\n');
}

static void text_crash(const struct dump *d, struct strbuf *out, const struct palette *p)
{
	const struct crash *c = d->crash;
	if (!c)
		return;
	strbuf_addf(out, "%sCrash%s\n", p->bold, p->reset);
	if (c->signal || c->signo) {
		strbuf_addf(out, "  signal:  %s%s%s", p->red, c->signal ? c->signal : "?", p->reset);
		if (c->signo)
			strbuf_addf(out, " (%d)", c->signo);
		if (c->code)
			strbuf_addf(out, " %s", c->code);
		if (c->has_address)
			strbuf_addf(out, " at 0x%llx", (unsigned long long)c->address);
		strbuf_addch(out, '\n');
	}
	if (c->reason)
		strbuf_addf(out, "  reason:  %s\n", c->reason);
	if (c->thread) {
		strbuf_adds(out, "  thread:  ");
		thread_label(c->thread, out);
		strbuf_addch(out, '\n');
	}
	if (c->frame)
		strbuf_addf(out, "  frame:   %s\n", c->frame);
	if (c->abort_message)
		strbuf_addf(out, "  message: %s\n", c->abort_message);
	if (c->has_errno)
		strbuf_addf(out, "  errno:   %d\n", c->err_no);
	strbuf_addch(out, '\n');
}

static void text_process(const struct dump *d, struct strbuf *out, const struct palette *p)
{
	strbuf_addf(out, "%s%s%s: %s", p->bold, d->input.path, p->reset,
		    d->input.format ? d->input.format : "?");
	if (d->input.snapshots > 1)
		strbuf_addf(out, ", %d snapshots", d->input.snapshots);
	if (d->process.pid >= 0)
		strbuf_addf(out, ", pid %lld", (long long)d->process.pid);
	if (d->process.executable)
		strbuf_addf(out, ", %s", d->process.executable);
	if (d->process.runtime_version)
		strbuf_addf(out, ", %s", d->process.runtime_version);
	strbuf_addf(out, ", %zu thread%s\n", d->nthreads, d->nthreads == 1 ? "" : "s");
	if (d->process.cmdline)
		strbuf_addf(out, "  cmdline: %s\n", d->process.cmdline);
	if (d->signature)
		strbuf_addf(out, "  signature: %s\n  bucket: %s\n", d->signature, d->bucket ? d->bucket : "-");
	for (size_t i = 0; i < d->input.nwarnings; i++)
		strbuf_addf(out, "  %swarning:%s %s\n", p->yellow, p->reset, d->input.warnings[i]);
	strbuf_addch(out, '\n');
}

static void text_frames(const struct thread *t, struct strbuf *out, const struct palette *p)
{
	for (size_t i = 0; i < t->nframes; i++) {
		const struct frame *f = &t->frames[i];
		strbuf_addf(out, "  #%-3zu ", i);
		if (f->has_pc)
			strbuf_addf(out, "%s0x%016llx%s ", p->dim, (unsigned long long)f->pc, p->reset);
		frame_describe(f, out);
		const char *tag = frame_kind_tag(f->kind);
		if (tag)
			strbuf_addf(out, " %s[%s]%s", p->cyan, tag, p->reset);
		strbuf_addch(out, '\n');
	}
}

/* The frame lines of shared stacks, each rendered once (a pool of 1,000 threads has one). */
struct frames_memo {
	struct strbuf text;       /* the blocks, each after its length (a size_t) */
	struct hashmap at;         /* frames array -> where its length is in text */
	struct strbuf scratch;
};

static void text_shared_frames(const struct thread *t, struct strbuf *out, const struct palette *p,
			       struct frames_memo *m)
{
	size_t at, len;
	if (!hashmap_get_ptr(&m->at, t->frames, &at)) {
		strbuf_reset(&m->scratch);
		text_frames(t, &m->scratch, p);
		at = m->text.len;
		strbuf_add(&m->text, &m->scratch.len, sizeof(m->scratch.len));
		strbuf_add(&m->text, m->scratch.buf, m->scratch.len);
		hashmap_put_ptr(&m->at, t->frames, at);
	}
	memcpy(&len, m->text.buf + at, sizeof(len));
	strbuf_add(out, m->text.buf + at + sizeof(len), len);
}

static void text_thread(const struct thread *t, struct strbuf *out, const struct palette *p,
			struct frames_memo *memo)
{
	strbuf_addf(out, "%sThread %s%s", t->crashed ? p->red : p->bold, t->id, p->reset);
	if (t->name)
		strbuf_addf(out, " \"%s\"", t->name);
	if (t->state)
		strbuf_addf(out, " %s%s%s", p->dim, t->state, p->reset);
	if (t->crashed)
		strbuf_addf(out, " %s(crashed)%s", p->red, p->reset);
	strbuf_addch(out, '\n');
	if (t->waiting_on) {
		const struct lock *l = t->waiting_on;
		strbuf_addf(out, "  %swaiting on%s %s %s", p->magenta, p->reset, lock_kind_name(l->kind), l->id);
		if (l->label)
			strbuf_addf(out, " (%s)", l->label);
		if (l->owner)
			strbuf_addf(out, " held by %s", l->owner->id);
		strbuf_addch(out, '\n');
	}
	for (size_t i = 0; i < t->nholds; i++)
		strbuf_addf(out, "  %sholds%s %s %s%s%s%s\n", p->magenta, p->reset,
			    lock_kind_name(t->holds[i]->kind), t->holds[i]->id,
			    t->holds[i]->label ? " (" : "", t->holds[i]->label ? t->holds[i]->label : "",
			    t->holds[i]->label ? ")" : "");
	if (t->frames_shared && memo)
		text_shared_frames(t, out, p, memo);
	else
		text_frames(t, out, p);
	if (t->frames_truncated)
		strbuf_addf(out, "  %s... (stack cut short)%s\n", p->dim, p->reset);
	strbuf_addch(out, '\n');
}

#define TEXT_FLUSH_AT (1 << 20)

/*
 * Writes what the renderer built to TO, every control character and escape
 * sequence that came from the input shown escaped (analyzer/lib/termsafe.h):
 * the only bytes that reach the terminal raw are newlines, tabs and, with
 * COLOR, the palette's own codes.
 */
static int write_safe(FILE *to, const struct strbuf *text, bool color)
{
	unsigned keep = TERMSAFE_LINES | (color ? TERMSAFE_COLOR : 0);
	if (termsafe_clean(text->buf, text->len, keep))
		return fwrite(text->buf, 1, text->len, to) == text->len ? 0 : -1;
	struct strbuf safe = STRBUF_INIT;
	termsafe_add(&safe, text->buf, text->len, keep);
	int rc = fwrite(safe.buf, 1, safe.len, to) == safe.len ? 0 : -1;
	strbuf_release(&safe);
	return rc;
}

/* The report into OUT; with TO, OUT is written there whenever it passes 1 MiB. */
static int text_report(const struct dump *d, struct strbuf *out, bool color, FILE *to)
{
	const struct palette *p = color ? &colors : &plain;
	struct frames_memo memo = { STRBUF_INIT, HASHMAP_INIT, STRBUF_INIT };
	int rc = 0;
	text_process(d, out, p);
	text_findings(d, out, p);
	text_crash(d, out, p);
	if (d->crash && d->crash->thread)
		text_thread(d->crash->thread, out, p, &memo);
	for (size_t i = 0; i < d->nthreads; i++) {
		if (!d->crash || d->threads[i] != d->crash->thread)
			text_thread(d->threads[i], out, p, &memo);
		if (to && out->len > TEXT_FLUSH_AT) {
			if (!rc && write_safe(to, out, color) < 0)
				rc = -1;
			strbuf_reset(out);
		}
	}
	if (to && !rc && out->len && write_safe(to, out, color) < 0)
		rc = -1;
	strbuf_release(&memo.text);
	strbuf_release(&memo.scratch);
	hashmap_clear(&memo.at);
	return rc;
}

void report_text(const struct dump *d, struct strbuf *out, bool color)
{
	struct strbuf raw = STRBUF_INIT;
	text_report(d, &raw, color, NULL);
	termsafe_add(out, raw.buf, raw.len, TERMSAFE_LINES | (color ? TERMSAFE_COLOR : 0));
	strbuf_release(&raw);
}

int report_text_file(const struct dump *d, FILE *to, bool color)
{
	struct strbuf out = STRBUF_INIT;
	int rc = text_report(d, &out, color, to);
	strbuf_release(&out);
	return rc;
}
