/*
 * Real deadlocks for the lock graph, one per mode, made deterministic with
 * barriers. Usage: lockhang MODE OUTFILE. Once every thread is about to
 * block, OUTFILE gets one line per thread, "thread ROLE TID", and one per
 * lock, "lock NAME 0xADDRESS"; then the process hangs for good.
 *
 *   ring    three threads in a ring (L0 L1 L2); D holds Q and waits for L0;
 *           three bystanders queue on Q
 *   rwlock  A write-holds RW and wants M; B holds M and wants RW (read)
 *   self    one thread locks a default (non-recursive) mutex twice
 *   join    A holds M and joins B; B wants M
 *   loader  A, inside a dl_iterate_phdr callback (loader lock held), wants M;
 *           B holds M and unwinds with libunwind's unw_backtrace, which calls
 *           dl_iterate_phdr and waits for the loader lock
 *   arena   a thread allocates in a loop while a SIGPROF timer aimed at it
 *           runs a handler that allocates too (not async-signal-safe): once
 *           the signal lands while the thread holds its malloc arena lock,
 *           the handler waits for that lock forever (a self-deadlock); the
 *           main thread notices the stall and writes OUTFILE
 *   many N  N threads sleeping on condition variables, two of them in ABBA
 *           (for timing the analysis of a core with many threads)
 */
#define _GNU_SOURCE
#include <link.h>
#include <signal.h>
#include <time.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

static FILE *out;
static char out_tmp[4096], out_final[4096];
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t ready;        /* every blocking thread holds what it holds */
static pthread_mutex_t l[3] = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
				PTHREAD_MUTEX_INITIALIZER };
static pthread_mutex_t q = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_t join_target;

static void say(const char *role)
{
	pthread_mutex_lock(&out_lock);
	fprintf(out, "thread %s %d\n", role, (int)gettid());
	pthread_mutex_unlock(&out_lock);
}

static void lock_line(const char *name, const void *addr)
{
	fprintf(out, "lock %s %p\n", name, addr);
}

/* The last thread to arrive closes OUTFILE so the test can read it; each then blocks. */
static void arrive(void)
{
	if (pthread_barrier_wait(&ready) == PTHREAD_BARRIER_SERIAL_THREAD) {
		pthread_mutex_lock(&out_lock);
		fclose(out);
		rename(out_tmp, out_final);
		pthread_mutex_unlock(&out_lock);
	}
	usleep(100 * 1000); /* let the others reach their lock call first */
}

/* ---- ring ---- */

static void *ring_member(void *arg)
{
	long i = (long)arg;
	say("ring");
	pthread_mutex_lock(&l[i]);
	arrive();
	pthread_mutex_lock(&l[(i + 1) % 3]);
	return NULL;
}

static void *ring_holder(void *arg)
{
	say("holder");
	pthread_mutex_lock(&q);
	arrive();
	pthread_mutex_lock(&l[0]);
	return arg;
}

static void *ring_bystander(void *arg)
{
	say("bystander");
	arrive();
	usleep(100 * 1000);
	pthread_mutex_lock(&q);
	return arg;
}

/* ---- rwlock ---- */

static void *rw_writer(void *arg)
{
	say("writer");
	pthread_rwlock_wrlock(&rw);
	arrive();
	pthread_mutex_lock(&m);
	return arg;
}

static void *rw_reader(void *arg)
{
	say("reader");
	pthread_mutex_lock(&m);
	arrive();
	pthread_rwlock_rdlock(&rw);
	return arg;
}

/* ---- self ---- */

static void *self_relock(void *arg)
{
	say("self");
	pthread_mutex_lock(&m);
	arrive();
	pthread_mutex_lock(&m);
	return arg;
}

/* ---- join ---- */

static void *join_joiner(void *arg)
{
	say("joiner");
	pthread_mutex_lock(&m);
	arrive();
	pthread_join(join_target, NULL);
	return arg;
}

static void *join_joined(void *arg)
{
	say("joined");
	arrive();
	usleep(100 * 1000);
	pthread_mutex_lock(&m);
	return arg;
}

/* ---- loader ---- */

static int in_loader_callback(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)info;
	(void)size;
	(void)data;
	arrive();
	pthread_mutex_lock(&m); /* the loader lock is held here */
	return 1;
}

static void *loader_walker(void *arg)
{
	say("walker");
	dl_iterate_phdr(in_loader_callback, NULL);
	return arg;
}

static void *loader_unwinder(void *arg)
{
	void *pcs[64];
	say("unwinder");
	pthread_mutex_lock(&m);
	arrive();
	unw_backtrace(pcs, 64); /* libunwind -> dl_iterate_phdr -> the loader lock */
	return arg;
}

/* ---- arena ---- */

static volatile unsigned long progress;

static void on_prof(int sig)
{
	(void)sig;
	free(malloc(3000)); /* the bug: malloc in a signal handler */
}

static void *arena_allocator(void *arg)
{
	say("allocator");
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGPROF;
	sev._sigev_un._tid = gettid();
	timer_t tm;
	struct itimerspec its = { { 0, 50 * 1000 }, { 0, 50 * 1000 } };
	if (timer_create(CLOCK_MONOTONIC, &sev, &tm) || timer_settime(tm, 0, &its, NULL)) {
		perror("timer");
		exit(1);
	}
	for (unsigned i = 0;; i++) {
		/* larger than the tcache serves, so malloc and free take the arena lock */
		free(malloc(4000 + i % 4000));
		progress++;
	}
	return arg;
}

static void arena_watch(void)
{
	unsigned long last = progress;
	int still = 0;
	for (int i = 0; i < 300 && still < 3; i++) {
		usleep(50 * 1000);
		still = progress == last ? still + 1 : 0;
		last = progress;
	}
	fclose(out);
	rename(out_tmp, out_final);
}

/* ---- many ---- */

static void *many_sleeper(void *arg)
{
	pthread_mutex_t own = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t never = PTHREAD_COND_INITIALIZER;
	arrive();
	pthread_mutex_lock(&own);
	for (;;)
		pthread_cond_wait(&never, &own);
	return arg;
}

static void *many_ab(void *arg)
{
	long i = (long)arg;
	say(i ? "ba" : "ab");
	pthread_mutex_lock(&l[i]);
	arrive();
	pthread_mutex_lock(&l[!i]);
	return NULL;
}

static void start(void *(*fn)(void *), void *arg, pthread_t *tid)
{
	pthread_t t;
	if (pthread_create(tid ? tid : &t, NULL, fn, arg)) {
		perror("pthread_create");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: lockhang ring|rwlock|self|join|loader|arena|many OUTFILE [N]\n");
		return 2;
	}
	snprintf(out_final, sizeof(out_final), "%s", argv[2]);
	snprintf(out_tmp, sizeof(out_tmp), "%s.tmp", argv[2]);
	out = fopen(out_tmp, "w");
	if (!out)
		return 1;
	const char *mode = argv[1];
	fprintf(out, "thread main %d\n", (int)gettid());
	if (!strcmp(mode, "ring")) {
		pthread_barrier_init(&ready, NULL, 7);
		for (int i = 0; i < 3; i++)
			lock_line("L", &l[i]);
		lock_line("Q", &q);
		for (long i = 0; i < 3; i++)
			start(ring_member, (void *)i, NULL);
		start(ring_holder, NULL, NULL);
		for (int i = 0; i < 3; i++)
			start(ring_bystander, NULL, NULL);
	} else if (!strcmp(mode, "rwlock")) {
		pthread_barrier_init(&ready, NULL, 2);
		lock_line("RW", &rw);
		lock_line("M", &m);
		start(rw_writer, NULL, NULL);
		start(rw_reader, NULL, NULL);
	} else if (!strcmp(mode, "self")) {
		pthread_barrier_init(&ready, NULL, 1);
		lock_line("M", &m);
		start(self_relock, NULL, NULL);
	} else if (!strcmp(mode, "join")) {
		pthread_barrier_init(&ready, NULL, 2);
		lock_line("M", &m);
		start(join_joined, NULL, &join_target);
		start(join_joiner, NULL, NULL);
	} else if (!strcmp(mode, "loader")) {
		pthread_barrier_init(&ready, NULL, 2);
		lock_line("M", &m);
		start(loader_walker, NULL, NULL);
		start(loader_unwinder, NULL, NULL);
	} else if (!strcmp(mode, "arena")) {
		signal(SIGPROF, on_prof);
		start(arena_allocator, NULL, NULL);
		usleep(10 * 1000);
		arena_watch();
	} else if (!strcmp(mode, "many")) {
		int n = argc > 3 ? atoi(argv[3]) : 200;
		pthread_barrier_init(&ready, NULL, (unsigned)n);
		lock_line("A", &l[0]);
		lock_line("B", &l[1]);
		start(many_ab, (void *)0L, NULL);
		start(many_ab, (void *)1L, NULL);
		for (int i = 2; i < n; i++)
			start(many_sleeper, NULL, NULL);
	} else {
		fprintf(stderr, "lockhang: unknown mode '%s'\n", mode);
		return 2;
	}
	for (;;)
		pause(); /* the main thread sleeps, on nothing that is a lock */
}
