/* Classifying futex words from memory (glibc layouts) and waits from frame arguments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/model/dump.h"
#include "analyzer/analysis/lockgraph.h"
#include "analyzer/analysis/locknative.h"
#include "analyzer/model/options.h"

/* A process image: BASE .. BASE+sizeof(mem), plus two symbols. */
#define BASE 0x10000ull
static unsigned char mem[0x4000];
static const uint64_t rtld = BASE + 0x1000, arena = BASE + 0x3000;

static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	if (addr < BASE || addr + len > BASE + sizeof(mem))
		return -1;
	memcpy(buf, mem + (addr - BASE), len);
	return 0;
}

static int fake_symbol(void *ctx, const char *module, const char *name, uint64_t *addr)
{
	(void)ctx;
	(void)module;
	if (!strcmp(name, "_rtld_global"))
		*addr = rtld;
	else if (!strcmp(name, "main_arena"))
		*addr = arena;
	else
		return -1;
	return 0;
}

/* The image's data symbols: "accounts" (two 64-byte structs with a mutex at +16) at BASE+0x100. */
static int fake_name(void *ctx, uint64_t addr, struct strbuf *out)
{
	(void)ctx;
	if (addr < BASE + 0x100 || addr >= BASE + 0x180)
		return -1; /* the heap */
	strbuf_adds(out, "accounts");
	if (addr > BASE + 0x100)
		strbuf_addf(out, "+0x%llx", (unsigned long long)(addr - BASE - 0x100));
	return 0;
}

static const struct memory_ops fake_ops = { fake_read, fake_symbol, fake_name };

static void put32(uint64_t addr, uint32_t v)
{
	memcpy(mem + (addr - BASE), &v, 4);
}

static struct dump *new_dump(void)
{
	memset(mem, 0, sizeof(mem));
	struct dump *d = dump_new("core");
	d->mem = &fake_ops;
	return d;
}

static struct thread *thr(struct dump *d, int tid, const char *const *frames)
{
	char id[16];
	snprintf(id, sizeof(id), "%d", tid);
	struct thread *t = dump_add_thread(d, id);
	t->tid = tid;
	for (size_t i = 0; frames && frames[i]; i++) {
		struct frame *f = thread_add_frame(d, t);
		if (!strcmp(frames[i], "SIGNAL"))
			f->kind = FRAME_SIGNAL;
		f->function = frames[i];
	}
	return t;
}

static void in_futex(struct dump *d, struct thread *t, uint64_t addr, unsigned op)
{
	struct thread_regs *r = thread_regs(d, t);
	r->valid = true;
	r->syscall_nr = locknative_host_arch()->futex_nr;
	r->syscall_arg[0] = addr;
	r->syscall_arg[1] = op;
}

static void run(struct dump *d)
{
	struct mortem_opts o = MORTEM_OPTS_INIT;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(locknative_analyze(d, &o, &err), 0);
	assert_int_equal(lockgraph_analyze(d, &o, &err), 0);
	strbuf_release(&err);
}

static const char *const mutex_wait[] = { "futex_wait", "__GI___lll_lock_wait", "___pthread_mutex_lock",
					  "worker", NULL };

/* The layout table matches the glibc this test is built against. */
static void test_layouts_match_glibc(void **state)
{
	(void)state;
	const struct locknative_arch *a = locknative_host_arch();
	if (!a)
		skip();
	assert_int_equal(a->mutex_count, offsetof(pthread_mutex_t, __data.__count));
	assert_int_equal(a->mutex_owner, offsetof(pthread_mutex_t, __data.__owner));
	assert_int_equal(a->mutex_kind, offsetof(pthread_mutex_t, __data.__kind));
	assert_int_equal(a->rwlock_wrphase_futex, offsetof(pthread_rwlock_t, __data.__wrphase_futex));
	assert_int_equal(a->rwlock_writers_futex, offsetof(pthread_rwlock_t, __data.__writers_futex));
	assert_int_equal(a->rwlock_cur_writer, offsetof(pthread_rwlock_t, __data.__cur_writer));
	assert_int_equal(a->rwlock_flags, offsetof(pthread_rwlock_t, __data.__flags));
	assert_int_equal(a->rtld_lock_size, sizeof(pthread_mutex_t));
	assert_non_null(locknative_arch("aarch64"));
	assert_int_equal(locknative_arch("aarch64")->futex_nr, 98);
}

/* ABBA over two mutexes whose owners are read from memory. */
static void test_mutex_owners(void **state)
{
	(void)state;
	struct dump *d = new_dump();
	struct thread *a = thr(d, 101, mutex_wait), *b = thr(d, 102, mutex_wait);
	uint64_t ma = BASE + 0x100, mb = BASE + 0x140;
	put32(ma, 2), put32(ma + 8, 101);
	put32(mb, 2), put32(mb + 8, 102);
	in_futex(d, a, mb, 128);
	in_futex(d, b, ma, 128);
	run(d);
	assert_int_equal(a->waiting_on->kind, LOCK_PTHREAD_MUTEX);
	assert_string_equal(a->waiting_on->id, "0x10140");
	assert_string_equal(a->waiting_on->label, "accounts+0x40"); /* named from the symbols */
	assert_string_equal(b->waiting_on->label, "accounts");
	assert_ptr_equal(a->waiting_on->owner, b);
	assert_int_equal(b->nholds, 1);
	struct finding *f = dump_find_finding(d, "lock-cycle");
	assert_non_null(f);
	assert_int_equal(f->nthreads, 2);
	assert_int_equal(f->confidence, CONF_CERTAIN);
	dump_free(d);
}

/* A thread locking its own non-recursive mutex again. */
static void test_self_mutex(void **state)
{
	(void)state;
	struct dump *d = new_dump();
	struct thread *a = thr(d, 7, mutex_wait);
	put32(BASE + 0x200, 2), put32(BASE + 0x208, 7);
	in_futex(d, a, BASE + 0x200, 128);
	run(d);
	struct finding *f = dump_find_finding(d, "lock-cycle");
	assert_non_null(f);
	assert_int_equal(f->nthreads, 1);
	dump_free(d);
}

/* Writer holds the rwlock (cur_writer) and wants M; M's owner waits on __wrphase_futex. */
static void test_rwlock_writer(void **state)
{
	(void)state;
	static const char *const rd[] = { "futex_wait", "__pthread_rwlock_rdlock_full64", "reader", NULL };
	struct dump *d = new_dump();
	struct thread *w = thr(d, 201, mutex_wait), *r = thr(d, 202, rd);
	uint64_t rw = BASE + 0x400, m = BASE + 0x480;
	put32(rw + 24, 201); /* __cur_writer */
	put32(rw + 8, 1);    /* __wrphase_futex */
	put32(m, 2), put32(m + 8, 202);
	in_futex(d, w, m, 128);
	in_futex(d, r, rw + 8, 137);
	run(d);
	assert_int_equal(r->waiting_on->kind, LOCK_PTHREAD_RWLOCK);
	assert_string_equal(r->waiting_on->id, "0x10400");
	assert_ptr_equal(r->waiting_on->owner, w);
	assert_non_null(dump_find_finding(d, "lock-cycle"));
	dump_free(d);
}

/* Joiner holds M and joins J, who waits for M: the join word is J's TID at its descriptor. */
static void test_join(void **state)
{
	(void)state;
	static const char *const jn[] = { "__futex_abstimed_wait_common", "__pthread_clockjoin_ex", "joiner", NULL };
	const struct locknative_arch *a = locknative_host_arch();
	struct dump *d = new_dump();
	struct thread *joiner = thr(d, 301, jn), *joined = thr(d, 302, mutex_wait);
	uint64_t pd = BASE + 0x800, m = BASE + 0x700;
	thread_regs(d, joined)->tls_base = pd;
	put32(pd + (uint64_t)a->thread_tid, 302);
	put32(m, 2), put32(m + 8, 301);
	in_futex(d, joiner, pd + (uint64_t)a->thread_tid, 0);
	in_futex(d, joined, m, 128);
	run(d);
	assert_int_equal(joiner->waiting_on->kind, LOCK_THREAD_JOIN);
	assert_ptr_equal(joiner->waiting_on->owner, joined);
	assert_false(joiner->waiting_on->owner_inferred);
	struct finding *f = dump_find_finding(d, "lock-cycle");
	assert_non_null(f);
	assert_int_equal(f->confidence, CONF_CERTAIN);
	dump_free(d);
}

/* The founding case: the loader's write lock (recursive, owner A) and an application mutex (owner B). */
static void test_loader_lock(void **state)
{
	(void)state;
	static const char *const walker[] = { "futex_wait", "___pthread_mutex_lock", "callback",
					      "dl_iterate_phdr", NULL };
	static const char *const unwinder[] = { "futex_wait", "__GI___lll_lock_wait", "___pthread_mutex_lock",
						"__GI___dl_iterate_phdr", "unw_backtrace", NULL };
	const struct locknative_arch *a = locknative_host_arch();
	struct dump *d = new_dump();
	struct thread *ta = thr(d, 401, walker), *tb = thr(d, 402, unwinder);
	uint64_t lw = rtld + a->rtld_load_write_lock, m = BASE + 0x100;
	put32(lw, 2), put32(lw + 4, 1), put32(lw + 8, 401), put32(lw + 16, 1);
	put32(m, 2), put32(m + 8, 402);
	in_futex(d, ta, m, 128);
	in_futex(d, tb, lw, 0);
	run(d);
	assert_int_equal(tb->waiting_on->kind, LOCK_LOADER);
	assert_string_equal(tb->waiting_on->label, "_rtld_global._dl_load_write_lock");
	assert_ptr_equal(tb->waiting_on->owner, ta);
	struct finding *f = dump_find_finding(d, "lock-cycle");
	assert_non_null(f);
	assert_non_null(strstr(f->summary, "loader_lock"));
	assert_non_null(strstr(f->summary, "_rtld_global._dl_load_write_lock"));
	dump_free(d);
}

/* malloc -> signal -> handler -> malloc -> arena lock: the thread waits for itself. */
static void test_arena_self_deadlock(void **state)
{
	(void)state;
	static const char *const fr[] = { "__lll_lock_wait_private", "_int_malloc", "malloc", "handler",
					  "SIGNAL", "_int_free", "free", "main", NULL };
	static const char *const other[] = { "__lll_lock_wait_private", "_int_free", "free", "work", NULL };
	struct dump *d = new_dump();
	struct thread *t = thr(d, 501, fr), *o = thr(d, 502, other);
	put32(arena, 2);
	in_futex(d, t, arena, 128);
	in_futex(d, o, arena, 128);
	run(d);
	assert_int_equal(t->waiting_on->kind, LOCK_FUTEX);
	assert_string_equal(t->waiting_on->label, "glibc malloc arena lock (main_arena)");
	assert_true(t->waiting_on->owner_inferred);
	assert_ptr_equal(o->waiting_on, t->waiting_on);
	struct finding *f = dump_find_finding(d, "lock-cycle");
	assert_non_null(f);
	assert_int_equal(f->nthreads, 1);
	assert_ptr_equal(f->threads[0], t);
	assert_int_equal(f->confidence, CONF_LIKELY);
	assert_true(d->input.nwarnings >= 1);
	dump_free(d);
}

/* Condition variables and unreadable words: no lock edge, no false owner. */
static void test_not_locks(void **state)
{
	(void)state;
	static const char *const cond[] = { "futex_wait", "__pthread_cond_wait_common", "___pthread_cond_wait",
					    "sleeper", NULL };
	struct dump *d = new_dump();
	struct thread *c = thr(d, 601, cond), *u = thr(d, 602, NULL), *x = thr(d, 603, NULL);
	put32(BASE + 0x900, 0);
	in_futex(d, c, BASE + 0x900, 128);
	in_futex(d, u, 0x99999999, 128);
	put32(BASE + 0x940, 5);
	in_futex(d, x, BASE + 0x940, 128); /* a plain futex word: kept as kind futex, no owner */
	run(d);
	assert_null(c->waiting_on);
	assert_int_equal(u->waiting_on->kind, LOCK_FUTEX);
	assert_null(u->waiting_on->owner);
	assert_int_equal(x->waiting_on->kind, LOCK_FUTEX);
	assert_int_equal(d->nfindings, 0);
	dump_free(d);
}

/* Text dumps: mutex=0x… in a frame's arguments names the waited lock. */
static void test_text_args(void **state)
{
	(void)state;
	struct dump *d = dump_new("gdb.txt");
	struct thread *t = thr(d, 1, mutex_wait);
	t->frames[2].args = "mutex=mutex@entry=0x558eaacfe240 <m>";
	struct thread *r = thr(d, 2, (const char *const[]){ "futex_wait", "___pthread_rwlock_wrlock", "w", NULL });
	r->frames[1].args = "rwlock=0x5000";
	run(d);
	assert_non_null(t->waiting_on);
	assert_string_equal(t->waiting_on->id, "0x558eaacfe240");
	assert_int_equal(t->waiting_on->kind, LOCK_PTHREAD_MUTEX);
	assert_string_equal(r->waiting_on->id, "0x5000");
	assert_int_equal(r->waiting_on->kind, LOCK_PTHREAD_RWLOCK);
	dump_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts_match_glibc),
		cmocka_unit_test(test_mutex_owners),
		cmocka_unit_test(test_self_mutex),
		cmocka_unit_test(test_rwlock_writer),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_loader_lock),
		cmocka_unit_test(test_arena_self_deadlock),
		cmocka_unit_test(test_not_locks),
		cmocka_unit_test(test_text_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
