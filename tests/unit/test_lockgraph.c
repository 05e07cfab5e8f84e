/* The wait-for graph: cycles (Tarjan), bystanders, contention, mixed kinds, scale. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "analyzer/model/dump.h"
#include "analyzer/report/lockdot.h"
#include "analyzer/analysis/lockgraph.h"
#include "analyzer/model/options.h"
#include "analyzer/lib/strbuf.h"

static struct thread *thr(struct dump *d, int tid, const char *name, const char *fn)
{
	char id[32];
	snprintf(id, sizeof(id), "%d", tid);
	struct thread *t = dump_add_thread(d, id);
	t->tid = tid;
	t->name = name ? dump_strdup(d, name) : NULL;
	struct frame *f = thread_add_frame(d, t);
	f->function = "futex_wait";
	f = thread_add_frame(d, t);
	f->function = "___pthread_mutex_lock";
	if (fn) {
		f = thread_add_frame(d, t);
		f->function = dump_strdup(d, fn);
		f->file = "/src/prog.c";
		f->line = 21;
	}
	return t;
}

static struct lock *lk(struct dump *d, const char *id, enum lock_kind kind)
{
	return dump_lock(d, id, kind);
}

static void analyze(struct dump *d)
{
	struct mortem_opts o = MORTEM_OPTS_INIT;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(lockgraph_analyze(d, &o, &err), 0);
	strbuf_release(&err);
}

static size_t count_findings(const struct dump *d, const char *id)
{
	size_t n = 0;
	for (size_t i = 0; i < d->nfindings; i++)
		n += !strcmp(d->findings[i]->id, id);
	return n;
}

static bool finding_has_thread(const struct finding *f, const struct thread *t)
{
	for (size_t i = 0; i < f->nthreads; i++)
		if (f->threads[i] == t)
			return true;
	return false;
}

static void test_abba(void **state)
{
	(void)state;
	struct dump *d = dump_new("abba");
	struct thread *a = thr(d, 12, "worker", "take_a_then_b");
	struct thread *b = thr(d, 13, "io", "take_b_then_a");
	struct lock *la = lk(d, "0x404060", LOCK_PTHREAD_MUTEX), *lb = lk(d, "0x4040a0", LOCK_PTHREAD_MUTEX);
	thread_hold(d, a, la);
	thread_hold(d, b, lb);
	thread_wait_on(d, a, lb);
	thread_wait_on(d, b, la);
	analyze(d);
	assert_int_equal(count_findings(d, "lock-cycle"), 1);
	struct finding *f = dump_find_finding(d, "lock-cycle");
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_int_equal(f->confidence, CONF_CERTAIN);
	assert_int_equal(f->nthreads, 2);
	assert_int_equal(f->nlocks, 2);
	assert_ptr_equal(f->threads[0], a);
	assert_ptr_equal(f->locks[0], lb);
	assert_non_null(strstr(f->summary, "thread 12 \"worker\" (at take_a_then_b prog.c:21) \u2014waits for\u2192 "
					   "pthread_mutex 0x4040a0 \u2014held by\u2192 thread 13 \"io\""));
	assert_non_null(strstr(f->summary, "thread 13 \"io\" (at take_b_then_a prog.c:21) \u2014waits for\u2192 "
					   "pthread_mutex 0x404060 \u2014held by\u2192 thread 12 \"worker\""));
	assert_non_null(f->advice);
	assert_int_equal(count_findings(d, "lock-contention"), 0);

	/* the DOT graph draws the cycle's threads and locks red */
	struct strbuf dot = STRBUF_INIT;
	lockdot_render(d, &dot);
	assert_non_null(strstr(dot.buf, "t0 [shape=box,label=\"thread 12\\nworker\\nat take_a_then_b prog.c:21\",color=red"));
	assert_non_null(strstr(dot.buf, "l1 [shape=ellipse,label=\"pthread_mutex 0x4040a0\",color=red"));
	assert_non_null(strstr(dot.buf, "t0 -> l1 [label=\"waits\",style=dashed,color=red"));
	assert_non_null(strstr(dot.buf, "l1 -> t1 [label=\"held by\",color=red"));
	strbuf_release(&dot);
	dump_free(d);
}

/* A ring of three, a holder D stuck behind it, and three threads queued on D's lock. */
static void test_ring_with_bystanders(void **state)
{
	(void)state;
	struct dump *d = dump_new("ring");
	struct thread *r[3], *by[3];
	struct lock *l[3];
	char id[16];
	for (int i = 0; i < 3; i++) {
		r[i] = thr(d, 100 + i, "ring", "ring_step");
		snprintf(id, sizeof(id), "0x%x", 0x1000 + i * 0x40);
		l[i] = lk(d, id, LOCK_PTHREAD_MUTEX);
		thread_hold(d, r[i], l[i]);
	}
	for (int i = 0; i < 3; i++)
		thread_wait_on(d, r[i], l[(i + 1) % 3]);
	struct thread *holder = thr(d, 200, "holder", "hold_q");
	struct lock *q = lk(d, "0x2000", LOCK_PTHREAD_MUTEX);
	thread_hold(d, holder, q);
	thread_wait_on(d, holder, l[0]);
	for (int i = 0; i < 3; i++) {
		by[i] = thr(d, 300 + i, "bystander", "queue_on_q");
		thread_wait_on(d, by[i], q);
	}
	struct thread *by_ring = thr(d, 400, "late", "queue_on_ring");
	thread_wait_on(d, by_ring, l[1]);
	analyze(d);
	assert_int_equal(count_findings(d, "lock-cycle"), 1);
	struct finding *f = dump_find_finding(d, "lock-cycle");
	assert_int_equal(f->nthreads, 3);
	for (int i = 0; i < 3; i++) {
		assert_true(finding_has_thread(f, r[i]));
		assert_false(finding_has_thread(f, by[i]));
	}
	assert_false(finding_has_thread(f, holder));
	assert_false(finding_has_thread(f, by_ring));
	assert_non_null(strstr(f->summary, "2 more threads wait on these locks behind the cycle"));
	assert_int_equal(count_findings(d, "lock-contention"), 1);
	struct finding *c = dump_find_finding(d, "lock-contention");
	assert_int_equal(c->severity, SEV_MEDIUM);
	assert_ptr_equal(c->threads[0], holder);
	assert_int_equal(c->nthreads, 4);
	assert_ptr_equal(c->locks[0], q);
	assert_non_null(strstr(c->summary, "3 threads wait for pthread_mutex 0x2000 held by thread 200"));
	assert_non_null(strstr(c->summary, "itself waiting for pthread_mutex 0x1000 (a lock of the deadlock above)"));
	dump_free(d);
}

/* Many threads on a lock held by a cycle member: only the cycle is reported. */
static void test_queue_on_cycle_lock_is_no_contention(void **state)
{
	(void)state;
	struct dump *d = dump_new("q");
	struct thread *a = thr(d, 1, NULL, NULL), *b = thr(d, 2, NULL, NULL);
	struct lock *la = lk(d, "0x10", LOCK_PTHREAD_MUTEX), *lb = lk(d, "0x20", LOCK_PTHREAD_MUTEX);
	thread_hold(d, a, la);
	thread_hold(d, b, lb);
	thread_wait_on(d, a, lb);
	thread_wait_on(d, b, la);
	for (int i = 0; i < 5; i++)
		thread_wait_on(d, thr(d, 10 + i, NULL, NULL), la);
	analyze(d);
	assert_int_equal(count_findings(d, "lock-cycle"), 1);
	assert_int_equal(dump_find_finding(d, "lock-cycle")->nthreads, 2);
	assert_int_equal(count_findings(d, "lock-contention"), 0);
	dump_free(d);
}

static void test_mixed_java_kinds(void **state)
{
	(void)state;
	struct dump *d = dump_new("java");
	struct thread *a = thr(d, 4242, "Thread-0", "Deadlock.monitorFirst");
	struct thread *b = thr(d, 4243, "Thread-1", "Deadlock.lockFirst");
	struct lock *mon = lk(d, "<0x000000071b8e6c48>", LOCK_JAVA_MONITOR);
	mon->label = "java.lang.Object";
	struct lock *rl = lk(d, "<0x000000071b8e7000>", LOCK_JUC_SYNC);
	rl->label = "java.util.concurrent.locks.ReentrantLock$NonfairSync";
	thread_hold(d, a, mon);
	thread_wait_on(d, a, rl);
	thread_hold(d, b, rl);
	thread_wait_on(d, b, mon);
	analyze(d);
	struct finding *f = dump_find_finding(d, "lock-cycle");
	assert_non_null(f);
	assert_int_equal(f->nthreads, 2);
	assert_non_null(strstr(f->summary, "java_monitor <0x000000071b8e6c48> (java.lang.Object)"));
	assert_non_null(strstr(f->summary, "juc_sync <0x000000071b8e7000>"));
	assert_non_null(strstr(f->advice, "java.util.concurrent"));
	dump_free(d);
}

/* mutex + loader lock + rwlock + join in one cycle of four. */
static void test_mixed_native_kinds(void **state)
{
	(void)state;
	struct dump *d = dump_new("native");
	struct thread *t[4];
	for (int i = 0; i < 4; i++)
		t[i] = thr(d, 50 + i, NULL, "step");
	struct lock *m = lk(d, "0x5000", LOCK_PTHREAD_MUTEX);
	struct lock *ld = lk(d, "0x7f0000001a30", LOCK_LOADER);
	ld->label = "_rtld_global._dl_load_write_lock";
	struct lock *rw = lk(d, "0x6000", LOCK_PTHREAD_RWLOCK);
	struct lock *join = lk(d, "0x7f00000022d0", LOCK_THREAD_JOIN);
	thread_hold(d, t[0], m);
	thread_wait_on(d, t[0], ld);
	thread_hold(d, t[1], ld);
	thread_wait_on(d, t[1], rw);
	thread_hold(d, t[2], rw);
	thread_wait_on(d, t[2], join);
	thread_hold(d, t[3], join); /* a join "lock" is held by the thread being joined */
	thread_wait_on(d, t[3], m);
	analyze(d);
	struct finding *f = dump_find_finding(d, "lock-cycle");
	assert_non_null(f);
	assert_int_equal(f->nthreads, 4);
	assert_int_equal(f->nlocks, 4);
	assert_non_null(strstr(f->summary, "loader_lock 0x7f0000001a30 (_rtld_global._dl_load_write_lock)"));
	assert_non_null(strstr(f->advice, "dl_iterate_phdr"));
	dump_free(d);
}

static void test_self_deadlock_and_reentry(void **state)
{
	(void)state;
	struct dump *d = dump_new("self");
	struct thread *a = thr(d, 7, "self", "relock");
	struct lock *m = lk(d, "0x7000", LOCK_PTHREAD_MUTEX);
	thread_hold(d, a, m);
	thread_wait_on(d, a, m);
	/* Object.wait(): jstack prints "waiting on" and "locked" for the same monitor: no cycle */
	struct thread *j = thr(d, 8, "waiter", "java.lang.Object.wait");
	struct lock *mon = lk(d, "<0x0000000700000000>", LOCK_JAVA_MONITOR);
	thread_hold(d, j, mon);
	thread_wait_on(d, j, mon);
	analyze(d);
	assert_int_equal(count_findings(d, "lock-cycle"), 1);
	struct finding *f = dump_find_finding(d, "lock-cycle");
	assert_int_equal(f->nthreads, 1);
	assert_ptr_equal(f->threads[0], a);
	assert_non_null(strstr(f->summary, "self-deadlock"));
	assert_non_null(strstr(f->summary, "\u2014held by\u2192 itself"));
	dump_free(d);
}

/* A writer waits on an rwlock two readers hold; one reader waits on the writer's mutex. */
static void test_shared_holders(void **state)
{
	(void)state;
	struct dump *d = dump_new("rw");
	struct thread *w = thr(d, 1, "writer", NULL), *r1 = thr(d, 2, "r1", NULL), *r2 = thr(d, 3, "r2", NULL);
	struct lock *rw = lk(d, "0x100", LOCK_PTHREAD_RWLOCK), *m = lk(d, "0x200", LOCK_PTHREAD_MUTEX);
	thread_hold(d, r1, rw);
	thread_hold(d, r2, rw);
	thread_hold(d, w, m);
	thread_wait_on(d, w, rw);
	thread_wait_on(d, r2, m);
	analyze(d);
	struct finding *f = dump_find_finding(d, "lock-cycle");
	assert_non_null(f);
	assert_int_equal(f->nthreads, 2);
	assert_true(finding_has_thread(f, w));
	assert_true(finding_has_thread(f, r2));
	assert_false(finding_has_thread(f, r1));
	dump_free(d);
}

static void test_inferred_and_two_cycles(void **state)
{
	(void)state;
	struct dump *d = dump_new("two");
	for (int c = 0; c < 2; c++) {
		struct thread *a = thr(d, 10 * c + 1, NULL, NULL), *b = thr(d, 10 * c + 2, NULL, NULL);
		char id[16];
		snprintf(id, sizeof(id), "0x%x", 0x100 * c + 1);
		struct lock *la = lk(d, id, LOCK_PTHREAD_MUTEX);
		snprintf(id, sizeof(id), "0x%x", 0x100 * c + 2);
		struct lock *lb = lk(d, id, LOCK_FUTEX);
		thread_hold(d, a, la);
		thread_hold(d, b, lb);
		lb->owner_inferred = c == 1;
		thread_wait_on(d, a, lb);
		thread_wait_on(d, b, la);
	}
	analyze(d);
	assert_int_equal(count_findings(d, "lock-cycle"), 2);
	assert_int_equal(d->findings[0]->confidence, CONF_CERTAIN);
	assert_int_equal(d->findings[1]->confidence, CONF_LIKELY);
	assert_non_null(strstr(d->findings[1]->summary, "(owner inferred)"));
	dump_free(d);
}

/* tryLock with a timeout on one side: the inversion breaks by itself, a warning and no finding. */
static void test_timed_cycle(void **state)
{
	(void)state;
	struct dump *d = dump_new("timed");
	struct thread *a = thr(d, 1, "T0", "java.util.concurrent.locks.ReentrantLock.tryLock");
	struct thread *b = thr(d, 2, "T1", "Demo.run");
	struct lock *la = lk(d, "<0x1>", LOCK_JUC_SYNC), *lb = lk(d, "<0x2>", LOCK_JUC_SYNC);
	thread_hold(d, a, la);
	thread_hold(d, b, lb);
	thread_wait_on(d, a, lb);
	thread_wait_on(d, b, la);
	analyze(d);
	assert_int_equal(count_findings(d, "lock-cycle"), 0);
	assert_int_equal(d->input.nwarnings, 1);
	assert_non_null(strstr(d->input.warnings[0], "with a timeout"));
	b->state = "TIMED_WAITING (parking)";
	assert_true(lockgraph_wait_is_timed(b));
	dump_free(d);
}

static void test_no_owner_no_cycle(void **state)
{
	(void)state;
	struct dump *d = dump_new("none");
	struct lock *m = lk(d, "0x1", LOCK_FUTEX);
	for (int i = 0; i < 10; i++)
		thread_wait_on(d, thr(d, i + 1, NULL, NULL), m);
	analyze(d);
	assert_int_equal(d->nfindings, 0);
	dump_free(d);
}

static struct thread *idle_thread(struct dump *d, int tid)
{
	struct thread *t = thr(d, tid, "pool", NULL);
	t->frames[1].function = "___pthread_cond_wait"; /* futex_wait, pthread_cond_wait */
	struct frame *f = thread_add_frame(d, t);
	f->function = "Pool::work";
	return t;
}

/*
 * A text dump shows what each thread waits for, not who holds it: three
 * threads blocked on three different locks while every other thread idles
 * are a possible cycle; a running thread, two waiters of one lock, or a
 * dump that shows holders (and no cycle) are not.
 */
static void test_text_cycle_inferred(void **state)
{
	(void)state;
	for (int variant = 0; variant < 4; variant++) {
		struct dump *d = dump_new("gdb.txt");
		struct thread *a = thr(d, 1, NULL, "deposit");
		struct thread *b = thr(d, 2, NULL, "reconcile");
		struct thread *c = thr(d, 3, NULL, "settle");
		idle_thread(d, 4);
		thread_wait_on(d, a, lk(d, "0x10", LOCK_PTHREAD_MUTEX));
		thread_wait_on(d, b, lk(d, "0x20", LOCK_PTHREAD_MUTEX));
		thread_wait_on(d, c, lk(d, variant == 2 ? "0x20" : "0x30", LOCK_PTHREAD_MUTEX));
		if (variant == 1) {
			struct thread *r = dump_add_thread(d, "5");
			thread_add_frame(d, r)->function = "compute_totals"; /* running: it may hold them */
		}
		if (variant == 3)
			thread_hold(d, idle_thread(d, 6), d->locks[0]);
		analyze(d);
		struct finding *f = dump_find_finding(d, "lock-cycle");
		if (variant == 0) {
			assert_non_null(f);
			assert_int_equal(f->confidence, CONF_POSSIBLE);
			assert_int_equal(f->nthreads, 3);
			assert_int_equal(f->nlocks, 3);
			assert_non_null(strstr(f->summary, "thread 1 (at deposit prog.c:21)"));
		} else {
			assert_null(f);
		}
		dump_free(d);
	}
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 50,000 threads in one ring (no recursion depth), plus 50,000 on a chain and one queue. */
static void test_fifty_thousand(void **state)
{
	(void)state;
	enum { N = 50000 };
	struct dump *d = dump_new("big");
	static struct thread *t[N];
	static struct lock *l[N];
	char id[32];
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "%d", i + 1);
		t[i] = dump_add_thread(d, id);
		snprintf(id, sizeof(id), "0x%x", 0x10000 + i * 64);
		l[i] = dump_lock(d, id, LOCK_PTHREAD_MUTEX);
		thread_hold(d, t[i], l[i]);
	}
	for (int i = 0; i < N; i++)
		thread_wait_on(d, t[i], l[(i + 1) % N]);
	/* a long chain that ends in a thread that waits for nothing, and a queue on its lock */
	struct thread *prev = NULL;
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		struct thread *c = dump_add_thread(d, id);
		snprintf(id, sizeof(id), "0x%x", 0x8000000 + i * 64);
		struct lock *cl = dump_lock(d, id, LOCK_PTHREAD_MUTEX);
		thread_hold(d, c, cl);
		if (prev)
			thread_wait_on(d, prev, cl);
		prev = c;
	}
	double t0 = seconds();
	analyze(d);
	double dt = seconds() - t0;
	assert_int_equal(count_findings(d, "lock-cycle"), 1);
	assert_int_equal(dump_find_finding(d, "lock-cycle")->nthreads, N);
	assert_int_equal(count_findings(d, "lock-contention"), 0);
	print_message("lockgraph on %zu threads, %zu locks: %.3f s\n", d->nthreads, d->nlocks, dt);
	struct strbuf dot = STRBUF_INIT;
	t0 = seconds();
	lockdot_render(d, &dot);
	dt = seconds() - t0;
	print_message("lock graph DOT (%zu bytes): %.3f s\n", dot.len, dt);
	strbuf_release(&dot);
	dump_free(d);
}

/* 10,000 separate ABBA pairs: each found once, in linear time. */
static void test_many_cycles(void **state)
{
	(void)state;
	enum { PAIRS = 10000 };
	struct dump *d = dump_new("pairs");
	char id[32];
	for (int p = 0; p < PAIRS; p++) {
		struct thread *t[2];
		struct lock *l[2];
		for (int k = 0; k < 2; k++) {
			snprintf(id, sizeof(id), "%d", 2 * p + k + 1);
			t[k] = dump_add_thread(d, id);
			snprintf(id, sizeof(id), "0x%x", 0x1000 + (2 * p + k) * 64);
			l[k] = dump_lock(d, id, LOCK_PTHREAD_MUTEX);
			thread_hold(d, t[k], l[k]);
		}
		thread_wait_on(d, t[0], l[1]);
		thread_wait_on(d, t[1], l[0]);
	}
	double t0 = seconds();
	analyze(d);
	double dt = seconds() - t0;
	print_message("lockgraph on %d two-thread cycles: %.3f s\n", PAIRS, dt);
	assert_int_equal(count_findings(d, "lock-cycle"), PAIRS);
	dump_free(d);
}

static void test_long_queue(void **state)
{
	(void)state;
	enum { N = 20000 };
	struct dump *d = dump_new("queue");
	struct thread *h = thr(d, 1, "holder", "slow_io");
	struct lock *m = lk(d, "0x1000", LOCK_PTHREAD_MUTEX);
	thread_hold(d, h, m);
	char id[32];
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "%d", i + 2);
		thread_wait_on(d, dump_add_thread(d, id), m);
	}
	analyze(d);
	assert_int_equal(count_findings(d, "lock-contention"), 1);
	struct finding *f = dump_find_finding(d, "lock-contention");
	assert_int_equal(f->nthreads, N + 1);
	assert_non_null(strstr(f->summary, "20000 threads wait for pthread_mutex 0x1000 held by thread 1 \"holder\" (at slow_io prog.c:21)"));
	assert_non_null(strstr(f->summary, "waiting: 2 3 4 5 6 7 8 9 10 11 ... (19990 more)"));
	dump_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abba),
		cmocka_unit_test(test_ring_with_bystanders),
		cmocka_unit_test(test_queue_on_cycle_lock_is_no_contention),
		cmocka_unit_test(test_mixed_java_kinds),
		cmocka_unit_test(test_mixed_native_kinds),
		cmocka_unit_test(test_self_deadlock_and_reentry),
		cmocka_unit_test(test_shared_holders),
		cmocka_unit_test(test_inferred_and_two_cycles),
		cmocka_unit_test(test_timed_cycle),
		cmocka_unit_test(test_no_owner_no_cycle),
		cmocka_unit_test(test_text_cycle_inferred),
		cmocka_unit_test(test_fifty_thousand),
		cmocka_unit_test(test_many_cycles),
		cmocka_unit_test(test_long_queue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
