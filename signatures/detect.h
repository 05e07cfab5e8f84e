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
 * What the detectors of one run share, gathered by detect_ctx_init in one
 * pass over the threads (each detector asking on its own would make a
 * pass of its own: milliseconds of memory traffic on a dump of 200,000
 * threads): the crashing thread (dump_crash_thread; no detector changes
 * it), the thread that died (the crashing one, else the only thread whose
 * stack shows an abort), the threads deep enough to recurse, and the
 * threads' groups for thread-leak and stuck-thread-pool.
 * detect_ctx_release frees it.
 */
struct detect_groups;
struct detect_ctx {
	struct thread *crashed;
	struct thread *dead;
	struct thread **deep;     /* the threads of DETECT_DEEP frames or more, in dump order */
	size_t ndeep, deep_alloc;
	struct detect_groups *groups;
};
#define DETECT_DEEP 200
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
