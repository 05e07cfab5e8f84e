#include "signatures/detect.h"
#include "analyzer/lib/path.h"
#include "analyzer/lib/prefetch.h"
#include "analyzer/lib/ptrmemo.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/arena.h"
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

void detect_eintr(struct dump *d, struct detect_ctx *cx)
{
	struct thread *t = cx->dead;
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

void detect_stack_overflow(struct dump *d, struct detect_ctx *cx)
{
	const struct crash *cr = d->crash;
	struct thread *t = cx->crashed;
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

void detect_null_dereference(struct dump *d, struct detect_ctx *cx)
{
	const struct crash *cr = d->crash;
	struct thread *t = cx->crashed;
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

void detect_recursion(struct dump *d, struct detect_ctx *cx)
{
	struct thread *crashed = cx->crashed;
	bool overflow = dump_find_finding(d, "stack-overflow") != NULL;
	struct thread *best = NULL;
	size_t best_start = 0, best_period = 0, count = 0;
	for (size_t i = 0; i < cx->ndeep; i++) {
		struct thread *t = cx->deep[i];
		if (t == crashed && overflow)
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

/*
 * Both detectors group the threads in one table of keys: a named thread by
 * its name's pattern ("pool-12-thread-345" -> "pool-#-thread-#"), an
 * unnamed one (thread-leak's dumps only) by its own top frames ("stack:
 * ..."). A group keeps counts, where its members start and, for
 * stuck-thread-pool, whether its members by name are all blocked in the
 * same place so far, not the members themselves (a pool of 200,000
 * threads would need a list that long): the few a finding names are found
 * again by a scan from the group's first member.
 */
#define LEAK_MIN_THREADS 1000
#define LEAK_MIN_GROUP 500
#define POOL_MIN 4

struct group {
	const char *key;
	size_t len;
	bool pattern;           /* the key has a '#': a pool's name pattern, if members have names */
	size_t n;               /* members */
	size_t named;           /* of them, by their name */
	size_t first;           /* the first member's index in the dump */
	size_t first_named;     /* the first member by name's (SIZE_MAX: none) */
	/* stuck-thread-pool: every member by name so far is blocked, with the first one's own top frames */
	bool uniform;
	const struct frame *same; /* the frames of a member known to have those (SAME_N frames) */
	size_t same_n;
	const char *own;        /* the first member by name's own top frames, once compared (in keys) */
};

struct detect_groups {
	struct group *g;
	size_t n, alloc;
	struct hashmap index;   /* key -> 1-based position in g */
	struct arena *keys;     /* the keys and own top frames */
	bool stacks;            /* the unnamed threads are grouped too */
	size_t last;            /* the previous named thread's group position (0: none) */
	struct ptrmemo stack_pos; /* a shared stack's group position */
	struct ptrmemo same_as;   /* a shared stack's group whose first member's own top frames it has */
	struct strbuf key, scratch;
};

/* "pool-12-thread-345" -> "pool-#-thread-#", into OUT. */
static void name_pattern(const char *name, struct strbuf *out)
{
	size_t n = strlen(name), k = 0;
	strbuf_reset(out);
	strbuf_grow(out, n + 1); /* the pattern is never longer */
	bool digits = false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c >= '0' && c <= '9') {
			if (!digits)
				out->buf[k++] = '#';
			digits = true;
			continue;
		}
		digits = false;
		out->buf[k++] = c;
	}
	out->buf[k] = '\0';
	out->len = k;
}

/* The position (1-based) of the group of gs->key, made with thread I as its first member when new. */
static size_t group_find(struct detect_groups *gs, size_t i)
{
	struct hashmap_slot *s = hashmap_slot_n(&gs->index, gs->key.buf, gs->key.len);
	if (!s->value) {
		ALLOC_GROW(gs->g, gs->n + 1, gs->alloc);
		s->key = arena_strndup(gs->keys, gs->key.buf, gs->key.len);
		gs->g[gs->n] = (struct group){ .key = s->key, .len = gs->key.len, .first = i,
					       .first_named = SIZE_MAX, .pattern = strchr(s->key, '#') != NULL };
		s->value = (void *)(uintptr_t)++gs->n;
	}
	return (uintptr_t)s->value;
}

static bool key_is(const struct detect_groups *gs, const struct group *g)
{
	return gs->key.len == g->len && !memcmp(gs->key.buf, g->key, g->len);
}

/* The group position of named thread T (thread I), by its name. */
static size_t name_group(struct detect_groups *gs, const struct thread *t, size_t i)
{
	name_pattern(t->name, &gs->key);
	if (!gs->last || !key_is(gs, &gs->g[gs->last - 1])) /* a pool's threads come in a row */
		gs->last = group_find(gs, i);
	return gs->last;
}

/* The group position of unnamed thread T (thread I), by its own top frames: spelled once per shared stack. */
static size_t stack_group(struct dump *d, struct detect_groups *gs, const struct thread *t, size_t i)
{
	size_t pos;
	if (t->frames_shared && ptrmemo_get(&gs->stack_pos, t->frames, t->nframes, &pos))
		return pos;
	strbuf_reset(&gs->key);
	strbuf_adds(&gs->key, "stack: ");
	thread_own_frames(d, t, 4, &gs->key);
	pos = group_find(gs, i);
	if (t->frames_shared)
		ptrmemo_put(&gs->stack_pos, t->frames, t->nframes, pos);
	return pos;
}

static bool thread_blocked(const struct thread *t)
{
	if (t->waiting_on)
		return true;
	const char *s = t->state;
	return s && (strstr(s, "BLOCKED") || strstr(s, "WAITING") || strstr(s, "parking") ||
		     strstr(s, "waiting"));
}

/* G's first member by name's own top frames, spelled once. */
static const char *group_own(struct dump *d, struct detect_groups *gs, struct group *g)
{
	if (!g->own) {
		strbuf_reset(&gs->scratch);
		thread_own_frames(d, d->threads[g->first_named], 3, &gs->scratch);
		g->own = arena_strndup(gs->keys, gs->scratch.buf, gs->scratch.len);
	}
	return g->own;
}

/*
 * Whether G's members by name, with T (thread I), are all blocked with the
 * same own top frames as the first: a member with the frames array of
 * one found so has them (thread_share_frames) and is not spelled again.
 */
static void pool_track(struct dump *d, struct detect_groups *gs, struct group *g, const struct thread *t, size_t i)
{
	if (g->first_named == SIZE_MAX) {
		g->first_named = i;
		g->uniform = thread_blocked(t);
		g->same = t->frames;
		g->same_n = t->nframes;
		return;
	}
	if (!g->uniform)
		return;
	size_t pos = (size_t)(g - gs->g) + 1, as;
	bool same = (t->frames == g->same && t->nframes == g->same_n) ||
		    (t->frames_shared && ptrmemo_get(&gs->same_as, t->frames, t->nframes, &as) && as == pos);
	if (!same) {
		const char *own = group_own(d, gs, g);
		strbuf_reset(&gs->scratch);
		thread_own_frames(d, t, 3, &gs->scratch);
		same = !strcmp(gs->scratch.buf, own);
		if (same) {
			g->same = t->frames;
			g->same_n = t->nframes;
			if (t->frames_shared)
				ptrmemo_put(&gs->same_as, t->frames, t->nframes, pos);
		}
	}
	g->uniform = same && thread_blocked(t);
}

static void group_thread(struct dump *d, struct detect_groups *gs, const struct thread *t, size_t i)
{
	size_t pos; /* first: finding the group may move the array */
	if (t->name)
		pos = name_group(gs, t, i);
	else if (gs->stacks)
		pos = stack_group(d, gs, t, i);
	else
		return;
	struct group *g = &gs->g[pos - 1];
	g->n++;
	if (t->name) {
		g->named++;
		if (g->pattern)
			pool_track(d, gs, g, t, i);
	}
}

/*
 * The thread that died when none is marked crashed: the only thread whose
 * stack shows an abort (a shared frames array that shows none is asked once).
 */
struct dead_search {
	struct ptrmemo not_aborted;
	struct thread *only;
	int aborted;            /* threads found aborted, up to 2 */
};

static void dead_search_step(const struct dump *d, struct dead_search *ds, struct thread *t)
{
	size_t unused;
	if (t->frames_shared && ptrmemo_get(&ds->not_aborted, t->frames, t->nframes, &unused))
		return;
	if (!thread_aborted(d, t)) {
		if (t->frames_shared)
			ptrmemo_put(&ds->not_aborted, t->frames, t->nframes, 1);
		return;
	}
	ds->only = t;
	ds->aborted++;
}

void detect_ctx_init(struct detect_ctx *cx, struct dump *d)
{
	*cx = (struct detect_ctx){ .crashed = d->crash ? d->crash->thread : NULL };
	bool find_crashed = !cx->crashed;
	struct dead_search ds = { .not_aborted = PTRMEMO_INIT };
	struct detect_groups *gs = cx->groups = xcalloc(1, sizeof(*gs));
	gs->keys = arena_new();
	gs->stacks = d->nthreads >= LEAK_MIN_THREADS;
	strbuf_init(&gs->key, 64);
	strbuf_init(&gs->scratch, 64);
	size_t n = d->nthreads;
	for (size_t i = 0; i < n; i++) {
		/* prefetch.h: the thread two steps ahead (its words and its flags), and the name of the one a step ahead */
		if (i + 2 * PREFETCH_AHEAD < n) {
			__builtin_prefetch(&d->threads[i + 2 * PREFETCH_AHEAD]->name);
			__builtin_prefetch(&d->threads[i + 2 * PREFETCH_AHEAD]->crashed);
		}
		if (i + PREFETCH_AHEAD < n && d->threads[i + PREFETCH_AHEAD]->name)
			__builtin_prefetch(d->threads[i + PREFETCH_AHEAD]->name);
		struct thread *t = d->threads[i];
		if (find_crashed && t->crashed) {
			cx->crashed = t; /* dump_crash_thread: the first marked crashed */
			find_crashed = false;
		} else if (find_crashed && ds.aborted < 2) {
			dead_search_step(d, &ds, t);
		}
		if (t->nframes >= DETECT_DEEP) {
			ALLOC_GROW(cx->deep, cx->ndeep + 1, cx->deep_alloc);
			cx->deep[cx->ndeep++] = t;
		}
		group_thread(d, gs, t, i);
	}
	cx->dead = cx->crashed ? cx->crashed : ds.aborted == 1 ? ds.only : NULL;
	ptrmemo_release(&ds.not_aborted);
}

void detect_ctx_release(struct detect_ctx *cx)
{
	struct detect_groups *gs = cx->groups;
	if (gs) {
		hashmap_clear(&gs->index);
		ptrmemo_release(&gs->stack_pos);
		ptrmemo_release(&gs->same_as);
		arena_free(gs->keys);
		free(gs->g);
		strbuf_release(&gs->key);
		strbuf_release(&gs->scratch);
		free(gs);
	}
	free(cx->deep);
	cx->groups = NULL;
	cx->deep = NULL;
	cx->ndeep = cx->deep_alloc = 0;
}

/* The next member of G from thread *I on (dump order), by name and, unless NAMED_ONLY, by frames; or NULL. */
static struct thread *next_member(struct dump *d, struct detect_groups *gs, const struct group *g,
				  bool named_only, size_t *i)
{
	for (; *i < d->nthreads; (*i)++) {
		struct thread *t = d->threads[*i];
		bool in;
		if (t->name) {
			name_pattern(t->name, &gs->key);
			in = key_is(gs, g);
		} else {
			in = !named_only && gs->stacks && stack_group(d, gs, t, *i) == (size_t)(g - gs->g) + 1;
		}
		if (in)
			return d->threads[(*i)++];
	}
	return NULL;
}

void detect_thread_leak(struct dump *d, struct detect_ctx *cx)
{
	if (d->nthreads < LEAK_MIN_THREADS)
		return;
	struct detect_groups *gs = cx->groups;
	const struct group *big = NULL; /* the largest; of equal ones, the one whose first member comes first */
	for (size_t i = 0; i < gs->n; i++)
		if (!big || gs->g[i].n > big->n || (gs->g[i].n == big->n && gs->g[i].first < big->first))
			big = &gs->g[i];
	if (!big || big->n < LEAK_MIN_GROUP || big->n * 2 < d->nthreads)
		return;
	struct finding *f = catalogue_add_finding(d, "thread-leak", big->n >= 2000 ? CONF_LIKELY : CONF_POSSIBLE);
	size_t at = big->first;
	struct thread *t;
	for (int k = 0; k < 20 && (t = next_member(d, gs, big, false, &at)); k++)
		finding_add_thread(d, f, t);
	struct thread *first = d->threads[big->first];
	struct strbuf s = STRBUF_INIT;
	strbuf_addf(&s, "%zu of %zu threads look alike (%s%s%s); the first, ", big->n, d->nthreads,
		    strncmp(big->key, "stack: ", 7) ? "named like '" : "", big->key,
		    strncmp(big->key, "stack: ", 7) ? "'" : "");
	thread_describe(first, &s);
	strbuf_adds(&s, ", is in ");
	thread_own_frames(d, first, 2, &s);
	strbuf_adds(&s, ".");
	f->summary = finish_text(d, &s);
	strbuf_adds(&s, "Threads are being created and never end: look for a thread or executor "
		    "created per request or per task and never shut down (new Thread(), "
		    "Executors.newCachedThreadPool without bound, a pool per client), and "
		    "bound it. Compare two dumps taken minutes apart: a growing count confirms it.");
	f->advice = finish_text(d, &s);
}

static int cmp_first_named(const void *a, const void *b)
{
	size_t x = (*(struct group *const *)a)->first_named, y = (*(struct group *const *)b)->first_named;
	return (x > y) - (x < y);
}

/* Whether pool G, uniform, is stuck: its first member is not idle, and has own frames. */
static bool pool_stuck(struct dump *d, struct detect_groups *gs, struct group *g)
{
	const struct thread *first = d->threads[g->first_named];
	for (size_t j = 0; j < first->nframes && j < 12; j++)
		if (re(RE_IDLE, first->frames[j].function, 0, d, NULL))
			return false;
	return strcmp(group_own(d, gs, g), "??");
}

static void add_stuck_pool(struct dump *d, struct detect_groups *gs, struct group *g)
{
	struct finding *f = catalogue_add_finding(d, "stuck-thread-pool", CONF_LIKELY);
	size_t at = g->first_named;
	struct thread *t;
	for (int j = 0; j < 50 && (t = next_member(d, gs, g, true, &at)); j++) {
		finding_add_thread(d, f, t);
		if (t->waiting_on)
			finding_add_lock(d, f, t->waiting_on);
	}
	const struct thread *first = d->threads[g->first_named];
	struct strbuf s = STRBUF_INIT;
	strbuf_addf(&s, "All %zu threads named like '%s' are blocked (%s) in %s", g->named, g->key,
		    first->state ? first->state : "waiting", g->own);
	if (first->waiting_on) {
		const struct lock *l = first->waiting_on;
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
		    "or separate pool for the dependent tasks, or fix the holder.", g->own);
	f->advice = finish_text(d, &s);
}

/* The first pool (by its first member) whose members are all blocked in the same place. */
void detect_stuck_pool(struct dump *d, struct detect_ctx *cx)
{
	struct detect_groups *gs = cx->groups;
	struct group **pools = NULL;
	size_t n = 0, alloc = 0;
	for (size_t i = 0; i < gs->n; i++)
		if (gs->g[i].named >= POOL_MIN && gs->g[i].pattern && gs->g[i].uniform) {
			ALLOC_GROW(pools, n + 1, alloc);
			pools[n++] = &gs->g[i];
		}
	if (n > 1)
		qsort(pools, n, sizeof(*pools), cmp_first_named);
	for (size_t i = 0; i < n; i++)
		if (pool_stuck(d, gs, pools[i])) {
			add_stuck_pool(d, gs, pools[i]);
			break;
		}
	free(pools);
}
