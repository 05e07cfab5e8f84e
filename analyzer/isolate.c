/* Inputs analyzed in a child process (isolate.h). */
#include "analyzer/isolate.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>
#include <zlib.h>

#include "analyzer/lib/fdio.h"
#include "analyzer/lib/path.h"
#include "analyzer/lib/xalloc.h"
#include "analyzer/model/dump.h"

/* Where the child's fatal signal hit: written by its handler, read by the parent. */
struct fault {
	volatile uint64_t pc;
	volatile int signo;
	volatile int analyzed;  /* isolate_analysis_done was called */
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
	static char altstack[64 << 10];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	sigaltstack(&ss, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
}

/* "SIGSEGV in libdw.so.1": the object the fault's address lies in (the child had the parent's maps). */
static void describe_fault(const char *what, int sig, struct strbuf *why)
{
	const char *name = signal_name(sig);
	strbuf_addf(why, "%s crashed (%s", what, name ? name : "a signal");
	Dl_info info;
	if (fault_page->signo == sig && fault_page->pc &&
	    dladdr((void *)(uintptr_t)fault_page->pc, &info) && info.dli_fname && *info.dli_fname)
		strbuf_addf(why, " in %s", path_basename(info.dli_fname));
	strbuf_addch(why, ')');
}

static void test_fault(const char *var, const char *subject, bool late)
{
	const char *spec = getenv(var);
	const char *colon = spec ? strrchr(spec, ':') : NULL;
	if (!colon || colon == spec || !subject)
		return;
	char *needle = strndup(spec, (size_t)(colon - spec));
	bool hit = needle && strstr(subject, needle);
	free(needle);
	if (hit && !strcmp(colon + 1, late ? "crash-late" : "crash")) {
		volatile uintptr_t bad = 4096; /* never mapped */
		(void)crc32(0, (const Bytef *)bad, 64);
	}
	if (hit && !late && !strcmp(colon + 1, "hang"))
		for (;;)
			pause();
}

void isolate_test_fault(const char *subject)
{
	test_fault("MORTEM_TEST_ANALYSIS_FAULT", subject, false);
}

void isolate_test_late_fault(const char *subject)
{
	test_fault("MORTEM_TEST_ANALYSIS_FAULT", subject, true);
}

void isolate_test_walker_fault(const char *subject)
{
	test_fault("MORTEM_TEST_WALKER_FAULT", subject, false);
}

static bool in_child;

bool isolate_in_child(void)
{
	return in_child;
}

bool isolate_disabled(void)
{
	const char *inproc = getenv("MORTEM_IN_PROCESS");
	return inproc && !strcmp(inproc, "1");
}

struct isolate {
	isolate_fn *fn;
	void *ctx;
	int out;
	int timeout;
	bool in_process;
	pid_t pid;      /* the child, or 0 */
	int req, resp;  /* pipes to and from it */
	int last_signal;
	bool last_analyzed;
	struct isolate_watch watch; /* .serve NULL: none */
};

void isolate_watch(struct isolate *s, const struct isolate_watch *w)
{
	s->watch = *w;
}

void isolate_analysis_done(void)
{
	if (fault_page)
		fault_page->analyzed = 1;
}

int isolate_last_signal(const struct isolate *s)
{
	return s->last_signal;
}

bool isolate_last_after_analysis(const struct isolate *s)
{
	return s->last_analyzed;
}

struct isolate *isolate_new(isolate_fn *fn, void *ctx, int out, int timeout)
{
	struct isolate *s = xcalloc(1, sizeof(*s));
	*s = (struct isolate){ .fn = fn, .ctx = ctx, .out = out, .timeout = timeout,
			       .req = -1, .resp = -1, .watch = { .what = "analysis", .fd = -1 } };
	s->in_process = isolate_disabled();
	if (!fault_page) {
		void *m = mmap(NULL, sizeof(*fault_page), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (m != MAP_FAILED)
			fault_page = m;
	}
	return s;
}

static int read_int(int fd, int *v)
{
	return fd_read_full(fd, v, sizeof(*v));
}

static int write_int(int fd, int v)
{
	return fd_write_full(fd, &v, sizeof(v));
}

static void __attribute__((noreturn)) child_loop(struct isolate *s)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM); /* a parent killed takes its child along (the browser restores the terminal) */
	watch_faults();
	in_child = true;
	int n;
	while (read_int(s->req, &n) == 0 && n >= 0) {
		int rc = s->fn(s->ctx, n, s->out);
		fflush(NULL);
		if (write_int(s->resp, rc) < 0)
			break;
	}
#if defined(__SANITIZE_ADDRESS__)
	exit(0); /* the leak check runs at exit: in the child too */
#else
	_exit(0); /* exit() would tear down what the parent built (the rules) for nothing */
#endif
}

static bool start_child(struct isolate *s)
{
	int req[2], resp[2];
	if (!fault_page || pipe2(req, O_CLOEXEC) < 0)
		return false;
	if (pipe2(resp, O_CLOEXEC) < 0) {
		close(req[0]), close(req[1]);
		return false;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(req[0]), close(req[1]), close(resp[0]), close(resp[1]);
		return false;
	}
	if (pid == 0) {
		close(req[1]), close(resp[0]);
		s->req = req[0];
		s->resp = resp[1];
		child_loop(s);
	}
	close(req[0]), close(resp[1]);
	s->pid = pid;
	s->req = req[1];
	s->resp = resp[0];
	return true;
}

/* Reaps the child (killing it first when KILL_IT); returns its wait status. */
static int stop_child(struct isolate *s, bool kill_it)
{
	int status = 0;
	if (kill_it)
		kill(s->pid, SIGKILL);
	close(s->req);
	close(s->resp);
	while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
		;
	s->pid = 0;
	s->req = s->resp = -1;
	return status;
}

/*
 * Waits for the child's answer (or its end), at most the timeout: 1 there,
 * 0 not in time. What the child says on the watch's descriptor is served
 * first: all it said before it answered or died is served by then.
 */
static int await_answer(struct isolate *s)
{
	struct pollfd p[2] = { { .fd = s->resp, .events = POLLIN },
			       { .fd = s->watch.serve ? s->watch.fd : -1, .events = POLLIN } };
	for (;;) {
		int r = poll(p, 2, s->timeout > 0 ? s->timeout * 1000 : -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0 && p[1].revents) {
			s->watch.serve(s->watch.ctx);
			continue;
		}
		if (r != 0)
			return 1;
		if (!s->watch.moved || !s->watch.moved(s->watch.ctx))
			return 0;
	}
}

int isolate_call(struct isolate *s, int n, struct strbuf *why)
{
	if (s->in_process || (!s->pid && !start_child(s)))
		return s->fn(s->ctx, n, s->out);
	fault_page->pc = 0;
	fault_page->signo = 0;
	fault_page->analyzed = 0;
	s->last_signal = 0;
	s->last_analyzed = false;
	int rc;
	if (write_int(s->req, n) == 0) {
		int ready = await_answer(s);
		if (ready && read_int(s->resp, &rc) == 0)
			return rc;
		if (!ready) {
			stop_child(s, true);
			s->last_signal = SIGKILL;
			strbuf_addf(why, "%s timed out after %d s%s (--timeout)", s->watch.what,
				    s->timeout, s->watch.moved ? " without progress" : "");
			return -1;
		}
	}
	int status = stop_child(s, false);
	s->last_analyzed = fault_page->analyzed;
	if (WIFSIGNALED(status))
		s->last_signal = WTERMSIG(status);
	if (WIFSIGNALED(status))
		describe_fault(s->watch.what, WTERMSIG(status), why);
	else if (WIFEXITED(status))
		strbuf_addf(why, "%s ended with exit status %d", s->watch.what, WEXITSTATUS(status));
	else
		strbuf_addf(why, "%s ended abnormally", s->watch.what);
	return -1;
}

void isolate_free(struct isolate *s)
{
	/*
	 * Told to end rather than left to see the end of its pipe: a process
	 * forked since (a triage worker) may hold a copy of that pipe.
	 */
	if (s && s->pid && write_int(s->req, -1) == 0)
		stop_child(s, false);
	else if (s && s->pid)
		stop_child(s, true);
	free(s);
}
