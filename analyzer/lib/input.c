#include "analyzer/lib/input.h"

#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <lzma.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "analyzer/lib/arena.h"
#include "analyzer/lib/fdio.h"
#include "analyzer/lib/hugemap.h"

/* Decompressed data lives in a memfd (RAM or swap): by default at most half the RAM. */
uint64_t input_decompressed_limit(const struct input_limits *l)
{
	if (l && l->max_decompressed)
		return l->max_decompressed;
	static uint64_t half_ram; /* the RAM does not change: sysconf asks the kernel (sysinfo) each time */
	if (!half_ram) {
		long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
		half_ram = pages <= 0 || size <= 0 ? 64ULL << 30 : (uint64_t)pages * (uint64_t)size / 2;
	}
	return half_ram;
}

const char *input_compression(const unsigned char *p, size_t n)
{
	if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		return "zstd";
	if (n >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
		return "xz";
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return "gzip";
	if (n >= 4 && p[0] == 0x04 && p[1] == 0x22 && p[2] == 0x4d && p[3] == 0x18)
		return "lz4";
	return NULL;
}

/* Decompressed output goes to a memfd: anonymous, never a named file. */
struct sink {
	int fd;
	uint64_t total;
	uint64_t limit;
	struct strbuf *err;
	const struct input_limits *lim;  /* its budget, when there is one */
	uint64_t *charged;
};

/* Takes LEN bytes from the shared budget, waiting while other inputs hold it. */
static int sink_charge(struct sink *s, size_t len)
{
	struct membudget *b = s->lim->budget;
	while (!membudget_take(b, len)) {
		if (*s->charged + len > membudget_total(b))
			return error_set(s->err, "decompressed size exceeds the limit of %llu bytes "
					 "(--max-decompressed)", (unsigned long long)membudget_total(b));
		if (!s->lim->wait || !s->lim->wait(s->lim->wait_ctx))
			return error_set(s->err, "decompressed data would pass the limit of %llu bytes "
					 "in memory at once (--max-decompressed), %llu of them held by "
					 "other inputs", (unsigned long long)membudget_total(b),
					 (unsigned long long)(membudget_used(b) - *s->charged));
	}
	*s->charged += len;
	return 0;
}

static int sink_write(struct sink *s, const void *buf, size_t len)
{
	if (s->lim && s->lim->budget) {
		if (len && sink_charge(s, len) < 0)
			return -1;
	} else if (s->total + len > s->limit) {
		return error_set(s->err, "decompressed size exceeds the limit of %llu bytes (--max-decompressed)",
				 (unsigned long long)s->limit);
	}
	const char *p = buf;
	while (len) {
		ssize_t w = write(s->fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return error_set(s->err, "cannot write decompressed data: %s", strerror(errno));
		}
		p += w;
		len -= (size_t)w;
		s->total += (uint64_t)w;
	}
	return 0;
}

#define CHUNK (256 * 1024)

static int unzstd(const unsigned char *src, size_t n, struct sink *s)
{
	ZSTD_DStream *z = ZSTD_createDStream();
	if (!z)
		die_oom();
	ZSTD_initDStream(z);
	unsigned char *out = xmalloc(CHUNK);
	ZSTD_inBuffer in = { src, n, 0 };
	int rc = 0;
	size_t ret = 1;
	while (rc == 0 && in.pos < in.size) {
		ZSTD_outBuffer ob = { out, CHUNK, 0 };
		ret = ZSTD_decompressStream(z, &ob, &in);
		if (ZSTD_isError(ret))
			rc = error_set(s->err, "zstd: %s", ZSTD_getErrorName(ret));
		else
			rc = sink_write(s, out, ob.pos);
		if (rc == 0 && ob.pos == 0 && in.pos == in.size)
			break;
	}
	while (rc == 0 && ret != 0) { /* flush what is buffered */
		ZSTD_outBuffer ob = { out, CHUNK, 0 };
		ret = ZSTD_decompressStream(z, &ob, &in);
		if (ZSTD_isError(ret))
			rc = error_set(s->err, "zstd: %s", ZSTD_getErrorName(ret));
		else if (ob.pos == 0)
			break;
		else
			rc = sink_write(s, out, ob.pos);
	}
	if (rc == 0 && ret != 0)
		rc = error_set(s->err, "zstd: compressed data ends early");
	free(out);
	ZSTD_freeDStream(z);
	return rc;
}

static int unxz(const unsigned char *src, size_t n, struct sink *s)
{
	lzma_stream z = LZMA_STREAM_INIT;
	if (lzma_stream_decoder(&z, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
		return error_set(s->err, "xz: cannot start decoder");
	unsigned char *out = xmalloc(CHUNK);
	z.next_in = src;
	z.avail_in = n;
	int rc = 0;
	for (;;) {
		z.next_out = out;
		z.avail_out = CHUNK;
		lzma_ret r = lzma_code(&z, z.avail_in ? LZMA_RUN : LZMA_FINISH);
		if ((rc = sink_write(s, out, CHUNK - z.avail_out)))
			break;
		if (r == LZMA_STREAM_END)
			break;
		if (r != LZMA_OK) {
			rc = error_set(s->err, "xz: %s", r == LZMA_BUF_ERROR ? "compressed data ends early"
								  : "corrupt compressed data");
			break;
		}
	}
	free(out);
	lzma_end(&z);
	return rc;
}

static int ungzip(const unsigned char *src, size_t n, struct sink *s)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 32) != Z_OK)
		return error_set(s->err, "gzip: cannot start decoder");
	unsigned char *out = xmalloc(CHUNK);
	int rc = 0;
	size_t left = n;
	const unsigned char *p = src;
	for (;;) {
		uInt feed = left > (1u << 30) ? (1u << 30) : (uInt)left;
		if (!z.avail_in) {
			z.next_in = (unsigned char *)p;
			z.avail_in = feed;
			p += feed;
			left -= feed;
		}
		z.next_out = out;
		z.avail_out = CHUNK;
		int r = inflate(&z, Z_NO_FLUSH);
		if ((rc = sink_write(s, out, CHUNK - z.avail_out)))
			break;
		if (r == Z_STREAM_END) {
			/* concatenated members, as gzip allows */
			if (!z.avail_in && !left)
				break;
			inflateReset(&z);
			continue;
		}
		if (r == Z_BUF_ERROR && !z.avail_in && !left) {
			rc = error_set(s->err, "gzip: compressed data ends early");
			break;
		}
		if (r != Z_OK && r != Z_BUF_ERROR) {
			rc = error_set(s->err, "gzip: %s", z.msg ? z.msg : "corrupt compressed data");
			break;
		}
	}
	free(out);
	inflateEnd(&z);
	return rc;
}

static int unlz4(const unsigned char *src, size_t n, struct sink *s)
{
	LZ4F_dctx *z;
	if (LZ4F_isError(LZ4F_createDecompressionContext(&z, LZ4F_VERSION)))
		return error_set(s->err, "lz4: cannot start decoder");
	unsigned char *out = xmalloc(CHUNK);
	size_t pos = 0, ret = 1;
	int rc = 0;
	while (pos < n) {
		size_t olen = CHUNK, ilen = n - pos;
		ret = LZ4F_decompress(z, out, &olen, src + pos, &ilen, NULL);
		if (LZ4F_isError(ret)) {
			rc = error_set(s->err, "lz4: %s", LZ4F_getErrorName(ret));
			break;
		}
		if ((rc = sink_write(s, out, olen)))
			break;
		pos += ilen;
		if (!ilen && !olen)
			break;
	}
	if (rc == 0 && ret != 0)
		rc = error_set(s->err, "lz4: compressed data ends early");
	free(out);
	LZ4F_freeDecompressionContext(z);
	return rc;
}

static void unmap(struct input *in)
{
	if (in->map && !in->borrowed)
		munmap(in->map, in->map_len);
	in->map = NULL;
	in->map_len = 0;
}

/*
 * A big input is mapped at a huge-page boundary and asked for huge pages:
 * where the page cache holds it in 2 MB pieces (a file read from disk),
 * one mapping then covers 2 MB instead of 512 (first touches of a mapping
 * are what a parse of a big dump spends much of its time on in a VM).
 */
static void *map_aligned(int fd, size_t len)
{
	if (len < 4 * HUGEMAP_PAGE)
		return mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	char *at = hugemap_reserve(len, PROT_NONE);
	if (at == MAP_FAILED)
		return MAP_FAILED;
	if (mmap(at, len, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED) {
		munmap(at, len);
		return MAP_FAILED;
	}
	hugemap_advise(at, len);
	return at;
}

/* Maps all of FD read-only into IN (an empty file maps to an empty buffer). */
static int map_fd(struct input *in, int fd, size_t len, struct strbuf *err)
{
	in->fd = fd;
	in->len = len;
	if (!len) {
		in->data = (const unsigned char *)"";
		return 0;
	}
	void *m = map_aligned(fd, len);
	if (m == MAP_FAILED)
		return error_set(err, "cannot map: %s", strerror(errno));
	in->map = m;
	in->map_len = len;
	in->data = m;
	return 0;
}

static void uncharge(struct input *in)
{
	if (in->budget && in->charged)
		membudget_give(in->budget, in->charged);
	in->charged = 0;
}

static int decompress(struct input *in, const char *kind, const struct input_limits *lim,
		      struct strbuf *err)
{
	int fd = memfd_create("mortem-input", MFD_CLOEXEC);
	if (fd < 0)
		return error_set(err, "memfd_create: %s", strerror(errno));
	in->budget = lim ? lim->budget : NULL;
	struct sink s = { fd, 0, in->limit, err, lim, &in->charged };
	const unsigned char *src = in->data;
	size_t n = in->len;
	int rc = !strcmp(kind, "zstd") ? unzstd(src, n, &s)
	       : !strcmp(kind, "xz")   ? unxz(src, n, &s)
	       : !strcmp(kind, "gzip") ? ungzip(src, n, &s)
				       : unlz4(src, n, &s);
	if (rc) {
		close(fd);
		uncharge(in);
		return -1;
	}
	unmap(in);
	free(in->heap);
	in->heap = NULL;
	if (in->fd >= 0)
		close(in->fd);
	in->compression = kind;
	return map_fd(in, fd, (size_t)s.total, err);
}

static void put_utf8(struct strbuf *sb, unsigned cp)
{
	if (cp < 0x80) {
		strbuf_addch(sb, (int)cp);
	} else if (cp < 0x800) {
		strbuf_addch(sb, 0xc0 | (cp >> 6));
		strbuf_addch(sb, 0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		strbuf_addch(sb, 0xe0 | (cp >> 12));
		strbuf_addch(sb, 0x80 | ((cp >> 6) & 0x3f));
		strbuf_addch(sb, 0x80 | (cp & 0x3f));
	} else {
		strbuf_addch(sb, 0xf0 | (cp >> 18));
		strbuf_addch(sb, 0x80 | ((cp >> 12) & 0x3f));
		strbuf_addch(sb, 0x80 | ((cp >> 6) & 0x3f));
		strbuf_addch(sb, 0x80 | (cp & 0x3f));
	}
}

/* 1: little-endian UTF-16, 2: big-endian, 0: not UTF-16 text. */
static int utf16_order(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] == 0xff && p[1] == 0xfe)
		return 1;
	if (n >= 2 && p[0] == 0xfe && p[1] == 0xff)
		return 2;
	size_t sample = n < 512 ? n & ~(size_t)1 : 512;
	if (sample < 8)
		return 0;
	size_t zero_odd = 0, zero_even = 0;
	for (size_t i = 0; i < sample; i += 2) {
		zero_even += p[i] == 0;
		zero_odd += p[i + 1] == 0;
	}
	if (zero_odd * 10 >= sample / 2 * 9 && zero_even == 0)
		return 1;
	if (zero_even * 10 >= sample / 2 * 9 && zero_odd == 0)
		return 2;
	return 0;
}

static void from_utf16(struct input *in, int order)
{
	const unsigned char *p = in->data;
	size_t n = in->len & ~(size_t)1, i = 0;
	struct strbuf sb = STRBUF_INIT;
	strbuf_grow(&sb, n / 2 + 16);
	if (n >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff)))
		i = 2;
	for (; i + 1 < n; i += 2) {
		unsigned u = order == 1 ? p[i] | (p[i + 1] << 8) : (p[i] << 8) | p[i + 1];
		if (u >= 0xd800 && u < 0xdc00 && i + 3 < n) {
			unsigned lo = order == 1 ? p[i + 2] | (p[i + 3] << 8) : (p[i + 2] << 8) | p[i + 3];
			if (lo >= 0xdc00 && lo < 0xe000) {
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			}
		}
		put_utf8(&sb, u);
	}
	unmap(in);
	free(in->heap);
	size_t len;
	in->heap = strbuf_detach(&sb, &len);
	in->data = in->heap;
	in->len = len;
	if (in->fd >= 0)
		close(in->fd);
	in->fd = -1;
	in->utf16 = true;
}

/* On failure, releases everything IN holds: callers of a failed open close nothing. */
static int finish(struct input *in, const struct input_limits *lim, struct strbuf *err)
{
	in->raw_bytes = in->len;
	const char *kind = input_compression(in->data, in->len);
	if (kind && decompress(in, kind, lim, err)) {
		input_close(in);
		return -1;
	}
	int order = utf16_order(in->data, in->len);
	if (order)
		from_utf16(in, order);
	return 0;
}

#define COPY_CHUNK ((size_t)1 << 20)

/* Moves FD's bytes to their end into OUT in the kernel: 0, -1 (errno), or 1 when FD is no pipe. */
static int splice_to_end(int fd, int out)
{
	for (;;) {
		ssize_t n = splice(fd, NULL, out, NULL, COPY_CHUNK, SPLICE_F_MOVE);
		if (n == 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return errno == EINVAL ? 1 : -1;
	}
}

/* Copies FD's bytes to their end into OUT by read and write: 0, or -1 (errno; *WHAT what failed). */
static int read_to_end(int fd, int out, const char **what)
{
	char *buf = xmalloc(COPY_CHUNK);
	ssize_t n;
	while ((n = read(fd, buf, COPY_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (fd_write_full(out, buf, (size_t)n) < 0) {
			*what = "copy";
			break;
		}
	}
	int saved = errno;
	free(buf);
	errno = saved;
	return n == 0 ? 0 : -1;
}

/*
 * FD's bytes (a pipe, a terminal, a socket, a file read from an offset)
 * copied to their end into a memfd, which is returned (-1 on an error, in
 * ERR): from a pipe by splice, in the kernel, else by read and write. A
 * pipe read into a growing buffer instead cost copies of all of it at each
 * growth (1.11 s for 95 MB where mapping the file took 0.26 s).
 */
static int copy_to_memfd(int fd, struct strbuf *err)
{
	int out = memfd_create("mortem-input", MFD_CLOEXEC);
	if (out < 0)
		return error_set(err, "memfd_create: %s", strerror(errno));
	const char *what = "read";
	int rc = splice_to_end(fd, out);
	if (rc > 0)
		rc = read_to_end(fd, out, &what);
	if (rc == 0)
		return out;
	error_set(err, "cannot %s: %s", what, strerror(errno));
	close(out);
	return -1;
}

/*
 * IN holds FD's bytes from its offset on (FD is IN's from now on): a
 * regular file read from its start is mapped; anything else is copied into
 * a memfd first (copy_to_memfd), which is mapped.
 */
static int open_fd(struct input *in, int fd, struct strbuf *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return error_set(err, "cannot stat: %s", strerror(errno));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return error_set(err, "is a directory");
	}
	if (!S_ISREG(st.st_mode) || lseek(fd, 0, SEEK_CUR) != 0) {
		int copy = copy_to_memfd(fd, err);
		close(fd);
		if (copy < 0)
			return -1;
		fd = copy;
		if (fstat(fd, &st) < 0) {
			close(fd);
			return error_set(err, "cannot stat: %s", strerror(errno));
		}
	}
	if (map_fd(in, fd, (size_t)st.st_size, err)) {
		close(fd);
		return -1;
	}
	return 0;
}

int input_open_raw(struct input *in, const char *path, struct strbuf *err)
{
	memset(in, 0, sizeof(*in));
	in->fd = -1;
	in->path = path;
	int fd = !strcmp(path, "-") ? fcntl(0, F_DUPFD_CLOEXEC, 3) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, "cannot %s: %s", strcmp(path, "-") ? "open" : "read", strerror(errno));
	if (open_fd(in, fd, err) < 0) {
		memset(in, 0, sizeof(*in));
		in->fd = -1;
		return -1;
	}
	in->raw_bytes = in->len;
	return 0;
}

int input_open(struct input *in, const char *path, const struct input_limits *lim,
	       struct strbuf *err)
{
	if (input_open_raw(in, path, err) < 0)
		return -1;
	in->limit = input_decompressed_limit(lim);
	return finish(in, lim, err);
}

/* IN over LEN bytes at DATA it does not own (input_close leaves them alone), with FD (IN's, or -1). */
static int wrap(struct input *in, const char *name, const void *data, size_t len, int fd,
		const struct input_limits *lim, struct strbuf *err)
{
	memset(in, 0, sizeof(*in));
	in->fd = fd;
	in->limit = input_decompressed_limit(lim);
	in->path = name;
	in->data = data;
	in->len = len;
	return finish(in, lim, err);
}

int input_from_memory(struct input *in, const char *name, const void *data, size_t len,
		      const struct input_limits *lim, struct strbuf *err)
{
	return wrap(in, name, data, len, -1, lim, err);
}

int input_borrow(struct input *in, const struct input *raw, const struct input_limits *lim,
		 struct strbuf *err)
{
	int fd = -1;
	if (raw->fd >= 0 && (fd = fcntl(raw->fd, F_DUPFD_CLOEXEC, 3)) < 0)
		return error_set(err, "cannot duplicate the input's descriptor: %s", strerror(errno));
	if (wrap(in, raw->path, raw->data, raw->len, fd, lim, err) < 0)
		return -1;
	if (in->data == raw->data && raw->map) { /* not decompressed: RAW's mapping, never unmapped here */
		in->map = raw->map;
		in->map_len = raw->map_len;
		in->borrowed = true;
	}
	return 0;
}

void input_close(struct input *in)
{
	uncharge(in);
	unmap(in);
	free(in->heap);
	in->heap = NULL;
	if (in->fd >= 0)
		close(in->fd);
	in->fd = -1;
	in->data = NULL;
	in->len = 0;
}
