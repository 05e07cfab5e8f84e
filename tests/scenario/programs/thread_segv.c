/* A second thread writes through a null pointer (SIGSEGV at address 0),
 * once the main thread sleeps in pthread_join (so the dump shows the join). */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

static volatile int *target;

/* Whether the main thread (the process's first task) is asleep. */
static int main_sleeps(void)
{
	char state = 0;
	FILE *f = fopen("/proc/self/stat", "r");
	if (!f)
		return 1;
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = 'S';
	fclose(f);
	return state == 'S';
}

static void *write_null(void *arg)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	for (int i = 0; i < 500 && !main_sleeps(); i++)
		nanosleep(&tick, NULL);
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
