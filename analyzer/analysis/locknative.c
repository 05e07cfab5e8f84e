#include "analyzer/analysis/locknative.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/analysis/analyze.h"
#include "analyzer/analysis/lockgraph.h"
#include "analyzer/lib/prefetch.h"
#include "analyzer/lib/ptrmemo.h"

/* Verified with offsetof() and gdb against glibc 2.36 (Debian 12) on x86-64. */
static const struct locknative_arch arch_x86_64 = {
	.name = "x86-64",
	.futex_nr = 202,
	.mutex_count = 4, .mutex_owner = 8, .mutex_kind = 16,
	.rwlock_wrphase_futex = 8, .rwlock_writers_futex = 12, .rwlock_cur_writer = 24, .rwlock_flags = 48,
	.thread_tid = 0x2d0,
	.rtld_lock_size = 40,
	.rtld_load_lock = 2568, .rtld_load_write_lock = 2608, .rtld_load_tls_lock = 2648,
	.rtld_scan = 4336,
};

/* Generic glibc layouts (LP64); pthread_mutex_t is 48 bytes; ld.so offsets not pinned down. */
static const struct locknative_arch arch_aarch64 = {
	.name = "aarch64",
	.futex_nr = 98,
	.mutex_count = 4, .mutex_owner = 8, .mutex_kind = 16,
	.rwlock_wrphase_futex = 8, .rwlock_writers_futex = 12, .rwlock_cur_writer = 24, .rwlock_flags = 48,
	.thread_tid = 0,
	.rtld_lock_size = 48,
	.rtld_scan = 4608,
};

static const struct locknative_arch *const arches[] = { &arch_x86_64, &arch_aarch64 };

const struct locknative_arch *locknative_arch(const char *name)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (!strcmp(arches[i]->name, name))
			return arches[i];
	return NULL;
}

const struct locknative_arch *locknative_host_arch(void)
{
#if defined(__x86_64__)
	return &arch_x86_64;
#elif defined(__aarch64__)
	return &arch_aarch64;
#else
	return NULL;
#endif
}

/* futex(2) commands (after masking FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME) */
enum { FUTEX_WAIT_ = 0, FUTEX_LOCK_PI_ = 6, FUTEX_WAIT_BITSET_ = 9, FUTEX_LOCK_PI2_ = 13 };
#define FUTEX_CMD_MASK_ 0x7f
#define FUTEX_TID_MASK_ 0x3fffffffu
#define MUTEX_KIND_RECURSIVE 1

/* What a thread's frames say it waits for. */
enum hint { HINT_NONE, HINT_NOT_LOCK, HINT_MUTEX, HINT_RWLOCK, HINT_JOIN, HINT_LLL };

struct ctx {
	struct dump *d;
	const struct locknative_arch *a;
	int64_t *tids;          /* sorted TIDs of the dump's threads */
	size_t ntids;
	uint64_t rtld, main_arena;
	bool have_rtld, have_main_arena;
};

/* ---- frames ---- */

static bool fn_has(const struct frame *f, const char *needle)
{
	return f->function && strstr(f->function, needle);
}

static bool frame_is_signal(const struct frame *f)
{
	return frame_is_trampoline(f);
}

static bool frame_in_malloc(const struct frame *f)
{
	return frame_is(f, ROLE_ALLOCATOR);
}

/* The frames of a wait: the innermost few, before anything that is clearly the caller's code. */
#define HINT_DEPTH 8

static enum hint frames_hint(const struct thread *t)
{
	bool lll = false;
	for (size_t i = 0; i < t->nframes && i < HINT_DEPTH; i++) {
		const struct frame *f = &t->frames[i];
		if (frame_is_signal(f))
			break;
		int kind = frame_name_lock_kind(f->function, NULL);
		if (kind < 0 && frame_is(f, ROLE_WAIT))
			return HINT_NOT_LOCK;
		if (kind == LOCK_PTHREAD_RWLOCK)
			return HINT_RWLOCK;
		if (kind == LOCK_THREAD_JOIN)
			return HINT_JOIN;
		if (kind == LOCK_PTHREAD_MUTEX)
			return HINT_MUTEX;
		/* pthread_mutex_lock waits through __lll_lock_wait too: decide at the end */
		lll |= kind == LOCK_FUTEX;
	}
	return lll ? HINT_LLL : HINT_NONE;
}

/*
 * A wait for the arena lock from inside a signal handler that interrupted
 * malloc/free: frames above the signal frame are an lll wait reached from
 * the malloc family, frames below it are in the malloc family too.
 */
static bool arena_self_wait(const struct thread *t)
{
	size_t sig = t->nframes;
	bool waits_from_malloc = false;
	for (size_t i = 0; i < t->nframes; i++) {
		if (frame_is_signal(&t->frames[i])) {
			sig = i;
			break;
		}
		waits_from_malloc |= frame_in_malloc(&t->frames[i]);
	}
	if (!waits_from_malloc || sig == t->nframes)
		return false;
	for (size_t i = sig + 1; i < t->nframes && i < sig + 1 + HINT_DEPTH; i++)
		if (frame_in_malloc(&t->frames[i]))
			return true;
	return false;
}

static bool frames_in_malloc(const struct thread *t)
{
	for (size_t i = 0; i < t->nframes && i < HINT_DEPTH; i++) {
		if (frame_is_signal(&t->frames[i]))
			return false;
		if (frame_in_malloc(&t->frames[i]))
			return true;
	}
	return false;
}

/* ---- memory ---- */

static int cmp_tid(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static struct thread *thread_of_tid(struct ctx *c, int64_t tid)
{
	if (tid <= 0 || !bsearch(&tid, c->tids, c->ntids, sizeof(*c->tids), cmp_tid))
		return NULL;
	return dump_find_tid(c->d, tid);
}

static bool read_u32(struct ctx *c, uint64_t addr, uint32_t *v)
{
	return c->d->mem->read(c->d->mem_ctx, addr, v, sizeof(*v)) == 0;
}

static const char *hex_id(struct dump *d, uint64_t addr)
{
	return dump_printf(d, "0x%llx", (unsigned long long)addr);
}

/* Records T waiting on the lock at BASE (of KIND); OWNER (may be NULL) holds it. */
static struct lock *record(struct ctx *c, struct thread *t, uint64_t base, enum lock_kind kind,
			   const char *label, struct thread *owner)
{
	struct lock *l = dump_lock(c->d, hex_id(c->d, base), kind);
	if (label && !l->label)
		l->label = label;
	if (owner) {
		if (!l->owner)
			l->owner = owner;
		thread_hold(c->d, owner, l);
	}
	thread_wait_on(c->d, t, l);
	return l;
}

static bool mutex_kind_plausible(uint32_t kind)
{
	/* type 0..3, robust 16, PI 32, PP 64, pshared 128, elision 256/512 */
	return (kind & ~(3u | 16u | 32u | 64u | 128u | 256u | 512u)) == 0;
}

/* The loader's recursive locks in _rtld_global. */
static struct lock *try_loader(struct ctx *c, struct thread *t, uint64_t addr)
{
	const struct locknative_arch *a = c->a;
	if (!c->have_rtld || addr < c->rtld || addr >= c->rtld + a->rtld_scan)
		return NULL;
	uint32_t kind, owner, count;
	if (!read_u32(c, addr + a->mutex_kind, &kind) || !read_u32(c, addr + a->mutex_owner, &owner) ||
	    !read_u32(c, addr + a->mutex_count, &count) || (kind & 3) != MUTEX_KIND_RECURSIVE)
		return NULL;
	uint64_t off = addr - c->rtld;
	const char *label = dump_printf(c->d, "_rtld_global+0x%llx", (unsigned long long)off);
	if (off && off == a->rtld_load_lock)
		label = "_rtld_global._dl_load_lock";
	else if (off && off == a->rtld_load_write_lock)
		label = "_rtld_global._dl_load_write_lock";
	else if (off && off == a->rtld_load_tls_lock)
		label = "_rtld_global._dl_load_tls_lock";
	struct thread *o = thread_of_tid(c, (int32_t)owner);
	if (!o && owner)
		dump_warn(c->d, "loader lock 0x%llx: owner TID %u is not a thread of the process",
			  (unsigned long long)addr, owner);
	return record(c, t, addr, LOCK_LOADER, label, o);
}

/* pthread_join waits on the joined thread's descriptor tid word, which holds its TID. */
static struct lock *try_join(struct ctx *c, struct thread *t, uint64_t addr, uint32_t word, unsigned cmd)
{
	if (cmd == FUTEX_LOCK_PI_ || cmd == FUTEX_LOCK_PI2_)
		return NULL;
	struct thread *target = thread_of_tid(c, (int32_t)word);
	if (!target || target == t)
		return NULL;
	bool at_descriptor = c->a->thread_tid && target->regs->valid && target->regs->tls_base &&
			     addr == target->regs->tls_base + (uint64_t)c->a->thread_tid;
	struct lock *l = record(c, t, addr, LOCK_THREAD_JOIN,
				dump_printf(c->d, "thread %s's descriptor (struct pthread.tid)", target->id),
				target);
	if (!at_descriptor && !l->owner_inferred) {
		l->owner_inferred = true;
		dump_warn(c->d, "owner of thread_join 0x%llx inferred from its value (TID %u), not from the "
			  "thread descriptor's address", (unsigned long long)addr, word);
	}
	return l;
}

static struct lock *try_mutex(struct ctx *c, struct thread *t, uint64_t addr, uint32_t word, unsigned cmd,
			      bool hinted)
{
	const struct locknative_arch *a = c->a;
	uint32_t kind, owner;
	if (!read_u32(c, addr + a->mutex_kind, &kind) || !read_u32(c, addr + a->mutex_owner, &owner) ||
	    !mutex_kind_plausible(kind))
		return NULL;
	bool pi = cmd == FUTEX_LOCK_PI_ || cmd == FUTEX_LOCK_PI2_ || (kind & 32);
	int64_t tid = pi ? (int64_t)(word & FUTEX_TID_MASK_) : (int32_t)owner;
	struct thread *o = thread_of_tid(c, tid);
	if (!o && !hinted)
		return NULL; /* no owner and no frame says mutex: not enough to call it one */
	if (!pi && word > 2 && !hinted)
		return NULL;
	if (!o && tid > 0)
		dump_warn(c->d, "mutex 0x%llx: owner TID %lld is not a thread of the process (it exited "
			  "holding the lock?)", (unsigned long long)addr, (long long)tid);
	return record(c, t, addr, LOCK_PTHREAD_MUTEX, NULL, o);
}

/* The futex word of an rwlock waiter is __writers_futex or __wrphase_futex inside it. */
static struct lock *try_rwlock(struct ctx *c, struct thread *t, uint64_t addr, bool hinted)
{
	const struct locknative_arch *a = c->a;
	const unsigned offs[2] = { a->rwlock_writers_futex, a->rwlock_wrphase_futex };
	uint64_t fallback = 0;
	for (int i = 0; i < 2; i++) {
		if (addr < offs[i])
			continue;
		uint64_t base = addr - offs[i];
		uint32_t writer, flags;
		if (!read_u32(c, base + a->rwlock_cur_writer, &writer) ||
		    !read_u32(c, base + a->rwlock_flags, &flags) || flags > 2)
			continue;
		struct thread *o = thread_of_tid(c, (int32_t)writer);
		if (o && o != t)
			return record(c, t, base, LOCK_PTHREAD_RWLOCK, NULL, o);
		if (!fallback && writer == 0)
			fallback = base;
	}
	if (hinted && fallback)
		return record(c, t, fallback, LOCK_PTHREAD_RWLOCK, "read-held or between owners", NULL);
	return NULL;
}

/* glibc's arena locks are plain lll locks: no owner is recorded anywhere. */
static struct lock *try_arena(struct ctx *c, struct thread *t, uint64_t addr, enum hint h)
{
	bool main_arena = c->have_main_arena && addr == c->main_arena;
	if (!main_arena && !(h == HINT_LLL && frames_in_malloc(t)))
		return NULL;
	const char *label = main_arena ? "glibc malloc arena lock (main_arena)" : "glibc malloc arena lock";
	if (!arena_self_wait(t))
		return record(c, t, addr, LOCK_FUTEX, label, NULL);
	struct lock *l = record(c, t, addr, LOCK_FUTEX, label, t);
	l->owner_inferred = true;
	dump_warn(c->d, "owner of futex 0x%llx inferred from frames: thread %s waits for the malloc arena "
		  "lock in a signal handler that interrupted malloc/free, so it holds the lock itself",
		  (unsigned long long)addr, t->id);
	return l;
}

static void classify_futex(struct ctx *c, struct thread *t)
{
	uint64_t addr = t->regs->syscall_arg[0];
	unsigned cmd = (unsigned)t->regs->syscall_arg[1] & FUTEX_CMD_MASK_;
	if (cmd != FUTEX_WAIT_ && cmd != FUTEX_WAIT_BITSET_ && cmd != FUTEX_LOCK_PI_ && cmd != FUTEX_LOCK_PI2_)
		return;
	enum hint h = frames_hint(t);
	if (h == HINT_NOT_LOCK)
		return;
	uint32_t word;
	if (!read_u32(c, addr, &word)) {
		record(c, t, addr, LOCK_FUTEX, NULL, NULL);
		return;
	}
	if (try_loader(c, t, addr) || try_arena(c, t, addr, h))
		return;
	switch (h) {
	case HINT_JOIN:
		if (try_join(c, t, addr, word, cmd))
			return;
		break;
	case HINT_MUTEX:
		if (try_mutex(c, t, addr, word, cmd, true))
			return;
		break;
	case HINT_RWLOCK:
		if (try_rwlock(c, t, addr, true))
			return;
		break;
	default:
		if (try_join(c, t, addr, word, cmd) || try_mutex(c, t, addr, word, cmd, false) ||
		    try_rwlock(c, t, addr, false))
			return;
	}
	record(c, t, addr, LOCK_FUTEX, NULL, NULL);
}

/* ---- text dumps: frame arguments ---- */

/* The hex value of NAME=0x… (or NAME=NAME@entry=0x…) in ARGS, or 0. */
static uint64_t arg_address(const char *args, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = args; p && (p = strstr(p, name)); p += n) {
		if (p != args && (p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z')))
			continue;
		if (p[n] != '=')
			continue;
		const char *v = p + n + 1;
		if (!strncmp(v, name, n) && !strncmp(v + n, "@entry=", 7))
			v += n + 7; /* gdb: mutex=mutex@entry=0x… */
		if (!strncmp(v, "0x", 2))
			return strtoull(v + 2, NULL, 16);
	}
	return 0;
}

static void wait_from_args(struct dump *d, struct thread *t)
{
	bool args = false;
	for (size_t i = 0; i < t->nframes && i < HINT_DEPTH && !args; i++)
		args = t->frames[i].args != NULL;
	if (!args)
		return; /* nothing to read an address from (Java frames never have any) */
	for (size_t i = 0; i < t->nframes && i < HINT_DEPTH; i++) {
		const struct frame *f = &t->frames[i];
		if (frame_is_signal(f))
			return;
		if (!f->args)
			continue;
		const char *arg;
		int kind = frame_name_lock_kind(f->function, &arg);
		uint64_t addr = 0;
		if ((kind == LOCK_PTHREAD_MUTEX || kind == LOCK_PTHREAD_RWLOCK) && arg)
			addr = arg_address(f->args, arg);
		if (addr) {
			thread_wait_on(d, t, dump_lock(d, hex_id(d, addr), kind));
			return;
		}
	}
}

/* A text dump's arena self-wait: no address, so the lock is named after its thread. */
static void arena_self_wait_text(struct dump *d, struct thread *t)
{
	if (frames_hint(t) != HINT_LLL || !arena_self_wait(t))
		return;
	struct lock *l = dump_lock(d, dump_printf(d, "malloc-arena@%s", t->id), LOCK_FUTEX);
	l->label = "glibc malloc arena lock";
	l->owner = t;
	l->owner_inferred = true;
	thread_hold(d, t, l);
	thread_wait_on(d, t, l);
	dump_warn(d, "owner of the malloc arena lock thread %s waits for inferred from frames: a signal "
		  "handler interrupted malloc/free and waits for the arena lock itself", t->id);
}

/* ---- text dumps: the loader lock ---- */

static const char *rtld_lock_name(const struct locknative_arch *a, unsigned long off)
{
	if (a && off && off == a->rtld_load_lock)
		return "_rtld_global._dl_load_lock";
	if (a && off && off == a->rtld_load_write_lock)
		return "_rtld_global._dl_load_write_lock";
	if (a && off && off == a->rtld_load_tls_lock)
		return "_rtld_global._dl_load_tls_lock";
	return NULL;
}

/* A lock a debugger labelled "_rtld_global+2608" is one of the loader's locks. */
static void loader_from_labels(struct dump *d, const struct locknative_arch *a)
{
	for (size_t i = 0; i < d->nlocks; i++) {
		struct lock *l = d->locks[i];
		if (!l->label || strncmp(l->label, "_rtld_global", 12))
			continue;
		l->kind = LOCK_LOADER;
		if (l->label[12] == '+') {
			const char *name = rtld_lock_name(a, strtoul(l->label + 13, NULL, 0));
			if (name)
				l->label = name;
		}
	}
}

static size_t dl_iterate_frame(const struct thread *t)
{
	for (size_t i = 0; i < t->nframes; i++)
		if (fn_has(&t->frames[i], "dl_iterate_phdr"))
			return i;
	return SIZE_MAX;
}

/*
 * Whether T blocks right in dl_iterate_phdr: its wait frame
 * (thread_wait_frame) is its first dl_iterate_phdr frame. The frames
 * above the wait frame are few (lock plumbing): they alone are searched.
 */
static size_t waits_in_dl_iterate(const struct thread *t)
{
	const struct frame *w = thread_wait_frame(t);
	if (!w || !fn_has(w, "dl_iterate_phdr"))
		return false;
	for (const struct frame *f = t->frames; f < w; f++)
		if (fn_has(f, "dl_iterate_phdr"))
			return false;
	return true;
}

/*
 * Whether T is inside a dl_iterate_phdr callback: frames of its own above a
 * dl_iterate_phdr frame. This and waits_in_dl_iterate answer 1 or 0
 * (thread_frames_ask's answers).
 */
static size_t in_dl_iterate_callback(const struct thread *t)
{
	size_t k = dl_iterate_frame(t);
	return k != SIZE_MAX && k != 0 && thread_wait_frame(t) != &t->frames[k];
}

/*
 * dl_iterate_phdr holds the loader's write lock while it calls back: a
 * thread blocked right in it (only lock plumbing above) waits for that lock;
 * a thread with other frames above it (the callback) holds it (inferred).
 * BLOCKED: the threads that wait and block in dl_iterate_phdr
 * (waits_in_dl_iterate), in dump order.
 */
static void loader_from_frames(struct dump *d, struct thread **blocked, size_t nblocked)
{
	struct lock *loader = NULL;
	for (size_t i = 0; i < nblocked; i++) {
		struct lock *l = blocked[i]->waiting_on;
		if (l->kind != LOCK_LOADER) {
			l->kind = LOCK_LOADER;
			l->label = "_rtld_global._dl_load_write_lock";
		}
		if (!loader || (l->label && strstr(l->label, "write")))
			loader = l;
	}
	if (!loader || loader->owner)
		return;
	struct ptrmemo memo = PTRMEMO_INIT;
	for (size_t i = 0; i < d->nthreads; i++) {
		struct thread *t = d->threads[i];
		if (!thread_frames_ask(&memo, t, in_dl_iterate_callback))
			continue;
		thread_hold(d, t, loader);
		loader->owner_inferred = true;
		dump_warn(d, "owner of loader_lock %s inferred from frames: thread %s is inside a dl_iterate_phdr "
			  "callback", loader->id, t->id);
		break;
	}
	ptrmemo_release(&memo);
}

/* ---- the stage ---- */

static void ctx_init(struct ctx *c, struct dump *d, const struct locknative_arch *a)
{
	memset(c, 0, sizeof(*c));
	c->d = d;
	c->a = a;
	c->tids = xcalloc(d->nthreads, sizeof(*c->tids));
	for (size_t i = 0; i < d->nthreads; i++)
		if (d->threads[i]->tid > 0)
			c->tids[c->ntids++] = d->threads[i]->tid;
	qsort(c->tids, c->ntids, sizeof(*c->tids), cmp_tid);
	if (d->mem->symbol) {
		/* the loader's (a static program has it in the executable, if anywhere) */
		c->have_rtld = d->mem->symbol(d->mem_ctx, MEMORY_LOADER, "_rtld_global", &c->rtld) == 0 ||
			       d->mem->symbol(d->mem_ctx, NULL, "_rtld_global", &c->rtld) == 0;
		c->have_main_arena = d->mem->symbol(d->mem_ctx, "libc", "main_arena", &c->main_arena) == 0;
	}
}

/*
 * A lock inside a global or static object is named as a debugger names it
 * (the symbol, demangled, with its member path): "m_vault", "slots[2].mu".
 * Heap locks keep their address.
 */
static void name_locks(struct dump *d)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < d->nlocks; i++) {
		struct lock *l = d->locks[i];
		if (l->label || !l->addr || l->kind == LOCK_THREAD_JOIN || l->kind == LOCK_JAVA_MONITOR ||
		    l->kind == LOCK_JUC_SYNC)
			continue;
		strbuf_reset(&sb);
		if (d->mem->name(d->mem_ctx, l->addr, &sb) == 0)
			l->label = dump_strndup(d, sb.buf, sb.len);
	}
	strbuf_release(&sb);
}

static bool blocked_in_futex(const struct thread *t, const struct locknative_arch *a)
{
	return !t->waiting_on && t->regs->valid && t->regs->syscall_nr == a->futex_nr;
}

int locknative_analyze(struct dump *d, const struct mortem_opts *o, struct strbuf *err)
{
	(void)o;
	(void)err;
	const struct locknative_arch *a = locknative_host_arch();
	if (d->mem && d->mem->read && a) {
		bool any = false;
		for (size_t i = 0; i < d->nthreads && !any; i++)
			any = blocked_in_futex(d->threads[i], a);
		if (!any)
			return 0;
		struct ctx c;
		ctx_init(&c, d, a);
		for (size_t i = 0; i < d->nthreads; i++)
			if (blocked_in_futex(d->threads[i], a))
				classify_futex(&c, d->threads[i]);
		free(c.tids);
		if (d->mem->name)
			name_locks(d);
		return 0;
	}
	/*
	 * What both find depends on the frames alone: a shared frames array
	 * (a pool's threads) that gave nothing once gives nothing again. The
	 * same pass keeps the threads blocked in dl_iterate_phdr for
	 * loader_from_frames, which runs after the labels are read.
	 */
	struct ptrmemo fruitless = PTRMEMO_INIT, in_dl = PTRMEMO_INIT;
	struct thread **blocked = NULL;
	size_t nblocked = 0, blocked_alloc = 0, unused;
	for (size_t i = 0; i < d->nthreads; i++) {
		PREFETCH_FIELD(d->threads, i, d->nthreads, frames);
		PREFETCH_FIELD(d->threads, i, d->nthreads, waiting_on);
		PREFETCH_FIELD(d->threads, i, d->nthreads, frames_shared);
		struct thread *t = d->threads[i];
		if (!t->waiting_on && (!t->frames_shared || !ptrmemo_get(&fruitless, t->frames, t->nframes, &unused))) {
			wait_from_args(d, t);
			if (!t->waiting_on)
				arena_self_wait_text(d, t);
			if (!t->waiting_on && t->frames_shared)
				ptrmemo_put(&fruitless, t->frames, t->nframes, 1);
		}
		if (t->waiting_on && thread_frames_ask(&in_dl, t, waits_in_dl_iterate)) {
			ALLOC_GROW(blocked, nblocked + 1, blocked_alloc);
			blocked[nblocked++] = t;
		}
	}
	ptrmemo_release(&fruitless);
	ptrmemo_release(&in_dl);
	loader_from_labels(d, a);
	loader_from_frames(d, blocked, nblocked);
	free(blocked);
	return 0;
}
