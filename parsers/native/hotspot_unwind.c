/*
 * The native frames below a Java call from the VM, unwound by CFI from the
 * registers the call stub saved (hsframes.h, struct hsentry): a thread's
 * unwinder that lost its way in generated code (no CFI; a compiled method
 * that uses rbp for data) finds nothing, or guesses, below the Java frames,
 * while the entry frame tells exactly where JavaCalls::call_helper was.
 * x86-64 only, as the Java frame walk is.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdlib.h>

#include "parsers/native/hotspot_impl.h"

#define NREGS 17  /* DWARF x86-64: rax rdx rcx rbx rsi rdi rbp rsp r8-r15, 16 the return address */
#define REG_RBX 3
#define REG_RBP 6
#define REG_RSP 7
#define REG_R12 12
#define REG_RA 16
#define STACK_DEPTH 16

struct regs {
	uint64_t v[NREGS];
	uint32_t known;           /* bit per register */
};

static void set_reg(struct regs *r, unsigned reg, uint64_t v)
{
	r->v[reg] = v;
	r->known |= 1u << reg;
}

static bool get_reg(const struct regs *r, uint64_t reg, uint64_t *v)
{
	if (reg >= NREGS || !(r->known & (1u << reg)))
		return false;
	*v = r->v[reg];
	return true;
}

static bool binary(uint8_t op, uint64_t a, uint64_t b, uint64_t *out)
{
	switch (op) {
	case DW_OP_plus: *out = a + b; return true;
	case DW_OP_minus: *out = a - b; return true;
	case DW_OP_mul: *out = a * b; return true;
	case DW_OP_and: *out = a & b; return true;
	case DW_OP_or: *out = a | b; return true;
	case DW_OP_xor: *out = a ^ b; return true;
	case DW_OP_shl: *out = b < 64 ? a << b : 0; return true;
	case DW_OP_shr: *out = b < 64 ? a >> b : 0; return true;
	case DW_OP_ge: *out = (int64_t)a >= (int64_t)b; return true;
	case DW_OP_gt: *out = (int64_t)a > (int64_t)b; return true;
	case DW_OP_le: *out = (int64_t)a <= (int64_t)b; return true;
	case DW_OP_lt: *out = (int64_t)a < (int64_t)b; return true;
	case DW_OP_eq: *out = a == b; return true;
	case DW_OP_ne: *out = a != b; return true;
	default: return false;
	}
}

/*
 * Evaluates the DWARF expression OPS (CFI: registers, the CFA, constants,
 * arithmetic, dereferences). *VALUE says whether the result is a value
 * (DW_OP_stack_value, a register) or the address where the value is.
 * Returns 0, or -1 for an operation outside that set or an unknown input.
 */
static int eval(struct hotspot *h, const Dwarf_Op *ops, size_t nops, const struct regs *r, uint64_t cfa,
		uint64_t *out, bool *value)
{
	uint64_t st[STACK_DEPTH], v;
	size_t n = 0;
	*value = false;
	for (size_t i = 0; i < nops; i++) {
		uint8_t op = ops[i].atom;
		if (n == STACK_DEPTH)
			return -1;
		if (op >= DW_OP_lit0 && op <= DW_OP_lit31) {
			st[n++] = op - DW_OP_lit0;
		} else if (op >= DW_OP_breg0 && op <= DW_OP_breg31) {
			if (!get_reg(r, op - DW_OP_breg0, &v))
				return -1;
			st[n++] = v + ops[i].number;
		} else if (op >= DW_OP_reg0 && op <= DW_OP_reg31) {
			if (nops != 1 || !get_reg(r, op - DW_OP_reg0, out))
				return -1;
			*value = true;
			return 0;
		} else if (op == DW_OP_bregx || op == DW_OP_regx) {
			if (!get_reg(r, ops[i].number, &v))
				return -1;
			if (op == DW_OP_regx) {
				*out = v;
				*value = true;
				return nops == 1 ? 0 : -1;
			}
			st[n++] = v + ops[i].number2;
		} else if (op == DW_OP_call_frame_cfa) {
			st[n++] = cfa;
		} else if (op == DW_OP_const1u || op == DW_OP_const2u || op == DW_OP_const4u ||
			   op == DW_OP_const8u || op == DW_OP_constu || op == DW_OP_const1s ||
			   op == DW_OP_const2s || op == DW_OP_const4s || op == DW_OP_const8s ||
			   op == DW_OP_consts) {
			st[n++] = ops[i].number;
		} else if (op == DW_OP_plus_uconst) {
			if (!n)
				return -1;
			st[n - 1] += ops[i].number;
		} else if (op == DW_OP_deref) {
			if (!n || h->n->read(h->n->read_ctx, st[n - 1], &st[n - 1], 8) < 0)
				return -1;
		} else if (op == DW_OP_stack_value) {
			*value = true;
			break;
		} else if (n >= 2 && binary(op, st[n - 2], st[n - 1], &v)) {
			st[n - 2] = v;
			n--;
		} else {
			return -1;
		}
	}
	if (!n)
		return -1;
	*out = st[n - 1];
	return 0;
}

/* The CFI frame state at PC (a return address: looked up at pc - 1), or NULL. */
static Dwarf_Frame *frame_at(struct hotspot *h, uint64_t pc)
{
	Dwfl_Module *m = dwfl_addrmodule(h->n->dwfl, pc - 1);
	Dwarf_Addr bias;
	Dwarf_Frame *f = NULL;
	Dwarf_CFI *cfi = m ? dwfl_module_eh_cfi(m, &bias) : NULL;
	if (cfi && dwarf_cfi_addrframe(cfi, pc - 1 - bias, &f) == 0)
		return f;
	free(f);
	f = NULL;
	cfi = m ? dwfl_module_dwarf_cfi(m, &bias) : NULL;
	if (cfi && dwarf_cfi_addrframe(cfi, pc - 1 - bias, &f) == 0)
		return f;
	free(f);
	return NULL;
}

/* The caller's value of register REG by F's rule; false when undefined or unknown. */
static bool caller_reg(struct hotspot *h, Dwarf_Frame *f, int reg, const struct regs *r, uint64_t cfa,
		       uint64_t *out)
{
	Dwarf_Op mem[3], *ops;
	size_t nops;
	bool value;
	if (dwarf_frame_register(f, reg, mem, &ops, &nops) != 0 || (nops == 0 && ops == mem))
		return false;
	if (nops == 0)
		return get_reg(r, (uint64_t)reg, out); /* same value */
	if (eval(h, ops, nops, r, cfa, out, &value) < 0)
		return false;
	return value || h->n->read(h->n->read_ctx, *out, out, 8) == 0;
}

/* One CFI step from R (at a return address) to its caller: 1 at the outermost frame, -1 when lost. */
static int step(struct hotspot *h, struct regs *r)
{
	Dwarf_Frame *f = frame_at(h, r->v[REG_RA]);
	if (!f)
		return -1;
	Dwarf_Op *ops;
	size_t nops;
	uint64_t cfa;
	bool value;
	Dwarf_Addr start, end;
	bool signal;
	int ra = dwarf_frame_info(f, &start, &end, &signal);
	if (ra < 0 || ra >= NREGS || dwarf_frame_cfa(f, &ops, &nops) != 0 || !nops ||
	    eval(h, ops, nops, r, 0, &cfa, &value) < 0) {
		free(f);
		return -1;
	}
	struct regs up = { .known = 0 };
	for (int reg = 0; reg < NREGS; reg++) {
		uint64_t v;
		if (reg != REG_RSP && reg != ra && caller_reg(h, f, reg, r, cfa, &v))
			set_reg(&up, (unsigned)reg, v);
	}
	uint64_t pc;
	bool has_pc = caller_reg(h, f, ra, r, cfa, &pc);
	free(f);
	if (!has_pc)
		return 1; /* the return address is undefined: where the thread began */
	set_reg(&up, REG_RA, pc);
	set_reg(&up, REG_RSP, cfa);
	*r = up;
	return 0;
}

static bool at_root(struct hotspot *h, uint64_t pc)
{
	Dwfl_Module *m = dwfl_addrmodule(h->n->dwfl, pc - 1);
	const char *name = m ? native_addrname(m, pc - 1) : NULL;
	return name && (frame_name_roles(name) & ROLE_ROOT);
}

void hotspot_unwind_below(struct hotspot *h, const struct hsentry *e, size_t max, struct unwind_result *out)
{
	struct regs r = { .known = 0 };
	if (!e->caller_pc || !e->caller_sp)
		return;
	set_reg(&r, REG_RA, e->caller_pc);
	set_reg(&r, REG_RSP, e->caller_sp);
	set_reg(&r, REG_RBP, e->caller_fp);
	set_reg(&r, REG_RBX, e->rbx);
	const uint64_t saved[] = { e->r12, e->r13, e->r14, e->r15 };
	for (unsigned i = 0; i < 4; i++)
		set_reg(&r, REG_R12 + i, saved[i]);
	for (size_t k = 0; k < max; k++) {
		uint64_t pc = r.v[REG_RA], sp = r.v[REG_RSP], fp;
		/* back in generated code (a native method called from Java): the next Java frames */
		if (!pc || hscode_contains(&h->code, pc))
			return;
		bool has_fp = get_reg(&r, REG_RBP, &fp);
		unwind_result_add(out, &(struct unwind_frame){ .pc = pc, .trust = TRUST_CFI, .sp = sp,
							       .fp = has_fp ? fp : 0, .has_sp = true,
							       .has_fp = has_fp });
		int rc = step(h, &r);
		if (rc != 0 || r.v[REG_RSP] <= sp) {
			out->complete = rc > 0 || at_root(h, pc);
			return;
		}
	}
}
