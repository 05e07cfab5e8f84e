#ifndef MORTEM_HOTSPOT_H
#define MORTEM_HOTSPOT_H

/*
 * The Java side of a core or live process in which libjvm.so is mapped,
 * read from memory with HotSpot's own type tables (hsvm.h), no debug info
 * needed:
 *
 *   - the Java threads (ThreadsSMRSupport::_java_thread_list): each
 *     JavaThread's kernel tid (its OSThread), the java.lang.Thread's name
 *     (compressed oops, Latin-1 and UTF-16 strings), daemon flag and
 *     status, set on the native thread with that tid as jstack prints
 *     them ("BLOCKED (on object monitor)");
 *   - mixed stacks: the native frames as the unwinder found them, with the
 *     frames it found in generated code replaced by the Java frames walked
 *     from the thread's frame anchor (hsframes.h): interpreted, compiled
 *     (inlined methods as frames of their own; a frame stopped between two
 *     debug-info points named from the nearest one before, with a warning)
 *     and stubs, each Java call from the VM (the call stub's entry frame)
 *     followed to the anchor its call wrapper saved. Where the unwinder's
 *     frames below an entry frame do not go on from it by CFI (it lost its
 *     way in generated code), the native frames below are unwound again by
 *     CFI from the registers the call stub saved (hotspot_unwind.c);
 *   - Java locks, entered as jstack's text enters them (object ids
 *     "<0x%016x>", kinds java_monitor and juc_sync, class names as labels):
 *     the monitor a BLOCKED thread waits for (its pending ObjectMonitor)
 *     and that monitor's owner (a JavaThread, a stack lock in its stack,
 *     JDK 24+'s owner id, or an anonymous owner found in the lock stacks of
 *     lightweight locking); every monitor a thread's frames hold (jstack -l's
 *     "- locked": interpreted frames' BasicObjectLocks, compiled frames'
 *     scope monitors), less the one it waits to enter or released in
 *     Object.wait; a parked thread's parkBlocker and, for an
 *     AbstractOwnableSynchronizer, its exclusiveOwnerThread.
 *
 * The offsets of java.lang.Thread, String and AbstractOwnableSynchronizer
 * fields come from libjvm's symbol table (java_lang_Thread::_name_offset
 * ...), and where it has none (a stripped libjvm) from the classes' own
 * field metadata (hsvm_field_offset). A layout the reader does not know
 * gives one warning and the native report unchanged.
 */

#include "parsers/native/native.h"

struct hotspot;

/*
 * The JVM in N's process, or NULL when libjvm.so is not mapped or its
 * tables cannot be read (then one warning on the dump says why). Call
 * after the modules are reported, before unwinding.
 */
struct hotspot *hotspot_open(struct native *n);
void hotspot_free(struct hotspot *h);

/*
 * Appends thread T's frames: R symbolized by native_symbolize, with the
 * Java frames of T's JavaThread in place of the generated code. A thread
 * that is not a Java thread gets R alone. When R stopped early because the
 * unwinder lost its way in generated code and the native frames resumed
 * from the entry frame reach the thread's start, R is marked complete
 * (its error cleared): the stack is whole.
 */
void hotspot_symbolize(struct hotspot *h, struct thread *t, struct unwind_result *r);

/* After every thread: Java names, states and locks on the model. */
void hotspot_finish(struct hotspot *h);

#endif
