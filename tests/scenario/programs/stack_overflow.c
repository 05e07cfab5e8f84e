/* Unbounded recursion: the stack overflows into its guard page. */
#include <stdio.h>

static int __attribute__((noinline)) recurse(int n)
{
	volatile char pad[2048];
	pad[0] = (char)n;
	return recurse(n + 1) + pad[0];
}

int main(void)
{
	printf("%d\n", recurse(0));
	return 0;
}
