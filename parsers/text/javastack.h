#ifndef MORTEM_JAVASTACK_H
#define MORTEM_JAVASTACK_H

/*
 * What the Java thread-dump parsers (jstack, jrockit, javacore, hs_err,
 * jcmd-json, actuator-json) share: reading one Java frame, and the Java
 * lock model.
 *
 * The lock model. A parser reports what a thread's stack says about
 * monitors and java.util.concurrent synchronizers as events while it reads
 * the thread, and applies them once the thread is complete (its state is
 * known only then, and the lines come in stack order):
 *
 *   JL_LOCKED     "- locked <id> (a C)"            holds monitor id
 *   JL_WAIT_LOCK  "- waiting to lock <id>"         waits for monitor id
 *   JL_RELOCK     "- waiting to re-lock in wait()" waits for monitor id
 *   JL_WAIT_ON    "- waiting on <id>"              Object.wait(): the thread
 *                 RELEASED id. It is a wait-for edge only when the thread is
 *                 BLOCKED (notified and re-entering the monitor); a "locked"
 *                 line for the same id further down the stack is not a hold.
 *   JL_PARK       "- parking to wait for <id> (a C)" waits for a j.u.c.
 *                 synchronizer, except a ConditionObject (await() released
 *                 its lock: like Object.wait, no edge)
 *   JL_OWNABLE    "Locked ownable synchronizers: - <id>" holds a j.u.c. lock
 *
 * The first waiting event wins (a thread waits on one thing). Lock ids are
 * the object as the dump names it ("<0x000000076b3a1e28>" or
 * "java.lang.Object@1b6d3586"); the label is the class.
 */

#include <stdbool.h>
#include <stddef.h>

#include "analyzer/model/dump.h"
#include "analyzer/lib/strbuf.h"
#include "parsers/text/text.h"

enum jlock_what { JL_LOCKED, JL_WAIT_LOCK, JL_RELOCK, JL_WAIT_ON, JL_PARK, JL_OWNABLE };

struct jlock_event {
	enum jlock_what what;
	struct span id;      /* points into the input */
	struct span cls;     /* class, may be empty */
};

struct javalocks {
	struct jlock_event *ev;
	size_t n, alloc;
};

#define JAVALOCKS_INIT { NULL, 0, 0 }

/* Records one event (ID and CLS must outlive the next javalocks_apply). */
void javalocks_add(struct javalocks *jl, enum jlock_what what, struct span id, struct span cls);

/*
 * Reads one trimmed lock line of a HotSpot-style stack, starting with "- "
 * ("- locked <0x..> (a C)", "- waiting on <..>", "- parking to wait for
 * <..>", "- <0x..> (a C)" inside an ownable-synchronizers list, VisualVM's
 * "- locked C@hash"). OWNABLE says the line is in such a list. Returns true
 * when the line was a lock line (recorded), false otherwise ("- None").
 */
bool javalocks_line(struct javalocks *jl, struct span x, bool ownable);

/*
 * Applies the events recorded since the last call to thread T (whose state
 * must be set by then), creating the locks in D, and forgets them. BLOCKED
 * says the thread is blocked on a monitor (state BLOCKED, or "waiting for
 * monitor entry").
 */
void javalocks_apply(struct dump *d, struct thread *t, struct javalocks *jl, bool blocked);

/* Frees what JL holds. */
void javalocks_release(struct javalocks *jl);

/*
 * Fills F from a Java frame's text X, the part after "at ":
 *   "pkg.Class.method(File.java:12)", "pkg.C.m(java.base@17/File.java:12)",
 *   "java.base@17/pkg.C.m(File.java:12)", "app//pkg.C.m(Unknown Source)",
 *   "pkg.C.m(Native Method)".
 * SLASHED: JRockit/JVM-internal names ("pkg/C.m(I)V(File.java:3)"): slashes
 * become dots and the signature is dropped. Sets kind FRAME_JAVA, function
 * "pkg.Class.method", file and line when given, and module to the Java
 * module ("java.base@17") when given; not text (those fields are all the
 * line says: frames that read the same are the same). Never fails. A line
 * the dump repeats is parsed once: the result is kept in the memo word of
 * its interned text (dump_intern_memo).
 *
 * HINT (may be NULL) is the caller's memory of the previous frame line:
 * threads of one pool repeat whole stacks, so the line that followed the
 * previous one last time is compared first, and the look-up by hash is
 * skipped when it is the same, or when it is the same method at another
 * line (then only the line number is read). Start it as
 * JAVAFRAME_HINT_INIT; it points into D and is good until dump_free(D).
 *
 * Returns true when the line is no frame's text before it in D: a stack
 * holding it equals no stack before it, so it need not be looked for among
 * them (thread_set_frames rather than thread_share_frames). False when it
 * was, or is not known.
 */
struct frame_memo;
struct javaframe_hint {
	struct frame_memo *prev;
};
#define JAVAFRAME_HINT_INIT { NULL }
bool javastack_frame(struct dump *d, struct javaframe_hint *hint, struct frame *f, struct span x,
		     bool slashed);


#endif
