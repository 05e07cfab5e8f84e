/*
 * A FILE written on a thread of its own (analyzer/lib/asyncout.h): the
 * bytes arrive whole and in order, a small output makes no thread, and a
 * failed write comes back as -1 with its errno (/dev/full: ENOSPC).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/lib/asyncout.h"
#include "tempfile.h"

/* 60 chunks of 1 to 700,000 bytes, each byte a function of its place. */
static void test_chunks_arrive_in_order(void **state)
{
	(void)state;
	char path[256];
	int fd = temp_file(path, "asyncout");
	FILE *f = fdopen(fd, "w+");
	assert_non_null(f);
	struct asyncout a;
	asyncout_init(&a, f);
	struct strbuf out = STRBUF_INIT;
	size_t total = 0;
	unsigned seed = 7;
	for (int k = 0; k < 60; k++) {
		size_t n = 1 + (size_t)rand_r(&seed) % 700000;
		for (size_t i = 0; i < n; i++)
			strbuf_addch(&out, (char)('a' + (total + i) % 23));
		total += n;
		assert_int_equal(asyncout_take(&a, &out), 0);
		assert_int_equal(out.len, 0); /* emptied: a buffer of its own to fill */
	}
	strbuf_adds(&out, "tail");
	assert_int_equal(asyncout_take(&a, &out), 0);
	assert_true(a.started);
	assert_int_equal(asyncout_end(&a), 0);
	assert_int_equal(fflush(f), 0);
	rewind(f);
	size_t i = 0;
	int c;
	while (i < total && (c = fgetc(f)) != EOF) {
		assert_int_equal(c, 'a' + i % 23);
		i++;
	}
	assert_int_equal(i, total);
	char tail[8] = { 0 };
	assert_int_equal(fread(tail, 1, sizeof(tail), f), 4);
	assert_string_equal(tail, "tail");
	strbuf_release(&out);
	fclose(f);
	unlink(path);
}

/* Nothing handed over: no thread, nothing written, no error. */
static void test_nothing_taken_no_thread(void **state)
{
	(void)state;
	struct asyncout a;
	asyncout_init(&a, stdout);
	assert_false(a.started);
	assert_int_equal(asyncout_end(&a), 0);
}

/* A device that is always full: -1, errno ENOSPC, and later chunks dropped without blocking. */
static void test_failed_write_is_reported(void **state)
{
	(void)state;
	FILE *f = fopen("/dev/full", "w");
	if (!f)
		skip();
	struct asyncout a;
	asyncout_init(&a, f);
	struct strbuf out = STRBUF_INIT;
	char *mib = malloc(1 << 20);
	assert_non_null(mib);
	memset(mib, 'x', 1 << 20);
	int failed = 0;
	for (int k = 0; k < 8; k++) {
		strbuf_add(&out, mib, 1 << 20);
		failed |= asyncout_take(&a, &out) < 0;
	}
	free(mib);
	errno = 0;
	assert_int_equal(asyncout_end(&a), -1);
	assert_int_equal(errno, ENOSPC);
	assert_true(failed); /* the take after the first failed write says so */
	strbuf_release(&out);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunks_arrive_in_order),
		cmocka_unit_test(test_nothing_taken_no_thread),
		cmocka_unit_test(test_failed_write_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
