/* An assertion fails: abort() with glibc's message in __abort_msg. */
#include <assert.h>
#include <stdio.h>

static int __attribute__((noinline)) check_balance(int debit, int credit)
{
	assert(debit == credit && "ledger out of balance");
	return debit - credit;
}

int main(int argc, char **argv)
{
	printf("%d\n", check_balance(argc + 99, 42));
	return 0;
}
