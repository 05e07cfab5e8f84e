#ifndef MORTEM_DETECT_H
#define MORTEM_DETECT_H

/*
 * The signature detectors written in C: what needs arithmetic (fault
 * address against the stack pointer, repeating frames, thread counts) or
 * weighing several pieces of evidence (eintr-crash). Each reads the dump
 * and adds at most one finding with its id; the rule files may add a
 * finding with the same id when the detector did not (rules.h).
 *
 * X(id, severity, title, function)
 */

#include "analyzer/model/dump.h"

#define DETECTORS(X)                                                                               \
	X("eintr-crash", SEV_HIGH,                                                                 \
	  "crash after a system call was interrupted by a signal (EINTR not retried)", detect_eintr)  \
	X("stack-overflow", SEV_HIGH, "stack overflow (guard-page fault or runaway recursion)",      \
	  detect_stack_overflow)                                                                   \
	X("null-dereference", SEV_HIGH, "null pointer dereference (fault in the first page)",       \
	  detect_null_dereference)                                                                 \
	X("infinite-recursion", SEV_MEDIUM, "a thread is deep in runaway recursion",                \
	  detect_recursion)                                                                        \
	X("thread-leak", SEV_MEDIUM, "thousands of similar threads (thread leak)", detect_thread_leak) \
	X("stuck-thread-pool", SEV_HIGH, "every worker of a thread pool is blocked at the same place", \
	  detect_stuck_pool)

#define X_DECLARE(id, sev, title, fn) void fn(struct dump *d);
DETECTORS(X_DECLARE)
#undef X_DECLARE

struct detector {
	const char *id;
	enum severity severity;
	const char *title;
	void (*run)(struct dump *d);
};

extern const struct detector detectors[];
extern const size_t detectors_count;

/*
 * The length of the shortest period P (1..16) with which T's frames
 * (function names, or pcs) repeat at least MIN_REPEATS times in a row,
 * starting anywhere in the first frames; 0 when they do not. *START gets
 * where the repetition starts.
 */
size_t frames_repeat_period(const struct thread *t, size_t min_repeats, size_t *start);

#endif
