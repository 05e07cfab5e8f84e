/* triage_pool: answers that arrive together, a worker that dies or hangs: each artifact answered once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/model/options.h"
#include "analyzer/triage/triage_pool.h"
#include "tests/unit/tempfile.h"

struct seen {
	size_t n;
	size_t tags[32];
	char *records[32];
	char *errors[32];
};

static void on_done(void *ctx, size_t tag, const char *record, const char *summary,
		    const char *error)
{
	(void)summary;
	struct seen *s = ctx;
	assert_true(s->n < 32);
	s->tags[s->n] = tag;
	s->records[s->n] = record ? strdup(record) : NULL;
	s->errors[s->n] = error ? strdup(error) : NULL;
	s->n++;
}

static void seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->records[i]);
		free(s->errors[i]);
	}
}

/* Submits a small text artifact named after NAME (not a dump: a "skipped" record) as TAG. */
static void submit(struct pool *p, const char *name, size_t tag)
{
	char path[256];
	int fd = temp_file(path, name);
	unlink(path);
	static const char text[] = "nothing to see here\n";
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	pool_submit(p, fd, sizeof(text) - 1, path, tag);
	close(fd);
}

/* The entry of S for TAG. */
static size_t of_tag(const struct seen *s, size_t tag)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->tags[i] == tag)
			return i;
	fail_msg("no completion for tag %zu", tag);
	return 0;
}

/* A pool of WORKERS with TIMEOUT whose workers misbehave on paths with FAULT ("SUBSTRING:crash|hang"). */
static struct pool *start(struct seen *s, int workers, int timeout, const char *fault)
{
	static const struct mortem_opts o = { 0 };
	setenv("MORTEM_TEST_WORKER_FAULT", fault, 1);
	return pool_start(workers, &o, timeout, NULL, on_done, s);
}

static void finish(struct pool *p)
{
	pool_finish(p);
	unsetenv("MORTEM_TEST_WORKER_FAULT");
}

/* TAG was answered: a record, no error. */
static void expect_answered(const struct seen *s, size_t tag)
{
	size_t k = of_tag(s, tag);
	if (!s->records[k])
		fail_msg("tag %zu failed: %s", tag, s->errors[k]);
	assert_null(s->errors[k]);
}

/* TAG failed with WHY, no record. */
static void expect_failed(const struct seen *s, size_t tag, const char *why)
{
	size_t k = of_tag(s, tag);
	assert_null(s->records[k]);
	assert_string_equal(s->errors[k], why);
}

static void test_answers_together(void **state)
{
	(void)state;
	struct seen s = { 0 };
	struct pool *p = start(&s, 1, 0, "");
	submit(p, "a", 7);
	submit(p, "b", 8);
	usleep(500 * 1000); /* both answered before the parent reads: one read takes both */
	finish(p);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.tags[0], 7);
	assert_int_equal(s.tags[1], 8);
	for (int i = 0; i < 2; i++) {
		assert_non_null(s.records[i]);
		assert_non_null(strstr(s.records[i], "\"status\":\"skipped\""));
	}
	seen_free(&s);
}

static void test_worker_dies(void **state)
{
	(void)state;
	struct seen s = { 0 };
	struct pool *p = start(&s, 1, 0, "-boom-:crash");
	submit(p, "ok1", 1);
	submit(p, "-boom-", 2); /* kills its worker */
	submit(p, "ok3", 3);    /* waits behind it: goes to the next worker */
	finish(p);
	assert_int_equal(s.n, 3); /* each once */
	expect_failed(&s, 2, "analysis killed by SIGSEGV");
	expect_answered(&s, 1);
	expect_answered(&s, 3);
	seen_free(&s);
}

/* A worker answered one artifact and died on the next before the parent read it: the answer counts. */
static void test_answer_before_death(void **state)
{
	(void)state;
	struct seen s = { 0 };
	struct pool *p = start(&s, 1, 0, "-boom-:crash");
	submit(p, "ok1", 1);
	submit(p, "-boom-", 2);
	usleep(500 * 1000); /* 1 answered, unread; 2 killed the worker */
	submit(p, "ok3", 3); /* the worker is found gone */
	finish(p);
	assert_int_equal(s.n, 3);
	expect_answered(&s, 1);
	expect_failed(&s, 2, "analysis killed by SIGSEGV");
	expect_answered(&s, 3);
	seen_free(&s);
}

/* Two workers, twenty artifacts, one that kills its worker: every other one answered once. */
static void test_many_one_crash(void **state)
{
	(void)state;
	struct seen s = { 0 };
	struct pool *p = start(&s, 2, 0, "-boom-:crash");
	for (size_t tag = 0; tag < 20; tag++)
		submit(p, tag == 9 ? "-boom-" : "fine", tag);
	finish(p);
	assert_int_equal(s.n, 20);
	for (size_t tag = 0; tag < 20; tag++) {
		if (tag == 9)
			expect_failed(&s, tag, "analysis killed by SIGSEGV");
		else
			expect_answered(&s, tag);
	}
	seen_free(&s);
}

static void test_worker_hangs(void **state)
{
	(void)state;
	struct seen s = { 0 };
	struct pool *p = start(&s, 1, 1, "-stuck-:hang");
	submit(p, "-stuck-", 4);
	submit(p, "next", 5);
	finish(p);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.tags[0], 4);
	assert_string_equal(s.errors[0], "analysis timed out after 1 s (--timeout)");
	assert_int_equal(s.tags[1], 5);
	assert_non_null(s.records[1]);
	seen_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers_together),
		cmocka_unit_test(test_worker_dies),
		cmocka_unit_test(test_answer_before_death),
		cmocka_unit_test(test_many_one_crash),
		cmocka_unit_test(test_worker_hangs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
