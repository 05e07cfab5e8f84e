#include "analyzer/analysis/bucket.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analysis/analyze.h"
#include "analyzer/report/report.h"

/* Prefixes of functions that say nothing about which bug this is. */
static const char *const noise_prefixes[] = {
	/* abort, raise, assert and fortify plumbing */
	"raise", "abort", "__GI_raise", "__GI_abort", "__pthread_kill", "pthread_kill",
	"__pthread_kill_implementation", "__pthread_kill_internal", "__GI___pthread_kill",
	"__assert_fail", "__assert_fail_base", "__assert_rtn", "__assert_perror_fail", "__assert",
	"__libc_message", "__libc_fatal", "__fortify_fail", "__chk_fail", "__stack_chk_fail",
	"gsignal", "__GI___assert_fail", "__kernel_vsyscall",
	/* allocator internals */
	"malloc_printerr", "__malloc_assert", "_int_free", "_int_malloc", "_int_realloc",
	"__GI___libc_free", "__libc_free", "__libc_malloc", "__GI___libc_malloc", "tcache_",
	"malloc_consolidate", "unlink_chunk",
	/* signal trampolines */
	"__restore_rt", "<signal handler called>", "_sigtramp", "__kernel_rt_sigreturn",
	/* JVM error reporting and signal dispatch */
	"os::abort", "os::die", "os::fork_and_exec", "VMError::", "report_vm_error", "report_fatal",
	"report_vm_out_of_memory", "JVM_handle_linux_signal", "JVM_handle_bsd_signal",
	"signalHandler", "javaSignalHandler", "PosixSignals::", "os::Posix::", "crash_handler",
	/* C++ exception and terminate plumbing */
	"std::terminate", "__cxxabiv1::", "__gnu_cxx::__verbose_terminate_handler", "_Unwind_",
	"__cxa_throw", "__cxa_rethrow", "std::__terminate", "__cxa_pure_virtual",
	"std::__throw_", "__cxa_call_terminate", "__gxx_personality_v0",
	/* JNI/VM call stubs */
	"JavaCalls::call", "JavaCalls::call_helper", "call_stub", "StubRoutines::",
	NULL,
};

/* Where a waiting thread's own code ends and lock plumbing begins (for cycle signatures). */
static const char *const wait_prefixes[] = {
	"__lll_lock_wait", "__GI___lll_lock_wait", "lll_lock_wait", "futex_wait", "__futex_abstimed_wait",
	"__GI___futex", "futex", "syscall", "pthread_mutex_lock", "___pthread_mutex_lock",
	"__pthread_mutex_lock", "__GI___pthread_mutex_lock", "pthread_rwlock_", "___pthread_rwlock_",
	"__pthread_rwlock_", "pthread_cond_", "___pthread_cond_", "__pthread_cond_", "pthread_join",
	"__pthread_clockjoin", "___pthread_join", "__GI___pthread_join", "_dl_", "__GI__dl_",
	"sem_wait", "__new_sem_wait", "do_futex_wait", "__lll_", "__GI___lll", "lll_",
	"java.lang.Object.wait", "jdk.internal.misc.Unsafe.park", "sun.misc.Unsafe.park",
	"java.util.concurrent.locks.", "java.lang.Thread.sleep", "ObjectMonitor::", "Monitor::",
	"Mutex::", "os::PlatformEvent::", "Parker::", "JVM_MonitorWait",
	NULL,
};

/* Error-reporting functions that may sit above the trampoline of a caught fault. */
static const char *const reporter_extra[] = {
	"waitpid", "__waitpid", "wait4", "__wait4", "__GI___wait4", "os::", "fork", "_Fork", "__libc_fork",
	NULL,
};

static bool has_prefix(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strncmp(s, list[i], strlen(list[i])))
			return true;
	return false;
}

bool frame_is_trampoline(const struct frame *f)
{
	if (f->kind == FRAME_SIGNAL)
		return true;
	const char *fn = f->function;
	return fn && (fn[0] == '<' || fn[0] == '_') &&
	       (!strcmp(fn, "<signal handler called>") || !strcmp(fn, "__restore_rt") ||
		!strcmp(fn, "_sigtramp") || !strcmp(fn, "__kernel_rt_sigreturn"));
}

/* Functions that run as signal handlers, or only ever inside one. */
static const char *const handler_names[] = {
	"signalHandler", "SignalHandler", "signal_handler", "sighandler", "sigHandler",
	"trapHandler", "Profiler::recordSample", "AsyncGetCallTrace", "prof_handler",
	"ProfileHandler", NULL,
};

bool frame_is_handler_entry(const struct frame *f)
{
	if (frame_is_trampoline(f))
		return true;
	const char *fn = f->function;
	/* every name above but two contains "andler": most functions fail three searches, not ten */
	if (!fn || (!strstr(fn, "andler") && !strstr(fn, "Profiler::") && !strstr(fn, "AsyncGetCallTrace")))
		return false;
	for (size_t i = 0; handler_names[i]; i++)
		if (strstr(fn, handler_names[i]))
			return true;
	return false;
}

/* Allocator entry points: every double free passes through them (exact names). */
static const char *const allocator_entries[] = {
	"malloc", "free", "calloc", "realloc", "cfree", "posix_memalign", "aligned_alloc",
	"operator new", "operator delete", "operator new[]", "operator delete[]", NULL,
};

/* Process and thread entry plumbing: debuggers differ in whether they show it. */
static const char *const entry_points[] = {
	"__libc_start_call_main", "__libc_start_main", "_start", "start_thread", "clone",
	"__clone", "clone3", "__clone3", "__libc_start_main_impl", "thread_start", "_thread_start",
	NULL,
};

static bool in_exact_list(const char *fn, const char *const *list)
{
	for (size_t i = 0; list[i]; i++) {
		size_t n = strlen(list[i]);
		if (!strncmp(fn, list[i], n) && (!fn[n] || fn[n] == '(' || fn[n] == '@'))
			return true;
	}
	return false;
}

static bool is_allocator_entry(const char *fn)
{
	return in_exact_list(fn, allocator_entries) || in_exact_list(fn, entry_points);
}

/* Runtime libraries whose unnamed frames carry no identity (abort/terminate/unwind internals). */
static const char *const runtime_modules[] = {
	"libc.so", "libc-", "libstdc++", "libgcc_s", "libc++abi", "libc++.so", "libpthread",
	"ld-linux", "libSystem", "libsystem_", NULL,
};

static bool is_runtime_unknown(const struct frame *f)
{
	if (f->function || !f->module)
		return false;
	const char *b = strrchr(f->module, '/');
	return has_prefix(b ? b + 1 : f->module, runtime_modules);
}

bool frame_is_noise(const struct frame *f)
{
	if (f->kind == FRAME_SIGNAL || is_runtime_unknown(f))
		return true;
	return f->function && (has_prefix(f->function, noise_prefixes) || is_allocator_entry(f->function));
}

static bool frame_is_reporter(const struct frame *f)
{
	return !f->function || frame_is_noise(f) || has_prefix(f->function, reporter_extra);
}

size_t thread_crash_start(const struct thread *t)
{
	for (size_t i = 0; i < t->nframes; i++) {
		if (frame_is_trampoline(&t->frames[i]))
			return i + 1;
		if (!frame_is_reporter(&t->frames[i]))
			return 0;
	}
	return 0;
}

const struct frame *thread_top_frame(const struct thread *t)
{
	for (size_t i = thread_crash_start(t); i < t->nframes; i++)
		if (!frame_is_noise(&t->frames[i]))
			return &t->frames[i];
	return t->nframes ? &t->frames[0] : NULL;
}

/* ---- normalization ---- */

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
	const char *base = m ? strrchr(m, '/') : NULL;
	base = base ? base + 1 : m ? m : "?";
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

void bucket_digest(const char *s, size_t len, char out[17])
{
	uint64_t h = hash_fnv1a(s, len);
	/* a second, independent round so near-identical inputs spread */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* ---- signatures ---- */

struct thread *bucket_crash_thread(const struct dump *d)
{
	if (d->crash && d->crash->thread)
		return d->crash->thread;
	for (size_t i = 0; i < d->nthreads; i++)
		if (d->threads[i]->crashed)
			return d->threads[i];
	return NULL;
}

/* Appends " in f1 < f2 < f3" (N meaningful frames of T); returns the first, or NULL. */
static const struct frame *add_frames(const struct thread *t, int n, struct strbuf *sig)
{
	const struct frame *top = NULL;
	int k = 0;
	for (size_t i = t ? thread_crash_start(t) : 0; t && i < t->nframes && k < n; i++) {
		const struct frame *f = &t->frames[i];
		if (frame_is_noise(f))
			continue;
		size_t before = sig->len;
		strbuf_adds(sig, k ? " < " : " in ");
		size_t name = sig->len;
		frame_normalize(f, sig);
		if (sig->len == name || (k && !strcmp(sig->buf + name, "??"))) {
			sig->len = before; /* nothing left after normalizing */
			sig->buf[before] = '\0';
			continue;
		}
		if (!top)
			top = f;
		k++;
	}
	return top;
}

static void crash_signature(struct dump *d, struct strbuf *sig)
{
	const struct thread *t = bucket_crash_thread(d);
	if (d->crash && d->crash->signal)
		strbuf_adds(sig, d->crash->signal);
	else if (d->crash && d->crash->reason)
		strbuf_adds(sig, d->crash->reason);
	else
		strbuf_adds(sig, "crash");
	const struct frame *top = add_frames(t, SIGNATURE_FRAMES, sig);
	if (top && d->crash && !d->crash->frame) {
		struct strbuf s = STRBUF_INIT;
		frame_describe(top, &s);
		d->crash->frame = dump_strdup(d, s.buf);
		strbuf_release(&s);
	}
}

void thread_own_frames(const struct thread *t, int n, struct strbuf *out)
{
	int k = 0;
	for (size_t i = 0; i < t->nframes && k < n; i++) {
		const struct frame *f = &t->frames[i];
		if (frame_is_noise(f) || (f->function && has_prefix(f->function, wait_prefixes)))
			continue;
		size_t before = out->len;
		if (k)
			strbuf_adds(out, " < ");
		size_t name = out->len;
		frame_normalize(f, out);
		if (out->len == name) {
			out->len = before;
			out->buf[before] = '\0';
			continue;
		}
		k++;
	}
	if (!k)
		strbuf_adds(out, "??");
}

static char *waiting_frame(const struct thread *t)
{
	struct strbuf sb = STRBUF_INIT;
	thread_own_frames(t, 1, &sb);
	return strbuf_detach(&sb, NULL);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void cycle_signature(const struct finding *f, struct strbuf *sig)
{
	char **names = xcalloc(f->nthreads ? f->nthreads : 1, sizeof(*names));
	for (size_t i = 0; i < f->nthreads; i++)
		names[i] = waiting_frame(f->threads[i]);
	qsort(names, f->nthreads, sizeof(*names), cmp_str);
	strbuf_adds(sig, "deadlock: ");
	for (size_t i = 0; i < f->nthreads; i++) {
		strbuf_addf(sig, "%s%s", i ? " \xe2\x87\x84 " : "", names[i]);
		free(names[i]);
	}
	free(names);
}

static const struct finding *top_finding(const struct dump *d)
{
	const struct finding *best = NULL;
	for (size_t i = 0; i < d->nfindings; i++)
		if (!best || d->findings[i]->severity < best->severity)
			best = d->findings[i];
	return best;
}

int bucket_compute(struct dump *d, const struct mortem_opts *o, struct strbuf *err)
{
	(void)o;
	(void)err;
	if (d->signature)
		return 0; /* an earlier stage already named it */
	struct strbuf sig = STRBUF_INIT;
	const struct finding *cycle = dump_find_finding(d, "lock-cycle");
	const struct finding *top = top_finding(d);
	if (d->crash || bucket_crash_thread(d)) {
		crash_signature(d, &sig);
	} else if (cycle) {
		cycle_signature(cycle, &sig);
	} else if (top) {
		strbuf_adds(&sig, top->id);
		if (top->nthreads) {
			strbuf_adds(&sig, " in ");
			thread_own_frames(top->threads[0], 2, &sig);
		}
	} else {
		return 0; /* nothing to name: signature and bucket stay null */
	}
	char hex[17];
	bucket_digest(sig.buf, sig.len, hex);
	d->signature = dump_strdup(d, sig.buf);
	d->bucket = dump_strdup(d, hex);
	strbuf_release(&sig);
	return 0;
}
