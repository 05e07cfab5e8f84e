/* The hs_err parser: header, sections, frames and their kinds, threads, truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "parsers/parser.h"
#include "textparse.h"

/* Parses the first LEN bytes of TEXT as hs_err; a whole text must also be detected as one. */
static struct dump *parse_hserr(const char *text, size_t len)
{
	if (len == strlen(text))
		assert_ptr_equal(detect(text), &hserr_parser);
	return parse_n(&hserr_parser, text, len);
}

static struct dump *parse(const char *text)
{
	return parse_hserr(text, strlen(text));
}

static const char LOG[] =
	"#\n"
	"# A fatal error has been detected by the Java Runtime Environment:\n"
	"#\n"
	"#  SIGSEGV (0xb) at pc=0x00007f504a219e0a, pid=31802, tid=31803\n"
	"#\n"
	"# JRE version: OpenJDK Runtime Environment (21.0.9+10) (build 21.0.9+10-LTS)\n"
	"# Problematic frame:\n"
	"# V  [libjvm.so+0x1019e0a]  Unsafe_GetByte+0xaa\n"
	"#\n"
	"\n"
	"---------------  S U M M A R Y ------------\n"
	"\n"
	"Command Line: -Xmx1g TestCrash\n"
	"\n"
	"Host: AMD EPYC 7R13 Processor, 2 cores, 7G\n"
	"Time: Wed Nov 19 11:35:33 2025 UTC elapsed time: 0.030176 seconds (0d 0h 0m 0s)\n"
	"\n"
	"---------------  T H R E A D  ---------------\n"
	"\n"
	"Current thread (0x00007f504402ab40):  JavaThread \"main\" [_thread_in_vm, id=31803, stack(0x00007f5049052000,0x00007f5049152000) (1024K)]\n"
	"\n"
	"Stack: [0x00007f5049052000,0x00007f5049152000],  sp=0x00007f50491507c0,  free space=1017k\n"
	"Native frames: (J=compiled Java code, j=interpreted, Vv=VM code, C=native code)\n"
	"V  [libjvm.so+0x1019e0a]  Unsafe_GetByte+0xaa\n"
	"j  sun.misc.Unsafe.getByte(J)B+4 jdk.unsupported@21.0.9\n"
	"J 3285 c2 java.util.AbstractList.subListRangeCheck(III)V java.base@21.0.9 (110 bytes) @ 0x00007f5032f38cc6 [0x00007f5032f38c00+0x00000000000000c6]\n"
	"v  ~StubRoutines::call_stub 0x00007f5032f38cc6\n"
	"C  [libjli.so+0xa886]  JavaMain+0xfd6\n"
	"C  0x0000000000000000\n"
	"Java frames: (J=compiled Java code, j=interpreted, Vv=VM code)\n"
	"j  sun.misc.Unsafe.getByte(J)B+4 jdk.unsupported@21.0.9\n"
	"\n"
	"siginfo: si_signo: 11 (SIGSEGV), si_code: 1 (SEGV_MAPERR), si_addr: 0x0000000000000000\n"
	"\n"
	"Registers:\n"
	"RAX=0x0000000000000000, RBX=0x00007f504402ab40, RCX=0x0000000000000000, RDX=0x0000000000000000\n"
	"RSP=0x00007f50491507c0, RBP=0x00007f50491507e0, RSI=0x00007f5049150898, RDI=0x00007f504402aef8\n"
	"RIP=0x00007f504a219e0a, EFLAGS=0x0000000000010246, CSGSFS=0x002b000000000033, ERR=0x0000000000000004\n"
	"\n"
	"---------------  P R O C E S S  ---------------\n"
	"\n"
	"Java Threads: ( => current thread )\n"
	"=>0x00007f504402ab40 JavaThread \"main\"                              [_thread_in_vm, id=31803, stack(0x00007f5049052000,0x00007f5049152000) (1024K)]\n"
	"  0x00007f504413bd30 JavaThread \"Reference Handler\"          daemon [_thread_blocked, id=31811, stack(0x00007f502976b000,0x00007f502986b000) (1024K)]\n"
	"Total: 2\n"
	"\n"
	"Other Threads:\n"
	"  0x00007f5044130740 VMThread \"VM Thread\"                           [id=31810, stack(0x00007f50298c5000,0x00007f50299c5000) (1024K)]\n"
	"  0x0000000001a44800 WatcherThread [stack: 0x00007f95d508c000,0x00007f95d518c000] [id=13684]\n"
	"\n"
	"VM state: not at safepoint (normal execution)\n"
	"\n"
	"VM Mutex/Monitor currently owned by a thread:  ([mutex/lock_event])\n"
	"[0x0000000000afd080] Threads_lock - owner thread: 0x00007f5044130740\n"
	"\n"
	"Events (2 events):\n"
	"Event: 0.010 Loading class java/lang/Object\n"
	"\n"
	"Dynamic libraries:\n"
	"55602566a000-55602566b000 r-xp 00000000 103:03 117440805                 /usr/lib/jvm/java-21-openjdk/bin/java\n"
	"7f5049200000-7f5049300000 r--p 00000000 103:03 1                         /usr/lib/jvm/java-21-openjdk/lib/server/libjvm.so\n"
	"7f5049300000-7f504a600000 r-xp 00100000 103:03 1                         /usr/lib/jvm/java-21-openjdk/lib/server/libjvm.so\n"
	"\n"
	"VM Arguments:\n"
	"java_command: TestCrash\n"
	"\n"
	"---------------  S Y S T E M  ---------------\n"
	"\n"
	"OS:\n"
	"Red Hat Enterprise Linux release 10.0 (Coughlan)\n";

static bool has_section(struct dump *d, const char *title)
{
	for (size_t i = 0; i < d->nsections; i++)
		if (!strcmp(d->sections[i]->title, title))
			return true;
	return false;
}

static void test_whole_log(void **state)
{
	(void)state;
	struct dump *d = parse(LOG);
	assert_int_equal(d->process.pid, 31802);
	assert_string_equal(d->process.runtime, "jvm");
	assert_string_equal(d->process.cmdline, "-Xmx1g TestCrash");
	assert_non_null(d->process.host);
	assert_non_null(strstr(d->process.runtime_version, "21.0.9"));
	struct crash *c = d->crash;
	assert_non_null(c);
	assert_string_equal(c->signal, "SIGSEGV");
	assert_int_equal(c->signo, 11);
	assert_string_equal(c->code, "SEGV_MAPERR");
	assert_true(c->has_address);
	assert_int_equal(c->address, 0);
	assert_int_equal(d->nthreads, 4);
	struct thread *m = named(d, "main");
	assert_ptr_equal(c->thread, m);
	assert_string_equal(m->id, "31803");
	assert_true(m->crashed);
	assert_string_equal(m->state, "_thread_in_vm");
	assert_int_equal(m->regs->pc, 0x00007f504a219e0aULL);
	assert_int_equal(m->nframes, 6); /* Java frames repeat the native ones */
	assert_int_equal(m->frames[0].kind, FRAME_VM);
	assert_string_equal(m->frames[0].function, "Unsafe_GetByte");
	assert_int_equal(m->frames[0].offset, 0xaa);
	assert_string_equal(m->frames[0].module, "libjvm.so");
	assert_int_equal(m->frames[0].module_offset, 0x1019e0a);
	assert_int_equal(m->frames[0].pc, 0x7f5049200000ULL + 0x1019e0a);
	assert_int_equal(m->frames[1].kind, FRAME_INTERPRETED);
	assert_string_equal(m->frames[1].function, "sun.misc.Unsafe.getByte");
	assert_string_equal(m->frames[1].module, "jdk.unsupported@21.0.9");
	assert_int_equal(m->frames[2].kind, FRAME_JIT);
	assert_string_equal(m->frames[2].function, "java.util.AbstractList.subListRangeCheck");
	assert_int_equal(m->frames[2].pc, 0x00007f5032f38cc6ULL);
	assert_int_equal(m->frames[3].kind, FRAME_STUB);
	assert_string_equal(m->frames[3].function, "~StubRoutines::call_stub");
	assert_int_equal(m->frames[4].kind, FRAME_NATIVE);
	assert_string_equal(m->frames[4].function, "JavaMain");
	assert_true(m->frames[5].has_pc);
	assert_true(named(d, "Reference Handler")->daemon);
	struct thread *vm = named(d, "VM Thread");
	assert_int_equal(vm->nholds, 1);
	assert_string_equal(vm->holds[0]->label, "Threads_lock");
	assert_string_equal(named(d, "WatcherThread")->id, "13684");
	assert_int_equal(d->nmodules, 2);
	assert_string_equal(d->modules[1]->name, "libjvm.so");
	assert_int_equal(d->modules[1]->end, 0x7f504a600000ULL);
	assert_true(has_section(d, "Header"));
	assert_true(has_section(d, "Registers"));
	assert_true(has_section(d, "Dynamic libraries"));
	assert_true(has_section(d, "Events (2 events)"));
	assert_true(has_section(d, "OS"));
	assert_int_equal(d->input.nwarnings, 0);
	dump_free(d);
}

static void test_internal_error_and_oom(void **state)
{
	(void)state;
	struct dump *d = parse("#\n# A fatal error has been detected by the Java Runtime Environment:\n#\n"
			       "#  Internal Error (os_windows_x86.cpp:149), pid=3048, tid=13292\n"
			       "#  guarantee(result == EXCEPTION_CONTINUE_EXECUTION) failed: Unexpected result\n"
			       "#\n# JRE version: 6.0_29-b11\n");
	assert_string_equal(d->crash->reason, "Internal Error (os_windows_x86.cpp:149)");
	assert_non_null(strstr(d->crash->abort_message, "guarantee("));
	assert_string_equal(d->crash->thread->id, "13292");
	dump_free(d);
	d = parse("#\n# There is insufficient memory for the Java Runtime Environment to continue.\n"
		  "# Native memory allocation (mmap) failed to map 65536 bytes for committing reserved memory.\n"
		  "#  Out of Memory Error (os_linux.cpp:2832), pid=2677663, tid=2677664\n");
	assert_string_equal(d->crash->reason, "Out of Memory Error (os_linux.cpp:2832)");
	assert_non_null(strstr(d->crash->abort_message, "Native memory allocation"));
	dump_free(d);
	d = parse("#\n# A fatal error has been detected by the Java Runtime Environment:\n#\n"
		  "#  EXCEPTION_ACCESS_VIOLATION (0xc0000005) at pc=0x00007ffd2f8ebff0, pid=7, tid=2308\n"
		  "\nsiginfo: EXCEPTION_ACCESS_VIOLATION (0xc0000005), reading address 0xffffffffffffffff\n\n"
		  "Dynamic libraries:\n"
		  "0x00007ff6a1c30000 - 0x00007ff6a1c3a000 \tC:\\jdk\\bin\\java.exe\n");
	assert_string_equal(d->crash->signal, "EXCEPTION_ACCESS_VIOLATION");
	assert_int_equal(d->crash->address, 0xffffffffffffffffULL);
	assert_string_equal(d->modules[0]->name, "java.exe");
	dump_free(d);
}

/* JDK 8 writes the compiler of a compiled frame in capitals: "J 473 C2 java.util.jar.JarFile.getEntry(...)". */
static void test_jdk8_compiled_frames(void **state)
{
	(void)state;
	struct dump *d = parse("#\n# A fatal error has been detected by the Java Runtime Environment:\n#\n"
			       "#  SIGSEGV (0xb) at pc=0x00007fa2a0e16667, pid=9, tid=0x00007fa1e2cf9700\n#\n"
			       "\nStack: [0x00007fa1e2bf9000,0x00007fa1e2cfa000],  sp=0x00007fa1e2cf6d38\n"
			       "Native frames: (J=compiled Java code, j=interpreted, Vv=VM code, C=native code)\n"
			       "J 302  java.util.zip.ZipFile.getEntry(J[BZ)J (0 bytes) @ 0x00007fa287303dce [0x00007fa287303d00+0xce]\n"
			       "J 473 C2 java.util.jar.JarFile.getEntry(Ljava/lang/String;)Ljava/util/zip/ZipEntry; (22 bytes) @ 0x00007fa2873a5e94 [0x00007fa2873a5b40+0x354]\n"
			       "J 4848 C1 jeus.deploy.InputJarArchive.getEntry(Ljava/lang/String;)Ljava/io/InputStream; (104 bytes) @ 0x00007fa28763726c [0x00007fa2876371c0+0xac]\n");
	struct thread *t = d->crash->thread;
	assert_non_null(t);
	assert_int_equal(t->nframes, 3);
	assert_string_equal(t->frames[0].function, "java.util.zip.ZipFile.getEntry");
	assert_string_equal(t->frames[1].function, "java.util.jar.JarFile.getEntry");
	assert_string_equal(t->frames[2].function, "jeus.deploy.InputJarArchive.getEntry");
	assert_int_equal(t->frames[2].pc, 0x00007fa28763726cULL);
	dump_free(d);
}

static void test_truncation_every_byte(void **state)
{
	(void)state;
	size_t len = strlen(LOG);
	for (size_t k = 1; k < len; k++) {
		struct dump *d = parse_hserr(LOG, k);
		assert_true(d->nthreads <= 4);
		if (k > (size_t)(strstr(LOG, "tid=31803") - LOG) + 9 && !d->crash)
			fail_msg("cut at %zu: the crash is lost", k);
		dump_free(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_log),
		cmocka_unit_test(test_internal_error_and_oom),
		cmocka_unit_test(test_jdk8_compiled_frames),
		cmocka_unit_test(test_truncation_every_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
