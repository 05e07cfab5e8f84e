#ifndef MORTEM_WALKISO_H
#define MORTEM_WALKISO_H

#include <stddef.h>

#include "analyzer/triage/walk.h"

/*
 * triage's walker with its archives read in a child process
 * (analyzer/isolate.h), so that a crash (or a runaway) inside libarchive,
 * zlib, zstd or xz on one crafted archive costs only that archive: it is
 * reported through OPS->problem, "archive crashed (SIGSEGV in libz.so.1)"
 * or "archive timed out after 120 s without progress (--timeout)", with
 * what it had handed over before; the next file gets a fresh child.
 *
 * Folders are walked here, and files that are neither archives nor
 * compressed are handed over from here as walk_paths does; each archive
 * or compressed file goes to the child as a descriptor (SCM_RIGHTS), and
 * each artifact comes back the same way, as a memfd whose budget
 * (LIMITS->budget) the child took through a share of it (membudget.h):
 * what a dead child held is given back. The child waits for the answer
 * to every artifact and every wait for memory, so the walk goes exactly
 * as walk_paths' would.
 */

/*
 * walk_paths, with archives read in a child, each for at most TIMEOUT
 * seconds without progress (0: no limit). With MORTEM_IN_PROCESS=1, or
 * when no child can be made, it is walk_paths.
 */
int walkiso_paths(const char *const *paths, size_t npaths, const struct walk_limits *limits,
		  const struct walk_ops *ops, void *ctx, struct walk_stats *stats, int timeout);

#endif
