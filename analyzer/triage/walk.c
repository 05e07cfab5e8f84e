#include "analyzer/triage/walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "analyzer/lib/arena.h"
#include "analyzer/lib/fdio.h"
#include "analyzer/lib/input.h"
#include "analyzer/lib/safeopen.h"
#include "analyzer/lib/strbuf.h"
#include "analyzer/lib/hashmap.h"
#include "analyzer/triage/arlib.h"

struct walker {
	const struct walk_limits *limits;
	const struct walk_ops *ops;
	void *ctx;
	struct walk_stats *stats;
	const struct arlib *ar;     /* libarchive, loaded at the first archive */
	struct hashmap visited;     /* "dev:ino" of directories entered */
	char **owned;
	size_t nowned;
	int stop;
	/* progress of the outermost archive being read */
	uint64_t outer_reported;
};

static void problem(struct walker *w, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct walker *w, const char *path, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	w->ops->problem(w->ctx, path, sb.buf);
	strbuf_release(&sb);
}

static bool has_tar_magic(const unsigned char *d, size_t n)
{
	return n >= 512 && !memcmp(d + 257, "ustar", 5);
}

static bool has_zip_magic(const unsigned char *d, size_t n)
{
	return n >= 4 && d[0] == 'P' && d[1] == 'K' &&
	       ((d[2] == 3 && d[3] == 4) || (d[2] == 5 && d[3] == 6));
}

static bool has_compressed_magic(const unsigned char *d, size_t n)
{
	return input_compression(d, n) || (n >= 3 && !memcmp(d, "BZh", 3));
}

bool walk_is_archive(const unsigned char *data, size_t len)
{
	return has_tar_magic(data, len) || has_zip_magic(data, len) ||
	       has_compressed_magic(data, len);
}

/*
 * Whether the LEN bytes behind FD begin like an archive or a compressed
 * file: only their head is read (no mapping), so a plain artifact's pages
 * are never touched here. An unreadable head says no (the consumer finds
 * out why).
 */
static bool fd_is_archive(int fd, size_t len)
{
	unsigned char head[512];
	size_t n = len < sizeof(head) ? len : sizeof(head);
	return n && fd_pread_full(fd, head, n, 0) == 0 && walk_is_archive(head, n);
}

static void walk_blob(struct walker *w, const char *path, int fd, const unsigned char *data,
		      size_t len, int64_t mtime, int depth, uint64_t *charge);
static void walk_fd(struct walker *w, const char *path, int fd, size_t len, bool archive,
		    int64_t mtime, int depth, uint64_t *charge);

static void hand_over(struct walker *w, const struct walk_artifact *art)
{
	int r = w->ops->artifact(w->ctx, art);
	if (r)
		w->stop = r;
}


/* "outer!/inner" with the member's leading "./" and "/" dropped. */
static void member_path(struct strbuf *sb, const char *outer, const char *inner)
{
	while (inner[0] == '.' && inner[1] == '/')
		inner += 2;
	while (inner[0] == '/')
		inner++;
	strbuf_addf(sb, "%s!/%s", outer, inner);
}

static void report_outer_progress(struct walker *w, struct archive *a, int depth)
{
	if (depth != 0 || !w->ops->progress)
		return;
	int64_t pos = w->ar->archive_filter_bytes(a, -1);
	if (pos > 0 && (uint64_t)pos > w->outer_reported) {
		w->ops->progress(w->ctx, (uint64_t)pos - w->outer_reported);
		w->outer_reported = (uint64_t)pos;
	}
}

/*
 * Takes N bytes of the budget for PATH, waiting while the artifacts handed
 * over hold it. Returns 0, or -1 (reported) when they never will fit.
 */
static int charge_budget(struct walker *w, const char *path, uint64_t n, uint64_t *charge)
{
	struct membudget *b = w->limits->budget;
	if (!b)
		return 0;
	while (!membudget_take(b, n)) {
		if (*charge + n > membudget_total(b) || !w->ops->wait_memory ||
		    !w->ops->wait_memory(w->ctx)) {
			problem(w, path, "member larger than the limit of %llu bytes decompressed in "
				"memory at once (--max-decompressed); not read",
				(unsigned long long)membudget_total(b));
			w->stats->limit_hit = true;
			return -1;
		}
	}
	*charge += n;
	return 0;
}

static void uncharge(struct walker *w, uint64_t *charge)
{
	if (w->limits->budget && *charge)
		membudget_give(w->limits->budget, *charge);
	*charge = 0;
}

/*
 * Copies the current member into a memfd, its bytes taken from the budget
 * into CHARGE. Returns the fd, or -1 (reported; CHARGE given back).
 */
static int member_to_memfd(struct walker *w, struct archive *a, const char *path, size_t *len,
			   uint64_t *charge)
{
	int fd = memfd_create("mortem-member", MFD_CLOEXEC);
	if (fd < 0) {
		problem(w, path, "memfd_create: %s", strerror(errno));
		return -1;
	}
	static char buf[256 * 1024];
	uint64_t total = 0;
	for (;;) {
		la_ssize_t r = w->ar->archive_read_data(a, buf, sizeof(buf));
		if (r == 0)
			break;
		if (r < 0) {
			problem(w, path, "cannot read from the archive: %s",
				w->ar->archive_error_string(a));
			close(fd);
			uncharge(w, charge);
			return -1;
		}
		if (charge_budget(w, path, (uint64_t)r, charge) < 0) {
			close(fd);
			uncharge(w, charge);
			return -1;
		}
		if (w->stats->bytes + (uint64_t)r > w->limits->max_bytes) {
			problem(w, path, "limit of %llu bytes decompressed from archives reached "
				"(--max-archive-bytes); the rest was not read",
				(unsigned long long)w->limits->max_bytes);
			w->stats->bytes_exhausted = true;
			w->stats->limit_hit = true;
			close(fd);
			uncharge(w, charge);
			return -1;
		}
		w->stats->bytes += (uint64_t)r;
		for (la_ssize_t off = 0; off < r;) {
			ssize_t n = write(fd, buf + off, (size_t)(r - off));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				problem(w, path, "cannot buffer the member: %s", strerror(errno));
				close(fd);
				uncharge(w, charge);
				return -1;
			}
			off += n;
		}
		total += (uint64_t)r;
	}
	*len = (size_t)total;
	return fd;
}

static void walk_member(struct walker *w, struct archive *a, struct archive_entry *e,
			const char *outer, int depth)
{
	const struct arlib *ar = w->ar;
	if (ar->archive_entry_filetype(e) != AE_IFREG)
		return;
	struct strbuf path = STRBUF_INIT;
	const char *name = ar->archive_entry_pathname_utf8(e);
	if (!name)
		name = ar->archive_entry_pathname(e);
	member_path(&path, outer, name ? name : "?");
	if (w->stats->members >= w->limits->max_members) {
		problem(w, path.buf, "limit of %llu archive members reached (--max-members); "
			"the rest was not read",
			(unsigned long long)w->limits->max_members);
		w->stats->members_exhausted = true;
		w->stats->limit_hit = true;
		strbuf_release(&path);
		return;
	}
	w->stats->members++;
	size_t len = 0;
	uint64_t charge = 0;
	int fd = member_to_memfd(w, a, path.buf, &len, &charge);
	if (fd >= 0) {
		int64_t mtime = ar->archive_entry_mtime_is_set(e) ? ar->archive_entry_mtime(e) : 0;
		walk_fd(w, path.buf, fd, len, fd_is_archive(fd, len), mtime, depth, &charge);
		close(fd);
		uncharge(w, &charge);
	}
	strbuf_release(&path);
}

/*
 * gzip-compressed archives are inflated here rather than by libarchive's
 * gzip filter, which never checks a member's CRC-32 and length trailer: a
 * damaged .tar.gz would be read as if whole. zlib checks both (and gzip's
 * concatenated members are read in turn).
 */
struct gz_reader {
	const struct arlib *ar;
	z_stream z;
	const unsigned char *src;
	size_t left;            /* input not yet handed to zlib */
	unsigned char *out;
	bool ended;             /* the last member's trailer was read and checked */
	char error[160];        /* why the stream is damaged, or "" */
};

#define GZ_CHUNK (256 * 1024)

static la_ssize_t gz_read(struct archive *a, void *ctx, const void **buf)
{
	struct gz_reader *g = ctx;
	*buf = g->out;
	if (g->ended || g->error[0])
		return 0;
	for (;;) {
		if (!g->z.avail_in && g->left) {
			uInt feed = g->left > (1u << 30) ? 1u << 30 : (uInt)g->left;
			g->z.next_in = (unsigned char *)g->src;
			g->z.avail_in = feed;
			g->src += feed;
			g->left -= feed;
		}
		g->z.next_out = g->out;
		g->z.avail_out = GZ_CHUNK;
		int r = inflate(&g->z, Z_NO_FLUSH);
		size_t got = GZ_CHUNK - g->z.avail_out;
		if (r == Z_STREAM_END) {
			if (g->z.avail_in || g->left)
				inflateReset(&g->z); /* another member follows */
			else
				g->ended = true;
		} else if (r == Z_BUF_ERROR && !g->z.avail_in && !g->left) {
			snprintf(g->error, sizeof(g->error), "gzip: compressed data ends early");
		} else if (r != Z_OK && r != Z_BUF_ERROR) {
			snprintf(g->error, sizeof(g->error), "gzip: %s",
				 g->z.msg ? g->z.msg : "corrupt compressed data");
		}
		if (got || g->ended)
			return (la_ssize_t)got;
		if (g->error[0]) {
			if (a)
				g->ar->archive_set_error(a, EIO, "%s", g->error);
			return -1;
		}
	}
}

/* Inflates what libarchive left unread (the tar's end blocks, the trailer), so that it is checked. */
static void gz_drain(struct gz_reader *g)
{
	const void *buf;
	while (!g->ended && !g->error[0] && gz_read(NULL, g, &buf) > 0)
		;
}

static bool gz_start(struct gz_reader *g, const struct arlib *ar, const unsigned char *data,
		     size_t len)
{
	memset(g, 0, sizeof(*g));
	g->ar = ar;
	if (inflateInit2(&g->z, 16 + 15) != Z_OK)
		return false;
	g->src = data;
	g->left = len;
	g->out = xmalloc(GZ_CHUNK);
	return true;
}

static void gz_end(struct gz_reader *g)
{
	inflateEnd(&g->z);
	free(g->out);
}

/*
 * The decompression filters libarchive runs in its own process, with the
 * library it was built with: never "all", which lets an archive's first
 * bytes (LRZI, a grzip or lzop magic) make libarchive run lrzip, grzip or
 * lzop found on PATH.
 */
static void support_builtin_filters(const struct arlib *ar, struct archive *a)
{
	if (ar->archive_zlib_version())
		ar->archive_read_support_filter_gzip(a);
	if (ar->archive_bzlib_version())
		ar->archive_read_support_filter_bzip2(a);
	if (ar->archive_liblzma_version()) {
		ar->archive_read_support_filter_xz(a);
		ar->archive_read_support_filter_lzma(a);
	}
	if (ar->archive_libzstd_version())
		ar->archive_read_support_filter_zstd(a);
	if (ar->archive_liblz4_version())
		ar->archive_read_support_filter_lz4(a);
}

/* libarchive, loaded at the first archive; NULL with ERR when it cannot be. */
static const struct arlib *walker_arlib(struct walker *w, struct strbuf *err)
{
	if (!w->ar)
		w->ar = arlib_load(err);
	return w->ar;
}

/*
 * Walks the archive in DATA. Returns false when DATA is not an archive after
 * all (a compressed single file), so it is an artifact.
 */
static bool walk_archive(struct walker *w, const char *path, const unsigned char *data, size_t len,
			 int depth)
{
	struct strbuf err = STRBUF_INIT;
	const struct arlib *ar = walker_arlib(w, &err);
	if (!ar) {
		/*
		 * What only libarchive reads (a tar, a zip, bzip2) is a
		 * problem; a file compressed with gzip, zstd, xz or lz4 is
		 * read as a compressed dump (walk_compressed), and a tar or
		 * zip inside is the problem there.
		 */
		bool only_libarchive = !input_compression(data, len);
		if (only_libarchive)
			problem(w, path, "%s", err.buf);
		strbuf_release(&err);
		return only_libarchive;
	}
	bool magic = has_tar_magic(data, len) || has_zip_magic(data, len);
	struct archive *a = ar->archive_read_new();
	support_builtin_filters(ar, a);
	ar->archive_read_support_format_tar(a);
	ar->archive_read_support_format_gnutar(a);
	ar->archive_read_support_format_zip(a);
	struct archive_entry *e;
	struct gz_reader gz;
	const char *kind = input_compression(data, len);
	bool gzip = kind && !strcmp(kind, "gzip") && gz_start(&gz, ar, data, len);
	int r = gzip ? ar->archive_read_open(a, &gz, NULL, gz_read, NULL)
		     : ar->archive_read_open_memory(a, data, len);
	if (r == ARCHIVE_OK)
		r = ar->archive_read_next_header(a, &e);
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
		/*
		 * An end-of-archive first thing is an empty tar only when the
		 * bytes say tar: a compressed dump that starts with 512 zero
		 * bytes looks the same to libarchive, and is an artifact.
		 */
		if (magic && r != ARCHIVE_EOF)
			problem(w, path, "cannot read the archive: %s",
				ar->archive_error_string(a));
		ar->archive_read_free(a);
		if (gzip)
			gz_end(&gz);
		return magic;
	}
	if (depth + 1 > w->limits->max_depth) {
		problem(w, path, "archive nested deeper than %d level%s (--max-depth); not opened",
			w->limits->max_depth, w->limits->max_depth == 1 ? "" : "s");
		w->stats->limit_hit = true;
		ar->archive_read_free(a);
		if (gzip)
			gz_end(&gz);
		return true;
	}
	w->stats->archives++;
	while (!w->stop && !w->stats->bytes_exhausted && !w->stats->members_exhausted) {
		walk_member(w, a, e, path, depth + 1);
		report_outer_progress(w, a, depth);
		r = ar->archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			problem(w, path, "archive cut short: %s", ar->archive_error_string(a));
			break;
		}
	}
	ar->archive_read_free(a);
	if (gzip) {
		if (!w->stop && !w->stats->bytes_exhausted && !w->stats->members_exhausted)
			gz_drain(&gz);
		if (gz.error[0] && r == ARCHIVE_EOF)
			problem(w, path, "%s: the archive is damaged (its members were read as they "
				"came)", gz.error);
		gz_end(&gz);
	}
	return true;
}

static bool wait_memory(void *ctx)
{
	struct walker *w = ctx;
	return w->ops->wait_memory && w->ops->wait_memory(w->ctx);
}

/*
 * A compressed file that is no archive: handed over decompressed, the
 * bytes in memory taken from the budget like an archive member's.
 */
static void walk_compressed(struct walker *w, const char *path, int fd, const unsigned char *data,
			    size_t len, int64_t mtime)
{
	struct input in;
	struct strbuf err = STRBUF_INIT;
	struct input_limits lim = { .budget = w->limits->budget, .wait = wait_memory, .wait_ctx = w };
	if (!lim.budget)
		lim.max_decompressed = w->limits->max_bytes;
	if (input_from_memory(&in, path, data, len, &lim, &err) < 0) {
		problem(w, path, "%s", err.buf);
		if (strstr(err.buf, "--max-decompressed"))
			w->stats->limit_hit = true;
	} else if ((has_tar_magic(in.data, in.len) || has_zip_magic(in.data, in.len)) &&
		   !walker_arlib(w, &err)) {
		problem(w, path, "%s", err.buf); /* a compressed archive, libarchive missing */
		input_close(&in);
	} else if (in.fd < 0) {
		/* converted from UTF-16 into the heap: the consumer converts again */
		input_close(&in);
		hand_over(w, &(struct walk_artifact){ path, fd, len, fd, len, mtime, NULL });
	} else {
		hand_over(w, &(struct walk_artifact){ path, in.fd, in.len, fd, len, mtime, &in.charged });
		input_close(&in);
	}
	strbuf_release(&err);
}

static void walk_blob(struct walker *w, const char *path, int fd, const unsigned char *data,
		      size_t len, int64_t mtime, int depth, uint64_t *charge)
{
	if (w->stop)
		return;
	if (walk_is_archive(data, len) && walk_archive(w, path, data, len, depth))
		return;
	if (input_compression(data, len)) {
		walk_compressed(w, path, fd, data, len, mtime);
		return;
	}
	hand_over(w, &(struct walk_artifact){ path, fd, len, fd, len, mtime, charge });
}

/*
 * The LEN bytes behind FD (PATH, at archive depth DEPTH): an artifact as
 * they are, handed over unread, or, when their head says archive or
 * compressed (ARCHIVE: fd_is_archive), mapped and read as one.
 */
static void walk_fd(struct walker *w, const char *path, int fd, size_t len, bool archive,
		    int64_t mtime, int depth, uint64_t *charge)
{
	if (!archive) {
		hand_over(w, &(struct walk_artifact){ path, fd, len, fd, len, mtime, charge });
		return;
	}
	void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		problem(w, path, "cannot map: %s", strerror(errno));
		return;
	}
	walk_blob(w, path, fd, map, len, mtime, depth, charge);
	munmap(map, len);
}

static void walk_one(struct walker *w, const char *path, bool top, bool listed_regular);

/* A regular file's bytes, as found: an artifact, or an archive or compressed file (ARCHIVE) to read. */
static void walk_regular(struct walker *w, const char *path, int fd, size_t len, bool archive,
			 int64_t mtime)
{
	w->outer_reported = 0;
	walk_fd(w, path, fd, len, archive, mtime, 0, NULL);
	if (w->ops->progress && len > w->outer_reported)
		w->ops->progress(w->ctx, len - w->outer_reported);
}

static bool first_visit(struct walker *w, const struct stat *st)
{
	char key[64];
	snprintf(key, sizeof(key), "%llu:%llu", (unsigned long long)st->st_dev,
		 (unsigned long long)st->st_ino);
	if (hashmap_get(&w->visited, key))
		return false;
	char *k = xstrdup(key);
	w->owned = xrealloc(w->owned, (w->nowned + 1) * sizeof(*w->owned));
	w->owned[w->nowned++] = k;
	hashmap_put(&w->visited, k, k);
	return true;
}

static void walk_dir(struct walker *w, const char *path, const struct stat *st)
{
	if (!first_visit(w, st))
		return; /* a symbolic link back into a directory already walked */
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		problem(w, path, "cannot read directory: %s", strerror(errno));
		return;
	}
	struct strbuf child = STRBUF_INIT;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (!w->stop && strcmp(name, ".") && strcmp(name, "..")) {
			strbuf_reset(&child);
			size_t plen = strlen(path);
			strbuf_addf(&child, "%s%s%s", path, plen && path[plen - 1] == '/' ? "" : "/",
				    name);
			walk_one(w, child.buf, false, names[i]->d_type == DT_REG);
		}
		free(names[i]);
	}
	free(names);
	strbuf_release(&child);
}

/*
 * A name found in a folder decides what is opened: only a directory or a
 * regular file is. The type is looked at before open() (opening a FIFO
 * blocks until a writer comes, opening a device can act on it), and again
 * on the descriptor, opened O_NONBLOCK, in case the name changed between.
 * LISTED_REGULAR: the folder's listing says a regular file (readdir's
 * d_type, which most file systems fill in), so no stat() is needed first:
 * a path look-up less for each of thousands of cores.
 */
static void walk_one(struct walker *w, const char *path, bool top, bool listed_regular)
{
	struct stat st = { .st_mode = S_IFREG };
	if (!listed_regular && stat(path, &st) < 0) {
		problem(w, path, "cannot open: %s", strerror(errno));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		walk_dir(w, path, &st);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		if (top)
			problem(w, path, "not a regular file or directory (%s)", safeopen_kind(st.st_mode));
		else if (w->ops->skip)
			w->ops->skip(w->ctx, path, safeopen_kind(st.st_mode));
		return;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		problem(w, path, "cannot open: %s", strerror(errno));
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		problem(w, path, "changed while it was opened: not a regular file any more");
		close(fd);
		return;
	}
	size_t len = (size_t)st.st_size;
	bool archive = fd_is_archive(fd, len); /* its head, read once */
	if (w->ops->read_file && archive) {
		int r = w->ops->read_file(w->ctx, path, fd, len, st.st_mtime);
		if (r)
			w->stop = r;
	} else {
		walk_regular(w, path, fd, len, archive, st.st_mtime);
	}
	close(fd);
}

int walk_paths(const char *const *paths, size_t npaths, const struct walk_limits *limits,
	       const struct walk_ops *ops, void *ctx, struct walk_stats *stats)
{
	struct walker w = { .limits = limits, .ops = ops, .ctx = ctx, .stats = stats };
	memset(stats, 0, sizeof(*stats));
	for (size_t i = 0; i < npaths && !w.stop; i++)
		walk_one(&w, paths[i], true, false);
	hashmap_clear(&w.visited);
	for (size_t i = 0; i < w.nowned; i++)
		free(w.owned[i]);
	free(w.owned);
	return w.stop;
}

int walk_file(const char *path, int fd, size_t len, int64_t mtime, const struct walk_limits *limits,
	      const struct walk_ops *ops, void *ctx, struct walk_stats *stats)
{
	struct walker w = { .limits = limits, .ops = ops, .ctx = ctx, .stats = stats };
	walk_regular(&w, path, fd, len, fd_is_archive(fd, len), mtime);
	return w.stop;
}

static uint64_t total_of(const char *path, struct hashmap *seen, char ***owned, size_t *nowned,
			 int depth)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return 0;
	if (S_ISREG(st.st_mode))
		return (uint64_t)st.st_size;
	if (!S_ISDIR(st.st_mode) || depth > 64)
		return 0;
	char key[64];
	snprintf(key, sizeof(key), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	if (hashmap_get(seen, key))
		return 0;
	char *k = xstrdup(key);
	*owned = xrealloc(*owned, (*nowned + 1) * sizeof(**owned));
	(*owned)[(*nowned)++] = k;
	hashmap_put(seen, k, k);
	DIR *dir = opendir(path);
	if (!dir)
		return 0;
	uint64_t sum = 0;
	struct strbuf child = STRBUF_INIT;
	struct dirent *de;
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_reset(&child);
		strbuf_addf(&child, "%s/%s", path, de->d_name);
		sum += total_of(child.buf, seen, owned, nowned, depth + 1);
	}
	closedir(dir);
	strbuf_release(&child);
	return sum;
}

uint64_t walk_total_bytes(const char *const *paths, size_t npaths)
{
	struct hashmap seen = HASHMAP_INIT;
	char **owned = NULL;
	size_t nowned = 0;
	uint64_t sum = 0;
	for (size_t i = 0; i < npaths; i++)
		sum += total_of(paths[i], &seen, &owned, &nowned, 0);
	hashmap_clear(&seen);
	for (size_t i = 0; i < nowned; i++)
		free(owned[i]);
	free(owned);
	return sum;
}
