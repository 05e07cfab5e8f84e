#ifndef MORTEM_WAITLOCK_H
#define MORTEM_WAITLOCK_H

/*
 * Waited-on locks from the frame arguments a native text dump prints
 * (gdb, pstack, lldb): `pthread_mutex_lock (mutex=0x…)`,
 * `__lll_lock_wait (futex=0x…, …)`, `pthread_rwlock_wrlock (rwlock=0x…)`,
 * `pthread_join (threadid=…)`. Shared by every parser that fills
 * frame->function and frame->args.
 */

#include "analyzer/model/dump.h"

/*
 * Looks at T's innermost frames (up to a signal frame) for a lock-waiting
 * call and, when its argument gives an address, makes T wait on that lock
 * (dump_lock + thread_wait_on) with the matching kind. A mutex symbol
 * printed after the address (`0x… <lock_a>`) becomes the lock's label.
 * Does nothing on threads of a dropped snapshot.
 */
void waitlock_thread(struct dump *d, struct thread *t);

/*
 * After all threads are read: a thread_join lock whose address is the
 * pthread_t of a listed thread (thread->pthread) gets that thread as owner.
 */
void waitlock_resolve_joins(struct dump *d);

#endif
