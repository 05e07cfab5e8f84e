/* The JSON thread dumps: jcmd Thread.dump_to_file and Spring Boot actuator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/parser.h"

static struct dump *parse(const char *text, const struct parser *want)
{
	struct input in;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(input_from_memory(&in, "t", text, strlen(text), NULL, &err), 0);
	struct mortem_opts o = MORTEM_OPTS_INIT;
	assert_ptr_equal(parser_detect(&in), want);
	struct dump *d = dump_new("t");
	assert_int_equal(want->parse(d, &in, &o, &err), 0);
	input_close(&in);
	strbuf_release(&err);
	return d;
}

static const char JCMD[] =
	"{\"threadDump\": {\"processId\": \"4242\", \"runtimeVersion\": \"25+36\",\n"
	" \"threadContainers\": [\n"
	"  {\"container\": \"<root>\", \"threads\": [\n"
	"   {\"tid\": \"22\", \"name\": \"a\", \"state\": \"WAITING\",\n"
	"    \"parkBlocker\": {\"object\": \"java.util.concurrent.locks.ReentrantLock$NonfairSync@7ee152a3\", \"owner\": \"23\"},\n"
	"    \"stack\": [\"java.base/jdk.internal.misc.Unsafe.park(Native Method)\", \"Dl.lambda$main$0(Dl.java:6)\"],\n"
	"    \"monitorsOwned\": [{\"depth\": 1, \"locks\": [\"java.lang.Object@7f1d1d06\"]}]},\n"
	"   {\"tid\": \"23\", \"name\": \"b\", \"state\": \"BLOCKED\", \"blockedOn\": \"java.lang.Object@7f1d1d06\",\n"
	"    \"stack\": [\"Dl.lambda$main$1(Dl.java:7)\"]}]},\n"
	"  {\"container\": \"java.util.concurrent.ThreadPerTaskExecutor@1\", \"threads\": [\n"
	"   {\"tid\": \"31\", \"virtual\": true, \"name\": \"\", \"stack\": []}]}]}}\n";

static void test_jcmd(void **state)
{
	(void)state;
	struct dump *d = parse(JCMD, &jcmd_json_parser);
	assert_int_equal(d->process.pid, 4242);
	assert_string_equal(d->process.runtime_version, "25+36");
	assert_int_equal(d->nthreads, 3);
	struct thread *a = d->threads[0], *b = d->threads[1];
	assert_string_equal(a->id, "22");
	assert_string_equal(a->frames[0].function, "jdk.internal.misc.Unsafe.park");
	assert_string_equal(a->frames[1].file, "Dl.java");
	assert_int_equal(a->frames[1].line, 6);
	assert_int_equal(a->waiting_on->kind, LOCK_JUC_SYNC);
	assert_ptr_equal(a->waiting_on->owner, b); /* parkBlocker.owner */
	assert_ptr_equal(b->waiting_on->owner, a); /* monitorsOwned */
	assert_string_equal(b->waiting_on->id, "java.lang.Object@7f1d1d06");
	assert_string_equal(d->threads[2]->id, "31"); /* a virtual thread */
	dump_free(d);
}

static void test_actuator(void **state)
{
	(void)state;
	struct dump *d = parse(
		"HTTP/1.1 200 \nContent-Type: application/json\n\n"
		"{\"threads\":[{\"threadName\":\"x\",\"threadId\":17,\"daemon\":false,\"threadState\":\"TIMED_WAITING\","
		"\"lockInfo\":null,\"lockedMonitors\":[{\"className\":\"java.lang.Object\",\"identityHashCode\":1534989453,"
		"\"lockedStackDepth\":2}],\"lockedSynchronizers\":[],"
		"\"stackTrace\":[{\"className\":\"java.lang.Thread\",\"methodName\":\"sleep\",\"fileName\":\"Thread.java\","
		"\"lineNumber\":-2,\"nativeMethod\":true,\"moduleName\":\"java.base\",\"moduleVersion\":\"17\"}]},"
		"{\"threadName\":\"y\",\"threadId\":18,\"daemon\":true,\"threadState\":\"BLOCKED\","
		"\"lockInfo\":{\"className\":\"java.lang.Object\",\"identityHashCode\":1534989453},"
		"\"lockedMonitors\":[],\"lockedSynchronizers\":[],\"stackTrace\":[]}]}\n",
		&actuator_json_parser);
	assert_int_equal(d->nthreads, 2);
	struct thread *x = d->threads[0], *y = d->threads[1];
	assert_string_equal(x->id, "17");
	assert_string_equal(x->frames[0].function, "java.lang.Thread.sleep");
	assert_string_equal(x->frames[0].module, "java.base@17");
	assert_int_equal(x->frames[0].line, 0);
	assert_true(y->daemon);
	assert_string_equal(y->waiting_on->id, "java.lang.Object@5b7e148d");
	assert_ptr_equal(y->waiting_on->owner, x);
	dump_free(d);
}

/* Cut at every byte: the thread objects complete before the cut, and a note. */
static void test_cut_json(void **state)
{
	(void)state;
	size_t len = strlen(JCMD);
	const char *end_a = strstr(JCMD, "]}]},") + 4; /* thread 22's object ends */
	const char *end_b = strstr(end_a, "(Dl.java:7)\"]}") + strlen("(Dl.java:7)\"]}");
	for (size_t k = 20; k < len - 3; k++) {
		char *cut = strndup(JCMD, k);
		struct dump *d = parse(cut, &jcmd_json_parser);
		size_t expect = (size_t)(end_a - JCMD) <= k ? 1 : 0;
		if ((size_t)(end_b - JCMD) <= k)
			expect = 2;
		if (d->nthreads < expect || d->nthreads > 3)
			fail_msg("cut at %zu: %zu threads, expected %zu", k, d->nthreads, expect);
		assert_int_equal(d->input.nwarnings, 1);
		assert_non_null(strstr(d->input.warnings[0], "ended early"));
		dump_free(d);
		free(cut);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jcmd),
		cmocka_unit_test(test_actuator),
		cmocka_unit_test(test_cut_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
