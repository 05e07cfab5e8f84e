/* A two-thread program that dies of a null-pointer write (SIGSEGV) while a
 * second thread sleeps: the smallest core worth taking apart. */
#include <pthread.h>
#include <unistd.h>

static void *idle(void *arg)
{
	pause();
	return arg;
}

static void crash(volatile int *p)
{
	*p = 42;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, idle, NULL);
	usleep(10000);
	crash(NULL);
	return 0;
}
