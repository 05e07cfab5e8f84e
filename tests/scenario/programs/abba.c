/* Two threads take two mutexes in opposite order and deadlock (ABBA). */
#include <pthread.h>
#include <stdio.h>
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

int main(void)
{
	pthread_t x, y;
	/* the lock addresses, for tests that compare them with a dump's lock ids */
	printf("lock_a=%p lock_b=%p\n", (void *)&lock_a, (void *)&lock_b);
	fflush(stdout);
	pthread_barrier_init(&both_hold_one, NULL, 2);
	pthread_create(&x, NULL, take_a_then_b, NULL);
	pthread_create(&y, NULL, take_b_then_a, NULL);
	pthread_join(x, NULL);
	pthread_join(y, NULL);
	return 0;
}
