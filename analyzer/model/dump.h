#ifndef MORTEM_DUMP_H
#define MORTEM_DUMP_H

/*
 * The model of one dump: what a parser fills, what the analysis reads and
 * extends (locks, findings, signature), and what every renderer shows.
 * Every string and struct reachable from a `struct dump` lives in its arena
 * and is released by dump_free(); nothing in it is owned by the caller.
 *
 * Parsers only add; they never print, decide findings or draw.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/lib/arena.h"
#include "analyzer/lib/strbuf.h"
#include "analyzer/lib/hashmap.h"
#include "analyzer/model/frame.h"

/* ---- registries (each defined once, expanded where needed) ---- */

/* lock kinds (doc/json.md) */
#define LOCK_KINDS(X)                              \
	X(LOCK_PTHREAD_MUTEX, "pthread_mutex")     \
	X(LOCK_PTHREAD_RWLOCK, "pthread_rwlock")   \
	X(LOCK_THREAD_JOIN, "thread_join")         \
	X(LOCK_LOADER, "loader_lock")              \
	X(LOCK_JAVA_MONITOR, "java_monitor")       \
	X(LOCK_JUC_SYNC, "juc_sync")               \
	X(LOCK_FUTEX, "futex")                     \
	X(LOCK_UNKNOWN, "unknown")

#define SEVERITIES(X)                  \
	X(SEV_CRITICAL, "critical")    \
	X(SEV_HIGH, "high")            \
	X(SEV_MEDIUM, "medium")        \
	X(SEV_LOW, "low")              \
	X(SEV_INFO, "info")

#define CONFIDENCES(X)                 \
	X(CONF_CERTAIN, "certain")     \
	X(CONF_LIKELY, "likely")       \
	X(CONF_POSSIBLE, "possible")

#define X_ENUM(e, s) e,
enum lock_kind { LOCK_KINDS(X_ENUM) LOCK_KIND_COUNT };
enum severity { SEVERITIES(X_ENUM) SEVERITY_COUNT };
enum confidence { CONFIDENCES(X_ENUM) CONFIDENCE_COUNT };
#undef X_ENUM

/* Names for the enums above. */
const char *lock_kind_name(enum lock_kind k);
const char *severity_name(enum severity s);
const char *confidence_name(enum confidence c);
/* Reverse look-ups: return -1 when NAME is not one of them. */
int severity_from_name(const char *name);
int confidence_from_name(const char *name);
int lock_kind_from_name(const char *name);

/* ---- the model ---- */

struct thread;
struct lock;

/* Registers a lock-graph detector needs from a native thread (x86-64 names in comments). */
struct thread_regs {
	bool valid;
	uint64_t pc, sp, fp;
	int64_t syscall_nr;       /* orig_rax; -1 when not in a system call */
	uint64_t syscall_arg[6];  /* rdi rsi rdx r10 r8 r9 */
	uint64_t syscall_ret;     /* rax */
	uint64_t tls_base;        /* fs_base */
};

struct thread {                 /* pointers and sizes first, flags last (160 bytes: a dump may hold a million) */
	const char *id;           /* unique in the dump (doc/json.md: decimal TID when known) */
	int64_t tid;              /* -1 when unknown */
	const char *name;         /* NULL when unknown */
	const char *state;        /* as the dump says (RUNNABLE, BLOCKED, S (sleeping), ...); NULL unknown */
	struct frame *frames;     /* innermost first */
	size_t nframes;
	size_t frames_alloc;
	struct frame_note *notes; /* lines a dump prints under a frame ("- locked <0x..> (a C)"),
				     in order, when the dump keeps them (keep_notes); not in
				     the JSON (the locks are) */
	size_t nnotes, notes_alloc;
	struct lock *waiting_on;  /* NULL when not waiting on a known lock */
	struct lock **holds;
	size_t nholds;
	size_t holds_alloc;
	const struct thread_regs *regs; /* never NULL: &thread_regs_none (valid false) until a
					   parser writes them through thread_regs() */
	const char *java_tid;     /* jstack tid=0x... (JVM's thread pointer) or NULL */
	uint64_t pthread;         /* pthread_t (thread descriptor address) a native text dump shows, else 0 */
	size_t index;             /* position in dump->threads */
	void *user;               /* scratch for one analysis pass; not rendered */
	bool crashed;
	bool daemon;
	bool frames_shared;       /* another thread has the same frames array
				     (thread_share_frames); such arrays are read-only */
	bool frames_truncated;    /* a frame limit or the input cut the stack short */
	bool detached;            /* not kept (a dropped snapshot, or over --max-threads):
				     thread_add_frame returns NULL for it, silently */
	bool id_from_tid;         /* a part's thread (dump_new_part) whose id dump_add_thread_tid
				     made of its tid, claimed as that number when the part is adopted */
};

/* The registers of a thread the input gave none for (all zero, valid false). */
extern const struct thread_regs thread_regs_none;

/* A line of a dump under frame FRAME of a thread's stack, as the dump wrote it (trimmed). */
struct frame_note {
	size_t frame;
	const char *text;
};

struct lock {
	const char *id;           /* "0x7f..." address or "<0x...>" object id, unique */
	uint64_t addr;            /* address when known, else 0 */
	enum lock_kind kind;
	const char *label;        /* "java.lang.Object", "mutex 0x...", "_rtld_global._dl_load_lock" */
	struct thread *owner;     /* NULL when unknown */
	bool owner_inferred;      /* owner guessed, not read or printed */
	struct thread **waiters;
	size_t nwaiters;
	size_t waiters_alloc;
	size_t index;
};

struct module {
	const char *name;
	const char *path;
	const char *build_id;     /* lowercase hex or NULL */
	uint64_t start, end;
	bool debug_info;
};

struct finding {
	const char *id;           /* catalogue id (doc/rules.md), e.g. "lock-cycle" */
	const char *title;
	enum severity severity;
	enum confidence confidence;
	struct thread **threads;
	size_t nthreads;
	struct lock **locks;
	size_t nlocks;
	const char *summary;
	const char *advice;
};

struct crash {
	const char *signal;       /* "SIGSEGV", or an exception name on Windows; NULL unknown */
	int signo;                /* 0 unknown */
	const char *code;         /* "SEGV_MAPERR" or NULL */
	uint64_t address;
	bool has_address;
	struct thread *thread;    /* NULL when unknown */
	const char *frame;        /* top meaningful frame, filled by the analysis */
	const char *abort_message;/* assertion/allocator/VM error message or NULL */
	int err_no;               /* errno of the crashing thread, when has_errno */
	bool has_errno;
	const char *reason;       /* free text: "Internal Error (x.cpp:12)", "out of memory" */
};

/* A raw, named part of the input (hs_err sections) for the browser. */
struct section {
	const char *title;
	const char *text;
	size_t len;
};

/*
 * Reading the dumped process's memory (cores and live processes only).
 * read() copies LEN bytes at ADDR into BUF and returns 0, or -1 when any of
 * it is not readable. symbol() finds a global symbol's address by name (in
 * any module; MODULE narrows the search when not NULL) and returns 0, or -1.
 * name() appends the name of the global or static object that holds ADDR
 * ("m_vault", "Registry::mu_", "slots[2].mu", "slots+0x48") to OUT and
 * returns 0, or -1 when no data symbol holds it (heap and stack addresses);
 * it may be NULL. MODULE is a file name or its start ("libc" finds
 * libc.so.6), or MEMORY_LOADER: the dynamic loader, whatever its file is
 * called on the machine (ld-linux-x86-64.so.2, ld-linux-aarch64.so.1,
 * ld64.so.2, ld.so.1, ld-musl-x86_64.so.1).
 */
#define MEMORY_LOADER "ld.so"

struct memory_ops {
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
	int (*symbol)(void *ctx, const char *module, const char *name, uint64_t *addr);
	int (*name)(void *ctx, uint64_t addr, struct strbuf *out);
};

struct dump {
	struct arena *arena;

	struct {
		const char *path;     /* as the user named it; "-" for stdin */
		const char *format;   /* parser name */
		uint64_t bytes;
		int snapshots;        /* 0 until a parser counts them; at least 1 after */
		const char *incomplete; /* why the input is not whole (a core cut short), or NULL */
		const char **warnings;
		size_t nwarnings, warnings_alloc;
	} input;

	struct {
		int64_t pid;          /* -1 unknown */
		const char *executable;
		const char *cmdline;
		const char *runtime;  /* "native" or "jvm" */
		const char *runtime_version;
		const char *host;
		const char *time;     /* when the dump was taken, as the dump says */
	} process;

	struct crash *crash;      /* NULL: no crash (a hang, or a live snapshot) */

	struct module **modules;
	size_t nmodules, modules_alloc;
	struct thread **threads;
	size_t nthreads, threads_alloc;
	struct lock **locks;
	size_t nlocks, locks_alloc;
	struct finding **findings;
	size_t nfindings, findings_alloc;
	struct section **sections;
	size_t nsections, sections_alloc;

	const char *signature;
	const char *bucket;

	const struct memory_ops *mem;  /* NULL for text inputs */
	void *mem_ctx;

	/* snapshot selection, managed by dump_snapshot_begin() */
	int snapshot_wanted;      /* 0: the last one */
	bool snapshot_frozen;     /* the wanted snapshot is complete; later ones are dropped */

	struct dump_cleanup *cleanups; /* run by dump_free, see dump_atfree() */

	struct hashmap lock_ids;    /* id -> struct lock */
	/*
	 * Thread ids: those that are decimal numbers in one direction (a
	 * dump's TIDs, ascending or descending) in id_run, in order, which
	 * keeps them unique without a table; every other id in thread_ids.
	 */
	struct hashmap thread_ids;  /* id -> struct thread */
	struct id_run {
		struct id_run_entry {
			uint64_t value;   /* the id's number */
			struct thread *thread;
		} *e;                 /* in the run's order */
		size_t n, alloc;
		int dir;              /* +1 ascending, -1 descending, 0 not known yet (n < 2) */
	} id_run;
	size_t max_frames;        /* 0: unlimited */
	size_t max_line;          /* text inputs: longest line kept; 0: the parsers' default */
	size_t lines_cut;         /* text inputs: lines cut at max_line */
	/*
	 * Text inputs: the file mapping the input lives in (NULL when it is in
	 * the heap) and the descriptor it maps from offset 0, set by the
	 * pipeline. The line reader reads ahead of itself into memory of its
	 * own and gives pages back behind it (parsers/text/text.h); a byte read
	 * again is read again from the file, so nothing a parser holds changes.
	 */
	const void *input_map;
	size_t input_map_len;
	int input_fd;
	size_t max_threads;       /* 0: unlimited; threads beyond are dropped (warned once) */
	size_t threads_dropped;   /* how many dump_add_thread calls the thread limit refused */
	struct hashmap id_suffix;  /* id -> next "#N" suffix tried, keeps duplicate ids linear */
	struct hashmap warning_set;/* the warnings, for dump_warn's de-duplication */

	struct hashmap interned;   /* dump_intern's strings (value: length) */
	struct hashmap stacks;     /* thread_share_frames' distinct stacks */
	size_t restack_tries;      /* parts' threads of stacks of their own looked up in stacks, */
	size_t restack_hits;       /* and of those, found (dump_adopt_part) */
	bool part;                 /* a part of another dump's input (dump_new_part) */
	bool keep_notes;           /* thread_add_note keeps the lines (only the browser shows them:
				      a report of 200,000 threads need not copy 20 MB of them) */
};

/* A new empty dump for the input PATH (copied). Never NULL. */
struct dump *dump_new(const char *path);
/* Frees the dump, its arena and all it holds. NULL is a no-op. */
void dump_free(struct dump *d);

/*
 * Registers FN(ARG) to run when D is freed, before its arena goes, most
 * recent first. A core or live parser keeps what backs d->mem (the mapped
 * core, the libdwfl session, the stopped-then-released process's memory)
 * alive this way, so the analysis can read memory after parse() returned.
 */
struct dump_cleanup {
	void (*fn)(void *arg);
	void *arg;
	struct dump_cleanup *next;
};
void dump_atfree(struct dump *d, void (*fn)(void *arg), void *arg);

/*
 * Adds a warning (shown in the report, JSON input.warnings); printf-style.
 * Duplicates are dropped; after DUMP_MAX_WARNINGS, one last warning says
 * that more were left out.
 */
#define DUMP_MAX_WARNINGS 1000
void dump_warn(struct dump *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Begins a new snapshot (one thread dump among several in an input).
 * Parsers call it before the first thread of each snapshot, including the
 * first. Keeps the snapshot the user wanted (--snapshot N, or the last one):
 * a later snapshot replaces the threads and locks of an earlier one, and once
 * the wanted one is complete, the threads of later ones are dropped silently
 * (dump_add_thread still returns a usable thread, which is not kept).
 */
void dump_snapshot_begin(struct dump *d);

/*
 * Adds a thread with id ID (copied; NULL: the thread's 1-based number) and
 * returns it; tid -1, everything else empty. When ID is already taken, a
 * suffix "#2", "#3"... keeps ids unique.
 * When d->max_threads threads are already kept, the thread returned is
 * detached: usable by the parser but not kept, and its frames are not
 * stored; the first such thread adds a warning, and the number dropped is
 * reported by dump_finish_limits(). Parsers need not check.
 */
struct thread *dump_add_thread(struct dump *d, const char *id);
/*
 * dump_add_thread with TID's decimal as the id, and t->tid set: what a
 * parser that knows the kernel thread id means, without formatting and
 * reading back the number (TID >= 0).
 */
struct thread *dump_add_thread_tid(struct dump *d, int64_t tid);
/*
 * Called once after a parse: turns what the limits cut (threads over
 * max_threads) into warnings with their totals.
 */
void dump_finish_limits(struct dump *d);

/*
 * One input parsed on several threads (parsers/text/split.h): a stretch of
 * D's input is parsed into a dump of its own, made by dump_new_part, on
 * another thread, and dump_adopt_part appends it to D as if D's parser had
 * read those lines itself at that point.
 *
 * A part's threads keep the ids their parser asked for, not yet made
 * unique: dump_find_thread does not find them, and the parse of a part
 * must not look threads up. A part has no thread limit; it has D's frame
 * and line limits and D's input mapping.
 */
struct dump *dump_new_part(const struct dump *d, size_t bytes); /* BYTES: the part's input */
/*
 * Appends PART's threads and locks to D, in order, as D's parse would have
 * added them: ids are made unique in D; a lock D already has (the same id)
 * takes PART's waiters, and its owner, label and a more specific kind
 * where D's lock has none; threads over D's thread limit are dropped (and
 * counted), and none is kept once D's wanted snapshot is complete; lines
 * cut are added up. PART's memory becomes D's and PART is gone. Returns
 * false, D and PART unchanged, when PART holds more than threads and locks
 * (warnings, sections, modules, findings, a crash, process facts), which
 * one parse could have put elsewhere: the caller parses PART's lines
 * itself then, and frees PART.
 */
bool dump_adopt_part(struct dump *d, struct dump *part);

/* The thread with id ID, or NULL. */
struct thread *dump_find_thread(struct dump *d, const char *id);
/* dump_find_thread of N's decimal (the id dump_add_thread_tid gives), without writing it when it can. */
struct thread *dump_find_thread_n(struct dump *d, uint64_t n);
/* The thread with kernel TID, or NULL. */
struct thread *dump_find_tid(struct dump *d, int64_t tid);

/*
 * The lock with id ID, created (with KIND, no owner) when new. An existing
 * lock's kind is upgraded from LOCK_UNKNOWN/LOCK_FUTEX to KIND when KIND is
 * more specific.
 */
struct lock *dump_lock(struct dump *d, const char *id, enum lock_kind kind);
/* As dump_lock, for the LEN bytes at ID (a span of the input; no NUL needed). */
struct lock *dump_lock_n(struct dump *d, const char *id, size_t len, enum lock_kind kind);
/* A hint: dump_lock_n(D, ID, LEN, ...) comes soon (see hashmap_prefetch). */
void dump_lock_prefetch(const struct dump *d, const char *id, size_t len);
/* The lock with id ID, or NULL. */
struct lock *dump_find_lock(struct dump *d, const char *id);
/* L in a sentence, the one way every text names a lock: "pthread_mutex 0x55e5a3d120 (m_vault)". */
void lock_describe(const struct lock *l, struct strbuf *out);

struct module *dump_add_module(struct dump *d);
struct section *dump_add_section(struct dump *d, const char *title, const char *text, size_t len);

/*
 * Adds a finding with ID, TITLE (copied) and returns it for the caller to
 * fill (threads, locks, summary, advice), using finding_add_thread/lock.
 */
struct finding *dump_add_finding(struct dump *d, const char *id, const char *title,
				 enum severity sev, enum confidence conf);
void finding_add_thread(struct dump *d, struct finding *f, struct thread *t);
void finding_add_lock(struct dump *d, struct finding *f, struct lock *l);
/* The first finding with ID, or NULL. */
struct finding *dump_find_finding(struct dump *d, const char *id);

/* The crashing thread: d->crash->thread, else the first thread marked crashed, else NULL. */
struct thread *dump_crash_thread(const struct dump *d);

/* The crash record, created empty when there is none yet. */
struct crash *dump_crash(struct dump *d);

/* Copies LEN bytes at S into the dump's arena (NUL-terminated). */
const char *dump_strndup(struct dump *d, const char *s, size_t len);
const char *dump_strdup(struct dump *d, const char *s);
/*
 * As dump_strndup, but equal strings share one copy: for the function, file
 * and module names a big thread dump repeats thousands of times. The result
 * must not be modified.
 */
const char *dump_intern(struct dump *d, const char *s, size_t len);
/*
 * dump_intern through the few strings a parser interned last into D (R:
 * zeroed, one per parser and dump): a thread's state, which a dump of a
 * million threads spells in a handful of ways, costs a compare.
 */
#define INTERN_RECENT 4
struct intern_recent {
	const char *s[INTERN_RECENT];
	size_t len[INTERN_RECENT];
	unsigned next;
};
const char *dump_intern_recent(struct dump *d, struct intern_recent *r, const char *s, size_t len);
/*
 * The memo word of a string dump_intern returned (NULL until set): a parser
 * may keep there what it derived from the string (a parsed frame, in the
 * dump's arena), so that a line a dump repeats is parsed once. One user per
 * dump: the parser that reads it.
 */
static inline void **dump_intern_memo(const char *interned)
{
	return (void **)(void *)(interned - sizeof(void *));
}
const char *dump_printf(struct dump *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Signal names: "SIGSEGV" for 11, NULL when unknown; and back (-1). */
const char *signal_name(int signo);
int signal_number(const char *name);

/* Appends ITEM to an array in D's arena (the model's own arrays). */
#define DUMP_PUSH(d, arr, n, alloc, item)                        \
	do {                                                     \
		ARENA_GROW((d)->arena, (arr), (n) + 1, (alloc)); \
		(arr)[(n)++] = (item);                           \
	} while (0)

/* The thread_* calls (building a thread's stack and locks, and asking about it). */
#include "analyzer/model/thread.h"

#endif
