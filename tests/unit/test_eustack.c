/* The eu-stack parser on the formats eu-stack prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "parsers/parser.h"

static struct dump *parse(const char *text)
{
	struct input in;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(input_from_memory(&in, "t", text, strlen(text), NULL, &err), 0);
	struct mortem_opts o = MORTEM_OPTS_INIT;
	assert_ptr_equal(parser_detect(&in), &eustack_parser);
	struct dump *d = dump_new("t");
	assert_int_equal(eustack_parser.parse(d, &in, &o, &err), 0);
	input_close(&in);
	strbuf_release(&err);
	return d;
}

static void test_source_and_inlines(void **state)
{
	(void)state;
	struct dump *d = parse("PID 7 - process\n"
			       "TID 8:\n"
			       "#0  0x00007f5d1056112b futex_wait\n"
			       "    ../sysdeps/nptl/futex-internal.h:146:13\n"
			       "#1  0x00007f5d1056112b __GI___lll_lock_wait\n"
			       "    ./nptl/lowlevellock.c:49:7\n"
			       "#2  0x000055b83ffdc206 t1\n"
			       "    /tmp/dl.c:5:48\n");
	assert_int_equal(d->process.pid, 7);
	assert_int_equal(d->nthreads, 1);
	struct thread *t = d->threads[0];
	assert_string_equal(t->id, "8");
	assert_int_equal(t->tid, 8);
	assert_int_equal(t->nframes, 3);
	assert_int_equal(t->frames[0].kind, FRAME_INLINE);
	assert_int_equal(t->frames[1].kind, FRAME_NATIVE);
	assert_string_equal(t->frames[2].file, "/tmp/dl.c");
	assert_int_equal(t->frames[2].line, 5);
	assert_int_equal(t->frames[2].column, 48);
	assert_int_equal(t->frames[2].pc, 0x55b83ffdc206ULL);
	dump_free(d);
}

static void test_module_buildid_activation(void **state)
{
	(void)state;
	struct dump *d = parse("PID 7 - core\n"
			       "TID 7:\n"
			       "#0  0x00007f5d10560f16     __poll - /usr/lib/libc.so.6\n"
			       "    [93ac61ec]@0x7f5d104db000+0x85f16\n"
			       "    ./poll.c:57:12\n"
			       "#1  0x000055b83ffdc0b7 - 1 main - /tmp/dl\n"
			       "#2  0x00007f2764a91279 io_getevents - /usr/lib/libaio.so.1   ../src/io.c:29:10\n"
			       "#3  0x00007f27642dc253 ??() - /usr/lib/libstdc++.so.6\n");
	struct thread *t = d->threads[0];
	assert_int_equal(t->nframes, 4);
	assert_string_equal(t->frames[0].function, "__poll");
	assert_string_equal(t->frames[0].module, "/usr/lib/libc.so.6");
	assert_int_equal(t->frames[0].module_offset, 0x85f16);
	assert_string_equal(t->frames[0].file, "./poll.c");
	assert_string_equal(t->frames[1].function, "main");
	assert_string_equal(t->frames[1].module, "/tmp/dl");
	assert_string_equal(t->frames[2].file, "../src/io.c");
	assert_int_equal(t->frames[2].line, 29);
	assert_null(t->frames[3].function);
	dump_free(d);
}

static void test_truncation_note_and_snapshots(void **state)
{
	(void)state;
	struct dump *d = parse("PID 1 - core\nTID 1:\n#0  0x1 a\n"
			       "eu-stack: tid 1: shown max number of frames (1, use -n 0 for unlimited)\n\n"
			       "PID 1 - core\nTID 1:\n#0  0x1 b\n#1  0x2 c\n");
	assert_int_equal(d->input.snapshots, 2);
	assert_int_equal(d->nthreads, 1);
	assert_int_equal(d->threads[0]->nframes, 2);
	assert_int_equal(d->input.nwarnings, 1);
	dump_free(d);
}

static void test_every_prefix_parses(void **state)
{
	(void)state;
	const char *text = "PID 7 - process\nTID 8:\n#0  0x00007f5d1056112b futex_wait - /lib/libc.so\n"
			   "    [ab]@0x1+0x2\n    x.c:1:2\nTID 9:\n#0  0x1 - 1 f\n";
	size_t n = strlen(text);
	for (size_t cut = 1; cut <= n; cut++) {
		struct input in;
		struct strbuf err = STRBUF_INIT;
		input_from_memory(&in, "t", text, cut, NULL, &err);
		struct mortem_opts o = MORTEM_OPTS_INIT;
		struct dump *d = dump_new("t");
		assert_int_equal(eustack_parser.parse(d, &in, &o, &err), 0);
		dump_free(d);
		input_close(&in);
		strbuf_release(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_and_inlines),
		cmocka_unit_test(test_module_buildid_activation),
		cmocka_unit_test(test_truncation_note_and_snapshots),
		cmocka_unit_test(test_every_prefix_parses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
