#include "analyzer/model/frame.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyzer/lib/arena.h"
#include "analyzer/lib/hashmap.h"
#include "analyzer/lib/path.h"
#include "analyzer/model/dump.h"

#define X_NAME(e, s) s,
static const char *const frame_kind_names[] = { FRAME_KINDS(X_NAME) };
static const char *const frame_trust_names[] = { FRAME_TRUSTS(X_NAME) };
#undef X_NAME

const char *frame_kind_name(enum frame_kind k)
{
	return (unsigned)k < FRAME_KIND_COUNT ? frame_kind_names[k] : NULL;
}

const char *frame_trust_name(enum frame_trust t)
{
	return (unsigned)t < FRAME_TRUST_COUNT ? frame_trust_names[t] : NULL;
}

const char *frame_kind_tag(enum frame_kind k)
{
	if (k == FRAME_NATIVE)
		return NULL;
	return k == FRAME_INTERPRETED ? "interp" : frame_kind_name(k);
}

/* ---- the vocabulary ---- */

enum match { EXACT, PREFIX, SUBSTR, SUFFIX };

/*
 * One row per function name or family. EXACT and PREFIX compare the name
 * as name_core() leaves it ("__GI___pthread_mutex_lock@GLIBC_2.2.5" is
 * "pthread_mutex_lock", which any number of leading underscores matches);
 * a pattern written with leading underscores matches only names with as
 * many ("_start", not a user's "start"; "_dl_open", not "__dl_iterate_phdr").
 * SUBSTR looks for the pattern anywhere in the name as it is. A name gets
 * the roles of every row it matches; the lock kind and argument of the
 * first row that has one.
 */
struct vocab_row {
	const char *pattern;
	enum match match;
	unsigned roles;
	int lock_kind;            /* enum lock_kind, or -1 */
	const char *arg;          /* the argument a text dump prints the lock's address in */
};

#define ROW(p, m, r) { p, m, r, -1, NULL }
#define LOCK_ROW(p, m, r, kind, arg) { p, m, r, kind, arg }

static const struct vocab_row vocabulary[] = {
	/* abort, raise, assert and fortify plumbing */
	ROW("raise", EXACT, ROLE_ABORT),
	ROW("abort", EXACT, ROLE_ABORT),
	ROW("gsignal", EXACT, ROLE_ABORT),
	ROW("pthread_kill", PREFIX, ROLE_ABORT), /* __pthread_kill_implementation, _internal */
	ROW("__assert_fail", PREFIX, ROLE_ABORT),  /* and __assert_fail_base */
	ROW("__assert_rtn", EXACT, ROLE_ABORT),
	ROW("__assert_perror_fail", EXACT, ROLE_ABORT),
	ROW("__assert", EXACT, ROLE_ABORT),
	ROW("__assert2", EXACT, ROLE_ABORT),
	ROW("__libc_message", PREFIX, ROLE_ABORT),
	ROW("__libc_fatal", PREFIX, ROLE_ABORT),
	ROW("__fortify_fail", PREFIX, ROLE_ABORT),
	ROW("__chk_fail", PREFIX, ROLE_ABORT),
	ROW("__stack_chk_fail", PREFIX, ROLE_ABORT),
	ROW("__kernel_vsyscall", EXACT, ROLE_ABORT),
	ROW("os::abort", PREFIX, ROLE_ABORT | ROLE_REPORTER),
	ROW("os::die", PREFIX, ROLE_ABORT | ROLE_REPORTER),

	/* the allocator: entry points (every double free passes through them) and internals */
	ROW("malloc", EXACT, ROLE_ALLOCATOR),
	ROW("free", EXACT, ROLE_ALLOCATOR),
	ROW("calloc", EXACT, ROLE_ALLOCATOR),
	ROW("realloc", EXACT, ROLE_ALLOCATOR),
	ROW("cfree", EXACT, ROLE_ALLOCATOR),
	ROW("memalign", EXACT, ROLE_ALLOCATOR),
	ROW("posix_memalign", EXACT, ROLE_ALLOCATOR),
	ROW("aligned_alloc", EXACT, ROLE_ALLOCATOR),
	ROW("_mid_memalign", EXACT, ROLE_ALLOCATOR),
	ROW("operator new", EXACT, ROLE_ALLOCATOR),
	ROW("operator new[]", EXACT, ROLE_ALLOCATOR),
	ROW("operator delete", EXACT, ROLE_ALLOCATOR),
	ROW("operator delete[]", EXACT, ROLE_ALLOCATOR),
	ROW("malloc_printerr", PREFIX, ROLE_ALLOCATOR),
	ROW("__malloc_assert", PREFIX, ROLE_ALLOCATOR),
	ROW("__malloc_arena_thread_freeres", EXACT, ROLE_ALLOCATOR),
	ROW("_int_free", PREFIX, ROLE_ALLOCATOR),
	ROW("_int_malloc", PREFIX, ROLE_ALLOCATOR),
	ROW("_int_realloc", PREFIX, ROLE_ALLOCATOR),
	ROW("_int_memalign", PREFIX, ROLE_ALLOCATOR),
	ROW("tcache_", PREFIX, ROLE_ALLOCATOR),
	ROW("arena_get2", EXACT, ROLE_ALLOCATOR),
	ROW("sysmalloc", EXACT, ROLE_ALLOCATOR),
	ROW("malloc_consolidate", PREFIX, ROLE_ALLOCATOR),
	ROW("unlink_chunk", PREFIX, ROLE_ALLOCATOR),

	/* signal trampolines */
	ROW("__restore_rt", EXACT, ROLE_TRAMPOLINE),
	ROW("<signal handler called>", EXACT, ROLE_TRAMPOLINE),
	ROW("_sigtramp", EXACT, ROLE_TRAMPOLINE),
	ROW("__kernel_rt_sigreturn", EXACT, ROLE_TRAMPOLINE),

	/* error reporting and signal dispatch */
	ROW("os::fork_and_exec", PREFIX, ROLE_REPORTER),
	ROW("VMError::", PREFIX, ROLE_REPORTER),
	ROW("report_vm_error", PREFIX, ROLE_REPORTER),
	ROW("report_fatal", PREFIX, ROLE_REPORTER),
	ROW("report_vm_out_of_memory", PREFIX, ROLE_REPORTER),
	ROW("JVM_handle_linux_signal", PREFIX, ROLE_REPORTER),
	ROW("JVM_handle_bsd_signal", PREFIX, ROLE_REPORTER),
	ROW("signalHandler", PREFIX, ROLE_REPORTER),
	ROW("javaSignalHandler", PREFIX, ROLE_REPORTER),
	ROW("PosixSignals::", PREFIX, ROLE_REPORTER),
	ROW("os::Posix::", PREFIX, ROLE_REPORTER),
	ROW("crash_handler", PREFIX, ROLE_REPORTER),
	/* what a reporter calls after catching the fault */
	ROW("waitpid", PREFIX, ROLE_REPORTER_AID),
	ROW("wait4", PREFIX, ROLE_REPORTER_AID),
	ROW("os::", PREFIX, ROLE_REPORTER_AID),
	ROW("fork", PREFIX, ROLE_REPORTER_AID),
	ROW("_Fork", PREFIX, ROLE_REPORTER_AID),

	/* C++ exceptions and terminate */
	ROW("std::terminate", PREFIX, ROLE_EXCEPTION),
	ROW("std::__terminate", PREFIX, ROLE_EXCEPTION),
	ROW("std::__throw_", PREFIX, ROLE_EXCEPTION),
	ROW("__cxxabiv1::", PREFIX, ROLE_EXCEPTION),
	ROW("__gnu_cxx::__verbose_terminate_handler", PREFIX, ROLE_EXCEPTION),
	ROW("_Unwind_", PREFIX, ROLE_EXCEPTION),
	ROW("__cxa_throw", PREFIX, ROLE_EXCEPTION),
	ROW("__cxa_rethrow", PREFIX, ROLE_EXCEPTION),
	ROW("__cxa_pure_virtual", PREFIX, ROLE_EXCEPTION),
	ROW("__cxa_call_terminate", PREFIX, ROLE_EXCEPTION),
	ROW("__gxx_personality_v0", PREFIX, ROLE_EXCEPTION),

	/* a VM's calls into Java */
	ROW("JavaCalls::call", PREFIX, ROLE_CALL_STUB),
	ROW("call_stub", PREFIX, ROLE_CALL_STUB),
	ROW("StubRoutines::", PREFIX, ROLE_CALL_STUB),

	/* process and thread start; debuggers differ in whether they show it */
	ROW("_start", EXACT, ROLE_ENTRY | ROLE_ROOT),
	ROW("clone", EXACT, ROLE_ENTRY | ROLE_ROOT),
	ROW("clone3", EXACT, ROLE_ENTRY | ROLE_ROOT),
	ROW("thread_start", EXACT, ROLE_ENTRY | ROLE_ROOT),
	ROW("_thread_start", EXACT, ROLE_ENTRY | ROLE_ROOT),
	ROW("start_thread", EXACT, ROLE_ENTRY),
	ROW("__libc_start_main", EXACT, ROLE_ENTRY),
	ROW("__libc_start_main_impl", EXACT, ROLE_ENTRY),
	ROW("__libc_start_call_main", EXACT, ROLE_ENTRY),

	/* taking a lock (the kind, and the argument gdb prints the address in) */
	LOCK_ROW("pthread_mutex_lock", PREFIX, ROLE_LOCK, LOCK_PTHREAD_MUTEX, "mutex"),
	LOCK_ROW("pthread_mutex_timedlock", PREFIX, ROLE_LOCK, LOCK_PTHREAD_MUTEX, "mutex"),
	LOCK_ROW("pthread_mutex_clocklock", PREFIX, ROLE_LOCK, LOCK_PTHREAD_MUTEX, "mutex"),
	LOCK_ROW("pthread_mutex_cond_lock", EXACT, ROLE_LOCK, LOCK_PTHREAD_MUTEX, "mutex"),
	LOCK_ROW("lll_mutex_lock_optimized", EXACT, ROLE_LOCK, LOCK_PTHREAD_MUTEX, "mutex"),
	LOCK_ROW("pthread_rwlock_wrlock", PREFIX, ROLE_LOCK, LOCK_PTHREAD_RWLOCK, "rwlock"),
	LOCK_ROW("pthread_rwlock_rdlock", PREFIX, ROLE_LOCK, LOCK_PTHREAD_RWLOCK, "rwlock"),
	LOCK_ROW("pthread_rwlock_timedwrlock", PREFIX, ROLE_LOCK, LOCK_PTHREAD_RWLOCK, "rwlock"),
	LOCK_ROW("pthread_rwlock_timedrdlock", PREFIX, ROLE_LOCK, LOCK_PTHREAD_RWLOCK, "rwlock"),
	LOCK_ROW("pthread_rwlock_clockwrlock", PREFIX, ROLE_LOCK, LOCK_PTHREAD_RWLOCK, "rwlock"),
	LOCK_ROW("pthread_rwlock_clockrdlock", PREFIX, ROLE_LOCK, LOCK_PTHREAD_RWLOCK, "rwlock"),
	ROW("pthread_rwlock_", PREFIX, ROLE_LOCK),
	LOCK_ROW("lll_lock_wait", PREFIX, ROLE_LOCK, LOCK_FUTEX, "futex"), /* and _private */
	ROW("lll_", PREFIX, ROLE_LOCK),
	LOCK_ROW("__rtld_lock", PREFIX, ROLE_LOCK | ROLE_LOADER, LOCK_PTHREAD_MUTEX, NULL),
	ROW("__rtld_mutex", PREFIX, ROLE_LOCK | ROLE_LOADER),
	ROW("__libc_lock", PREFIX, ROLE_LOCK),
	ROW("ObjectMonitor::", PREFIX, ROLE_LOCK),
	ROW("Monitor::", PREFIX, ROLE_LOCK),
	ROW("Mutex::", PREFIX, ROLE_LOCK),
	ROW("java.util.concurrent.locks.", PREFIX, ROLE_LOCK), /* LockSupport.park, AQS, ReentrantLock */
	ROW("jrockit.vm.", PREFIX, ROLE_LOCK),
	/* the VM's side of a Java monitor enter, under the Java frames of a core or live JVM */
	ROW("ObjectSynchronizer::", PREFIX, ROLE_LOCK),
	ROW("LightweightSynchronizer::", PREFIX, ROLE_LOCK),
	ROW("InterpreterRuntime::monitorenter", PREFIX, ROLE_LOCK),
	ROW("SharedRuntime::complete_monitor_locking", PREFIX, ROLE_LOCK),
	ROW("Runtime1::monitorenter", PREFIX, ROLE_LOCK),
	ROW("OptoRuntime::complete_monitor_locking", PREFIX, ROLE_LOCK),
	ROW("_complete_monitor_locking_Java", PREFIX, ROLE_LOCK), /* C2's runtime stub (blob name) */
	ROW("C1 Runtime monitorenter", PREFIX, ROLE_LOCK),        /* C1's runtime stubs */
	/* C++'s wrappers around them (libstdc++'s gthr-default.h, <mutex>, <shared_mutex>) */
	LOCK_ROW("__gthread_mutex_lock", EXACT, ROLE_LOCK, LOCK_PTHREAD_MUTEX, "__mutex"),
	LOCK_ROW("__gthread_mutex_timedlock", EXACT, ROLE_LOCK, LOCK_PTHREAD_MUTEX, "__mutex"),
	LOCK_ROW("__gthread_recursive_mutex_lock", EXACT, ROLE_LOCK, LOCK_PTHREAD_MUTEX, "__mutex"),
	LOCK_ROW("std::mutex::lock", EXACT, ROLE_LOCK, LOCK_PTHREAD_MUTEX, NULL),
	LOCK_ROW("std::recursive_mutex::lock", EXACT, ROLE_LOCK, LOCK_PTHREAD_MUTEX, NULL),
	LOCK_ROW("std::timed_mutex::", PREFIX, ROLE_LOCK, LOCK_PTHREAD_MUTEX, NULL),
	LOCK_ROW("std::recursive_timed_mutex::", PREFIX, ROLE_LOCK, LOCK_PTHREAD_MUTEX, NULL),
	LOCK_ROW("std::shared_mutex::lock", PREFIX, ROLE_LOCK, LOCK_PTHREAD_RWLOCK, NULL),
	LOCK_ROW("std::shared_timed_mutex::", PREFIX, ROLE_LOCK, LOCK_PTHREAD_RWLOCK, NULL),
	LOCK_ROW("std::__shared_mutex_pthread::lock", PREFIX, ROLE_LOCK, LOCK_PTHREAD_RWLOCK, NULL),
	ROW("std::lock_guard<", PREFIX, ROLE_LOCK),
	ROW("std::unique_lock<", PREFIX, ROLE_LOCK),
	ROW("std::scoped_lock<", PREFIX, ROLE_LOCK),
	ROW("std::shared_lock<", PREFIX, ROLE_LOCK),
	ROW("std::lock<", PREFIX, ROLE_LOCK),
	ROW("std::__lock_impl", PREFIX, ROLE_LOCK),

	/* waiting for an event that is not a lock */
	LOCK_ROW("pthread_join", PREFIX, ROLE_WAIT, LOCK_THREAD_JOIN, "threadid"),
	LOCK_ROW("pthread_timedjoin", PREFIX, ROLE_WAIT, LOCK_THREAD_JOIN, "threadid"),
	LOCK_ROW("pthread_clockjoin", PREFIX, ROLE_WAIT, LOCK_THREAD_JOIN, "threadid"),
	ROW("pthread_cond_", PREFIX, ROLE_WAIT),
	ROW("sem_", PREFIX, ROLE_WAIT),
	ROW("new_sem_wait", PREFIX, ROLE_WAIT),
	ROW("do_futex_wait", EXACT, ROLE_WAIT),
	ROW("pthread_barrier_wait", PREFIX, ROLE_WAIT),
	ROW("pthread_once", PREFIX, ROLE_WAIT),
	ROW("java.lang.Object.wait", PREFIX, ROLE_WAIT),
	ROW("jdk.internal.misc.Unsafe.park", PREFIX, ROLE_WAIT),
	ROW("sun.misc.Unsafe.park", PREFIX, ROLE_WAIT),
	ROW("Parker::", PREFIX, ROLE_WAIT),
	ROW("os::PlatformEvent::", PREFIX, ROLE_WAIT),
	ROW("PlatformEvent::", PREFIX, ROLE_WAIT), /* JDK 25 */
	ROW("Unsafe_Park", EXACT, ROLE_WAIT),
	ROW("JVM_MonitorWait", PREFIX, ROLE_WAIT),
	ROW("std::condition_variable::", PREFIX, ROLE_WAIT),
	ROW("std::condition_variable_any::", PREFIX, ROLE_WAIT),
	ROW("std::_V2::condition_variable_any::", PREFIX, ROLE_WAIT),
	ROW("std::__condvar::", PREFIX, ROLE_WAIT),
	LOCK_ROW("std::thread::join", EXACT, ROLE_WAIT, LOCK_THREAD_JOIN, NULL),
	LOCK_ROW("std::jthread::join", EXACT, ROLE_WAIT, LOCK_THREAD_JOIN, NULL),
	ROW("std::jthread::~jthread", EXACT, ROLE_WAIT), /* joins */
	ROW("std::__future_base::_State_baseV2::wait", PREFIX, ROLE_WAIT),
	ROW("std::__future_base::_State_baseV2::_M_complete_async", PREFIX, ROLE_WAIT),
	ROW("std::__basic_future<", PREFIX, ROLE_WAIT),  /* _M_get_result: future::get */
	ROW("std::future<", PREFIX, ROLE_WAIT),
	ROW("std::shared_future<", PREFIX, ROLE_WAIT),
	ROW("std::counting_semaphore<", PREFIX, ROLE_WAIT),
	ROW("std::__atomic_semaphore::", PREFIX, ROLE_WAIT),
	ROW("std::__platform_semaphore::", PREFIX, ROLE_WAIT),
	ROW("std::latch::", PREFIX, ROLE_WAIT),
	ROW("std::barrier<", PREFIX, ROLE_WAIT),
	ROW("std::__atomic_wait_address", PREFIX, ROLE_WAIT),
	ROW("std::__detail::__platform_wait", PREFIX, ROLE_WAIT),
	ROW("std::__detail::__waiter", PREFIX, ROLE_WAIT),
	ROW("__gthread_cond_wait", EXACT, ROLE_WAIT),
	ROW("__gthread_cond_timedwait", EXACT, ROLE_WAIT),
	ROW("std::call_once", PREFIX, ROLE_WAIT),
	ROW("__gthread_once", EXACT, ROLE_WAIT),
	ROW("std::this_thread::sleep_for", PREFIX, ROLE_SLEEP),
	ROW("std::this_thread::sleep_until", PREFIX, ROLE_SLEEP),

	/* the kernel wait under both */
	ROW("futex", PREFIX, ROLE_FUTEX),
	ROW("syscall", PREFIX, ROLE_FUTEX),

	/* sleeping */
	ROW("nanosleep", PREFIX, ROLE_SLEEP),
	ROW("clock_nanosleep", PREFIX, ROLE_SLEEP),
	ROW("usleep", EXACT, ROLE_SLEEP),
	ROW("sleep", EXACT, ROLE_SLEEP),
	ROW("java.lang.Thread.sleep", PREFIX, ROLE_SLEEP),

	/* waiting for I/O */
	ROW("poll", EXACT, ROLE_IO_WAIT),
	ROW("ppoll", EXACT, ROLE_IO_WAIT),
	ROW("epoll_wait", EXACT, ROLE_IO_WAIT),
	ROW("epoll_pwait", EXACT, ROLE_IO_WAIT),
	ROW("select", EXACT, ROLE_IO_WAIT),
	ROW("pselect", EXACT, ROLE_IO_WAIT),
	ROW("read", EXACT, ROLE_IO_WAIT),
	ROW("recv", EXACT, ROLE_IO_WAIT),
	ROW("accept", EXACT, ROLE_IO_WAIT),

	/* the dynamic loader */
	ROW("_dl_", PREFIX, ROLE_LOADER),

	/* functions that run as signal handlers, or only ever inside one */
	ROW("signalHandler", SUBSTR, ROLE_HANDLER),
	ROW("SignalHandler", SUBSTR, ROLE_HANDLER),
	ROW("signal_handler", SUBSTR, ROLE_HANDLER),
	ROW("sighandler", SUBSTR, ROLE_HANDLER),
	ROW("sigHandler", SUBSTR, ROLE_HANDLER),
	ROW("trapHandler", SUBSTR, ROLE_HANDLER),
	ROW("Profiler::recordSample", SUBSTR, ROLE_HANDLER),
	ROW("AsyncGetCallTrace", SUBSTR, ROLE_HANDLER),
	ROW("prof_handler", SUBSTR, ROLE_HANDLER),
	ROW("ProfileHandler", SUBSTR, ROLE_HANDLER),

	/* system calls a signal interrupts with EINTR (not retried by the kernel) */
	ROW("poll", EXACT, ROLE_INTERRUPTIBLE),
	ROW("ppoll", EXACT, ROLE_INTERRUPTIBLE),
	ROW("epoll_wait", EXACT, ROLE_INTERRUPTIBLE),
	ROW("epoll_pwait", EXACT, ROLE_INTERRUPTIBLE),
	ROW("epoll_pwait2", EXACT, ROLE_INTERRUPTIBLE),
	ROW("select", EXACT, ROLE_INTERRUPTIBLE),
	ROW("pselect", EXACT, ROLE_INTERRUPTIBLE),
	ROW("pselect6", EXACT, ROLE_INTERRUPTIBLE),
	ROW("read", EXACT, ROLE_INTERRUPTIBLE),
	ROW("readv", EXACT, ROLE_INTERRUPTIBLE),
	ROW("pread", EXACT, ROLE_INTERRUPTIBLE),
	ROW("pread64", EXACT, ROLE_INTERRUPTIBLE),
	ROW("preadv", EXACT, ROLE_INTERRUPTIBLE),
	ROW("recv", EXACT, ROLE_INTERRUPTIBLE),
	ROW("recvfrom", EXACT, ROLE_INTERRUPTIBLE),
	ROW("recvmsg", EXACT, ROLE_INTERRUPTIBLE),
	ROW("recvmmsg", EXACT, ROLE_INTERRUPTIBLE),
	ROW("accept", EXACT, ROLE_INTERRUPTIBLE),
	ROW("accept4", EXACT, ROLE_INTERRUPTIBLE),
	ROW("connect", EXACT, ROLE_INTERRUPTIBLE),
	ROW("nanosleep", EXACT, ROLE_INTERRUPTIBLE),
	ROW("clock_nanosleep", EXACT, ROLE_INTERRUPTIBLE),
	ROW("usleep", EXACT, ROLE_INTERRUPTIBLE),
	ROW("sleep", EXACT, ROLE_INTERRUPTIBLE),
	ROW("futex", EXACT, ROLE_INTERRUPTIBLE),
	ROW("futex_wait", EXACT, ROLE_INTERRUPTIBLE),
	ROW("futex_abstimed_wait_common", EXACT, ROLE_INTERRUPTIBLE),
	ROW("futex_abstimed_wait_common64", EXACT, ROLE_INTERRUPTIBLE),
	ROW("sem_wait", EXACT, ROLE_INTERRUPTIBLE),
	ROW("sem_timedwait", EXACT, ROLE_INTERRUPTIBLE),
	ROW("sem_clockwait", EXACT, ROLE_INTERRUPTIBLE),
	ROW("io_uring_wait_cqe", EXACT, ROLE_INTERRUPTIBLE),
	ROW("io_uring_wait_cqes", EXACT, ROLE_INTERRUPTIBLE),
	ROW("io_uring_wait_cqe_timeout", EXACT, ROLE_INTERRUPTIBLE),
	ROW("io_uring_get_cqe", EXACT, ROLE_INTERRUPTIBLE),
	ROW("io_uring_enter", EXACT, ROLE_INTERRUPTIBLE),
	ROW("io_getevents", EXACT, ROLE_INTERRUPTIBLE),
	ROW("msgrcv", EXACT, ROLE_INTERRUPTIBLE),
	ROW("semop", EXACT, ROLE_INTERRUPTIBLE),
	ROW("semtimedop", EXACT, ROLE_INTERRUPTIBLE),
	ROW("waitpid", EXACT, ROLE_INTERRUPTIBLE),
	ROW("wait4", EXACT, ROLE_INTERRUPTIBLE),
	ROW("waitid", EXACT, ROLE_INTERRUPTIBLE),
	ROW("sigwaitinfo", EXACT, ROLE_INTERRUPTIBLE),
	ROW("sigtimedwait", EXACT, ROLE_INTERRUPTIBLE),
	ROW("pause", EXACT, ROLE_INTERRUPTIBLE),
	ROW("sigsuspend", EXACT, ROLE_INTERRUPTIBLE),
	ROW("flock", EXACT, ROLE_INTERRUPTIBLE),
	ROW("write", EXACT, ROLE_INTERRUPTIBLE),
	ROW("writev", EXACT, ROLE_INTERRUPTIBLE),
	ROW("send", EXACT, ROLE_INTERRUPTIBLE),
	ROW("sendto", EXACT, ROLE_INTERRUPTIBLE),
	ROW("sendmsg", EXACT, ROLE_INTERRUPTIBLE),
	ROW("mq_receive", EXACT, ROLE_INTERRUPTIBLE),
};

#define VOCAB_ROWS (sizeof(vocabulary) / sizeof(vocabulary[0]))

/*
 * Language runtimes whose unnamed frames carry no identity (abort, terminate,
 * unwind internals; a stripped libjvm's monitor and park plumbing).
 */
static const char *const runtime_modules[] = {
	"libc.so", "libc-", "libstdc++", "libgcc_s", "libc++abi", "libc++.so", "libpthread",
	"ld-linux", "libSystem", "libsystem_", "libjvm.so",
};

/* ---- matching ---- */

struct name_core {
	const char *s;
	size_t len;
	int underscores;          /* leading underscores it had (after "__GI_") */
};

/* Compiler clone suffixes: "read.part.0" is read. */
static const char *const clone_marks[] = {
	".constprop.", ".isra.", ".part.", ".cold", ".lto_priv.", ".localalias", " [clone ",
};

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Past an operator's name at S ("operator<<", "operator()", "operator new", "operator bool"). */
static const char *skip_operator(const char *s)
{
	s += 8;
	if (s[0] == '(' && s[1] == ')')
		return s + 2;
	if (*s == ' ') /* operator new, delete[], a conversion operator: up to the parameters */
		return s + strcspn(s, "(");
	while (*s && strchr("<>=!+-*/%^&|~[],", *s))
		s++;
	return s[0] == ' ' && s[1] == '<' ? s + 1 : s; /* "operator<< <T>" */
}

const char *frame_name_start(const char *fn)
{
	/* most names (C, Java, C++ without templates) have no space before their parameters: done */
	size_t first = strcspn(fn, " (");
	if (fn[first] != ' ')
		return fn;
	const char *start = fn;
	int angle = 0;
	for (const char *s = fn; *s; s++) {
		if (*s == 'o' && !strncmp(s, "operator", 8) && (s == fn || !is_ident(s[-1])) && !is_ident(s[8])) {
			s = skip_operator(s) - 1;
			continue;
		}
		if (*s == '(' && !strncmp(s, "(anonymous namespace)", 21)) {
			s += 20;
			continue;
		}
		switch (*s) {
		case '<': angle++; break;
		case '>': angle -= angle > 0; break;
		case '{': { /* {lambda(int)#1} */
			int depth = 0;
			for (; *s; s++) {
				depth += *s == '{' ? 1 : *s == '}' ? -1 : 0;
				if (!depth)
					break;
			}
			if (!*s)
				return fn;
			break;
		}
		case ' ':
			if (!angle)
				start = s + 1;
			break;
		case '(':
			if (!angle)
				return start; /* the parameter list: what came before the last space was the return type */
			break;
		}
	}
	return fn; /* no parameter list: not a C++ signature */
}

/* LEN, or where the first compiler clone suffix starts in the LEN bytes at S (each starts with '.' or ' '). */
static size_t clone_cut(const char *s, size_t len)
{
	for (size_t at = 0; at + 1 < len; at++) {
		if (s[at] != '.' && s[at] != ' ')
			continue;
		for (size_t i = 0; i < sizeof(clone_marks) / sizeof(clone_marks[0]); i++) {
			const char *m = clone_marks[i];
			if (m[0] != s[at] || m[1] != s[at + 1])
				continue;
			size_t n = strlen(m);
			if (n <= len - at && !memcmp(s + at, m, n))
				return at;
		}
	}
	return len;
}

/*
 * NAME without a C++ return type, glibc's "__GI_" prefix and leading
 * underscores, cut at "(" or "@" or a clone suffix, without a "_nocancel"
 * suffix.
 */
static struct name_core name_core(const char *name)
{
	struct name_core c = { frame_name_start(name), 0, 0 };
	if (!strncmp(c.s, "__GI_", 5))
		c.s += 5;
	while (*c.s == '_') {
		c.s++;
		c.underscores++;
	}
	c.len = clone_cut(c.s, strcspn(c.s, "(@"));
	if (c.len > 9 && !memcmp(c.s + c.len - 9, "_nocancel", 9))
		c.len -= 9;
	return c;
}

/* The rows by the first byte of their core, so a name is compared with a few rows, not all. */
struct vocab_index {
	struct name_core core[VOCAB_ROWS];
	unsigned short first[257];     /* rows of byte b: order[first[b]] .. order[first[b+1]-1] */
	unsigned short order[VOCAB_ROWS];
	unsigned short substr[VOCAB_ROWS];
	size_t nsubstr;
};

static struct vocab_index vindex;
static pthread_once_t vindex_once = PTHREAD_ONCE_INIT;

static void build_index(void)
{
	size_t count[256] = { 0 };
	for (size_t i = 0; i < VOCAB_ROWS; i++) {
		vindex.core[i] = name_core(vocabulary[i].pattern);
		if (vocabulary[i].match == SUBSTR)
			vindex.substr[vindex.nsubstr++] = (unsigned short)i;
		else
			count[(unsigned char)vindex.core[i].s[0]]++;
	}
	size_t at = 0;
	for (int b = 0; b < 256; b++) {
		vindex.first[b] = (unsigned short)at;
		at += count[b];
	}
	vindex.first[256] = (unsigned short)at;
	size_t fill[256];
	for (int b = 0; b < 256; b++)
		fill[b] = vindex.first[b];
	for (size_t i = 0; i < VOCAB_ROWS; i++)
		if (vocabulary[i].match != SUBSTR)
			vindex.order[fill[(unsigned char)vindex.core[i].s[0]]++] = (unsigned short)i;
}

static bool row_matches(size_t i, const struct name_core *c)
{
	const struct name_core *p = &vindex.core[i];
	if (p->underscores && p->underscores != c->underscores)
		return false;
	if (c->len < p->len || memcmp(c->s, p->s, p->len))
		return false;
	return vocabulary[i].match == PREFIX || c->len == p->len;
}

static bool each_row_match(const struct name_core *c, bool (*fn)(const struct vocab_row *row, void *ctx),
			   void *ctx)
{
	unsigned char b = (unsigned char)c->s[0];
	for (size_t k = vindex.first[b]; k < vindex.first[b + 1]; k++)
		if (row_matches(vindex.order[k], c) && fn(&vocabulary[vindex.order[k]], ctx))
			return true;
	return false;
}

/*
 * Calls FN on every row NAME matches, until FN returns true. glibc's
 * "__libc_read" is also compared as "read" (its own rows, such as
 * "__libc_start_main", match it as it is).
 */
static void each_match(const char *name, bool (*fn)(const struct vocab_row *row, void *ctx), void *ctx)
{
	pthread_once(&vindex_once, build_index);
	struct name_core c = name_core(name);
	if (each_row_match(&c, fn, ctx))
		return;
	if (c.underscores && c.len > 5 && !memcmp(c.s, "libc_", 5)) {
		struct name_core bare = { c.s + 5, c.len - 5, 0 };
		if (each_row_match(&bare, fn, ctx))
			return;
	}
	/* every handler pattern but two contains "andler": most names fail three searches, not ten */
	if (!strstr(name, "andler") && !strstr(name, "Profiler::") && !strstr(name, "AsyncGetCallTrace"))
		return;
	for (size_t k = 0; k < vindex.nsubstr; k++) {
		const struct vocab_row *row = &vocabulary[vindex.substr[k]];
		if (strstr(name, row->pattern) && fn(row, ctx))
			return;
	}
}

/* ---- what a name is, looked up once ---- */

/* Everything the vocabulary says of one name: its roles, and the first row's lock kind. */
struct name_info {
	unsigned roles;
	int lock_kind;
	const char *arg;
};

static bool gather(const struct vocab_row *row, void *ctx)
{
	struct name_info *ni = ctx;
	ni->roles |= row->roles;
	if (ni->lock_kind < 0 && row->lock_kind >= 0) {
		ni->lock_kind = row->lock_kind;
		ni->arg = row->arg;
	}
	return false;
}

/*
 * The analysis asks about the same few hundred names for every frame of
 * every thread (a 200,000-thread dump asks millions of times), and the
 * vocabulary's matching costs hundreds of instructions a name: the answers
 * are kept per name, per thread (triage workers each have their own),
 * bounded: past NAME_MEMO_MAX names the memo starts over.
 */
#define NAME_MEMO_MAX 65536

#define NAME_FRONT 256

struct name_memo {
	struct hashmap map;       /* name (a copy in arena) -> struct name_info */
	struct arena *arena;
	/*
	 * In front of the map, by the name's address: a dump's frames point at
	 * the same interned names again and again. An entry is used only when
	 * the name at that address still reads as its copy.
	 */
	struct name_front {
		const char *at;
		const char *copy;
		const struct name_info *ni;
	} front[NAME_FRONT];
};

static pthread_key_t memo_key;
static pthread_once_t memo_once = PTHREAD_ONCE_INIT;
static __thread struct name_memo *memo;

static void memo_release(void *arg)
{
	struct name_memo *m = arg;
	hashmap_clear(&m->map);
	arena_free(m->arena);
	free(m);
}

static void memo_key_create(void)
{
	pthread_key_create(&memo_key, memo_release);
}

static struct name_memo *thread_memo(void)
{
	if (memo && memo->map.count < NAME_MEMO_MAX)
		return memo;
	pthread_once(&memo_once, memo_key_create);
	if (memo)
		memo_release(memo);
	memo = xcalloc(1, sizeof(*memo));
	memo->arena = arena_new();
	pthread_setspecific(memo_key, memo);
	return memo;
}

static bool memo_eq(const void *key, const void *ctx)
{
	return !strcmp(key, ctx);
}

static const struct name_info *name_info(const char *fn)
{
	struct name_memo *m = thread_memo();
	struct name_front *front = &m->front[hash_ptr(fn) & (NAME_FRONT - 1)];
	if (front->at == fn && !strcmp(fn, front->copy))
		return front->ni;
	size_t len = strlen(fn);
	uint64_t h = hash_bytes(fn, len);
	hashmap_reserve(&m->map);
	struct hashmap_slot *slot = hashmap_probe(&m->map, h, memo_eq, fn);
	if (!slot->key) {
		struct name_info *ni = arena_alloc(m->arena, sizeof(*ni));
		ni->lock_kind = -1;
		each_match(fn, gather, ni);
		hashmap_fill(&m->map, slot, h, arena_strndup(m->arena, fn, len));
		slot->value = ni;
	}
	*front = (struct name_front){ fn, slot->key, slot->value };
	return slot->value;
}

unsigned frame_name_roles(const char *fn)
{
	return fn && *fn ? name_info(fn)->roles : 0;
}

static bool is_runtime_module(const char *module)
{
	const char *b = path_basename(module);
	for (size_t i = 0; i < sizeof(runtime_modules) / sizeof(runtime_modules[0]); i++)
		if (!strncmp(b, runtime_modules[i], strlen(runtime_modules[i])))
			return true;
	return false;
}

unsigned frame_roles(const struct frame *f)
{
	unsigned roles = frame_name_roles(f->function);
	if (f->kind == FRAME_SIGNAL)
		roles |= ROLE_TRAMPOLINE;
	if (!f->function && f->module && is_runtime_module(f->module))
		roles |= ROLE_RUNTIME;
	return roles;
}

bool frame_is_noise(const struct frame *f)
{
	return frame_is(f, FRAME_NOISE);
}

bool frame_is_trampoline(const struct frame *f)
{
	return frame_is(f, ROLE_TRAMPOLINE);
}

bool frame_is_handler_entry(const struct frame *f)
{
	return frame_is(f, ROLE_TRAMPOLINE | ROLE_HANDLER);
}

int frame_name_lock_kind(const char *fn, const char **arg)
{
	const struct name_info *ni = fn && *fn ? name_info(fn) : NULL;
	if (arg)
		*arg = ni ? ni->arg : NULL;
	return ni ? ni->lock_kind : -1;
}

/* ---- in-app ---- */

/*
 * What makes a frame the system's, not the application's: one row per
 * module, function or source-file pattern. Module rows are compared with
 * the module's basename (PREFIX, EXACT), or with its whole path when they
 * contain '/' (SUBSTR); function rows with the name without its return
 * type; file rows with the file name as the debug info gives it.
 */
struct app_row {
	enum frame_app_field field;
	const char *pattern;
	enum match match;
};

static const struct app_row system_rows[] = {
	/* the C library, the loader, the C and C++ runtimes */
	{ APP_MODULE, "libc.so", PREFIX },
	{ APP_MODULE, "libc-2.", PREFIX },
	{ APP_MODULE, "libc.musl", PREFIX },
	{ APP_MODULE, "ld-linux", PREFIX },
	{ APP_MODULE, "ld-2.", PREFIX },
	{ APP_MODULE, "ld-musl", PREFIX },
	{ APP_MODULE, "ld64.so", PREFIX },
	{ APP_MODULE, "linux-vdso", PREFIX },
	{ APP_MODULE, "linux-gate", PREFIX },
	{ APP_MODULE, "[vdso]", EXACT },
	{ APP_MODULE, "libpthread", PREFIX },
	{ APP_MODULE, "libm.so", PREFIX },
	{ APP_MODULE, "libm-2.", PREFIX },
	{ APP_MODULE, "libdl.so", PREFIX },
	{ APP_MODULE, "libdl-2.", PREFIX },
	{ APP_MODULE, "librt.so", PREFIX },
	{ APP_MODULE, "librt-2.", PREFIX },
	{ APP_MODULE, "libresolv", PREFIX },
	{ APP_MODULE, "libnss_", PREFIX },
	{ APP_MODULE, "libstdc++", PREFIX },
	{ APP_MODULE, "libgcc_s", PREFIX },
	{ APP_MODULE, "libatomic", PREFIX },
	{ APP_MODULE, "libc++", PREFIX },      /* and libc++abi */
	{ APP_MODULE, "libunwind", PREFIX },
	{ APP_MODULE, "libasan", PREFIX },
	{ APP_MODULE, "libubsan", PREFIX },
	{ APP_MODULE, "libtsan", PREFIX },
	{ APP_MODULE, "liblsan", PREFIX },
	{ APP_MODULE, "libclang_rt", PREFIX },
	{ APP_MODULE, "libSystem", PREFIX },
	{ APP_MODULE, "libsystem_", PREFIX },
	{ APP_MODULE, "libdyld", PREFIX },
	{ APP_MODULE, "libobjc", PREFIX },
	/* the JVM and the JDK's own native libraries */
	{ APP_MODULE, "libjvm", PREFIX },
	{ APP_MODULE, "libjava.", PREFIX },
	{ APP_MODULE, "libjli", PREFIX },
	{ APP_MODULE, "libjsig", PREFIX },
	{ APP_MODULE, "libverify", PREFIX },
	{ APP_MODULE, "libjimage", PREFIX },
	{ APP_MODULE, "libnio.", PREFIX },
	{ APP_MODULE, "libnet.", PREFIX },
	{ APP_MODULE, "libmanagement", PREFIX },
	{ APP_MODULE, "libinstrument", PREFIX },
	{ APP_MODULE, "libattach", PREFIX },
	{ APP_MODULE, "libj9", PREFIX },
	{ APP_MODULE, "libzip.so", PREFIX },
	{ APP_MODULE, "libjdwp", PREFIX },
	{ APP_MODULE, "libdt_socket", PREFIX },
	{ APP_MODULE, "libnpt", PREFIX },
	{ APP_MODULE, "libawt", PREFIX },
	{ APP_MODULE, "libjawt", PREFIX },
	{ APP_MODULE, "libfontmanager", PREFIX },
	{ APP_MODULE, "liblcms", PREFIX },
	{ APP_MODULE, "libmlib_image", PREFIX },
	{ APP_MODULE, "libjavajpeg", PREFIX },
	{ APP_MODULE, "libsplashscreen", PREFIX },
	{ APP_MODULE, "libsctp", PREFIX },
	{ APP_MODULE, "libextnet", PREFIX },
	{ APP_MODULE, "libprefs", PREFIX },
	{ APP_MODULE, "librmi", PREFIX },
	{ APP_MODULE, "libj2", PREFIX },       /* libj2pkcs11, libj2gss, libj2pcsc */
	{ APP_MODULE, "libsunec", PREFIX },
	{ APP_MODULE, "libjaas", PREFIX },
	{ APP_MODULE, "libjsound", PREFIX },
	{ APP_MODULE, "libsaproc", PREFIX },
	{ APP_MODULE, "libhprof", PREFIX },
	{ APP_MODULE, "/lib/jvm/", SUBSTR },   /* anything of an installed JDK */
	{ APP_MODULE, "/jre/lib/", SUBSTR },
	/* Windows: the system's DLLs, the C runtime, the JVM's */
	{ APP_MODULE, "ntdll.dll", EXACT },
	{ APP_MODULE, "kernel32.dll", EXACT },
	{ APP_MODULE, "kernelbase.dll", EXACT },
	{ APP_MODULE, "ucrtbase", PREFIX },
	{ APP_MODULE, "msvcr", PREFIX },
	{ APP_MODULE, "msvcp", PREFIX },
	{ APP_MODULE, "vcruntime", PREFIX },
	{ APP_MODULE, "jvm.dll", EXACT },
	{ APP_MODULE, "java.dll", EXACT },
	{ APP_MODULE, "verify.dll", EXACT },
	{ APP_MODULE, "zip.dll", EXACT },
	{ APP_MODULE, "net.dll", EXACT },
	{ APP_MODULE, "nio.dll", EXACT },
	{ APP_MODULE, "jli.dll", EXACT },
	/* other language runtimes */
	{ APP_MODULE, "libpython", PREFIX },
	{ APP_MODULE, "libruby", PREFIX },
	{ APP_MODULE, "libnode", PREFIX },

	/* the JDK's classes, the JVM's and other JVM languages' runtimes */
	{ APP_FUNCTION, "java.", PREFIX },
	{ APP_FUNCTION, "javax.", PREFIX },
	{ APP_FUNCTION, "jdk.", PREFIX },
	{ APP_FUNCTION, "sun.", PREFIX },
	{ APP_FUNCTION, "com.sun.", PREFIX },
	{ APP_FUNCTION, "jrockit.", PREFIX },
	{ APP_FUNCTION, "com.ibm.oti.", PREFIX },
	{ APP_FUNCTION, "kotlin.", PREFIX },
	{ APP_FUNCTION, "kotlinx.", PREFIX },
	{ APP_FUNCTION, "scala.", PREFIX },
	/* the C++ standard library, instantiated or inlined in the application's own module */
	{ APP_FUNCTION, "std::", PREFIX },
	{ APP_FUNCTION, "__gnu_cxx::", PREFIX },
	{ APP_FUNCTION, "__cxxabiv1::", PREFIX },
	{ APP_FUNCTION, "__gthread_", PREFIX },
	{ APP_FUNCTION, "__cxa_", PREFIX },
	{ APP_FUNCTION, "__gxx_", PREFIX },
	{ APP_FUNCTION, "_Unwind_", PREFIX },
	/* libunwind, by name when a text dump gives no module (eu-stack without -m) */
	{ APP_FUNCTION, "_ULx86_64_", PREFIX },
	{ APP_FUNCTION, "_Ux86_64_", PREFIX },
	{ APP_FUNCTION, "_ULaarch64_", PREFIX },
	{ APP_FUNCTION, "_Uaarch64_", PREFIX },
	{ APP_FUNCTION, "unw_", PREFIX },
	{ APP_FUNCTION, "__sanitizer::", PREFIX },
	{ APP_FUNCTION, "__asan::", PREFIX },
	{ APP_FUNCTION, "__ubsan::", PREFIX },
	/* glibc's CPU-specific string functions, the usual crash sites of a bad pointer */
	{ APP_FUNCTION, "__mem", PREFIX },
	{ APP_FUNCTION, "__str", PREFIX },
	{ APP_FUNCTION, "__stp", PREFIX },
	{ APP_FUNCTION, "__wmem", PREFIX },
	{ APP_FUNCTION, "__wcs", PREFIX },

	/* code inlined from system headers, and the runtimes' own sources */
	{ APP_FILE, "/usr/include/", PREFIX },
	{ APP_FILE, "/usr/lib/gcc/", PREFIX },
	{ APP_FILE, "/include/c++/", SUBSTR },
	{ APP_FILE, "/libstdc++-v3/", SUBSTR },
	{ APP_FILE, "/libgcc/", SUBSTR },
	{ APP_FILE, "/libsanitizer/", SUBSTR },
	{ APP_FILE, "bits/", PREFIX },
	{ APP_FILE, "gthr-default.h", SUFFIX },
	{ APP_FILE, "gthr-posix.h", SUFFIX },
	{ APP_FILE, "/usr/src/debug/glibc", PREFIX },
	{ APP_FILE, "/glibc-", SUBSTR },       /* /build/glibc-SzIz7B/glibc-2.31/nptl/... */
	{ APP_FILE, "/src/hotspot/", SUBSTR }, /* a JDK build's own sources */
};

/* glibc's source directories, which its debug info names relative to the build ("./nptl/x.c", "../sysdeps/..."). */
static const char *const glibc_dirs[] = {
	"nptl", "sysdeps", "csu", "elf", "stdlib", "libio", "malloc", "string", "posix", "signal", "misc",
	"io", "assert", "debug", "dlfcn", "socket", "time", "stdio-common", "wcsmbs", "setjmp", "locale",
	"iconv", "resolv", "inet", "rt", "login", "pwd", "grp", "nss", "termios", "htl", "support",
	"argp", "ctype", "dirent", "gmon", "intl", "math", "mathvec", "resource", "sunrpc", "sysvipc",
	"wctype", "include", "nis",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static bool glibc_build_path(const char *file)
{
	const char *s = file;
	if (strncmp(s, "./", 2) && strncmp(s, "../", 3))
		return false;
	while (!strncmp(s, "./", 2) || !strncmp(s, "../", 3))
		s += s[1] == '/' ? 2 : 3;
	size_t n = strcspn(s, "/");
	if (!s[n])
		return false;
	for (size_t i = 0; i < ARRAY_LEN(glibc_dirs); i++)
		if (strlen(glibc_dirs[i]) == n && !memcmp(s, glibc_dirs[i], n))
			return true;
	return false;
}

/* Module names compare without case (Windows: KERNEL32.DLL), everything else with it. */
static bool row_text_matches(const char *pattern, enum match m, const char *s, bool nocase)
{
	size_t pn = strlen(pattern), sn;
	switch (m) {
	case EXACT: return nocase ? !strcasecmp(s, pattern) : !strcmp(s, pattern);
	case PREFIX: return nocase ? !strncasecmp(s, pattern, pn) : !strncmp(s, pattern, pn);
	case SUBSTR: return strstr(s, pattern) != NULL;
	case SUFFIX: sn = strlen(s); return sn >= pn && !memcmp(s + sn - pn, pattern, pn);
	}
	return false;
}

/*
 * The rows of each field by a key byte of their pattern (app_key), so a
 * name is compared with a few rows, not all; SUBSTR and SUFFIX rows apart
 * (every SUBSTR row contains '/': a name without one skips them).
 */
#define APP_FIELDS 3
#define APP_ROWS ARRAY_LEN(system_rows)
#define APP_BUCKET 24
struct app_index {
	unsigned char first[APP_FIELDS][256][APP_BUCKET]; /* row numbers + 1, 0 ends */
	unsigned char anywhere[APP_FIELDS][APP_BUCKET];   /* SUBSTR and SUFFIX rows + 1, 0 ends */
};

/* The lower-case first byte after leading underscores, or for "lib..." names the fourth (top bit set). */
static unsigned char app_key(const char *s)
{
	while (s[0] == '_' && s[1])
		s++;
	if (!strncasecmp(s, "lib", 3) && s[3])
		return (unsigned char)(0x80 | (tolower((unsigned char)s[3]) & 0x7f));
	return (unsigned char)tolower((unsigned char)s[0]);
}

static struct app_index aindex;
static pthread_once_t aindex_once = PTHREAD_ONCE_INIT;

static void build_app_index(void)
{
	_Static_assert(APP_ROWS < 255, "row numbers fit a byte");
	for (size_t i = 0; i < APP_ROWS; i++) {
		const struct app_row *r = &system_rows[i];
		unsigned char *slot;
		if (r->match == SUBSTR || r->match == SUFFIX)
			slot = aindex.anywhere[r->field];
		else
			slot = aindex.first[r->field][app_key(r->pattern)];
		size_t n = 0;
		while (slot[n])
			n++;
		if (n + 1 >= APP_BUCKET)
			abort(); /* a bucket overflows: a bug in this table, caught by every test */
		slot[n] = (unsigned char)(i + 1);
	}
}

static bool system_field(enum frame_app_field field, const char *s)
{
	pthread_once(&aindex_once, build_app_index);
	const char *base = field == APP_MODULE ? path_basename(s) : s;
	bool nocase = field == APP_MODULE;
	const unsigned char *rows = aindex.first[field][app_key(base)];
	for (; *rows; rows++) {
		const struct app_row *r = &system_rows[*rows - 1];
		if (row_text_matches(r->pattern, r->match, base, nocase))
			return true;
	}
	bool slash = strchr(s, '/') != NULL;
	for (rows = aindex.anywhere[field]; *rows; rows++) {
		const struct app_row *r = &system_rows[*rows - 1];
		if ((r->match == SUBSTR && !slash) || !row_text_matches(r->pattern, r->match, r->match == SUBSTR ? s : base, nocase))
			continue;
		return true;
	}
	return field == APP_FILE && glibc_build_path(s);
}

/* What only the C library and the runtimes do, for frames no source file places. */
#define FRAME_SYSTEM_ROLES (ROLE_ABORT | ROLE_ALLOCATOR | ROLE_TRAMPOLINE | ROLE_EXCEPTION | ROLE_CALL_STUB | \
			    ROLE_ENTRY | ROLE_ROOT | ROLE_LOCK | ROLE_WAIT | ROLE_FUTEX | ROLE_SLEEP |            \
			    ROLE_IO_WAIT | ROLE_LOADER | ROLE_RUNTIME)

static bool builtin_in_app(const struct frame *f)
{
	if (!f->function && !f->module)
		return false;
	if (f->kind == FRAME_VM || f->kind == FRAME_STUB || f->kind == FRAME_SIGNAL)
		return false;
	if (f->module && system_field(APP_MODULE, f->module))
		return false;
	if (f->function && system_field(APP_FUNCTION, frame_name_start(f->function)))
		return false;
	if (f->file)
		return !system_field(APP_FILE, f->file);
	return !frame_is(f, FRAME_SYSTEM_ROLES);
}

bool frame_is_vm(const struct frame *f)
{
	if (f->kind == FRAME_VM)
		return true;
	const char *m = f->module ? path_basename(f->module) : "";
	return !strncmp(m, "libjvm", 6) || !strncmp(m, "libj9", 5) || !strcasecmp(m, "jvm.dll");
}

static _Atomic(const struct frame_app_rule *) user_rules;
static _Atomic size_t user_nrules;

void frame_app_rules_set(const struct frame_app_rule *rules, size_t n)
{
	atomic_store(&user_nrules, 0);
	atomic_store(&user_rules, rules);
	atomic_store(&user_nrules, rules ? n : 0);
}

static const char *const app_field_names[] = { "module", "function", "file" };

const char *frame_app_field_name(enum frame_app_field f)
{
	return (unsigned)f < ARRAY_LEN(app_field_names) ? app_field_names[f] : NULL;
}

int frame_app_field_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(app_field_names); i++)
		if (!strcmp(app_field_names[i], name))
			return (int)i;
	return -1;
}

static bool user_rule_matches(const struct frame_app_rule *r, const struct frame *f)
{
	const char *s = r->field == APP_MODULE ? f->module : r->field == APP_FILE ? f->file : f->function;
	if (!s)
		return false;
	if (r->field == APP_FUNCTION)
		s = frame_name_start(s);
	else if (!strchr(r->glob, '/'))
		s = path_basename(s);
	return fnmatch(r->glob, s, 0) == 0;
}

bool frame_in_app(const struct frame *f)
{
	size_t n = atomic_load(&user_nrules);
	const struct frame_app_rule *rules = atomic_load(&user_rules);
	for (size_t i = n; rules && i-- > 0;)
		if (user_rule_matches(&rules[i], f))
			return rules[i].in_app;
	return builtin_in_app(f);
}

/* ---- text ---- */

static const char *const clone_suffixes[] = {
	".constprop.", ".isra.", ".part.", ".cold", ".lto_priv.", ".localalias", " [clone ",
	"@@GLIBC", "@GLIBC", NULL,
};

/* Length of S up to the first compiler clone suffix. */
static size_t without_clone_suffix(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; clone_suffixes[i]; i++) {
		const char *p = strstr(s, clone_suffixes[i]);
		if (p && (size_t)(p - s) < n)
			n = (size_t)(p - s);
	}
	return n;
}

static bool after_word(const char *start, const char *s, const char *word)
{
	size_t n = strlen(word);
	return (size_t)(s - start) >= n && !strncmp(s - n, word, n);
}

static void add_module_name(const char *m, struct strbuf *out)
{
	const char *base = m ? path_basename(m) : "?";
	const char *so = strstr(base, ".so");
	size_t n = so ? (size_t)(so - base) : strlen(base);
	/* extracted JNI libraries get random names: librocksdbjni1279243...so */
	size_t digits = 0;
	while (so && digits < n && isdigit((unsigned char)base[n - 1 - digits]))
		digits++;
	if (digits >= 6)
		n -= digits;
	strbuf_addf(out, "?? (%.*s%s)", (int)n, base, so ? ".so" : "");
}

/* Whether S starts the symbol of an operator name ("operator<<", "operator()", not "operator new"). */
static bool is_operator_start(const char *s, const char *end)
{
	if (*s == '(')
		return s + 1 < end && s[1] == ')';
	return strchr("<>=!+-*/%^&|~[],", *s) != NULL;
}

/* Copies an operator name ("operator<<", "operator()") verbatim. */
static const char *copy_operator(const char *s, const char *end, struct strbuf *out)
{
	if (s < end && *s == '(' && s + 1 < end && s[1] == ')') {
		strbuf_adds(out, "()");
		return s + 2;
	}
	do
		strbuf_addch(out, *s++);
	while (s < end && *s != '(' && *s != ' ');
	return s;
}

/* "{lambda(int)#1}" -> "{lambda}": the word, not the numbering or parameters. */
static const char *copy_brace(const char *s, const char *end, struct strbuf *out)
{
	strbuf_addch(out, '{');
	for (s++; s < end && isalpha((unsigned char)*s); s++)
		strbuf_addch(out, *s);
	int depth = 1;
	for (; s < end && depth; s++)
		depth += *s == '{' ? 1 : *s == '}' ? -1 : 0;
	strbuf_addch(out, '}');
	return s;
}

static const char *skip_number_tail(const char *s, const char *end)
{
	while (s < end && (isalnum((unsigned char)*s) || *s == '/'))
		s++;
	return s;
}

void frame_normalize(const struct frame *f, struct strbuf *out)
{
	const char *fn = f->function;
	if (!fn) {
		add_module_name(f->module, out);
		return;
	}
	fn = frame_name_start(fn);
	if (!strncmp(fn, "__GI_", 5))
		fn += 5;
	while (*fn == '_' && fn[1] && fn[1] != 'Z')
		fn++;
	const char *start = fn, *end = fn + without_clone_suffix(fn);
	size_t first = out->len;
	int paren = 0, angle = 0;
	bool params_done = false;
	for (const char *s = start; s < end && !params_done; s++) {
		char c = *s;
		if (!paren && !angle && after_word(start, s, "operator") && is_operator_start(s, end)) {
			s = copy_operator(s, end, out) - 1;
			continue;
		}
		if (!strncmp(s, "(anonymous namespace)", 21)) {
			strbuf_adds(out, "(anon)");
			s += 20;
			continue;
		}
		if (c == '{' && !paren && !angle) {
			s = copy_brace(s, end, out) - 1;
			continue;
		}
		if (c == '(' && !angle) {
			paren++;
			continue;
		}
		if (c == ')' && paren) {
			/* the parameter list ends the name: drop "const", Java return types, "+0x.." */
			if (!--paren && out->len > first)
				params_done = true;
			continue;
		}
		if (c == '<' && !paren) {
			angle++;
			continue;
		}
		if (c == '>' && angle) {
			angle--;
			continue;
		}
		if (paren || angle)
			continue;
		if (c == '+' && s + 2 < end && s[1] == '0' && s[2] == 'x')
			break;
		if (c == '/' && s + 2 < end && s[1] == '0' && s[2] == 'x') {
			s = skip_number_tail(s + 1, end) - 1; /* hidden class address "/0x..." */
			continue;
		}
		if (c == '$' && s + 1 < end && isdigit((unsigned char)s[1])) {
			strbuf_addch(out, '$');
			s = skip_number_tail(s + 1, end) - 1; /* lambda/anonymous class numbering */
			continue;
		}
		if (isdigit((unsigned char)c) && (after_word(start, s, "Accessor") ||
						  after_word(start, s, "$Proxy") ||
						  after_word(start, s, "$$Lambda"))) {
			while (s + 1 < end && isdigit((unsigned char)s[1]))
				s++;
			continue;
		}
		strbuf_addch(out, c);
	}
	while (out->len > first && out->buf[out->len - 1] == ' ')
		out->buf[--out->len] = '\0';
}

static const char *module_build_id(const struct dump *d, const char *module)
{
	const char *base = path_basename(module);
	for (size_t i = 0; d && i < d->nmodules; i++) {
		const struct module *m = d->modules[i];
		if ((m->path && !strcmp(m->path, module)) || (m->name && !strcmp(m->name, base)))
			return m->build_id;
	}
	return NULL;
}

/*
 * Whether function FN is a g++ lambda's body: gdb names it "operator()"
 * (inlined or not), DWARF's inline records too, its symbol
 * "main::{lambda()#1}::operator()() const" or
 * "Shop::run()::{lambda(int)#2}::operator()(int) const".
 */
static bool lambda_body(const char *fn)
{
	if (!strcmp(fn, "operator()"))
		return true;
	const char *l = strstr(fn, "{lambda(");
	const char *op = l ? strstr(l, "}::operator()") : NULL;
	return op && !strstr(op + 3, "::"); /* the lambda's own call operator, not something inside it */
}

void frame_signature_name(const struct dump *d, const struct frame *f, struct strbuf *out)
{
	if (f->function || !f->module || !f->has_module_offset) {
		if (f->function && f->file && lambda_body(f->function))
			strbuf_addf(out, "operator()@%s", path_basename(f->file));
		else
			frame_normalize(f, out);
		return;
	}
	const char *id = module_build_id(d, f->module);
	strbuf_adds(out, path_basename(f->module));
	if (id)
		strbuf_addf(out, "@%.12s", id);
	strbuf_addf(out, "+0x%llx", (unsigned long long)f->module_offset);
}

void frame_describe(const struct frame *f, struct strbuf *out)
{
	strbuf_adds(out, f->function ? f->function : "??");
	if (f->has_offset && f->offset)
		strbuf_addf(out, "+0x%llx", (unsigned long long)f->offset);
	if (f->module) {
		strbuf_addf(out, " (%s", path_basename(f->module));
		if (f->has_module_offset)
			strbuf_addf(out, "+0x%llx", (unsigned long long)f->module_offset);
		strbuf_addch(out, ')');
	}
	if (f->file) {
		strbuf_addf(out, " at %s", f->file);
		if (f->line > 0)
			strbuf_addf(out, ":%d", f->line);
	}
}

void frame_describe_brief(const struct frame *f, struct strbuf *out)
{
	strbuf_adds(out, f->function ? f->function : "??");
	if (f->module)
		strbuf_addf(out, " (%s)", path_basename(f->module));
}
