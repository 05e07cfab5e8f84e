#ifndef MORTEM_DETECT_H
#define MORTEM_DETECT_H

/*
 * The signature detectors written in C: what needs arithmetic (fault
 * address against the stack pointer, repeating frames, thread counts) or
 * weighing several pieces of evidence (eintr-crash). Each reads the dump
 * and adds at most one finding with its id; the rule files may add a
 * finding with the same id when the detector did not (rules.h).
 *
 * X(id, function); the id's severity and title are the catalogue's
 * (analyzer/model/catalogue.h).
 */

#include "analyzer/model/dump.h"

#define DETECTORS(X)                                  \
	X("eintr-crash", detect_eintr)                 \
	X("stack-overflow", detect_stack_overflow)     \
	X("null-dereference", detect_null_dereference) \
	X("infinite-recursion", detect_recursion)      \
	X("thread-leak", detect_thread_leak)           \
	X("stuck-thread-pool", detect_stuck_pool)

/*
 * What the detectors of one run share, asked of the dump once rather than
 * once per detector (each question is a pass over every thread):
 * detect_ctx_init finds the crashing thread (dump_crash_thread, which the
 * detectors do not change); the threads' grouping by name pattern is made
 * by the first detector that needs it. detect_ctx_release frees it.
 */
struct detect_groups;
struct detect_ctx {
	struct thread *crashed;
	struct detect_groups *groups;
};
void detect_ctx_init(struct detect_ctx *cx, struct dump *d);
void detect_ctx_release(struct detect_ctx *cx);

#define X_DECLARE(id, fn) void fn(struct dump *d, struct detect_ctx *cx);
DETECTORS(X_DECLARE)
#undef X_DECLARE

struct detector {
	const char *id;
	void (*run)(struct dump *d, struct detect_ctx *cx);
};

extern const struct detector detectors[];
extern const size_t detectors_count;


#endif
