/* The browser's pure parts: rows, groups, sort, filter, search across threads, views' lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui/keys.h"
#include "tui/model.h"
#include "tui/term.h"
#include "tui/view.h"

static void add_frames(struct dump *d, struct thread *t, const char *const *fns, const char *file)
{
	for (int i = 0; fns[i]; i++) {
		struct frame *f = thread_add_frame(d, t);
		f->function = dump_strdup(d, fns[i]);
		f->module = "/usr/lib/libx.so";
		f->file = file;
		f->line = 10 + i;
	}
}

static const char *const idle[] = { "futex_wait", "pthread_cond_wait", "worker_loop", "start_thread", NULL };
static const char *const crash[] = { "raise", "abort", "parse_header", "main", NULL };
static const char *const lock_ab[] = { "__lll_lock_wait", "pthread_mutex_lock", "take_a_then_b", NULL };
static const char *const lock_ba[] = { "__lll_lock_wait", "pthread_mutex_lock", "take_b_then_a", NULL };

/*
 * Thread 1 crashed in parse_header; 2 and 3 deadlock (a cycle finding);
 * 4..8 idle with one identical stack, named pool-N, state WAITING.
 */
static struct dump *sample(void)
{
	struct dump *d = dump_new("sample");
	struct thread *t = dump_add_thread(d, "1");
	t->name = "main";
	t->state = "RUNNABLE";
	add_frames(d, t, crash, "/build/src/parse.c");
	struct crash *c = dump_crash(d);
	c->signal = "SIGABRT";
	c->signo = 6;
	c->thread = t;
	t->crashed = true;
	struct thread *a = dump_add_thread(d, "2"), *b = dump_add_thread(d, "3");
	a->name = "ab";
	b->name = "ba";
	a->state = b->state = "BLOCKED";
	add_frames(d, a, lock_ab, "/build/src/abba.c");
	add_frames(d, b, lock_ba, "/build/src/abba.c");
	struct lock *la = dump_lock(d, "0x1000", LOCK_PTHREAD_MUTEX), *lb = dump_lock(d, "0x2000", LOCK_PTHREAD_MUTEX);
	thread_hold(d, a, la);
	thread_hold(d, b, lb);
	thread_wait_on(d, a, lb);
	thread_wait_on(d, b, la);
	struct finding *f = dump_add_finding(d, "lock-cycle", "Deadlock: 2 threads wait for each other",
					     SEV_CRITICAL, CONF_CERTAIN);
	finding_add_thread(d, f, a);
	finding_add_thread(d, f, b);
	finding_add_lock(d, f, la);
	finding_add_lock(d, f, lb);
	f->summary = "thread 2 holds 0x1000 and waits for 0x2000\nthread 3 the reverse";
	f->advice = "take the locks in one order";
	for (int i = 4; i <= 8; i++) {
		char id[8];
		snprintf(id, sizeof(id), "%d", i);
		t = dump_add_thread(d, id);
		t->name = dump_printf(d, "pool-%d", 9 - i);
		t->state = "WAITING";
		add_frames(d, t, idle, "/build/src/pool.c");
	}
	return d;
}

static void test_model_marks_groups_rows(void **state)
{
	(void)state;
	struct dump *d = sample();
	struct tmodel m;
	tmodel_init(&m, d);
	assert_int_equal(m.n, 8);
	assert_true(m.th[0].marks & MARK_CRASHED);
	assert_true(m.th[1].marks & MARK_CYCLE);
	assert_true(m.th[2].marks & MARK_CYCLE);
	assert_false(m.th[3].marks);
	/* the top meaningful frame skips raise/abort */
	assert_int_equal(m.th[0].top_frame, 2);
	assert_string_equal(m.th[0].top, "parse_header at parse.c:12");
	/* a waiting thread is known by the caller of its lock plumbing */
	assert_string_equal(m.th[1].top, "take_a_then_b at abba.c:12");
	assert_string_equal(m.th[1].waits_in, "in pthread_mutex_lock");
	assert_int_equal(m.th[1].top_frame, 2);
	assert_null(m.th[0].waits_in);
	/* five identical idle stacks: one group; the two lock stacks differ */
	assert_int_equal(m.ngroups, 1);
	assert_int_equal(m.groups[0].n, 5);
	assert_int_equal(m.th[1].group, -1);
	/* rows: 3 threads and the folded group */
	assert_int_equal(m.nrows, 4);
	assert_int_equal(m.rows[3].kind, TROW_GROUP);
	assert_int_equal(tmodel_row_thread(&m, 3), 3);
	assert_int_equal(m.nflat, 8);
	/* unfolding adds the members under the group row */
	tmodel_toggle_group(&m, 0);
	assert_int_equal(m.nrows, 9);
	assert_true(m.rows[4].member);
	tmodel_toggle_group(&m, 0);
	assert_int_equal(m.nrows, 4);
	/* revealing a member unfolds its group */
	size_t r = tmodel_reveal(&m, 6);
	assert_int_equal(m.rows[r].index, 6);
	assert_true(m.groups[0].expanded);
	tmodel_release(&m);
	dump_free(d);
}

static void test_sorts(void **state)
{
	(void)state;
	struct dump *d = sample();
	struct tmodel m;
	tmodel_init(&m, d);
	tmodel_sort(&m, SORT_GROUP);
	assert_int_equal(m.rows[0].kind, TROW_GROUP); /* the biggest group first */
	tmodel_sort(&m, SORT_STATE);
	assert_int_equal(tmodel_row_thread(&m, 0), 1); /* BLOCKED < RUNNABLE < WAITING */
	assert_int_equal(tmodel_row_thread(&m, 2), 0);
	tmodel_toggle_group(&m, 0);
	tmodel_sort(&m, SORT_NAME);
	/* ab, ba, main, then the group at pool-1 (thread 8) with members by name */
	assert_int_equal(tmodel_row_thread(&m, 0), 1);
	assert_int_equal(m.rows[3].kind, TROW_GROUP);
	assert_int_equal(m.rows[4].index, 7);
	assert_int_equal(m.rows[8].index, 3);
	tmodel_sort(&m, SORT_DEPTH);
	assert_int_equal(m.th[tmodel_row_thread(&m, m.nrows - 1)].t->nframes, 3);
	assert_string_equal(thread_sort_name(SORT_NATURAL), "dump order");
	tmodel_release(&m);
	dump_free(d);
}

static void test_filter(void **state)
{
	(void)state;
	struct dump *d = sample();
	struct tmodel m;
	struct strbuf err = STRBUF_INIT;
	tmodel_init(&m, d);
	assert_int_equal(tmodel_filter(&m, "BLOCKED", &err), 0);
	assert_int_equal(m.nflat, 2);
	assert_int_equal(m.nrows, 2);
	assert_int_equal(tmodel_reveal(&m, 0), SIZE_MAX); /* hidden */
	/* smart case: lower case matches any case; text in frames counts */
	assert_int_equal(tmodel_filter(&m, "take_b", &err), 0);
	assert_int_equal(m.nflat, 1);
	assert_int_equal(m.flat[0], 2);
	/* one visible member of a group shows as a plain thread */
	assert_int_equal(tmodel_filter(&m, "pool-3", &err), 0);
	assert_int_equal(m.nrows, 1);
	assert_int_equal(m.rows[0].kind, TROW_THREAD);
	assert_int_equal(tmodel_filter(&m, "(", &err), -1);
	assert_non_null(strstr(err.buf, "bad regex"));
	assert_int_equal(m.nflat, 1); /* unchanged by a bad pattern */
	assert_int_equal(tmodel_filter(&m, "", &err), 0);
	assert_int_equal(m.nflat, 8);
	strbuf_release(&err);
	tmodel_release(&m);
	dump_free(d);
}

static void test_search_across_threads(void **state)
{
	(void)state;
	struct dump *d = sample();
	struct tmodel m;
	struct strbuf err = STRBUF_INIT;
	tmodel_init(&m, d);
	assert_int_equal(tmodel_search(&m, "mutex|lll_lock", &err), 0);
	/* __lll_lock_wait and pthread_mutex_lock in threads 2 and 3 */
	assert_int_equal(m.nhits, 4);
	assert_int_equal(m.hit_threads, 2);
	size_t ti = 0;
	long line = -1;
	bool wrapped;
	assert_true(tmodel_next_hit(&m, &ti, &line, 1, &wrapped));
	assert_int_equal(ti, 1);
	assert_int_equal(line, 1); /* frame 0 */
	assert_true(tmodel_next_hit(&m, &ti, &line, 1, &wrapped));
	assert_int_equal(ti, 1);
	assert_int_equal(line, 2);
	assert_true(tmodel_next_hit(&m, &ti, &line, 1, &wrapped));
	assert_int_equal(ti, 2); /* on into the next thread */
	assert_int_equal(line, 1);
	assert_false(wrapped);
	assert_true(tmodel_next_hit(&m, &ti, &line, 1, &wrapped));
	assert_true(tmodel_next_hit(&m, &ti, &line, 1, &wrapped));
	assert_int_equal(ti, 1);
	assert_true(wrapped);
	/* backwards from thread 2's first hit: thread 1's last */
	ti = 2;
	line = 1;
	assert_true(tmodel_next_hit(&m, &ti, &line, -1, &wrapped));
	assert_int_equal(ti, 1);
	assert_int_equal(line, 2);
	assert_true(tmodel_is_hit(&m, 1, 2));
	assert_false(tmodel_is_hit(&m, 1, 3));
	/* the header is searched too: a thread name */
	assert_int_equal(tmodel_search(&m, "pool-2", &err), 0);
	ti = 0;
	line = -1;
	assert_true(tmodel_next_hit(&m, &ti, &line, 1, &wrapped));
	assert_int_equal(ti, 6);
	assert_int_equal(line, 0);
	/* hits follow the row order: a hidden thread is skipped */
	assert_int_equal(tmodel_filter(&m, "main", &err), 0);
	assert_false(tmodel_next_hit(&m, &ti, &line, 1, &wrapped));
	assert_int_equal(tmodel_search(&m, "", &err), 0);
	assert_false(tmodel_next_hit(&m, &ti, &line, 1, &wrapped));
	strbuf_release(&err);
	tmodel_release(&m);
	dump_free(d);
}

static const struct frame *at_file(struct frame *f, const char *file, const char *fn, enum frame_kind kind)
{
	memset(f, 0, sizeof(*f));
	f->file = file;
	f->function = fn;
	f->kind = kind;
	return f;
}

static void write_file(const char *path)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("int x;\n", fp);
	fclose(fp);
}

static void test_source_resolve(void **state)
{
	(void)state;
	char dir[] = "/tmp/mortem-tui-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256], map[300], sub[300], java[400], deep[400];
	struct frame f;
	snprintf(path, sizeof(path), "%s/parse.c", dir);
	write_file(path);
	snprintf(map, sizeof(map), "/build/src=%s", dir);
	const char *m2[] = { "/nowhere=/also/nowhere", map };
	char *got = tui_source_resolve(at_file(&f, "/build/src/parse.c", NULL, FRAME_NATIVE), m2, 2);
	assert_non_null(got);
	assert_string_equal(got, path);
	free(got);
	got = tui_source_resolve(at_file(&f, path, NULL, FRAME_NATIVE), NULL, 0); /* as it is */
	assert_string_equal(got, path);
	free(got);
	assert_null(tui_source_resolve(at_file(&f, "/build/src/other.c", NULL, FRAME_NATIVE), m2, 2));
	assert_null(tui_source_resolve(at_file(&f, NULL, NULL, FRAME_NATIVE), m2, 2));
	/* a plain DIR: a root searched by the Java package path, by name, by name below it */
	snprintf(sub, sizeof(sub), "%s/com", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/com/acme", dir);
	mkdir(sub, 0700);
	snprintf(java, sizeof(java), "%s/Bank.java", sub);
	write_file(java);
	const char *root[] = { dir };
	got = tui_source_resolve(at_file(&f, "Bank.java", "com.acme.Bank.transfer", FRAME_JAVA), root, 1);
	assert_non_null(got);
	assert_string_equal(got, java);
	free(got);
	got = tui_source_resolve(at_file(&f, "/elsewhere/build/parse.c", "parse", FRAME_NATIVE), root, 1);
	assert_string_equal(got, path);
	free(got);
	snprintf(deep, sizeof(deep), "%s/lexer.c", sub);
	write_file(deep);
	got = tui_source_resolve(at_file(&f, "/build/com/acme/lexer.c", "lex", FRAME_NATIVE), root, 1);
	assert_non_null(got);
	assert_string_equal(got, deep);
	free(got);
	unlink(deep);
	unlink(java);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/com", dir);
	rmdir(sub);
	unlink(path);
	rmdir(dir);
}

/* A browser around D, without a terminal: enough to build the views' lines. */
static void browser_for(struct browser *b, struct dump *d, const struct mortem_opts *o)
{
	memset(b, 0, sizeof(*b));
	b->d = d;
	b->o = o;
	b->arena = arena_new();
	b->height = 20;
	tmodel_init(&b->model, d);
}

static void browser_done(struct browser *b)
{
	tmodel_release(&b->model);
	strbuf_release(&b->message);
	arena_free(b->arena);
}

static void test_views_lead_to_evidence(void **state)
{
	(void)state;
	struct dump *d = sample();
	struct mortem_opts o = MORTEM_OPTS_INIT;
	struct browser b;
	browser_for(&b, d, &o);
	/* findings: the finding, then its threads and locks, each opening it */
	struct view v = { .ops = &findings_view, .b = &b };
	v.ops->open(&v);
	assert_int_equal(v.lines[0].target, TGT_FINDING);
	assert_non_null(strstr(v.lines[0].text, "critical"));
	assert_int_equal(v.lines[0].style, ST_CRITICAL);
	size_t l = view_find_target(&v, TGT_THREAD, 2);
	assert_true(l != SIZE_MAX);
	assert_non_null(strstr(v.lines[l].text, "3 \"ba\"  take_b_then_a at abba.c:12"));
	assert_true(view_find_target(&v, TGT_LOCK, 1) != SIZE_MAX);
	free(v.lines);
	/* locks: the cycle first, highlighted */
	struct view lk = { .ops = &locks_view, .b = &b };
	lk.ops->open(&lk);
	assert_non_null(strstr(lk.lines[0].text, "CYCLE"));
	assert_non_null(strstr(lk.lines[1].text, "2 \"ab\"  take_a_then_b"));
	assert_non_null(strstr(lk.lines[2].text, "waits for 0x2000, held by 3 \"ba\""));
	assert_int_equal(lk.lines[2].target, TGT_THREAD); /* Enter: the holder */
	assert_int_equal(lk.lines[2].a, 2);
	assert_int_equal(view_find_target(&lk, TGT_LOCK, 0), 6); /* the lock's own line */
	size_t header = SIZE_MAX;
	for (size_t i = 0; i < lk.nlines && header == SIZE_MAX; i++)
		if (!strncmp(lk.lines[i].text, "@ 0x1000  pthread_mutex", 23))
			header = i;
	assert_true(header != SIZE_MAX);
	assert_int_equal(lk.lines[header].style, ST_CRITICAL);
	assert_non_null(strstr(lk.lines[header + 1].text, "held by  2 \"ab\""));
	free(lk.lines);
	/* summary: the finding first, the crashed thread opens at its top frame */
	struct view s = { .ops = &summary_view, .b = &b };
	s.ops->open(&s);
	assert_int_equal(s.lines[s.cursor].target, TGT_FINDING);
	l = view_find_target(&s, TGT_FRAME, 0);
	assert_true(l != SIZE_MAX);
	assert_int_equal(s.lines[l].b, 2);
	free(s.lines);
	browser_done(&b);
	dump_free(d);
}

static void test_short_texts(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	java_abbreviate("org.apache.activemq.LibaioContext.done", &sb);
	assert_string_equal(sb.buf, "o.a.a.LibaioContext.done");
	strbuf_reset(&sb);
	java_abbreviate("std::vector<int>::at(unsigned long)", &sb);
	assert_string_equal(sb.buf, "std::vector<int>::at(unsigned long)");
	strbuf_reset(&sb);
	java_abbreviate("main", &sb);
	assert_string_equal(sb.buf, "main");
	strbuf_release(&sb);
	/* states lose their detail in the threads pane, not in the model */
	struct dump *d = dump_new("s");
	struct thread *t = dump_add_thread(d, "1");
	t->state = "BLOCKED (on object monitor)";
	struct thread *u = dump_add_thread(d, "2");
	u->state = "S (sleeping)";
	struct frame *f = thread_add_frame(d, t);
	f->function = "java.lang.Object.wait";
	f->kind = FRAME_JAVA;
	f = thread_add_frame(d, t);
	f->function = "com.example.Pool.take";
	f->kind = FRAME_JAVA;
	f->file = "Pool.java";
	f->line = 7;
	struct tmodel m;
	tmodel_init(&m, d);
	assert_string_equal(m.th[0].state, "BLOCKED");
	assert_string_equal(m.th[1].state, "S (sleeping)");
	assert_string_equal(m.th[0].top, "c.e.Pool.take at Pool.java:7");
	assert_string_equal(m.th[0].waits_in, "in java.lang.Object.wait");
	tmodel_release(&m);
	dump_free(d);
}

/* A thread parked on a j.u.c. lock is shown by the code that wanted the lock, not by AQS. */
static void test_juc_wait_shows_the_caller(void **state)
{
	(void)state;
	static const char *const stack[] = {
		"jdk.internal.misc.Unsafe.park", "java.util.concurrent.locks.LockSupport.park",
		"java.util.concurrent.locks.AbstractQueuedSynchronizer.acquire",
		"java.util.concurrent.locks.ReentrantLock$Sync.lock",
		"java.util.concurrent.locks.ReentrantLock.lock", "com.example.Repository.load",
		"com.example.Service.handle",
	};
	struct dump *d = dump_new("j");
	struct thread *t = dump_add_thread(d, "1");
	t->state = "WAITING (parking)";
	for (size_t i = 0; i < sizeof(stack) / sizeof(stack[0]); i++) {
		struct frame *f = thread_add_frame(d, t);
		f->function = stack[i];
		f->kind = FRAME_JAVA;
		f->file = "X.java";
		f->line = (int)i + 1;
	}
	struct tmodel m;
	tmodel_init(&m, d);
	assert_string_equal(m.th[0].top, "c.e.Repository.load at X.java:6");
	assert_int_equal(m.th[0].top_frame, 5);
	assert_string_equal(m.th[0].waits_in, "in java.util.concurrent.locks.ReentrantLock.lock");
	tmodel_release(&m);
	dump_free(d);
}

static void test_keys_from_one_table(void **state)
{
	(void)state;
	assert_int_equal(keymap_lookup('j'), REQ_DOWN);
	assert_int_equal(keymap_lookup(TK_UP), REQ_UP);
	assert_int_equal(keymap_lookup('/'), REQ_SEARCH);
	assert_int_equal(keymap_lookup('Z'), REQ_NONE);
	/* every request has a key and help text */
	for (int r = 0; r < REQUEST_COUNT; r++) {
		struct strbuf sb = STRBUF_INIT;
		keymap_keys_of(r, &sb);
		assert_true(sb.len > 0);
		assert_true(strlen(request_help(r)) > 0);
		strbuf_release(&sb);
	}
	char kb[16];
	assert_string_equal(key_name(TK_CTRL('l'), kb), "Ctrl-L");
	assert_string_equal(key_name(TK_PGDN, kb), "PgDn");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_marks_groups_rows),
		cmocka_unit_test(test_sorts),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_search_across_threads),
		cmocka_unit_test(test_source_resolve),
		cmocka_unit_test(test_views_lead_to_evidence),
		cmocka_unit_test(test_short_texts),
		cmocka_unit_test(test_juc_wait_shows_the_caller),
		cmocka_unit_test(test_keys_from_one_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
