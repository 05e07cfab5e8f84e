/* A worker thread crashes (NULL store) with errno EBADF set just before;
   two other threads sleep. Built -O0 -g: frames match the source. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static volatile int *target;

static void __attribute__((noinline)) store_value(int v)
{
	*target = v; /* crash: target is NULL */
}

static void __attribute__((noinline)) process_item(int v)
{
	close(-1); /* errno = EBADF */
	store_value(v + 1);
}

static void *worker(void *arg)
{
	usleep(200000);
	process_item(41);
	return arg;
}

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return arg;
}

int main(void)
{
	pthread_t s, w;
	pthread_create(&s, NULL, sleeper, NULL);
	pthread_create(&w, NULL, worker, NULL);
	pthread_join(w, NULL);
	puts("not reached");
	return 0;
}
