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
	struct hsmonitor *held;   /* the monitors its frames hold (hsmonitor.frame unused) */
	size_t nheld, aheld;
	const char *approximate;  /* the compiled method of a frame named by an approximate
				     scope (arena), or NULL */
	uint64_t approximate_pc;
};

struct hotspot {
	struct native *n;
	struct hashmap syms;      /* libjvm's symbols this reader uses: name -> uint64_t * address */
	struct hsvm vm;
	struct hscode code;
	struct jthread *threads;
	size_t nthreads;
	/*
	 * java.lang field offsets from libjvm's symbol table, else from the
	 * classes' field metadata (stripped libjvm); -1 unknown
	 */
	int64_t name_off, park_blocker_off, holder_off, status_off, daemon_off;
	int64_t value_off, coder_off, aos_owner_off;
};

/* K or the superclass of K whose external name is NAME ("java.lang.Thread"), or 0. */
uint64_t hotspot_klass_named(struct hotspot *h, uint64_t k, const char *name);


/* Adds the Java locks, waits and holds of every Java thread (hotspot_locks.c). */
void hotspot_locks(struct hotspot *h);

/*
 * Appends to OUT the native frames below the Java call that entered at E,
 * unwound by CFI from the registers its call stub saved (hotspot_unwind.c),
 * up to MAX frames, until the thread's first frame (OUT->complete set), a
 * pc in generated code (the Java frames of an older call) or a frame the
 * CFI cannot step past.
 */
void hotspot_unwind_below(struct hotspot *h, const struct hsentry *e, size_t max, struct unwind_result *out);

#endif
