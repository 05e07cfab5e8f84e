/* memory_ops and errno through the live parser, on a child of this test:
   the child sets a global and errno, then sleeps; the parent snapshots it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "parsers/native/native.h"
#include "parsers/parser.h"

uint64_t mortem_test_marker = 0x1122334455667788ULL;

static char proc_state(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');
	return p && p[1] ? p[2] : 0;
}

/* After PTRACE_DETACH the thread restarts its pause(): sleeping again at once. */
static char settled_state(pid_t pid)
{
	for (int i = 0; i < 100 && proc_state(pid) != 'S'; i++)
		usleep(10000);
	return proc_state(pid);
}

static pid_t sleeping_child(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		mortem_test_marker = 0xfeedfacecafebeefULL;
		errno = EINTR;
		for (;;)
			pause();
	}
	for (int i = 0; i < 200 && proc_state(pid) != 'S'; i++)
		usleep(10000);
	usleep(50000);
	return pid;
}

static void test_live_memory(void **state)
{
	(void)state;
	pid_t pid = sleeping_child();
	assert_true(pid > 0);
	struct mortem_opts o = MORTEM_OPTS_INIT;
	o.pid = pid;
	struct dump *d = dump_new("pid");
	struct input in = INPUT_INIT;
	struct strbuf err = STRBUF_INIT;
	int rc = live_parser.parse(d, &in, &o, &err);
	if (rc < 0)
		fprintf(stderr, "live: %s\n", err.buf);
	assert_int_equal(rc, 0);
	assert_int_equal(settled_state(pid), 'S');
	assert_int_equal(d->nthreads, 1);
	assert_true(d->threads[0]->regs->valid);
	assert_int_equal(d->threads[0]->regs->syscall_nr, 34); /* pause */
	assert_non_null(d->mem);

	uint64_t addr, value = 0;
	assert_int_equal(d->mem->symbol(d->mem_ctx, NULL, "mortem_test_marker", &addr), 0);
	assert_int_equal(d->mem->read(d->mem_ctx, addr, &value, sizeof(value)), 0);
	assert_int_equal(value, 0xfeedfacecafebeefULL);
	assert_int_equal(d->mem->symbol(d->mem_ctx, "ld-linux", "_rtld_global", &addr), 0);
	assert_int_equal(d->mem->read(d->mem_ctx, addr, &value, sizeof(value)), 0);
	uint64_t loader_addr = 0;
	assert_int_equal(d->mem->symbol(d->mem_ctx, MEMORY_LOADER, "_rtld_global", &loader_addr), 0);
	assert_int_equal(loader_addr, addr);
	assert_int_equal(d->mem->symbol(d->mem_ctx, MEMORY_LOADER, "__abort_msg", &loader_addr), -1); /* libc's */
	assert_int_equal(d->mem->symbol(d->mem_ctx, "libc", "__abort_msg", &addr), 0);
	assert_int_equal(d->mem->symbol(d->mem_ctx, "libc.so.6", "__abort_msg", &addr), 0);
	assert_int_equal(d->mem->symbol(d->mem_ctx, NULL, "no_such_symbol_anywhere", &addr), -1);
	assert_int_equal(d->mem->symbol(d->mem_ctx, "libc", "mortem_test_marker", &addr), -1);
	assert_int_equal(d->mem->read(d->mem_ctx, 8, &value, sizeof(value)), -1);

	int e = 0;
	assert_int_equal(native_errno(d->mem_ctx, pid, &e), 0);
	assert_int_equal(e, EINTR);
	dump_free(d);
	strbuf_release(&err);
	assert_int_equal(settled_state(pid), 'S');
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_live_memory) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
