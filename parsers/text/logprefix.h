#ifndef MORTEM_LOGPREFIX_H
#define MORTEM_LOGPREFIX_H

/*
 * A format-independent clean-up of pasted text dumps, run before format
 * detection (analyzer/pipeline.c): a dump copied out of an application log
 * or a ticket often carries a prefix on every line and padding after it:
 *
 *   2024-01-02 10:11:12,345 INFO  [main] "worker-1" #12 prio=5 ...
 *   Nov 23 15:56:25 host app[1234]: Thread 2 (Thread 0x7f.. (LWP 12)):
 *   [pid 4711] #0  0x00007f.. in poll () from /lib/libc.so.6
 *
 * The prefix is found by shape, not by a list of log formats: digit runs
 * match any digit run, a bracketed or parenthesised group matches any such
 * group, a run of capitals (a level: INFO, WARN) matches any such run, other
 * characters match themselves. A prefix is the longest shape that ends at a
 * separator (space, tab, ':', ']', '>', '|'), contains a group or two
 * digit runs, has no '#', '"' or tab (where gdb frames "#3  ", jstack
 * headers and frames begin: "#3  " of a backtrace is never taken), and starts the first non-empty line and at least 80% of the non-empty lines among the first
 * 2000 (at least 3 lines). Lines that do not start with it are kept as they
 * are (a multi-line log message), lines that do lose it; trailing spaces and
 * tabs (console padding) and CRs are removed from every line.
 *
 * A paste a console hard-wrapped at its width (tmux capture-pane, screen)
 * is joined back: every line of exactly the width W is followed by the rest
 * of its line. W is the longest line's length, reached by 3 or more
 * different lines, at least half of which are cut inside a token the next
 * line goes on with ("tid=0x0" / "0007f46f00f83b0 nid=0x318b ..."): a
 * thread header's nid=0x271 cut at the wrap is read whole, not as a
 * thread id of its own. Such a paste is unwrapped, not searched for a
 * prefix.
 *
 * Binary inputs (cores: a NUL byte or the ELF magic in the first 64 KiB)
 * and JSON are never touched, and text is only rewritten when a prefix or
 * padding on most lines was found, so clean inputs pass through unchanged.
 */

#include <stdbool.h>
#include <stddef.h>

#include "analyzer/lib/input.h"
#include "analyzer/lib/strbuf.h"

struct logprefix_result {
	size_t prefixed_lines;   /* lines whose prefix was removed */
	size_t padded_lines;     /* lines whose trailing padding was removed */
	struct strbuf shape;     /* the prefix's shape, e.g. "9-9-9 9:9:9,9 A [*] " */
	size_t unwrapped_lines;  /* lines joined to the next (a hard-wrapped paste) */
	size_t wrap_width;       /* the width it was wrapped at, or 0 */
};

#define LOGPREFIX_RESULT_INIT { 0, 0, STRBUF_INIT, 0, 0 }

/*
 * Looks at IN's bytes and, when they carry a line prefix or padding (or
 * were hard-wrapped), writes the cleaned text to OUT and returns 1 (RES
 * says what was done); returns 0 and leaves OUT alone when there is
 * nothing to clean. An input in a file mapping is read as a text parser
 * reads it (text.h: ahead of the pass into copies, its pages given back
 * behind it), so only the cleaned copy stays in memory.
 */
int logprefix_clean(const struct input *in, struct strbuf *out, struct logprefix_result *res);

void logprefix_result_release(struct logprefix_result *res);

#endif
