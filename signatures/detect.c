#include "signatures/detect.h"
#include "analyzer/lib/path.h"
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

/* The thread that died: the recorded one, or the only thread whose stack shows an abort. */
static struct thread *dead_thread(const struct dump *d, const struct detect_ctx *cx)
{
	if (cx->crashed)
		return cx->crashed;
	struct thread *only = NULL;
	struct ptrmemo not_aborted; /* shared frames arrays: asked once */
	ptrmemo_init(&not_aborted);
	size_t unused;
	for (size_t i = 0; i < d->nthreads; i++) {
		const struct thread *u = d->threads[i];
		if (u->frames_shared && ptrmemo_get(&not_aborted, u->frames, u->nframes, &unused))
			continue;
		if (!thread_aborted(d, u)) {
			if (u->frames_shared)
				ptrmemo_put(&not_aborted, u->frames, u->nframes, 1);
			continue;
		}
		if (only) {
			only = NULL;
			break;
		}
		only = d->threads[i];
	}
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

void detect_eintr(struct dump *d, struct detect_ctx *cx)
{
	struct thread *t = dead_thread(d, cx);
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

/*
 * Both detectors group the threads in one table of keys: a named thread by
 * its name's pattern ("pool-12-thread-345" -> "pool-#-thread-#"), an
 * unnamed one (thread-leak only) by its own top frames ("stack: ..."). The
 * groups are numbered in the order their first named member comes, the
 * unnamed threads' groups after them. A group's members are two lists in
 * dump order, those by name and those by frames, linked through one array
 * of the threads (no array per group: a pool of 200,000 threads would grow one that long).
 */
enum { BY_NAME, BY_STACK };

struct group {
	const char *key;
	size_t len;
	size_t n;            /* members */
	size_t named;        /* of them, by their name */
	uint32_t head[2];    /* the first member by name, by frames: thread index + 1 (0: none) */
	uint32_t tail[2];
};

struct detect_groups {
	struct group *g;
	size_t n, alloc;
	struct hashmap index;  /* key -> 1-based position in g */
	struct arena *keys;
	uint32_t *next;        /* per thread: the next member of its list (index + 1; 0: the last) */
	bool stacks;           /* the unnamed threads are grouped too */
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

/* KEY's group, made when new. */
static struct group *group_find(struct detect_groups *gs, const struct strbuf *key)
{
	struct hashmap_slot *s = hashmap_slot_n(&gs->index, key->buf, key->len);
	if (!s->value) {
		ALLOC_GROW(gs->g, gs->n + 1, gs->alloc);
		s->key = arena_strndup(gs->keys, key->buf, key->len);
		gs->g[gs->n] = (struct group){ .key = s->key, .len = key->len };
		s->value = (void *)(uintptr_t)++gs->n;
	}
	return &gs->g[(uintptr_t)s->value - 1];
}

/* Appends thread I to G's list BY (threads come in dump order). */
static void group_add(struct detect_groups *gs, struct group *g, int by, size_t i)
{
	uint32_t at = (uint32_t)i + 1;
	gs->next[i] = 0;
	if (g->tail[by])
		gs->next[g->tail[by] - 1] = at;
	else
		g->head[by] = at;
	g->tail[by] = at;
	g->n++;
	g->named += by == BY_NAME;
}

static void group_by_name(struct dump *d, struct detect_groups *gs)
{
	struct strbuf key = STRBUF_INIT;
	size_t last = 0; /* a pool's threads come in a row: most keys are the previous one's */
	for (size_t i = 0; i < d->nthreads; i++) {
		const char *name = d->threads[i]->name;
		if (!name)
			continue;
		name_pattern(name, &key);
		const struct group *lg = last ? &gs->g[last - 1] : NULL;
		if (!lg || lg->len != key.len || memcmp(lg->key, key.buf, key.len))
			last = (size_t)(group_find(gs, &key) - gs->g) + 1;
		group_add(gs, &gs->g[last - 1], BY_NAME, i);
	}
	strbuf_release(&key);
}

/* The unnamed threads, by their own top frames: spelled once per shared stack. */
static void group_by_stack(struct dump *d, struct detect_groups *gs)
{
	struct strbuf key = STRBUF_INIT;
	struct ptrmemo memo;
	ptrmemo_init(&memo);
	for (size_t i = 0; i < d->nthreads; i++) {
		const struct thread *t = d->threads[i];
		if (t->name)
			continue;
		size_t pos;
		if (!t->frames_shared || !ptrmemo_get(&memo, t->frames, t->nframes, &pos)) {
			strbuf_reset(&key);
			strbuf_adds(&key, "stack: ");
			thread_own_frames(d, t, 4, &key);
			pos = (size_t)(group_find(gs, &key) - gs->g);
			if (t->frames_shared)
				ptrmemo_put(&memo, t->frames, t->nframes, pos);
		}
		group_add(gs, &gs->g[pos], BY_STACK, i);
	}
	strbuf_release(&key);
}

/* The threads grouped by name, and when STACKS, the unnamed ones by their frames too. */
static const struct detect_groups *groups_of(struct dump *d, struct detect_ctx *cx, bool stacks)
{
	struct detect_groups *gs = cx->groups;
	if (!gs) {
		gs = cx->groups = xcalloc(1, sizeof(*gs));
		gs->keys = arena_new();
		gs->next = xmalloc((d->nthreads ? d->nthreads : 1) * sizeof(*gs->next));
		group_by_name(d, gs);
	}
	if (stacks && !gs->stacks) {
		group_by_stack(d, gs);
		gs->stacks = true;
	}
	return gs;
}

static void groups_free(struct detect_groups *gs)
{
	if (!gs)
		return;
	hashmap_clear(&gs->index);
	arena_free(gs->keys);
	free(gs->g);
	free(gs->next);
	free(gs);
}

void detect_ctx_init(struct detect_ctx *cx, struct dump *d)
{
	*cx = (struct detect_ctx){ .crashed = dump_crash_thread(d) };
}

void detect_ctx_release(struct detect_ctx *cx)
{
	groups_free(cx->groups);
	cx->groups = NULL;
}

/* Walks a group's members in dump order: both lists merged, or those by name alone. */
struct members {
	const struct detect_groups *gs;
	uint32_t at[2];
};

static struct members members_of(const struct detect_groups *gs, const struct group *g, bool named_only)
{
	return (struct members){ gs, { g->head[BY_NAME], named_only ? 0 : g->head[BY_STACK] } };
}

static struct thread *members_next(const struct dump *d, struct members *m)
{
	uint32_t a = m->at[BY_NAME], b = m->at[BY_STACK];
	if (!a && !b)
		return NULL;
	int by = !a || (b && b < a) ? BY_STACK : BY_NAME;
	uint32_t at = m->at[by];
	m->at[by] = m->gs->next[at - 1];
	return d->threads[at - 1];
}

/* The index of G's first member. */
static uint32_t group_first(const struct group *g)
{
	uint32_t a = g->head[BY_NAME], b = g->head[BY_STACK];
	return !a || (b && b < a) ? b : a;
}

#define LEAK_MIN_THREADS 1000
#define LEAK_MIN_GROUP 500

void detect_thread_leak(struct dump *d, struct detect_ctx *cx)
{
	if (d->nthreads < LEAK_MIN_THREADS)
		return;
	const struct detect_groups *gs = groups_of(d, cx, true);
	const struct group *big = NULL; /* the largest; of equal ones, the one whose first member comes first */
	for (size_t i = 0; i < gs->n; i++)
		if (!big || gs->g[i].n > big->n || (gs->g[i].n == big->n && group_first(&gs->g[i]) < group_first(big)))
			big = &gs->g[i];
	if (!big || big->n < LEAK_MIN_GROUP || big->n * 2 < d->nthreads)
		return;
	struct finding *f = catalogue_add_finding(d, "thread-leak", big->n >= 2000 ? CONF_LIKELY : CONF_POSSIBLE);
	struct members m = members_of(gs, big, false);
	struct thread *t, *first = NULL;
	for (int k = 0; k < 20 && (t = members_next(d, &m)); k++) {
		finding_add_thread(d, f, t);
		first = first ? first : t;
	}
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

#define POOL_MIN 4

static bool thread_blocked(const struct thread *t)
{
	if (t->waiting_on)
		return true;
	const char *s = t->state;
	return s && (strstr(s, "BLOCKED") || strstr(s, "WAITING") || strstr(s, "parking") ||
		     strstr(s, "waiting"));
}

/*
 * Whether every member of G (by name) is blocked with the same own top
 * frames (not idle); sets KEY. A member with the frames array of the one
 * before it has the same frames (thread_share_frames): not spelled again.
 */
static bool pool_stuck(struct dump *d, const struct detect_groups *gs, const struct group *g, struct strbuf *key)
{
	struct strbuf k = STRBUF_INIT;
	struct members m = members_of(gs, g, true);
	const struct thread *first = members_next(d, &m), *prev = first, *t;
	thread_own_frames(d, first, 3, key);
	bool stuck = thread_blocked(first);
	while (stuck && (t = members_next(d, &m))) {
		bool same = t->frames == prev->frames && t->nframes == prev->nframes;
		if (!same) {
			strbuf_reset(&k);
			thread_own_frames(d, t, 3, &k);
			same = !strcmp(k.buf, key->buf);
		}
		stuck = same && thread_blocked(t);
		prev = t;
	}
	strbuf_release(&k);
	if (!stuck)
		return false;
	for (size_t j = 0; j < first->nframes && j < 12; j++)
		if (re(RE_IDLE, first->frames[j].function, 0, d, NULL))
			return false;
	return strcmp(key->buf, "??");
}

void detect_stuck_pool(struct dump *d, struct detect_ctx *cx)
{
	const struct detect_groups *gs = groups_of(d, cx, false);
	for (size_t i = 0; i < gs->n; i++) {
		const struct group *g = &gs->g[i];
		struct strbuf key = STRBUF_INIT;
		if (g->named < POOL_MIN || !strchr(g->key, '#') || !pool_stuck(d, gs, g, &key)) {
			strbuf_release(&key);
			continue;
		}
		struct finding *f = catalogue_add_finding(d, "stuck-thread-pool", CONF_LIKELY);
		struct members m = members_of(gs, g, true);
		struct thread *t, *first = NULL;
		for (int j = 0; j < 50 && (t = members_next(d, &m)); j++) {
			first = first ? first : t;
			finding_add_thread(d, f, t);
			if (t->waiting_on)
				finding_add_lock(d, f, t->waiting_on);
		}
		struct strbuf s = STRBUF_INIT;
		strbuf_addf(&s, "All %zu threads named like '%s' are blocked (%s) in %s", g->named, g->key,
			    first->state ? first->state : "waiting", key.buf);
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
			    "or separate pool for the dependent tasks, or fix the holder.", key.buf);
		f->advice = finish_text(d, &s);
		strbuf_release(&key);
		break;
	}
}
