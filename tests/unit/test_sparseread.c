/* sparseread: files read one after another into one buffer, their holes not copied but zero. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analyzer/lib/sparseread.h"
#include "tests/unit/tempfile.h"

#define PAGE 4096

/* A new empty file, its name already unlinked. */
static int empty_file(void)
{
	char path[256];
	int fd = temp_file(path, "sparseread");
	unlink(path);
	return fd;
}

static void put(int fd, size_t off, size_t len, unsigned char byte)
{
	unsigned char *b = malloc(len);
	memset(b, byte, len);
	assert_int_equal(pwrite(fd, b, len, (off_t)off), (ssize_t)len);
	free(b);
}

/* A file of LEN bytes BYTE, its name already unlinked. */
static int dense_file(size_t len, unsigned char byte)
{
	int fd = empty_file();
	put(fd, 0, len, byte);
	return fd;
}

/* Whether the filesystem of FD says where its data lies (tmpfs does not). */
static int fiemap_works(int fd)
{
	struct fiemap map = { .fm_length = FIEMAP_MAX_OFFSET };
	return ioctl(fd, FS_IOC_FIEMAP, &map) == 0;
}

/* LEN bytes at P: BYTE over [FROM, TO), zero elsewhere. */
static void expect(const unsigned char *p, size_t len, size_t from, size_t to, unsigned char byte)
{
	assert_non_null(p);
	for (size_t i = 0; i < len; i++)
		if (p[i] != (i >= from && i < to ? byte : 0))
			fail_msg("byte %zu is %#x", i, p[i]);
	assert_int_equal(p[len], 0);
}

static void test_dense_then_sparse(void **state)
{
	(void)state;
	struct sparseread r = SPARSEREAD_INIT;
	/* a dense file of 0xab: every page of the buffer written */
	int dense = dense_file(40 * PAGE + 7, 0xab);
	expect(sparseread_file(&r, dense, 40 * PAGE + 7), 40 * PAGE + 7, 0, 40 * PAGE + 7, 0xab);
	uint64_t read, skipped;
	sparseread_stats(&r, &read, &skipped);
	assert_int_equal(read, 40 * PAGE + 7);
	assert_int_equal(skipped, 0);
	/* then a sparse one: data in pages 0, 20 and the last 10 bytes of page 39 */
	int sparse = empty_file();
	assert_int_equal(ftruncate(sparse, 40 * PAGE), 0);
	put(sparse, 0, 100, 0x11);
	put(sparse, 20 * PAGE, PAGE, 0x22);
	put(sparse, 40 * PAGE - 10, 10, 0x33);
	assert_int_equal(fsync(sparse), 0);
	const unsigned char *p = sparseread_file(&r, sparse, 40 * PAGE);
	assert_non_null(p);
	for (size_t i = 0; i < 40 * PAGE; i++) {
		unsigned char want = i < 100 ? 0x11 : i >= 20 * PAGE && i < 21 * PAGE ? 0x22
			: i >= 40 * PAGE - 10 ? 0x33 : 0;
		if (p[i] != want)
			fail_msg("byte %zu is %#x, not %#x (the dense file's byte left in a hole?)", i, p[i], want);
	}
	assert_int_equal(p[40 * PAGE], 0);
	sparseread_stats(&r, &read, &skipped);
	if (fiemap_works(sparse))
		assert_true(skipped >= 30 * PAGE); /* the holes were not copied */
	else
		printf("note: no FIEMAP on the temporary folder's filesystem: files read whole\n");
	assert_int_equal(read + skipped, 80 * PAGE + 7);
	/* the dense file again: every byte its own */
	expect(sparseread_file(&r, dense, 40 * PAGE + 7), 40 * PAGE + 7, 0, 40 * PAGE + 7, 0xab);
	sparseread_release(&r);
	close(dense);
	close(sparse);
}

static void test_holes_at_the_ends(void **state)
{
	(void)state;
	struct sparseread r = SPARSEREAD_INIT;
	int fd = dense_file(8 * PAGE, 0xee);
	expect(sparseread_file(&r, fd, 8 * PAGE), 8 * PAGE, 0, 8 * PAGE, 0xee);
	/* the same bytes of the buffer, now a file with a hole first and last */
	int holes = empty_file();
	put(holes, 3 * PAGE + 5, 10, 0x44);
	assert_int_equal(ftruncate(holes, 8 * PAGE), 0);
	assert_int_equal(fsync(holes), 0);
	expect(sparseread_file(&r, holes, 8 * PAGE), 8 * PAGE, 3 * PAGE + 5, 3 * PAGE + 15, 0x44);
	/* all hole */
	int none = empty_file();
	assert_int_equal(ftruncate(none, 5 * PAGE + 3), 0);
	expect(sparseread_file(&r, fd, 8 * PAGE), 8 * PAGE, 0, 8 * PAGE, 0xee);
	expect(sparseread_file(&r, none, 5 * PAGE + 3), 5 * PAGE + 3, 0, 0, 0);
	/* empty */
	expect(sparseread_file(&r, none, 0), 0, 0, 0, 0);
	sparseread_release(&r);
	close(fd);
	close(holes);
	close(none);
}

/* bytes just written, not on disk yet (a delayed allocation): data, not a hole */
static void test_not_yet_on_disk(void **state)
{
	(void)state;
	struct sparseread r = SPARSEREAD_INIT;
	int fd = dense_file(4 * PAGE, 0x77);
	expect(sparseread_file(&r, fd, 4 * PAGE), 4 * PAGE, 0, 4 * PAGE, 0x77);
	int fresh = empty_file();
	assert_int_equal(ftruncate(fresh, 4 * PAGE), 0);
	put(fresh, 2 * PAGE + 1, 3, 0x78);
	expect(sparseread_file(&r, fresh, 4 * PAGE), 4 * PAGE, 2 * PAGE + 1, 2 * PAGE + 4, 0x78);
	sparseread_release(&r);
	close(fd);
	close(fresh);
}

static void test_shorter_than_said(void **state)
{
	(void)state;
	struct sparseread r = SPARSEREAD_INIT;
	int fd = dense_file(2 * PAGE, 0x55);
	errno = 0;
	assert_null(sparseread_file(&r, fd, 6 * PAGE)); /* cut short since it was measured */
	assert_int_equal(errno, EIO);
	expect(sparseread_file(&r, fd, 2 * PAGE), 2 * PAGE, 0, 2 * PAGE, 0x55);
	sparseread_release(&r);
	close(fd);
}

static void test_memfd(void **state)
{
	(void)state;
	struct sparseread r = SPARSEREAD_INIT;
	int fd = memfd_create("mortem-sparseread", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 6 * PAGE), 0);
	put(fd, 4 * PAGE, 100, 0x66);
	expect(sparseread_file(&r, fd, 6 * PAGE), 6 * PAGE, 4 * PAGE, 4 * PAGE + 100, 0x66);
	sparseread_release(&r);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dense_then_sparse),
		cmocka_unit_test(test_holes_at_the_ends),
		cmocka_unit_test(test_not_yet_on_disk),
		cmocka_unit_test(test_shorter_than_said),
		cmocka_unit_test(test_memfd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
