#include "signatures/detect.h"
#include "analyzer/lib/path.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/xalloc.h"
#include "analyzer/model/catalogue.h"

const struct detector detectors[] = {
#define X_ENTRY(id, fn) { id, fn },
	DETECTORS(X_ENTRY)
#undef X_ENTRY
};
const size_t detectors_count = sizeof(detectors) / sizeof(detectors[0]);

static const char *finish_text(struct dump *d, struct strbuf *sb)
{
	const char *s = dump_strndup(d, sb->buf, sb->len);
	strbuf_release(sb);
	return s;
}

/* ---- shared regexes (compiled once) ---- */

enum { RE_WRAPPER, RE_MSG_EINTR, RE_MSG_CALL, RE_PROFILER_MODULE, RE_PROFILER_FRAME,
       RE_SIGPROF_HANDLER, RE_IDLE, RE_COUNT };

static const char *const re_sources[RE_COUNT] = {
	[RE_WRAPPER] = "(?:^|[^A-Za-z]|(?<=[a-z])(?=[A-Z]))(?:[Ee]?[Pp]oll|[Ss]elect|[Rr]ecv|[Rr]ead|"
		       "[Aa]ccept|[Ss]leep|[Ww]ait|io_uring|[Ff]utex|[Gg]et[Ee]vents)",
	[RE_MSG_EINTR] = "EINTR|[Ii]nterrupted system call|[Ii]nterrupted by (?:a )?signal",
	[RE_MSG_CALL] = "\\b(e?poll\\w*|p?select|read|recv\\w*|accept4?|nanosleep|clock_nanosleep|"
			"usleep|sleep|io_uring\\w*|futex\\w*|sem_\\w*wait|epoll_wait|waitpid|sigwait\\w*)\\b",
	[RE_PROFILER_MODULE] = "libasyncProfiler|libprofiler\\.so|liblagent|libhonest|libjprofilerti|"
			       "libyjpagent|libpyroscope|libddprof|libtcmalloc_and_profiler",
	[RE_PROFILER_FRAME] = "^(?:Profiler::|PerfEvents::|CTimer::|ITimer::|WallClock::|"
			      "ProfileHandler|CpuProfiler|prof_handler|JfrThreadSampler|"
			      "OSThreadSampler|AsyncGetCallTrace|.*SIGPROF)",
	[RE_SIGPROF_HANDLER] = "SIGPROF:\\s*(?!SIG_DFL|SIG_IGN)(\\S.*)",
	[RE_IDLE] = "ThreadPoolExecutor\\.getTask|LinkedBlockingQueue\\.(?:take|poll)|"
		    "SynchronousQueue|DelayedWorkQueue\\.take|ForkJoinPool\\.(?:awaitWork|runWorker)|"
		    "ArrayBlockingQueue\\.take|LinkedTransferQueue|epoll|select|EPoll|"
		    "Selector|accept|socketAccept|ServerSocket|Thread\\.sleep|TimerThread|ReferenceQueue|"
		    "getTask|waitForRequest|waitForWork|nextTask|awaitTask|[Ii]dle",
};

static pcre2_code *re_codes[RE_COUNT];
static pthread_once_t re_once = PTHREAD_ONCE_INIT;

static void free_res(void)
{
	for (int i = 0; i < RE_COUNT; i++)
		pcre2_code_free(re_codes[i]);
}

static void compile_res(void)
{
	for (int i = 0; i < RE_COUNT; i++) {
		int code;
		PCRE2_SIZE off;
		re_codes[i] = pcre2_compile((PCRE2_SPTR)re_sources[i], PCRE2_ZERO_TERMINATED,
					    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
		if (!re_codes[i])
			abort(); /* a fixed pattern in this file: a bug, caught by every test */
		pcre2_jit_compile(re_codes[i], PCRE2_JIT_COMPLETE);
	}
	atexit(free_res);
}

/* Whether RE matches S; when GROUP, the first capture is copied to the dump's arena. */
static bool re(int which, const char *s, size_t len, struct dump *d, const char **group)
{
	pthread_once(&re_once, compile_res);
	if (!s)
		return false;
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re_codes[which], NULL);
	if (!md)
		abort();
	int rc = pcre2_match(re_codes[which], (PCRE2_SPTR)s, len ? len : strlen(s), 0, 0, md, NULL);
	if (rc >= 0 && group) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		*group = rc > 1 ? dump_strndup(d, s + ov[2], ov[3] - ov[2])
				: dump_strndup(d, s + ov[0], ov[1] - ov[0]);
	}
	pcre2_match_data_free(md);
	return rc >= 0; /* no match, or a match-time limit: either way not evidence */
}

/* ---- eintr-crash ---- */

static bool is_eintr_call(const char *fn)
{
	return frame_name_roles(fn) & ROLE_INTERRUPTIBLE;
}

static bool thread_aborted(const struct dump *d, const struct thread *t)
{
	if (d->crash && d->crash->signo == SIGABRT && (!d->crash->thread || d->crash->thread == t))
		return true;
	for (size_t i = 0; i < t->nframes && i < 12; i++)
		if (frame_is(&t->frames[i], ROLE_ABORT))
			return true;
	return false;
}

/* The thread that died: the recorded one, or the only thread whose stack shows an abort. */
static struct thread *dead_thread(const struct dump *d)
{
	struct thread *t = dump_crash_thread(d);
	if (t)
		return t;
	struct thread *only = NULL;
	struct hashmap not_aborted = HASHMAP_INIT; /* shared frames arrays: asked once */
	size_t unused;
	for (size_t i = 0; i < d->nthreads; i++) {
		const struct thread *u = d->threads[i];
		if (u->frames_shared && hashmap_get_ptr(&not_aborted, u->frames, &unused))
			continue;
		if (!thread_aborted(d, u)) {
			if (u->frames_shared)
				hashmap_put_ptr(&not_aborted, u->frames, 1);
			continue;
		}
		if (only) {
			only = NULL;
			break;
		}
		only = d->threads[i];
	}
	hashmap_clear(&not_aborted);
	return only;
}

struct evidence {
	struct strbuf seen;
	int score;
	bool strong;      /* errno or message says EINTR */
	bool specific;    /* something points at an interrupted call */
	const char *call;    /* the interrupted call, for the advice */
	const char *wrapper; /* the function that made it */
	struct thread *extra[8];
	size_t nextra;
};

static void seen(struct evidence *ev, int points, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seen(struct evidence *ev, int points, const char *fmt, ...)
{
	va_list ap;
	strbuf_adds(&ev->seen, ev->seen.len ? "; " : "");
	va_start(ap, fmt);
	strbuf_vaddf(&ev->seen, fmt, ap);
	va_end(ap);
	ev->score += points;
}

static void eintr_crash_facts(struct dump *d, struct evidence *ev)
{
	const struct crash *cr = d->crash;
	if (!cr)
		return;
	if (cr->has_errno && cr->err_no == 4) {
		seen(ev, 3, "the thread's errno is EINTR (4, Interrupted system call)");
		ev->strong = ev->specific = true;
	}
	const char *msg = cr->abort_message, *call = NULL;
	if (re(RE_MSG_EINTR, msg, 0, d, NULL)) {
		seen(ev, 3, "the abort message says the call was interrupted: \"%s\"", msg);
		ev->strong = ev->specific = true;
	} else if (re(RE_MSG_CALL, msg, 0, d, &call)) {
		seen(ev, 1, "the abort message names %s: \"%s\"", call, msg);
		ev->call = call;
	} else if (msg && ev->strong) {
		seen(ev, 0, "abort message \"%s\"", msg);
	}
}

/*
 * The crash path: a system call that returned EINTR is no longer on the
 * stack; its caller aborted (or threw) on the result. So the evidence is
 * an abort in the application's own wrapper of a waiting call, never an
 * interruptible call on the crash path: the thread is still inside that one
 * (a fault or a kill in write(), a crash handler's waitpid after the fault).
 */
static void eintr_crash_path(struct dump *d, struct thread *t, struct evidence *ev)
{
	if (!thread_aborted(d, t))
		return;
	int meaningful = 0;
	for (size_t i = thread_crash_start(t); i < t->nframes && meaningful < 2; i++) {
		const struct frame *f = &t->frames[i];
		if (frame_is_noise(f))
			continue;
		meaningful++;
		if (is_eintr_call(f->function) || frame_is(f, FRAME_WAITING | ROLE_REPORTER_AID))
			return; /* inside the call: it has not returned */
		if (!re(RE_WRAPPER, f->function, 0, d, NULL))
			continue;
		struct strbuf fr = STRBUF_INIT;
		frame_describe_brief(f, &fr);
		seen(ev, 2, "it aborted in %s, which wraps a waiting call", fr.buf);
		strbuf_release(&fr);
		ev->wrapper = dump_strdup(d, f->function);
		ev->specific = true;
		return;
	}
}

/*
 * A signal handler running on top of an interruptible call in another
 * thread: signals do cut system calls short in this process. Supporting
 * evidence only; in the dead thread itself it means the call had not
 * returned.
 */
static void eintr_handler_on_call(struct dump *d, struct thread *dead, struct evidence *ev)
{
	for (size_t i = 0; i < d->nthreads; i++) {
		struct thread *t = d->threads[i];
		if (t == dead)
			continue;
		for (size_t j = 0; j + 1 < t->nframes; j++) {
			if (!frame_is_trampoline(&t->frames[j]) || !is_eintr_call(t->frames[j + 1].function))
				continue;
			struct strbuf th = STRBUF_INIT;
			thread_describe(t, &th);
			seen(ev, 1, "a signal handler interrupted %s in %s", t->frames[j + 1].function, th.buf);
			strbuf_release(&th);
			if (!ev->call)
				ev->call = t->frames[j + 1].function;
			if (ev->nextra < 8)
				ev->extra[ev->nextra++] = t;
			return;
		}
	}
}

static const char *profiler_module(struct dump *d)
{
	for (size_t i = 0; i < d->nmodules; i++) {
		const char *p = d->modules[i]->path ? d->modules[i]->path : d->modules[i]->name;
		if (re(RE_PROFILER_MODULE, p, 0, d, NULL))
			return p;
	}
	for (size_t i = 0; i < d->nthreads; i++)
		for (size_t j = 0; j < d->threads[i]->nframes; j++) {
			const char *m = d->threads[i]->frames[j].module;
			if (re(RE_PROFILER_MODULE, m, 0, d, NULL))
				return m;
		}
	return NULL;
}

static const struct frame *profiler_frame(struct dump *d, struct thread **owner)
{
	for (size_t i = 0; i < d->nthreads; i++)
		for (size_t j = 0; j < d->threads[i]->nframes; j++) {
			const struct frame *f = &d->threads[i]->frames[j];
			if (re(RE_PROFILER_FRAME, f->function, 0, d, NULL)) {
				*owner = d->threads[i];
				return f;
			}
		}
	return NULL;
}

static void eintr_signal_source(struct dump *d, struct evidence *ev)
{
	const char *m = profiler_module(d);
	if (m) {
		seen(ev, 1, "a signal-driven profiler is loaded (%s)", path_basename(m));
	}
	struct thread *owner = NULL;
	const struct frame *pf = profiler_frame(d, &owner);
	if (pf) {
		struct strbuf s = STRBUF_INIT;
		frame_describe_brief(pf, &s);
		strbuf_adds(&s, " in ");
		thread_describe(owner, &s);
		seen(ev, 1, "profiler signal-handler frames: %s", s.buf);
		strbuf_release(&s);
	}
	for (size_t i = 0; i < d->nsections; i++) {
		const char *h = NULL;
		const struct section *sec = d->sections[i];
		if (sec->text && re(RE_SIGPROF_HANDLER, sec->text, sec->len, d, &h)) {
			seen(ev, 1, "a SIGPROF handler is installed: %s", h);
			break;
		}
	}
	if (d->process.cmdline && re(RE_PROFILER_MODULE, d->process.cmdline, 0, d, NULL) && !m)
		seen(ev, 1, "the command line loads a signal-driven profiler");
}

void detect_eintr(struct dump *d)
{
	struct thread *t = dead_thread(d);
	if (!t && !d->crash)
		return;
	struct evidence ev = { .seen = STRBUF_INIT };
	eintr_crash_facts(d, &ev);
	if (t)
		eintr_crash_path(d, t, &ev);
	eintr_handler_on_call(d, t, &ev);
	if (ev.specific)
		eintr_signal_source(d, &ev);
	if (!ev.specific || ev.score < 2) {
		strbuf_release(&ev.seen);
		return;
	}
	enum confidence conf = ev.strong && ev.score >= 4 ? CONF_CERTAIN
			     : ev.score >= 3 ? CONF_LIKELY : CONF_POSSIBLE;
	struct finding *f = catalogue_add_finding(d, "eintr-crash", conf);
	struct strbuf s = STRBUF_INIT;
	if (t) {
		finding_add_thread(d, f, t);
		thread_describe(t, &s);
	} else {
		strbuf_adds(&s, "the process");
	}
	for (size_t i = 0; i < ev.nextra; i++)
		finding_add_thread(d, f, ev.extra[i]);
	strbuf_addf(&s, " died (%s) after an interruptible system call was cut short by a signal "
		    "and its EINTR was not retried. Seen: %s.",
		    d->crash && d->crash->signal ? d->crash->signal : "abort", ev.seen.buf);
	f->summary = finish_text(d, &s);
	strbuf_adds(&s, "Retry the call on EINTR where it is made (");
	if (ev.call)
		strbuf_addf(&s, "around %s", ev.call);
	else
		strbuf_adds(&s, "around the waiting call");
	if (ev.wrapper)
		strbuf_addf(&s, " in %s", ev.wrapper);
	strbuf_adds(&s, ": loop while it returns -1 with errno == EINTR, recomputing any timeout), or "
		    "install signal handlers with SA_RESTART. Confirm by profiling in a mode that sends "
		    "no signals (async-profiler -e alloc or -e lock instead of cpu/itimer/ctimer/wall; no "
		    "CPUPROFILE for gperftools): the crash should disappear.");
	f->advice = finish_text(d, &s);
	strbuf_release(&ev.seen);
}

/* ---- repetition ---- */

static bool same_frame(const struct frame *a, const struct frame *b)
{
	if (a->function && b->function)
		return !strcmp(a->function, b->function);
	if (!a->function && !b->function && a->has_pc && b->has_pc)
		return a->pc == b->pc;
	return false;
}

static size_t frames_repeat_period(const struct thread *t, size_t min_repeats, size_t *start)
{
	size_t n = t->nframes;
	for (size_t p = 1; p <= 16; p++) {
		if (n < p * min_repeats)
			break;
		for (size_t s = 0; s < 64 && s + p * min_repeats <= n; s++) {
			size_t j = s;
			while (j + p < n && same_frame(&t->frames[j], &t->frames[j + p]))
				j++;
			if ((j - s) / p + 1 >= min_repeats) {
				if (start)
					*start = s;
				return p;
			}
			s = j > s ? j : s; /* the run starting here was too short; skip past it */
		}
	}
	return 0;
}

static void describe_cycle(const struct thread *t, size_t start, size_t period, struct strbuf *out)
{
	for (size_t i = 0; i < period && i < 4; i++) {
		strbuf_adds(out, i ? " <- " : "");
		strbuf_adds(out, t->frames[start + i].function ? t->frames[start + i].function : "??");
	}
	if (period > 4)
		strbuf_adds(out, " <- ...");
}

/* ---- stack-overflow ---- */

#define RECURSION_REPEATS 20
#define NEAR_SP_BELOW (256u * 1024)
#define NEAR_SP_ABOVE 4096u

void detect_stack_overflow(struct dump *d)
{
	const struct crash *cr = d->crash;
	struct thread *t = dump_crash_thread(d);
	if (!cr || !t || (cr->signo != SIGSEGV && cr->signo != SIGBUS))
		return;
	uint64_t sp = t->regs->sp, a = cr->address;
	bool near_sp = cr->has_address && t->regs->valid && a >= 4096 &&
		       (a <= sp ? sp - a <= NEAR_SP_BELOW : a - sp < NEAR_SP_ABOVE);
	size_t start = 0, period = frames_repeat_period(t, RECURSION_REPEATS, &start);
	bool deep = t->nframes >= 10000;
	if (!near_sp && !period && !deep)
		return;
	struct finding *f = catalogue_add_finding(d, "stack-overflow",
					near_sp && (period || deep) ? CONF_CERTAIN : CONF_LIKELY);
	finding_add_thread(d, f, t);
	struct strbuf s = STRBUF_INIT;
	thread_describe(t, &s);
	strbuf_addf(&s, " died with %s", cr->signal ? cr->signal : "a fault");
	if (near_sp) {
		long long delta = (long long)t->regs->sp - (long long)cr->address;
		strbuf_addf(&s, " at 0x%llx, %lld bytes %s its stack pointer 0x%llx (the guard page "
			    "below the stack)", (unsigned long long)cr->address, delta < 0 ? -delta : delta,
			    delta < 0 ? "above" : "below", (unsigned long long)t->regs->sp);
	}
	if (period) {
		strbuf_addf(&s, "%s its frames repeat every %zu frame%s from frame #%zu (", near_sp ? ";" : ":",
			    period, period > 1 ? "s" : "", start);
		describe_cycle(t, start, period, &s);
		strbuf_addf(&s, "), %zu frames%s deep", t->nframes, t->frames_truncated ? " or more" : "");
	} else if (deep) {
		strbuf_addf(&s, "; the stack is %zu frames deep", t->nframes);
	}
	strbuf_adds(&s, ".");
	f->summary = finish_text(d, &s);
	strbuf_adds(&s, "Find why the recursion does not end");
	if (period)
		strbuf_addf(&s, " (in %s)", t->frames[start].function ? t->frames[start].function : "the repeating frames");
	strbuf_adds(&s, ", or move large local arrays to the heap. If the depth is legitimate, give the "
		    "thread a larger stack (ulimit -s, pthread_attr_setstacksize, -Xss or "
		    "-XX:ThreadStackSize for JVM threads).");
	f->advice = finish_text(d, &s);
}

/* ---- null-dereference ---- */

void detect_null_dereference(struct dump *d)
{
	const struct crash *cr = d->crash;
	struct thread *t = dump_crash_thread(d);
	if (!cr || cr->signo != SIGSEGV || !cr->has_address || cr->address >= 4096)
		return;
	if (cr->code && strcmp(cr->code, "SEGV_MAPERR"))
		return;
	struct finding *f = catalogue_add_finding(d, "null-dereference", cr->code ? CONF_CERTAIN : CONF_LIKELY);
	struct strbuf s = STRBUF_INIT;
	if (t) {
		finding_add_thread(d, f, t);
		thread_describe(t, &s);
	} else {
		strbuf_adds(&s, "the crashing thread");
	}
	const struct frame *site = t ? thread_site_frame(t) : NULL, *top = t ? thread_top_frame(t) : NULL;
	bool call_null = site && site->has_pc && site->pc == cr->address;
	strbuf_addf(&s, " died with SIGSEGV%s%s at address 0x%llx", cr->code ? " " : "",
		    cr->code ? cr->code : "", (unsigned long long)cr->address);
	if (site && !call_null) {
		strbuf_adds(&s, " in ");
		frame_describe_brief(site, &s);
	}
	if (top && top != site) {
		strbuf_adds(&s, call_null ? " called from " : ", called from ");
		frame_describe_brief(top, &s);
		if (top->file && top->line > 0)
			strbuf_addf(&s, " at %s:%d", path_basename(top->file), top->line);
	}
	if (call_null)
		strbuf_adds(&s, ": it jumped to a null function pointer");
	else if (cr->address)
		strbuf_addf(&s, ": a field at offset %llu of a null pointer", (unsigned long long)cr->address);
	else
		strbuf_adds(&s, ": a null pointer was dereferenced");
	strbuf_adds(&s, ".");
	f->summary = finish_text(d, &s);
	strbuf_adds(&s, "Find where the pointer used in ");
	if (top)
		frame_describe_brief(top, &s);
	else
		strbuf_adds(&s, "the crashing function");
	strbuf_adds(&s, " can be null (a failed allocation or look-up, an object already freed and "
		    "cleared, a missing initialisation) and check it before use; a build with "
		    "-fsanitize=address,undefined points at the exact line.");
	f->advice = finish_text(d, &s);
}

/* ---- infinite-recursion (no crash, or a thread other than the crashing one) ---- */

#define RECURSION_THREAD_REPEATS 40

void detect_recursion(struct dump *d)
{
	struct thread *crashed = dump_crash_thread(d);
	bool overflow = dump_find_finding(d, "stack-overflow") != NULL;
	struct thread *best = NULL;
	size_t best_start = 0, best_period = 0, count = 0;
	for (size_t i = 0; i < d->nthreads; i++) {
		struct thread *t = d->threads[i];
		if ((t == crashed && overflow) || t->nframes < 200)
			continue;
		size_t start, p = frames_repeat_period(t, RECURSION_THREAD_REPEATS, &start);
		if (!p)
			continue;
		count++;
		if (!best || t->nframes > best->nframes)
			best = t, best_start = start, best_period = p;
	}
	if (!best)
		return;
	struct finding *f = catalogue_add_finding(d, "infinite-recursion",
					best->frames_truncated ? CONF_LIKELY : CONF_POSSIBLE);
	finding_add_thread(d, f, best);
	struct strbuf s = STRBUF_INIT;
	thread_describe(best, &s);
	strbuf_addf(&s, " is %zu frames deep%s and its frames repeat every %zu from frame #%zu (",
		    best->nframes, best->frames_truncated ? " (the dump cut it short)" : "", best_period,
		    best_start);
	describe_cycle(best, best_start, best_period, &s);
	strbuf_adds(&s, ")");
	if (count > 1)
		strbuf_addf(&s, "; %zu threads show the same", count);
	strbuf_adds(&s, ".");
	f->summary = finish_text(d, &s);
	strbuf_addf(&s, "Check the exit condition of the recursion through %s (a cycle in the data "
		    "it walks, a missing base case); in Java this ends in StackOverflowError. Make it "
		    "iterative or bound its depth.",
		    best->frames[best_start].function ? best->frames[best_start].function : "these frames");
	f->advice = finish_text(d, &s);
}

/* ---- grouping threads: thread-leak and stuck-thread-pool ---- */

/* "pool-12-thread-345" -> "pool-#-thread-#"; NULL name -> NULL. */
static char *name_pattern(const char *name)
{
	if (!name)
		return NULL;
	/* one allocation of the name's size (the pattern is never longer), no per-byte growth */
	size_t n = strlen(name), k = 0;
	char *out = xmalloc(n + 1);
	bool digits = false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c >= '0' && c <= '9') {
			if (!digits)
				out[k++] = '#';
			digits = true;
			continue;
		}
		digits = false;
		out[k++] = c;
	}
	out[k] = '\0';
	return out;
}

struct group {
	char *key;
	struct thread **members;
	size_t n, alloc;
};

struct groups {
	struct group *g;
	size_t n, alloc;
	struct hashmap index; /* key -> 1-based position */
};

static void groups_add(struct groups *gs, char *key, struct thread *t)
{
	size_t pos = (size_t)(uintptr_t)hashmap_get(&gs->index, key);
	if (!pos) {
		ALLOC_GROW(gs->g, gs->n + 1, gs->alloc);
		gs->g[gs->n] = (struct group){ .key = key };
		pos = ++gs->n;
		hashmap_put(&gs->index, gs->g[pos - 1].key, (void *)(uintptr_t)pos);
	} else {
		free(key);
	}
	struct group *g = &gs->g[pos - 1];
	ALLOC_GROW(g->members, g->n + 1, g->alloc);
	g->members[g->n++] = t;
}

static void groups_release(struct groups *gs)
{
	hashmap_clear(&gs->index);
	for (size_t i = 0; i < gs->n; i++) {
		free(gs->g[i].key);
		free(gs->g[i].members);
	}
	free(gs->g);
}

/* A shared stack's grouping key, made once (stack_key_of). */
struct stack_key {
	size_t nframes;
	char key[];
};

/* The key an earlier thread with T's shared frames array got, as a copy for groups_add; or NULL. */
static char *stack_key_of(const struct hashmap *keys, const struct thread *t)
{
	size_t at;
	if (!t->frames_shared || !hashmap_get_ptr(keys, t->frames, &at))
		return NULL;
	const struct stack_key *k = (const struct stack_key *)at;
	return k->nframes == t->nframes ? xstrdup(k->key) : NULL;
}

/* Remembers KEY for T's shared frames array: a pool's threads' own frames are normalized once. */
static void stack_key_keep(struct hashmap *keys, const struct thread *t, const char *key)
{
	size_t at, n = strlen(key);
	if (!t->frames_shared || hashmap_get_ptr(keys, t->frames, &at))
		return;
	struct stack_key *k = xmalloc(sizeof(*k) + n + 1);
	k->nframes = t->nframes;
	memcpy(k->key, key, n + 1);
	hashmap_put_ptr(keys, t->frames, (size_t)(uintptr_t)k);
}

static void stack_keys_release(struct hashmap *keys)
{
	for (size_t i = 0; i < keys->cap; i++)
		if (keys->slots[i].key)
			free(keys->slots[i].value);
	hashmap_clear(keys);
}

/* Threads grouped by name pattern, or (unnamed threads) by their own top frames. */
static void group_threads(struct dump *d, struct groups *gs, bool by_name_only)
{
	struct hashmap stack_keys = HASHMAP_INIT;
	for (size_t i = 0; i < d->nthreads; i++) {
		struct thread *t = d->threads[i];
		char *key = name_pattern(t->name);
		if (key && !strchr(key, '#') && by_name_only) {
			free(key);
			continue; /* a unique name is not a pool member */
		}
		if (!key && by_name_only)
			continue;
		bool by_stack = !key;
		if (by_stack)
			key = stack_key_of(&stack_keys, t);
		if (!key) {
			struct strbuf sb = STRBUF_INIT;
			strbuf_adds(&sb, "stack: ");
			thread_own_frames(d, t, 4, &sb);
			key = strbuf_detach(&sb, NULL);
		}
		if (by_stack)
			stack_key_keep(&stack_keys, t, key);
		groups_add(gs, key, t);
	}
	stack_keys_release(&stack_keys);
}

#define LEAK_MIN_THREADS 1000
#define LEAK_MIN_GROUP 500

void detect_thread_leak(struct dump *d)
{
	if (d->nthreads < LEAK_MIN_THREADS)
		return;
	struct groups gs = { 0 };
	group_threads(d, &gs, false);
	struct group *big = NULL;
	for (size_t i = 0; i < gs.n; i++)
		if (!big || gs.g[i].n > big->n)
			big = &gs.g[i];
	if (big && big->n >= LEAK_MIN_GROUP && big->n * 2 >= d->nthreads) {
		struct finding *f = catalogue_add_finding(d, "thread-leak", big->n >= 2000 ? CONF_LIKELY : CONF_POSSIBLE);
		for (size_t i = 0; i < big->n && i < 20; i++)
			finding_add_thread(d, f, big->members[i]);
		struct strbuf s = STRBUF_INIT;
		strbuf_addf(&s, "%zu of %zu threads look alike (%s%s%s); the first, ", big->n, d->nthreads,
			    strncmp(big->key, "stack: ", 7) ? "named like '" : "", big->key,
			    strncmp(big->key, "stack: ", 7) ? "'" : "");
		thread_describe(big->members[0], &s);
		strbuf_adds(&s, ", is in ");
		thread_own_frames(d, big->members[0], 2, &s);
		strbuf_adds(&s, ".");
		f->summary = finish_text(d, &s);
		strbuf_adds(&s, "Threads are being created and never end: look for a thread or executor "
			    "created per request or per task and never shut down (new Thread(), "
			    "Executors.newCachedThreadPool without bound, a pool per client), and "
			    "bound it. Compare two dumps taken minutes apart: a growing count confirms it.");
		f->advice = finish_text(d, &s);
	}
	groups_release(&gs);
}

#define POOL_MIN 4

static bool thread_blocked(const struct thread *t)
{
	if (t->waiting_on)
		return true;
	const char *s = t->state;
	return s && (strstr(s, "BLOCKED") || strstr(s, "WAITING") || strstr(s, "parking") ||
		     strstr(s, "waiting"));
}

/* Whether every member of G is blocked with the same own top frames (not idle); sets KEY. */
static bool pool_stuck(struct dump *d, const struct group *g, struct strbuf *key)
{
	for (size_t i = 0; i < g->n; i++) {
		struct strbuf k = STRBUF_INIT;
		thread_own_frames(d, g->members[i], 3, &k);
		bool same = !i || !strcmp(k.buf, key->buf);
		if (!i)
			strbuf_add(key, k.buf, k.len);
		strbuf_release(&k);
		if (!same || !thread_blocked(g->members[i]))
			return false;
	}
	for (size_t j = 0; j < g->members[0]->nframes && j < 12; j++)
		if (re(RE_IDLE, g->members[0]->frames[j].function, 0, d, NULL))
			return false;
	return strcmp(key->buf, "??");
}

void detect_stuck_pool(struct dump *d)
{
	struct groups gs = { 0 };
	group_threads(d, &gs, true);
	for (size_t i = 0; i < gs.n; i++) {
		struct group *g = &gs.g[i];
		struct strbuf key = STRBUF_INIT;
		if (g->n < POOL_MIN || !pool_stuck(d, g, &key)) {
			strbuf_release(&key);
			continue;
		}
		struct finding *f = catalogue_add_finding(d, "stuck-thread-pool", CONF_LIKELY);
		for (size_t j = 0; j < g->n && j < 50; j++) {
			finding_add_thread(d, f, g->members[j]);
			if (g->members[j]->waiting_on)
				finding_add_lock(d, f, g->members[j]->waiting_on);
		}
		struct strbuf s = STRBUF_INIT;
		strbuf_addf(&s, "All %zu threads named like '%s' are blocked (%s) in %s", g->n, g->key,
			    g->members[0]->state ? g->members[0]->state : "waiting", key.buf);
		if (g->members[0]->waiting_on) {
			const struct lock *l = g->members[0]->waiting_on;
			strbuf_adds(&s, ", waiting on ");
			lock_describe(l, &s);
			if (l->owner) {
				strbuf_adds(&s, " held by ");
				thread_describe(l->owner, &s);
				finding_add_thread(d, f, l->owner); /* the text names it */
			}
		}
		strbuf_adds(&s, ": the pool can take no more work.");
		f->summary = finish_text(d, &s);
		strbuf_addf(&s, "Find what %s waits for (a lock holder, a slow downstream call, a task "
			    "that waits for another task of the same pool) and add a timeout, a bigger "
			    "or separate pool for the dependent tasks, or fix the holder.", key.buf);
		f->advice = finish_text(d, &s);
		strbuf_release(&key);
		break;
	}
	groups_release(&gs);
}
