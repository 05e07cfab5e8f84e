/*
 * A small real core for the core fuzz targets' seeds (tests/fuzz/run.sh):
 * two threads with 64 KiB stacks deadlock ABBA, then the main thread aborts
 * (or, with the argument "segv", writes through a null pointer).
 * The core (written by the kernel) holds the notes of three threads, the
 * lock words the lock graph reads and the ELF headers for build-ids, in well
 * under libFuzzer's max_len: coredump_filter keeps anonymous private memory
 * and ELF headers only.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
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

int main(int argc, char **argv)
{
	FILE *f = fopen("/proc/self/coredump_filter", "w");
	if (f) {
		fputs("0x11", f); /* anonymous private memory, ELF headers */
		fclose(f);
	}
	pthread_attr_t small;
	pthread_attr_init(&small);
	pthread_attr_setstacksize(&small, 64 * 1024);
	pthread_barrier_init(&both_hold_one, NULL, 2);
	pthread_t x, y;
	pthread_create(&x, &small, take_a_then_b, NULL);
	pthread_create(&y, &small, take_b_then_a, NULL);
	usleep(200 * 1000); /* both threads block in pthread_mutex_lock */
	if (argc > 1 && argv[1][0] == 's') {
		volatile int *null = NULL;
		*null = 1;
	}
	abort();
}
