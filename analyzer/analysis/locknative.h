#ifndef MORTEM_LOCKNATIVE_H
#define MORTEM_LOCKNATIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/model/dump.h"
#include "analyzer/model/options.h"
#include "analyzer/lib/strbuf.h"

/*
 * Wait-for edges of native threads, for the lock graph (lockgraph.h).
 *
 * From cores and live processes (d->mem set): a thread blocked in the futex
 * system call waits on the word its first argument names. The word is
 * classified by reading the process's memory, frames as a hint:
 *
 *   - inside ld.so's `_rtld_global` and shaped as a recursive mutex:
 *     `loader_lock` (`_rtld_global._dl_load_lock`, `_dl_load_write_lock`,
 *     `_dl_load_tls_lock`), owner from the mutex's __owner;
 *   - the word equals another thread's TID (and sits at that thread's
 *     descriptor, thread pointer + tid offset): `thread_join`, "held" by
 *     the thread being joined;
 *   - a `pthread_mutex_t` (owner TID at __owner is a thread of the process,
 *     the kind plausible; PI mutexes carry the owner in the word itself);
 *   - a `pthread_rwlock_t` (the word is __wrphase_futex or __writers_futex
 *     inside it; the writer at __cur_writer);
 *   - glibc's malloc arena lock (`main_arena`, or an lll lock waited for from
 *     malloc/free): owner unknown, except when the waiter sits in a signal
 *     handler whose interrupted frames are inside malloc/free — then it waits
 *     for itself (owner inferred);
 *   - condition variables, semaphores and barriers are not locks: no edge;
 *     anything else stays a `futex` without owner.
 *
 * From text dumps (no memory): a thread not yet waiting whose frames show
 * pthread_mutex_lock / pthread_rwlock_*lock with a `mutex=0x…` / `rwlock=0x…`
 * argument waits on that address (owner unknown unless the dump said), and
 * the arena self-deadlock shape above is recognised from frames alone.
 *
 * Syscall numbers and glibc layouts live in one table per architecture
 * (x86-64, aarch64); the table of the machine mortem runs on is used.
 * Owners that were guessed are marked lock->owner_inferred with a warning.
 */

/* Layout knowledge for one architecture (glibc 2.25+; ld.so offsets of 2.36). */
struct locknative_arch {
	const char *name;
	int64_t futex_nr;             /* the futex system call number */
	unsigned mutex_count, mutex_owner, mutex_kind;
	unsigned rwlock_wrphase_futex, rwlock_writers_futex, rwlock_cur_writer, rwlock_flags;
	int64_t thread_tid;           /* tid field's offset from the thread pointer; 0: unknown */
	unsigned rtld_lock_size;      /* sizeof(__rtld_lock_recursive_t) */
	unsigned rtld_load_lock, rtld_load_write_lock, rtld_load_tls_lock; /* in _rtld_global; 0 unknown */
	unsigned rtld_scan;           /* bytes of _rtld_global searched when the offsets do not match */
};

/* The table for the machine mortem was built for (NULL on other machines). */
const struct locknative_arch *locknative_host_arch(void);
/* The table named NAME ("x86-64", "aarch64"), or NULL. */
const struct locknative_arch *locknative_arch(const char *name);

/* The analysis stage (analyze.h). Only adds locks, waits, holds and warnings; returns 0. */
int locknative_analyze(struct dump *d, const struct mortem_opts *o, struct strbuf *err);

#endif
