/* The lldb parser on what lldb prints (excerpts of real output, wrapped as pastes wrap them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "textparse.h"

/* lldb 14 --batch -o 'thread list' -o 'bt all' on tests/scenario/programs/abba.c (shortened) */
static const char abba_lldb[] =
	"(lldb) process attach --pid 19640\n"
	"Process 19640 stopped\n"
	"* thread #1, name = 'abba', stop reason = signal SIGSTOP\n"
	"    frame #0: 0x00007f540d200f16 libc.so.6`__futex_abstimed_wait_common at futex-internal.c:57:12\n"
	"(lldb) thread list\n"
	"Process 19640 stopped\n"
	"* thread #1: tid = 19640, 0x00007f62fe1dff16 libc.so.6`__futex_abstimed_wait_common at futex-internal.c:57:12, name = 'abba', stop reason = signal SIGSTOP\n"
	"  thread #2: tid = 19644, 0x00007f62fe1e012b libc.so.6`__GI___lll_lock_wait at futex-internal.h:146:13, name = 'abba', stop reason = signal SIGSTOP\n"
	"(lldb) bt all\n"
	"* thread #1, name = 'abba', stop reason = signal SIGSTOP\n"
	"  * frame #0: 0x00007f540d200f16 libc.so.6`__futex_abstimed_wait_common at futex-internal.c:57:12\n"
	"    frame #2: 0x00007f540d205ce3 libc.so.6`__pthread_clockjoin_ex(threadid=139998973621952, thread_return=0x0000000000000000, clockid=0, abstime=0x0000000000000000, block=<unavailable>) at pthread_join_common.c:102:14\n"
	"    frame #3: 0x00005631d1e95263 abba`main at abba.c:31:2\n"
	"    frame #4: 0x00007f540d1a224a libc.so.6`__libc_start_call_main(main=(abba`main at abba.c:26:1), argc=1, argv=0x00007ffc6b95a508) at libc_start_call_main.h:58:16\n"
	"    frame #6: 0x00005631d1e950b1 abba`_start + 33\n"
	"  thread #2, name = 'abba', stop reason = signal SIGSTOP\n"
	"    frame #0: 0x00007f540d20112b libc.so.6`__GI___lll_lock_wait at futex-internal.h:146:13\n"
	"    frame #1: 0x00007f540d201115 libc.so.6`__GI___lll_lock_wait(futex=0x00005631d1e980a0, private=0) at lowlevellock.c:49:7\n"
	"    frame #2: 0x00007f540d207482 libc.so.6`___pthread_mutex_lock at pthread_mutex_lock.c:48:5\n"
	"    frame #3: 0x00007f540d207478 libc.so.6`___pthread_mutex_lock(mutex=0x00005631d1e980a0) at pthread_mutex_lock.c:93:7\n"
	"    frame #4: 0x00005631d1e951b2 abba`take_a_then_b(arg=0x0000000000000000) at abba.c:13:2\n";

static void test_bt_all(void **state)
{
	(void)state;
	struct dump *d = parse_detected(&lldb_parser, abba_lldb);
	assert_int_equal(d->input.snapshots, 3);
	assert_int_equal(d->process.pid, 19640);
	assert_int_equal(d->nthreads, 2);
	struct thread *main_t = d->threads[0], *t = d->threads[1];
	assert_string_equal(main_t->id, "19640");    /* tid from `thread list` */
	assert_string_equal(t->id, "19644");
	assert_string_equal(t->name, "abba");
	assert_string_equal(t->state, "signal SIGSTOP");
	assert_null(d->crash);
	assert_int_equal(main_t->nframes, 5);
	assert_string_equal(main_t->frames[2].function, "main");
	assert_string_equal(main_t->frames[2].module, "abba");
	assert_string_equal(main_t->frames[2].file, "abba.c");
	assert_int_equal(main_t->frames[2].line, 31);
	assert_int_equal(main_t->frames[2].column, 2);
	assert_string_equal(main_t->frames[3].function, "__libc_start_call_main");
	assert_string_equal(main_t->frames[3].file, "libc_start_call_main.h");
	assert_string_equal(main_t->frames[4].function, "_start");
	assert_int_equal(main_t->frames[4].offset, 33);
	assert_int_equal(t->frames[4].pc, 0x5631d1e951b2ULL);
	assert_string_equal(t->frames[4].args, "arg=0x0000000000000000");
	assert_non_null(t->waiting_on);
	assert_string_equal(t->waiting_on->id, "0x5631d1e980a0");
	assert_int_equal(t->waiting_on->kind, LOCK_PTHREAD_MUTEX);
	assert_int_equal(main_t->waiting_on->kind, LOCK_THREAD_JOIN);
	dump_free(d);
}

/* Hard-wrapped at 132 columns by a terminal (gst issue), and an e-mail client's wrap (qemu). */
static void test_wrapped_lines(void **state)
{
	(void)state;
	struct dump *d = parse_detected(&lldb_parser,
		"* thread #1, name = 'seek_min_ex', stop reason = signal SIGSTOP\n"
		"  * frame #0: 0x0000007f90d1e310 libpthread.so.0`__GI___pthread_timedjoin_ex(threadid=547876274640, thread_return=0x0000000000000000, a\n"
		"bstime=0x0000000000000000, block=false) at pthread_join_common.c:89\n"
		"    frame #1: 0x0000007f90c3e128 libstdc++.so.6`std::thread::join() + 32\n"
		"  thread #2, name = 'seek_min_ex', stop reason = signal SIGSTOP\n"
		"    frame #0: 0x0000007f90d26690 libpthread.so.0`__lll_lock_wait(futex=0x0000007f8828db40, private=0) at lowlevellock.c:46\n"
		"    frame #1: 0x0000007f90d1f7d8 libpthread.so.0`__GI___pthread_mutex_lock(mutex=0x0000007f8828db40) at pthread_mutex_lock.c:115\n"
		"    frame #4: 0x0000007f90e1c69c libgstreamer-1.0.so.0\n"
		"    frame #43: 0x0000005564228638 seek_min_ex`std::thread::_State_impl<std::thread::_Invoker<std::tuple<main(int, char**)::<lambda()> >\n"
		" > >::_M_run(this=0x000000558c276af0) const at thread:186\n");
	assert_int_equal(d->nthreads, 2);
	struct thread *t = d->threads[0];
	assert_string_equal(t->frames[0].args, "threadid=547876274640, thread_return=0x0000000000000000, abstime=0x0000000000000000, block=false");
	assert_string_equal(t->frames[0].file, "pthread_join_common.c");
	assert_string_equal(t->frames[1].function, "std::thread::join()");
	struct thread *u = d->threads[1];
	assert_string_equal(u->waiting_on->id, "0x7f8828db40");
	assert_null(u->frames[2].function);
	assert_string_equal(u->frames[2].module, "libgstreamer-1.0.so.0");
	assert_string_equal(u->frames[3].file, "thread");
	assert_int_equal(u->frames[3].line, 186);
	dump_free(d);

	d = parse_detected(&lldb_parser,
		"(lldb) bt\n"
		"* thread #1, queue = 'com.apple.main-thread', stop reason = hit program \n"
		"assert\n"
		"     frame #0: 0x000000018a669388 libsystem_kernel.dylib`__pthread_kill + 8\n"
		"   * frame #4: 0x000000010057ddc4 qemu_cpu_kick(cpu=0x0000000130218000) \n"
		"at cpus.c:496:5\n"
		"     frame #5: 0x00000001000106ec \n"
		"queue_work_on_cpu(cpu=0x0000000130218000, wi=0x000060000038c000) at \n"
		"cpu-common.c:140:5\n");
	t = d->threads[0];
	assert_string_equal(t->state, "hit program assert");
	assert_string_equal(d->crash->signal, "SIGABRT");
	assert_ptr_equal(d->crash->thread, t);
	assert_int_equal(t->nframes, 3);
	assert_string_equal(t->frames[1].function, "qemu_cpu_kick");
	assert_int_equal(t->frames[1].line, 496);
	assert_string_equal(t->frames[2].function, "queue_work_on_cpu");
	assert_string_equal(t->frames[2].file, "cpu-common.c");
	dump_free(d);
}

/* DWARF warnings first, '...' elisions, [inlined] frames, a macOS crash, a cjdb source listing. */
static void test_elisions_inlines_crash(void **state)
{
	(void)state;
	struct dump *d = parse_detected(&lldb_parser,
		"(lldb) bt all\n"
		"warning: (arm) /b/libcozmo_engine.so 0x11164f000217ea: DW_AT_specification(0x00001321) has no decl\n"
		"\n"
		"* thread #1, name = 'vic-engine', stop reason = signal SIGSTOP\n"
		"    frame #0: 0xb6be3814 libc.so.6`nanosleep + 68\n"
		"  * frame #2: 0x7f5632d6 vic-engine\n"
		"  thread #2, name = 'civetweb-master', stop reason = signal SIGSTOP\n"
		"    frame #0: 0xb6c10314 libc.so.6`__poll + 68\n"
		"    ...\n"
		"thread #495, name = 'Attach Listener', stop reason = signal SIGSTOP\n"
		"    frame #0: 0x00007f55484973dc libc.so.6`__GI___lll_lock_wait [inlined] futex_wait(private=0, expected=2, futex_word=0x00007f5548a12320) at futex-internal.h:146:13\n"
		"    frame #1: 0x00007f55484973c6 libc.so.6`__GI___lll_lock_wait(futex=0x00007f5548a12320, private=0) at lowlevellock.c:50:7\n"
		"    frame #2: 0x00007f554849dff1 libc.so.6`___pthread_mutex_lock [inlined] lll_mutex_lock_optimized(mutex=0x00007f5548a12320) at pthread_mutex_lock.c:49:5\n"
		"* thread #7, name = 'worker', stop reason = EXC_BAD_ACCESS (code=1, address=0x0)\n"
		"    frame #0: 0x0000000100003f50 a.out`crash(p=0x0000000000000000) at c.c:3:6\n"
		"   3   \tvoid crash(int *p) {\n"
		"-> 4   \t  *p = 1;\n");
	assert_int_equal(d->nthreads, 4);
	assert_true(d->threads[1]->frames_truncated);
	assert_string_equal(d->threads[0]->frames[1].module, "vic-engine");
	struct thread *t = d->threads[2];
	assert_string_equal(t->id, "495");
	assert_string_equal(t->frames[0].function, "futex_wait");
	assert_int_equal(t->frames[0].kind, FRAME_INLINE);
	assert_string_equal(t->frames[2].function, "lll_mutex_lock_optimized");
	assert_string_equal(t->waiting_on->id, "0x7f5548a12320");
	assert_int_equal(t->waiting_on->kind, LOCK_PTHREAD_MUTEX);
	struct thread *c = d->threads[3];
	assert_int_equal(c->nframes, 1);
	assert_string_equal(d->crash->signal, "SIGSEGV");
	assert_string_equal(d->crash->code, "EXC_BAD_ACCESS");
	assert_true(d->crash->has_address);
	assert_int_equal(d->crash->address, 0);
	assert_ptr_equal(d->crash->thread, c);
	dump_free(d);
}

static void test_every_prefix(void **state)
{
	(void)state;
	every_prefix(&lldb_parser, abba_lldb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bt_all),
		cmocka_unit_test(test_wrapped_lines),
		cmocka_unit_test(test_elisions_inlines_crash),
		cmocka_unit_test(test_every_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
