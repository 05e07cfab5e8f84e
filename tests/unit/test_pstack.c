/* The pstack parser: Linux pstack/gstack, Solaris pstack, HotSpot SA mixed-mode pstack. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "textparse.h"

/* Two `pstack 6721` runs pasted with a leading and a trailing space on each line (IBM developerWorks). */
static const char two_snapshots[] =
	"[dyu@xilinuxbldsrv purify]$ pstack 6721 \n"
	" Thread 3 (Thread 0x41e37940 (LWP 6722)): \n"
	" #0  0x0000003d1a80d4c4 in __lll_lock_wait () from /lib64/libpthread.so.0 \n"
	" #1  0x0000003d1a808cdc in pthread_mutex_lock () from /lib64/libpthread.so.0 \n"
	" #2  0x0000000000400a9b in func1() () \n"
	" Thread 2 (Thread 0x42838940 (LWP 6723)): \n"
	" #0  0x0000003d1a80d4c4 in __lll_lock_wait () from /lib64/libpthread.so.0 \n"
	" Thread 1 (Thread 0x2b984ecabd90 (LWP 6721)): \n"
	" #0  0x0000003d1a807b35 in pthread_join () from /lib64/libpthread.so.0 \n"
	" #1  0x0000000000400900 in main ()\n"
	"[dyu@xilinuxbldsrv purify]$ pstack 6721 \n"
	" Thread 3 (Thread 0x40bd6940 (LWP 6722)): \n"
	" #0  0x0000003d1a80d4c4 in __lll_lock_wait () from /lib64/libpthread.so.0 \n"
	" #1  0x0000003d1a808cdc in pthread_mutex_lock () from /lib64/libpthread.so.0 \n"
	" Thread 2 (Thread 0x415d7940 (LWP 6723)): \n"
	" #0  0x0000003d19c7aec2 in memset () from /lib64/libc.so.6 \n"
	" Thread 1 (Thread 0x2af906fd9d90 (LWP 6721)): \n"
	" #0  0x0000003d1a807b35 in pthread_join () from /lib64/libpthread.so.0 \n"
	" #1  0x0000000000400900 in main ()\n";

static void test_linux_snapshots(void **state)
{
	(void)state;
	struct dump *d = parse_detected(&pstack_parser, two_snapshots);
	assert_int_equal(d->input.snapshots, 2);
	assert_int_equal(d->process.pid, 6721);
	assert_int_equal(d->nthreads, 3);
	struct thread *t = d->threads[0];
	assert_string_equal(t->id, "6722");
	assert_int_equal(t->nframes, 2);
	assert_string_equal(t->frames[1].function, "pthread_mutex_lock");
	assert_string_equal(t->frames[1].module, "/lib64/libpthread.so.0");
	assert_string_equal(d->threads[1]->frames[0].function, "memset");   /* the second snapshot */
	assert_string_equal(d->threads[2]->frames[1].function, "main");
	dump_free(d);

	/* --snapshot 1 keeps the first */
	struct input in;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(input_from_memory(&in, "t", two_snapshots, strlen(two_snapshots), NULL, &err), 0);
	struct mortem_opts o = MORTEM_OPTS_INIT;
	d = dump_new("t");
	d->snapshot_wanted = 1;
	assert_int_equal(pstack_parser.parse(d, &in, &o, &err), 0);
	assert_int_equal(d->input.snapshots, 2);
	assert_int_equal(d->threads[0]->nframes, 3);
	assert_string_equal(d->threads[1]->frames[0].function, "__lll_lock_wait");
	dump_free(d);
	input_close(&in);
	strbuf_release(&err);
}

/* `pstack 3456 7890` (one "==> PID <==" block per process), then a LinuxThreads-era pstack. */
static void test_multi_pid_and_linuxthreads(void **state)
{
	(void)state;
	struct dump *d = parse_detected(&pstack_parser,
		"$ pstack 3456 7890\n"
		"==> 3456 <==\n"
		"#0  0x00007f8e2d72ead3 in __read_nocancel () from /lib64/libc.so.6\n"
		"#1  0x00000000004e472d in read_packet ()\n"
		"\n"
		"==> 7890 <==\n"
		"#0  0x00007f4a3c45e923 in poll () from /lib64/libc.so.6\n"
		"\n"
		"\t$ pstack 4551\n"
		"\tThread 7 (Thread 1084229984 (LWP 4552)):\n"
		"\t#0  0x000000302afc63dc in epoll_wait () from /lib64/tls/libc.so.6\n"
		"\t#1  0x0000000000000000 in ?? ()\n");
	assert_int_equal(d->input.snapshots, 3);
	assert_int_equal(d->process.pid, 4551);
	assert_int_equal(d->nthreads, 1);
	assert_string_equal(d->threads[0]->id, "4552");
	assert_int_equal(d->threads[0]->pthread, 1084229984);
	assert_null(d->threads[0]->frames[1].function);
	dump_free(d);
}

static const char solaris[] =
	"sol8$ pstack 5591\n"
	"5591:   /usr/local/mozilla/mozilla-bin\n"
	"-----------------  lwp# 1 / thread# 1  --------------------\n"
	" fe99a254 poll     (513d530, 4, 18)\n"
	" fe8dda58 poll     (513d530, fe8f75a8, 18, 4, 513d530, ffbeed00) + 5c\n"
	" fe482aa4 ???????? (d6490, fe482a6c, d6490, ff179ee4, 0, ffe)\n"
	"-----------------  lwp# 3 / thread# 3  --------------------\n"
	" fe8e4a74 SYS#77   (0, 0, 0)\n"
	" ff13b5f0 Main__8nsThreadPv (f12f8, ff13b5c8, 0, 0, 0, 0) + 28\n";

static void test_solaris(void **state)
{
	(void)state;
	struct dump *d = parse_detected(&pstack_parser, solaris);
	assert_int_equal(d->nthreads, 2);
	assert_int_equal(d->process.pid, 5591);
	assert_string_equal(d->process.cmdline, "/usr/local/mozilla/mozilla-bin");
	struct thread *t = d->threads[0];
	assert_string_equal(t->id, "1");
	assert_int_equal(t->nframes, 3);
	assert_int_equal(t->frames[1].pc, 0xfe8dda58);
	assert_string_equal(t->frames[1].function, "poll");
	assert_string_equal(t->frames[1].args, "513d530, fe8f75a8, 18, 4, 513d530, ffbeed00");
	assert_true(t->frames[1].has_offset);
	assert_int_equal(t->frames[1].offset, 0x5c);
	assert_null(t->frames[2].function);
	assert_string_equal(d->threads[1]->frames[0].function, "SYS#77");
	dump_free(d);
}

static const char hotspot_sa[] =
	"Attaching to process ID 20454, please wait...\n"
	"Debugger attached successfully.\n"
	"Server compiler detected.\n"
	"JVM version is 25.131-b11\n"
	"Deadlock Detection:\n"
	"\n"
	"No deadlocks found.\n"
	"\n"
	"----------------- 20455 -----------------\n"
	"0x00007f51767ac360\t__pthread_cond_wait + 0xc0\n"
	"0x00007f51758d378b\t_ZN7Monitor5IWaitEP6Threadl + 0xcb\n"
	"0x00007f5165011f5d\t* java.lang.Object.wait(long) bci:0 (Interpreted frame)\n"
	"----------------- 20460 -----------------\n"
	"0x00007f51767ac360\t__pthread_cond_wait + 0xc0\n"
	"0x00007f5165000000\t????????\n";

static void test_hotspot_sa(void **state)
{
	(void)state;
	struct dump *d = parse_detected(&pstack_parser, hotspot_sa);
	assert_int_equal(d->nthreads, 2);
	assert_int_equal(d->process.pid, 20454);
	assert_string_equal(d->process.runtime, "jvm");
	assert_string_equal(d->process.runtime_version, "25.131-b11");
	struct thread *t = d->threads[0];
	assert_string_equal(t->id, "20455");
	assert_int_equal(t->tid, 20455);
	assert_string_equal(t->frames[1].function, "_ZN7Monitor5IWaitEP6Threadl");
	assert_int_equal(t->frames[1].offset, 0xcb);
	assert_string_equal(t->frames[2].function, "java.lang.Object.wait(long)");
	assert_int_equal(t->frames[2].kind, FRAME_INTERPRETED);
	assert_null(d->threads[1]->frames[1].function);
	dump_free(d);
}

/* gstack of one thread, without a pstack marker, is gdb's text: reported as gdb. */
static void test_detection_boundaries(void **state)
{
	(void)state;
	assert_ptr_equal(detect("Thread 4 (Thread 0x7f14c9de5700 (LWP 8228)):\n"
				"#0  0x00007f1752e3850d in __lll_lock_wait () from /lib64/libpthread.so.0\n"
				"#1  0x00007f1752e33e5b in _L_lock_883 () from /lib64/libpthread.so.0\n"),
			 &gdb_parser);
	/* headers right after frames, no blank line: gstack's filter */
	assert_ptr_equal(detect("Thread 2 (Thread 0x7f1eaa4ea700 (LWP 11840)):\n"
				"#0  0x00007f1eb69a9d23 in epoll_wait () from /lib64/libc.so.6\n"
				"Thread 1 (Thread 0x7f1eb825c400 (LWP 11822)):\n"
				"#0  0x00007f1eb69a9d23 in epoll_wait () from /lib64/libc.so.6\n"),
			 &pstack_parser);
	/* the same threads as gdb prints them */
	assert_ptr_equal(detect("[New LWP 11840]\n\n"
				"Thread 2 (Thread 0x7f1eaa4ea700 (LWP 11840)):\n"
				"#0  0x00007f1eb69a9d23 in epoll_wait () from /lib64/libc.so.6\n\n"
				"Thread 1 (Thread 0x7f1eb825c400 (LWP 11822)):\n"
				"#0  0x00007f1eb69a9d23 in epoll_wait () from /lib64/libc.so.6\n"),
			 &gdb_parser);
	assert_ptr_equal(detect("PID 7 - process\nTID 8:\n#0  0x00007f5d1056112b futex_wait\n"), &eustack_parser);
	assert_null(detect("hello\nworld\n"));
}

static void test_every_prefix(void **state)
{
	(void)state;
	every_prefix(&pstack_parser, two_snapshots);
	every_prefix(&pstack_parser, solaris);
	every_prefix(&pstack_parser, hotspot_sa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_snapshots),
		cmocka_unit_test(test_multi_pid_and_linuxthreads),
		cmocka_unit_test(test_solaris),
		cmocka_unit_test(test_hotspot_sa),
		cmocka_unit_test(test_detection_boundaries),
		cmocka_unit_test(test_every_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
