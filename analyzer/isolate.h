#ifndef MORTEM_ISOLATE_H
#define MORTEM_ISOLATE_H

#include "analyzer/lib/strbuf.h"

/*
 * One input analyzed in a child process, so that a crash (or a runaway)
 * inside libdw, libelf, libunwind or libarchive on hostile bytes costs only
 * that input: `mortem report A B C` with a B that kills its analysis says
 * "mortem: B: analysis crashed (SIGSEGV in libunwind-coredump.so.0)" and
 * goes on with C. A fork costs about a millisecond (bench/README.md).
 */

/*
 * The work done in the child: returns the exit status the child ends with
 * (0: done, otherwise the child has said what went wrong on stderr).
 * OUT is a descriptor the child writes its output to (-1 for none).
 */
typedef int isolate_fn(void *ctx, int out);

/*
 * Runs FN(CTX, OUT) in a child process and waits for it: at most TIMEOUT
 * seconds (0: no limit), after which the child is killed. Returns the
 * child's exit status; or -1 with WHY set when it did not end by itself
 * ("analysis crashed (SIGSEGV in libdw.so.1)", "analysis timed out after
 * 5 s (--timeout)"). When fork() is impossible, FN runs in this process.
 */
int isolate_run(isolate_fn *fn, void *ctx, int out, int timeout, struct strbuf *why);

/*
 * Test hook, called by the children: MORTEM_TEST_ANALYSIS_FAULT=
 * "SUBSTRING:crash|hang" makes the analysis of an input whose name holds
 * SUBSTRING fault inside a library (zlib reads an unmapped address, as
 * libunwind did on a damaged NT_FILE note) or never end.
 */
void isolate_test_fault(const char *subject);

#endif
