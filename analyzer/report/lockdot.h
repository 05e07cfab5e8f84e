#ifndef MORTEM_LOCKDOT_H
#define MORTEM_LOCKDOT_H

#include "analyzer/model/dump.h"
#include "analyzer/lib/strbuf.h"

/*
 * The lock graph as Graphviz DOT: threads are boxes, locks ellipses,
 * "holds" edges lock -> thread and "waits" edges thread -> lock; threads and
 * locks named by a lock-cycle finding are drawn red. Only threads that hold
 * or wait on a lock appear.
 */
void lockdot_render(const struct dump *d, struct strbuf *out);

/* Writes lockdot_render's output to PATH. Returns 0, or -1 with ERR. */
int lockdot_write_file(const struct dump *d, const char *path, struct strbuf *err);

#endif
