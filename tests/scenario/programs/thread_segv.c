/* A second thread writes through a null pointer (SIGSEGV at address 0). */
#include <pthread.h>
#include <stddef.h>

static volatile int *target;

static void *write_null(void *arg)
{
	*target = 1;
	return arg;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, write_null, NULL);
	pthread_join(t, NULL);
	return 0;
}
