/*
 * The frame-pointer backend: from (pc, sp, fp), follow the chain of saved
 * frame pointers: on x86-64 and aarch64 alike [fp] holds the caller's fp
 * and [fp+8] the return address. A link is accepted while fp stays
 * aligned, above sp, within 64 MiB of it and strictly growing, and the
 * return address points at readable memory.
 */
#include <elf.h>
#include <stdlib.h>

#include "parsers/native/unwind.h"
#include "analyzer/lib/arena.h"

#define STACK_SPAN (64ULL << 20)

struct fp_state {
	struct unwind_target t;
};

static int fp_attach(const struct unwind_target *t, void **state, struct strbuf *err)
{
	if (!t->mem)
		return error_set(err, "fp: no memory to read");
	if (!t->le64 || (t->machine != EM_X86_64 && t->machine != EM_AARCH64))
		return error_set(err, "fp: frame layout known for x86-64 and aarch64 only");
	struct fp_state *st = xcalloc(1, sizeof(*st));
	st->t = *t;
	*state = st;
	return 0;
}

static bool readable(const struct unwind_target *t, uint64_t addr)
{
	unsigned char b;
	return t->mem->read(t->mem_ctx, addr, &b, 1) == 0;
}

static int fp_frames(void *state, int64_t tid, const struct thread_regs *regs,
		     struct unwind_result *out)
{
	struct fp_state *st = state;
	const struct unwind_target *t = &st->t;
	if (!regs->valid)
		return -1;
	struct unwind_frame f = { .pc = regs->pc, .activation = true, .trust = TRUST_FP,
				  .sp = regs->sp, .fp = regs->fp, .has_sp = true, .has_fp = true };
	unwind_result_add(out, &f);
	uint64_t fp = regs->fp, sp = regs->sp;
	size_t max = t->max_frames ? t->max_frames : 4096;
	while (out->n < max) {
		if (!fp || (fp & 7) || fp < sp || fp - sp > STACK_SPAN)
			break;
		uint64_t link[2];
		if (t->mem->read(t->mem_ctx, fp, link, sizeof(link)) < 0)
			break;
		uint64_t ret = link[1], next = link[0];
		if (ret < 4096 || !readable(t, ret - 1))
			break;
		struct unwind_frame g = { .pc = ret, .trust = TRUST_FP, .sp = fp + 16,
					  .fp = next, .has_sp = true, .has_fp = true };
		unwind_result_add(out, &g);
		if (next <= fp)
			break;
		sp = fp + 16;
		fp = next;
	}
	out->complete = false;
	return 0;
}

static void fp_detach(void *state)
{
	free(state);
}

const struct unwinder unwind_fp = {
	.name = "fp",
	.attach = fp_attach,
	.threads = NULL,
	.frames = fp_frames,
	.detach = fp_detach,
};
