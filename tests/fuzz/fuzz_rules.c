/*
 * libFuzzer target for the rule-file parser (signatures/rules.c): the bytes
 * are a rule file (--rules); every error must be a "ORIGIN:LINE: message"
 * line, and whatever compiles is applied to a small real-shaped dump.
 */
#include "fuzz_common.h"

#include "signatures/rules.h"

static struct dump *sample_dump(void)
{
	struct dump *d = dump_new("sample");
	d->input.format = "gdb";
	struct thread *t = dump_add_thread(d, "101");
	t->tid = 101;
	t->crashed = true;
	t->state = "R (running)";
	static const char *const fns[] = { "raise", "abort", "__assert_fail", "Foo::bar(int)",
					   "pthread_mutex_lock", "main" };
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		struct frame *f = thread_add_frame(d, t);
		f->function = fns[i];
		f->module = i < 3 ? "libc.so.6" : "app";
		f->pc = 0x1000 + i;
		f->has_pc = true;
	}
	struct crash *c = dump_crash(d);
	c->signal = "SIGABRT";
	c->signo = 6;
	c->thread = t;
	c->abort_message = "app.c:12: main: Assertion `x' failed.";
	struct lock *l = dump_lock(d, "0x1234", LOCK_PTHREAD_MUTEX);
	thread_wait_on(d, dump_add_thread(d, "102"), l);
	thread_hold(d, t, l);
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset *rs = ruleset_new();
	struct strbuf errs = STRBUF_INIT, err = STRBUF_INIT;
	int n = ruleset_add_text(rs, "fuzz.rules", (const char *)data, size, &errs);
	if ((n > 0) != (errs.len > 0) || (errs.len && errs.buf[errs.len - 1] != '\n')) {
		fprintf(stderr, "%d errors but messages '%.*s'\n", n, (int)errs.len, errs.buf);
		abort();
	}
	struct dump *d = sample_dump();
	if (ruleset_apply(rs, d, &err) < 0)
		fuzz_check_error(&err);
	fuzz_render(d);
	dump_free(d);
	ruleset_free(rs);
	strbuf_release(&errs);
	strbuf_release(&err);
	return 0;
}
