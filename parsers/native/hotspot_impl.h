#ifndef MORTEM_HOTSPOT_IMPL_H
#define MORTEM_HOTSPOT_IMPL_H

/* What hotspot.c and hotspot_locks.c share (not for other modules). */

#include "analyzer/lib/hashmap.h"
#include "parsers/native/hotspot.h"
#include "parsers/native/hsframes.h"
#include "parsers/native/hsvm.h"

struct jthread {
	uint64_t jt;              /* JavaThread* */
	uint64_t obj;             /* its java.lang.Thread, or 0 */
	int64_t tid;
	uint64_t owner_id;        /* JDK 24+: _monitor_owner_id, what ObjectMonitor::_owner holds */
	uint64_t stack_low, stack_high;
	uint32_t vm_state;        /* JavaThreadState */
	uint32_t status;          /* java.lang.Thread threadStatus (JVMTI bits), 0 unknown */
	struct thread *t;         /* the model's thread, once known */
};

struct hotspot {
	struct native *n;
	struct hashmap syms;      /* libjvm's symbols this reader uses: name -> uint64_t * address */
	struct hsvm vm;
	struct hscode code;
	struct jthread *threads;
	size_t nthreads;
	/* java.lang field offsets from libjvm's symbol table; -1 unknown */
	int64_t name_off, eetop_off, park_blocker_off, holder_off, status_off, daemon_off;
	int64_t value_off, coder_off, aos_owner_off;
};


/* Adds the Java locks, waits and holds of every Java thread (hotspot_locks.c). */
void hotspot_locks(struct hotspot *h);

#endif
