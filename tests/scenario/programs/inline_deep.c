/* A crash deep in code that -O2 inlines: three static inline levels in
   one physical frame, reached from a noinline caller. */
#include <stdio.h>
#include <stdlib.h>

struct node { struct node *next; int value; };

static inline int leaf_read(const struct node *n)
{
	return n->next->value; /* crash: n->next is NULL */
}

static inline int middle_sum(const struct node *n, int k)
{
	int s = 0;
	for (int i = 0; i < k; i++)
		s += leaf_read(n) * i;
	return s;
}

static inline int outer_walk(const struct node *n, int k)
{
	return middle_sum(n, k) + 1;
}

__attribute__((noinline)) int compute(const struct node *n, int k)
{
	return outer_walk(n, k) * 2;
}

int main(int argc, char **argv)
{
	struct node *n = calloc(1, sizeof(*n));
	printf("%d\n", compute(n, argc + 2));
	return 0;
}
