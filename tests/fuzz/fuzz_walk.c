/*
 * libFuzzer target for archive walking (analyzer/triage/walk.c, libarchive): the
 * bytes are a file named on the command line of triage (tar, zip, tar.gz,
 * nested archives...), walked with small limits and a memory budget; every
 * artifact handed out must lie within its bytes, every problem must have a
 * message, and every byte taken from the budget must be given back.
 */
#include "fuzz_common.h"

#include "analyzer/triage/walk.h"

#include <unistd.h>

static int on_artifact(void *ctx, const struct walk_artifact *a)
{
	/* every byte handed out is there to read: the first and the last of each */
	unsigned char b;
	if (a->len && (pread(a->fd, &b, 1, 0) != 1 || pread(a->fd, &b, 1, (off_t)a->len - 1) != 1))
		abort();
	if (a->raw_len && pread(a->raw_fd, &b, 1, (off_t)a->raw_len - 1) != 1)
		abort();
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
