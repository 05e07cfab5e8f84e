/*
 * A log shipper: a worker thread writes records into a pipe nobody drains
 * and blocks in write(); a watchdog that finds it stuck kills it with
 * SIGSEGV (as some supervisors do to get a core). The crash is inside
 * write(): the system call never returned, so this is no EINTR crash.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int fds[2];

static void *ship_records(void *arg)
{
	static char record[4096];
	(void)arg;
	memset(record, 'r', sizeof(record));
	for (;;)
		if (write(fds[1], record, sizeof(record)) < 0)
			return NULL;
}

int main(void)
{
	pthread_t shipper;
	if (pipe(fds))
		return 1;
	pthread_create(&shipper, NULL, ship_records, NULL);
	sleep(1); /* the watchdog's patience */
	pthread_kill(shipper, SIGSEGV);
	pthread_join(shipper, NULL);
	return 0;
}
