#ifndef MORTEM_CATALOGUE_H
#define MORTEM_CATALOGUE_H

#include "analyzer/model/dump.h"

/*
 * The fixed core of the finding catalogue (SPEC.md), defined once:
 * X(id, severity, title). Rules loaded from the rule files under signatures/ add more
 * ids; `mortem rules` lists both.
 */
#define CATALOGUE(X)                                                                              \
	X("lock-cycle", SEV_CRITICAL, "threads wait for each other in a cycle (deadlock)")         \
	X("unwinder-loader-deadlock", SEV_CRITICAL,                                                \
	  "deadlock between the dynamic loader's lock and an allocator/profiler lock")            \
	X("eintr-crash", SEV_HIGH, "crash after a system call was interrupted by a signal (EINTR not retried)") \
	X("signal-unsafe-call", SEV_HIGH, "non-async-signal-safe function inside a signal handler") \
	X("lock-contention", SEV_MEDIUM, "many threads blocked on one lock held by one thread")     \
	X("stack-overflow", SEV_HIGH, "stack overflow")                                            \
	X("assertion-failure", SEV_HIGH, "assertion failed")                                       \
	X("heap-corruption", SEV_CRITICAL, "the allocator detected heap corruption")               \
	X("null-dereference", SEV_HIGH, "null pointer dereference")                                \
	X("native-library-crash", SEV_HIGH, "the JVM died in a native (JNI) library")              \
	X("jvm-internal-crash", SEV_HIGH, "the JVM died in its own code")                         \
	X("out-of-memory", SEV_HIGH, "the process ran out of memory")

struct catalogue_entry {
	const char *id;
	enum severity severity;
	const char *title;
};

extern const struct catalogue_entry catalogue[];
extern const size_t catalogue_count;

/* The core entry for ID, or NULL. */
const struct catalogue_entry *catalogue_find(const char *id);

#endif
