#include "parsers/native/regs.h"

#include <elf.h>
#include <string.h>

/* x86-64 struct user_regs_struct, in words */
enum { X_R15, X_R14, X_R13, X_R12, X_RBP, X_RBX, X_R11, X_R10, X_R9, X_R8, X_RAX, X_RCX,
       X_RDX, X_RSI, X_RDI, X_ORIG_RAX, X_RIP, X_CS, X_EFLAGS, X_RSP, X_SS, X_FS_BASE,
       X_GS_BASE, X_DS, X_ES, X_FS, X_GS, X_NREGS };

/* aarch64 struct user_pt_regs: x0..x30, sp, pc, pstate */
enum { A_X0 = 0, A_X8 = 8, A_X29 = 29, A_SP = 31, A_PC = 32, A_NREGS = 34 };

static size_t regs_size(unsigned machine)
{
	switch (machine) {
	case EM_X86_64: return X_NREGS * 8;
	case EM_AARCH64: return A_NREGS * 8;
	default: return 0;
	}
}

static void decode_x86_64(const uint64_t *r, struct thread_regs *out)
{
	out->pc = r[X_RIP];
	out->sp = r[X_RSP];
	out->fp = r[X_RBP];
	out->syscall_nr = (int64_t)r[X_ORIG_RAX];
	static const int args[6] = { X_RDI, X_RSI, X_RDX, X_R10, X_R8, X_R9 };
	for (int i = 0; i < 6; i++)
		out->syscall_arg[i] = r[args[i]];
	out->syscall_ret = r[X_RAX];
	out->tls_base = r[X_FS_BASE];
}

static void decode_aarch64(const uint64_t *r, struct thread_regs *out)
{
	out->pc = r[A_PC];
	out->sp = r[A_SP];
	out->fp = r[A_X29];
	out->syscall_nr = (int64_t)r[A_X8];
	for (int i = 0; i < 6; i++)
		out->syscall_arg[i] = r[A_X0 + i];
	out->syscall_ret = r[A_X0];
	out->tls_base = 0;
}

int regs_decode(unsigned machine, const void *raw, size_t len, struct thread_regs *out)
{
	memset(out, 0, sizeof(*out));
	out->syscall_nr = -1;
	size_t need = regs_size(machine);
	if (!need || len < need)
		return -1;
	uint64_t r[(int)X_NREGS > (int)A_NREGS ? (int)X_NREGS : (int)A_NREGS];
	memcpy(r, raw, need);
	if (machine == EM_X86_64)
		decode_x86_64(r, out);
	else
		decode_aarch64(r, out);
	out->valid = true;
	return 0;
}

int regs_dwarf_sp(unsigned machine)
{
	return machine == EM_X86_64 ? 7 : machine == EM_AARCH64 ? 31 : -1;
}

int regs_dwarf_fp(unsigned machine)
{
	return machine == EM_X86_64 ? 6 : machine == EM_AARCH64 ? 29 : -1;
}
