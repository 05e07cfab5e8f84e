/* The gdb parser on what gdb prints (excerpts of real output) and the frame scanner. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "parsers/text/gdbframe.h"
#include "textparse.h"

/* gdb 13 -batch -p PID -ex 'thread apply all bt' on tests/scenario/programs/abba.c */
static const char abba_bt[] =
	"[New LWP 788]\n"
	"[New LWP 789]\n"
	"[Thread debugging using libthread_db enabled]\n"
	"Using host libthread_db library \"/lib/x86_64-linux-gnu/libthread_db.so.1\".\n"
	"__futex_abstimed_wait_common64 (private=128, cancel=true, abstime=0x0, op=265, expected=788, futex_word=0x7ffb6d4db990) at ./nptl/futex-internal.c:57\n"
	"57\t./nptl/futex-internal.c: No such file or directory.\n"
	"\n"
	"Thread 3 (Thread 0x7ffb6ccda6c0 (LWP 789) \"abba\"):\n"
	"#0  futex_wait (private=0, expected=2, futex_word=0x55b99de94060 <lock_a>) at ../sysdeps/nptl/futex-internal.h:146\n"
	"#1  __GI___lll_lock_wait (futex=futex@entry=0x55b99de94060 <lock_a>, private=0) at ./nptl/lowlevellock.c:49\n"
	"#2  0x00007ffb6d56b482 in lll_mutex_lock_optimized (mutex=0x55b99de94060 <lock_a>) at ./nptl/pthread_mutex_lock.c:48\n"
	"#3  ___pthread_mutex_lock (mutex=0x55b99de94060 <lock_a>) at ./nptl/pthread_mutex_lock.c:93\n"
	"#4  0x000055b99de911f1 in take_b_then_a (arg=0x0) at abba.c:21\n"
	"#5  0x00007ffb6d5681f5 in start_thread (arg=<optimized out>) at ./nptl/pthread_create.c:442\n"
	"#6  0x00007ffb6d5e88ec in clone3 () at ../sysdeps/unix/sysv/linux/x86_64/clone3.S:81\n"
	"\n"
	"Thread 2 (Thread 0x7ffb6d4db6c0 (LWP 788) \"abba\"):\n"
	"#0  futex_wait (private=0, expected=2, futex_word=0x55b99de940a0 <lock_b>) at ../sysdeps/nptl/futex-internal.h:146\n"
	"#1  __GI___lll_lock_wait (futex=futex@entry=0x55b99de940a0 <lock_b>, private=0) at ./nptl/lowlevellock.c:49\n"
	"        __ret = -512\n"
	"No locals.\n"
	"#2  0x00007ffb6d56b482 in lll_mutex_lock_optimized (mutex=0x55b99de940a0 <lock_b>) at ./nptl/pthread_mutex_lock.c:48\n"
	"#3  ___pthread_mutex_lock (mutex=0x55b99de940a0 <lock_b>) at ./nptl/pthread_mutex_lock.c:93\n"
	"        type = <optimized out>\n"
	"        __PRETTY_FUNCTION__ = \"___pthread_mutex_lock\"\n"
	"#4  0x000055b99de911b2 in take_a_then_b (arg=0x0) at abba.c:13\n"
	"#5  0x00007ffb6d5681f5 in start_thread (arg=<optimized out>) at ./nptl/pthread_create.c:442\n"
	"#6  0x00007ffb6d5e88ec in clone3 () at ../sysdeps/unix/sysv/linux/x86_64/clone3.S:81\n"
	"\n"
	"Thread 1 (Thread 0x7ffb6d4dc740 (LWP 783) \"abba\"):\n"
	"#0  __futex_abstimed_wait_common64 (private=128, cancel=true, abstime=0x0, op=265, expected=788, futex_word=0x7ffb6d4db990) at ./nptl/futex-internal.c:57\n"
	"#1  __futex_abstimed_wait_common (futex_word=futex_word@entry=0x7ffb6d4db990, expected=788, clockid=clockid@entry=0, abstime=abstime@entry=0x0, private=private@entry=128, cancel=cancel@entry=true) at ./nptl/futex-internal.c:87\n"
	"#2  0x00007ffb6d564f7b in __GI___futex_abstimed_wait_cancelable64 (futex_word=futex_word@entry=0x7ffb6d4db990, expected=<optimized out>, clockid=clockid@entry=0, abstime=abstime@entry=0x0, private=private@entry=128) at ./nptl/futex-internal.c:139\n"
	"#3  0x00007ffb6d569ce3 in __pthread_clockjoin_ex (threadid=140717847328448, thread_return=0x0, clockid=0, abstime=0x0, block=<optimized out>) at ./nptl/pthread_join_common.c:102\n"
	"#4  0x000055b99de91263 in main () at abba.c:31\n"
	"[Inferior 1 (process 783) detached]\n";

static void test_thread_apply_all_bt(void **state)
{
	(void)state;
	struct dump *d = parse_detected(&gdb_parser, abba_bt);
	assert_int_equal(d->nthreads, 3);
	struct thread *t = d->threads[0];
	assert_string_equal(t->id, "789");
	assert_int_equal(t->tid, 789);
	assert_string_equal(t->name, "abba");
	assert_int_equal(t->pthread, 0x7ffb6ccda6c0ULL);
	assert_int_equal(t->nframes, 7);
	assert_string_equal(t->frames[0].function, "futex_wait");
	assert_false(t->frames[0].has_pc);
	assert_string_equal(t->frames[0].args, "private=0, expected=2, futex_word=0x55b99de94060 <lock_a>");
	/* frames without a pc are the callers inlined frames were folded into */
	assert_int_equal(t->frames[0].kind, FRAME_INLINE);
	assert_int_equal(t->frames[2].kind, FRAME_INLINE);
	assert_int_equal(t->frames[3].kind, FRAME_NATIVE);
	assert_int_equal(t->frames[4].pc, 0x55b99de911f1ULL);
	assert_string_equal(t->frames[4].function, "take_b_then_a");
	assert_string_equal(t->frames[4].file, "abba.c");
	assert_int_equal(t->frames[4].line, 21);
	/* the mutexes, with their symbols */
	assert_non_null(t->waiting_on);
	assert_string_equal(t->waiting_on->id, "0x55b99de94060");
	assert_int_equal(t->waiting_on->kind, LOCK_PTHREAD_MUTEX);
	assert_string_equal(t->waiting_on->label, "lock_a");
	assert_string_equal(d->threads[1]->waiting_on->id, "0x55b99de940a0");
	/* bt full locals are not frames */
	assert_int_equal(d->threads[1]->nframes, 7);
	/* main joins thread 2: pthread_t 140717847328448 == 0x7ffb6d4db6c0 */
	struct lock *join = d->threads[2]->waiting_on;
	assert_non_null(join);
	assert_int_equal(join->kind, LOCK_THREAD_JOIN);
	assert_ptr_equal(join->owner, d->threads[1]);
	assert_false(join->owner_inferred);
	assert_null(d->crash);
	assert_int_equal(d->input.nwarnings, 0);
	dump_free(d);
}

static void test_frame_scanner(void **state)
{
	(void)state;
	struct gdbframe g;
	const char *line = "#6  0x00007f1cbf83c94c in VMError::report_and_die(int, char const*, ...) () from /usr/lib/jvm/lib/server/libjvm.so";
	assert_true(gdbframe_scan((struct span){ line, strlen(line) }, &g));
	assert_int_equal(g.no, 6);
	assert_true(span_eq(g.function, "VMError::report_and_die(int, char const*, ...)"));
	assert_true(g.has_args && g.args.len == 0);
	assert_true(span_eq(g.module, "/usr/lib/jvm/lib/server/libjvm.so"));
	line = "#7 0x000055be69c480e6 in void Detached_thread::operator()<void (*)(unsigned long), unsigned long>(void (*&&)(unsigned long), unsigned long&&) at os0thread-create.h:196:13";
	assert_true(gdbframe_scan((struct span){ line, strlen(line) }, &g));
	assert_true(span_eq(g.function, "void Detached_thread::operator()<void (*)(unsigned long), unsigned long>(void (*&&)(unsigned long), unsigned long&&)"));
	assert_false(g.has_args);
	assert_true(span_eq(g.file, "os0thread-create.h"));
	assert_int_equal(g.line, 196);
	assert_int_equal(g.column, 13);
	line = "#28 0x0000003ecd66ebbd in function_call (func=<function at remote 0x1b40d70>, arg=(), kw={}) at Objects/funcobject.c:524";
	assert_true(gdbframe_scan((struct span){ line, strlen(line) }, &g));
	assert_true(span_eq(g.args, "func=<function at remote 0x1b40d70>, arg=(), kw={}"));
	assert_true(span_eq(g.file, "Objects/funcobject.c"));
	line = "#7  0x080b4ccf in FatalError (f=f@entry=0x81f6d38 \"Caught signal %d (%s). Server aborting\\n\") at log.c:811";
	assert_true(gdbframe_scan((struct span){ line, strlen(line) }, &g));
	assert_true(span_eq(g.function, "FatalError"));
	assert_int_equal(g.line, 811);
	line = "#5  <signal handler called>";
	assert_true(gdbframe_scan((struct span){ line, strlen(line) }, &g));
	assert_true(g.signal);
	line = "#12 0xb6f97b98 in ?? () from /usr/lib/xorg/modules/drivers/nvidia_drv.so";
	assert_true(gdbframe_scan((struct span){ line, strlen(line) }, &g));
	assert_int_equal(g.function.len, 0);
	assert_int_equal(g.pc, 0xb6f97b98);
	line = "#2  0x000000803a6ac2c8 in 000000ca.plt_call.strncasecmp@@GLIBC_2.3+0 () from /usr/lib64/libglib-2.0.so.0";
	assert_true(gdbframe_scan((struct span){ line, strlen(line) }, &g));
	assert_true(span_eq(g.function, "000000ca.plt_call.strncasecmp@@GLIBC_2.3+0"));
	assert_false(gdbframe_scan((struct span){ "#include <x>", 12 }, &g));
}

/* ABRT/satyr shape: preamble, crash location, then the listing (x86-64 and i386). */
static void test_core_preamble_crash(void **state)
{
	(void)state;
	struct dump *d = parse_detected(&gdb_parser,
		"[New LWP 11113]\n[New LWP 11191]\n"
		"Core was generated by `/usr/bin/gnome-shell --replace'.\n"
		"Program terminated with signal SIGSEGV, Segmentation fault.\n"
		"#0  0x00007f283a4edf93 in invoke_handler (binding=0x54eeb00, window=0x0) at core/keybindings.c:1737\n"
		"1737\tcore/keybindings.c: No such file or directory.\n"
		"\n"
		"Thread 2 (Thread 0x7f2819be6700 (LWP 11191)):\n"
		"#0  0x00007f28351b2590 in pthread_cond_wait@@GLIBC_2.3.2 () at ../pthread_cond_wait.S:185\n"
		"#1  0x00007f2832b45440 in PR_WaitCondVar (cvar=0x3315c10,\n"
		"    timeout=4294967295) at ../../../nspr/pr/src/pthreads/ptsynch.c:385\n"
		"        rv = <optimized out>\n"
		"\n"
		"Thread 1 (Thread 0x7f284100aa40 (LWP 11113)):\n"
		"#0  0x00007f283a4edf93 in invoke_handler (binding=0x54eeb00, window=0x0) at core/keybindings.c:1737\n"
		"#1  0x00007f283a4ee0c3 in process_event (display=0x34ccc10)\n"
		"    at core/keybindings.c:1820\n"
		"#2  <signal handler called>\n"
		"#3  0x00007f283a4ee0c3 in g_main_loop_run () from /lib64/libglib-2.0.so.0\n"
		"Backtrace stopped: previous frame inner to this frame (corrupt stack?)\n"
		"From                To                  Syms Read   Shared Object Library\n"
		"0x00007f2842a3d0d0  0x00007f2842a5e0e4  Yes         /lib64/ld-linux-x86-64.so.2\n"
		"0x00007f2842820ee0  0x00007f284282d1d8  Yes (*)     /lib64/libpthread.so.0\n");
	assert_int_equal(d->nthreads, 2);
	assert_non_null(d->crash);
	assert_string_equal(d->crash->signal, "SIGSEGV");
	assert_int_equal(d->crash->signo, 11);
	assert_string_equal(d->crash->thread->id, "11113");
	assert_true(d->threads[1]->crashed);
	assert_string_equal(d->process.executable, "/usr/bin/gnome-shell");
	/* wrapped "    at" and a wrapped argument list join their frame */
	assert_string_equal(d->threads[0]->frames[1].file, "../../../nspr/pr/src/pthreads/ptsynch.c");
	assert_string_equal(d->threads[0]->frames[1].args, "cvar=0x3315c10, timeout=4294967295");
	assert_string_equal(d->threads[1]->frames[1].file, "core/keybindings.c");
	assert_int_equal(d->threads[1]->frames[1].line, 1820);
	assert_int_equal(d->threads[1]->frames[2].kind, FRAME_SIGNAL);
	assert_true(d->threads[1]->frames_truncated);
	assert_int_equal(d->nmodules, 2);
	assert_string_equal(d->modules[1]->name, "libpthread.so.0");
	assert_false(d->modules[1]->debug_info);
	assert_int_equal(d->modules[0]->start, 0x7f2842a3d0d0ULL);
	dump_free(d);

	d = parse_detected(&gdb_parser,
		"[New LWP 1073]\n"
		"Program terminated with signal 6, Aborted.\n"
		"#0  0xb7792424 in __kernel_vsyscall ()\n"
		"\n"
		"Thread 1 (Thread 0xb774d880 (LWP 1073)):\n"
		"#0  0xb7792424 in __kernel_vsyscall ()\n"
		"No symbol table info available.\n"
		"#1  0x4be11756 in __GI_raise (sig=sig@entry=6) at ../nptl/sysdeps/unix/sysv/linux/raise.c:56\n");
	assert_string_equal(d->crash->signal, "SIGABRT");
	assert_string_equal(d->crash->reason, "Aborted");
	assert_string_equal(d->crash->thread->id, "1073");
	assert_int_equal(d->threads[0]->nframes, 2);
	dump_free(d);
}

/* A bare `bt`, a core's bt with its location line first, and a detach's stray frame. */
static void test_single_bt(void **state)
{
	(void)state;
	struct dump *d = parse_detected(&gdb_parser,
		"#0  __pthread_kill_implementation (no_tid=0, signo=6, threadid=139758955132480) at ./nptl/pthread_kill.c:44\n"
		"#1  __pthread_kill_internal (signo=6, threadid=139758955132480) at ./nptl/pthread_kill.c:78\n"
		"#2  __GI___pthread_kill (threadid=139758955132480, signo=signo@entry=6) at ./nptl/pthread_kill.c:89\n"
		"#3  0x00007f1cbfccd476 in __GI_raise (sig=sig@entry=6) at ../sysdeps/posix/raise.c:26\n"
		"#4  0x00007f1cbfcb37f3 in __GI_abort () at ./stdlib/abort.c:79\n");
	assert_int_equal(d->nthreads, 1);
	assert_string_equal(d->threads[0]->id, "1");
	assert_int_equal(d->threads[0]->nframes, 5);
	assert_int_equal(d->threads[0]->frames[1].kind, FRAME_INLINE);
	assert_int_equal(d->threads[0]->frames[2].kind, FRAME_NATIVE);
	/* pthread_kill's threadid is not a join */
	assert_null(d->threads[0]->waiting_on);
	dump_free(d);

	d = parse_detected(&gdb_parser,
		"Program terminated with signal SIGSEGV, Segmentation fault.\n"
		"#0  0x0000555555555131 in crash (p=0x0) at c.c:3\n"
		"3\t  *p = 1;\n"
		"[Current thread is 1 (Thread 0x7ffff7d8a740 (LWP 4242))]\n"
		"#0  0x0000555555555131 in crash (p=0x0) at c.c:3\n"
		"#1  0x0000555555555150 in main () at c.c:8\n");
	assert_int_equal(d->nthreads, 1);
	assert_string_equal(d->threads[0]->id, "4242");
	assert_int_equal(d->threads[0]->nframes, 2);
	assert_ptr_equal(d->crash->thread, d->threads[0]);
	dump_free(d);
}

/* gdb running a program that crashes in its second thread. */
static void test_running_program_crash(void **state)
{
	(void)state;
	struct dump *d = parse_detected(&gdb_parser,
		"[Thread debugging using libthread_db enabled]\n"
		"[New Thread 0x7ffff7dcf6c0 (LWP 16158)]\n"
		"\n"
		"Thread 2 \"segv\" received signal SIGSEGV, Segmentation fault.\n"
		"[Switching to Thread 0x7ffff7dcf6c0 (LWP 16158)]\n"
		"write_null (arg=0x0) at thread_segv.c:9\n"
		"9\t\t*target = 1;\n"
		"\n"
		"Thread 2 (Thread 0x7ffff7dcf6c0 (LWP 16158) \"segv\"):\n"
		"#0  write_null (arg=0x0) at thread_segv.c:9\n"
		"#1  0x00007ffff7e5c1f5 in start_thread (arg=<optimized out>) at ./nptl/pthread_create.c:442\n"
		"\n"
		"Thread 1 (Thread 0x7ffff7dd0740 (LWP 16090) \"segv\"):\n"
		"#0  0x00007ffff7e5dce3 in __pthread_clockjoin_ex (threadid=140737351841472, thread_return=0x0) at ./nptl/pthread_join_common.c:102\n"
		"#1  0x000055555555519a in main () at thread_segv.c:17\n");
	assert_int_equal(d->nthreads, 2);
	assert_non_null(d->crash);
	assert_string_equal(d->crash->signal, "SIGSEGV");
	assert_ptr_equal(d->crash->thread, d->threads[0]);
	assert_true(d->threads[0]->crashed);
	assert_false(d->threads[1]->crashed);
	assert_ptr_equal(d->threads[1]->waiting_on->owner, d->threads[0]);
	dump_free(d);

	/* a stop that is not a crash */
	d = parse_detected(&gdb_parser,
		"Thread 1 \"a\" received signal SIGINT, Interrupt.\n"
		"#0  0x00007ffff7e5dce3 in poll () from /lib/x86_64-linux-gnu/libc.so.6\n");
	assert_null(d->crash);
	dump_free(d);
}

/* An interactive session: switching threads, `where`, and owners gdb printed. */
static void test_interactive_session(void **state)
{
	(void)state;
	struct dump *d = parse_detected(&gdb_parser,
		"(gdb) thread apply all bt\n"
		"\n"
		"Thread 3 (Thread 0x7f0eed1ce6c0 (LWP 9845) \"abba\"):\n"
		"#0  futex_wait (private=0, expected=2, futex_word=0x55fe9f2f9060 <lock_a>) at ../sysdeps/nptl/futex-internal.h:146\n"
		"#1  __GI___lll_lock_wait (futex=futex@entry=0x55fe9f2f9060 <lock_a>, private=0) at ./nptl/lowlevellock.c:49\n"
		"#2  0x000055fe9f2f61f1 in take_b_then_a (arg=0x0) at abba.c:21\n"
		"\n"
		"Thread 2 (Thread 0x7f0eed9cf6c0 (LWP 9844) \"abba\"):\n"
		"#0  futex_wait (private=0, expected=2, futex_word=0x55fe9f2f90a0 <lock_b>) at ../sysdeps/nptl/futex-internal.h:146\n"
		"#1  ___pthread_mutex_lock (mutex=0x55fe9f2f90a0 <lock_b>) at ./nptl/pthread_mutex_lock.c:93\n"
		"#2  0x000055fe9f2f61b2 in take_a_then_b (arg=0x0) at abba.c:13\n"
		"(gdb) p lock_a\n"
		"$1 = {__data = {__lock = 2, __count = 0, __owner = 9844, __nusers = 1, __kind = 0, __spins = 0, __elision = 0, __list = {__prev = 0x0, __next = 0x0}}, __size = \"\\002\", '\\000' <repeats 26 times>, __align = 2}\n"
		"(gdb) thread 2\n"
		"[Switching to thread 2 (Thread 0x7f0eed9cf6c0 (LWP 9844))]\n"
		"#0  futex_wait (private=0, expected=2, futex_word=0x55fe9f2f90a0 <lock_b>) at ../sysdeps/nptl/futex-internal.h:146\n"
		"(gdb) where\n"
		"#0  futex_wait (private=0, expected=2, futex_word=0x55fe9f2f90a0 <lock_b>) at ../sysdeps/nptl/futex-internal.h:146\n"
		"#1  ___pthread_mutex_lock (mutex=0x55fe9f2f90a0 <lock_b>) at ./nptl/pthread_mutex_lock.c:93\n"
		"#2  0x000055fe9f2f61b2 in take_a_then_b (arg=0x0) at abba.c:13\n"
		"#3  0x00007f0eeda5c1f5 in start_thread (arg=<optimized out>) at ./nptl/pthread_create.c:442\n"
		"(gdb) frame 1\n"
		"#1  ___pthread_mutex_lock (mutex=0x55fe9f2f90a0 <lock_b>) at ./nptl/pthread_mutex_lock.c:93\n"
		"(gdb) p *mutex\n"
		"$2 = {__data = {__lock = 2, __count = 0, __owner = 9845, __nusers = 1, __kind = 0}, __align = 2}\n");
	assert_int_equal(d->nthreads, 2);
	struct thread *a = d->threads[0], *b = d->threads[1];
	assert_int_equal(b->nframes, 4);    /* `where` replaced the listing; `frame 1` did not */
	struct lock *la = dump_find_lock(d, "0x55fe9f2f9060"), *lb = dump_find_lock(d, "0x55fe9f2f90a0");
	assert_non_null(la);
	assert_non_null(lb);
	assert_ptr_equal(la->owner, b);     /* by the symbol gdb printed */
	assert_false(la->owner_inferred);
	assert_ptr_equal(lb->owner, a);     /* `p *mutex` in thread 2's lock frame */
	assert_true(lb->owner_inferred);
	assert_int_equal(d->input.nwarnings, 1);
	assert_non_null(strstr(d->input.warnings[0], "inferred"));
	dump_free(d);
}

/* `info threads` (graal issue 2981) and the pt-pmp eu-stack renderer in gdb's shape. */
static void test_info_threads_and_ptpmp(void **state)
{
	(void)state;
	struct dump *d = parse_detected(&gdb_parser,
		"(gdb) info threads\n"
		"  Id   Target Id         Frame\n"
		"* 26   Thread 0x7f4b6a0ff700 (LWP 71) \"ackTracePrinter\" 0x00007f4b6c8a9c9d in poll () at ../sysdeps/unix/syscall-template.S:81\n"
		"  24   Thread 0x7f4b63fff700 (LWP 73) \"nPool-worker-18\" __lll_lock_wait () at ../nptl/sysdeps/unix/sysv/linux/x86_64/lowlevellock.S:135\n");
	assert_int_equal(d->nthreads, 2);
	assert_string_equal(d->threads[0]->id, "71");
	assert_string_equal(d->threads[0]->name, "ackTracePrinter");
	assert_int_equal(d->threads[0]->nframes, 1);
	assert_string_equal(d->threads[0]->frames[0].function, "poll");
	assert_int_equal(d->threads[0]->frames[0].pc, 0x7f4b6c8a9c9dULL);
	assert_string_equal(d->threads[1]->frames[0].function, "__lll_lock_wait");
	assert_int_equal(d->threads[1]->frames[0].line, 135);
	dump_free(d);

	d = parse_detected(&gdb_parser,
		"Thread 3441765 (LWP 3441765):\n"
		"#0 0x00007f2763f18bcf in __GI___poll at poll.c:29:10\n"
		"#1 0x000055be68a34432 in Mysqld_socket_listener::listen_for_connection_event() at socket_connection.cc:1354:3\n"
		"#5 0x000055be6859cfb5 in _start from /opt/mysql/bin/mysqld\n"
		"\n"
		"Thread 3441805 (LWP 3441805):\n"
		"#0 0x00007f2763f1e88d in syscall at syscall.S:38\n"
		"#8 0x00007f27642dc253 in ?? from /usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30\n");
	assert_int_equal(d->nthreads, 2);
	struct thread *t = d->threads[0];
	assert_string_equal(t->frames[1].function, "Mysqld_socket_listener::listen_for_connection_event()");
	assert_int_equal(t->frames[1].column, 3);
	assert_string_equal(t->frames[2].module, "/opt/mysql/bin/mysqld");
	assert_null(d->threads[1]->frames[1].function);
	dump_free(d);
}

/* Two frames glued on one line by a paste, and LinuxThreads' decimal pthread ids. */
static void test_glued_and_linuxthreads(void **state)
{
	(void)state;
	struct dump *d = parse_detected(&gdb_parser,
		"Thread 69 (Thread 0x7fd4b0049640 (LWP 15380)):\n"
		"#0 0x00007fd4b5c36dc0 in __lll_lock_wait () from /lib64/libpthread.so.0\n"
		"#10 0x0000000001fec091 in btr_pcur_t::open (line=2404) at btr0pcur.h:631#11 row_ins_clust_index_entry_low (flags=<optimized out>) at row0ins.cc:2404\n"
		"#12 0x0000000001ff2493 in row_ins_clust_index_entry (index=0x7fd4ac85b188) at row0ins.cc:3128\n");
	struct thread *t = d->threads[0];
	assert_int_equal(t->nframes, 4);
	assert_string_equal(t->frames[1].file, "btr0pcur.h");
	assert_int_equal(t->frames[1].line, 631);
	assert_string_equal(t->frames[2].function, "row_ins_clust_index_entry_low");
	assert_int_equal(t->frames[1].kind, FRAME_INLINE);
	dump_free(d);
}

/*
 * Threads with the same frames, arguments included, share one read-only
 * array (a pool's threads): inline marks are made before, and a thread
 * whose arguments differ keeps its own.
 */
static void test_pool_threads_share_frames(void **state)
{
	(void)state;
	static const char text[] =
		"Thread 3 (Thread 0x7f01 (LWP 13)):\n"
		"#0  0x00007f00000010 in pthread_cond_wait@@GLIBC_2.3.2 () from /lib64/libpthread.so.0\n"
		"#1  inner_wait (q=0x10) at pool.c:10\n"
		"#2  0x0000000000400100 in worker (arg=0x0) at pool.c:20\n"
		"\n"
		"Thread 2 (Thread 0x7f02 (LWP 12)):\n"
		"#0  0x00007f00000010 in pthread_cond_wait@@GLIBC_2.3.2 () from /lib64/libpthread.so.0\n"
		"#1  inner_wait (q=0x10) at pool.c:10\n"
		"#2  0x0000000000400100 in worker (arg=0x0) at pool.c:20\n"
		"\n"
		"Thread 1 (Thread 0x7f03 (LWP 11)):\n"
		"#0  0x00007f00000010 in pthread_cond_wait@@GLIBC_2.3.2 () from /lib64/libpthread.so.0\n"
		"#1  inner_wait (q=0x20) at pool.c:10\n"
		"#2  0x0000000000400100 in worker (arg=0x0) at pool.c:20\n";
	struct dump *d = parse_detected(&gdb_parser, text);
	assert_int_equal(d->nthreads, 3);
	struct thread *a = d->threads[0], *b = d->threads[1], *c = d->threads[2];
	assert_ptr_equal(a->frames, b->frames);
	assert_true(a->frames_shared && b->frames_shared);
	assert_ptr_not_equal(c->frames, a->frames);
	assert_false(c->frames_shared);
	for (size_t i = 0; i < 3; i++) {
		struct thread *t = d->threads[i];
		assert_int_equal(t->nframes, 3);
		assert_int_equal(t->frames[0].kind, FRAME_INLINE); /* #1 has no pc: folded into #0 */
		assert_int_equal(t->frames[1].kind, FRAME_NATIVE);
		assert_string_equal(t->frames[2].args, "arg=0x0");
		assert_string_equal(t->frames[1].file, "pool.c");
	}
	assert_string_equal(a->frames[1].args, "q=0x10");
	assert_string_equal(c->frames[1].args, "q=0x20");
	assert_string_equal(a->frames[0].args, "");
	dump_free(d);
}

/*
 * Frame lines read again (gdbtext.c keeps what a line gave): a line seen
 * in one thread gives the same frame in the next, in another order, glued
 * to another, or with an argument list continued on the next line; a
 * repeated lock call still names each thread's own lock (from its args);
 * and a crash location printed before the listing is the crashed
 * thread's frame #0, not a thread.
 */
static void test_repeated_frame_lines(void **state)
{
	(void)state;
	static const char text[] =
		"Program terminated with signal SIGSEGV, Segmentation fault.\n"
		"#0  0x0000000000401136 in crash (p=0x0) at c.c:5\n"
		"\n"
		"Thread 3 (Thread 0x7f03 (LWP 13)):\n"
		"#0  0x0000000000401136 in crash (p=0x0) at c.c:5\n"
		"#1  0x0000000000401150 in main () at c.c:9\n"
		"\n"
		"Thread 2 (Thread 0x7f02 (LWP 12)):\n"
		"#0  0x00007f0000000100 in __lll_lock_wait () from /lib64/libpthread.so.0\n"
		"#1  0x00007f0000000200 in pthread_mutex_lock (mutex=0x601040 <big_lock>) at m.c:80\n"
		"#2  0x0000000000401200 in worker (arg=0x0,\n"
		"    more=1) at w.c:20\n"
		"#3  0x0000000000401300 in start () at s.c:1\n"
		"\n"
		"Thread 1 (Thread 0x7f01 (LWP 11)):\n"
		"#0  0x00007f0000000100 in __lll_lock_wait () from /lib64/libpthread.so.0\n"
		"#1  0x00007f0000000200 in pthread_mutex_lock (mutex=0x601080 <other_lock>) at m.c:80\n"
		"#2  0x0000000000401200 in worker (arg=0x0,\n"
		"    more=1) at w.c:20\n"
		"#3  0x0000000000401300 in start () at s.c:1\n"
		"\n"
		"Thread 4 (Thread 0x7f04 (LWP 14)):\n"
		"#0  0x0000000000401136 in crash (p=0x0) at c.c:5"
		"#1  0x00007f0000000200 in pthread_mutex_lock (mutex=0x601040 <big_lock>) at m.c:80\n"
		"#2  0x0000000000401300 in start () at s.c:1\n"
		"\n"
		"Thread 5 (Thread 0x7f05 (LWP 15)):\n"
		"#0  0x0000000000401300 in start () at s.c:1\n"
		"#1  0x00007f0000000100 in __lll_lock_wait () from /lib64/libpthread.so.0\n";
	struct dump *d = parse_detected(&gdb_parser, text);
	assert_int_equal(d->nthreads, 5);
	struct thread *t3 = d->threads[0], *t2 = d->threads[1], *t1 = d->threads[2];
	struct thread *t4 = d->threads[3], *t5 = d->threads[4];
	assert_non_null(d->crash);
	assert_ptr_equal(d->crash->thread, t3);
	assert_int_equal(t3->nframes, 2);
	assert_string_equal(t3->frames[0].function, "crash");
	for (int k = 0; k < 2; k++) {
		struct thread *t = k ? t1 : t2;
		assert_int_equal(t->nframes, 4);
		assert_string_equal(t->frames[0].module, "/lib64/libpthread.so.0");
		assert_string_equal(t->frames[2].function, "worker");
		assert_string_equal(t->frames[2].file, "w.c");
		assert_int_equal(t->frames[2].line, 20);
		assert_non_null(strstr(t->frames[2].args, "more=1"));
		assert_int_equal(t->frames[3].line, 1);
		assert_non_null(t->waiting_on);
	}
	assert_string_equal(t2->waiting_on->id, "0x601040");
	assert_string_equal(t1->waiting_on->id, "0x601080");
	assert_string_equal(t2->waiting_on->label, "big_lock");
	assert_int_equal(t4->nframes, 3);
	assert_string_equal(t4->frames[0].function, "crash");
	assert_string_equal(t4->frames[1].function, "pthread_mutex_lock");
	assert_ptr_equal(t4->waiting_on, t2->waiting_on);
	assert_int_equal(t5->nframes, 2);
	assert_string_equal(t5->frames[0].function, "start");
	assert_string_equal(t5->frames[1].function, "__lll_lock_wait");
	assert_int_equal(t5->frames[1].pc, 0x7f0000000100);
	assert_null(t5->waiting_on);
	dump_free(d);
}

static void test_every_prefix(void **state)
{
	(void)state;
	every_prefix(&gdb_parser, abba_bt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thread_apply_all_bt),
		cmocka_unit_test(test_frame_scanner),
		cmocka_unit_test(test_core_preamble_crash),
		cmocka_unit_test(test_single_bt),
		cmocka_unit_test(test_running_program_crash),
		cmocka_unit_test(test_interactive_session),
		cmocka_unit_test(test_info_threads_and_ptpmp),
		cmocka_unit_test(test_glued_and_linuxthreads),
		cmocka_unit_test(test_pool_threads_share_frames),
		cmocka_unit_test(test_repeated_frame_lines),
		cmocka_unit_test(test_every_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
