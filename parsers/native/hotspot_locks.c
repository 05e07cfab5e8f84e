/*
 * Java locks from memory, entered as jstack's text enters them (see
 * parsers/text/javastack.c): the same ids, kinds and labels, so that a
 * hung JVM's core and its jstack dump give the same lock graph.
 */
#include <stdio.h>
#include <string.h>

#include "parsers/native/hotspot_impl.h"

#define STATUS_PARKED 0x0291
#define STATUS_PARKED_TIMED 0x02a1
#define STATUS_BLOCKED 0x0401
#define ANONYMOUS_OWNER 1

/* The lock for object OBJ, labelled with its class ("<0x00000000fc0de1f8>" as jstack prints it). */
static struct lock *object_lock(struct hotspot *h, uint64_t obj, enum lock_kind kind)
{
	struct dump *d = h->n->d;
	char id[32];
	snprintf(id, sizeof(id), "<0x%016llx>", (unsigned long long)obj);
	struct lock *l = dump_lock(d, id, kind);
	if (!l->label) {
		struct strbuf sb = STRBUF_INIT;
		if (hsvm_klass_name(&h->vm, hsvm_klass_of(&h->vm, obj), &sb) == 0)
			l->label = dump_intern(d, sb.buf, sb.len);
		strbuf_release(&sb);
	}
	l->addr = obj;
	return l;
}

static struct jthread *by_obj(struct hotspot *h, uint64_t obj)
{
	for (size_t i = 0; obj && i < h->nthreads; i++)
		if (h->threads[i].obj == obj)
			return &h->threads[i];
	return NULL;
}

/* Whether OBJ is on thread J's lock stack (lightweight locking, JDK 21+). */
static bool lock_stack_has(struct hotspot *h, const struct jthread *j, uint64_t obj)
{
	const struct hsvm *vm = &h->vm;
	if (!hsvm_has(vm, HS_JT_LOCK_STACK) || !hsvm_has(vm, HS_LS_TOP) || !hsvm_has(vm, HS_LS_BASE))
		return false;
	uint64_t ls = j->jt + hsvm_get(vm, HS_JT_LOCK_STACK);
	uint32_t top;
	/* _top is a byte offset from the JavaThread to the next free slot */
	if (hsvm_u32(vm, ls + hsvm_get(vm, HS_LS_TOP), &top) < 0)
		return false;
	uint64_t base = ls + hsvm_get(vm, HS_LS_BASE), end = j->jt + top;
	for (uint64_t p = base; p < end && p < base + 64 * 8; p += 8)
		if (hsvm_ptr(vm, p) == obj)
			return true;
	return false;
}

/* The thread that owns monitor MON (whose object is OBJ), or NULL. */
static struct jthread *monitor_owner(struct hotspot *h, uint64_t mon, uint64_t obj)
{
	const struct hsvm *vm = &h->vm;
	uint64_t owner = hsvm_ptr(vm, mon + hsvm_get(vm, HS_MON_OWNER));
	if (!owner)
		return NULL;
	for (size_t i = 0; i < h->nthreads; i++) {
		struct jthread *j = &h->threads[i];
		if (owner == ANONYMOUS_OWNER ? lock_stack_has(h, j, obj) :
		    hsvm_has(vm, HS_JT_OWNER_ID) ? owner == j->owner_id :
		    owner == j->jt || (owner >= j->stack_low && owner < j->stack_high))
			return j;
	}
	if (hsvm_has(vm, HS_MON_STACK_LOCKER)) {
		/* JDK 24+: a stack-locked then inflated monitor keeps its BasicLock */
		uint64_t bl = hsvm_ptr(vm, mon + hsvm_get(vm, HS_MON_STACK_LOCKER));
		for (size_t i = 0; bl && i < h->nthreads; i++)
			if (bl >= h->threads[i].stack_low && bl < h->threads[i].stack_high)
				return &h->threads[i];
	}
	return NULL;
}

/* The object of ObjectMonitor MON (its _object is a WeakHandle: a pointer to the oop), or 0. */
static uint64_t monitor_object(struct hotspot *h, uint64_t mon)
{
	return mon ? hsvm_ptr(&h->vm, hsvm_ptr(&h->vm, mon + hsvm_get(&h->vm, HS_MON_OBJECT))) : 0;
}

static void blocked_on_monitor(struct hotspot *h, struct jthread *j)
{
	const struct hsvm *vm = &h->vm;
	struct dump *d = h->n->d;
	uint64_t mon = hsvm_ptr(vm, j->jt + hsvm_get(vm, HS_JT_PENDING_MONITOR));
	if (!mon && j->status == STATUS_BLOCKED) /* notified in Object.wait, re-entering */
		mon = hsvm_ptr(vm, j->jt + hsvm_get(vm, HS_JT_WAITING_MONITOR));
	uint64_t obj = monitor_object(h, mon);
	if (!obj)
		return;
	struct lock *l = object_lock(h, obj, LOCK_JAVA_MONITOR);
	thread_wait_on(d, j->t, l);
	struct jthread *o = monitor_owner(h, mon, obj);
	if (o && o->t && o != j)
		thread_hold(d, o->t, l);
}

/*
 * Whether BLOCKER is an AbstractOwnableSynchronizer (its class or a
 * superclass); the offset of exclusiveOwnerThread from that class's field
 * metadata when libjvm's symbol table did not give it.
 */
static bool is_ownable(struct hotspot *h, uint64_t blocker)
{
	uint64_t aos = hotspot_klass_named(h, hsvm_klass_of(&h->vm, blocker),
					   "java.util.concurrent.locks.AbstractOwnableSynchronizer");
	if (aos && h->aos_owner_off < 0)
		h->aos_owner_off = hsvm_field_offset(&h->vm, aos, "exclusiveOwnerThread");
	return aos != 0;
}

static void parked(struct hotspot *h, struct jthread *j)
{
	const struct hsvm *vm = &h->vm;
	struct dump *d = h->n->d;
	if ((j->status != STATUS_PARKED && j->status != STATUS_PARKED_TIMED) || h->park_blocker_off <= 0)
		return;
	uint64_t blocker = hsvm_oop_field(vm, j->obj, (uint64_t)h->park_blocker_off);
	if (!blocker)
		return;
	struct lock *l = object_lock(h, blocker, LOCK_JUC_SYNC);
	if (l->label && strstr(l->label, "ConditionObject"))
		return; /* awaiting a condition is no lock wait (as for jstack's text) */
	thread_wait_on(d, j->t, l);
	if (!is_ownable(h, blocker) || h->aos_owner_off <= 0)
		return;
	struct jthread *o = by_obj(h, hsvm_oop_field(vm, blocker, (uint64_t)h->aos_owner_off));
	if (o && o->t && o != j)
		thread_hold(d, o->t, l);
}

/*
 * Whether thread J owns the monitor of OBJ by the object's lock state: on
 * J's lock stack (lightweight locking), a mark word pointing into J's
 * stack (a stack lock), or an inflated monitor of OBJ that J owns.
 */
static bool owns(struct hotspot *h, struct jthread *j, uint64_t obj)
{
	uint64_t mark;
	if (lock_stack_has(h, j, obj))
		return true;
	if (hsvm_u64(&h->vm, obj, &mark) < 0)
		return false;
	if ((mark & 3) == 0)
		return mark >= j->stack_low && mark < j->stack_high;
	uint64_t mon = mark & ~(uint64_t)3;
	return (mark & 3) == 2 && monitor_object(h, mon) == obj && monitor_owner(h, mon, obj) == j;
}

/*
 * The monitors J's frames hold, as jstack's "- locked" lines: not the one
 * it waits to enter (jstack: "waiting to lock") nor the one it released
 * in Object.wait ("waiting on"); one from an approximate scope only when
 * the object's lock state says J owns it.
 */
static void frame_monitors(struct hotspot *h, struct jthread *j)
{
	const struct hsvm *vm = &h->vm;
	uint64_t pending = monitor_object(h, hsvm_ptr(vm, j->jt + hsvm_get(vm, HS_JT_PENDING_MONITOR)));
	uint64_t waiting = monitor_object(h, hsvm_ptr(vm, j->jt + hsvm_get(vm, HS_JT_WAITING_MONITOR)));
	for (size_t i = 0; i < j->nheld; i++) {
		uint64_t obj = j->held[i].obj;
		if (obj == pending || obj == waiting || (j->held[i].unsure && !owns(h, j, obj)))
			continue;
		thread_hold(h->n->d, j->t, object_lock(h, obj, LOCK_JAVA_MONITOR));
	}
}

void hotspot_locks(struct hotspot *h)
{
	for (size_t i = 0; i < h->nthreads; i++) {
		struct jthread *j = &h->threads[i];
		if (!j->t || j->t->detached)
			continue;
		blocked_on_monitor(h, j);
		if (!j->t->waiting_on)
			parked(h, j);
		frame_monitors(h, j);
	}
}
