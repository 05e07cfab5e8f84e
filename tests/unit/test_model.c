/* The model, arena, strbuf and JSON writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/model/dump.h"
#include "analyzer/lib/jsonw.h"
#include "analyzer/lib/hashmap.h"
#include "analyzer/report/fold.h"
#include "analyzer/report/report.h"

static void test_arena_grow_in_place(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	char *p = arena_alloc(a, 16);
	memcpy(p, "0123456789abcdef", 16);
	char *q = arena_grow(a, p, 16, 64);
	assert_ptr_equal(p, q);
	assert_memory_equal(q, "0123456789abcdef", 16);
	arena_alloc(a, 8);
	char *r = arena_grow(a, q, 64, 128);
	assert_ptr_not_equal(q, r);
	assert_memory_equal(r, "0123456789abcdef", 16);
	char *big = arena_alloc(a, 1 << 20);
	big[(1 << 20) - 1] = 1;
	arena_free(a);
}

static void test_strbuf(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	assert_string_equal(sb.buf, "");
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%d,", i);
	assert_int_equal(sb.len, strlen(sb.buf));
	assert_true(!strncmp(sb.buf, "0,1,2,", 6));
	strbuf_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_int_equal(error_set(&sb, "cannot open '%s'", "x"), -1);
	assert_string_equal(sb.buf, "cannot open 'x'");
	strbuf_release(&sb);
}

/* Decimal numbers two digits at a time, against printf, appended to what a buffer holds. */
static void test_strbuf_numbers(void **state)
{
	(void)state;
	static const long long edges[] = { 0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65535, 100000,
					   4294967295LL, 1000000000000LL, 9223372036854775807LL,
					   -1, -9, -10, -100, -12345, -9223372036854775807LL - 1 };
	struct strbuf sb = STRBUF_INIT;
	char want[64];
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		strbuf_reset(&sb);
		strbuf_adds(&sb, "x");
		strbuf_addint(&sb, edges[i]);
		snprintf(want, sizeof(want), "x%lld", edges[i]);
		assert_string_equal(sb.buf, want);
		assert_int_equal(sb.len, strlen(want));
	}
	unsigned long long u = 1;
	for (int i = 0; i < 64; i++, u = u * 3 + 7) {
		strbuf_reset(&sb);
		strbuf_adduint(&sb, u);
		snprintf(want, sizeof(want), "%llu", u);
		assert_string_equal(sb.buf, want);
	}
	strbuf_reset(&sb);
	strbuf_adduint(&sb, 18446744073709551615ULL);
	assert_string_equal(sb.buf, "18446744073709551615");
	strbuf_reset(&sb);
	static const unsigned char id[] = { 0x00, 0x0f, 0xa0, 0xff, 0x93, 0xac };
	strbuf_adds(&sb, "id ");
	strbuf_addhex(&sb, id, sizeof(id));
	assert_string_equal(sb.buf, "id 000fa0ff93ac");
	assert_int_equal(sb.len, 3 + 2 * sizeof(id));
	static const unsigned long long xs[] = { 0, 1, 15, 16, 0xabc, 0x7fffffffffffffffULL,
						 0xffffffffffffffffULL };
	for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
		strbuf_reset(&sb);
		strbuf_adds(&sb, "+");
		strbuf_addx(&sb, xs[i]);
		snprintf(want, sizeof(want), "+%llx", xs[i]);
		assert_string_equal(sb.buf, want);
	}
	strbuf_release(&sb);
	/* many numbers: the buffer grows under them */
	for (long long v = -5000; v < 5000; v += 7)
		strbuf_addint(&sb, v);
	assert_int_equal(strlen(sb.buf), sb.len);
	strbuf_release(&sb);
}

static void test_json_escapes_anything(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &out);
	const char bad[] = "a\"b\\c\n\x01\xff\xc3\xa9\xed\xa0\x80z";
	jsonw_obj_begin(&w);
	jsonw_key(&w, "s");
	jsonw_strn(&w, bad, sizeof(bad) - 1);
	jsonw_key(&w, "arr");
	jsonw_arr_begin(&w);
	jsonw_int(&w, -3);
	jsonw_hex(&w, 0xdeadULL);
	jsonw_null(&w);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	json_error_t e;
	json_t *v = json_loads(out.buf, 0, &e);
	assert_non_null(v);
	const char *s = json_string_value(json_object_get(v, "s"));
	assert_non_null(s);
	assert_string_equal(s, "a\"b\\c\n\x01\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz");
	assert_int_equal(json_array_size(json_object_get(v, "arr")), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(v, "arr"), 1)), "0xdead");
	json_decref(v);
	strbuf_release(&out);
}

static void test_thread_ids_unique(void **state)
{
	(void)state;
	struct dump *d = dump_new("x");
	struct thread *a = dump_add_thread(d, "main");
	struct thread *b = dump_add_thread(d, "main");
	struct thread *c = dump_add_thread(d, NULL);
	assert_string_equal(a->id, "main");
	assert_string_equal(b->id, "main#2");
	assert_string_equal(c->id, "3");
	assert_ptr_equal(dump_find_thread(d, "main#2"), b);
	dump_free(d);
}

/*
 * Numeric ids (TIDs) in a run, ascending or descending, and ids off the
 * run (out of order, names, repeats) keep the same rules: the first keeps
 * its id, a repeat gets "#N", every id is found again.
 */
static void test_thread_ids_numeric(void **state)
{
	(void)state;
	for (int dir = -1; dir <= 1; dir += 2) {
		struct dump *d = dump_new("x");
		struct thread *t[8];
		/* a run of 1000, then one out of order, a repeat of a run id, a name, a repeat of the name */
		for (int i = 0; i < 1000; i++) {
			char id[16];
			snprintf(id, sizeof(id), "%d", 5000 + dir * i * 3);
			struct thread *x = dump_add_thread(d, id);
			assert_string_equal(x->id, id);
			if (i == 500)
				t[0] = x;
		}
		char mid[16], first[16];
		snprintf(mid, sizeof(mid), "%d", 5000 + dir * 500 * 3);
		snprintf(first, sizeof(first), "%d", 5000);
		t[1] = dump_add_thread(d, "5001");  /* between two run ids: new */
		t[2] = dump_add_thread(d, mid);     /* in the run: a repeat */
		t[3] = dump_add_thread(d, "5001");  /* in the table: a repeat */
		t[4] = dump_add_thread(d, "05001"); /* not canonical: another id */
		t[5] = dump_add_thread(d, first);   /* the run's first: a repeat */
		t[6] = dump_add_thread(d, mid);     /* a second repeat */
		assert_string_equal(t[1]->id, "5001");
		char want[32];
		snprintf(want, sizeof(want), "%s#2", mid);
		assert_string_equal(t[2]->id, want);
		assert_string_equal(t[3]->id, "5001#2");
		assert_string_equal(t[4]->id, "05001");
		assert_string_equal(t[5]->id, "5000#2");
		snprintf(want, sizeof(want), "%s#3", mid);
		assert_string_equal(t[6]->id, want);
		assert_ptr_equal(dump_find_thread(d, mid), t[0]);
		assert_ptr_equal(dump_find_thread(d, "5001"), t[1]);
		assert_ptr_equal(dump_find_thread(d, want), t[6]);
		assert_ptr_equal(dump_find_thread(d, "05001"), t[4]);
		assert_null(dump_find_thread(d, "5002"));
		assert_null(dump_find_thread(d, "99999999999999999999"));
		t[0]->tid = 5000 + dir * 500 * 3;
		assert_ptr_equal(dump_find_tid(d, t[0]->tid), t[0]);
		/* a new snapshot starts the ids afresh */
		dump_snapshot_begin(d);
		dump_snapshot_begin(d);
		assert_null(dump_find_thread(d, mid));
		assert_string_equal(dump_add_thread(d, mid)->id, mid);
		dump_free(d);
	}
}

/* dump_add_thread_tid names a thread as dump_add_thread with the decimal would, in a dump or a part. */
static void test_thread_ids_by_tid(void **state)
{
	(void)state;
	static const int64_t tids[] = { 4711, 4712, 4800, 4712, 17, 0, 4711, 9223372036854775807LL };
	size_t n = sizeof(tids) / sizeof(tids[0]);
	struct dump *a = dump_new("a"), *b = dump_new("b"), *c = dump_new("c");
	struct dump *part = dump_new_part(c, 1000);
	a->max_threads = b->max_threads = c->max_threads = n - 1;
	for (size_t i = 0; i < n; i++) {
		char id[24];
		snprintf(id, sizeof(id), "%lld", (long long)tids[i]);
		struct thread *x = dump_add_thread(a, id), *y = dump_add_thread_tid(b, tids[i]);
		dump_add_thread_tid(part, tids[i]);
		assert_string_equal(y->id, x->id);
		assert_int_equal(y->tid, tids[i]);
		assert_int_equal(y->detached, x->detached);
	}
	assert_true(dump_adopt_part(c, part));
	assert_int_equal(b->nthreads, n - 1);
	assert_int_equal(c->nthreads, n - 1);
	assert_int_equal(b->threads_dropped, 1);
	for (size_t i = 0; i < n - 1; i++) {
		assert_string_equal(b->threads[i]->id, a->threads[i]->id);
		assert_string_equal(c->threads[i]->id, a->threads[i]->id);
		assert_ptr_equal(dump_find_thread(b, a->threads[i]->id), b->threads[i]);
	}
	assert_string_equal(b->threads[3]->id, "4712#2");
	assert_string_equal(b->threads[6]->id, "4711#2");
	/* found by number as by its decimal: in the run, in the table (17 came out of order), nowhere */
	static const uint64_t look[] = { 4711, 4712, 4800, 17, 0, 4801, 18, 99999999999ULL };
	for (size_t i = 0; i < sizeof(look) / sizeof(look[0]); i++) {
		char id[24];
		snprintf(id, sizeof(id), "%llu", (unsigned long long)look[i]);
		struct thread *x = dump_find_thread(a, id), *y = dump_find_thread_n(b, look[i]);
		assert_ptr_equal(y, dump_find_thread(b, id));
		assert_int_equal(x == NULL, y == NULL);
		if (x)
			assert_string_equal(x->id, y->id);
	}
	assert_non_null(dump_find_thread_n(b, 17));
	/* twenty digits are a name, not a number of the run */
	struct dump *e = dump_new("e");
	dump_add_thread(e, "5");
	struct thread *big = dump_add_thread(e, "18446744073709551615");
	assert_ptr_equal(dump_find_thread_n(e, UINT64_MAX), big);
	assert_ptr_equal(dump_find_thread(e, "18446744073709551615"), big);
	dump_free(e);
	assert_null(dump_find_thread_n(b, 4801));
	assert_null(dump_find_thread_n(b, 18));
	dump_free(a);
	dump_free(b);
	dump_free(c);
}

/* dump_intern_recent gives dump_intern's copy, whether the string is among the recent ones or not. */
static void test_intern_recent(void **state)
{
	(void)state;
	struct dump *d = dump_new("x");
	struct intern_recent r = { 0 };
	static const char *const words[] = { "RUNNABLE", "WAITING (parking)", "BLOCKED (on object monitor)",
					     "TIMED_WAITING (sleeping)", "NEW", "RUNNABLE", "RUN" };
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			const char *w = words[i];
			const char *got = dump_intern_recent(d, &r, w, strlen(w));
			assert_ptr_equal(got, dump_intern(d, w, strlen(w)));
			assert_string_equal(got, w);
		}
	/* a prefix of a recent string is a string of its own */
	assert_string_equal(dump_intern_recent(d, &r, "RUNNABLE", 3), "RUN");
	dump_free(d);
}

/*
 * A dump's parse in parts (dump_new_part, dump_adopt_part) gives what one
 * parse gives: a script of model calls run on one dump, and its first
 * CUT steps on a dump, the rest on a part of it adopted after, end alike:
 * thread ids (repeats across the cut get "#N"), locks in order with owner,
 * waiters, kind and label, the thread limit's drops and warning.
 */
struct step {
	char op;                /* 't' new thread (ID), 'h' holds LOCK, 'w' waits on LOCK */
	const char *id;
	enum lock_kind kind;
	const char *label;
};

static void run_steps(struct dump *d, const struct step *s, size_t n, struct thread **cur)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i].op == 't') {
			*cur = dump_add_thread(d, s[i].id);
			continue;
		}
		struct lock *l = dump_lock(d, s[i].id, s[i].kind);
		if (!l->label && s[i].label)
			l->label = dump_strdup(d, s[i].label);
		if (s[i].op == 'h')
			thread_hold(d, *cur, l);
		else
			thread_wait_on(d, *cur, l);
	}
}

/* Everything a report shows of threads and locks, as text. */
static void describe(const struct dump *d, struct strbuf *out)
{
	for (size_t i = 0; i < d->nthreads; i++) {
		const struct thread *t = d->threads[i];
		assert_int_equal(t->index, i);
		assert_ptr_equal(dump_find_thread((struct dump *)d, t->id), t);
		strbuf_addf(out, "thread %s waits %s holds", t->id, t->waiting_on ? t->waiting_on->id : "-");
		for (size_t k = 0; k < t->nholds; k++)
			strbuf_addf(out, " %s", t->holds[k]->id);
		strbuf_addch(out, '\n');
	}
	for (size_t i = 0; i < d->nlocks; i++) {
		const struct lock *l = d->locks[i];
		assert_int_equal(l->index, i);
		assert_ptr_equal(dump_find_lock((struct dump *)d, l->id), l);
		strbuf_addf(out, "lock %s %s %s owner %s waiters", l->id, lock_kind_name(l->kind),
			    l->label ? l->label : "-", l->owner ? l->owner->id : "-");
		for (size_t k = 0; k < l->nwaiters; k++)
			strbuf_addf(out, " %s", l->waiters[k]->id);
		strbuf_addch(out, '\n');
	}
	for (size_t i = 0; i < d->input.nwarnings; i++)
		strbuf_addf(out, "warning %s\n", d->input.warnings[i]);
	strbuf_addf(out, "dropped %zu\n", d->threads_dropped);
}

static void expect_parts_alike(const struct step *s, size_t n, size_t cut, size_t max_threads)
{
	struct strbuf one = STRBUF_INIT, two = STRBUF_INIT;
	struct thread *cur = NULL;
	struct dump *d = dump_new("x");
	d->max_threads = max_threads;
	run_steps(d, s, n, &cur);
	describe(d, &one);
	dump_free(d);

	d = dump_new("x");
	d->max_threads = max_threads;
	run_steps(d, s, cut, &cur);
	struct dump *part = dump_new_part(d, 1000);
	assert_true(part->part);
	run_steps(part, s + cut, n - cut, &cur);
	assert_true(dump_adopt_part(d, part));
	describe(d, &two);
	assert_string_equal(one.buf, two.buf);
	dump_free(d);
	strbuf_release(&one);
	strbuf_release(&two);
}

/* A stack of frames whose strings are D's own (interned in D, as a parser does): function F at LINE0, LINE0 + 1, ... */
static void stack_of(struct dump *d, struct thread *t, const char *f, int line0, bool share)
{
	struct frame fv[3];
	memset(fv, 0, sizeof(fv));
	for (int k = 0; k < 3; k++) {
		fv[k].function = dump_intern(d, f, strlen(f));
		fv[k].file = dump_intern(d, "App.java", 8);
		fv[k].line = line0 + k;
		fv[k].kind = FRAME_JAVA;
	}
	if (share)
		thread_share_frames(d, t, fv, 3);
	else
		thread_set_frames(d, t, fv, 3); /* as a parser does for a stack it saw first */
}

/*
 * Parts parse their stacks alone (their strings interned apart): once
 * adopted, threads of equal stacks share one array with D's strings,
 * whichever part or path they came from; other stacks keep theirs.
 */
static void test_parts_share_stacks(void **state)
{
	(void)state;
	struct dump *d = dump_new("x");
	struct thread *a = dump_add_thread_tid(d, 1);
	stack_of(d, a, "app.Pool.take", 10, true);
	struct dump *p1 = dump_new_part(d, 1000), *p2 = dump_new_part(d, 1000);
	struct thread *b = dump_add_thread_tid(p1, 2), *c = dump_add_thread_tid(p1, 3);
	stack_of(p1, b, "app.Pool.take", 10, true);
	stack_of(p1, c, "app.Pool.take", 10, true); /* shared within the part */
	struct thread *e = dump_add_thread_tid(p2, 4), *f = dump_add_thread_tid(p2, 5);
	stack_of(p2, e, "app.Pool.take", 10, false); /* an array of its own */
	stack_of(p2, f, "app.Other.run", 10, false);
	assert_ptr_not_equal(b->frames[0].function, a->frames[0].function);
	assert_true(dump_adopt_part(d, p1));
	assert_true(dump_adopt_part(d, p2));
	assert_int_equal(d->nthreads, 5);
	assert_ptr_equal(b->frames, a->frames);
	assert_ptr_equal(c->frames, a->frames);
	assert_ptr_equal(e->frames, a->frames);
	assert_true(a->frames_shared && b->frames_shared && c->frames_shared && e->frames_shared);
	assert_false(f->frames_shared);
	assert_ptr_equal(f->frames[0].file, a->frames[0].file); /* D's strings */
	assert_string_equal(f->frames[0].function, "app.Other.run");
	assert_int_equal(f->frames[2].line, 12);
	/* a thread's frames that a part shared are read-only: a frame added gives it its own array */
	assert_non_null(thread_add_frame(d, e));
	assert_ptr_not_equal(e->frames, a->frames);
	assert_int_equal(a->nframes, 3);
	dump_free(d);
}

static void test_parts_adopted(void **state)
{
	(void)state;
	static const struct step s[] = {
		{ 't', "main", 0, NULL },      { 'h', "<0x1>", LOCK_JAVA_MONITOR, NULL },
		{ 't', "7", 0, NULL },         { 'w', "<0x1>", LOCK_JAVA_MONITOR, NULL },
		{ 't', "8", 0, NULL },         { 'w', "0x50", LOCK_UNKNOWN, NULL },
		{ 't', NULL, 0, NULL },
		/* the cut: 7 steps before it */
		{ 't', "main", 0, NULL },      { 'w', "<0x1>", LOCK_JAVA_MONITOR, NULL },
		{ 'h', "<0x2>", LOCK_JUC_SYNC, "ReentrantLock" },
		{ 't', "9", 0, NULL },         { 'h', "0x50", LOCK_PTHREAD_MUTEX, "m_vault" },
		{ 'w', "<0x2>", LOCK_JUC_SYNC, NULL },
		{ 't', "7", 0, NULL },         { 'h', "<0x1>", LOCK_JAVA_MONITOR, "java.lang.Object" },
		{ 't', NULL, 0, NULL },        { 't', "main#2", 0, NULL },
		{ 't', "10", 0, NULL },        { 'w', "<0x3>", LOCK_JAVA_MONITOR, NULL },
		{ 't', "11", 0, NULL },        { 'h', "<0x3>", LOCK_JAVA_MONITOR, NULL },
		{ 'w', "<0x2>", LOCK_JUC_SYNC, NULL },
	};
	size_t n = sizeof(s) / sizeof(s[0]);
	expect_parts_alike(s, n, 7, 0);
	expect_parts_alike(s, n, 0, 0);     /* nothing before the part */
	expect_parts_alike(s, n, n, 0);     /* an empty part */
	for (size_t limit = 1; limit <= 11; limit++) /* the limit before, at and inside the part */
		expect_parts_alike(s, n, 7, limit);
}

static void test_parts_frozen_or_refused(void **state)
{
	(void)state;
	struct dump *d = dump_new("x");
	d->snapshot_wanted = 1;
	dump_snapshot_begin(d);
	dump_add_thread(d, "1");
	dump_snapshot_begin(d); /* the wanted one is complete */
	struct dump *part = dump_new_part(d, 1000);
	thread_hold(part, dump_add_thread(part, "2"), dump_lock(part, "<0x9>", LOCK_JAVA_MONITOR));
	part->lines_cut = 3;
	assert_true(dump_adopt_part(d, part));
	assert_int_equal(d->nthreads, 1);
	assert_int_equal(d->nlocks, 0);
	assert_int_equal(d->lines_cut, 3);
	dump_free(d);

	d = dump_new("x");
	dump_add_thread(d, "1");
	part = dump_new_part(d, 1000);
	dump_add_thread(part, "2");
	dump_warn(part, "something only a whole parse can place");
	assert_false(dump_adopt_part(d, part));
	assert_int_equal(d->nthreads, 1);
	assert_int_equal(d->input.nwarnings, 0);
	dump_free(part);
	dump_free(d);
}

/* Strings take only their bytes; anything else begins 16-aligned after them, zeroed, and grows in place. */
static void test_arena_strings_packed(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	int in_place = 0, packed = 0;
	for (int round = 0; round < 20000; round++) { /* across several blocks */
		char *s = arena_strdup(a, "abc");
		char *t = arena_strndup(a, "defgh", 2);
		packed += t == s + 4; /* not at a block's end */
		assert_string_equal(s, "abc");
		assert_string_equal(t, "de");
		size_t n = (size_t)(round % 40) + 1;
		unsigned char *p = arena_alloc(a, n);
		assert_int_equal((uintptr_t)p % 16, 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xee, n);
		unsigned char *q = arena_grow(a, p, n, n + 24);
		in_place += q == p; /* not at a block's end */
		for (size_t i = 0; i < n + 24; i++)
			assert_int_equal(q[i], i < n ? 0xee : 0);
		void **w = arena_alloc_raw(a, sizeof(void *));
		assert_int_equal((uintptr_t)w % 16, 0);
		*w = p;
	}
	assert_true(in_place > 19900);
	assert_true(packed > 19900);
	arena_free(a);
}

/* An arena adopted by another lives, and goes, with it; the adopter goes on where it was. */
static void test_arena_adopt(void **state)
{
	(void)state;
	struct arena *a = arena_new(), *b = arena_new();
	char *p = arena_alloc(a, 16);
	memcpy(p, "0123456789abcdef", 16);
	char *q = arena_strdup(b, "from b");
	char *big = arena_alloc(b, 3 << 20);
	big[(3 << 20) - 1] = 7;
	arena_adopt(a, b);
	assert_ptr_equal(arena_grow(a, p, 16, 32), p); /* still A's last allocation */
	assert_string_equal(q, "from b");
	assert_int_equal(big[(3 << 20) - 1], 7);
	struct arena *empty = arena_new(), *c = arena_new();
	arena_strdup(c, "x");
	arena_adopt(empty, c); /* an arena with no block takes the other's */
	assert_non_null(arena_alloc(empty, 100));
	arena_adopt(empty, arena_new());
	arena_free(empty);
	arena_free(a);
}

static void test_snapshots_keep_last_or_wanted(void **state)
{
	(void)state;
	for (int want = 0; want <= 2; want++) {
		struct dump *d = dump_new("x");
		d->snapshot_wanted = want;
		for (int s = 1; s <= 3; s++) {
			dump_snapshot_begin(d);
			for (int t = 0; t < s; t++) {
				struct thread *th = dump_add_thread(d, NULL);
				struct lock *l = dump_lock(d, "<0x1>", LOCK_JAVA_MONITOR);
				thread_wait_on(d, th, l);
			}
		}
		assert_int_equal(d->input.snapshots, 3);
		assert_int_equal(d->nthreads, want ? (size_t)want : 3);
		assert_int_equal(d->nlocks, 1);
		assert_int_equal(d->locks[0]->nwaiters, want ? (size_t)want : 3);
		dump_free(d);
	}
}

static void test_locks_and_kinds(void **state)
{
	(void)state;
	struct dump *d = dump_new("x");
	struct lock *l = dump_lock(d, "0x7f00", LOCK_FUTEX);
	assert_int_equal(l->addr, 0x7f00);
	assert_ptr_equal(dump_lock(d, "0x7f00", LOCK_PTHREAD_MUTEX), l);
	assert_int_equal(l->kind, LOCK_PTHREAD_MUTEX);
	dump_lock(d, "0x7f00", LOCK_FUTEX);
	assert_int_equal(l->kind, LOCK_PTHREAD_MUTEX);
	struct thread *t = dump_add_thread(d, "1");
	thread_hold(d, t, l);
	thread_hold(d, t, l);
	assert_int_equal(t->nholds, 1);
	assert_ptr_equal(l->owner, t);
	assert_string_equal(lock_kind_name(LOCK_LOADER), "loader_lock");
	assert_int_equal(lock_kind_from_name("juc_sync"), LOCK_JUC_SYNC);
	assert_string_equal(signal_name(11), "SIGSEGV");
	assert_int_equal(signal_number("SIGPROF"), 27);
	dump_free(d);
}

static void test_frame_limit(void **state)
{
	(void)state;
	struct dump *d = dump_new("x");
	d->max_frames = 10;
	struct thread *t = dump_add_thread(d, "1");
	int added = 0;
	for (int i = 0; i < 100; i++)
		added += thread_add_frame(d, t) != NULL;
	assert_int_equal(added, 10);
	assert_true(t->frames_truncated);
	assert_int_equal(d->input.nwarnings, 1);
	dump_free(d);
}

/*
 * "in_app" in the JSON is frame_in_app of each frame, whatever the writer
 * remembers between frames: many frames over a few names, modules, files
 * and kinds (their combinations collide in its table), in threads with
 * their own frames and in threads sharing them.
 */
static void test_report_json_in_app(void **state)
{
	(void)state;
	static const char *const fns[] = { "main", "pthread_mutex_lock", "java.lang.Thread.run",
					   "com.acme.Worker.run", "__libc_start_main", "my_handler", NULL };
	static const char *const mods[] = { NULL, "/usr/lib/libc.so.6", "/opt/app/bin/server" };
	static const char *const files[] = { NULL, "server.c", "../sysdeps/x86_64/start.S" };
	static const enum frame_kind kinds[] = { FRAME_NATIVE, FRAME_JAVA, FRAME_INLINE, FRAME_SIGNAL };
	struct dump *d = dump_new("in.txt");
	struct frame fv[48];
	for (int ti = 0; ti < 40; ti++) {
		char id[16];
		snprintf(id, sizeof(id), "%d", ti + 1);
		struct thread *t = dump_add_thread(d, id);
		memset(fv, 0, sizeof(fv));
		for (int k = 0; k < 48; k++) {
			int x = ti < 20 ? ti * 48 + k : k; /* the last 20 threads: one shared stack */
			fv[k].function = fns[x % 7];
			fv[k].module = mods[(x / 7) % 3];
			fv[k].file = files[(x / 3) % 3];
			fv[k].kind = kinds[(x / 5) % 4];
			fv[k].line = x;
		}
		thread_share_frames(d, t, fv, 48);
	}
	struct strbuf out = STRBUF_INIT;
	report_json(d, &out);
	json_error_t e;
	json_t *v = json_loads(out.buf, 0, &e);
	assert_non_null(v);
	size_t yes = 0, no = 0;
	for (size_t ti = 0; ti < d->nthreads; ti++) {
		json_t *frames = json_object_get(json_array_get(json_object_get(v, "threads"), ti), "frames");
		assert_int_equal(json_array_size(frames), 48);
		for (size_t k = 0; k < 48; k++) {
			bool want = frame_in_app(&d->threads[ti]->frames[k]);
			assert_int_equal(json_is_true(json_object_get(json_array_get(frames, k), "in_app")), want);
			want ? yes++ : no++;
		}
	}
	assert_true(yes > 100 && no > 100);
	json_decref(v);
	strbuf_release(&out);
	dump_free(d);
}

static void test_report_json_keys(void **state)
{
	(void)state;
	struct dump *d = dump_new("in.txt");
	d->input.format = "eu-stack";
	struct thread *t = dump_add_thread(d, "42");
	t->tid = 42;
	struct frame *f = thread_add_frame(d, t);
	f->pc = 0x401000;
	f->has_pc = true;
	f->function = "main";
	struct strbuf out = STRBUF_INIT;
	report_json(d, &out);
	json_error_t e;
	json_t *v = json_loads(out.buf, 0, &e);
	assert_non_null(v);
	const char *keys[] = { "schema", "input", "process", "crash", "modules", "threads",
			       "locks", "findings", "signature", "bucket" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_true(json_object_get(v, keys[i]) != NULL);
	json_t *fr = json_array_get(json_object_get(json_array_get(json_object_get(v, "threads"), 0), "frames"), 0);
	assert_string_equal(json_string_value(json_object_get(fr, "pc")), "0x401000");
	assert_true(json_is_null(json_object_get(fr, "line")));
	assert_true(json_is_null(json_object_get(fr, "trust")));
	assert_true(json_is_true(json_object_get(fr, "in_app")));
	json_decref(v);
	strbuf_release(&out);
	dump_free(d);
}

/* Each byte that needs escaping, at every offset of a long string (the 8-byte fast path's edges). */
static void test_json_escape_offsets(void **state)
{
	(void)state;
	static const char *const special[] = { "\"", "\\", "\n", "\x1f", "\xc3\xa9", "\x7f" };
	for (size_t k = 0; k < sizeof(special) / sizeof(special[0]); k++) {
		for (size_t at = 0; at < 20; at++) {
			char in[64];
			memset(in, 'x', sizeof(in));
			size_t n = strlen(special[k]);
			memcpy(in + at, special[k], n);
			in[40] = 0;
			struct strbuf out = STRBUF_INIT;
			json_quote(&out, in, strlen(in));
			json_error_t e;
			json_t *v = json_loads(out.buf, JSON_DECODE_ANY, &e);
			assert_non_null(v);
			assert_string_equal(json_string_value(v), in);
			json_decref(v);
			strbuf_release(&out);
		}
	}
	/* strings with nothing to escape are copied whole, after what the buffer holds */
	struct strbuf out = STRBUF_INIT;
	for (size_t len = 0; len < 40; len++) {
		strbuf_reset(&out);
		strbuf_adds(&out, "[");
		json_quote(&out, "abcdefghijklmnopqrstuvwxyz0123456789ABCD", len);
		strbuf_adds(&out, ",");
		json_quote(&out, "q\"", 2);
		strbuf_adds(&out, "]");
		assert_int_equal(out.len, len + 10);
		assert_int_equal(strlen(out.buf), out.len);
		assert_memory_equal(out.buf + 1 + len + 2, ",\"q\\\"\"]", 7);
		json_error_t e;
		json_t *v = json_loads(out.buf, 0, &e);
		assert_non_null(v);
		assert_int_equal(json_string_length(json_array_get(v, 0)), len);
		json_decref(v);
	}
	strbuf_release(&out);
}

/* A stack of N frames whose functions are interned names f0..f(N-1), with LINE on the first. */
static void make_stack(struct dump *d, struct frame *fv, size_t n, int line)
{
	memset(fv, 0, n * sizeof(*fv));
	for (size_t i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%zu", i);
		fv[i].function = dump_intern(d, name, strlen(name));
		fv[i].kind = FRAME_JAVA;
	}
	fv[0].line = line;
}

static void test_shared_stacks(void **state)
{
	(void)state;
	struct dump *d = dump_new("x");
	struct frame fv[5];
	struct thread *a = dump_add_thread(d, "1"), *b = dump_add_thread(d, "2"),
		      *c = dump_add_thread(d, "3"), *e = dump_add_thread(d, "4");
	make_stack(d, fv, 5, 10);
	thread_share_frames(d, a, fv, 5);
	fv[4].line = 99; /* the caller's buffer is copied, not kept */
	make_stack(d, fv, 5, 10);
	thread_share_frames(d, b, fv, 5);
	make_stack(d, fv, 5, 11);
	thread_share_frames(d, c, fv, 5);
	thread_share_frames(d, e, fv, 4);
	assert_ptr_equal(a->frames, b->frames);
	assert_true(a->frames != c->frames);
	assert_true(c->frames != e->frames);
	assert_true(a->frames_shared && b->frames_shared);
	assert_false(c->frames_shared || e->frames_shared); /* read-only, but one thread's */
	assert_int_equal(a->frames[4].line, 0);
	/* adding to a shared stack gives the thread its own copy; the other keeps the original */
	struct frame *f = thread_add_frame(d, b);
	f->function = "extra";
	assert_int_equal(b->nframes, 6);
	assert_int_equal(a->nframes, 5);
	assert_false(b->frames_shared);
	assert_string_equal(b->frames[0].function, "f0");
	/* the JSON of a shared stack is the JSON of an unshared copy */
	struct frame own[5];
	make_stack(d, own, 5, 10);
	struct thread *u = dump_add_thread(d, "5");
	thread_set_frames(d, u, own, 5);
	assert_false(u->frames_shared);
	struct strbuf out = STRBUF_INIT;
	report_json(d, &out);
	json_error_t err;
	json_t *v = json_loads(out.buf, 0, &err);
	assert_non_null(v);
	json_t *threads = json_object_get(v, "threads");
	json_t *fa = json_object_get(json_array_get(threads, 0), "frames");
	json_t *fb = json_object_get(json_array_get(threads, 1), "frames");
	json_t *fu = json_object_get(json_array_get(threads, 4), "frames");
	assert_int_equal(json_array_size(fa), 5);
	assert_int_equal(json_array_size(fb), 6);
	assert_true(json_equal(fa, fu));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(fa, 0), "line")), 10);
	json_decref(v);
	/* the text report, streamed to a file or built in memory, is the same */
	struct strbuf text = STRBUF_INIT;
	report_text(d, &text, false);
	char *mem = NULL;
	size_t memlen = 0;
	FILE *fp = open_memstream(&mem, &memlen);
	assert_int_equal(report_text_file(d, fp, false), 0);
	fclose(fp);
	assert_int_equal(memlen, text.len);
	assert_memory_equal(mem, text.buf, text.len);
	free(mem);
	strbuf_release(&text);
	strbuf_release(&out);
	dump_free(d);
}

static void test_maps(void **state)
{
	(void)state;
	struct hashmap m = HASHMAP_INIT;
	char keys[3000][8];
	for (int i = 0; i < 3000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		struct hashmap_slot *s = hashmap_slot(&m, keys[i]);
		assert_null(s->value);
		s->value = keys[i];
	}
	assert_int_equal(m.count, 3000);
	for (int i = 0; i < 3000; i++) {
		char probe[8];
		snprintf(probe, sizeof(probe), "k%d", i);
		assert_ptr_equal(hashmap_get(&m, probe), keys[i]);
		assert_ptr_equal(hashmap_slot(&m, probe)->value, keys[i]);
	}
	assert_int_equal(m.count, 3000);
	assert_null(hashmap_get(&m, "absent"));
	hashmap_clear(&m);

	struct hashmap p = HASHMAP_INIT;
	size_t v;
	assert_false(hashmap_get_ptr(&p, keys[0], &v));
	for (size_t i = 0; i < 3000; i++)
		hashmap_put_ptr(&p, keys[i], i);
	hashmap_put_ptr(&p, keys[7], 70);
	for (size_t i = 0; i < 3000; i++) {
		assert_true(hashmap_get_ptr(&p, keys[i], &v));
		assert_int_equal(v, i == 7 ? 70 : i);
	}
	assert_int_equal(p.count, 3000);
	hashmap_clear(&p);

	/* an interned string's memo word: NULL at first, the same for equal strings */
	struct dump *d = dump_new("x");
	const char *a = dump_intern(d, "at x.Y.z(Y.java:1)", 18);
	assert_null(*dump_intern_memo(a));
	*dump_intern_memo(a) = (void *)a;
	assert_ptr_equal(dump_intern(d, "at x.Y.z(Y.java:1)", 18), a);
	assert_ptr_equal(*dump_intern_memo(a), a);
	dump_free(d);
}

/* ---- in-app frames ---- */

static void in_app_is(const char *fn, const char *module, const char *file, enum frame_kind kind, bool want)
{
	struct frame f = { .function = fn, .module = module, .file = file, .kind = kind };
	if (frame_in_app(&f) != want)
		fail_msg("frame_in_app(%s, %s, %s): got %d", fn ? fn : "-", module ? module : "-",
			 file ? file : "-", !want);
}

static void test_in_app(void **state)
{
	(void)state;
	/* the application: its functions, its module, its files, unsymbolized code in its module */
	in_app_is("deposit(long)", "/srv/bank/bank", "/srv/bank/bank.cpp", FRAME_NATIVE, true);
	in_app_is("deposit", NULL, "bank.cpp", FRAME_NATIVE, true);
	in_app_is(NULL, "/srv/bank/bank", NULL, FRAME_NATIVE, true);
	in_app_is("ClerkPool::ClerkPool(int)::{lambda()#1}::operator()() const", "bank", "bank.cpp", FRAME_NATIVE, true);
	in_app_is("com.example.Crash.writeSlot", NULL, NULL, FRAME_INTERPRETED, true);
	in_app_is("Java_Native_crash", "/tmp/libnative.so", NULL, FRAME_NATIVE, true);
	in_app_is("Mutex::lock()", "/srv/app", "/srv/app/mutex.cpp", FRAME_NATIVE, true); /* a user's class named like HotSpot's */
	/* the system: runtimes by module, JDK classes, std:: and system headers, glibc's build paths */
	in_app_is("___pthread_mutex_lock", "/lib/x86_64-linux-gnu/libc.so.6", "./nptl/pthread_mutex_lock.c", FRAME_NATIVE, false);
	in_app_is(NULL, "/lib/x86_64-linux-gnu/libstdc++.so.6", NULL, FRAME_NATIVE, false);
	in_app_is("__GI___poll", NULL, "../sysdeps/unix/sysv/linux/poll.c", FRAME_NATIVE, false);
	in_app_is("futex_wait", NULL, "../sysdeps/nptl/futex-internal.h", FRAME_INLINE, false);
	in_app_is("__gthread_mutex_lock", "bank", "/usr/include/x86_64-linux-gnu/c++/12/bits/gthr-default.h", FRAME_INLINE, false);
	in_app_is("std::mutex::lock()", "bank", "/usr/include/c++/12/bits/std_mutex.h", FRAME_INLINE, false);
	in_app_is("std::lock_guard<std::mutex>::lock_guard", "bank", NULL, FRAME_NATIVE, false);
	in_app_is("void std::condition_variable::wait<P>(std::unique_lock<std::mutex>&, P)", "bank", NULL, FRAME_NATIVE, false);
	in_app_is("Unsafe_PutLong", "/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so", NULL, FRAME_VM, false);
	in_app_is("jdk.internal.misc.Unsafe.putLong", NULL, NULL, FRAME_INTERPRETED, false);
	in_app_is("sun.misc.Unsafe.putAddress", NULL, NULL, FRAME_JIT, false);
	in_app_is("java.lang.Thread.run", NULL, NULL, FRAME_JAVA, false);
	in_app_is("pthread_mutex_lock", NULL, NULL, FRAME_NATIVE, false); /* pstack: a C library name, no file */
	in_app_is("__memmove_avx_unaligned_erms", NULL, NULL, FRAME_NATIVE, false);
	in_app_is("<signal handler called>", NULL, NULL, FRAME_SIGNAL, false);
	in_app_is(NULL, NULL, NULL, FRAME_NATIVE, false);
	/* a user's rules come first, the last that matches decides */
	static const struct frame_app_rule rules[] = {
		{ APP_MODULE, "libstdc++*", true },
		{ APP_FUNCTION, "vendor::*", false },
		{ APP_FILE, "*/third_party/*", false },
		{ APP_FUNCTION, "vendor::mine*", true },
		{ APP_FUNCTION, "my_lock_wrapper", true },
	};
	/* a name's roles are remembered (frame.c's memo): a rule set later still decides */
	in_app_is("my_lock_wrapper", NULL, NULL, FRAME_NATIVE, true);
	assert_int_equal(frame_name_roles("my_lock_wrapper"), 0);
	in_app_is("pthread_mutex_lock", NULL, NULL, FRAME_NATIVE, false);
	frame_app_rules_set(rules, 5);
	in_app_is("pthread_mutex_lock", NULL, NULL, FRAME_NATIVE, false);
	in_app_is("my_lock_wrapper", NULL, NULL, FRAME_NATIVE, true);
	in_app_is(NULL, "/lib/x86_64-linux-gnu/libstdc++.so.6", NULL, FRAME_NATIVE, true);
	in_app_is("vendor::parse(char const*)", "app", "app.cpp", FRAME_NATIVE, false);
	in_app_is("vendor::mine()", "app", "app.cpp", FRAME_NATIVE, true);
	in_app_is("zlib_inflate", "app", "/src/third_party/zlib/inflate.c", FRAME_NATIVE, false);
	in_app_is("deposit", "app", "app.cpp", FRAME_NATIVE, true);
	frame_app_rules_set(NULL, 0);
	in_app_is(NULL, "/lib/x86_64-linux-gnu/libstdc++.so.6", NULL, FRAME_NATIVE, false);
	in_app_is("vendor::parse(char const*)", "app", "app.cpp", FRAME_NATIVE, true);
	/* and the same name's answer follows each rule set, not the first answer */
	static const struct frame_app_rule lock_app[] = { { APP_FUNCTION, "pthread_mutex_lock", true } };
	frame_app_rules_set(lock_app, 1);
	in_app_is("pthread_mutex_lock", NULL, NULL, FRAME_NATIVE, true);
	assert_true(frame_name_roles("pthread_mutex_lock") & ROLE_LOCK); /* its role stays: it still blocks */
	frame_app_rules_set(NULL, 0);
	in_app_is("pthread_mutex_lock", NULL, NULL, FRAME_NATIVE, false);
}

static void signature_name_is(const char *fn, const char *module, const char *file, uint64_t off, const char *want)
{
	struct frame f = { .function = fn, .module = module, .file = file, .kind = FRAME_NATIVE,
			   .module_offset = off, .has_module_offset = off != 0 };
	struct strbuf sb = STRBUF_INIT;
	frame_signature_name(NULL, &f, &sb);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static void test_signature_name(void **state)
{
	(void)state;
	signature_name_is("deposit(long)", "bank", "/src/bank.cpp", 0x1234, "deposit");
	/* a stripped frame: module and offset (no dump: no build id) */
	signature_name_is(NULL, "/opt/kv/bin/kvtool", NULL, 0x24b3, "kvtool+0x24b3");
	/* a g++ lambda's body, as gdb and DWARF's inline records name it, and as its symbol does */
	signature_name_is("operator()", "orders", "/src/orders.cpp", 0, "operator()@orders.cpp");
	signature_name_is("main::{lambda()#1}::operator()() const", "orders", "/src/orders.cpp", 0x11, "operator()@orders.cpp");
	signature_name_is("Shop::run()::{lambda(int)#2}::operator()(int) const", "shop", "shop.cpp", 0, "operator()@shop.cpp");
	/* without a file it stays as it is; a functor's operator() keeps its class */
	signature_name_is("operator()", "orders", NULL, 0, "operator()");
	signature_name_is("Worker::operator()()", "w", "w.cpp", 0, "Worker::operator()");
}

static void test_name_start(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "void std::condition_variable::wait<P>(std::unique_lock<std::mutex>&, P)",
		  "std::condition_variable::wait<P>(std::unique_lock<std::mutex>&, P)" },
		{ "std::__invoke_result<F>::type std::__invoke<F>(F&&)", "std::__invoke<F>(F&&)" },
		{ "unsigned long hash<int>(int)", "hash<int>(int)" },
		{ "operator new(unsigned long)", "operator new(unsigned long)" },
		{ "Foo::operator bool() const", "Foo::operator bool() const" },
		{ "std::ostream& std::operator<< <std::char_traits<char> >(std::ostream&, char const*)",
		  "std::operator<< <std::char_traits<char> >(std::ostream&, char const*)" },
		{ "ClerkPool::ClerkPool(int)::{lambda()#1}::operator()() const",
		  "ClerkPool::ClerkPool(int)::{lambda()#1}::operator()() const" },
		{ "(anonymous namespace)::worker(void*)", "(anonymous namespace)::worker(void*)" },
		{ "C1 Runtime monitorenter", "C1 Runtime monitorenter" },
		{ "<signal handler called>", "<signal handler called>" },
		{ "main", "main" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(frame_name_start(cases[i][0]), cases[i][1]);
	/* roles see through the return type */
	assert_true(frame_name_roles("void std::condition_variable::wait<P>(std::unique_lock<std::mutex>&, P)") & ROLE_WAIT);
	/* and through compiler clone suffixes */
	assert_true(frame_name_roles("__GI___poll.part.0") & ROLE_IO_WAIT);
	assert_true(frame_name_roles("malloc_consolidate.constprop.0") & ROLE_ALLOCATOR);
	assert_true(frame_name_roles("abort [clone .cold]") & ROLE_ABORT);
	assert_false(frame_name_roles("com.example.read.partition") & ROLE_IO_WAIT);
	/* the C++ standard library's blocking calls */
	assert_int_equal(frame_name_lock_kind("std::mutex::lock()", NULL), LOCK_PTHREAD_MUTEX);
	assert_int_equal(frame_name_lock_kind("std::shared_mutex::lock_shared()", NULL), LOCK_PTHREAD_RWLOCK);
	assert_int_equal(frame_name_lock_kind("std::__shared_mutex_pthread::lock()", NULL), LOCK_PTHREAD_RWLOCK);
	assert_int_equal(frame_name_lock_kind("std::thread::join()", NULL), LOCK_THREAD_JOIN);
	assert_int_equal(frame_name_lock_kind("std::jthread::join()", NULL), LOCK_THREAD_JOIN);
	const char *arg;
	assert_int_equal(frame_name_lock_kind("__gthread_mutex_lock", &arg), LOCK_PTHREAD_MUTEX);
	assert_string_equal(arg, "__mutex"); /* gdb: __gthread_mutex_lock (__mutex=0x... <m_vault>) */
	static const char *const locks[] = { "std::lock_guard<std::mutex>::lock_guard(std::mutex&)",
		"std::unique_lock<std::mutex>::lock()", "std::scoped_lock<std::mutex>::scoped_lock(std::mutex&)",
		"std::shared_lock<std::shared_mutex>::shared_lock(std::shared_mutex&)",
		"void std::lock<std::mutex, std::mutex>(std::mutex&, std::mutex&)", NULL };
	for (size_t i = 0; locks[i]; i++)
		assert_true(frame_name_roles(locks[i]) & ROLE_LOCK);
	static const char *const waits[] = { "std::condition_variable::wait(std::unique_lock<std::mutex>&)",
		"std::future<int>::get()", "std::__future_base::_State_baseV2::wait()",
		"std::counting_semaphore<1l>::acquire()", "std::latch::wait() const",
		"void std::call_once<void (&)()>(std::once_flag&, void (&)())",
		"void std::this_thread::sleep_for<long, std::ratio<1l, 1000l> >(std::chrono::duration<long, std::ratio<1l, 1000l> > const&)",
		NULL };
	for (size_t i = 0; waits[i]; i++)
		assert_true(frame_name_roles(waits[i]) & (ROLE_WAIT | ROLE_SLEEP));
}

/* One word per state, whatever the dump's spelling. */
static void test_state_words(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "RUNNABLE", "runnable" },
		{ "runnable", "runnable" },
		{ "TIMED_WAITING (parking)", "timed waiting" },
		{ "WAITING (on object monitor)", "waiting" },
		{ "waiting on condition", "waiting" },
		{ "in Object.wait()", "waiting" },
		{ "waiting for monitor entry", "blocked" },
		{ "BLOCKED (on object monitor)", "blocked" },
		{ "S (sleeping)", "sleeping" },
		{ "D (disk sleep)", "disk sleep" },
		{ "_thread_blocked", "blocked" },
		{ "_thread_in_native", "in native" },
		{ "CW", "waiting" },
		{ "signal SIGSEGV", "signal SIGSEGV" },
	};
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strbuf_reset(&sb);
		fold_state_word(cases[i][0], &sb);
		assert_string_equal(sb.buf, cases[i][1]);
	}
	strbuf_reset(&sb);
	fold_state_word(NULL, &sb);
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);
}

static struct frame *add(struct dump *d, struct thread *t, const char *fn, const char *file, int line)
{
	struct frame *f = thread_add_frame(d, t);
	f->function = fn;
	f->file = file;
	f->line = line;
	return f;
}

/* Runs of repeats: one frame, two frames (mutual recursion), none; the shortest period wins. */
static void test_fold_runs(void **state)
{
	(void)state;
	struct dump *d = dump_new("r");
	struct thread *t = dump_add_thread(d, "1");
	add(d, t, "recurse", "r.c", 5);
	for (int i = 0; i < 10; i++)
		add(d, t, "recurse", "r.c", 8);
	add(d, t, "main", "r.c", 13);
	struct fold_run r;
	assert_false(fold_run_at(t, 0, &r)); /* frame 0 is at another line */
	assert_true(fold_run_at(t, 1, &r));
	assert_int_equal(r.period, 1);
	assert_int_equal(r.count, 10);
	assert_int_equal(r.len, 10);
	assert_false(fold_run_at(t, 11, &r));
	struct thread *u = dump_add_thread(d, "2");
	for (int i = 0; i < 6; i++) {
		add(d, u, "walk", "w.c", 3);
		add(d, u, "visit", "w.c", 9);
	}
	assert_true(fold_run_at(u, 0, &r));
	assert_int_equal(r.period, 2);
	assert_int_equal(r.count, 6);
	struct thread *v = dump_add_thread(d, "3");
	for (int i = 0; i < 4; i++) /* below FOLD_MIN_REPEATS */
		add(d, v, "recurse", "r.c", 8);
	assert_false(fold_run_at(v, 0, &r));
	/* the same stack, whatever the arguments a text dump printed */
	struct thread *a = dump_add_thread(d, "4"), *b = dump_add_thread(d, "5");
	add(d, a, "work", "p.c", 4)->args = "this=0x1";
	add(d, b, "work", "p.c", 4)->args = "this=0x2";
	assert_true(fold_same_stack(a, b));
	assert_int_equal(fold_stack_hash(a), fold_stack_hash(b));
	add(d, b, "main", "p.c", 9);
	assert_false(fold_same_stack(a, b));
	dump_free(d);
}

/* A thread in one line: the wait it sits in, then the user's code that called it. */
static void test_thread_brief(void **state)
{
	(void)state;
	struct dump *d = dump_new("b");
	struct thread *t = dump_add_thread(d, "1");
	add(d, t, "__futex_abstimed_wait_common", "./nptl/futex-internal.c", 57)->module = "libc.so.6";
	add(d, t, "___pthread_cond_wait", "./nptl/pthread_cond_wait.c", 618)->module = "libc.so.6";
	add(d, t, "std::condition_variable::wait<F>(std::unique_lock<std::mutex>&, F)",
	    "/usr/include/c++/12/condition_variable", 102)->module = "pool";
	add(d, t, "Pool::worker()", "/src/pool.cpp", 42)->module = "pool";
	add(d, t, "start_thread", "./nptl/pthread_create.c", 442)->module = "libc.so.6";
	struct strbuf sb = STRBUF_INIT;
	fold_thread_brief(t, &sb);
	assert_string_equal(sb.buf, "std::condition_variable::wait < Pool::worker pool.cpp:42");
	assert_true(fold_in_app(&t->frames[3]));
	assert_false(fold_in_app(&t->frames[2]));
	assert_false(fold_in_app(&t->frames[1]));
	assert_ptr_equal(fold_thread_own(t), &t->frames[3]);
	struct thread *r = dump_add_thread(d, "2"); /* running in the user's code */
	add(d, r, "compute", "/src/m.c", 12)->module = "m";
	add(d, r, "main", "/src/m.c", 30)->module = "m";
	strbuf_reset(&sb);
	fold_thread_brief(r, &sb);
	assert_string_equal(sb.buf, "compute m.c:12");
	struct thread *e = dump_add_thread(d, "3");
	strbuf_reset(&sb);
	fold_thread_brief(e, &sb);
	assert_string_equal(sb.buf, "(no frames)");
	strbuf_release(&sb);
	dump_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_grow_in_place),
		cmocka_unit_test(test_arena_strings_packed),
		cmocka_unit_test(test_strbuf),
		cmocka_unit_test(test_strbuf_numbers),
		cmocka_unit_test(test_json_escapes_anything),
		cmocka_unit_test(test_json_escape_offsets),
		cmocka_unit_test(test_thread_ids_unique),
		cmocka_unit_test(test_parts_adopted),
		cmocka_unit_test(test_parts_share_stacks),
		cmocka_unit_test(test_parts_frozen_or_refused),
		cmocka_unit_test(test_arena_adopt),
		cmocka_unit_test(test_thread_ids_numeric),
		cmocka_unit_test(test_thread_ids_by_tid),
		cmocka_unit_test(test_intern_recent),
		cmocka_unit_test(test_snapshots_keep_last_or_wanted),
		cmocka_unit_test(test_locks_and_kinds),
		cmocka_unit_test(test_frame_limit),
		cmocka_unit_test(test_report_json_keys),
		cmocka_unit_test(test_report_json_in_app),
		cmocka_unit_test(test_shared_stacks),
		cmocka_unit_test(test_maps),
		cmocka_unit_test(test_in_app),
		cmocka_unit_test(test_signature_name),
		cmocka_unit_test(test_name_start),
		cmocka_unit_test(test_state_words),
		cmocka_unit_test(test_fold_runs),
		cmocka_unit_test(test_thread_brief),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
