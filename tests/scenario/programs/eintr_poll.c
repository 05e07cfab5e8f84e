/*
 * The founding EINTR case in miniature. "sig": a profiler-style SIGPROF
 * timer (setitimer ITIMER_PROF, handler installed WITHOUT SA_RESTART)
 * interrupts poll(), which returns -1/EINTR, and the caller asserts on the
 * result instead of retrying. "nosig": no timer; poll times out and the
 * program dies differently (a null pointer in process_result).
 */
#include <assert.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t samples;

static void on_prof(int sig)
{
	(void)sig;
	samples++;
}

static void start_profiler(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_prof; /* no SA_RESTART, like many samplers */
	sigaction(SIGPROF, &sa, NULL);
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
	setitimer(ITIMER_PROF, &it, NULL);
}

/* A busy thread so the CPU-time timer ticks; it blocks SIGPROF, so the kernel delivers
 * the process-wide SIGPROF to the thread waiting in poll(), as a sampler's signal would. */
static void *burn(void *arg)
{
	(void)arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (volatile unsigned long spin = 0;; spin++)
		;
	return NULL;
}

#ifdef EXTRA
/* a rebuild with an unrelated function added moves every address */
__attribute__((noinline)) int unrelated_helper(int x)
{
	return x * 31 + 7;
}
#endif

struct result {
	int fd;
	int ready;
};

__attribute__((noinline)) static void process_result(struct result *r)
{
	r->ready = 1; /* r is NULL when nothing arrived */
}

__attribute__((noinline)) static int wait_for_input(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int rc = poll(&p, 1, timeout_ms);
	assert(rc >= 0 && "poll failed");
	return rc;
}

int main(int argc, char **argv)
{
	int fds[2];
	pthread_t t;
	if (pipe(fds) || pthread_create(&t, NULL, burn, NULL))
		return 1;
	int with_signals = argc > 1 && !strcmp(argv[1], "sig");
	if (with_signals)
		start_profiler();
	int rc = wait_for_input(fds[0], with_signals ? 5000 : 50);
	struct result *r = rc > 0 ? &(struct result){ fds[0], 0 } : NULL;
	process_result(r);
	printf("%d samples\n", (int)samples);
	return 0;
}
