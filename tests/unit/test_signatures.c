/* The signature engine: rule parsing, detectors, rules on models built in code, buckets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analysis/analyze.h"
#include "analyzer/analysis/bucket.h"
#include "analyzer/model/catalogue.h"
#include "signatures/detect.h"
#include "signatures/rules.h"
#include "signatures/signatures.h"

/* ---- building models ---- */

/* Adds frames "fn" or "fn@module" (innermost first); "<sig>" is a signal trampoline. */
static struct thread *thread_with(struct dump *d, const char *id, const char *const *fns)
{
	struct thread *t = dump_add_thread(d, id);
	for (size_t i = 0; fns[i]; i++) {
		struct frame *f = thread_add_frame(d, t);
		const char *at = strchr(fns[i], '@');
		f->function = at ? dump_strndup(d, fns[i], (size_t)(at - fns[i])) : dump_strdup(d, fns[i]);
		f->module = at ? dump_strdup(d, at + 1) : NULL;
		if (!strcmp(fns[i], "<sig>")) {
			f->function = "<signal handler called>";
			f->kind = FRAME_SIGNAL;
		}
	}
	return t;
}

static void crash(struct dump *d, struct thread *t, int signo, const char *code)
{
	struct crash *c = dump_crash(d);
	c->signo = signo;
	c->signal = signal_name(signo);
	c->code = code;
	c->thread = t;
	t->crashed = true;
}

static void analyze(struct dump *d)
{
	struct mortem_opts o = MORTEM_OPTS_INIT;
	struct strbuf err = STRBUF_INIT;
	int rc = analyze_dump(d, &o, &err);
	if (rc)
		fail_msg("analyze: %s", err.buf);
	strbuf_release(&err);
}

static bool has(struct dump *d, const char *id)
{
	return dump_find_finding(d, id) != NULL;
}

/* ---- eintr-crash ---- */

static const char *const eintr_stack[] = {
	"__pthread_kill_implementation@/lib/libc.so.6", "raise@/lib/libc.so.6", "abort@/lib/libc.so.6",
	"__assert_fail_base@/lib/libc.so.6", "__assert_fail@/lib/libc.so.6", "wait_for_input@/t/eintr",
	"main@/t/eintr", NULL,
};

static void test_eintr_certain(void **state)
{
	(void)state;
	struct dump *d = dump_new("core");
	struct thread *t = thread_with(d, "100", eintr_stack);
	crash(d, t, 6, "SI_TKILL");
	d->crash->err_no = 4;
	d->crash->has_errno = true;
	d->crash->abort_message = "eintr: eintr.c:20: wait_for_input: Assertion `rc >= 0 && \"poll failed\"' failed.\n";
	static const char handlers[] = "SIGSEGV: [libjvm.so+0xef8500], sa_mask[0]=1111, sa_flags=SA_RESTART|SA_SIGINFO\n"
				       "SIGPROF: [libasyncProfiler.so+0x2a3c0], sa_mask[0]=0, sa_flags=SA_SIGINFO\n";
	dump_add_section(d, "Signal Handlers", handlers, sizeof(handlers) - 1);
	analyze(d);
	struct finding *f = dump_find_finding(d, "eintr-crash");
	assert_non_null(f);
	assert_int_equal(f->confidence, CONF_CERTAIN);
	assert_non_null(strstr(f->summary, "errno is EINTR"));
	assert_non_null(strstr(f->summary, "poll failed"));
	assert_non_null(strstr(f->summary, "wait_for_input"));
	assert_non_null(strstr(f->summary, "SIGPROF handler is installed: [libasyncProfiler.so+0x2a3c0]"));
	assert_non_null(strstr(f->advice, "EINTR"));
	assert_non_null(strstr(f->advice, "around poll in wait_for_input"));
	assert_non_null(strstr(f->advice, "-e alloc"));
	struct finding *a = dump_find_finding(d, "assertion-failure");
	assert_non_null(a);
	assert_non_null(strstr(a->summary, "Assertion `rc >= 0"));
	assert_false(has(d, "null-dereference"));
	assert_false(has(d, "heap-corruption"));
	assert_string_equal(d->signature, "SIGABRT in wait_for_input < main");
	dump_free(d);
}

static void test_eintr_profiler_evidence(void **state)
{
	(void)state;
	struct dump *d = dump_new("gdb.txt");
	static const char *const dead[] = { "raise", "abort", "??@/tmp/librocksdbjni1279.so",
		"rocksdb::AsyncFileReader::Wait()@/tmp/librocksdbjni1279.so", "folly::coro::Task", NULL };
	static const char *const prof[] = { "Profiler::recordSample@/opt/libasyncProfiler.so",
		"CTimer::signalHandler@/opt/libasyncProfiler.so", "<sig>", "__GI___poll@libc.so.6",
		"rocksdb::Poller::run", NULL };
	thread_with(d, "1", dead);
	thread_with(d, "2", prof);
	analyze(d);
	struct finding *f = dump_find_finding(d, "eintr-crash");
	assert_non_null(f);
	assert_int_equal(f->confidence, CONF_LIKELY); /* no errno or message: not certain */
	assert_non_null(strstr(f->summary, "libasyncProfiler.so"));
	assert_non_null(strstr(f->summary, "interrupted __GI___poll"));
	assert_non_null(strstr(f->summary, "AsyncFileReader::Wait"));
	dump_free(d);
}

/* A call still on the crashing thread's stack never returned: no EINTR evidence. */
static void test_eintr_needs_a_returned_call(void **state)
{
	(void)state;
	static const char *const in_write[] = { "__GI___libc_write@libc.so.6", "ship_records@/t/w", NULL };
	static const char *const in_handler[] = { "on_alarm@/t/s", "<sig>", "__GI___clock_nanosleep@libc.so.6",
		"__GI___nanosleep@libc.so.6", "wait_for_alarm@/t/s", "main@/t/s", NULL };
	static const char *const reporter[] = { "__GI___wait4@libc.so.6", "report_crash@/t/r", "<sig>",
		"store_record@/t/r", "main@/t/r", NULL };
	const char *const *stacks[] = { in_write, in_handler, reporter };
	const int signals[] = { 11, 11, 6 };
	for (int i = 0; i < 3; i++) {
		struct dump *d = dump_new("core");
		crash(d, thread_with(d, "1", stacks[i]), signals[i], i == 2 ? "SI_USER" : "SEGV_MAPERR");
		analyze(d);
		if (has(d, "eintr-crash"))
			fail_msg("stack %d: eintr-crash", i);
		if (i == 2)
			assert_string_equal(d->signature, "SIGABRT in store_record < main");
		dump_free(d);
	}
}

static void test_eintr_silent_on_plain_segv(void **state)
{
	(void)state;
	struct dump *d = dump_new("core");
	static const char *const st[] = { "process_result", "wait_for_input", "main", NULL };
	struct thread *t = thread_with(d, "7", st);
	crash(d, t, 11, "SEGV_MAPERR");
	d->crash->address = 0x10;
	d->crash->has_address = true;
	d->crash->err_no = 0;
	d->crash->has_errno = true;
	analyze(d);
	assert_false(has(d, "eintr-crash"));
	struct finding *f = dump_find_finding(d, "null-dereference");
	assert_non_null(f);
	assert_non_null(strstr(f->summary, "0x10"));
	assert_non_null(strstr(f->summary, "process_result"));
	assert_false(has(d, "assertion-failure"));
	assert_false(has(d, "stack-overflow"));
	dump_free(d);
}

/* ---- stack-overflow, recursion ---- */

static void test_stack_overflow(void **state)
{
	(void)state;
	struct dump *d = dump_new("core");
	struct thread *t = dump_add_thread(d, "9");
	for (int i = 0; i < 300; i++) {
		struct frame *f = thread_add_frame(d, t);
		f->function = i % 2 ? "walk_right" : "walk_left";
	}
	crash(d, t, 11, "SEGV_MAPERR");
	thread_regs(d, t)->valid = true;
	thread_regs(d, t)->sp = 0x7ffc00001000;
	d->crash->address = 0x7ffc00000ff8;
	d->crash->has_address = true;
	analyze(d);
	struct finding *f = dump_find_finding(d, "stack-overflow");
	assert_non_null(f);
	assert_int_equal(f->confidence, CONF_CERTAIN);
	assert_non_null(strstr(f->summary, "8 bytes below"));
	assert_non_null(strstr(f->summary, "repeat every 2"));
	assert_false(has(d, "null-dereference"));
	assert_false(has(d, "infinite-recursion"));
	dump_free(d);
}

static void test_java_recursion(void **state)
{
	(void)state;
	struct dump *d = dump_new("jstack");
	struct thread *t = dump_add_thread(d, "main");
	for (int i = 0; i < 1024; i++) {
		struct frame *f = thread_add_frame(d, t);
		f->function = i % 3 == 0 ? "com.x.Node.hashCode" : i % 3 == 1 ? "java.util.HashMap.hash"
										: "com.x.Node.equals";
		f->kind = FRAME_JAVA;
	}
	static const char *const idle[] = { "java.lang.Thread.sleep", "com.x.Main.main", NULL };
	thread_with(d, "other", idle);
	analyze(d);
	struct finding *f = dump_find_finding(d, "infinite-recursion");
	assert_non_null(f);
	assert_int_equal(f->nthreads, 1);
	assert_string_equal(f->threads[0]->id, "main");
	assert_false(has(d, "stack-overflow"));
	dump_free(d);
}

/* ---- hangs: unwinder-loader-deadlock refines lock-cycle ---- */

static struct dump *loader_cycle(bool with_loader)
{
	struct dump *d = dump_new("core");
	static const char *const plain_a[] = { "__lll_lock_wait", "___pthread_mutex_lock",
		"cache_evict", "worker_main", NULL };
	static const char *const plain_b[] = { "__lll_lock_wait", "___pthread_mutex_lock",
		"stats_flush", "worker_main", NULL };
	static const char *const unwinder[] = { "__lll_lock_wait", "__GI___dl_iterate_phdr",
		"_ULx86_64_dwarf_find_proc_info", "_ULx86_64_step", "je_prof_backtrace", "je_malloc_default",
		"malloc", "Profiler::start", NULL };
	static const char *const holder[] = { "__lll_lock_wait", "___pthread_mutex_lock",
		"je_prof_tctx_create", "malloc", "Symbols::parseLibrariesCallback", "__GI___dl_iterate_phdr",
		"Symbols::parseLibraries", NULL };
	struct thread *a = thread_with(d, "11", with_loader ? unwinder : plain_a);
	struct thread *b = thread_with(d, "12", with_loader ? holder : plain_b);
	struct lock *loader = dump_lock(d, "0x7f00aa", with_loader ? LOCK_LOADER : LOCK_PTHREAD_MUTEX);
	struct lock *prof = dump_lock(d, "0x7f00bb", LOCK_PTHREAD_MUTEX);
	thread_hold(d, b, loader);
	thread_hold(d, a, prof);
	thread_wait_on(d, a, loader);
	thread_wait_on(d, b, prof);
	return d;
}

static void test_unwinder_loader_deadlock(void **state)
{
	(void)state;
	struct dump *d = loader_cycle(true);
	analyze(d);
	assert_true(has(d, "lock-cycle"));
	struct finding *f = dump_find_finding(d, "unwinder-loader-deadlock");
	if (!f)
		fail_msg("no unwinder-loader-deadlock; %zu findings, first %s", d->nfindings,
			 d->nfindings ? d->findings[0]->id : "-");
	assert_int_equal(f->nthreads, 2);
	assert_int_equal(f->nlocks, 2);
	assert_int_equal(f->confidence, CONF_CERTAIN);
	assert_non_null(strstr(f->advice, "libunwind"));
	assert_non_null(strstr(d->signature, "deadlock: "));
	dump_free(d);

	d = loader_cycle(false);
	analyze(d);
	assert_true(has(d, "lock-cycle"));
	assert_false(has(d, "unwinder-loader-deadlock"));
	assert_string_equal(d->signature, "deadlock: cache_evict \xe2\x87\x84 stats_flush");
	dump_free(d);
}

static void test_cycle_signature_order(void **state)
{
	(void)state;
	const char *sig[2];
	for (int order = 0; order < 2; order++) {
		struct dump *d = dump_new("x");
		static const char *const s1[] = { "__lll_lock_wait", "pthread_mutex_lock", "transfer_a(int)", "main", NULL };
		static const char *const s2[] = { "__lll_lock_wait", "pthread_mutex_lock", "transfer_b(int)", "main", NULL };
		struct thread *a = thread_with(d, order ? "2" : "1", order ? s2 : s1);
		struct thread *b = thread_with(d, order ? "1" : "2", order ? s1 : s2);
		struct lock *l1 = dump_lock(d, "0x1", LOCK_PTHREAD_MUTEX), *l2 = dump_lock(d, "0x2", LOCK_PTHREAD_MUTEX);
		thread_hold(d, a, l1);
		thread_hold(d, b, l2);
		thread_wait_on(d, a, l2);
		thread_wait_on(d, b, l1);
		analyze(d);
		assert_non_null(d->signature);
		sig[order] = xstrdup(d->signature);
		dump_free(d);
	}
	assert_string_equal(sig[0], sig[1]);
	assert_string_equal(sig[0], "deadlock: transfer_a \xe2\x87\x84 transfer_b");
	free((void *)sig[0]);
	free((void *)sig[1]);
}

/* ---- signal-unsafe-call, heap-corruption, JVM ---- */

static void test_signal_unsafe(void **state)
{
	(void)state;
	struct dump *d = dump_new("x");
	static const char *const st[] = { "__lll_lock_wait_private", "malloc", "on_alarm", "<sig>",
		"malloc", "main", NULL };
	thread_with(d, "5", st);
	static const char *const ok[] = { "__lll_lock_wait_private", "malloc", "main", NULL };
	thread_with(d, "6", ok);
	analyze(d);
	struct finding *f = dump_find_finding(d, "signal-unsafe-call");
	assert_non_null(f);
	assert_non_null(strstr(f->summary, "malloc"));
	assert_non_null(strstr(f->summary, "thread 5"));
	dump_free(d);

	d = dump_new("x");
	thread_with(d, "6", ok);
	analyze(d);
	assert_false(has(d, "signal-unsafe-call"));
	dump_free(d);
}

static void test_heap_corruption(void **state)
{
	(void)state;
	struct dump *d = dump_new("core");
	static const char *const st[] = { "raise", "abort", "__libc_message", "malloc_printerr",
		"_int_free", "free", "release_buffer", "main", NULL };
	struct thread *t = thread_with(d, "3", st);
	crash(d, t, 6, NULL);
	d->crash->abort_message = "free(): double free detected in tcache 2";
	analyze(d);
	struct finding *f = dump_find_finding(d, "heap-corruption");
	assert_non_null(f);
	assert_non_null(strstr(f->summary, "double free"));
	assert_non_null(strstr(f->summary, "release_buffer"));
	assert_false(has(d, "assertion-failure"));
	assert_false(has(d, "eintr-crash"));
	assert_string_equal(d->signature, "SIGABRT in release_buffer < main");
	dump_free(d);
}

static void jvm_crash(struct dump *d, const char *top, const char *module, enum frame_kind kind)
{
	d->process.runtime = "jvm";
	struct thread *t = dump_add_thread(d, "42");
	struct frame *f = thread_add_frame(d, t);
	f->function = top;
	f->module = module;
	f->kind = kind;
	f = thread_add_frame(d, t);
	f->function = "com.example.Native.call";
	f->kind = FRAME_JAVA;
	crash(d, t, 11, "SEGV_MAPERR");
	d->crash->address = 0xdead0000;
	d->crash->has_address = true;
}

static void test_jvm_native_vs_internal(void **state)
{
	(void)state;
	struct dump *d = dump_new("hs_err");
	jvm_crash(d, "Java_com_example_Native_call", "libfoo.so", FRAME_NATIVE);
	analyze(d);
	assert_true(has(d, "native-library-crash"));
	assert_false(has(d, "jvm-internal-crash"));
	assert_false(has(d, "gc-crash"));
	assert_false(has(d, "null-dereference"));
	dump_free(d);

	d = dump_new("hs_err");
	jvm_crash(d, "G1ParScanThreadState::copy_to_survivor_space", "libjvm.so", FRAME_VM);
	analyze(d);
	assert_false(has(d, "native-library-crash"));
	assert_true(has(d, "jvm-internal-crash"));
	assert_true(has(d, "gc-crash"));
	assert_false(has(d, "compiler-crash"));
	dump_free(d);
}

/* ---- thread pools ---- */

static void test_stuck_pool_and_leak(void **state)
{
	(void)state;
	struct dump *d = dump_new("jstack");
	struct lock *l = dump_lock(d, "<0x1>", LOCK_JAVA_MONITOR);
	static const char *const blocked[] = { "com.x.Cache.get", "com.x.Handler.run",
		"java.util.concurrent.ThreadPoolExecutor.runWorker", NULL };
	for (int i = 0; i < 8; i++) {
		char id[32];
		snprintf(id, sizeof(id), "%d", 100 + i);
		struct thread *t = thread_with(d, id, blocked);
		t->name = dump_printf(d, "pool-1-thread-%d", i + 1);
		t->state = "BLOCKED (on object monitor)";
		thread_wait_on(d, t, l);
	}
	analyze(d);
	struct finding *f = dump_find_finding(d, "stuck-thread-pool");
	assert_non_null(f);
	assert_non_null(strstr(f->summary, "pool-#-thread-#"));
	assert_non_null(strstr(f->summary, "com.x.Cache.get"));
	assert_false(has(d, "thread-leak"));
	dump_free(d);

	d = dump_new("jstack");
	static const char *const idle[] = { "jdk.internal.misc.Unsafe.park",
		"java.util.concurrent.LinkedBlockingQueue.take",
		"java.util.concurrent.ThreadPoolExecutor.getTask", NULL };
	for (int i = 0; i < 1200; i++) {
		struct thread *t = thread_with(d, NULL, idle);
		t->name = dump_printf(d, "pool-%d-thread-1", i + 1);
		t->state = "WAITING (parking)";
	}
	analyze(d);
	assert_false(has(d, "stuck-thread-pool"));
	f = dump_find_finding(d, "thread-leak");
	assert_non_null(f);
	assert_non_null(strstr(f->summary, "1200 of 1200"));
	dump_free(d);
}

/* Threads with shared frames (thread_share_frames), one function per frame at LINE. */
static struct thread *pool_thread(struct dump *d, const char *name, const char *const *fns, int line)
{
	struct frame fr[8] = { 0 };
	size_t n = 0;
	for (; fns[n] && n < 8; n++) {
		fr[n].function = dump_intern(d, fns[n], strlen(fns[n]));
		fr[n].kind = FRAME_JAVA;
		fr[n].line = line;
	}
	struct thread *t = dump_add_thread(d, NULL);
	thread_share_frames(d, t, fr, n);
	t->name = name ? dump_strdup(d, name) : NULL;
	return t;
}

/*
 * Two pools interleaved: the first (by its first member) has a member
 * blocked elsewhere, so the second is the stuck one, although its members
 * alternate between two stacks (other lines, the same own frames); its
 * finding lists its own members, in dump order.
 */
static void test_stuck_pool_interleaved(void **state)
{
	(void)state;
	struct dump *d = dump_new("jstack");
	static const char *const query[] = { "com.x.Db.query", "com.x.Handler.run", NULL };
	static const char *const other[] = { "com.x.Db.commit", "com.x.Handler.run", NULL };
	struct thread *b[6];
	for (int i = 0; i < 6; i++) {
		char name[32];
		snprintf(name, sizeof(name), "a-worker-%d", i);
		struct thread *a = pool_thread(d, name, i == 2 ? other : query, 10);
		a->state = "BLOCKED (on object monitor)";
		snprintf(name, sizeof(name), "b-worker-%d", i);
		b[i] = pool_thread(d, name, query, 10 + i % 2);
		b[i]->state = "BLOCKED (on object monitor)";
	}
	analyze(d);
	struct finding *f = dump_find_finding(d, "stuck-thread-pool");
	assert_non_null(f);
	assert_non_null(strstr(f->summary, "All 6 threads named like 'b-worker-#'"));
	assert_non_null(strstr(f->summary, "in com.x.Db.query < com.x.Handler.run"));
	assert_int_equal(f->nthreads, 6);
	for (int i = 0; i < 6; i++)
		assert_ptr_equal(f->threads[i], b[i]);
	dump_free(d);
}

/*
 * thread-leak's groups: an unnamed thread is grouped by its own frames
 * ("stack: ..."), and a thread named the same way joins that group; of two
 * groups of the same size, the one whose first member comes first.
 */
static void test_leak_groups_names_and_stacks(void **state)
{
	(void)state;
	struct dump *d = dump_new("gdb");
	static const char *const loop[] = { "com.x.Loop.run", NULL };
	static const char *const work[] = { "com.x.Work.run", NULL };
	struct thread *first = pool_thread(d, NULL, loop, 1);
	struct strbuf key = STRBUF_INIT;
	strbuf_adds(&key, "stack: ");
	thread_own_frames(d, first, 4, &key);
	for (int i = 1; i < 1200; i++) {
		char name[32];
		snprintf(name, sizeof(name), "w-%d", i);
		if (i % 2)
			pool_thread(d, name, work, 1);
		else
			pool_thread(d, i % 3 ? NULL : key.buf, loop, 1);
	}
	analyze(d);
	struct finding *f = dump_find_finding(d, "thread-leak");
	assert_non_null(f);
	struct strbuf want = STRBUF_INIT;
	strbuf_addf(&want, "600 of 1200 threads look alike (%s); the first, thread 1, ", key.buf);
	assert_non_null(strstr(f->summary, want.buf));
	assert_int_equal(f->nthreads, 20);
	for (size_t i = 0; i < f->nthreads; i++)
		assert_ptr_equal(f->threads[i], d->threads[2 * i]);
	strbuf_release(&want);
	strbuf_release(&key);
	dump_free(d);
}

/* ---- rules: parsing, user rules ---- */

static void test_rule_errors(void **state)
{
	(void)state;
	const char *text =
		"# comment\n"
		"[rule ok-one]\n"
		"title = t\nseverity = low\nsummary = s {frame}\nadvice = a\nfunction = ^x$\n"
		"\n[rule bad]\n"
		"title = t\nsevrity = high\nseverity = urgent\nsummary = {nope}\nadvice = a\n"
		"function.top = (x\nframe.sideways = y\naddress = 10-1\nerrno = many\n";
	struct ruleset *rs = ruleset_new();
	struct strbuf errs = STRBUF_INIT;
	int n = ruleset_add_text(rs, "t.rules", text, strlen(text), &errs);
	assert_int_equal(ruleset_count(rs), 1);
	assert_true(n >= 7);
	assert_non_null(strstr(errs.buf, "t.rules:11: unknown key 'sevrity'\n"));
	assert_non_null(strstr(errs.buf, "t.rules:12: unknown severity 'urgent'"));
	assert_non_null(strstr(errs.buf, "unknown placeholder '{nope}'"));
	assert_non_null(strstr(errs.buf, "t.rules:15: bad regex '(x'"));
	assert_non_null(strstr(errs.buf, "t.rules:16: unknown scope 'sideways'"));
	assert_non_null(strstr(errs.buf, "t.rules:17: bad address range"));
	assert_non_null(strstr(errs.buf, "t.rules:18: bad errno"));
	strbuf_release(&errs);
	ruleset_free(rs);
}

static void test_frames_blocks(void **state)
{
	(void)state;
	const char *text =
		"[in-app]\n"
		"module = libengine*.so*\n"
		"function = vendor::mine*\n"
		"[rule ok-one]\n"
		"title = t\nseverity = low\nsummary = s\nadvice = a\nfunction = ^x$\n"
		"[system]\n"
		"function = vendor::*\n"
		"file = */third_party/*\n"
		"colour = blue\n"
		"module =\n";
	struct ruleset *rs = ruleset_new();
	struct strbuf errs = STRBUF_INIT;
	assert_int_equal(ruleset_add_text(rs, "f.rules", text, strlen(text), &errs), 2);
	assert_non_null(strstr(errs.buf, "f.rules:13: unknown key 'colour' in [system]"));
	assert_non_null(strstr(errs.buf, "f.rules:14: empty value for 'module'"));
	assert_int_equal(ruleset_count(rs), 1);
	const struct frame_app_rule *r;
	assert_int_equal(ruleset_app_rules(rs, &r), 4);
	assert_true(r[0].field == APP_MODULE && r[0].in_app && !strcmp(r[0].glob, "libengine*.so*"));
	assert_true(r[2].field == APP_FUNCTION && !r[2].in_app && !strcmp(r[2].glob, "vendor::*"));
	assert_true(r[3].field == APP_FILE && !r[3].in_app);
	strbuf_release(&errs);
	ruleset_free(rs);
}

static void test_user_rule_fires(void **state)
{
	(void)state;
	const char *text =
		"[rule my-flaky-driver]\n"
		"title = the vendor driver crashed again\n"
		"severity = medium\nconfidence = likely\n"
		"frame.crashed = ^libvendor\\.so!vd_\\w+$\n"
		"stack.crashed = ^vd_submit$ <- ^render_\n"
		"!module = libsafe\\.so\n"
		"signal = SIGSEGV|SIGBUS\n"
		"summary = {thread} crashed in {frame} ({frames}) with {signal} at {address}\n"
		"advice = upgrade the\n  vendor driver\n";
	struct ruleset *rs = ruleset_new();
	struct strbuf errs = STRBUF_INIT;
	assert_int_equal(ruleset_add_text(rs, "my.rules", text, strlen(text), &errs), 0);
	struct dump *d = dump_new("x");
	static const char *const st[] = { "vd_submit@/opt/libvendor.so", "render_frame@app", "main@app", NULL };
	struct thread *t = thread_with(d, "77", st);
	crash(d, t, 11, "SEGV_MAPERR");
	d->crash->address = 0x1234;
	d->crash->has_address = true;
	assert_int_equal(ruleset_apply(rs, d, &errs), 0);
	struct finding *f = dump_find_finding(d, "my-flaky-driver");
	assert_non_null(f);
	assert_string_equal(f->summary, "thread 77 crashed in vd_submit (libvendor.so) (vd_submit (libvendor.so), "
					"vd_submit (libvendor.so), render_frame (app)) with SIGSEGV at 0x1234");
	assert_string_equal(f->advice, "upgrade the vendor driver");
	dump_free(d);

	/* the negated module clause stops it */
	d = dump_new("x");
	static const char *const st2[] = { "vd_submit@/opt/libvendor.so", "render_frame@app", "x@/lib/libsafe.so", NULL };
	t = thread_with(d, "78", st2);
	crash(d, t, 11, "SEGV_MAPERR");
	assert_int_equal(ruleset_apply(rs, d, &errs), 0);
	assert_false(has(d, "my-flaky-driver"));
	dump_free(d);
	strbuf_release(&errs);
	ruleset_free(rs);
}

static void test_builtin_rules_compile(void **state)
{
	(void)state;
	struct ruleset *rs = ruleset_new();
	struct strbuf errs = STRBUF_INIT;
	assert_true(builtin_rules_count >= 3);
	int n = ruleset_add_builtin(rs, &errs);
	if (n)
		fail_msg("%s", errs.buf);
	strbuf_release(&errs);
	ruleset_free(rs);
}

static void collect(const struct catalogue_line *line, void *ctx)
{
	struct strbuf *sb = ctx;
	strbuf_addf(sb, "|%s|", line->id);
}

static void test_catalogue_complete(void **state)
{
	(void)state;
	struct strbuf err = STRBUF_INIT, ids = STRBUF_INIT;
	const struct ruleset *rs = ruleset_shared(NULL, 0, &err);
	assert_non_null(rs);
	signatures_catalogue(rs, collect, &ids);
	for (size_t i = 0; i < catalogue_count; i++) {
		char want[64];
		snprintf(want, sizeof(want), "|%s|", catalogue[i].id);
		if (!strstr(ids.buf, want))
			fail_msg("catalogue id %s has no detector or rule", catalogue[i].id);
	}
	static const char *const extra[] = { "jni-misuse", "gc-crash", "compiler-crash", "thread-leak",
		"stuck-thread-pool", "infinite-recursion", "cpp-uncaught-exception", "pure-virtual-call",
		"sigbus-mapped-file", "illegal-instruction", "profiler-induced-crash", NULL };
	for (size_t i = 0; extra[i]; i++) {
		char want[64];
		snprintf(want, sizeof(want), "|%s|", extra[i]);
		assert_non_null(strstr(ids.buf, want));
	}
	strbuf_release(&ids);
	strbuf_release(&err);
}

/* ---- normalization and buckets ---- */

static void norm_is(const char *fn, const char *module, const char *want)
{
	struct frame f = { .function = fn, .module = module };
	struct strbuf sb = STRBUF_INIT;
	frame_normalize(&f, &sb);
	if (strcmp(sb.buf, want))
		fail_msg("normalize '%s': got '%s', want '%s'", fn ? fn : "(null)", sb.buf, want);
	strbuf_release(&sb);
}

static void test_normalize(void **state)
{
	(void)state;
	norm_is("std::vector<int, std::allocator<int> >::push_back(int const&)", NULL, "std::vector::push_back");
	norm_is("foo(int) const", NULL, "foo");
	norm_is("parse_header.constprop.0", NULL, "parse_header");
	norm_is("parse_header.isra.0", NULL, "parse_header");
	norm_is("compute.part.3", NULL, "compute");
	norm_is("big_loop.cold", NULL, "big_loop");
	norm_is("ns::Foo::bar() [clone .cold]", NULL, "ns::Foo::bar");
	norm_is("__GI___poll", NULL, "poll");
	norm_is("__pthread_mutex_lock@GLIBC_2.2.5", NULL, "pthread_mutex_lock");
	norm_is("pthread_cond_wait@@GLIBC_2.3.2", NULL, "pthread_cond_wait");
	norm_is("operator<<(std::ostream&, int)", NULL, "operator<<");
	norm_is("Foo::operator()(int)", NULL, "Foo::operator()");
	norm_is("operator new(unsigned long)", NULL, "operator new");
	norm_is("(anonymous namespace)::worker(void*)", NULL, "(anon)::worker");
	norm_is("main::{lambda(int)#1}::operator()(int) const", NULL, "main::{lambda}::operator()");
	norm_is("com.x.App$$Lambda$12/0x0000000800c0b000.run", NULL, "com.x.App$$Lambda$.run");
	norm_is("com.x.App$$Lambda/0x000001f0c1003200.run", NULL, "com.x.App$$Lambda.run");
	norm_is("jdk.internal.reflect.GeneratedMethodAccessor123.invoke", NULL,
		"jdk.internal.reflect.GeneratedMethodAccessor.invoke");
	norm_is("jdk.proxy2.$Proxy12.call", NULL, "jdk.proxy2.$Proxy.call");
	norm_is("com.x.Outer$1.run", NULL, "com.x.Outer$.run");
	norm_is("java.util.AbstractList.subListRangeCheck(III)V", NULL, "java.util.AbstractList.subListRangeCheck");
	norm_is("JavaThread::pd_get_top_frame_for_profiling(frame*, void*, bool)+0x1f4", NULL,
		"JavaThread::pd_get_top_frame_for_profiling");
	norm_is(NULL, "/tmp/librocksdbjni12792433653424443920.so", "?? (librocksdbjni.so)");
	norm_is(NULL, "/usr/lib/libfreetype.so.6.1.2", "?? (libfreetype.so)");
}

static void test_bucket_stable(void **state)
{
	(void)state;
	/* two runs (addresses differ) and two builds (clone suffixes, offsets) */
	const char *bucket[2], *sig[2];
	for (int run = 0; run < 2; run++) {
		struct dump *d = dump_new("core");
		static const char *const a[] = { "raise", "abort", "parse_header.constprop.0", "main", NULL };
		static const char *const b[] = { "__GI_raise", "__GI_abort", "parse_header", "main", NULL };
		struct thread *t = thread_with(d, run ? "200" : "100", run ? b : a);
		for (size_t i = 0; i < t->nframes; i++) {
			t->frames[i].pc = (run ? 0x5555000 : 0x7777000) + i;
			t->frames[i].has_pc = true;
		}
		crash(d, t, 6, NULL);
		analyze(d);
		bucket[run] = xstrdup(d->bucket);
		sig[run] = xstrdup(d->signature);
		dump_free(d);
	}
	assert_string_equal(sig[0], sig[1]);
	assert_string_equal(bucket[0], bucket[1]);
	assert_int_equal(strlen(bucket[0]), 16);
	for (int i = 0; i < 2; i++) {
		free((void *)bucket[i]);
		free((void *)sig[i]);
	}
}

static void test_no_signature_without_anything(void **state)
{
	(void)state;
	struct dump *d = dump_new("x");
	static const char *const st[] = { "epoll_wait", "event_loop", "main", NULL };
	thread_with(d, "1", st);
	analyze(d);
	assert_null(d->signature);
	assert_null(d->bucket);
	assert_int_equal(d->nfindings, 0);
	dump_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eintr_certain),
		cmocka_unit_test(test_eintr_profiler_evidence),
		cmocka_unit_test(test_eintr_needs_a_returned_call),
		cmocka_unit_test(test_eintr_silent_on_plain_segv),
		cmocka_unit_test(test_stack_overflow),
		cmocka_unit_test(test_java_recursion),
		cmocka_unit_test(test_unwinder_loader_deadlock),
		cmocka_unit_test(test_cycle_signature_order),
		cmocka_unit_test(test_signal_unsafe),
		cmocka_unit_test(test_heap_corruption),
		cmocka_unit_test(test_jvm_native_vs_internal),
		cmocka_unit_test(test_stuck_pool_and_leak),
		cmocka_unit_test(test_stuck_pool_interleaved),
		cmocka_unit_test(test_leak_groups_names_and_stacks),
		cmocka_unit_test(test_rule_errors),
		cmocka_unit_test(test_frames_blocks),
		cmocka_unit_test(test_user_rule_fires),
		cmocka_unit_test(test_builtin_rules_compile),
		cmocka_unit_test(test_catalogue_complete),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_bucket_stable),
		cmocka_unit_test(test_no_signature_without_anything),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
