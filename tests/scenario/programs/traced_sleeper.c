/* A process that already has a tracer (its parent, through PTRACE_TRACEME):
   nobody else may ptrace it. It sleeps until killed. */
#include <sys/ptrace.h>
#include <unistd.h>

int main(void)
{
	ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	for (;;)
		sleep(60);
}
