/* A crash inside a signal handler: SIGALRM interrupts nanosleep in main,
   and the handler dereferences NULL. The stack must go through the signal
   trampoline (__restore_rt) into the interrupted code. */
#include <signal.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

static volatile int *slot;

static void __attribute__((noinline)) on_alarm(int sig)
{
	*slot = sig; /* crash: slot is NULL */
}

static void __attribute__((noinline)) wait_for_alarm(void)
{
	struct timespec ts = { 10, 0 };
	nanosleep(&ts, NULL);
}

int main(void)
{
	signal(SIGALRM, on_alarm);
	alarm(1);
	wait_for_alarm();
	return 0;
}
