#ifndef MORTEM_CATALOGUE_H
#define MORTEM_CATALOGUE_H

#include <stddef.h>

#include "analyzer/model/dump.h"

/*
 * Every finding mortem itself can report, defined once: its id, severity
 * and title. The lock graph, the C detectors (signatures/detect.h) and the
 * built-in rule files (the .rules files under signatures/, which give only the id, the
 * match and the texts) all take them from here, and `mortem rules` lists
 * them in this order. A rule file loaded with --rules may add findings of
 * its own, with their own title and severity.
 *
 * X(id, severity, title, who reports it)
 */
#define CATALOGUE(X)                                                                                \
	X("lock-cycle", SEV_CRITICAL, "threads wait for each other in a cycle (deadlock)", "lock graph") \
	X("lock-contention", SEV_MEDIUM, "many threads blocked on one lock held by one thread", "lock graph") \
	X("eintr-crash", SEV_HIGH,                                                                \
	  "crash after a system call was interrupted by a signal (EINTR not retried)", "detector")  \
	X("stack-overflow", SEV_HIGH, "stack overflow (guard-page fault or runaway recursion)", "detector") \
	X("null-dereference", SEV_HIGH, "null pointer dereference (fault in the first page)", "detector") \
	X("infinite-recursion", SEV_MEDIUM, "a thread is deep in runaway recursion", "detector")   \
	X("thread-leak", SEV_MEDIUM, "thousands of similar threads (thread leak)", "detector")       \
	X("stuck-thread-pool", SEV_HIGH, "every worker of a thread pool is blocked at the same place", \
	  "detector")                                                                               \
	X("unwinder-loader-deadlock", SEV_CRITICAL,                                                \
	  "deadlock between the dynamic loader's lock and an allocator/profiler lock", "hang.rules") \
	X("native-library-crash", SEV_HIGH, "the JVM died in a native (JNI) library", "jvm.rules")  \
	X("unsafe-memory-access", SEV_HIGH,                                                        \
	  "the application passed a bad address to sun.misc.Unsafe (a fault in the JVM's Unsafe code, or in compiled Java code it was inlined into)", \
	  "jvm.rules")                                                                              \
	X("jvm-internal-crash", SEV_HIGH, "the JVM died in its own code", "jvm.rules")               \
	X("out-of-memory", SEV_HIGH, "the process ran out of memory", "jvm.rules")                  \
	X("gc-crash", SEV_HIGH,                                                                    \
	  "the JVM crashed inside the garbage collector (often heap corruption from native code)", "jvm.rules") \
	X("compiler-crash", SEV_HIGH, "the JVM crashed in its JIT compiler (C1/C2)", "jvm.rules")   \
	X("jni-misuse", SEV_HIGH, "JNI misuse (a bad reference or call from native code)", "jvm.rules") \
	X("jvm-stack-overflow-error", SEV_MEDIUM, "java.lang.StackOverflowError (runaway recursion in Java)", \
	  "jvm.rules")                                                                              \
	X("assertion-failure", SEV_HIGH, "assertion failed", "native.rules")                        \
	X("heap-corruption", SEV_CRITICAL, "the allocator detected heap corruption", "native.rules")  \
	X("signal-unsafe-call", SEV_HIGH, "non-async-signal-safe function inside a signal handler",  \
	  "native.rules")                                                                           \
	X("cpp-uncaught-exception", SEV_HIGH,                                                      \
	  "std::terminate: an uncaught C++ exception (or a throw from a noexcept function)", "native.rules") \
	X("pure-virtual-call", SEV_HIGH,                                                           \
	  "pure virtual function called (object used during construction, destruction or after free)", \
	  "native.rules")                                                                           \
	X("sigbus-mapped-file", SEV_HIGH,                                                          \
	  "SIGBUS reading a memory-mapped file that shrank (truncated while mapped)", "native.rules") \
	X("illegal-instruction", SEV_HIGH,                                                         \
	  "illegal instruction (CPU without a required instruction set, or a compiler trap)", "native.rules") \
	X("profiler-induced-crash", SEV_HIGH,                                                      \
	  "crash inside a profiler's sampling code (AsyncGetCallTrace, a profiler signal handler)", "native.rules")

struct catalogue_entry {
	const char *id;
	enum severity severity;
	const char *title;
	const char *origin;       /* "lock graph", "detector", or the rule file */
};

extern const struct catalogue_entry catalogue[];
extern const size_t catalogue_count;

/* The entry for ID, or NULL when ID is not in the catalogue. */
const struct catalogue_entry *catalogue_find(const char *id);

/*
 * Adds a finding ID (which must be in the catalogue: a bug otherwise,
 * caught by every test) with the catalogue's title and severity; the
 * caller fills threads, locks, summary and advice.
 */
struct finding *catalogue_add_finding(struct dump *d, const char *id, enum confidence conf);

#endif
