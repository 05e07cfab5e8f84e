/* A child process per input (isolate.h). */
#include "analyzer/isolate.h"

#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>
#include <zlib.h>

#include "analyzer/lib/path.h"
#include "analyzer/model/dump.h"

/* Where the child's fatal signal hit: written by its handler, read by the parent. */
struct fault {
	volatile uint64_t pc;
	volatile int signo;
};

static struct fault *fault_page;

static void on_fatal(int sig, siginfo_t *si, void *ucv)
{
	(void)si;
	ucontext_t *uc = ucv;
	uint64_t pc = 0;
#if defined(__x86_64__)
	pc = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	pc = (uint64_t)uc->uc_mcontext.pc;
#else
	(void)uc;
#endif
	fault_page->pc = pc;
	fault_page->signo = sig;
	/* SA_RESETHAND: returning re-runs the faulting instruction, which now kills */
}

/* In the child: note where a fatal signal hits (a stack overflow too: on an alternate stack). */
static void watch_faults(void)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };
	stack_t ss = { .ss_size = 64 << 10 };
	ss.ss_sp = malloc(ss.ss_size);
	if (ss.ss_sp)
		sigaltstack(&ss, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
}

/* "SIGSEGV in libdw.so.1": the object the fault's address lies in (the child had the parent's maps). */
static void describe_fault(int sig, struct strbuf *why)
{
	const char *name = signal_name(sig);
	strbuf_addf(why, "analysis crashed (%s", name ? name : "a signal");
	Dl_info info;
	if (fault_page->signo == sig && fault_page->pc &&
	    dladdr((void *)(uintptr_t)fault_page->pc, &info) && info.dli_fname && *info.dli_fname)
		strbuf_addf(why, " in %s", path_basename(info.dli_fname));
	strbuf_addch(why, ')');
}

void isolate_test_fault(const char *subject)
{
	const char *spec = getenv("MORTEM_TEST_ANALYSIS_FAULT");
	const char *colon = spec ? strrchr(spec, ':') : NULL;
	if (!colon || colon == spec || !subject)
		return;
	char *needle = strndup(spec, (size_t)(colon - spec));
	bool hit = needle && strstr(subject, needle);
	free(needle);
	if (hit && !strcmp(colon + 1, "crash")) {
		volatile uintptr_t bad = 4096; /* never mapped */
		(void)crc32(0, (const Bytef *)bad, 64);
	}
	if (hit && !strcmp(colon + 1, "hang"))
		for (;;)
			pause();
}

/* Waits for PID, at most TIMEOUT seconds (0: no limit); returns its wait status, or -1 on time-out. */
static int wait_child(pid_t pid, int timeout)
{
	int status = 0;
	int pfd = timeout > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	if (pfd >= 0) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		int r;
		do
			r = poll(&p, 1, timeout * 1000);
		while (r < 0 && errno == EINTR);
		close(pfd);
		if (r == 0) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

int isolate_run(isolate_fn *fn, void *ctx, int out, int timeout, struct strbuf *why)
{
	if (!fault_page) {
		void *m = mmap(NULL, sizeof(*fault_page), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return fn(ctx, out);
		fault_page = m;
	}
	fault_page->pc = 0;
	fault_page->signo = 0;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return fn(ctx, out);
	if (pid == 0) {
		watch_faults();
		exit(fn(ctx, out)); /* exit, not _exit: the sanitizers' leak check runs here too */
	}
	int status = wait_child(pid, timeout);
	if (status == -1) {
		strbuf_addf(why, "analysis timed out after %d s (--timeout)", timeout);
		return -1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		describe_fault(WTERMSIG(status), why);
	else
		strbuf_adds(why, "analysis ended abnormally");
	return -1;
}
