/*
 * libFuzzer target for archive walking (analyzer/triage/walk.c, libarchive): the
 * bytes are a file named on the command line of triage (tar, zip, tar.gz,
 * nested archives...), walked with small limits and a memory budget; every
 * artifact handed out must lie within its bytes, every problem must have a
 * message, and every byte taken from the budget must be given back.
 */
#include "fuzz_common.h"

#include "analyzer/triage/walk.h"

static int on_artifact(void *ctx, const struct walk_artifact *a)
{
	volatile unsigned sum = 0;
	for (size_t i = 0; i < a->len; i += 4096)
		sum += a->data[i];
	if (a->len)
		sum += a->data[a->len - 1];
	(void)sum;
	if (!a->path || !*a->path)
		abort();
	++*(size_t *)ctx;
	return 0;
}

static void on_problem(void *ctx, const char *path, const char *msg)
{
	(void)ctx;
	if (!path || !msg || !*msg)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_memfd(data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	const char *paths[] = { path };
	/* one budget for what members and compressed files hold in memory, as triage has */
	static struct membudget *budget;
	if (!budget)
		budget = membudget_new(16 << 20);
	struct walk_limits lim = { .max_depth = 4, .max_bytes = 64 << 20, .max_members = 10000,
				   .budget = budget };
	struct walk_ops ops = { .artifact = on_artifact, .problem = on_problem };
	struct walk_stats st = { 0 };
	size_t n = 0;
	walk_paths(paths, 1, &lim, &ops, &n, &st);
	close(fd);
	if (membudget_used(budget) != 0) {
		fprintf(stderr, "walk: %llu bytes of the budget never given back\n",
			(unsigned long long)membudget_used(budget));
		abort();
	}
	return 0;
}
