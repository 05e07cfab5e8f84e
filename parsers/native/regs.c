#include "parsers/native/regs.h"

#include <elf.h>
#include <string.h>

/* x86-64 struct user_regs_struct, in words */
enum { X_R15, X_R14, X_R13, X_R12, X_RBP, X_RBX, X_R11, X_R10, X_R9, X_R8, X_RAX, X_RCX,
       X_RDX, X_RSI, X_RDI, X_ORIG_RAX, X_RIP, X_CS, X_EFLAGS, X_RSP, X_SS, X_FS_BASE,
       X_GS_BASE, X_DS, X_ES, X_FS, X_GS, X_NREGS };

/* aarch64 struct user_pt_regs: x0..x30, sp, pc, pstate */
enum { A_X0 = 0, A_X8 = 8, A_X29 = 29, A_SP = 31, A_PC = 32, A_NREGS = 34 };

/*
 * Where pc, sp and fp are in pr_reg (word indexes; the kernel's
 * elf_gregset_t, as elfutils' backends/<arch>_corenote.c read it).
 */
struct regs_layout {
	unsigned machine;
	int is64;               /* 1, 0, or -1: either class */
	unsigned word;          /* bytes per pr_reg element */
	unsigned nregs;
	unsigned pc, sp, fp;
	uint64_t pc_mask;       /* s390's 31-bit psw address: the top bit is the mode */
};

static const struct regs_layout layouts[] = {
	{ EM_X86_64, -1, 8, X_NREGS, X_RIP, X_RSP, X_RBP, 0 },  /* x32 too: 64-bit regs */
	{ EM_AARCH64, 1, 8, A_NREGS, A_PC, A_SP, A_X29, 0 },
	{ EM_386, 0, 4, 17, 12, 15, 5, 0 },                     /* eip esp ebp */
	{ EM_ARM, 0, 4, 18, 15, 13, 11, 0 },                    /* r15 r13 r11 */
	{ EM_PPC, 0, 4, 48, 32, 1, 1, 0 },                      /* nip r1 (back chain) */
	{ EM_PPC64, 1, 8, 48, 32, 1, 1, 0 },
	{ EM_S390, 0, 4, 35, 1, 17, 13, 0x7fffffff },           /* psw addr, r15, r11 */
	{ EM_S390, 1, 8, 27, 1, 17, 13, 0 },
	{ EM_SPARC, 0, 4, 38, 33, 14, 30, 0 },                  /* pc, %o6, %i6 */
	{ EM_SPARC32PLUS, 0, 4, 38, 33, 14, 30, 0 },
	{ EM_SPARCV9, 1, 8, 36, 33, 14, 30, 0 },
	{ EM_68K, 0, 4, 20, 18, 15, 13, 0 },                    /* pc, usp, a6 */
	{ EM_RISCV, -1, 0, 32, 0, 2, 8, 0 },                    /* pc, x2, x8; word by class */
};

static const struct regs_layout *layout_of(const struct regs_abi *abi)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		const struct regs_layout *l = &layouts[i];
		if (l->machine == abi->machine && (l->is64 < 0 || l->is64 == (int)abi->is64))
			return l;
	}
	return NULL;
}

static unsigned word_of(const struct regs_layout *l, const struct regs_abi *abi)
{
	return l->word ? l->word : abi->is64 ? 8 : 4;
}

unsigned regs_host_machine(void)
{
#if defined(__x86_64__) && defined(__LP64__)
	return EM_X86_64;
#elif defined(__aarch64__)
	return EM_AARCH64;
#elif defined(__i386__)
	return EM_386;
#elif defined(__powerpc64__)
	return EM_PPC64;
#elif defined(__s390__)
	return EM_S390;
#elif defined(__riscv)
	return EM_RISCV;
#else
	return EM_NONE;
#endif
}

bool regs_abi_is_host(const struct regs_abi *abi)
{
	struct regs_abi host = regs_host_abi(regs_host_machine());
	return host.machine != EM_NONE && abi->machine == host.machine &&
	       abi->is64 == host.is64 && abi->big_endian == host.big_endian;
}

struct regs_abi regs_host_abi(unsigned machine)
{
	return (struct regs_abi){ .machine = machine, .is64 = sizeof(void *) == 8,
				  .big_endian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ };
}

size_t regs_size(const struct regs_abi *abi)
{
	const struct regs_layout *l = layout_of(abi);
	return l ? (size_t)l->nregs * word_of(l, abi) : 0;
}

static uint64_t reg_at(const unsigned char *raw, unsigned word, bool big_endian, unsigned i)
{
	const unsigned char *p = raw + (size_t)i * word;
	uint64_t v = 0;
	for (unsigned k = 0; k < word; k++)
		v |= (uint64_t)p[big_endian ? word - 1 - k : k] << (8 * k);
	return v;
}

static void decode_x86_64(const unsigned char *raw, bool be, struct thread_regs *out)
{
	out->syscall_nr = (int64_t)reg_at(raw, 8, be, X_ORIG_RAX);
	static const int args[6] = { X_RDI, X_RSI, X_RDX, X_R10, X_R8, X_R9 };
	for (int i = 0; i < 6; i++)
		out->syscall_arg[i] = reg_at(raw, 8, be, (unsigned)args[i]);
	out->syscall_ret = reg_at(raw, 8, be, X_RAX);
	out->tls_base = reg_at(raw, 8, be, X_FS_BASE);
}

static void decode_aarch64(const unsigned char *raw, bool be, struct thread_regs *out)
{
	out->syscall_nr = (int64_t)reg_at(raw, 8, be, A_X8);
	for (unsigned i = 0; i < 6; i++)
		out->syscall_arg[i] = reg_at(raw, 8, be, A_X0 + i);
	out->syscall_ret = reg_at(raw, 8, be, A_X0);
}

int regs_decode(const struct regs_abi *abi, const void *raw, size_t len, struct thread_regs *out)
{
	memset(out, 0, sizeof(*out));
	out->syscall_nr = -1;
	const struct regs_layout *l = layout_of(abi);
	if (!l || len < regs_size(abi))
		return -1;
	unsigned w = word_of(l, abi);
	out->pc = reg_at(raw, w, abi->big_endian, l->pc);
	if (l->pc_mask)
		out->pc &= l->pc_mask;
	out->sp = reg_at(raw, w, abi->big_endian, l->sp);
	out->fp = reg_at(raw, w, abi->big_endian, l->fp);
	if (abi->machine == EM_X86_64)
		decode_x86_64(raw, abi->big_endian, out);
	else if (abi->machine == EM_AARCH64)
		decode_aarch64(raw, abi->big_endian, out);
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
