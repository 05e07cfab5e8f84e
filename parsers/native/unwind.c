#include "parsers/native/unwind.h"

#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/arena.h"

static bool unwind_return_address_plausible(const struct unwind_target *t, uint64_t pc);

void unwind_result_release(struct unwind_result *r)
{
	free(r->frames);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

void unwind_result_add(struct unwind_result *r, const struct unwind_frame *f)
{
	ALLOC_GROW(r->frames, r->n + 1, r->alloc);
	r->frames[r->n++] = *f;
}

void unwind_result_fail(struct unwind_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct strbuf sb = STRBUF_INIT;
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(r->error);
	r->error = strbuf_detach(&sb, NULL);
	r->complete = false;
}

static void result_move(struct unwind_result *dst, struct unwind_result *src)
{
	unwind_result_release(dst);
	*dst = *src;
	memset(src, 0, sizeof(*src));
}

static const struct unwinder *unwind_find(const char *name)
{
	static const struct unwinder *const cfi[] = { &unwind_dwfl, &unwind_libunwind };
	for (size_t i = 0; i < sizeof(cfi) / sizeof(cfi[0]); i++)
		if (!strcmp(cfi[i]->name, name))
			return cfi[i];
	return NULL;
}

struct backend {
	const struct unwinder *ops;
	void *state;
	bool tried;     /* attach was attempted */
	bool ok;        /* and succeeded */
};

struct unwind_chain {
	struct unwind_target t;
	bool forced;
	struct backend first, second, fp, scan;
};

static bool backend_ready(struct unwind_chain *c, struct backend *b)
{
	if (!b->tried) {
		b->tried = true;
		b->ok = b->ops->attach(&c->t, &b->state, NULL) == 0;
	}
	return b->ok;
}

struct unwind_chain *unwind_open(const struct unwind_target *t, const char *forced,
				 struct strbuf *err)
{
	const struct unwinder *first = forced ? unwind_find(forced) : &unwind_dwfl;
	if (!first) {
		error_set(err, "unknown unwinder '%s' (dwfl or libunwind)", forced);
		return NULL;
	}
	struct unwind_chain *c = xcalloc(1, sizeof(*c));
	c->t = *t;
	c->forced = forced != NULL;
	c->first.ops = first;
	c->second.ops = first == &unwind_dwfl ? &unwind_libunwind : &unwind_dwfl;
	c->fp.ops = &unwind_fp;
	c->scan.ops = &unwind_scan;
	c->first.tried = true;
	if (first->attach(t, &c->first.state, err) < 0) {
		free(c);
		return NULL;
	}
	c->first.ok = true;
	return c;
}

void unwind_close(struct unwind_chain *c)
{
	if (!c)
		return;
	struct backend *all[] = { &c->first, &c->second, &c->fp, &c->scan };
	for (size_t i = 0; i < 4; i++)
		if (all[i]->ok)
			all[i]->ops->detach(all[i]->state);
	free(c);
}

int unwind_threads(struct unwind_chain *c, int (*each)(int64_t tid, void *arg), void *arg,
		   struct strbuf *err)
{
	if (!c->first.ops->threads)
		return error_set(err, "unwinder '%s' cannot list threads", c->first.ops->name);
	return c->first.ops->threads(c->first.state, each, arg) < 0
		       ? error_set(err, "%s: cannot list threads", c->first.ops->name)
		       : 0;
}

/* The registers of the last frame found, for the fp/scan backends to start from. */
static bool last_frame_regs(const struct unwind_result *r, const struct thread_regs *regs,
			    struct thread_regs *out)
{
	*out = *regs;
	if (!r->n)
		return regs->valid;
	const struct unwind_frame *f = &r->frames[r->n - 1];
	if (!f->has_sp)
		return false;
	out->valid = true;
	out->pc = f->pc;
	out->sp = f->sp;
	out->fp = f->has_fp ? f->fp : 0;
	return true;
}

/*
 * Appends ADD's frames after its first, which repeats OUT's last frame;
 * when OUT is empty, that first frame (the thread's registers) starts it.
 * Returns how many frames past the start were added.
 */
static size_t append_after_start(struct unwind_result *out, const struct unwind_result *add)
{
	if (!add->n)
		return 0;
	if (!out->n) {
		struct unwind_frame start = add->frames[0];
		start.trust = TRUST_CFI; /* the pc in the registers is exact */
		unwind_result_add(out, &start);
	}
	for (size_t i = 1; i < add->n; i++)
		unwind_result_add(out, &add->frames[i]);
	return add->n - 1;
}

static size_t try_fallback(struct unwind_chain *c, struct backend *b, int64_t tid,
			   const struct thread_regs *regs, struct unwind_result *out)
{
	struct thread_regs from;
	if (!last_frame_regs(out, regs, &from) || !backend_ready(c, b))
		return 0;
	struct unwind_result more = UNWIND_RESULT_INIT;
	size_t added = 0;
	if (b->ops->frames(b->state, tid, &from, &more) == 0)
		added = append_after_start(out, &more);
	unwind_result_release(&more);
	return added;
}

/* The functions a thread's stack starts in: reaching one means the stack is whole. */
static bool at_stack_root(const struct unwind_chain *c, const struct unwind_result *r)
{
	if (!r->n || !c->t.dwfl)
		return false;
	const struct unwind_frame *f = &r->frames[r->n - 1];
	uint64_t pc = f->pc - (f->activation ? 0 : 1);
	Dwfl_Module *m = dwfl_addrmodule(c->t.dwfl, pc);
	const char *name = !m ? NULL : c->t.addrname ? c->t.addrname(m, pc) : dwfl_module_addrname(m, pc);
	return (frame_name_roles(name) & ROLE_ROOT) != 0;
}

/*
 * A CFI stack that reached a thread's entry point is whole, whatever the
 * unwinder said after it. One that "ended" in code outside any module (JIT
 * code whose frame pointer led nowhere), or while the stack memory under
 * its last frame is missing (a truncated core), is incomplete.
 */
static void settle(const struct unwind_chain *c, struct unwind_result *r)
{
	bool root = at_stack_root(c, r);
	if (!r->complete && root) {
		r->complete = true;
		free(r->error);
		r->error = NULL;
	}
	if (r->complete && !root && r->n && c->t.dwfl) {
		const struct unwind_frame *f = &r->frames[r->n - 1];
		if (!dwfl_addrmodule(c->t.dwfl, f->pc - (f->activation ? 0 : 1))) {
			unwind_result_fail(r, "the stack ends in code outside any module at 0x%llx",
					   (unsigned long long)f->pc);
			return;
		}
	}
	if (r->complete && !root && r->n && r->frames[r->n - 1].has_sp && c->t.mem) {
		uint64_t sp = r->frames[r->n - 1].sp, word;
		if (c->t.mem->read(c->t.mem_ctx, sp, &word, sizeof(word)) < 0)
			unwind_result_fail(r, "stack memory at 0x%llx is not in the dump",
					   (unsigned long long)sp);
	}
}

/* Whether the code at PC has call frame information to unwind from: its module's ELF is at hand with CFI. */
static bool has_cfi(const struct unwind_chain *c, uint64_t pc)
{
	Dwfl_Module *m = dwfl_addrmodule(c->t.dwfl, pc);
	Dwarf_Addr bias;
	if (!m || !dwfl_module_getelf(m, &bias))
		return false;
	return dwfl_module_eh_cfi(m, &bias) || dwfl_module_dwarf_cfi(m, &bias);
}

/*
 * Both CFI unwinders quietly follow the frame-pointer chain where a pc has
 * no CFI (libdwfl's x86-64 backend, libunwind's x86-64 step): a frame
 * above one whose pc lies in no module (JIT code), or in a module whose
 * file is not at hand or has no CFI, was found that way.
 */
static void mark_fp_fallback(const struct unwind_chain *c, struct unwind_result *r)
{
	if (!c->t.dwfl)
		return;
	for (size_t i = 1; i < r->n; i++) {
		const struct unwind_frame *prev = &r->frames[i - 1];
		uint64_t pc = prev->pc - (prev->activation ? 0 : 1);
		if (r->frames[i].trust == TRUST_CFI && !has_cfi(c, pc))
			r->frames[i].trust = TRUST_FP;
	}
}

/* How many frames from the innermost were found by CFI. */
static size_t cfi_prefix(const struct unwind_result *r)
{
	size_t n = 0;
	while (n < r->n && r->frames[n].trust == TRUST_CFI)
		n++;
	return n;
}

/*
 * Cuts R where a walk without CFI went wrong: a frame that repeats an
 * earlier frame's pc and sp (a loop), or a frame-pointer frame whose stack
 * pointer is below its callee's (stacks grow down on every machine the fp
 * walk knows).
 */
static void cut_at_loop(struct unwind_result *r)
{
	for (size_t i = 1; i < r->n; i++) {
		const struct unwind_frame *f = &r->frames[i], *prev = &r->frames[i - 1];
		bool back = f->trust == TRUST_FP && f->has_sp && prev->has_sp && f->sp < prev->sp;
		for (size_t j = 0; j < i && !back; j++)
			back = r->frames[j].pc == f->pc && f->has_sp && r->frames[j].has_sp &&
			       r->frames[j].sp == f->sp;
		if (back) {
			if (r->error)
				r->complete = false;
			else
				unwind_result_fail(r, "frame #%zu at 0x%llx goes back up the stack", i,
						   (unsigned long long)f->pc);
			r->n = i;
			return;
		}
	}
}

/*
 * Cuts R at its first return address that cannot be one (see
 * unwind_return_address_plausible): a CFI unwinder that lost its way where
 * a pc has no CFI reads a data word as the caller, and the frames after it
 * are not to be trusted. Signal frames and the pcs they interrupted are
 * exact, not return addresses, and are not checked.
 */
static void cut_at_implausible(const struct unwind_chain *c, struct unwind_result *r,
			       const char *who)
{
	for (size_t i = 1; i < r->n; i++) {
		const struct unwind_frame *f = &r->frames[i];
		if (f->activation || f->signal || unwind_return_address_plausible(&c->t, f->pc))
			continue;
		unwind_result_fail(r, "%s: frame #%zu at 0x%llx is not after a call in executable code",
				   who, i, (unsigned long long)f->pc);
		r->n = i;
		return;
	}
}

void unwind_thread(struct unwind_chain *c, int64_t tid, const struct thread_regs *regs,
		   struct unwind_result *out, const char **used)
{
	*used = c->first.ops->name;
	if (c->first.ops->frames(c->first.state, tid, regs, out) < 0 && !out->error)
		unwind_result_fail(out, "%s: cannot unwind", c->first.ops->name);
	mark_fp_fallback(c, out);
	settle(c, out);
	if (out->complete || (c->t.max_frames && out->n >= c->t.max_frames))
		return;
	if (!c->forced && backend_ready(c, &c->second)) {
		struct unwind_result alt = UNWIND_RESULT_INIT;
		if (c->second.ops->frames(c->second.state, tid, regs, &alt) == 0) {
			mark_fp_fallback(c, &alt);
			cut_at_implausible(c, &alt, c->second.ops->name);
			cut_at_loop(&alt);
			settle(c, &alt);
		}
		/*
		 * taken when it is whole by CFI alone (a walk that guessed by
		 * frame pointers on the way is not whole, wherever it ended), or
		 * its CFI frames reach further
		 */
		size_t alt_cfi = cfi_prefix(&alt);
		if (alt.n && ((alt.complete && alt_cfi == alt.n) || alt_cfi > out->n)) {
			char *why = out->error;
			out->error = NULL;
			result_move(out, &alt);
			if (!out->complete && !out->error)
				out->error = why;
			else
				free(why);
			*used = c->second.ops->name;
		}
		unwind_result_release(&alt);
		if (out->complete)
			return;
	}
	bool first_is_dwfl = !strcmp(*used, "dwfl");
	if (try_fallback(c, &c->fp, tid, regs, out))
		*used = first_is_dwfl ? "dwfl+fp" : "libunwind+fp";
	else if (try_fallback(c, &c->scan, tid, regs, out))
		*used = first_is_dwfl ? "dwfl+scan" : "libunwind+scan";
	cut_at_loop(out);
}

/* x86-64: e8 rel32; ff /2 with the usual encodings (2, 3, 4, 6, 7 bytes). */
static bool x86_64_call_before(const unsigned char *b /* 8 bytes ending at pc */)
{
	if (b[3] == 0xe8)
		return true;
	for (int len = 2; len <= 7; len++) {
		const unsigned char *op = b + 8 - len;
		if (op[0] != 0xff)
			continue;
		unsigned modrm = op[1], mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
		if (reg != 2)
			continue;
		int want = 2;
		if (mod != 3 && rm == 4)
			want++; /* SIB */
		if (mod == 1)
			want += 1;
		else if (mod == 2 || (mod == 0 && rm == 5))
			want += 4;
		if (want == len)
			return true;
	}
	return false;
}

/* 1: a call instruction ends just before PC; 0: none does; -1: the code cannot be read or decoded. */
static int call_before(const struct unwind_target *t, uint64_t pc)
{
	unsigned char b[8];
	if ((t->machine != EM_X86_64 && t->machine != EM_AARCH64) || !t->le64)
		return -1;
	if (pc < 8 || !t->mem || t->mem->read(t->mem_ctx, pc - 8, b, 8) < 0)
		return -1;
	if (t->machine == EM_X86_64)
		return x86_64_call_before(b);
	uint32_t insn;
	memcpy(&insn, b + 4, 4);
	return (insn & 0xfc000000u) == 0x94000000u ||   /* bl */
	       (insn & 0xfffffc1fu) == 0xd63f0000u;     /* blr */
}

bool unwind_follows_call(const struct unwind_target *t, uint64_t pc)
{
	return call_before(t, pc) == 1;
}

/* Whether ADDR (module-relative, bias removed) lies in an executable PT_LOAD of ELF. */
static bool in_exec_segment(Elf *elf, uint64_t addr)
{
	size_t n;
	if (elf_getphdrnum(elf, &n) < 0)
		return true; /* cannot tell */
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (addr >= ph.p_vaddr && addr - ph.p_vaddr < ph.p_memsz)
			return (ph.p_flags & PF_X) != 0;
	}
	return false;
}

static bool unwind_return_address_plausible(const struct unwind_target *t, uint64_t pc)
{
	if (pc < 4096)
		return false;
	if (t->dwfl) {
		Dwfl_Module *m = dwfl_addrmodule(t->dwfl, pc - 1);
		Dwarf_Addr bias;
		Elf *elf = m ? dwfl_module_getelf(m, &bias) : NULL;
		if (elf && !in_exec_segment(elf, pc - 1 - bias))
			return false;
	}
	return call_before(t, pc) != 0;
}
