#include "analyzer/model/dump.h"

#include "analyzer/lib/prefetch.h"
#include "analyzer/lib/ptrmemo.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define X_NAME(e, s) s,
static const char *const lock_kind_names[] = { LOCK_KINDS(X_NAME) };
static const char *const severity_names[] = { SEVERITIES(X_NAME) };
static const char *const confidence_names[] = { CONFIDENCES(X_NAME) };
#undef X_NAME

#define NAME_OF(table, i) ((unsigned)(i) < sizeof(table) / sizeof(table[0]) ? table[i] : NULL)

const char *lock_kind_name(enum lock_kind k) { return NAME_OF(lock_kind_names, k); }
const char *severity_name(enum severity s) { return NAME_OF(severity_names, s); }

void lock_describe(const struct lock *l, struct strbuf *out)
{
	strbuf_addf(out, "%s %s", lock_kind_name(l->kind), l->id);
	if (l->label && !strstr(l->label, l->id))
		strbuf_addf(out, " (%s)", l->label);
}
const char *confidence_name(enum confidence c) { return NAME_OF(confidence_names, c); }

static int index_of(const char *const *table, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (table[i] && name && !strcmp(table[i], name))
			return (int)i;
	return -1;
}

#define INDEX_OF(table, name) index_of(table, sizeof(table) / sizeof(table[0]), name)
int severity_from_name(const char *name) { return INDEX_OF(severity_names, name); }
int confidence_from_name(const char *name) { return INDEX_OF(confidence_names, name); }
int lock_kind_from_name(const char *name) { return INDEX_OF(lock_kind_names, name); }

struct dump *dump_new(const char *path)
{
	struct arena *a = arena_new();
	struct dump *d = arena_alloc(a, sizeof(*d));
	d->arena = a;
	d->input.path = arena_strdup(a, path ? path : "-");
	d->process.pid = -1;
	d->input_fd = -1;
	return d;
}

/* ---- thread ids: the numeric run ---- */

static void id_run_clear(struct id_run *r)
{
	free(r->e);
	memset(r, 0, sizeof(*r));
}

/* The number a canonical decimal id stands for ("0", "123"; not "0123", "+1", "1#2"). */
static bool id_number(const char *id, uint64_t *v)
{
	size_t n = 0;
	uint64_t x = 0;
	while (id[n] >= '0' && id[n] <= '9' && n < 19)
		x = x * 10 + (uint64_t)(id[n++] - '0');
	if (!n || id[n] || (id[0] == '0' && n > 1))
		return false;
	*v = x;
	return true;
}

/* The thread of the run with number V, or NULL (a binary search: the run is sorted). */
static struct thread *id_run_find(const struct id_run *r, uint64_t v)
{
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t m = r->e[mid].value;
		if (m == v)
			return r->e[mid].thread;
		if (r->dir < 0 ? m > v : m < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Whether V extends the run: past its last number in its direction (a
 * second number sets the direction). Every number in thread_ids was, when
 * it went there, not past the run's end; so a number past it is new.
 */
static bool id_run_extends(const struct id_run *r, uint64_t v)
{
	if (!r->n)
		return true;
	uint64_t last = r->e[r->n - 1].value;
	return r->dir > 0 ? v > last : r->dir < 0 ? v < last : v != last;
}

static void id_run_push(struct id_run *r, uint64_t v, struct thread *t)
{
	if (r->n == 1)
		r->dir = v > r->e[0].value ? 1 : -1;
	if (r->n == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 64;
		r->e = xreallocarray(r->e, r->alloc, sizeof(*r->e));
	}
	r->e[r->n++] = (struct id_run_entry){ v, t };
}

/* The thread with the id V in decimal (ID: that text, or NULL), in the run or the table. */
static struct thread *thread_by_number(const struct dump *d, uint64_t v, const char *id)
{
	if (v < 10000000000000000000ULL) { /* a number to id_number (20 digits are a name) */
		if (id_run_extends(&d->id_run, v)) /* a number past the run's end is nobody's yet */
			return NULL;
		struct thread *t = id_run_find(&d->id_run, v);
		if (t)
			return t;
	}
	char buf[24], *end = buf + sizeof(buf) - 1;
	if (!id) {
		*end = '\0';
		id = decimal_before(end, v);
	}
	return hashmap_get(&d->thread_ids, id);
}

static struct thread *thread_by_id(const struct dump *d, const char *id)
{
	uint64_t v;
	return id_number(id, &v) ? thread_by_number(d, v, id) : hashmap_get(&d->thread_ids, id);
}

void dump_free(struct dump *d)
{
	if (!d)
		return;
	for (struct dump_cleanup *c = d->cleanups; c; c = c->next)
		c->fn(c->arg);
	hashmap_clear(&d->lock_ids);
	hashmap_clear(&d->thread_ids);
	id_run_clear(&d->id_run);
	hashmap_clear(&d->id_suffix);
	hashmap_clear(&d->warning_set);
	hashmap_clear(&d->interned);
	hashmap_clear(&d->stacks);
	arena_free(d->arena);
}

void dump_atfree(struct dump *d, void (*fn)(void *arg), void *arg)
{
	struct dump_cleanup *c = arena_alloc(d->arena, sizeof(*c));
	c->fn = fn;
	c->arg = arg;
	c->next = d->cleanups;
	d->cleanups = c;
}

const char *dump_strndup(struct dump *d, const char *s, size_t len)
{
	return arena_strndup(d->arena, s, len);
}

struct intern_key {
	const char *s;
	size_t len;
};

/* Called only on an equal 64-bit hash, which includes the length: the bytes are compared as a check. */
static bool intern_eq(const void *key, const void *ctx)
{
	const struct intern_key *k = ctx;
	return !strncmp(key, k->s, k->len) && !((const char *)key)[k->len];
}

const char *dump_intern(struct dump *d, const char *s, size_t len)
{
	hashmap_reserve(&d->interned);
	uint64_t h = hash_bytes(s, len);
	struct intern_key k = { s, len };
	struct hashmap_slot *slot = hashmap_probe(&d->interned, h, intern_eq, &k);
	if (slot->key)
		return slot->key;
	char *copy = (char *)arena_alloc_raw(d->arena, sizeof(void *) + len + 1) + sizeof(void *);
	*dump_intern_memo(copy) = NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	hashmap_fill(&d->interned, slot, h, copy);
	return copy;
}

const char *dump_intern_recent(struct dump *d, struct intern_recent *r, const char *s, size_t len)
{
	for (size_t i = 0; i < INTERN_RECENT; i++)
		if (r->s[i] && r->len[i] == len && !memcmp(r->s[i], s, len))
			return r->s[i];
	unsigned at = r->next++ % INTERN_RECENT;
	r->s[at] = dump_intern(d, s, len);
	r->len[at] = len;
	return r->s[at];
}

const char *dump_strdup(struct dump *d, const char *s)
{
	return arena_strdup(d->arena, s);
}

const char *dump_printf(struct dump *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *s = arena_vprintf(d->arena, fmt, ap);
	va_end(ap);
	return s;
}

void dump_warn(struct dump *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *w = arena_vprintf(d->arena, fmt, ap);
	va_end(ap);
	if (d->input.nwarnings > DUMP_MAX_WARNINGS || hashmap_get(&d->warning_set, w))
		return;
	if (d->input.nwarnings == DUMP_MAX_WARNINGS)
		w = "more warnings were left out";
	hashmap_put(&d->warning_set, w, (void *)w);
	DUMP_PUSH(d, d->input.warnings, d->input.nwarnings, d->input.warnings_alloc, w);
}

static void reset_threads_and_locks(struct dump *d)
{
	d->nthreads = 0;
	d->nlocks = 0;
	hashmap_clear(&d->lock_ids);
	hashmap_clear(&d->thread_ids);
	id_run_clear(&d->id_run);
	hashmap_clear(&d->id_suffix);
	d->threads_dropped = 0;
}

void dump_snapshot_begin(struct dump *d)
{
	d->input.snapshots++;
	if (d->snapshot_frozen)
		return;
	if (d->snapshot_wanted > 0 && d->input.snapshots > d->snapshot_wanted) {
		d->snapshot_frozen = true;
		return;
	}
	if (d->input.snapshots > 1)
		reset_threads_and_locks(d);
}

struct thread *dump_find_thread(struct dump *d, const char *id)
{
	return id ? thread_by_id(d, id) : NULL;
}

struct thread *dump_find_thread_n(struct dump *d, uint64_t n)
{
	return thread_by_number(d, n, NULL);
}

struct thread *dump_find_tid(struct dump *d, int64_t tid)
{
	if (tid < 0)
		return NULL;
	struct thread *t = thread_by_number(d, (uint64_t)tid, NULL); /* the id is the TID, in decimal */
	if (t && t->tid == tid)
		return t;
	for (size_t i = 0; i < d->nthreads; i++)
		if (d->threads[i]->tid == tid)
			return d->threads[i];
	return NULL;
}

/*
 * WANT (in the arena; NUMBER: it is the decimal V), or WANT#N for the first
 * N not yet taken. The next N to try is kept per id, so a dump repeating
 * one id a million times stays linear. Registers T under the id it gets.
 */
static void claim_number_id(struct dump *d, struct thread *t, const char *want, bool number, uint64_t v)
{
	if (number && id_run_extends(&d->id_run, v)) { /* the common case: no table at all */
		id_run_push(&d->id_run, v, t);
		t->id = want;
		return;
	}
	if (!(number && id_run_find(&d->id_run, v))) {
		struct hashmap_slot *slot = hashmap_slot(&d->thread_ids, want);
		if (!slot->value) {
			slot->value = t;
			t->id = want;
			return;
		}
	}
	uintptr_t n = (uintptr_t)hashmap_get(&d->id_suffix, want);
	const char *unique;
	for (n = n ? n : 2;; n++) {
		unique = arena_printf(d->arena, "%s#%lu", want, (unsigned long)n);
		if (!hashmap_get(&d->thread_ids, unique))
			break;
	}
	hashmap_put(&d->id_suffix, want, (void *)(n + 1));
	hashmap_put(&d->thread_ids, unique, t);
	t->id = unique;
}

/*
 * claim_number_id for ID (copied unless COPIED; NULL or empty: the thread's
 * number), whose number, if it is one, is read from it.
 */
static void claim_thread_id(struct dump *d, struct thread *t, const char *id, bool copied)
{
	const char *want = !id || !*id ? arena_printf(d->arena, "%zu", d->nthreads + 1)
			   : copied    ? id
				       : arena_strdup(d->arena, id);
	uint64_t v;
	bool number = id_number(want, &v);
	claim_number_id(d, t, want, number, v);
}

void dump_finish_limits(struct dump *d)
{
	if (d->threads_dropped)
		dump_warn(d, "%zu threads dropped over the limit of %zu (--max-threads)",
			  d->threads_dropped, d->max_threads);
}

/* N threads over the thread limit are not kept: counted, and the first says so. */
static void drop_threads(struct dump *d, size_t n)
{
	if (!d->threads_dropped)
		dump_warn(d, "thread limit reached: only the first %zu threads are kept (--max-threads)",
			  d->max_threads);
	d->threads_dropped += n;
}

/* A new thread, detached when a snapshot is frozen or the thread limit is reached. */
static inline struct thread *new_thread(struct dump *d)
{
	struct thread *t = arena_alloc(d->arena, sizeof(*t));
	t->tid = -1;
	t->regs = &thread_regs_none;
	if (d->snapshot_frozen || (d->max_threads && d->nthreads >= d->max_threads)) {
		if (!d->snapshot_frozen)
			drop_threads(d, 1);
		t->id = "dropped";
		t->detached = true;
	}
	return t;
}

static inline void push_thread(struct dump *d, struct thread *t)
{
	t->index = d->nthreads;
	DUMP_PUSH(d, d->threads, d->nthreads, d->threads_alloc, t);
}

struct thread *dump_add_thread(struct dump *d, const char *id)
{
	struct thread *t = new_thread(d);
	if (t->detached)
		return t;
	if (d->part) /* its parse's dump claims it (dump_adopt_part) */
		t->id = id ? arena_strdup(d->arena, id) : "";
	else
		claim_thread_id(d, t, id, false);
	push_thread(d, t);
	return t;
}

struct thread *dump_add_thread_tid(struct dump *d, int64_t tid)
{
	struct thread *t = new_thread(d);
	t->tid = tid;
	if (t->detached)
		return t;
	char buf[24], *end = buf + sizeof(buf), *p = decimal_before(end, (uint64_t)tid);
	const char *id = arena_strndup(d->arena, p, (size_t)(end - p));
	if (d->part) {
		t->id = id;
		t->id_from_tid = true;
	} else {
		claim_number_id(d, t, id, true, (uint64_t)tid);
	}
	push_thread(d, t);
	return t;
}

static bool kind_is_vague(enum lock_kind k)
{
	return k == LOCK_UNKNOWN || k == LOCK_FUTEX;
}

/* L's kind made KIND where KIND says more (unknown < futex < any other). */
static void lock_refine_kind(struct lock *l, enum lock_kind kind)
{
	if ((kind_is_vague(l->kind) && !kind_is_vague(kind)) || (l->kind == LOCK_UNKNOWN && kind == LOCK_FUTEX))
		l->kind = kind;
}

struct lock *dump_find_lock(struct dump *d, const char *id)
{
	return id ? hashmap_get(&d->lock_ids, id) : NULL;
}

/* The address in a lock id "0x7f.." or "<0x7f..>" (its leading hex digits), else 0. */
static uint64_t lock_id_address(const char *id)
{
	id += id[0] == '<';
	if (id[0] != '0' || (id[1] != 'x' && id[1] != 'X'))
		return 0;
	uint64_t v = 0;
	for (const char *p = id + 2; p < id + 18; p++) {
		int c = *p, lower = c | 0x20;
		if (c >= '0' && c <= '9')
			v = v << 4 | (uint64_t)(c - '0');
		else if (lower >= 'a' && lower <= 'f')
			v = v << 4 | (uint64_t)(lower - 'a' + 10);
		else
			break;
	}
	return v;
}

struct lock *dump_lock_n(struct dump *d, const char *id, size_t len, enum lock_kind kind)
{
	struct hashmap_slot *slot = d->snapshot_frozen ? NULL : hashmap_slot_n(&d->lock_ids, id, len);
	struct lock *l = slot ? slot->value : NULL;
	if (l) {
		lock_refine_kind(l, kind);
		return l;
	}
	l = arena_alloc(d->arena, sizeof(*l));
	l->id = arena_strndup(d->arena, id, len);
	l->kind = kind;
	l->addr = lock_id_address(l->id);
	if (d->snapshot_frozen)
		return l;
	l->index = d->nlocks;
	slot->key = l->id;
	slot->value = l;
	DUMP_PUSH(d, d->locks, d->nlocks, d->locks_alloc, l);
	return l;
}

void dump_lock_prefetch(const struct dump *d, const char *id, size_t len)
{
	hashmap_prefetch(&d->lock_ids, id, len);
}

struct lock *dump_lock(struct dump *d, const char *id, enum lock_kind kind)
{
	return dump_lock_n(d, id, strlen(id), kind);
}

struct module *dump_add_module(struct dump *d)
{
	struct module *m = arena_alloc(d->arena, sizeof(*m));
	DUMP_PUSH(d, d->modules, d->nmodules, d->modules_alloc, m);
	return m;
}

struct section *dump_add_section(struct dump *d, const char *title, const char *text, size_t len)
{
	struct section *s = arena_alloc(d->arena, sizeof(*s));
	s->title = arena_strdup(d->arena, title);
	s->text = arena_strndup(d->arena, text, len);
	s->len = len;
	DUMP_PUSH(d, d->sections, d->nsections, d->sections_alloc, s);
	return s;
}

struct finding *dump_add_finding(struct dump *d, const char *id, const char *title,
				 enum severity sev, enum confidence conf)
{
	struct finding *f = arena_alloc(d->arena, sizeof(*f));
	f->id = arena_strdup(d->arena, id);
	f->title = arena_strdup(d->arena, title);
	f->severity = sev;
	f->confidence = conf;
	DUMP_PUSH(d, d->findings, d->nfindings, d->findings_alloc, f);
	return f;
}

void finding_add_thread(struct dump *d, struct finding *f, struct thread *t)
{
	for (size_t i = 0; i < f->nthreads; i++)
		if (f->threads[i] == t)
			return;
	f->threads = arena_grow(d->arena, f->threads, f->nthreads * sizeof(*f->threads),
				(f->nthreads + 1) * sizeof(*f->threads));
	f->threads[f->nthreads++] = t;
}

void finding_add_lock(struct dump *d, struct finding *f, struct lock *l)
{
	for (size_t i = 0; i < f->nlocks; i++)
		if (f->locks[i] == l)
			return;
	f->locks = arena_grow(d->arena, f->locks, f->nlocks * sizeof(*f->locks),
			      (f->nlocks + 1) * sizeof(*f->locks));
	f->locks[f->nlocks++] = l;
}

struct finding *dump_find_finding(struct dump *d, const char *id)
{
	for (size_t i = 0; i < d->nfindings; i++)
		if (!strcmp(d->findings[i]->id, id))
			return d->findings[i];
	return NULL;
}

struct crash *dump_crash(struct dump *d)
{
	if (!d->crash)
		d->crash = arena_alloc(d->arena, sizeof(*d->crash));
	return d->crash;
}

#define SIGNALS(X) \
	X(SIGHUP) X(SIGINT) X(SIGQUIT) X(SIGILL) X(SIGTRAP) X(SIGABRT) X(SIGBUS) X(SIGFPE) \
	X(SIGKILL) X(SIGUSR1) X(SIGSEGV) X(SIGUSR2) X(SIGPIPE) X(SIGALRM) X(SIGTERM)       \
	X(SIGSTKFLT) X(SIGCHLD) X(SIGCONT) X(SIGSTOP) X(SIGTSTP) X(SIGTTIN) X(SIGTTOU)     \
	X(SIGURG) X(SIGXCPU) X(SIGXFSZ) X(SIGVTALRM) X(SIGPROF) X(SIGWINCH) X(SIGIO)        \
	X(SIGPWR) X(SIGSYS)

static const struct { int no; const char *name; } signal_table[] = {
#define X_SIG(s) { s, #s },
	SIGNALS(X_SIG)
#undef X_SIG
};

const char *signal_name(int signo)
{
	for (size_t i = 0; i < sizeof(signal_table) / sizeof(signal_table[0]); i++)
		if (signal_table[i].no == signo)
			return signal_table[i].name;
	return NULL;
}

int signal_number(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < sizeof(signal_table) / sizeof(signal_table[0]); i++)
		if (!strcmp(signal_table[i].name, name))
			return signal_table[i].no;
	return -1;
}

struct thread *dump_crash_thread(const struct dump *d)
{
	if (d->crash && d->crash->thread)
		return d->crash->thread;
	for (size_t i = 0; i < d->nthreads; i++)
		if (d->threads[i]->crashed)
			return d->threads[i];
	return NULL;
}

/* ---- parts of one input parsed on several threads ---- */

struct dump *dump_new_part(const struct dump *d, size_t bytes)
{
	struct dump *p = dump_new(d->input.path);
	arena_expect(p->arena, bytes); /* a model is about the size of its text */
	p->part = true;
	p->max_frames = d->max_frames;
	p->max_line = d->max_line;
	p->keep_notes = d->keep_notes;
	p->input_map = d->input_map;
	p->input_map_len = d->input_map_len;
	p->input_fd = d->input_fd;
	return p;
}

/* Whether PART holds only threads and locks (what a parse of it on its own may be trusted with). */
static bool part_plain(const struct dump *p)
{
	return !p->input.nwarnings && !p->nsections && !p->nmodules && !p->nfindings && !p->crash &&
	       !p->input.incomplete && !p->process.executable && !p->process.cmdline &&
	       !p->process.runtime && !p->process.runtime_version && !p->process.host &&
	       !p->process.time && p->process.pid < 0;
}

/* Drops the threads of L's that are not kept (over the thread limit) from its owner and waiters. */
static void lock_forget_detached(struct lock *l)
{
	if (l->owner && l->owner->detached)
		l->owner = NULL; /* no thread kept holds it: those kept come first */
	size_t n = 0;
	for (size_t i = 0; i < l->nwaiters; i++)
		if (!l->waiters[i]->detached)
			l->waiters[n++] = l->waiters[i];
	l->nwaiters = n;
}

/* Gives D's lock MINE what PART's lock L of the same id adds to it. */
static void merge_lock(struct lock *mine, struct lock *l, struct dump *d)
{
	lock_refine_kind(mine, l->kind);
	if (!mine->label)
		mine->label = l->label;
	if (!mine->owner) {
		mine->owner = l->owner;
		mine->owner_inferred = l->owner_inferred;
	}
	for (size_t i = 0; i < l->nwaiters; i++)
		DUMP_PUSH(d, mine->waiters, mine->nwaiters, mine->waiters_alloc, l->waiters[i]);
}

/* What the adoption of one part remembers (adopt_stack). */
struct adoption {
	struct ptrmemo moved;      /* a part's shared frames array -> D's */
	struct ptrmemo canon;      /* a part's string -> D's interned one */
};

static const char *canon_string(struct dump *d, struct adoption *ad, const char *s)
{
	size_t c;
	if (!s)
		return NULL;
	if (ptrmemo_get(&ad->canon, s, 0, &c))
		return (const char *)c;
	const char *mine = dump_intern(d, s, strlen(s));
	ptrmemo_put(&ad->canon, s, 0, (size_t)mine);
	return mine;
}

/*
 * T's frames (an array only its part's threads hold) with D's strings, the
 * same bytes: a part interned its strings alone, and frames are told
 * apart by their strings' addresses.
 */
static void canon_frames(struct dump *d, struct adoption *ad, struct thread *t)
{
	for (size_t i = 0; i < t->nframes; i++) {
		struct frame *f = &t->frames[i];
		f->function = canon_string(d, ad, f->function);
		f->module = canon_string(d, ad, f->module);
		f->file = canon_string(d, ad, f->file);
		f->args = canon_string(d, ad, f->args);
		f->text = canon_string(d, ad, f->text);
	}
}

/*
 * T's frames into D's stacks (thread_adopt_frames): each part parsed its
 * stacks alone, so a stack of ten threads in each of sixteen parts was
 * sixteen arrays, each rendered and asked about again. An array the part
 * shared is looked up once (MOVED: where it went). An array of T's own
 * (its part saw the stack first: a line of it was new) is looked up while
 * that finds stacks often enough: where every stack differs, after a
 * thousand tries it is not (the lookup costs more than the parse did).
 */
static void adopt_stack(struct dump *d, struct thread *t, struct adoption *ad)
{
	size_t to;
	if (t->frames_shared && ptrmemo_get(&ad->moved, t->frames, t->nframes, &to)) {
		t->frames = (struct frame *)to;
		return;
	}
	const struct frame *was = t->frames;
	if (t->frames_shared) {
		canon_frames(d, ad, t);
		thread_adopt_frames(d, t);
		ptrmemo_put(&ad->moved, was, t->nframes, (size_t)t->frames);
	} else if (d->restack_tries < 1024 || d->restack_hits * 8 >= d->restack_tries) {
		canon_frames(d, ad, t);
		thread_adopt_frames(d, t);
		d->restack_tries++;
		d->restack_hits += t->frames != was;
	}
}

/* PART's first KEEP threads into D, in order, and every lock of PART. */
static void adopt_threads_and_locks(struct dump *d, struct dump *part, size_t keep)
{
	for (size_t i = keep; i < part->nthreads; i++)
		part->threads[i]->detached = true;
	if (keep < part->nthreads) { /* as dump_add_thread would have dropped them */
		drop_threads(d, part->nthreads - keep);
		for (size_t i = 0; i < part->nlocks; i++)
			lock_forget_detached(part->locks[i]);
	}
	/* D's lock for each of PART's (by PART's index): D's own of that id, else PART's, soon D's */
	struct lock **as = xcalloc(part->nlocks ? part->nlocks : 1, sizeof(*as));
	struct adoption ad = { PTRMEMO_INIT, PTRMEMO_INIT };
	for (size_t i = 0; i < part->nlocks; i++) {
		as[i] = dump_find_lock(d, part->locks[i]->id);
		if (!as[i])
			as[i] = part->locks[i];
	}
	for (size_t i = 0; i < keep; i++) {
		struct thread *t = part->threads[i];
		PREFETCH_FIELD(part->threads, i, keep, id); /* threads another CPU wrote: misses, overlapped */
		PREFETCH_FIELD(part->threads, i, keep, index);
		if (i + PREFETCH_AHEAD / 2 < keep)
			__builtin_prefetch(part->threads[i + PREFETCH_AHEAD / 2]->id);
		if (t->id_from_tid) /* the number is known: not read back from the id */
			claim_number_id(d, t, t->id, true, (uint64_t)t->tid);
		else
			claim_thread_id(d, t, t->id, true);
		t->id_from_tid = false;
		push_thread(d, t);
		if (t->waiting_on)
			t->waiting_on = as[t->waiting_on->index];
		for (size_t k = 0; k < t->nholds; k++)
			t->holds[k] = as[t->holds[k]->index];
		if (t->nframes)
			adopt_stack(d, t, &ad);
	}
	ptrmemo_release(&ad.moved);
	ptrmemo_release(&ad.canon);
	for (size_t i = 0; i < part->nlocks; i++) {
		struct lock *l = part->locks[i];
		if (as[i] != l) {
			merge_lock(as[i], l, d);
			continue;
		}
		hashmap_put(&d->lock_ids, l->id, l);
		l->index = d->nlocks;
		DUMP_PUSH(d, d->locks, d->nlocks, d->locks_alloc, l);
	}
	free(as);
}

bool dump_adopt_part(struct dump *d, struct dump *part)
{
	if (!part_plain(part))
		return false;
	d->lines_cut += part->lines_cut;
	if (d->snapshot_frozen) { /* a snapshot after the one wanted: nothing of it is kept */
		dump_free(part);
		return true;
	}
	size_t room = !d->max_threads ? SIZE_MAX : d->max_threads > d->nthreads ? d->max_threads - d->nthreads : 0;
	adopt_threads_and_locks(d, part, part->nthreads < room ? part->nthreads : room);
	struct arena *a = part->arena;
	part->arena = NULL;
	dump_free(part); /* its tables; the memory it holds is D's from here */
	arena_adopt(d->arena, a);
	return true;
}
