/*
 * Two threads take two mutexes in opposite order and deadlock (ABBA).
 *
 * With an argument, a small real core for the fuzz targets' seeds
 * (tests/fuzz/run.sh): the threads get 64 KiB stacks, the core keeps only
 * anonymous private memory and ELF headers (coredump_filter), and once both
 * threads block the main thread dies: "abort" aborts, "segv" writes through
 * a null pointer.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;

static void *take_a_then_b(void *arg)
{
	pthread_mutex_lock(&lock_a);
	pthread_barrier_wait(&both_hold_one);
	pthread_mutex_lock(&lock_b);
	return arg;
}

static void *take_b_then_a(void *arg)
{
	pthread_mutex_lock(&lock_b);
	pthread_barrier_wait(&both_hold_one);
	pthread_mutex_lock(&lock_a);
	return arg;
}

/* The seed mode's small core: little memory in it, small thread stacks. */
static void small_core(pthread_attr_t *attr)
{
	FILE *f = fopen("/proc/self/coredump_filter", "w");
	if (f) {
		fputs("0x11", f);
		fclose(f);
	}
	pthread_attr_setstacksize(attr, 64 * 1024);
}

int main(int argc, char **argv)
{
	pthread_t x, y;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	const char *die = argc > 1 ? argv[1] : NULL;
	if (die)
		small_core(&attr);
	/* the lock addresses, for tests that compare them with a dump's lock ids */
	printf("lock_a=%p lock_b=%p\n", (void *)&lock_a, (void *)&lock_b);
	fflush(stdout);
	pthread_barrier_init(&both_hold_one, NULL, 2);
	pthread_create(&x, &attr, take_a_then_b, NULL);
	pthread_create(&y, &attr, take_b_then_a, NULL);
	if (die) {
		usleep(200 * 1000); /* both threads block in pthread_mutex_lock */
		if (!strcmp(die, "segv")) {
			volatile int *null = NULL;
			*null = 1;
		}
		abort();
	}
	pthread_join(x, NULL);
	pthread_join(y, NULL);
	return 0;
}
