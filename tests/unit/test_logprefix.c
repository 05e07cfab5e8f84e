/* The log-prefix pre-pass: prefixes and padding go, clean dumps of every format stay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <unistd.h>

#include "parsers/text/logprefix.h"
#include "textparse.h"

static int clean(const char *text, struct strbuf *out, struct logprefix_result *res)
{
	struct input in = INPUT_INIT;
	in.data = (const unsigned char *)text;
	in.len = strlen(text);
	return logprefix_clean(&in, out, res);
}

static void expect_untouched(const char *in)
{
	struct strbuf out = STRBUF_INIT;
	struct logprefix_result res = LOGPREFIX_RESULT_INIT;
	if (clean(in, &out, &res))
		fail_msg("changed (shape \"%s\"):\n%s", res.shape.buf, in);
	strbuf_release(&out);
	logprefix_result_release(&res);
}

static void expect_cleaned(const char *in, const char *want)
{
	struct strbuf out = STRBUF_INIT;
	struct logprefix_result res = LOGPREFIX_RESULT_INIT;
	if (clean(in, &out, &res) != 1)
		fail_msg("not cleaned:\n%s", in);
	assert_string_equal(out.buf, want);
	strbuf_release(&out);
	logprefix_result_release(&res);
}

static void test_clean_inputs_untouched(void **state)
{
	(void)state;
	/* gdb bt: "#N  " on every line must not be taken for a prefix */
	expect_untouched("#0  0x00007f5d1056112b in futex_wait () at futex.c:146\n"
			 "#1  0x00007f5d10567482 in __GI___lll_lock_wait () at lowlevellock.c:49\n"
			 "#2  0x000055b83ffdc206 in t1 (arg=0x0) at dl.c:5\n"
			 "#3  0x00007f5d1055a1c4 in start_thread () at pthread_create.c:442\n");
	expect_untouched("PID 7 - process\nTID 8:\n#0  0x00007f5d1056112b futex_wait\n"
			 "#1  0x00007f5d10567482 __GI___lll_lock_wait\n#2  0x000055b83ffdc206 t1\n");
	expect_untouched("Full thread dump OpenJDK 64-Bit Server VM (17 mixed mode):\n\n"
			 "\"main\" #1 prio=5 tid=0x1 nid=0x10 runnable [0x0]\n"
			 "   java.lang.Thread.State: RUNNABLE\n"
			 "\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)\n\tat a.B.e(B.java:3)\n"
			 "\tat a.B.f(B.java:4)\n\tat a.B.g(B.java:5)\n");
	expect_untouched("  * thread #1, name = 'a.out', stop reason = signal SIGSEGV\n"
			 "  * frame #0: 0x0000000100003f2c a.out`main at x.c:3:5\n"
			 "    frame #1: 0x000000018e0d60e0 dyld`start + 2360\n"
			 "    frame #2: 0x000000018e0d60e1 dyld`start + 2361\n");
	expect_untouched("3XMTHREADINFO      \"main\" J9VMThread:0x1, state:R, prio=5\n"
			 "4XESTACKTRACE                at app/Main.run(Main.java:12)\n"
			 "4XESTACKTRACE                at app/Main.main(Main.java:2)\n");
	/* lines that are all "prefix" ([New LWP n]) are not a prefix of a payload */
	expect_untouched("[root@db12 ~]# gdb -p 1\n[New LWP 12]\n[New LWP 13]\n[New LWP 14]\n"
			 "[Thread debugging using libthread_db enabled]\n#0  0x1 in poll ()\n");
	expect_untouched("{\"threadDump\": {\"threadContainers\": []}}\n");
	expect_untouched("\177ELF\002\001\001\0\0\0");
}

static void test_prefixes_removed(void **state)
{
	(void)state;
	expect_cleaned("2024-01-02 10:11:12,345 INFO  [main] \"a\" #1 prio=5\r\n"
		       "2024-01-02 10:11:12,346 INFO  [main]    java.lang.Thread.State: RUNNABLE\r\n"
		       "2024-01-02 10:11:12,347 INFO  [worker-2] \tat a.B.c(B.java:1)\r\n"
		       "2024-01-02 10:11:13,001 WARN  [main] \tat a.B.d(B.java:2)\r\n",
		       "\"a\" #1 prio=5\n   java.lang.Thread.State: RUNNABLE\n"
		       "\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)\n");
	expect_cleaned("Nov 23 15:56:25 host app[1234]: Thread 2 (LWP 12):\n"
		       "Nov 23 15:56:25 host app[1234]: #0  0x1 in poll ()\n"
		       "Nov 23 15:56:26 host app[1234]: #1  0x2 in main ()\n",
		       "Thread 2 (LWP 12):\n#0  0x1 in poll ()\n#1  0x2 in main ()\n");
	expect_cleaned("[pid  4711] #0  0x1 in poll ()\n[pid  4711] #1  0x2 in main ()\n"
		       "[pid  4711] #2  0x3 in _start ()\n",
		       "#0  0x1 in poll ()\n#1  0x2 in main ()\n#2  0x3 in _start ()\n");
	/* a log's lines of one width, each ending mid-token before the next line's
	 * prefix, are a prefixed log, not a hard-wrapped paste */
	expect_cleaned("2024-01-15 10:30:01,001 INFO  [main] \tat a.B.c(B.java:1)\n"
		       "2024-01-15 10:30:02,002 INFO  [main] \tat a.B.d(B.java:2)\n"
		       "2024-01-15 10:30:03,003 INFO  [main] \tat a.B.e(B.java:3)\n"
		       "2024-01-15 10:30:04,004 INFO  [main] \tat a.B.f(B.java:4)\n",
		       "\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)\n"
		       "\tat a.B.e(B.java:3)\n\tat a.B.f(B.java:4)\n");
	/* a cut last line stays cut, and padding goes */
	expect_cleaned("a  \nb\t\nc   \nd", "a\nb\nc\nd");
}

/* Console pastes hard-wrapped at 40 columns are joined back; look-alikes are not. */
static void test_wrapped_pastes(void **state)
{
	(void)state;
	/* 40 columns: three headers cut mid-token (one inside nid=0x271), one at a space */
	expect_cleaned("\"a\" #1 prio=5 os_prio=0 tid=0x7f01 nid=0x2\n"
		       "71 waiting on condition\n"
		       "   java.lang.Thread.State: WAITING\n"
		       "\"bb\" #2 prio=5 os_prio=0 tid=0x7f02 nid=0x\n"
		       "272 runnable\n"
		       "\"ccc\" #3 prio=5 os_prio=0 tid=0x7f0 nid=0x\n"
		       "273 runnable\n"
		       "\"d\" #4 prio=5 os_prio=0 tid=0x7 nid=0x274\n"
		       "runnable\n",
		       "\"a\" #1 prio=5 os_prio=0 tid=0x7f01 nid=0x271 waiting on condition\n"
		       "   java.lang.Thread.State: WAITING\n"
		       "\"bb\" #2 prio=5 os_prio=0 tid=0x7f02 nid=0x272 runnable\n"
		       "\"ccc\" #3 prio=5 os_prio=0 tid=0x7f0 nid=0x273 runnable\n"
		       "\"d\" #4 prio=5 os_prio=0 tid=0x7 nid=0x274 runnable\n");
	struct strbuf out = STRBUF_INIT;
	struct logprefix_result res = LOGPREFIX_RESULT_INIT;
	assert_int_equal(clean("0123456789012345678901234567890123456789012\nxx\n"
			       "abcdefghijabcdefghijabcdefghijabcdefghijabc\nyy\n"
			       "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABC\nzz\n", &out, &res), 1);
	assert_int_equal(res.wrap_width, 43);
	assert_int_equal(res.unwrapped_lines, 3);
	strbuf_release(&out);
	logprefix_result_release(&res);
	/* one long line a dump repeats is no wrap */
	expect_untouched("\tat org.example.Handler.operationPrepared(Handler.java:384)\nx\n"
			 "\tat org.example.Handler.operationPrepared(Handler.java:384)\ny\n"
			 "\tat org.example.Handler.operationPrepared(Handler.java:384)\nz\n");
	/* lines of one width that end at a word, then a new line: a fixed-width format */
	expect_untouched("#0  0x0000000000401136 in a () at a.c:1 from liba\n"
			 "#1  0x0000000000401137 in b () at b.c:1 from libb\n"
			 "#2  0x0000000000401138 in c () at c.c:1 from libc\n"
			 "#3  0x0000000000401139 in d () at d.c:1\n");
}

/*
 * A prefixed log of 12 MB in a file: cleaned from its mapping (read ahead,
 * its pages given back) as from memory, and wrapped the same way; the
 * mapping holds the file's bytes after both passes.
 */
static void test_mapped_input(void **state)
{
	(void)state;
	struct strbuf text = STRBUF_INIT, wrapped = STRBUF_INIT;
	for (int i = 0; text.len < (12u << 20); i++)
		strbuf_addf(&text,
			    "2024-01-02 10:11:%02d,%03d INFO  [main] \"t-%d\" #%d prio=5 nid=0x%x runnable\n"
			    "2024-01-02 10:11:%02d,%03d INFO  [main]    java.lang.Thread.State: RUNNABLE\n"
			    "2024-01-02 10:11:%02d,%03d WARN  [w-%d] \tat a.B.m%d(B.java:%d)\n",
			    i % 60, i % 1000, i, i, i, i % 60, (i + 1) % 1000, i % 60, (i + 2) % 1000, i % 7,
			    i % 97, i);
	for (int i = 0; wrapped.len < (12u << 20); i++) /* a paste wrapped at 40 columns */
		strbuf_addf(&wrapped, "\"w\" #1 prio=5 os_prio=0 tid=0x%04x nid=0x2\n71 waiting on condition\n",
			    i % 0x10000);
	const struct strbuf *cases[] = { &text, &wrapped };
	for (size_t c = 0; c < 2; c++) {
		char path[256];
		struct input mapped, mem = INPUT_INIT;
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		mapped_input(&mapped, path, cases[c]->buf, cases[c]->len);
		mem.data = (const unsigned char *)cases[c]->buf;
		mem.len = cases[c]->len;
		struct logprefix_result ra = LOGPREFIX_RESULT_INIT, rb = LOGPREFIX_RESULT_INIT;
		assert_int_equal(logprefix_clean(&mapped, &a, &ra), 1);
		assert_int_equal(logprefix_clean(&mem, &b, &rb), 1);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.buf, b.buf, a.len);
		assert_int_equal(ra.prefixed_lines, rb.prefixed_lines);
		assert_int_equal(ra.unwrapped_lines, rb.unwrapped_lines);
		assert_true(c ? ra.unwrapped_lines > 0 : ra.prefixed_lines > 0);
		assert_memory_equal(mapped.data, cases[c]->buf, cases[c]->len);
		logprefix_result_release(&ra);
		logprefix_result_release(&rb);
		strbuf_release(&a);
		strbuf_release(&b);
		input_close(&mapped);
		unlink(path);
	}
	strbuf_release(&text);
	strbuf_release(&wrapped);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_inputs_untouched),
		cmocka_unit_test(test_prefixes_removed),
		cmocka_unit_test(test_wrapped_pastes),
		cmocka_unit_test(test_mapped_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
