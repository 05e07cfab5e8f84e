#ifndef MORTEM_LOCKGRAPH_H
#define MORTEM_LOCKGRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer/model/dump.h"
#include "analyzer/model/options.h"
#include "analyzer/lib/strbuf.h"

/*
 * The wait-for graph over the threads and locks of a dump, of every lock
 * kind at once: an edge goes from a thread to each thread that holds the
 * lock it waits on (the lock's owner, and every thread that lists the lock
 * among its holds — several for a read-held rwlock). Cycles are the
 * strongly connected components of that graph (Tarjan, iterative, linear
 * in threads + edges), so a cycle is found once however many threads queue
 * behind it, and threads that merely wait on a cycle's lock are not in it.
 *
 * A thread waiting on a lock it holds itself is a cycle of one only for
 * lock kinds that can self-deadlock (pthread_mutex, futex, unknown); Java
 * monitors and j.u.c. locks are reentrant, rwlocks and joins return EDEADLK.
 */

/* Threads at least this many waiting on one lock make a lock-contention finding. */
#define LOCKGRAPH_CONTENTION_MIN_WAITERS 3

struct lockgraph_cycle {
	struct thread **threads;  /* the component's threads, in cycle order from the first in the dump */
	size_t nthreads;
	struct lock **locks;      /* lock i is what threads[i] waits on (same order) */
	size_t nlocks;
	bool inferred;            /* some owner on the cycle was inferred, not read or printed */
	size_t bystanders;        /* threads outside the cycle waiting on one of its locks */
	bool timed;               /* a thread on it waits with a timeout: the cycle will break */
};


/*
 * The analysis stage (analyze.h): adds one `lock-cycle` finding per cycle
 * (critical; certain when every owner on it was read from memory or printed
 * by the dump, likely when one was inferred) whose summary draws the cycle,
 * and one `lock-contention` finding (medium) per lock that at least
 * LOCKGRAPH_CONTENTION_MIN_WAITERS threads wait on while a single thread,
 * itself not on a cycle, holds it. Only adds findings; returns 0.
 */
int lockgraph_analyze(struct dump *d, const struct mortem_opts *o, struct strbuf *err);

/*
 * Whether T's wait has a timeout (TIMED_WAITING, tryLock, pthread_mutex_timedlock,
 * timed joins...). A cycle through such a wait is a lock-order inversion that
 * breaks when the timeout expires: lockgraph_analyze warns about it instead of
 * adding a lock-cycle finding.
 */
bool lockgraph_wait_is_timed(const struct thread *t);

#endif
