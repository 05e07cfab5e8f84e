#ifndef MORTEM_ISOLATE_H
#define MORTEM_ISOLATE_H

#include <stdbool.h>

#include "analyzer/lib/strbuf.h"

/*
 * Inputs analyzed in a child process, so that a crash (or a runaway)
 * inside libdw, libelf, libunwind or libarchive on hostile bytes costs only
 * that input: `mortem report A B C` with a B that kills its analysis says
 * "mortem: B: analysis crashed (SIGSEGV in libunwind-coredump.so.0)" and
 * goes on with C. One child serves input after input (what it learned
 * stays warm, as in one process) until one kills it; the next input gets a
 * fresh child. A request costs a pipe round trip, a crash a fork
 * (bench/README.md, isolation).
 */

/*
 * The work for request N, done in the child: returns the status the parent
 * gets (0..125; a non-zero status means the child has said on stderr what
 * went wrong). OUT is the descriptor given to isolate_new.
 */
typedef int isolate_fn(void *ctx, int n, int out);

struct isolate;

/*
 * Requests will run FN(CTX, N, OUT) in a child, each for at most TIMEOUT
 * seconds (0: no limit). The child is forked at the first request: CTX
 * must hold by then everything the requests need. Never NULL.
 */
struct isolate *isolate_new(isolate_fn *fn, void *ctx, int out, int timeout);

/*
 * Runs request N in the child and waits for it. Returns FN's status; or -1
 * with WHY set when the child did not answer ("analysis crashed (SIGSEGV
 * in libdw.so.1)", "analysis timed out after 5 s (--timeout)"): it is gone
 * then, and the next request starts another. Where no child can be made
 * (or MORTEM_IN_PROCESS=1 is in the environment: bench/isolation.sh
 * measures what the child costs), FN runs in this process.
 */
int isolate_call(struct isolate *s, int n, struct strbuf *why);

/* The signal that ended the child in the last isolate_call returning -1 (0: none, a time-out is SIGKILL). */
int isolate_last_signal(const struct isolate *s);
/* Whether that child had called isolate_analysis_done (the death is not the analysis'). */
bool isolate_last_after_analysis(const struct isolate *s);

/*
 * Called by a request once the analysis is over: a death from now on (the
 * browser's, drawing) is not reported as an analysis that crashed.
 */
void isolate_analysis_done(void);

/*
 * A request that talks to the parent while it runs (triage's walker hands
 * over each archive member and waits for the answer): while the parent
 * waits for the request, SERVE(CTX) is called whenever FD is readable, and
 * every call starts the timeout again. When it runs out, MOVED(CTX)
 * (optional) says whether the child made progress since it was last
 * asked: if so, the wait goes on (only a child that neither talks nor
 * moves for TIMEOUT seconds is a runaway). WHAT names what a request
 * reads in the messages ("archive crashed (SIGSEGV in libz.so.1)"; the
 * default is "analysis").
 */
struct isolate_watch {
	const char *what;
	int fd;
	void (*serve)(void *ctx);
	bool (*moved)(void *ctx);
	void *ctx;
};
void isolate_watch(struct isolate *s, const struct isolate_watch *w);

/* Whether MORTEM_IN_PROCESS=1 asks for no child (isolate_call runs FN in this process). */
bool isolate_disabled(void);
/* Whether this process is an isolate's child (FN runs there, not in the parent). */
bool isolate_in_child(void);

/* Ends the child (it finishes its loop) and frees S. */
void isolate_free(struct isolate *s);

/*
 * Test hook, called by the requests: MORTEM_TEST_ANALYSIS_FAULT=
 * "SUBSTRING:crash|hang" makes the analysis of an input whose name holds
 * SUBSTRING fault inside a library (zlib reads an unmapped address, as
 * libunwind did on a damaged NT_FILE note) or never end.
 */
void isolate_test_fault(const char *subject);
/* "SUBSTRING:crash-late": the same fault once the report has been written (a report cut short). */
void isolate_test_late_fault(const char *subject);
/*
 * The same for triage's walker child, MORTEM_TEST_WALKER_FAULT=
 * "SUBSTRING:crash|hang": called with the archive or compressed file it
 * is asked to read and with each member it is about to hand over.
 */
void isolate_test_walker_fault(const char *subject);

#endif
