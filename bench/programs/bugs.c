/* Bench input for triage: one tiny program, four bugs chosen by argv[1]
 * (null write, failed assert, divide by zero, abort in a callee), so 1,000
 * cores fall into a few buckets. */
#include <assert.h>
#include <stdlib.h>

static volatile int zero;

__attribute__((noinline)) static void null_write(void) { *(volatile int *)(long)zero = 1; }
__attribute__((noinline)) static void bad_assert(void) { assert(zero == 1); }
__attribute__((noinline)) static int divide(int a) { return a / zero; }
__attribute__((noinline)) static void give_up(void) { abort(); }

int main(int argc, char **argv)
{
	switch (argc > 1 ? atoi(argv[1]) % 4 : 0) {
	case 0: null_write(); break;
	case 1: bad_assert(); break;
	case 2: return divide(argc);
	default: give_up(); break;
	}
	return 0;
}
