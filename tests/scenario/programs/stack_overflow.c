/*
 * Unbounded recursion: the stack overflows into its guard page. With the
 * argument "mutual", two functions call each other (walk -> visit -> walk).
 */
#include <stdio.h>
#include <string.h>

static int __attribute__((noinline)) recurse(int n)
{
	volatile char pad[2048];
	pad[0] = (char)n;
	return recurse(n + 1) + pad[0];
}

static int visit(int n);

static int __attribute__((noinline)) walk(int n)
{
	volatile char pad[1024];
	pad[0] = (char)n;
	return visit(n + 1) + pad[0];
}

static int __attribute__((noinline)) visit(int n)
{
	volatile char pad[1024];
	pad[0] = (char)n;
	return walk(n + 1) + pad[0];
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "mutual"))
		printf("%d\n", walk(0));
	else
		printf("%d\n", recurse(0));
	return 0;
}
