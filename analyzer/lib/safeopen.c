/*
 * The open() guard (safeopen.h). This file defines open() and open64()
 * for the whole program: the executable's definitions come first in the
 * dynamic linker's search, so libdw's and libunwind's calls reach them.
 * Unguarded, they are plain openat(AT_FDCWD, ...).
 */
#undef _FORTIFY_SOURCE
#include "analyzer/lib/safeopen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


static int guard_depth;
static struct strbuf refused = STRBUF_INIT;

const char *safeopen_kind(unsigned mode)
{
	return S_ISFIFO(mode)  ? "a FIFO (named pipe)"
	     : S_ISCHR(mode)   ? "a character device"
	     : S_ISBLK(mode)   ? "a block device"
	     : S_ISSOCK(mode)  ? "a socket"
	     : S_ISDIR(mode)   ? "a directory"
			       : "not a regular file";
}

void safeopen_guard_begin(void)
{
	if (guard_depth++ == 0)
		strbuf_reset(&refused);
}

void safeopen_guard_end(struct strbuf *out)
{
	if (guard_depth > 0)
		guard_depth--;
	if (out)
		strbuf_add(out, refused.buf, refused.len);
	if (guard_depth == 0)
		strbuf_release(&refused);
}

static void note_refused(const char *path, mode_t mode)
{
	if (refused.len > (64 << 10))
		return; /* a dump naming thousands of FIFOs: enough said */
	size_t at = refused.len;
	strbuf_addf(&refused, "%s (%s)\n", path, safeopen_kind(mode));
	const char *first = strstr(refused.buf, refused.buf + at);
	if (first && first < refused.buf + at && (first == refused.buf || first[-1] == '\n'))
		refused.buf[refused.len = at] = '\0'; /* said already */
}

/*
 * Whether PATH is the name a link map gives the kernel's vDSO
 * ("linux-vdso.so.1", "linux-gate.so.1"): no file has it, and libdwfl
 * would open it relative to the working directory.
 */
static bool vdso_name(const char *path)
{
	return !strchr(path, '/') && (!strncmp(path, "linux-vdso", 10) || !strncmp(path, "linux-gate", 10));
}

/* Opens PATH for a guarded caller: a regular file or a directory, never blocking. */
static int guarded_open(const char *path, int flags, mode_t mode)
{
	if (vdso_name(path)) {
		errno = ENOENT;
		return -1;
	}
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		note_refused(path, st.st_mode);
		errno = ENXIO;
		return -1;
	}
	int fd = openat(AT_FDCWD, path, flags | O_NONBLOCK | O_NOCTTY, mode);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))) {
		note_refused(path, st.st_mode);
		close(fd);
		errno = ENXIO;
		return -1;
	}
	return fd; /* O_NONBLOCK stays (see safeopen.h) */
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	if (guard_depth > 0 && !(flags & (O_WRONLY | O_RDWR | O_CREAT)))
		return guarded_open(path, flags, mode);
	return openat(AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	return open(path, flags, mode);
}

bool safeopen_is_regular(const char *path)
{
	struct stat st;
	return path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int safeopen_regular(const char *path, struct strbuf *err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return error_set(err, "cannot open: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return error_set(err, "%s, not a regular file: not opened", safeopen_kind(st.st_mode));
	int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return error_set(err, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return error_set(err, "changed while it was opened: not a regular file any more");
	}
	return fd; /* O_NONBLOCK stays (see safeopen.h) */
}
