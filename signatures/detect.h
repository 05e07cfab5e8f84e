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

#define X_DECLARE(id, fn) void fn(struct dump *d);
DETECTORS(X_DECLARE)
#undef X_DECLARE

struct detector {
	const char *id;
	void (*run)(struct dump *d);
};

extern const struct detector detectors[];
extern const size_t detectors_count;


#endif
