/* Whole reads and writes, and descriptors passed in messages (analyzer/lib/fdio.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "analyzer/lib/fdio.h"

/* A pipe and a socket both take whole writes; a short input is an error. */
static void test_full_reads_and_writes(void **state)
{
	(void)state;
	int p[2], s[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
	char out[4096], in[4096];
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7);
	assert_int_equal(fd_write_full(p[1], out, sizeof(out)), 0);
	assert_int_equal(fd_write_full(s[0], out, sizeof(out)), 0);
	assert_int_equal(fd_read_full(p[0], in, sizeof(in)), 0);
	assert_memory_equal(in, out, sizeof(out));
	assert_int_equal(fd_read_full(s[1], in, sizeof(in)), 0);
	assert_memory_equal(in, out, sizeof(out));
	/* three bytes, then the end: reading four fails */
	assert_int_equal(fd_write_full(p[1], "abc", 3), 0);
	close(p[1]);
	assert_int_equal(fd_read_full(p[0], in, 4), -1);
	/* a socket whose peer is gone: -1, no SIGPIPE */
	close(s[1]);
	assert_int_equal(fd_write_full(s[0], out, sizeof(out)), -1);
	close(p[0]);
	close(s[0]);
}

/* Descriptors travel with the bytes; those beyond what the reader takes are closed. */
static void test_descriptors_passed(void **state)
{
	(void)state;
	int s[2], a[2], b[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, s), 0);
	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	int send_fds[2] = { a[1], b[1] };
	struct iovec iov[2] = { { "he", 2 }, { "llo", 3 } };
	assert_int_equal(fd_send_fds(s[0], iov, 2, send_fds, 2), 5);
	char buf[16];
	int got[1];
	assert_int_equal(fd_recv_fds(s[1], buf, sizeof(buf), got, 1, 0), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_true(got[0] >= 0);
	assert_true(fcntl(got[0], F_GETFD) & FD_CLOEXEC);
	/* the first descriptor received is a's write end: what goes in comes out of a[0] */
	assert_int_equal(fd_write_full(got[0], "x", 1), 0);
	assert_int_equal(fd_read_full(a[0], buf, 1), 0);
	assert_int_equal(buf[0], 'x');
	/* a message without descriptors leaves them -1 */
	assert_int_equal(fd_send_fds(s[0], iov, 1, NULL, 0), 2);
	int none[2];
	assert_int_equal(fd_recv_fds(s[1], buf, sizeof(buf), none, 2, 0), 2);
	assert_int_equal(none[0], -1);
	assert_int_equal(none[1], -1);
	/* nothing waiting: -1 at once with MSG_DONTWAIT */
	assert_int_equal(fd_recv_fds(s[1], buf, sizeof(buf), none, 2, MSG_DONTWAIT), -1);
	/* too many descriptors for one message */
	int many[FDIO_MAX_FDS + 1] = { 0 };
	assert_int_equal(fd_send_fds(s[0], iov, 1, many, FDIO_MAX_FDS + 1), -1);
	close(got[0]);
	for (int i = 0; i < 2; i++) {
		close(s[i]);
		close(a[i]);
		close(b[i]);
	}
}

/* A range of an anonymous file copied to a pipe, a regular file and a socket: the same bytes, the source's offset untouched. */
static void test_copy_range(void **state)
{
	(void)state;
	int src = memfd_create("src", MFD_CLOEXEC);
	assert_true(src >= 0);
	size_t n = 300000; /* more than a pipe holds: the reader drains as the copy goes */
	char *bytes = malloc(n), *in = malloc(n);
	for (size_t i = 0; i < n; i++)
		bytes[i] = (char)(i * 13 + i / 251);
	assert_int_equal(fd_write_full(src, bytes, n), 0);
	off_t here = lseek(src, 0, SEEK_CUR);

	int dst = memfd_create("dst", MFD_CLOEXEC);
	assert_int_equal(fd_copy_range(dst, src, 1000, n - 1000), 0);
	assert_int_equal(pread(dst, in, n, 0), (ssize_t)(n - 1000));
	assert_memory_equal(in, bytes + 1000, n - 1000);
	assert_int_equal(lseek(src, 0, SEEK_CUR), here);

	int s[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(s[1]);
		_exit(fd_copy_range(s[0], src, 0, n) < 0);
	}
	close(s[0]);
	assert_int_equal(fd_read_full(s[1], in, n), 0);
	assert_memory_equal(in, bytes, n);
	close(s[1]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* a reader that is gone: -1 (SIGPIPE is ignored, as mortem's main does) */
	int p[2];
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	assert_int_equal(fd_copy_range(p[1], src, 0, n), -1);
	signal(SIGPIPE, old);
	close(p[1]);
	/* past the end of the source: an early end is an error */
	assert_int_equal(fd_copy_range(dst, src, (off_t)n - 10, 20), -1);
	close(dst);
	close(src);
	free(bytes);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_reads_and_writes),
		cmocka_unit_test(test_descriptors_passed),
		cmocka_unit_test(test_copy_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
