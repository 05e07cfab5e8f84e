#ifndef MORTEM_FDIO_H
#define MORTEM_FDIO_H
/*
 * Whole reads and writes on a descriptor, the line of a /proc or /sys
 * setting, and messages that carry descriptors (SCM_RIGHTS) between
 * mortem's processes. Every call retries on EINTR; none raises SIGPIPE (a
 * socket is written with MSG_NOSIGNAL).
 */
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "analyzer/lib/strbuf.h"

/* The most descriptors one message carries. */
#define FDIO_MAX_FDS 4

/* Reads exactly LEN bytes into BUF: 0, or -1 on an error or an early end. */
int fd_read_full(int fd, void *buf, size_t len);

/*
 * Reads exactly LEN bytes at offset OFF into BUF (FD's own offset left
 * alone): 0, or -1 (errno EIO for an early end).
 */
int fd_pread_full(int fd, void *buf, size_t len, off_t off);

/*
 * Appends the first line of the small file PATH (a /proc or /sys setting),
 * without its newline and at most 255 bytes of it, to OUT; nothing when it
 * cannot be read.
 */
void fd_first_line(const char *path, struct strbuf *out);

/* Writes all LEN bytes of BUF (a pipe, file or socket): 0, or -1. */
int fd_write_full(int fd, const void *buf, size_t len);

/*
 * Copies LEN bytes of the file FROM, from offset OFF, to TO (a pipe, file
 * or socket) without passing them through a buffer of ours where the
 * kernel can (sendfile); FROM's own offset is left alone. 0, or -1.
 */
int fd_copy_range(int to, int from, off_t off, size_t len);

/* Sends the NIOV parts of IOV as one message with the NFDS (<= FDIO_MAX_FDS)
 * descriptors FDS; the bytes sent, or -1. */
ssize_t fd_send_fds(int sock, const struct iovec *iov, int niov, const int *fds, int nfds);

/*
 * Receives one message into BUF (at most LEN bytes) and up to MAXFDS
 * descriptors into FDS (close-on-exec; -1 where none came; any beyond
 * MAXFDS are closed). FLAGS are recvmsg's (MSG_WAITALL, MSG_DONTWAIT).
 * The bytes received (0 at the end), or -1.
 */
ssize_t fd_recv_fds(int sock, void *buf, size_t len, int *fds, int maxfds, int flags);

#endif
