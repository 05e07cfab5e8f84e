#ifndef MORTEM_WALK_H
#define MORTEM_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/lib/membudget.h"

/*
 * Finding artifacts for triage: walks files, directories (recursively,
 * following symbolic links but never into a directory twice; only regular
 * files are opened, never a FIFO or a device) and archives
 * (tar, tar.gz/tgz, tar.zst, tar.xz, tar.bz2, zip; nested freely) with
 * libarchive, without extracting anything to disk. Every archive member is
 * read into an anonymous memory file (memfd) and handed over as bytes; a
 * member that is itself an archive is walked in turn; a compressed file
 * that is no archive is handed over decompressed (in a memfd too). The
 * memfds draw on one budget (walk_limits.budget) that the consumers of the
 * artifacts share: a member that does not fit waits until they give back.
 *
 * A member's path is written "outer.tar.gz!/inner/path", nested
 * "a.tar!/b.zip!/c". Whether an artifact is a dump is not decided here: the
 * walker only separates archives from everything else.
 *
 * libarchive is loaded at the first archive (analyzer/triage/arlib.h).
 * When it cannot be, each tar, zip or bzip2 file is a problem ("archive
 * support needs libarchive.so.13 (dlopen: ...)"), and a file compressed
 * with gzip, zstd, xz or lz4 is handed over decompressed as usual, unless
 * a tar or zip is inside (a problem too).
 */

struct walk_limits {
	int max_depth;            /* archives inside archives; the outermost is depth 1 */
	uint64_t max_bytes;       /* total bytes decompressed from archives */
	uint64_t max_members;     /* total archive members read */
	struct membudget *budget; /* decompressed bytes in memory at once; NULL: no limit */
};

/* Each limit has an option (triage --max-depth, --max-archive-bytes, --max-members, --max-decompressed). */
#define WALK_LIMITS_DEFAULT { .max_depth = 8, .max_bytes = 64ULL << 30, .max_members = 1000000 }

/*
 * One artifact: valid only during the callback. Its bytes are not mapped
 * for the consumer (a plain file is never mapped by the walker at all):
 * the consumer reads the descriptors, or hands them on.
 */
struct walk_artifact {
	const char *path;
	int fd;                   /* readable descriptor whose first LEN bytes are the artifact */
	size_t len;               /* (a file on disk, or a memfd of what was decompressed) */
	int raw_fd;               /* the bytes as found (compressed), for identity: the first */
	size_t raw_len;           /* RAW_LEN bytes of RAW_FD (FD itself when nothing was decompressed) */
	int64_t mtime;            /* seconds since the epoch; 0 unknown */
	/*
	 * Bytes of the budget that FD's memfd holds (0 for a file on disk).
	 * A callback that keeps the memfd alive after it returns (hands FD to
	 * another process) takes them over: *CHARGE = 0, and gives them back
	 * to the budget when the memfd is gone. Otherwise the walker does.
	 */
	uint64_t *charge;
};

struct walk_ops {
	/* An artifact was found. A nonzero return stops the walk. */
	int (*artifact)(void *ctx, const struct walk_artifact *a);
	/*
	 * PATH could not be read, or a limit cut the walk short there (MSG says
	 * which); the walk goes on with the rest.
	 */
	void (*problem)(void *ctx, const char *path, const char *msg);
	/* Optional: RAW more bytes of the named inputs were consumed (progress). */
	void (*progress)(void *ctx, uint64_t raw);
	/*
	 * Optional: PATH, found in a folder, is not a regular file (a FIFO, a
	 * device, a socket: WHAT says which) and was not opened.
	 */
	void (*skip)(void *ctx, const char *path, const char *what);
	/*
	 * Optional: the budget is short; returns true once some bytes were
	 * given back (an artifact handed over is done), false when nothing
	 * will be (the member fails, naming --max-decompressed).
	 */
	bool (*wait_memory)(void *ctx);
	/*
	 * Optional: reads PATH, a regular file whose bytes (the LEN of FD)
	 * begin like an archive or a compressed file, in the walker's stead
	 * (walks it with walk_file, in another process: analyzer/walkiso.h),
	 * the artifacts and problems reported through these ops all the same.
	 * Returns what walk_file returns.
	 */
	int (*read_file)(void *ctx, const char *path, int fd, size_t len, int64_t mtime);
};

struct walk_stats {
	uint64_t members;         /* archive members read */
	uint64_t bytes;           /* bytes decompressed from archives */
	uint64_t archives;        /* archives opened */
	bool limit_hit;
	bool bytes_exhausted;     /* --max-archive-bytes reached: no archive is read any more */
	bool members_exhausted;   /* --max-members reached: likewise */
};

/*
 * Walks every path in PATHS (NPATHS of them). Returns 0 when the walk ran
 * to the end (problems are reported through OPS->problem), or the nonzero
 * value an artifact callback returned.
 */
int walk_paths(const char *const *paths, size_t npaths, const struct walk_limits *limits,
	       const struct walk_ops *ops, void *ctx, struct walk_stats *stats);

/*
 * Walks the regular file PATH (the LEN bytes of FD) as walk_paths does a
 * file it found, adding to STATS (not cleared: the totals and limits of
 * the run so far go on). Returns 0, or the nonzero value an artifact
 * callback returned. OPS->read_file is not called.
 */
int walk_file(const char *path, int fd, size_t len, int64_t mtime, const struct walk_limits *limits,
	      const struct walk_ops *ops, void *ctx, struct walk_stats *stats);

/* Bytes the regular files under PATHS hold (for progress estimates). */
uint64_t walk_total_bytes(const char *const *paths, size_t npaths);

/* Whether DATA starts like an archive libarchive should open (tar, zip, or compressed tar). */
bool walk_is_archive(const unsigned char *data, size_t len);

#endif
