/*
 * The libunwind backend: libunwind-coredump (_UCD_create over the core,
 * the mapped files added as backing files so it finds .eh_frame) for cores,
 * libunwind-ptrace (_UPT_create per stopped thread) for live processes.
 * libunwind is built for the host's architecture only: a core of another
 * machine cannot use it (attach fails and the chain goes on without it).
 */
#include <elf.h>
#include <libunwind-coredump.h>
#include <libunwind-ptrace.h>
#include <stdlib.h>
#include <string.h>

#include "unwind.h"
#include "../analyzer/arena.h"

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#define UNW_FP_REG UNW_X86_64_RBP
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#define UNW_FP_REG UNW_AARCH64_X29
#else
#define HOST_MACHINE EM_NONE
#define UNW_FP_REG UNW_REG_SP
#endif

struct lu_state {
	struct UCD_info *ucd;   /* core */
	unw_addr_space_t as;
	int64_t pid;            /* live */
	size_t max_frames;
	int nthreads;
};

static int lu_attach(const struct unwind_target *t, void **state, struct strbuf *err)
{
	if (t->machine != HOST_MACHINE)
		return error_set(err, "libunwind: only for this machine's architecture");
	struct lu_state *st = xcalloc(1, sizeof(*st));
	st->max_frames = t->max_frames;
	st->pid = t->pid;
	if (t->core_path) {
		st->ucd = _UCD_create(t->core_path);
		if (!st->ucd) {
			free(st);
			return error_set(err, "_UCD_create: cannot read the core");
		}
		for (size_t i = 0; i < t->nmaps; i++)
			if (t->maps[i].path && t->maps[i].path[0] == '/')
				_UCD_add_backing_file_at_vaddr(st->ucd, t->maps[i].start,
							       t->maps[i].path);
		st->nthreads = _UCD_get_num_threads(st->ucd);
		st->as = unw_create_addr_space(&_UCD_accessors, 0);
	} else {
		st->as = unw_create_addr_space(&_UPT_accessors, 0);
	}
	if (!st->as) {
		if (st->ucd)
			_UCD_destroy(st->ucd);
		free(st);
		return error_set(err, "unw_create_addr_space failed");
	}
	unw_set_caching_policy(st->as, UNW_CACHE_GLOBAL);
	*state = st;
	return 0;
}

static int lu_threads(void *state, int (*each)(int64_t tid, void *arg), void *arg)
{
	struct lu_state *st = state;
	if (!st->ucd)
		return -1;
	for (int i = 0; i < st->nthreads; i++) {
		_UCD_select_thread(st->ucd, i);
		if (each(_UCD_get_pid(st->ucd), arg))
			break;
	}
	return 0;
}

static bool select_tid(struct lu_state *st, int64_t tid)
{
	for (int i = 0; i < st->nthreads; i++) {
		_UCD_select_thread(st->ucd, i);
		if (_UCD_get_pid(st->ucd) == tid)
			return true;
	}
	return false;
}

static void walk(struct lu_state *st, unw_cursor_t *c, struct unwind_result *out)
{
	bool activation = true;
	for (;;) {
		unw_word_t ip = 0, sp = 0, fp = 0;
		if (unw_get_reg(c, UNW_REG_IP, &ip) < 0 || !ip)
			break;
		struct unwind_frame f = { .pc = ip, .activation = activation, .trust = TRUST_CFI };
		if (unw_get_reg(c, UNW_REG_SP, &sp) == 0) {
			f.sp = sp;
			f.has_sp = true;
		}
		if (unw_get_reg(c, UNW_FP_REG, &fp) == 0) {
			f.fp = fp;
			f.has_fp = true;
		}
		f.signal = unw_is_signal_frame(c) > 0;
		activation = f.signal;
		unwind_result_add(out, &f);
		if (st->max_frames && out->n >= st->max_frames)
			return;
		int rc = unw_step(c);
		if (rc < 0) {
			unwind_result_fail(out, "libunwind: %s", unw_strerror(rc));
			return;
		}
		if (rc == 0)
			return;
	}
}

static int lu_frames(void *state, int64_t tid, const struct thread_regs *regs,
		     struct unwind_result *out)
{
	struct lu_state *st = state;
	unw_cursor_t c;
	void *upt = NULL;
	out->complete = true;
	if (st->ucd) {
		if (!select_tid(st, tid)) {
			unwind_result_fail(out, "libunwind: no thread %lld in the core", (long long)tid);
			return -1;
		}
		if (unw_init_remote(&c, st->as, st->ucd) < 0) {
			unwind_result_fail(out, "libunwind: unw_init_remote failed");
			return -1;
		}
	} else {
		upt = _UPT_create((pid_t)tid);
		if (!upt || unw_init_remote(&c, st->as, upt) < 0) {
			if (upt)
				_UPT_destroy(upt);
			unwind_result_fail(out, "libunwind: cannot start on thread %lld", (long long)tid);
			return -1;
		}
	}
	walk(st, &c, out);
	if (upt)
		_UPT_destroy(upt);
	return out->n ? 0 : -1;
}

static void lu_detach(void *state)
{
	struct lu_state *st = state;
	unw_destroy_addr_space(st->as);
	if (st->ucd)
		_UCD_destroy(st->ucd);
	free(st);
}

const struct unwinder unwind_libunwind = {
	.name = "libunwind",
	.attach = lu_attach,
	.threads = lu_threads,
	.frames = lu_frames,
	.detach = lu_detach,
};
