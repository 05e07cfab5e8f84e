/*
 * A queued-signal storm, for -p under signal load (hostile_signals):
 *   sigstorm target         eight threads take SIGRTMIN+1 and count them;
 *                           once they came and then none for 2 s, prints
 *                           "received N"
 *   sigstorm send PID       sigqueue()s SIGRTMIN+1 to PID as fast as the
 *                           queue takes them, until SIGTERM; prints "sent N"
 * Every queued real-time signal is delivered once: a count short of what
 * was sent is a signal lost (by a tracer that took it and never gave it
 * back).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic long received;
static volatile sig_atomic_t stop;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	received++;
}

static void *taker(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static int target(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGRTMIN + 1, &sa, NULL);
	for (int i = 0; i < 7; i++) {
		pthread_t t;
		pthread_create(&t, NULL, taker, NULL);
	}
	printf("ready\n");
	fflush(stdout);
	long last = 0;
	double quiet_since = now();
	for (;;) {
		usleep(10000);
		long r = received;
		if (r != last) {
			last = r;
			quiet_since = now();
		} else if (r && now() - quiet_since > 2) {
			break;
		}
	}
	printf("received %ld\n", (long)received);
	return 0;
}

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int sender(pid_t pid)
{
	signal(SIGTERM, on_term);
	union sigval v = { .sival_int = 0 };
	long sent = 0;
	while (!stop) {
		v.sival_int = (int)sent;
		if (sigqueue(pid, SIGRTMIN + 1, v) == 0) {
			sent++;
		} else if (errno == EAGAIN) {
			usleep(100); /* the queue is full */
		} else {
			perror("sigqueue");
			return 1;
		}
	}
	printf("sent %ld\n", sent);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "target"))
		return target();
	if (argc == 3 && !strcmp(argv[1], "send"))
		return sender((pid_t)atoi(argv[2]));
	fprintf(stderr, "usage: sigstorm target | sigstorm send PID\n");
	return 2;
}
