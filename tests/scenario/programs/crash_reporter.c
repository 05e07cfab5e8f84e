/*
 * A program with its own crash reporter: on SIGSEGV the handler forks a
 * child to collect a report and waits for it in waitpid(). The child takes
 * too long and its watchdog aborts the parent while it waits. The waitpid()
 * was made by the handler after the fault: no EINTR crash, and the crash
 * is the fault in store_record, not the reporter's wait.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void report_crash(int sig)
{
	(void)sig;
	pid_t child = fork();
	if (child == 0) {
		sleep(1); /* collecting the report... */
		kill(getppid(), SIGABRT);
		sleep(5);
		_exit(0);
	}
	int status;
	waitpid(child, &status, 0);
	_exit(1);
}

struct record {
	char name[32];
	long value;
};

static void __attribute__((noinline)) store_record(struct record *r, const char *name, long value)
{
	strcpy(r->name, name);
	r->value = value;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = report_crash;
	sigaction(SIGSEGV, &sa, NULL);
	struct record *table = NULL;
	store_record(&table[3], "total", 42);
	return 0;
}
