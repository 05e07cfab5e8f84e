/* The jstack, jrockit and javacore parsers and the Java lock model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "parsers/parser.h"
#include "textparse.h"

static struct dump *parse_as(const struct parser *want, const char *text, size_t len, int snapshot)
{
	struct input in;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(input_from_memory(&in, "t", text, len, NULL, &err), 0);
	struct mortem_opts o = MORTEM_OPTS_INIT;
	if (want && len > 200)
		assert_ptr_equal(parser_detect(&in), want);
	struct dump *d = dump_new("t");
	d->snapshot_wanted = snapshot;
	assert_int_equal((want ? want : &jstack_parser)->parse(d, &in, &o, &err), 0);
	input_close(&in);
	strbuf_release(&err);
	return d;
}

static struct dump *parse(const char *text)
{
	return parse_as(&jstack_parser, text, strlen(text), 0);
}

static bool holds(struct thread *t, const char *id)
{
	for (size_t i = 0; i < t->nholds; i++)
		if (!strcmp(t->holds[i]->id, id))
			return true;
	return false;
}

static const char DUMP[] =
	"2024-01-15 10:30:45\n"
	"Full thread dump OpenJDK 64-Bit Server VM (21.0.2+13-58 mixed mode, sharing):\n"
	"\n"
	"Threads class SMR info:\n"
	"_java_thread_list=0x00007f4b2c002c40, length=3, elements={\n"
	"0x00007f4b64026cc0, 0x00007f4b64107000, 0x00007f4b64108000\n"
	"}\n"
	"\n"
	"\"worker-a\" #21 [4711] prio=5 os_prio=0 cpu=1.20ms elapsed=3.01s tid=0x00007f4b64107000 nid=4711 waiting for monitor entry  [0x00007f4b2a5fe000]\n"
	"   java.lang.Thread.State: BLOCKED (on object monitor)\n"
	"\tat app.Deadlock.a(Deadlock.java:10)\n"
	"\t- waiting to lock <0x000000062a81f0a0> (a java.lang.Object)\n"
	"\t- locked <0x000000062a81f0b0> (a java.lang.String)\n"
	"\tat java.lang.Thread.run(java.base@21.0.2/Thread.java:1583)\n"
	"\n"
	"   Locked ownable synchronizers:\n"
	"\t- <0x000000062a81f0c0> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)\n"
	"\n"
	"\"worker-b\" #22 daemon prio=5 os_prio=0 tid=0x00007f4b64108000 nid=0x1268 waiting on condition  [0x00007f4b2a4fe000]\n"
	"   java.lang.Thread.State: WAITING (parking)\n"
	"\tat jdk.internal.misc.Unsafe.park(java.base@21.0.2/Native Method)\n"
	"\t- parking to wait for  <0x000000062a81f0c0> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)\n"
	"\tat app.Deadlock.b(Deadlock.java:20)\n"
	"\t- locked <0x000000062a81f0a0> (a java.lang.Object)\n"
	"\n"
	"   Locked ownable synchronizers:\n"
	"\t- None\n"
	"\n"
	"\"timer\" #23 prio=5 os_prio=0 tid=0x00007f4b64109000 nid=0x1269 in Object.wait()  [0x00007f4b2a3fe000]\n"
	"   java.lang.Thread.State: WAITING (on object monitor)\n"
	"\tat java.lang.Object.wait0(java.base@21.0.2/Native Method)\n"
	"\t- waiting on <0x000000062a81f0d0> (a java.util.TaskQueue)\n"
	"\tat java.util.TimerThread.mainLoop(java.base@21.0.2/Timer.java:563)\n"
	"\t- locked <0x000000062a81f0d0> (a java.util.TaskQueue)\n"
	"\n"
	"\"cond\" #24 prio=5 os_prio=0 tid=0x00007f4b6410a000 nid=0x126a waiting on condition  [0x00007f4b2a2fe000]\n"
	"   java.lang.Thread.State: WAITING (parking)\n"
	"\tat jdk.internal.misc.Unsafe.park(java.base@21.0.2/Native Method)\n"
	"\t- parking to wait for  <0x000000062a81f0e0> (a java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject)\n"
	"\n"
	"\"VM Thread\" os_prio=0 cpu=5.00ms elapsed=3.10s tid=0x00007f4b640f0000 nid=0x1260 runnable  \n"
	"\n"
	"JNI global refs: 15, weak refs: 0\n"
	"\n";

static void test_lock_model(void **state)
{
	(void)state;
	struct dump *d = parse(DUMP);
	assert_int_equal(d->nthreads, 5);
	assert_int_equal(d->input.nwarnings, 0);
	assert_string_equal(d->process.time, "2024-01-15 10:30:45");
	struct thread *a = named(d, "worker-a"), *b = named(d, "worker-b");
	assert_string_equal(a->id, "4711");
	assert_string_equal(b->id, "4712"); /* nid=0x1268 in decimal */
	assert_true(b->daemon);
	assert_string_equal(a->state, "BLOCKED (on object monitor)");
	assert_non_null(a->waiting_on);
	assert_string_equal(a->waiting_on->id, "<0x000000062a81f0a0>");
	assert_int_equal(a->waiting_on->kind, LOCK_JAVA_MONITOR);
	assert_string_equal(a->waiting_on->label, "java.lang.Object");
	assert_ptr_equal(a->waiting_on->owner, b);
	assert_true(holds(a, "<0x000000062a81f0c0>"));
	assert_non_null(b->waiting_on);
	assert_int_equal(b->waiting_on->kind, LOCK_JUC_SYNC);
	assert_ptr_equal(b->waiting_on->owner, a);
	/* Object.wait released the monitor: neither a wait nor a hold */
	struct thread *timer = named(d, "timer");
	assert_null(timer->waiting_on);
	assert_int_equal(timer->nholds, 0);
	/* await() on a condition is no lock wait */
	assert_null(named(d, "cond")->waiting_on);
	/* VM-internal threads are threads, without frames */
	assert_int_equal(named(d, "VM Thread")->nframes, 0);
	/* frames */
	assert_int_equal(a->nframes, 2);
	assert_string_equal(a->frames[0].function, "app.Deadlock.a");
	assert_string_equal(a->frames[0].file, "Deadlock.java");
	assert_int_equal(a->frames[0].line, 10);
	assert_int_equal(a->frames[0].kind, FRAME_JAVA);
	assert_string_equal(a->frames[1].module, "java.base@21.0.2");
	assert_string_equal(a->frames[1].file, "Thread.java");
	assert_null(b->frames[0].file); /* Native Method */
	dump_free(d);
}

/* The lines under a frame are kept as its notes for the browser only (keep_notes), for a split parse's parts too. */
static void test_frame_notes(void **state)
{
	(void)state;
	struct dump *d = parse(DUMP);
	assert_int_equal(named(d, "worker-a")->nnotes, 0);
	dump_free(d);
	struct input in;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(input_from_memory(&in, "t", DUMP, strlen(DUMP), NULL, &err), 0);
	struct mortem_opts o = MORTEM_OPTS_INIT;
	d = dump_new("t");
	d->keep_notes = true;
	assert_int_equal(jstack_parser.parse(d, &in, &o, &err), 0);
	struct thread *a = named(d, "worker-a"), *b = named(d, "worker-b");
	assert_int_equal(a->nnotes, 2);
	assert_int_equal(a->notes[0].frame, 0);
	assert_string_equal(a->notes[0].text, "- waiting to lock <0x000000062a81f0a0> (a java.lang.Object)");
	assert_string_equal(a->notes[1].text, "- locked <0x000000062a81f0b0> (a java.lang.String)");
	assert_int_equal(b->nnotes, 2); /* the ownable synchronizers' "- None" is no frame's */
	assert_int_equal(b->notes[1].frame, 1);
	struct dump *part = dump_new_part(d, 100);
	assert_true(part->keep_notes);
	dump_free(part);
	dump_free(d);
	input_close(&in);
	strbuf_release(&err);
}

static void test_blocked_reentry_waits(void **state)
{
	(void)state;
	struct dump *d = parse("\"n\" #1 prio=5 tid=0x1 nid=0x10 waiting for monitor entry [0x0]\n"
			       "   java.lang.Thread.State: BLOCKED (on object monitor)\n"
			       "\tat java.lang.Object.wait(Native Method)\n"
			       "\t- waiting on <0x1234> (a java.lang.Object)\n"
			       "\tat x.Y.z(Y.java:3)\n"
			       "\t- locked <0x1234> (a java.lang.Object)\n");
	struct thread *t = d->threads[0];
	assert_non_null(t->waiting_on);
	assert_string_equal(t->waiting_on->id, "<0x1234>");
	assert_int_equal(t->nholds, 0);
	dump_free(d);
}

/* Cut DUMP at every byte: the threads whose header name is complete, no crash, a note. */
static void test_truncation_every_byte(void **state)
{
	(void)state;
	size_t len = strlen(DUMP);
	size_t footer = (size_t)(strstr(DUMP, "JNI global ref") - DUMP) + strlen("JNI global ref");
	for (size_t k = 1; k < len; k++) {
		struct dump *d = parse_as(NULL, DUMP, k, 0);
		size_t expect = 0;
		for (const char *p = DUMP; (p = strstr(p, "\n\"")); p++) {
			const char *close = strchr(p + 2, '"');
			if ((size_t)(close - DUMP) < k)
				expect++;
		}
		if (d->nthreads != expect)
			fail_msg("cut at %zu: %zu threads, expected %zu", k, d->nthreads, expect);
		if (expect && k < footer) {
			bool noted = false;
			for (size_t i = 0; i < d->input.nwarnings; i++)
				noted |= strstr(d->input.warnings[i], "ended early") != NULL;
			if (!noted)
				fail_msg("cut at %zu: no note that the input ended early", k);
		}
		dump_free(d);
	}
}

static void test_snapshots(void **state)
{
	(void)state;
	const char *two = "Full thread dump Java HotSpot(TM) 64-Bit Server VM (25.1 mixed mode):\n"
			  "\"a\" prio=5 tid=0x1 nid=0x1 runnable [0x0]\n"
			  "\"b\" prio=5 tid=0x2 nid=0x2 runnable [0x0]\n"
			  "JNI global references: 5\n"
			  "Full thread dump Java HotSpot(TM) 64-Bit Server VM (25.1 mixed mode):\n"
			  "\"c\" prio=5 tid=0x3 nid=0x3 runnable [0x0]\n"
			  "JNI global references: 5\n";
	struct dump *d = parse_as(&jstack_parser, two, strlen(two), 0);
	assert_int_equal(d->input.snapshots, 2);
	assert_int_equal(d->nthreads, 1);
	assert_string_equal(d->threads[0]->name, "c");
	dump_free(d);
	d = parse_as(&jstack_parser, two, strlen(two), 1);
	assert_int_equal(d->nthreads, 2);
	assert_string_equal(d->threads[1]->name, "b");
	dump_free(d);
}

/*
 * Pool threads repeat whole stacks, so each frame line is first compared with
 * the line that followed the previous one last time: a line that differs
 * (same length, one byte) or a stack that goes another way must still be
 * parsed for itself. A stack's first thread keeps its own array (a line no
 * frame had before: it equals no earlier stack, and is not looked for); the
 * threads that repeat it share one.
 */
static void test_repeated_stacks_diverge(void **state)
{
	(void)state;
	const char *text = "Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode):\n"
			   "\"p1\" prio=5 tid=0x1 nid=0x1 runnable [0x0]\n"
			   "\tat a.B.run(B.java:11)\n"
			   "\tat a.C.call(C.java:20)\n"
			   "\tat a.D.main(D.java:30)\n"
			   "\"p2\" prio=5 tid=0x2 nid=0x2 runnable [0x0]\n"
			   "\tat a.B.run(B.java:11)\n"
			   "\tat a.C.call(C.java:21)\n"
			   "\tat a.D.main(D.java:30)\n"
			   "\"p3\" prio=5 tid=0x3 nid=0x3 runnable [0x0]\n"
			   "\tat a.B.run(B.java:11)\n"
			   "\tat a.E.exec(E.java:5)\n"
			   "\"p4\" prio=5 tid=0x4 nid=0x4 runnable [0x0]\n"
			   "\tat a.B.run(B.java:11)\n"
			   "\tat a.C.call(C.java:20)\n"
			   "\tat a.D.main(D.java:30)\n"
			   "\"p5\" prio=5 tid=0x5 nid=0x5 runnable [0x0]\n"
			   "\tat a.B.run(B.java:11)\n"
			   "\tat a.C.call(C.java:20)\n"
			   "\tat a.D.main(D.java:30)\n"
			   "JNI global refs: 1\n";
	struct dump *d = parse(text);
	assert_int_equal(d->nthreads, 5);
	static const struct {
		const char *fn;
		int line;
	} want[5][3] = {
		{ { "a.B.run", 11 }, { "a.C.call", 20 }, { "a.D.main", 30 } },
		{ { "a.B.run", 11 }, { "a.C.call", 21 }, { "a.D.main", 30 } },
		{ { "a.B.run", 11 }, { "a.E.exec", 5 }, { NULL, 0 } },
		{ { "a.B.run", 11 }, { "a.C.call", 20 }, { "a.D.main", 30 } },
		{ { "a.B.run", 11 }, { "a.C.call", 20 }, { "a.D.main", 30 } },
	};
	for (size_t t = 0; t < 5; t++) {
		struct thread *th = d->threads[t];
		assert_int_equal(th->nframes, want[t][2].fn ? 3 : 2);
		for (size_t i = 0; i < th->nframes; i++) {
			assert_string_equal(th->frames[i].function, want[t][i].fn);
			assert_int_equal(th->frames[i].line, want[t][i].line);
		}
	}
	assert_null(d->threads[1]->frames[1].text); /* a Java frame is its fields */
	assert_ptr_equal(d->threads[3]->frames, d->threads[4]->frames); /* one shared stack */
	assert_true(d->threads[3]->frames_shared && d->threads[4]->frames_shared);
	assert_true(d->threads[0]->frames != d->threads[3]->frames && !d->threads[0]->frames_shared);
	dump_free(d);
}

/*
 * A frame line that follows where another line of the same method did, at
 * another line number, takes the other's parse (javastack.c, line
 * siblings): every frame must read as it does when its thread is parsed on
 * its own, near misses included (another method, no line, a module, digits
 * that overflow).
 */
static void test_line_siblings(void **state)
{
	(void)state;
	static const char *const stacks[] = {
		"\tat java.lang.Thread.sleep(java.base@17/Native Method)\n\tat a.B.run(B.java:11)\n\tat a.D.main(D.java:30)\n",
		"\tat java.lang.Thread.sleep(java.base@17/Native Method)\n\tat a.B.run(B.java:12)\n\tat a.D.main(D.java:31)\n",
		"\tat java.lang.Thread.sleep(java.base@17/Native Method)\n\tat a.B.runx(B.java:13)\n\tat a.D.main(D.java:30)\n",
		"\tat java.lang.Thread.sleep(java.base@17/Native Method)\n\tat a.B.run(B.java)\n\tat a.D.main(D.java:30)\n",
		"\tat java.lang.Thread.sleep(java.base@17/Native Method)\n\tat a.B.run(B.java:99999999999)\n\tat a.D.main(D.java:)\n",
		"\tat java.lang.Thread.sleep(java.base@17/Native Method)\n\tat a.B.run(java.base@17/B.java:14)\n\tat a.D.main(D.java:32)\n",
		"\tat java.lang.Thread.sleep(java.base@17/Native Method)\n\tat a.B.run(java.base@17/B.java:15)\n\tat a.D.main(D.java:3x)\n",
		"\tat java.lang.Thread.sleep(java.base@17/Native Method)\n\tat a.B.run(B.kt:16)\n\tat a.D.main(D.java:30)\n",
	};
	const size_t n = sizeof(stacks) / sizeof(stacks[0]);
	struct strbuf all = STRBUF_INIT;
	strbuf_adds(&all, "Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode):\n");
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&all, "\"t%zu\" prio=5 tid=0x%zx nid=0x%zx runnable [0x0]\n%s\n", i, i + 1, i + 1,
			    stacks[i]);
	struct dump *d = parse(all.buf);
	assert_int_equal(d->nthreads, n);
	for (size_t i = 0; i < n; i++) {
		struct strbuf one = STRBUF_INIT;
		strbuf_addf(&one, "Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode):\n"
			    "\"t%zu\" prio=5 tid=0x1 nid=0x1 runnable [0x0]\n%s\n", i, stacks[i]);
		struct dump *alone = parse(one.buf);
		const struct thread *t = d->threads[i], *u = alone->threads[0];
		assert_int_equal(t->nframes, u->nframes);
		for (size_t k = 0; k < t->nframes; k++) {
			const struct frame *f = &t->frames[k], *g = &u->frames[k];
			assert_true(!f->text && !g->text);
			assert_true(f->function == g->function ||
				    (f->function && g->function && !strcmp(f->function, g->function)));
			assert_true(f->file == g->file || (f->file && g->file && !strcmp(f->file, g->file)));
			assert_true(f->module == g->module ||
				    (f->module && g->module && !strcmp(f->module, g->module)));
			assert_int_equal(f->line, g->line);
			assert_int_equal(f->kind, g->kind);
		}
		dump_free(alone);
		strbuf_release(&one);
	}
	assert_int_equal(d->threads[1]->frames[1].line, 12);
	assert_string_equal(d->threads[5]->frames[1].module, "java.base@17");
	assert_int_equal(d->threads[6]->frames[1].line, 15);
	dump_free(d);
	strbuf_release(&all);
}

static void test_dialects(void **state)
{
	(void)state;
	/* HP-UX: decimal nid, lwp_id is the kernel thread */
	struct dump *d = parse("Full thread dump:\n"
			       "\"ListenThread\" prio=10 tid=0x0003fa38 nid=78 lwp_id=3573240 runnable [0x1f229000..0x1f229500]\n"
			       "       at java.net.PlainSocketImpl.socketAccept(Native Method)\n"
			       "       - locked <0x25d6d808> (a java.net.PlainSocketImpl)\n");
	assert_string_equal(d->threads[0]->id, "3573240");
	assert_int_equal(d->threads[0]->nholds, 1);
	assert_string_equal(d->threads[0]->state, "runnable");
	dump_free(d);
	/* VisualVM: no nid (id = name), Class@hash locks */
	d = parse("\"RMI TCP Connection(24)\" - Thread t@254\n"
		  "   java.lang.Thread.State: RUNNABLE\n"
		  "\tat java.io.BufferedInputStream.fill(BufferedInputStream.java:218)\n"
		  "\t- locked java.io.BufferedInputStream@5284339c\n"
		  "\n   Locked ownable synchronizers:\n"
		  "\t- locked java.util.concurrent.locks.ReentrantLock$NonfairSync@7a29682f\n");
	struct thread *t = d->threads[0];
	assert_string_equal(t->id, "RMI TCP Connection(24)");
	assert_int_equal(t->nholds, 2);
	assert_string_equal(t->holds[0]->label, "java.io.BufferedInputStream");
	assert_int_equal(t->holds[1]->kind, LOCK_JUC_SYNC);
	dump_free(d);
	/* JMX ThreadInfo */
	d = parse("\"RMI TCP Connection(23)-127.0.1.1\" id=3149 in RUNNABLE (running in native)\n"
		  "    at java.net.SocketInputStream.socketRead0(Native Method)\n"
		  "    Locked synchronizers: count = 1\n"
		  "      - java.util.concurrent.locks.ReentrantLock$NonfairSync@166fba\n");
	assert_string_equal(d->threads[0]->state, "RUNNABLE");
	assert_int_equal(d->threads[0]->nholds, 1);
	dump_free(d);
	/* JDK 21+ "[tid]" with no nid: the decimal in brackets is the kernel thread; the stack's
	   "[0x..]" never is (the header's description is the state without a State: line) */
	d = parse("Full thread dump:\n"
		  "\"pool-1\" #31 [4711] prio=5 waiting on condition  [0x00007f4b2a5fe000]\n"
		  "\tat java.lang.Thread.sleep(Native Method)\n"
		  "\"pool-2\" #32 prio=5 os_prio=0 waiting on condition  [0x00007f4b2a4fe000]\n"
		  "\tat java.lang.Thread.sleep(Native Method)\n"
		  "\"pool-3\" #33 prio=5 os_prio=0 nid=0x1268 runnable [0x00007f4b2a3fe000]\n"
		  "   java.lang.Thread.State: RUNNABLE\n"
		  "\tat java.lang.Thread.sleep(Native Method)\n");
	assert_int_equal(d->nthreads, 3);
	assert_string_equal(d->threads[0]->id, "4711");
	assert_int_equal(d->threads[0]->tid, 4711);
	assert_string_equal(d->threads[0]->state, "waiting on condition");
	assert_string_equal(d->threads[1]->id, "pool-2");
	assert_int_equal(d->threads[1]->tid, -1);
	assert_string_equal(d->threads[2]->id, "4712"); /* 0x1268 */
	assert_string_equal(d->threads[2]->state, "RUNNABLE");
	dump_free(d);
	/* Spring actuator text: module and loader prefixes before the class */
	d = parse("\"main\" - Thread t@1\n"
		  "   java.lang.Thread.State: RUNNABLE\n"
		  "\tat java.base@17/java.lang.ref.Reference.waitForReferencePendingList(Native Method)\n"
		  "\tat app//com.example.App.main(App.java:7)\n");
	assert_string_equal(d->threads[0]->frames[0].function,
			    "java.lang.ref.Reference.waitForReferencePendingList");
	assert_string_equal(d->threads[0]->frames[0].module, "java.base@17");
	assert_string_equal(d->threads[0]->frames[1].function, "com.example.App.main");
	assert_int_equal(d->threads[0]->frames[1].line, 7);
	dump_free(d);
}

static void test_deadlock_section_is_not_threads(void **state)
{
	(void)state;
	char buf[8192];
	snprintf(buf, sizeof(buf), "%s"
		 "Found one Java-level deadlock:\n=============================\n"
		 "\"worker-a\":\n  waiting to lock monitor 0x1 (object 0x000000062a81f0a0, a java.lang.Object),\n"
		 "  which is held by \"worker-b\"\n\n"
		 "Java stack information for the threads listed above:\n"
		 "===================================================\n"
		 "\"worker-a\":\n\tat app.Deadlock.a(Deadlock.java:10)\n"
		 "\t- waiting to lock <0x000000062a81f0a0> (a java.lang.Object)\n\n"
		 "Found 1 deadlock.\n", DUMP);
	struct dump *d = parse(buf);
	assert_int_equal(d->nthreads, 5);
	assert_int_equal(named(d, "worker-a")->nframes, 2);
	assert_int_equal(d->nsections, 1);
	assert_non_null(strstr(d->sections[0]->text, "Java-level deadlock"));
	dump_free(d);
}

static void test_reversed(void **state)
{
	(void)state;
	struct dump *d = parse("\tat x.A.b(A.java:2)\n"
			       "\tat x.A.a(A.java:1)\n"
			       "   java.lang.Thread.State: RUNNABLE\n"
			       "\"one\" #1 prio=5 tid=0x1 nid=0x5 runnable [0x0]\n"
			       "\n"
			       "Full thread dump OpenJDK 64-Bit Server VM (17 mixed mode):\n");
	assert_int_equal(d->nthreads, 1);
	assert_int_equal(d->threads[0]->nframes, 2);
	assert_string_equal(d->threads[0]->frames[0].function, "x.A.a");
	dump_free(d);
}

static void test_jrockit(void **state)
{
	(void)state;
	const char *t = "===== FULL THREAD DUMP ===============\n"
			"BEA JRockit(R) R26.0.0-189-53463-1.5.0_04-20051122-2041-win-ia32\n\n"
			"\"W2\" id=24 idx=0x28 tid=584 prio=5 alive, in native, blocked, daemon\n"
			"    -- Blocked trying to get lock: java/lang/Object@0x0135B430[fat lock]\n"
			"    at jrockit/vm/Threads.waitForSignal(J)Z(Native Method)\n"
			"    at app/Dl.run()V(Dl.java:33)\n"
			"    ^-- Holding lock: java/lang/Object@0x0135B438[fat lock]\n"
			"    -- end of trace\n\n"
			"Circular (deadlocked) lock chains\n=================================\n"
			"\"W2\" id=24 idx=0x28 tid=584 waiting for java/lang/Object@0x0135B430 held by:\n\n"
			"===== END OF THREAD DUMP ===============\n";
	struct dump *d = parse_as(&jrockit_parser, t, strlen(t), 0);
	assert_int_equal(d->nthreads, 1);
	struct thread *w = d->threads[0];
	assert_string_equal(w->id, "584");
	assert_true(w->daemon);
	assert_string_equal(w->frames[1].function, "app.Dl.run");
	assert_int_equal(w->frames[1].line, 33);
	assert_string_equal(w->waiting_on->id, "java/lang/Object@0x0135B430");
	assert_int_equal(w->nholds, 1);
	assert_int_equal(d->nsections, 1);
	dump_free(d);
}

static void test_javacore(void **state)
{
	(void)state;
	const char *t = "0SECTION       TITLE subcomponent dump routine\n"
			"1TISIGINFO     Dump Event \"user\" (00004000) received\n"
			"1CIJAVAVERSION JRE 1.8.0 Linux amd64-64 build 8.0.6.0\n"
			"0SECTION       THREADS subcomponent dump routine\n"
			"3XMTHREADINFO      \"main\" J9VMThread:0x1, omrthread_t:0x2, java/lang/Thread:0x3, state:B, prio=5\n"
			"3XMJAVALTHREAD            (java/lang/Thread getId:0x1, isDaemon:false)\n"
			"3XMTHREADINFO1            (native thread ID:0x4D2, native priority:0x5, native policy:UNKNOWN)\n"
			"3XMTHREADBLOCK     Blocked on: java/lang/Object@0x00000000E0001000 Owned by: \"t2\" (J9VMThread:0x5)\n"
			"4XESTACKTRACE                at app/Main.run(Main.java:12)\n"
			"5XESTACKTRACE                   (entered lock: java/lang/Object@0x00000000E0002000, entry count: 1)\n"
			"3XMTHREADINFO      \"t2\" (TID:0x910608, sys_thread_t:0x284E48, state:CW, native ID:0x1B8) prio=5\n"
			"4XESTACKTRACE          at java.lang.Object.wait(Native Method)\n"
			"0SECTION       END\n";
	struct dump *d = parse_as(&javacore_parser, t, strlen(t), 0);
	assert_int_equal(d->nthreads, 2);
	struct thread *m = d->threads[0];
	assert_string_equal(m->id, "1234");
	assert_string_equal(m->name, "main");
	assert_string_equal(m->frames[0].function, "app.Main.run");
	assert_string_equal(m->waiting_on->id, "java/lang/Object@0x00000000E0001000");
	assert_int_equal(m->nholds, 1);
	assert_string_equal(d->threads[1]->id, "440");
	assert_string_equal(d->threads[1]->state, "CW");
	dump_free(d);
}

/* J9's 1LKDEADLOCK report is a section; "Owned by:" gives a j.u.c. lock's owner. */
static void test_javacore_deadlock_section(void **state)
{
	(void)state;
	const char *t = "0SECTION       LOCKS subcomponent dump routine\n"
			"1LKDEADLOCK    Deadlock detected !!!\n"
			"NULL           ---------------------\n"
			"2LKDEADLOCKTHR  Thread \"a\" (0x0000000000000100)\n"
			"3LKDEADLOCKWTR    is waiting for:\n"
			"4LKDEADLOCKOBJ      java/util/concurrent/locks/ReentrantLock$NonfairSync@0x20\n"
			"3LKDEADLOCKOWN    which is owned by:\n"
			"2LKDEADLOCKTHR  Thread \"b\" (0x0000000000000200)\n"
			"NULL\n"
			"0SECTION       THREADS subcomponent dump routine\n"
			"3XMTHREADINFO      \"a\" J9VMThread:0x0000000000000100, omrthread_t:0x2, java/lang/Thread:0x3, state:P, prio=5\n"
			"3XMTHREADBLOCK     Parked on: java/util/concurrent/locks/ReentrantLock$NonfairSync@0x20 Owned by: \"b\" (J9VMThread:0x0000000000000200, java/lang/Thread:0x4)\n"
			"4XESTACKTRACE                at jdk/internal/misc/Unsafe.park(Native Method)\n"
			"3XMTHREADINFO      \"b\" J9VMThread:0x0000000000000200, omrthread_t:0x5, java/lang/Thread:0x4, state:R, prio=5\n"
			"4XESTACKTRACE                at app/B.run(B.java:3)\n";
	struct dump *d = parse_as(&javacore_parser, t, strlen(t), 0);
	assert_int_equal(d->nthreads, 2);
	assert_int_equal(d->nsections, 1);
	assert_string_equal(d->sections[0]->title, "Java-level deadlock (J9)");
	assert_true(strncmp(d->sections[0]->text, "1LKDEADLOCK", 11) == 0);
	assert_non_null(strstr(d->sections[0]->text, "Thread \"b\""));
	assert_null(memmem(d->sections[0]->text, d->sections[0]->len, "0SECTION", 8));
	struct thread *a = d->threads[0], *b = d->threads[1];
	assert_non_null(a->waiting_on);
	assert_int_equal(b->nholds, 1);
	assert_ptr_equal(b->holds[0], a->waiting_on);
	assert_ptr_equal(a->waiting_on->owner, b);
	dump_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_model),
		cmocka_unit_test(test_frame_notes),
		cmocka_unit_test(test_blocked_reentry_waits),
		cmocka_unit_test(test_truncation_every_byte),
		cmocka_unit_test(test_snapshots),
		cmocka_unit_test(test_repeated_stacks_diverge),
		cmocka_unit_test(test_line_siblings),
		cmocka_unit_test(test_dialects),
		cmocka_unit_test(test_deadlock_section_is_not_threads),
		cmocka_unit_test(test_reversed),
		cmocka_unit_test(test_jrockit),
		cmocka_unit_test(test_javacore),
		cmocka_unit_test(test_javacore_deadlock_section),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
