#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/asyncout.h"
#include "analyzer/lib/jsonw.h"
#include "analyzer/lib/hashmap.h"
#include "analyzer/report/report.h"

static void str_or_null(struct jsonw *w, const char *key, const char *v)
{
	jsonw_key(w, key);
	jsonw_str(w, v);
}

static void write_input(struct jsonw *w, const struct dump *d)
{
	jsonw_key(w, "input");
	jsonw_obj_begin(w);
	str_or_null(w, "path", d->input.path);
	str_or_null(w, "format", d->input.format);
	jsonw_key(w, "bytes");
	jsonw_uint(w, d->input.bytes);
	jsonw_key(w, "snapshots");
	jsonw_int(w, d->input.snapshots);
	jsonw_key(w, "warnings");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < d->input.nwarnings; i++)
		jsonw_str(w, d->input.warnings[i]);
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

static void write_process(struct jsonw *w, const struct dump *d)
{
	jsonw_key(w, "process");
	jsonw_obj_begin(w);
	jsonw_key(w, "pid");
	if (d->process.pid >= 0)
		jsonw_int(w, d->process.pid);
	else
		jsonw_null(w);
	str_or_null(w, "executable", d->process.executable);
	str_or_null(w, "cmdline", d->process.cmdline);
	str_or_null(w, "runtime", d->process.runtime);
	str_or_null(w, "runtime_version", d->process.runtime_version);
	jsonw_obj_end(w);
}

static void write_crash(struct jsonw *w, const struct dump *d)
{
	const struct crash *c = d->crash;
	jsonw_key(w, "crash");
	if (!c) {
		jsonw_null(w);
		return;
	}
	jsonw_obj_begin(w);
	str_or_null(w, "signal", c->signal);
	jsonw_key(w, "signo");
	if (c->signo > 0)
		jsonw_int(w, c->signo);
	else
		jsonw_null(w);
	str_or_null(w, "code", c->code);
	jsonw_key(w, "address");
	if (c->has_address)
		jsonw_hex(w, c->address);
	else
		jsonw_null(w);
	str_or_null(w, "thread", c->thread ? c->thread->id : NULL);
	str_or_null(w, "frame", c->frame);
	str_or_null(w, "abort_message", c->abort_message);
	jsonw_key(w, "errno");
	if (c->has_errno)
		jsonw_int(w, c->err_no);
	else
		jsonw_null(w);
	str_or_null(w, "reason", c->reason);
	jsonw_obj_end(w);
}

static void write_modules(struct jsonw *w, const struct dump *d)
{
	jsonw_key(w, "modules");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < d->nmodules; i++) {
		const struct module *m = d->modules[i];
		jsonw_obj_begin(w);
		str_or_null(w, "name", m->name);
		str_or_null(w, "path", m->path);
		str_or_null(w, "build_id", m->build_id);
		jsonw_key(w, "start");
		if (m->start || m->end)
			jsonw_hex(w, m->start);
		else
			jsonw_null(w);
		jsonw_key(w, "end");
		if (m->start || m->end)
			jsonw_hex(w, m->end);
		else
			jsonw_null(w);
		jsonw_key(w, "debug_info");
		jsonw_bool(w, m->debug_info);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

/*
 * frame_in_app of frames already asked, by what it reads (function,
 * module, file and kind, each an interned or otherwise stable pointer for
 * the report's length): a dump whose stacks differ only in line numbers
 * asks it of the same few names a million times. Direct-mapped; one per
 * report, so no pointer outlives its dump.
 */
struct in_app_slot {
	const char *function, *module, *file;
	int kind;                  /* -1: an empty slot */
	bool in_app;
};

#define IN_APP_SLOTS 1024

static bool in_app_of(struct in_app_slot *cache, const struct frame *f)
{
	if (!cache)
		return frame_in_app(f);
	uint64_t h = hash_ptr(f->function) ^ hash_ptr(f->module) * 3 ^ hash_ptr(f->file) * 5 ^ (uint64_t)f->kind;
	struct in_app_slot *s = &cache[(h ^ h >> 20) & (IN_APP_SLOTS - 1)];
	if (s->kind != (int)f->kind || s->function != f->function || s->module != f->module || s->file != f->file) {
		s->function = f->function;
		s->module = f->module;
		s->file = f->file;
		s->kind = (int)f->kind;
		s->in_app = frame_in_app(f);
	}
	return s->in_app;
}

static void write_frame(struct jsonw *w, const struct frame *f, struct in_app_slot *cache)
{
	jsonw_obj_begin(w);
	jsonw_key(w, "pc");
	if (f->has_pc)
		jsonw_hex(w, f->pc);
	else
		jsonw_null(w);
	str_or_null(w, "function", f->function);
	str_or_null(w, "module", f->module);
	jsonw_key(w, "offset");
	if (f->has_offset)
		jsonw_hex(w, f->offset);
	else
		jsonw_null(w);
	jsonw_key(w, "module_offset");
	if (f->has_module_offset)
		jsonw_hex(w, f->module_offset);
	else
		jsonw_null(w);
	str_or_null(w, "file", f->file);
	jsonw_key(w, "line");
	if (f->line > 0)
		jsonw_int(w, f->line);
	else
		jsonw_null(w);
	jsonw_key(w, "column");
	if (f->column > 0)
		jsonw_int(w, f->column);
	else
		jsonw_null(w);
	jsonw_key(w, "inlined");
	jsonw_bool(w, f->kind == FRAME_INLINE);
	str_or_null(w, "kind", frame_kind_name(f->kind));
	str_or_null(w, "trust", frame_trust_name(f->trust));
	jsonw_key(w, "in_app");
	jsonw_bool(w, in_app_of(cache, f));
	jsonw_obj_end(w);
}

static void write_frames(struct jsonw *w, const struct thread *t, struct in_app_slot *cache)
{
	jsonw_arr_begin(w);
	for (size_t k = 0; k < t->nframes; k++)
		write_frame(w, &t->frames[k], cache);
	jsonw_arr_end(w);
}

/* The "frames" arrays of shared stacks, each rendered once (a pool of 1,000 threads has one). */
struct frames_memo {
	struct strbuf json;       /* the arrays, each after its length (a size_t) */
	struct hashmap at;         /* frames array -> where its length is in json */
	struct strbuf scratch;
	struct in_app_slot *in_app; /* IN_APP_SLOTS */
};

static void write_shared_frames(struct jsonw *w, const struct thread *t, struct frames_memo *m)
{
	size_t at, len;
	if (!hashmap_get_ptr(&m->at, t->frames, &at)) {
		struct jsonw one;
		jsonw_init(&one, &m->scratch);
		strbuf_reset(&m->scratch);
		write_frames(&one, t, m->in_app);
		at = m->json.len;
		strbuf_add(&m->json, &m->scratch.len, sizeof(m->scratch.len));
		strbuf_add(&m->json, m->scratch.buf, m->scratch.len);
		hashmap_put_ptr(&m->at, t->frames, at);
	}
	memcpy(&len, m->json.buf + at, sizeof(len));
	jsonw_raw(w, m->json.buf + at + sizeof(len), len);
}

static void write_threads(struct jsonw *w, const struct dump *d)
{
	struct frames_memo memo = { STRBUF_INIT, HASHMAP_INIT, STRBUF_INIT, NULL };
	memo.in_app = xmalloc(IN_APP_SLOTS * sizeof(*memo.in_app));
	for (size_t i = 0; i < IN_APP_SLOTS; i++)
		memo.in_app[i].kind = -1;
	jsonw_key(w, "threads");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < d->nthreads; i++) {
		const struct thread *t = d->threads[i];
		jsonw_obj_begin(w);
		str_or_null(w, "id", t->id);
		jsonw_key(w, "tid");
		if (t->tid >= 0)
			jsonw_int(w, t->tid);
		else
			jsonw_null(w);
		str_or_null(w, "name", t->name);
		str_or_null(w, "state", t->state);
		jsonw_key(w, "crashed");
		jsonw_bool(w, t->crashed);
		jsonw_key(w, "frames");
		if (t->frames_shared && t->nframes)
			write_shared_frames(w, t, &memo);
		else
			write_frames(w, t, memo.in_app);
		jsonw_key(w, "frames_truncated");
		jsonw_bool(w, t->frames_truncated);
		str_or_null(w, "waiting_on", t->waiting_on ? t->waiting_on->id : NULL);
		jsonw_key(w, "holds");
		jsonw_arr_begin(w);
		for (size_t k = 0; k < t->nholds; k++)
			jsonw_str(w, t->holds[k]->id);
		jsonw_arr_end(w);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	strbuf_release(&memo.json);
	strbuf_release(&memo.scratch);
	hashmap_clear(&memo.at);
	free(memo.in_app);
}

static void write_locks(struct jsonw *w, const struct dump *d)
{
	jsonw_key(w, "locks");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < d->nlocks; i++) {
		const struct lock *l = d->locks[i];
		jsonw_obj_begin(w);
		str_or_null(w, "id", l->id);
		str_or_null(w, "kind", lock_kind_name(l->kind));
		str_or_null(w, "label", l->label);
		str_or_null(w, "owner", l->owner ? l->owner->id : NULL);
		jsonw_key(w, "owner_inferred");
		jsonw_bool(w, l->owner_inferred);
		jsonw_key(w, "waiters");
		jsonw_arr_begin(w);
		for (size_t k = 0; k < l->nwaiters; k++)
			jsonw_str(w, l->waiters[k]->id);
		jsonw_arr_end(w);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

static void write_findings(struct jsonw *w, const struct dump *d)
{
	jsonw_key(w, "findings");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < d->nfindings; i++) {
		const struct finding *f = d->findings[i];
		jsonw_obj_begin(w);
		str_or_null(w, "id", f->id);
		str_or_null(w, "title", f->title);
		str_or_null(w, "severity", severity_name(f->severity));
		str_or_null(w, "confidence", confidence_name(f->confidence));
		jsonw_key(w, "threads");
		jsonw_arr_begin(w);
		for (size_t k = 0; k < f->nthreads; k++)
			jsonw_str(w, f->threads[k]->id);
		jsonw_arr_end(w);
		jsonw_key(w, "locks");
		jsonw_arr_begin(w);
		for (size_t k = 0; k < f->nlocks; k++)
			jsonw_str(w, f->locks[k]->id);
		jsonw_arr_end(w);
		str_or_null(w, "summary", f->summary);
		str_or_null(w, "advice", f->advice);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

static void write_report(struct jsonw *w, const struct dump *d)
{
	jsonw_obj_begin(w);
	str_or_null(w, "schema", "mortem.report/1");
	write_input(w, d);
	write_process(w, d);
	write_crash(w, d);
	write_modules(w, d);
	write_threads(w, d);
	write_locks(w, d);
	write_findings(w, d);
	str_or_null(w, "signature", d->signature);
	str_or_null(w, "bucket", d->bucket);
	jsonw_obj_end(w);
	strbuf_addch(w->out, '\n');
}

void report_json(const struct dump *d, struct strbuf *out)
{
	struct jsonw w;
	jsonw_init(&w, out);
	write_report(&w, d);
}

static int take_chunk(void *ctx, struct strbuf *out)
{
	return asyncout_take(ctx, out);
}

int report_json_file(const struct dump *d, FILE *to)
{
	struct strbuf out = STRBUF_INIT;
	struct asyncout a; /* a big report is written while the rest is rendered */
	asyncout_init(&a, to);
	struct jsonw w;
	jsonw_init(&w, &out);
	jsonw_stream(&w, take_chunk, &a);
	write_report(&w, d);
	int rc = jsonw_flush(&w);
	strbuf_release(&out);
	if (asyncout_end(&a) < 0) /* errno: the failed write's */
		rc = -1;
	return rc;
}
