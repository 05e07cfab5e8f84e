/*
 * A process with a large heap the crash has nothing to do with: ARGV[1]
 * MB (default 48) of ledger entries, three clerks waiting on a condition, and settle_ledger
 * reading through an entry's pointer that was never set (SIGSEGV).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	long amount;
	long *account;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t orders = PTHREAD_COND_INITIALIZER;

static void *wait_for_orders(void *arg)
{
	pthread_mutex_lock(&lock);
	for (;;)
		pthread_cond_wait(&orders, &lock);
	return arg;
}

__attribute__((noinline)) static long settle_ledger(struct entry *book, size_t n)
{
	long sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += book[i].amount;
	return sum + *book[n / 2].account; /* never set: a null pointer */
}

int main(int argc, char **argv)
{
	size_t n = ((size_t)(argc > 1 ? atoi(argv[1]) : 48) << 20) / sizeof(struct entry);
	struct entry *book = malloc(n * sizeof(*book));
	if (!book)
		return 1;
	for (size_t i = 0; i < n; i++)
		book[i] = (struct entry){ (long)(i % 97), NULL };
	pthread_t clerk[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&clerk[i], NULL, wait_for_orders, NULL);
	return (int)settle_ledger(book, n);
}
