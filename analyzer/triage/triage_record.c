#include "analyzer/triage/triage_record.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "parsers/parser.h"
#include "analyzer/lib/fdio.h"
#include "analyzer/lib/jsonw.h"
#include "analyzer/lib/xalloc.h"
#include "analyzer/pipeline.h"
#include "analyzer/report/fold.h"
#include "analyzer/report/report.h"

#define STACK_FRAMES 64
#define GRAPH_EDGES 64

bool record_is_elf_core(const unsigned char *d, size_t n)
{
	return n >= 18 && !memcmp(d, "\x7f" "ELF", 4) &&
	       (d[5] == 1 ? d[16] | d[17] << 8 : d[16] << 8 | d[17]) == 4;
}

void record_problem(struct strbuf *out, enum record_status status, const char *why)
{
	struct jsonw w;
	jsonw_init(&w, out);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "status");
	jsonw_str(&w, status == RECORD_SKIPPED ? "skipped" : "failed");
	jsonw_key(&w, "error");
	jsonw_str(&w, why);
	jsonw_obj_end(&w);
}

/* The thread whose stack best shows the problem: the crashed one, a cycle's first, or the first. */
static const struct thread *example_thread(const struct dump *d)
{
	if (d->crash && d->crash->thread)
		return d->crash->thread;
	for (size_t i = 0; i < d->nthreads; i++)
		if (d->threads[i]->crashed)
			return d->threads[i];
	for (size_t i = 0; i < d->nfindings; i++)
		if (d->findings[i]->nthreads)
			return d->findings[i]->threads[0];
	return d->nthreads ? d->threads[0] : NULL;
}

static long long frame_score(const struct frame *f)
{
	return (f->function ? 2 : 0) + (f->file ? 2 : 0) + (f->line > 0 ? 1 : 0) + (f->module ? 1 : 0);
}

static long long write_stack(struct jsonw *w, const struct thread *t, bool crashed)
{
	long long score = 0;
	jsonw_key(w, "stack");
	if (!t) {
		jsonw_null(w);
		return 0;
	}
	jsonw_obj_begin(w);
	jsonw_key(w, "thread");
	struct strbuf sb = STRBUF_INIT;
	thread_label(t, &sb);
	jsonw_str(w, sb.buf);
	size_t n = t->nframes < STACK_FRAMES ? t->nframes : STACK_FRAMES;
	jsonw_key(w, "frames");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < n; i++) {
		strbuf_reset(&sb);
		frame_describe(&t->frames[i], &sb);
		jsonw_str(w, sb.buf);
		score += frame_score(&t->frames[i]);
	}
	jsonw_arr_end(w);
	jsonw_key(w, "in_app");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < n; i++)
		jsonw_bool(w, fold_in_app(&t->frames[i]));
	jsonw_arr_end(w);
	/* where the reader starts: a crash's first meaningful frame, a waiting thread's own code */
	const struct frame *top = t->crashed || crashed ? thread_top_frame(t) : fold_thread_own(t);
	jsonw_key(w, "top");
	jsonw_uint(w, top ? (size_t)(top - t->frames) : 0);
	jsonw_obj_end(w);
	strbuf_release(&sb);
	return score;
}

static void write_str(struct jsonw *w, const char *key, const char *value)
{
	jsonw_key(w, key);
	jsonw_str(w, value);
}

/* What the crash says of itself: signal, code, reason (hs_err), message (abort, assert), frame. */
static void write_crash(struct jsonw *w, const struct crash *c)
{
	jsonw_key(w, "crash");
	if (!c) {
		jsonw_null(w);
		return;
	}
	jsonw_obj_begin(w);
	write_str(w, "signal", c->signal);
	write_str(w, "code", c->code);
	write_str(w, "reason", c->reason);
	write_str(w, "message", c->abort_message);
	write_str(w, "frame", c->frame);
	jsonw_obj_end(w);
}

/* Each finding's texts, as the report gives them (the first of each id). */
static void write_details(struct jsonw *w, const struct dump *d)
{
	jsonw_key(w, "details");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < d->nfindings; i++) {
		const struct finding *f = d->findings[i];
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(d->findings[k]->id, f->id);
		if (seen)
			continue;
		jsonw_obj_begin(w);
		write_str(w, "id", f->id);
		write_str(w, "title", f->title);
		write_str(w, "severity", severity_name(f->severity));
		write_str(w, "summary", f->summary);
		write_str(w, "advice", f->advice);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

static const char *label_of(const struct thread *t, struct strbuf *sb)
{
	strbuf_reset(sb);
	thread_label(t, sb);
	return sb->buf;
}

/* Where T is, for a reader: "transfer pool.cpp:51", or NULL. */
static const char *where_of(const struct thread *t, struct strbuf *sb)
{
	const struct frame *f = t ? fold_thread_own(t) : NULL;
	if (!f)
		return NULL;
	strbuf_reset(sb);
	fold_frame_brief(f, sb);
	return sb->buf;
}

/* A lock as a reader knows it: its label, else its kind and address. */
static const char *lock_name(const struct lock *l, struct strbuf *sb)
{
	if (l->label)
		return l->label;
	strbuf_reset(sb);
	strbuf_addf(sb, "%s %s", lock_kind_name(l->kind), l->id);
	return sb->buf;
}

/* The wait-for edges among the threads the findings name (the cycles). */
static void write_graph(struct jsonw *w, const struct dump *d)
{
	jsonw_key(w, "graph");
	jsonw_arr_begin(w);
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int n = 0;
	for (size_t i = 0; i < d->nfindings && n < GRAPH_EDGES; i++) {
		const struct finding *f = d->findings[i];
		if (!f->nlocks)
			continue;
		for (size_t k = 0; k < f->nthreads && n < GRAPH_EDGES; k++) {
			const struct thread *t = f->threads[k];
			const struct lock *l = t->waiting_on;
			if (!l)
				continue;
			jsonw_obj_begin(w);
			write_str(w, "from", label_of(t, &a));
			write_str(w, "to", l->owner ? label_of(l->owner, &b) : NULL);
			write_str(w, "lock", lock_name(l, &a));
			write_str(w, "from_at", where_of(t, &a));
			write_str(w, "to_at", where_of(l->owner, &b));
			jsonw_obj_end(w);
			n++;
		}
	}
	jsonw_arr_end(w);
	strbuf_release(&a);
	strbuf_release(&b);
}

/* Whether D's finding I is the first with its id. */
static bool first_of_id(const struct dump *d, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (!strcmp(d->findings[k]->id, d->findings[i]->id))
			return false;
	return true;
}

/* The worst severity among D's findings (enum severity: lower is worse), or -1. */
static int worst_severity(const struct dump *d)
{
	int sev = -1;
	for (size_t i = 0; i < d->nfindings; i++)
		if (sev < 0 || (int)d->findings[i]->severity < sev)
			sev = (int)d->findings[i]->severity;
	return sev;
}

/* The keys a record begins with: status to severity (its summary has the same). */
static void write_head(struct jsonw *w, const struct dump *d)
{
	jsonw_key(w, "status");
	jsonw_str(w, "ok");
	jsonw_key(w, "format");
	jsonw_str(w, d->input.format);
	jsonw_key(w, "signature");
	jsonw_str(w, d->signature);
	jsonw_key(w, "bucket");
	jsonw_str(w, d->bucket);
	jsonw_key(w, "findings");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < d->nfindings; i++)
		if (first_of_id(d, i))
			jsonw_str(w, d->findings[i]->id);
	jsonw_arr_end(w);
	int sev = worst_severity(d);
	jsonw_key(w, "severity");
	jsonw_str(w, sev >= 0 ? severity_name((enum severity)sev) : NULL);
}

/* One field of a summary (triage_record.h): VALUE, or none when NULL. */
static void summary_field(struct strbuf *sb, const char *value)
{
	size_t n = value ? strlen(value) : 0;
	strbuf_addx(sb, n + 1);
	strbuf_adds(sb, value ? ":+" : ":-");
	strbuf_add(sb, value ? value : "", n);
	strbuf_addch(sb, ',');
}

static void write_summary(struct strbuf *sb, const struct dump *d, long long score)
{
	int sev = worst_severity(d);
	char num[24];
	snprintf(num, sizeof(num), "%lld", score);
	summary_field(sb, "ok");
	summary_field(sb, d->input.format);
	summary_field(sb, d->signature);
	summary_field(sb, d->bucket);
	summary_field(sb, NULL); /* error */
	summary_field(sb, sev >= 0 ? severity_name((enum severity)sev) : NULL);
	summary_field(sb, num);
	for (size_t i = 0; i < d->nfindings; i++)
		if (first_of_id(d, i))
			summary_field(sb, d->findings[i]->id);
}

void record_from_dump(const struct dump *d, struct strbuf *out, struct strbuf *summary)
{
	struct jsonw w;
	jsonw_init(&w, out);
	jsonw_obj_begin(&w);
	write_head(&w, d);
	jsonw_key(&w, "time");
	jsonw_str(&w, d->process.time);
	jsonw_key(&w, "executable");
	jsonw_str(&w, d->process.executable);
	write_crash(&w, d->crash);
	write_details(&w, d);
	const struct thread *ex = example_thread(d);
	long long score = write_stack(&w, ex, ex && d->crash && d->crash->thread == ex);
	write_graph(&w, d);
	jsonw_key(&w, "score");
	jsonw_int(&w, score);
	jsonw_obj_end(&w);
	if (summary)
		write_summary(summary, d, score);
}

/*
 * Test hook: MORTEM_TEST_WORKER_FAULT="SUBSTRING:crash|hang|slow" misbehaves
 * on matching paths (slow: takes a fifth of a second more, so that
 * concurrent runs overlap).
 */
static void test_fault(const char *path)
{
	const char *spec = getenv("MORTEM_TEST_WORKER_FAULT");
	const char *colon = spec ? strrchr(spec, ':') : NULL;
	if (!colon || colon == spec)
		return;
	char *needle = strndup(spec, (size_t)(colon - spec));
	bool hit = needle && strstr(path, needle);
	free(needle);
	if (!hit)
		return;
	if (!strcmp(colon + 1, "crash")) {
		signal(SIGSEGV, SIG_DFL); /* die as an unhandled fault does, sanitizers or not */
		raise(SIGSEGV);
	}
	if (!strcmp(colon + 1, "hang"))
		for (;;)
			pause();
	if (!strcmp(colon + 1, "slow"))
		usleep(200000);
}

/*
 * Room for the mapping, its decompressed copy (a compressed core is assumed
 * to grow up to 20 times) and the analysis, in steps of 256 MB; never
 * above the hard limit. The limit is set only when it changes (two system
 * calls a core otherwise).
 */
static void limit_memory(const unsigned char *data, size_t len)
{
#if !defined(__SANITIZE_ADDRESS__)
	static struct rlimit rl;
	static bool known;
	if (!known && getrlimit(RLIMIT_AS, &rl) < 0)
		return;
	known = true;
	const rlim_t step = (rlim_t)256 << 20;
	rlim_t content = (rlim_t)len * (input_compression(data, len) ? 20 : 1);
	rlim_t want = (rlim_t)(4ULL << 30) + (rlim_t)len + content * 3;
	want = (want + step - 1) / step * step;
	if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
		want = rl.rlim_max;
	if (want == rl.rlim_cur)
		return;
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_AS, &rl) < 0)
		known = false; /* read again next time */
#else
	(void)data;
	(void)len;
#endif
}

static void analyze_bytes(const struct input *in, const struct mortem_opts *o, struct strbuf *out,
			  struct strbuf *summary)
{
	struct strbuf err = STRBUF_INIT;
	if (!o->input_format && !parser_detect(in)) {
		if (record_is_elf_core(in->data, in->len))
			record_problem(out, RECORD_FAILED, "an ELF core, but no parser could read it");
		else
			record_problem(out, RECORD_SKIPPED,
				       in->len ? "not a recognised dump format" : "empty");
		return;
	}
	struct mortem_opts one = *o;
	one.jobs = 1; /* a worker is one of -j: it parses on one thread (parsers/text/split.h) */
	struct dump *d = pipeline_load_input(in, &one, &err);
	if (d && d->input.incomplete) /* what it shows may be the cut, not the bug: not bucketed */
		record_problem(out, RECORD_FAILED, d->input.incomplete);
	else if (d)
		record_from_dump(d, out, summary);
	else
		record_problem(out, RECORD_FAILED, err.len ? err.buf : "cannot be analyzed");
	dump_free(d);
	strbuf_release(&err);
}

/*
 * A core is mapped: an analysis reads a small part of it (headers, notes,
 * the stacks, a few data pages), and a mapping costs those pages' faults
 * and the unmapping, where a read copies every byte of data. On the
 * developers' machine, 1,000 cores of 0.3 MB (make bench's): triage -j 1
 * 348.6 ms read, 319.5 mapped; -j 2 199.0 and 174.3 (medians of 41
 * alternating runs); 10 cores of 65 MB with 30 MB heaps 343 and 106 ms,
 * peak RSS 69 and 5 MB. (An earlier machine, whose copies cost half as
 * much, read 0.7 MB cores faster: 25 ms and 28 for 40.)
 *
 * Other artifacts up to READ_MAX are read into one buffer the worker keeps
 * from one artifact to the next: a text parser reads every byte, and a
 * mapped page's first touch costs more than its copy. Larger ones are
 * mapped.
 */
#define READ_MAX ((size_t)64 << 20)

static bool mapped(int fd, size_t len)
{
	unsigned char head[20];
	return len > READ_MAX || (fd_pread_full(fd, head, sizeof(head), 0) == 0 &&
				  record_is_elf_core(head, sizeof(head)));
}

/*
 * The LEN bytes of FD in the worker's buffer, kept from one artifact to the
 * next, a NUL after them as after every input read into memory (NULL when
 * they cannot all be read: errno, EIO when the file is shorter).
 */
static const unsigned char *read_artifact(int fd, size_t len)
{
	static unsigned char *buf;
	static size_t cap;
	if (len >= cap) {
		free(buf);
		cap = len < (1 << 20) ? 1 << 20 : len + 1;
		buf = xmalloc(cap);
	}
	if (fd_pread_full(fd, buf, len, 0) < 0)
		return NULL;
	buf[len] = '\0';
	return buf;
}

void record_analyze(int fd, size_t len, const char *path, const struct mortem_opts *o,
		    struct membudget *budget, struct strbuf *out, struct strbuf *summary)
{
	test_fault(path);
	const unsigned char *data = (const unsigned char *)"";
	void *map = NULL;
	if (mapped(fd, len)) {
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		data = map;
	} else if (len) {
		data = read_artifact(fd, len);
	}
	if (map == MAP_FAILED || !data) {
		struct strbuf why = STRBUF_INIT;
		strbuf_addf(&why, "cannot read the artifact: %s", strerror(errno));
		record_problem(out, RECORD_FAILED, why.buf);
		strbuf_release(&why);
		return;
	}
	limit_memory(data, len);
	struct input in;
	struct strbuf err = STRBUF_INIT;
	struct input_limits lim = { .max_decompressed = o->max_decompressed, .budget = budget };
	if (input_from_memory(&in, path, data, len, &lim, &err) < 0) {
		record_problem(out, RECORD_FAILED, err.buf);
	} else {
		if (!in.compression && !in.utf16)
			in.fd = fd; /* libelf wants a descriptor on the bytes */
		in.lasting = true; /* the dump is freed before the bytes are, FD closed */
		analyze_bytes(&in, o, out, summary);
		if (in.fd == fd)
			in.fd = -1; /* the caller's */
		input_close(&in);
	}
	if (map)
		munmap(map, len);
	strbuf_release(&err);
}

static const char *get_str(json_t *root, const char *key)
{
	return json_string_value(json_object_get(root, key));
}

static void set_status(struct triage_record *r, const char *st)
{
	r->status = st && !strcmp(st, "ok")        ? RECORD_OK
		  : st && !strcmp(st, "skipped") ? RECORD_SKIPPED
						 : RECORD_FAILED;
}

/* R's keys from the whole record's object KEYS (which R then owns). */
static void keys_from_json(struct triage_record *r, json_t *keys)
{
	r->keys = keys;
	set_status(r, get_str(keys, "status"));
	r->error = get_str(keys, "error");
	r->format = get_str(keys, "format");
	r->signature = get_str(keys, "signature");
	r->bucket = get_str(keys, "bucket");
	const char *sev = get_str(keys, "severity");
	r->severity = sev ? severity_from_name(sev) : -1;
	json_t *findings = json_object_get(keys, "findings");
	r->findings = xcalloc(json_array_size(findings) + 1, sizeof(*r->findings));
	for (size_t i = 0; i < json_array_size(findings); i++)
		if (json_is_string(json_array_get(findings, i)))
			r->findings[r->nfindings++] = json_string_value(json_array_get(findings, i));
	r->score = json_integer_value(json_object_get(keys, "score"));
}

/*
 * The next field of a summary at *AT (END its end), NUL-ended in place:
 * 0 with *VALUE (NULL for none), or -1 when it is not one.
 */
static int next_field(char **at, char *end, const char **value)
{
	char *p = *at, *digits = p;
	size_t n = 0;
	for (; p < end && isxdigit((unsigned char)*p) && p - digits < 16; p++)
		n = n * 16 + (size_t)(isdigit((unsigned char)*p) ? *p - '0' : (*p | 0x20) - 'a' + 10);
	if (p == digits || p == end || *p != ':' || !n || n > (size_t)(end - p) - 1 ||
	    p[1 + n] != ',' || (p[1] != '+' && p[1] != '-') || (p[1] == '-' && n != 1))
		return -1;
	p[1 + n] = '\0';
	*value = p[1] == '+' ? p + 2 : NULL;
	*at = p + 2 + n;
	return 0;
}

/* R's keys from SUMMARY (triage_record.h): 0, or -1 when it is not one. */
static int keys_from_summary(struct triage_record *r, const char *summary)
{
	r->fields = xstrdup(summary);
	char *at = r->fields, *end = at + strlen(at);
	const char *v[7];
	for (int i = 0; i < 7; i++)
		if (next_field(&at, end, &v[i]) < 0)
			return -1;
	set_status(r, v[0]);
	r->format = v[1];
	r->signature = v[2];
	r->bucket = v[3];
	r->error = v[4];
	r->severity = v[5] ? severity_from_name(v[5]) : -1;
	r->score = v[6] ? strtoll(v[6], NULL, 10) : 0;
	size_t alloc = 0;
	const char *id;
	while (at < end) {
		if (next_field(&at, end, &id) < 0 || !id)
			return -1;
		ALLOC_GROW(r->findings, r->nfindings + 1, alloc);
		r->findings[r->nfindings++] = id;
	}
	return 0;
}

int record_parse(struct triage_record *r, const char *json, const char *summary,
		 struct strbuf *err)
{
	memset(r, 0, sizeof(*r));
	r->severity = -1;
	if (summary && *summary) {
		if (keys_from_summary(r, summary) < 0) {
			record_release(r);
			return error_set(err, "bad triage record summary");
		}
		r->text = xstrdup(json);
		return 0;
	}
	json_error_t je;
	json_t *keys = json_loads(json, 0, &je);
	if (!keys || !json_is_object(keys)) {
		json_decref(keys);
		return error_set(err, "bad triage record: %s", je.text);
	}
	r->text = xstrdup(json);
	r->root = json_incref(keys);
	keys_from_json(r, keys);
	return 0;
}

json_t *record_root(struct triage_record *r)
{
	if (!r->root) {
		r->root = r->text ? json_loads(r->text, 0, NULL) : NULL;
		if (!json_is_object(r->root)) {
			json_decref(r->root);
			r->root = json_object();
		}
	}
	return r->root;
}

void record_release(struct triage_record *r)
{
	json_decref(r->root);
	json_decref(r->keys);
	free(r->fields);
	free(r->findings);
	free(r->text);
	memset(r, 0, sizeof(*r));
}
