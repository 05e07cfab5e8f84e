/*
 * Real crashes for the signature catalogue, one per mode:
 *   double-free  glibc's allocator aborts ("free(): double free detected")
 *   overflow     unbounded recursion runs off the stack (SIGSEGV)
 *   trap         __builtin_trap: an illegal instruction (SIGILL)
 *   sigbus       reading a mapped file after it was truncated (SIGBUS)
 *   unsafe       a signal handler blocks in stdio (fprintf to a full pipe)
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

__attribute__((noinline)) static void release_twice(char *p)
{
	free(p);
	free(p);
}

__attribute__((noinline)) static int descend(int depth, volatile char *prev)
{
	volatile char frame[256];
	frame[0] = (char)depth;
	frame[1] = prev ? prev[0] : 0;
	return descend(depth + 1, frame) + frame[2];
}

__attribute__((noinline)) static void check_invariant(int x)
{
	if (x > 0)
		__builtin_trap();
}

__attribute__((noinline)) static int read_mapped(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 65536))
		return -1;
	volatile char *m = mmap(NULL, 65536, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return -1;
	if (ftruncate(fd, 0)) /* someone rewrites the file while it is mapped */
		return -1;
	return m[4096];
}

static void on_alarm(int sig)
{
	fprintf(stdout, "tick %d\n", sig); /* not async-signal-safe: blocks on the full pipe */
	fflush(stdout);
}

__attribute__((noinline)) static void unsafe_handler(void)
{
	int p[2];
	if (pipe(p))
		return;
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	char buf[4096];
	memset(buf, 'x', sizeof(buf));
	while (write(p[1], buf, sizeof(buf)) > 0)
		;
	fcntl(p[1], F_SETFL, 0);
	dup2(p[1], 1);
	signal(SIGALRM, on_alarm);
	alarm(1);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "double-free"))
		release_twice(strdup("payload"));
	else if (!strcmp(mode, "overflow"))
		return descend(0, NULL);
	else if (!strcmp(mode, "trap"))
		check_invariant(argc);
	else if (!strcmp(mode, "sigbus"))
		return read_mapped(argc > 2 ? argv[2] : "mapped.dat");
	else if (!strcmp(mode, "unsafe"))
		unsafe_handler();
	return 0;
}
