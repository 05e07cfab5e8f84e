/* The allocator detects a double free and aborts with its message. */
#include <stdlib.h>
#include <string.h>

static void __attribute__((noinline)) release_twice(char *p)
{
	free(p);
	free(p); /* glibc: "free(): double free detected in tcache 2" */
}

int main(void)
{
	char *p = malloc(32);
	strcpy(p, "ledger");
	release_twice(p);
	return 0;
}
