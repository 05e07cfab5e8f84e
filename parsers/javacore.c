/*
 * IBM J9 / IBM JDK javacore files (kill -3 on an IBM JVM), a tagged format:
 *
 *   0SECTION       THREADS subcomponent dump routine
 *   2XMFULLTHDDUMP Full thread dump Classic VM (J2RE 1.4.0 IBM ...):
 *   3XMTHREADINFO      "Thread-1" (TID:0x9106C0, sys_thread_t:0x22AAACA8, state:CW, native ID:0x700) prio=5
 *   4XESTACKTRACE          at pkg.AThread.run(StackSample.java:25)
 *
 * and the J9 layout (JDK 5 to 21):
 *
 *   3XMTHREADINFO      "main" J9VMThread:0x.., omrthread_t:0x.., java/lang/Thread:0x.., state:B, prio=5
 *   3XMTHREADINFO1            (native thread ID:0x4D2, native priority:0x5, ...)
 *   3XMTHREADBLOCK     Blocked on: java/lang/Object@0x.. Owned by: "t2" (J9VMThread:0x..)
 *   4XESTACKTRACE                at java/lang/Object.wait(Native Method)
 *   5XESTACKTRACE                   (entered lock: java/lang/Object@0x.., entry count: 1)
 *
 * Thread id: the decimal native thread id, else the name. State is J9's
 * code (R, CW, B, P, S, Z...). Locks: "Blocked on" waits for a monitor,
 * "Parked on" for a j.u.c. synchronizer, "Waiting on" released one
 * (Object.wait), "entered lock" holds one. The "Owned by:" that follows
 * names the owner: the only place a j.u.c. lock's owner is given (no
 * "entered lock" line is written for one), so it makes the owner hold the
 * lock once every thread is read:
 *
 *   3XMTHREADBLOCK     Parked on: java/util/concurrent/locks/ReentrantLock$NonfairSync@0x..
 *                      Owned by: "t1" (J9VMThread:0x.., java/lang/Thread:0x..)
 *
 * J9's own deadlock report (1LKDEADLOCK, 2LKDEADLOCKTHR ... in the LOCKS
 * section) is kept as a section of the dump, a cross-check beside the
 * cycles found from the threads, as HotSpot's is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/xalloc.h"

#include "parsers/text/javastack.h"
#include "parsers/parser.h"
#include "parsers/text/text.h"

/* A lock whose owner "Owned by:" names, resolved once every thread is read. */
struct jc_owned {
	struct span id, cls;
	struct span owner;        /* the owner's name */
	struct span owner_vmthread; /* its J9VMThread:0x.., may be empty */
	bool juc;                 /* a j.u.c. synchronizer (Parked on), else a monitor */
};

struct jc_state {
	struct dump *d;
	struct thread *t;
	struct jc_owned *owned;
	size_t nowned, owned_alloc;
	struct span *vmthreads;   /* each thread's J9VMThread:0x.., parallel to d->threads */
	size_t nvmthreads, vmthreads_alloc;
	struct span vmthread;     /* the pending thread's */
	const char *deadlock_start; /* a 1LKDEADLOCK run being read, or NULL */
	bool pending;             /* a 3XMTHREADINFO seen, thread not created yet */
	struct span name, state;
	int64_t tid;
	struct javalocks jl;
	struct javaframe_hint hint;  /* the previous frame line (javastack_frame) */
	struct strbuf scratch;
};

static void jc_finish(struct jc_state *st)
{
	if (st->t)
		javalocks_apply(st->d, st->t, &st->jl, st->t->state && !strcmp(st->t->state, "B"));
	st->t = NULL;
	st->jl.n = 0;
}

/* T's J9VMThread, at T's index (a thread past --max-threads is detached, not listed). */
static void jc_remember_vmthread(struct jc_state *st, struct thread *t)
{
	if (t->detached)
		return;
	ALLOC_GROW(st->vmthreads, t->index + 1, st->vmthreads_alloc);
	while (st->nvmthreads <= t->index)
		st->vmthreads[st->nvmthreads++] = (struct span){ NULL, 0 };
	st->vmthreads[t->index] = st->vmthread;
}

static void jc_create(struct jc_state *st)
{
	if (!st->pending)
		return;
	struct dump *d = st->d;
	if (!d->input.snapshots)
		dump_snapshot_begin(d);
	strbuf_reset(&st->scratch);
	if (st->tid >= 0)
		strbuf_addint(&st->scratch, st->tid);
	else
		strbuf_add(&st->scratch, st->name.s, st->name.len);
	struct thread *t = dump_add_thread(d, st->scratch.buf);
	t->tid = st->tid;
	t->name = dump_strndup(d, st->name.s, st->name.len);
	if (st->state.len)
		t->state = dump_strndup(d, st->state.s, st->state.len);
	st->t = t;
	st->pending = false;
	jc_remember_vmthread(st, t);
}

/* "key:VALUE" in X, VALUE up to ',' or ')' or space. */
static struct span jc_field(struct span x, const char *key)
{
	long p = span_find(x, key);
	if (p < 0)
		return (struct span){ x.s, 0 };
	struct span v = span_drop(x, (size_t)p + strlen(key));
	size_t n = 0;
	while (n < v.len && v.s[n] != ',' && v.s[n] != ')' && v.s[n] != ' ')
		n++;
	return (struct span){ v.s, n };
}

static void jc_native_id(struct jc_state *st, struct span x)
{
	struct span v = jc_field(x, "native ID:");
	if (!v.len)
		v = jc_field(x, "native thread ID:");
	uint64_t n;
	if (v.len && span_hex(&v, &n))
		st->tid = (int64_t)n;
}

static void jc_thread(struct jc_state *st, struct span rest)
{
	jc_create(st);
	jc_finish(st);
	rest = span_trim(rest);
	long close = -1;
	if (rest.len > 1 && rest.s[0] == '"')
		for (size_t i = rest.len; i > 1; i--)
			if (rest.s[i - 1] == '"') {
				close = (long)i - 1;
				break;
			}
	st->name = close > 0 ? (struct span){ rest.s + 1, (size_t)close - 1 } : rest;
	st->state = jc_field(rest, "state:");
	st->vmthread = jc_field(rest, "J9VMThread:");
	st->tid = -1;
	jc_native_id(st, rest);
	st->pending = true;
}

/* Records "Owned by: "NAME" (J9VMThread:0x.., ...)" after a lock (not "<unowned>", "<unknown>"). */
static void jc_owned_by(struct jc_state *st, struct span id, struct span cls, struct span rest,
			bool juc)
{
	if (!span_starts(rest, "Owned by: \""))
		return;
	struct span v = span_drop(rest, strlen("Owned by: \""));
	long q = -1;
	for (size_t i = v.len; i > 0 && q < 0; i--)
		if (v.s[i - 1] == '"')
			q = (long)i - 1;
	if (q <= 0 || !id.len)
		return;
	ALLOC_GROW(st->owned, st->nowned + 1, st->owned_alloc);
	st->owned[st->nowned++] = (struct jc_owned){
		.id = id, .cls = cls, .owner = { v.s, (size_t)q },
		.owner_vmthread = jc_field(span_drop(v, (size_t)q), "J9VMThread:"), .juc = juc,
	};
}

/* The thread an "Owned by:" names: by its J9VMThread when given, else by a unique name. */
static struct thread *jc_owner(struct jc_state *st, const struct jc_owned *o)
{
	struct thread *by_name = NULL;
	size_t named = 0;
	for (size_t i = 0; i < st->d->nthreads; i++) {
		struct thread *t = st->d->threads[i];
		struct span vm = i < st->nvmthreads ? st->vmthreads[i] : (struct span){ NULL, 0 };
		if (o->owner_vmthread.len && vm.len == o->owner_vmthread.len &&
		    !memcmp(vm.s, o->owner_vmthread.s, vm.len))
			return t;
		if (t->name && strlen(t->name) == o->owner.len &&
		    !memcmp(t->name, o->owner.s, o->owner.len)) {
			by_name = t;
			named++;
		}
	}
	return named == 1 ? by_name : NULL;
}

/* Every "Owned by:" makes its thread hold the lock (j.u.c. owners are told nowhere else). */
static void jc_apply_owners(struct jc_state *st)
{
	struct javalocks one = JAVALOCKS_INIT;
	for (size_t i = 0; i < st->nowned; i++) {
		const struct jc_owned *o = &st->owned[i];
		struct thread *t = jc_owner(st, o);
		if (!t)
			continue;
		javalocks_add(&one, o->juc ? JL_OWNABLE : JL_LOCKED, o->id, o->cls);
		javalocks_apply(st->d, t, &one, false);
	}
	javalocks_release(&one);
}

static void jc_deadlock_end(struct jc_state *st, const char *end);

/* J9's deadlock report: the run of [1-4]LKDEADLOCK and NULL lines, kept as a section. */
static void jc_deadlock_line(struct jc_state *st, const struct line *l)
{
	struct span x = span_of(l);
	struct span tag = span_word(&x);
	bool in_report = span_find(tag, "LKDEADLOCK") >= 0;
	if (!st->deadlock_start && span_eq(tag, "1LKDEADLOCK"))
		st->deadlock_start = l->s;
	else if (st->deadlock_start && !in_report && !span_eq(tag, "NULL") && tag.len)
		jc_deadlock_end(st, l->s);
}

/* "Blocked on: java/lang/Object@0x00000000E0000000 Owned by: ..." */
static void jc_block(struct jc_state *st, struct span x)
{
	static const struct {
		const char *prefix;
		enum jlock_what what;
	} kinds[] = {
		{ "Blocked on:", JL_WAIT_LOCK },
		{ "Waiting on:", JL_WAIT_ON },
		{ "Parked on:", JL_PARK },
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!span_starts(x, kinds[i].prefix))
			continue;
		struct span v = span_drop(x, strlen(kinds[i].prefix));
		struct span id = span_word(&v);
		long at = span_find(id, "@");
		struct span cls = { id.s, at > 0 ? (size_t)at : 0 };
		javalocks_add(&st->jl, kinds[i].what, id, cls);
		if (kinds[i].what != JL_WAIT_ON)
			jc_owned_by(st, id, cls, span_trim(v), kinds[i].what == JL_PARK);
	}
}

static void jc_frame(struct jc_state *st, struct span x)
{
	if (!span_starts(x, "at "))
		return;
	x = span_drop(x, 3);
	long paren = span_find(x, "(");
	long slash = span_find(x, "/");
	long at = span_find(x, "@");
	bool slashed = slash >= 0 && (paren < 0 || slash < paren) && (at < 0 || at > paren);
	struct frame *f = thread_add_frame(st->d, st->t);
	if (f)
		javastack_frame(st->d, &st->hint, f, x, slashed);
}

static void jc_deadlock_end(struct jc_state *st, const char *end)
{
	if (!st->deadlock_start)
		return;
	while (end > st->deadlock_start && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	dump_add_section(st->d, "Java-level deadlock (J9)", st->deadlock_start,
			 (size_t)(end - st->deadlock_start));
	st->deadlock_start = NULL;
}

static void jc_line(struct jc_state *st, const struct line *l)
{
	struct span x = span_of(l);
	struct span tag = span_word(&x);
	x = span_trim(x);
	if (span_eq(tag, "3XMTHREADINFO")) {
		jc_thread(st, x);
		return;
	}
	if (st->pending && (span_eq(tag, "3XMTHREADINFO1") || span_eq(tag, "3XMTHREADINFO2"))) {
		if (st->tid < 0)
			jc_native_id(st, x);
		return;
	}
	/* 3XMJAVALTHREAD, 3XMJAVALTHRCCL (its class loader): before the native id */
	if (span_starts(tag, "3XMJAVALTHR") || span_eq(tag, "3XMCPUTIME") || span_eq(tag, "NULL"))
		return;
	jc_create(st);
	if (span_eq(tag, "2XMFULLTHDDUMP")) {
		jc_finish(st);
		if (!st->d->input.snapshots)
			dump_snapshot_begin(st->d);
	} else if (span_eq(tag, "1CIJAVAVERSION")) {
		st->d->process.runtime_version = dump_strndup(st->d, x.s, x.len);
	} else if (span_eq(tag, "1CICMDLINE")) {
		st->d->process.cmdline = dump_strndup(st->d, x.s, x.len);
	} else if (span_eq(tag, "1TIDATETIME")) {
		struct span v = span_trim(span_drop(x, span_starts(x, "Date:") ? 5 : 0));
		st->d->process.time = dump_strndup(st->d, v.s, v.len);
	} else if (!st->t) {
		return;
	} else if (span_eq(tag, "4XESTACKTRACE")) {
		jc_frame(st, x);
	} else if (span_eq(tag, "3XMTHREADBLOCK")) {
		jc_block(st, x);
	} else if (span_eq(tag, "5XESTACKTRACE") && span_starts(x, "(entered lock:")) {
		struct span v = span_drop(x, strlen("(entered lock:"));
		struct span id = span_word(&v);
		if (id.len && id.s[id.len - 1] == ',')
			id.len--;
		long at = span_find(id, "@");
		javalocks_add(&st->jl, JL_LOCKED, id, (struct span){ id.s, at > 0 ? (size_t)at : 0 });
	} else if (span_starts(tag, "0SECTION") || span_starts(tag, "1XM")) {
		jc_finish(st);
	}
}

static int javacore_parse(struct dump *d, const struct input *in, const struct mortem_opts *o,
			  struct strbuf *err)
{
	(void)o;
	(void)err;
	struct jc_state st = { .d = d, .jl = JAVALOCKS_INIT, .scratch = STRBUF_INIT, .tid = -1 };
	struct line_reader r;
	struct line l;
	d->process.runtime = "jvm";
	line_reader_open(&r, d, in->data, in->len);
	bool end_seen = false;
	while (line_next(&r, &l)) {
		jc_deadlock_line(&st, &l);
		jc_line(&st, &l);
		if (span_starts(span_of(&l), "0SECTION") && span_find(span_of(&l), "END") >= 0)
			end_seen = true;
	}
	jc_create(&st);
	jc_finish(&st);
	jc_deadlock_end(&st, r.end);
	jc_apply_owners(&st);
	if (!d->input.snapshots)
		dump_snapshot_begin(d);
	if (in->len && in->data[in->len - 1] != '\n' && !end_seen)
		dump_warn(d, "input ended early: the last line is cut short");
	javalocks_release(&st.jl);
	strbuf_release(&st.scratch);
	free(st.owned);
	free(st.vmthreads);
	return 0;
}

static int javacore_probe(const unsigned char *data, size_t len)
{
	struct line_reader r;
	struct line l;
	line_reader_init(&r, data, len);
	int score = 0, lines = 0;
	while (line_next(&r, &l) && lines++ < 400 && score < 95) {
		struct span x = span_of(&l);
		if (span_starts(x, "0SECTION "))
			score += 40;
		else if (span_starts(x, "1TISIGINFO") || span_starts(x, "1CIJAVAVERSION") ||
			 span_starts(x, "3XMTHREADINFO"))
			score += 30;
	}
	return score > 95 ? 95 : score;
}

const struct parser javacore_parser = {
	.name = "javacore",
	.summary = "IBM J9 / IBM JDK javacore files (0SECTION, 3XMTHREADINFO)",
	.probe = javacore_probe,
	.parse = javacore_parse,
};
