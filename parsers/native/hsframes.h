#ifndef MORTEM_HSFRAMES_H
#define MORTEM_HSFRAMES_H

/*
 * Java frames of one HotSpot thread, decoded from memory with the offsets
 * of hsvm.h (x86-64 frame layout): the code cache (CodeCache::_heaps, each
 * CodeHeap's segment map) tells which blob a pc is in; the interpreter's
 * frames keep Method* and bcp at fixed slots below fp; a compiled frame's
 * nmethod maps its pc to a PcDesc, whose ScopeDesc chain gives the
 * methods inlined at that pc (innermost first) and their bcis; stubs and
 * adapters are named after their blob. A method is named
 * `package.Class.method` and its bci turned into a source line through the
 * method's compressed line number table.
 *
 * Nothing here writes the model: hotspot.c merges the frames into the
 * thread's native stack.
 */

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/lib/hashmap.h"
#include "analyzer/model/dump.h"
#include "parsers/native/hsvm.h"

/* One Java-level frame (an inlined method is a frame of its own). */
struct hsframe {
	uint64_t pc, sp;          /* the physical frame's pc and sp */
	uint64_t method;          /* Method*, or 0 for a stub */
	int bci;                  /* -1: unknown (or a native method) */
	enum frame_kind kind;     /* FRAME_INTERPRETED, FRAME_JIT or FRAME_STUB */
	const char *stub;         /* the blob's name, for a stub (arena) */
	bool approximate;         /* a compiled frame stopped between two debug-info
				     points: method, bci and inlining are those of
				     the nearest PcDesc before its pc (as jhsdb) */
};

/*
 * A monitor a frame holds, as jstack's "- locked" lines list them: the
 * object of an interpreted frame's BasicObjectLock, or of a compiled
 * scope's monitor value (not eliminated, not scalar-replaced).
 */
struct hsmonitor {
	uint64_t obj;
	size_t frame;             /* index of its frame in hsframes.v */
	bool unsure;              /* from an approximate scope: to be checked
				     against the object's lock state */
};

struct hsframes {
	struct hsframe *v;
	size_t n, alloc;
	struct hsmonitor *mon;
	size_t nmon, amon;
};

/* Where a walk starts: a frame anchor's (or the registers') sp, fp and pc. */
struct hsstart {
	uint64_t sp, fp, pc;
	/* the thread's registers when the walk starts where it was stopped
	   (x86-64 user_regs_struct, HSSTART_NREGS words), else NULL */
	const uint64_t *regs;
};
#define HSSTART_NREGS 27

struct hsheap {
	uint64_t low, high, segmap;
	unsigned log2_seg;
};

/* The code cache and the method-name cache of one target. */
struct hscode {
	const struct hsvm *vm;
	struct dump *d;           /* names live in its arena */
	struct hsheap heaps[16];
	size_t nheaps;
	uint64_t low, high;       /* CodeCache::_low_bound/_high_bound */
	uint64_t call_stub_return;
	struct hashmap names;     /* Method* -> struct hsname * */
};

/* What a Method* is called. */
struct hsname {
	const char *function;     /* "java.lang.Thread.sleep" */
	const char *file;         /* "Thread.java", or NULL */
	bool native;
};

/* Reads the code heaps. Returns 0, or -1 with ERR when they are unreadable. */
int hscode_init(struct hscode *c, const struct hsvm *vm, struct dump *d, struct strbuf *err);
void hscode_release(struct hscode *c);

/* Whether PC lies in the code cache (generated code: interpreter, nmethods, stubs). */
bool hscode_contains(const struct hscode *c, uint64_t pc);

/* Where a Java call from the VM entered the call stub, as hsframes_walk found it. */
struct hsentry {
	uint64_t sp;              /* the entry frame's sp; 0: the walk did not reach one */
	struct hsstart next;      /* the frame anchor its call wrapper saved (sp 0: no
				     older Java frames) */
	/* the registers of the call stub's caller (JavaCalls::call_helper) at
	   the call, from the entry frame: where the native unwind resumes */
	uint64_t caller_pc, caller_sp, caller_fp;
	uint64_t rbx, r12, r13, r14, r15;
};

/*
 * Walks the Java frames from START (innermost first) into OUT, up to MAX
 * frames, until the entry frame of a Java call from the VM (the call stub)
 * or a frame it cannot decode, with the monitors each frame holds. On
 * return *ENTRY says where the walk ended.
 */
void hsframes_walk(struct hscode *c, struct hsstart start, size_t max, struct hsframes *out,
		   struct hsentry *entry);

/* The name of Method* M (cached), or NULL when it cannot be read. */
const struct hsname *hsframes_method(struct hscode *c, uint64_t m);

/* The source line of BCI in Method* M, or 0. */
int hsframes_line(struct hscode *c, uint64_t m, int bci);

void hsframes_release(struct hsframes *f);

#endif
