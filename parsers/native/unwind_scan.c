/*
 * The stack-scan backend, the last resort: every 8-byte word from sp up
 * (at most SCAN_BYTES) that points into a module libdwfl knows, just after
 * a call instruction, is taken as a return address. It finds real callers
 * and also stale ones; its frames say so (TRUST_SCAN).
 */
#include <stdlib.h>

#include "parsers/native/unwind.h"
#include "analyzer/lib/arena.h"

#define SCAN_BYTES (32 * 1024)
#define SCAN_FRAMES 64

struct scan_state {
	struct unwind_target t;
};

static int scan_attach(const struct unwind_target *t, void **state, struct strbuf *err)
{
	if (!t->mem || !t->dwfl)
		return error_set(err, "scan: no memory or modules");
	if (!t->le64)
		return error_set(err, "scan: reads 64-bit little-endian stacks only");
	struct scan_state *st = xcalloc(1, sizeof(*st));
	st->t = *t;
	*state = st;
	return 0;
}

static bool in_code(const struct unwind_target *t, uint64_t pc)
{
	if (pc < 4096)
		return false;
	Dwfl_Module *m = dwfl_addrmodule(t->dwfl, pc - 1);
	return m && unwind_follows_call(t, pc);
}

static int scan_frames(void *state, int64_t tid, const struct thread_regs *regs,
		       struct unwind_result *out)
{
	struct scan_state *st = state;
	if (!regs->valid)
		return -1;
	struct unwind_frame f = { .pc = regs->pc, .activation = true, .trust = TRUST_SCAN,
				  .sp = regs->sp, .has_sp = true };
	unwind_result_add(out, &f);
	uint64_t words[512];
	size_t found = 0;
	for (uint64_t base = regs->sp & ~7ULL; base < regs->sp + SCAN_BYTES && found < SCAN_FRAMES;
	     base += sizeof(words)) {
		size_t n = sizeof(words) / 8;
		/* near the end of the stack mapping a whole block may be unreadable */
		while (n && st->t.mem->read(st->t.mem_ctx, base, words, n * 8) < 0)
			n /= 2;
		if (!n)
			break;
		for (size_t i = 0; i < n && found < SCAN_FRAMES; i++) {
			if (!in_code(&st->t, words[i]))
				continue;
			struct unwind_frame g = { .pc = words[i], .trust = TRUST_SCAN,
						  .sp = base + 8 * i + 8, .has_sp = true };
			unwind_result_add(out, &g);
			found++;
		}
		if (n < sizeof(words) / 8)
			break;
	}
	out->complete = false;
	return 0;
}

static void scan_detach(void *state)
{
	free(state);
}

const struct unwinder unwind_scan = {
	.name = "scan",
	.attach = scan_attach,
	.threads = NULL,
	.frames = scan_frames,
	.detach = scan_detach,
};
