/*
 * The libdwfl backend: dwfl_getthreads over the attached core or process,
 * dwfl_thread_getframes per thread (CFI from .eh_frame/.debug_frame, with
 * elfutils' own fallbacks). A frame whose successor is an activation (the
 * interrupted pc above a signal handler) is the signal trampoline.
 */
#include <elfutils/libdwfl.h>
#include <stdlib.h>

#include "parsers/native/native.h"
#include "parsers/native/regs.h"
#include "parsers/native/unwind.h"
#include "analyzer/lib/arena.h"

struct dwfl_state {
	Dwfl *dwfl;
	int sp_reg, fp_reg;
	size_t max_frames;
	bool bad_thread_id;     /* unwind_target.bad_thread_id: no dwfl_getthreads */
	Dwfl_Thread *current;   /* the thread inside dwfl_getthreads' callback */
	int (*each)(int64_t tid, void *arg);
	void *arg;
};

struct frames_arg {
	struct dwfl_state *st;
	struct unwind_result *out;
};

static int dwfl_attach(const struct unwind_target *t, void **state, struct strbuf *err)
{
	if (!t->dwfl)
		return error_set(err, "dwfl: no process attached");
	struct dwfl_state *st = xcalloc(1, sizeof(*st));
	st->dwfl = t->dwfl;
	st->sp_reg = regs_dwarf_sp(t->machine);
	st->fp_reg = regs_dwarf_fp(t->machine);
	st->max_frames = t->max_frames;
	st->bad_thread_id = t->bad_thread_id;
	*state = st;
	return 0;
}

static int thread_cb(Dwfl_Thread *thread, void *arg)
{
	struct dwfl_state *st = arg;
	st->current = thread;
	int rc = st->each(dwfl_thread_tid(thread), st->arg);
	st->current = NULL;
	return rc ? DWARF_CB_ABORT : DWARF_CB_OK;
}

static int dwfl_threads(void *state, int (*each)(int64_t tid, void *arg), void *arg)
{
	struct dwfl_state *st = state;
	st->each = each;
	st->arg = arg;
	if (st->bad_thread_id)
		return -1;
	return dwfl_getthreads(st->dwfl, thread_cb, st) < 0 ? -1 : 0;
}

static int frame_cb(Dwfl_Frame *frame, void *arg)
{
	struct frames_arg *fa = arg;
	struct unwind_result *out = fa->out;
	Dwarf_Addr pc;
	bool activation;
	if (!dwfl_frame_pc(frame, &pc, &activation))
		return -1;
	struct unwind_frame f = { .pc = pc, .activation = activation, .trust = TRUST_CFI };
	Dwarf_Word v;
	if (fa->st->sp_reg >= 0 && dwfl_frame_reg(frame, (unsigned)fa->st->sp_reg, &v) == 0) {
		f.sp = v;
		f.has_sp = true;
	}
	if (fa->st->fp_reg >= 0 && dwfl_frame_reg(frame, (unsigned)fa->st->fp_reg, &v) == 0) {
		f.fp = v;
		f.has_fp = true;
	}
	/*
	 * libdwfl reports both the signal trampoline and the interrupted frame
	 * above it as activations: the first of two activations after the
	 * innermost frame is the trampoline.
	 */
	if (out->n >= 2 && activation && out->frames[out->n - 1].activation)
		out->frames[out->n - 1].signal = true;
	/* a frame that repeats the previous pc and sp makes no progress */
	if (out->n) {
		const struct unwind_frame *p = &out->frames[out->n - 1];
		if (p->pc == f.pc && p->has_sp && f.has_sp && p->sp == f.sp) {
			unwind_result_fail(out, "dwfl: unwinding made no progress at 0x%llx",
					   (unsigned long long)pc);
			return DWARF_CB_ABORT;
		}
	}
	unwind_result_add(out, &f);
	if (fa->st->max_frames && out->n >= fa->st->max_frames)
		return DWARF_CB_ABORT;
	return DWARF_CB_OK;
}

static int dwfl_frames(void *state, int64_t tid, const struct thread_regs *regs,
		       struct unwind_result *out)
{
	struct dwfl_state *st = state;
	struct frames_arg fa = { st, out };
	out->complete = true;
	/*
	 * Only the thread libdwfl itself is listing: looking a thread up by
	 * tid (dwfl_getthread_frames) leaks in libdw 0.188 when the tid is
	 * not there, as with a damaged note.
	 */
	if (!st->current || dwfl_thread_tid(st->current) != tid) {
		unwind_result_fail(out, "dwfl: thread %lld is not in libdwfl's list", (long long)tid);
		return -1;
	}
	int rc = dwfl_thread_getframes(st->current, frame_cb, &fa);
	if (rc < 0) {
		unwind_result_fail(out, "dwfl: %s", dwfl_error());
		return out->n ? 0 : -1;
	}
	return 0;
}

static void dwfl_detach(void *state)
{
	free(state);
}

const struct unwinder unwind_dwfl = {
	.name = "dwfl",
	.attach = dwfl_attach,
	.threads = dwfl_threads,
	.frames = dwfl_frames,
	.detach = dwfl_detach,
};
