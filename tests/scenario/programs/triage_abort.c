/*
 * Dies in one of two places chosen by argv[1]: "assert" fails an assertion
 * in check_invariant (SIGABRT); "fpe" divides by zero in compute_ratio
 * (SIGFPE).
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

static volatile int zero;

__attribute__((noinline)) static int check_invariant(int balance)
{
	assert(balance >= 0 && "balance went negative");
	return balance;
}

__attribute__((noinline)) static int compute_ratio(int total)
{
	return total / zero;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "fpe"))
		printf("%d\n", compute_ratio(10));
	else
		printf("%d\n", check_invariant(-1));
	return 0;
}
