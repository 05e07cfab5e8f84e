#ifndef MORTEM_SAFEOPEN_H
#define MORTEM_SAFEOPEN_H

#include <stdbool.h>

#include "analyzer/lib/strbuf.h"

/*
 * Paths a dump names are opened only when they are regular files (or
 * directories): a core's NT_FILE, its link map, an hs_err library list can
 * name a FIFO (open() blocks until a writer comes: a hang) or a device
 * (opening one can act on it). mortem's own code checks before it opens;
 * libdw, libelf and libunwind open such names themselves, so while a guard
 * is up every open() in the process goes through this module: it looks at
 * the name's type first (stat, which never blocks), opens with O_NONBLOCK
 * and looks again at the descriptor, and refuses anything but a regular
 * file or a directory (errno ENXIO). The libraries treat a refusal as a
 * file that is not there; the refused names are kept for a warning. The
 * descriptor keeps O_NONBLOCK: the kernel ignores it for a regular file's
 * reads and mappings and a directory's, and taking it off cost two system
 * calls an open (a triage worker opens a dozen files a core). The name a
 * link map gives the vDSO ("linux-vdso.so.1", no slash) is no file: it
 * fails with ENOENT, never opened from the working directory.
 */

/* Raises the guard (nestable); names refused from now on are collected. */
void safeopen_guard_begin(void);
/*
 * Lowers it. When REFUSED is not NULL, appends to it the names refused
 * since the matching begin, one "PATH (a FIFO (named pipe))" per line.
 */
void safeopen_guard_end(struct strbuf *refused);

/*
 * Opens PATH read-only if it is a regular file, without blocking on
 * anything else. Returns the descriptor (O_CLOEXEC, O_NONBLOCK), or -1 with a message
 * in ERR ("a FIFO (named pipe), not a regular file", "cannot open: ...").
 */
int safeopen_regular(const char *path, struct strbuf *err);

/* Whether PATH names a regular file now (stat, following links); false when it does not exist. */
bool safeopen_is_regular(const char *path);

/* What kind of file MODE says ("a FIFO (named pipe)", "a character device", ...). */
const char *safeopen_kind(unsigned mode);

#endif
