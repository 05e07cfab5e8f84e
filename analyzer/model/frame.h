#ifndef MORTEM_FRAME_H
#define MORTEM_FRAME_H

/*
 * A frame, and the vocabulary every layer uses to say what a frame is.
 *
 * What a function *is* (lock plumbing, an allocator, a signal trampoline,
 * error reporting, the start of a thread...) is written once, as data, in
 * the table of frame.c, and read through frame_roles(): the signature, the
 * detectors and rules, the lock graph, the text parsers and the browser all
 * ask it. A use that needs a different set of frames says so with a
 * different mask of roles (the FRAME_* masks below), never with a list of
 * its own.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/lib/strbuf.h"

/* frame kinds: enum name, JSON name */
#define FRAME_KINDS(X)                      \
	X(FRAME_NATIVE, "native")           \
	X(FRAME_INLINE, "inline")           \
	X(FRAME_JAVA, "java")               \
	X(FRAME_JIT, "jit")                 \
	X(FRAME_INTERPRETED, "interpreted") \
	X(FRAME_VM, "vm")                   \
	X(FRAME_STUB, "stub")               \
	X(FRAME_SIGNAL, "signal")

/* how a native frame was found: enum name, JSON name (NULL: text input) */
#define FRAME_TRUSTS(X)          \
	X(TRUST_NONE, NULL)      \
	X(TRUST_CFI, "cfi")      \
	X(TRUST_FP, "fp")        \
	X(TRUST_SCAN, "scan")

#define X_ENUM(e, s) e,
enum frame_kind { FRAME_KINDS(X_ENUM) FRAME_KIND_COUNT };
enum frame_trust { FRAME_TRUSTS(X_ENUM) FRAME_TRUST_COUNT };
#undef X_ENUM

/* Names for the enums above (frame_trust_name(TRUST_NONE) is NULL). */
const char *frame_kind_name(enum frame_kind k);
/* A short tag for a frame of kind K in text views ("inline", "interp", ...); NULL for native frames. */
const char *frame_kind_tag(enum frame_kind k);
const char *frame_trust_name(enum frame_trust t);

struct frame {                /* words first, flags last: no padding inside (80 bytes) */
	uint64_t pc;
	const char *function;     /* demangled; NULL when unknown */
	uint64_t offset;          /* pc - start of function, when has_offset */
	const char *module;       /* library/executable name or path; NULL unknown */
	uint64_t module_offset;   /* pc - module load address, when has_module_offset */
	const char *file;         /* source file; NULL unknown */
	const char *args;         /* argument text as a text dump printed it, or NULL */
	const char *text;         /* its raw line (eu-stack, hs_err, jcmd JSON), or NULL */
	int line;                 /* 0: unknown */
	int column;               /* 0: unknown */
	enum frame_kind kind : 8;
	enum frame_trust trust : 8;
	bool has_pc;
	bool has_offset;
	bool has_module_offset;
};

/* ---- roles ---- */

/*
 * What a function is, defined once: X(enum name, short name, meaning).
 * A function may have several roles (read() is an I/O wait and an
 * interruptible system call).
 */
#define FRAME_ROLES(X)                                                                             \
	X(ROLE_ABORT, "abort", "abort, raise, assert, fortify and fatal-error plumbing")              \
	X(ROLE_ALLOCATOR, "allocator", "the allocator's entry points and internals")                  \
	X(ROLE_TRAMPOLINE, "trampoline", "the kernel's signal-delivery trampoline")                  \
	X(ROLE_REPORTER, "reporter", "error reporting and signal dispatch (a VM's or a crash handler's)") \
	X(ROLE_REPORTER_AID, "reporter-aid",                                                      \
	  "what an error reporter calls after the fault (fork, waitpid, the JVM's os layer)")        \
	X(ROLE_EXCEPTION, "exception", "C++ exception, unwinding and terminate plumbing")            \
	X(ROLE_CALL_STUB, "call-stub", "a VM's call stubs into Java code")                           \
	X(ROLE_ENTRY, "entry", "process and thread start plumbing")                                   \
	X(ROLE_ROOT, "root", "where a stack begins (_start, clone): a stack that ends here is whole")  \
	X(ROLE_LOCK, "lock", "taking a lock (mutex, rwlock, low-level lock, VM monitor)")             \
	X(ROLE_WAIT, "wait", "waiting for an event that is not a lock (condition, semaphore, join, park)") \
	X(ROLE_FUTEX, "futex", "the kernel wait under a lock or a wait (futex, syscall)")            \
	X(ROLE_SLEEP, "sleep", "sleeping for a time")                                                 \
	X(ROLE_IO_WAIT, "io-wait", "waiting for I/O (poll, select, read, accept)")                    \
	X(ROLE_LOADER, "loader", "the dynamic loader's internals")                                    \
	X(ROLE_HANDLER, "handler", "code that runs as a signal handler (profilers, crash handlers)")  \
	X(ROLE_INTERRUPTIBLE, "interruptible", "a system call a signal interrupts with EINTR")       \
	X(ROLE_RUNTIME, "runtime", "a frame without a name in a language runtime library (libc, libstdc++)")

#define X_ENUM(e, s, m) e##_BIT,
enum { FRAME_ROLES(X_ENUM) FRAME_ROLE_COUNT };
#undef X_ENUM
#define X_MASK(e, s, m) e = 1u << e##_BIT,
enum frame_role { FRAME_ROLES(X_MASK) };
#undef X_MASK


/* Masks of roles, one per use: */
/* no identity of its own: never names a bug (signatures skip it) */
#define FRAME_NOISE (ROLE_ABORT | ROLE_ALLOCATOR | ROLE_TRAMPOLINE | ROLE_REPORTER | ROLE_EXCEPTION | \
		     ROLE_CALL_STUB | ROLE_ENTRY | ROLE_RUNTIME)
/* where a blocked thread's own code ends: what it blocks in (signatures) */
#define FRAME_BLOCKING (ROLE_LOCK | ROLE_WAIT | ROLE_FUTEX | ROLE_SLEEP | ROLE_LOADER)
/* the plumbing of taking a lock or waiting: a lock holder's or waiter's place is the caller (lock graph) */
#define FRAME_LOCKING (ROLE_LOCK | ROLE_WAIT | ROLE_FUTEX)
/* what a waiting thread sits in, I/O included (the browser shows the caller) */
#define FRAME_WAITING (ROLE_LOCK | ROLE_WAIT | ROLE_FUTEX | ROLE_SLEEP | ROLE_IO_WAIT)
/* what may sit above a trampoline in a crash handler that caught the fault */
#define FRAME_AFTER_FAULT (FRAME_NOISE | ROLE_REPORTER_AID)

/*
 * The roles of F: those of its function name (by the table in frame.c;
 * glibc's "__GI_" and "__libc_" prefixes, leading underscores and a
 * "_nocancel" suffix are ignored), ROLE_TRAMPOLINE for a frame of kind
 * FRAME_SIGNAL, ROLE_RUNTIME for an unnamed frame in a runtime library.
 */
unsigned frame_roles(const struct frame *f);
/* The roles of the function name FN alone (NULL: none). */
unsigned frame_name_roles(const char *fn);
/* Whether F has any role in MASK. */
static inline bool frame_is(const struct frame *f, unsigned mask)
{
	return (frame_roles(f) & mask) != 0;
}

/* Whether F carries no identity (FRAME_NOISE). */
bool frame_is_noise(const struct frame *f);
/* Whether F is a signal-delivery trampoline (__restore_rt, "<signal handler called>", kind signal). */
bool frame_is_trampoline(const struct frame *f);
/*
 * Whether F is where signal-handler code starts: a trampoline, or a
 * function that runs as (or only inside) a signal handler. Frames inner
 * to it (lower index) run inside the handler.
 */
bool frame_is_handler_entry(const struct frame *f);

/*
 * The kind of lock a function waits for, when its name says (the lock
 * kinds of dump.h as int: pthread_mutex_lock -> LOCK_PTHREAD_MUTEX,
 * pthread_join -> LOCK_THREAD_JOIN, __lll_lock_wait -> LOCK_FUTEX), or -1;
 * and, for the functions whose argument a text dump prints, the name of
 * the argument that holds the lock's address ("mutex", "rwlock",
 * "threadid", "futex") in *ARG (NULL when none).
 */
int frame_name_lock_kind(const char *fn, const char **arg);

/* ---- in-app ---- */

/*
 * Whether F is the application's own code rather than the system's: not
 * in the C library, the loader, libstdc++/libgcc/libc++, libjvm or another
 * runtime, not a JDK class (java., javax., jdk., sun., com.sun.), not
 * code inlined from system headers (/usr/include/..., bits/std_mutex.h,
 * gthr-default.h) or built from glibc's sources (./nptl/, ../sysdeps/),
 * and not a C library function by name when the frame has no source file
 * (pthread_mutex_lock, abort...). The table is in frame.c; a user's rules
 * (frame_app_rules_set) are consulted first. A frame with neither a
 * function nor a module is not in-app (nothing says whose it is).
 */
bool frame_in_app(const struct frame *f);

/* Whether F is a Java VM's own code: kind FRAME_VM, or a frame in libjvm, libj9* or jvm.dll. */
bool frame_is_vm(const struct frame *f);

/* What a user's in-app rule looks at. */
enum frame_app_field { APP_MODULE, APP_FUNCTION, APP_FILE };

/*
 * A user's in-app rule (a rule file's [frames] block): frames whose FIELD
 * matches the shell glob GLOB (fnmatch(3)) are in-app (IN_APP) or system.
 * A module or file pattern without '/' is matched against the basename,
 * one with '/' against the whole path; a function pattern against the
 * name without its return type.
 */
struct frame_app_rule {
	enum frame_app_field field;
	const char *glob;
	bool in_app;
};

/*
 * Installs N user rules at RULES (not copied: they must outlive every
 * frame_in_app call; NULL, 0 removes them). The last rule that matches a
 * frame decides; the built-in table applies only when none does. Call it
 * before analysis starts (the process-wide rule set does, once).
 */
void frame_app_rules_set(const struct frame_app_rule *rules, size_t n);

/* The name of field F ("module", "function", "file"), and back (-1: unknown). */
const char *frame_app_field_name(enum frame_app_field f);
int frame_app_field_from_name(const char *name);

/*
 * FN without a C++ return type: "void std::condition_variable::wait<P>(...)"
 * is "std::condition_variable::wait<P>(...)"; names without one (and
 * "operator new", "<signal handler called>") are returned as they are.
 */
const char *frame_name_start(const char *fn);

/* ---- text ---- */

struct dump;

/* One frame as a single line of text: "function+0x12 (module+0x34) at file:line". */
void frame_describe(const struct frame *f, struct strbuf *out);
/* One frame in a sentence: "function (module)". */
void frame_describe_brief(const struct frame *f, struct strbuf *out);

/*
 * Appends F's function name normalized for bucketing to OUT: no addresses,
 * offsets, parameter lists, template arguments, clone suffixes,
 * lambda/proxy/accessor/JIT numbering. Unknown functions become
 * "?? (module)" with the module's version suffix dropped.
 */
void frame_normalize(const struct frame *f, struct strbuf *out);

/*
 * Appends F's name as it enters a signature: frame_normalize's, except
 * that a frame without a function at a known offset in its module (a
 * stripped build) is "MODULE@BUILD-ID+0xOFFSET" (the module's base name,
 * the first 12 hex digits of its build id when D lists the module with
 * one, "MODULE+0xOFFSET" otherwise), so that two crashes in one stripped
 * build stay apart; and a g++ lambda's body ("operator()" as gdb and
 * DWARF's inline records name it, "main::{lambda()#1}::operator()() const"
 * as its symbol does) is "operator()@FILE" (the source file's base name)
 * where F has one. D may be NULL.
 */
void frame_signature_name(const struct dump *d, const struct frame *f, struct strbuf *out);

#endif
