#ifndef MORTEM_REGS_H
#define MORTEM_REGS_H

/*
 * Machine registers of a native thread, decoded from the bytes the kernel
 * writes: the pr_reg array of an NT_PRSTATUS note in a core, which is also
 * the layout PTRACE_GETREGS(ET) returns for a live thread.
 *
 * pc, sp and fp are known for every Linux machine libdwfl reads cores of
 * (x86-64 and x32, i386, aarch64, arm, ppc, ppc64, s390, s390x, sparc,
 * sparc64, m68k, riscv), in the core's own word size and byte order. The
 * system call and thread pointer are decoded for x86-64 and aarch64 only
 * (syscall_nr -1 elsewhere):
 *
 *   x86-64   pc rip, sp rsp, fp rbp, syscall nr orig_rax, args rdi rsi rdx
 *            r10 r8 r9, return rax, tls_base fs_base (all in pr_reg)
 *   aarch64  pc pc, sp sp, fp x29, syscall nr x8, args x0-x5, return x0;
 *            tls_base tpidr_el0 comes from its own note (NT_ARM_TLS) and is
 *            set by the caller; the kernel does not keep orig_x0 in
 *            pr_reg, so arg 0 is x0 as saved (for a thread blocked in a
 *            restartable syscall this is still the argument).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/model/dump.h"

/* What fixes pr_reg's layout: the ELF header's e_machine, class and byte order. */
struct regs_abi {
	unsigned machine;
	bool is64;              /* ELFCLASS64 (x32: false, its registers are 64-bit all the same) */
	bool big_endian;        /* ELFDATA2MSB */
};

/* The e_machine this program runs on (EM_NONE on a machine not listed above). */
unsigned regs_host_machine(void);

/* The host's ABI for MACHINE (a live process on this machine). */
struct regs_abi regs_host_abi(unsigned machine);

/* Whether ABI is the host's own (machine, word size and byte order). */
bool regs_abi_is_host(const struct regs_abi *abi);

/* The size of pr_reg for ABI, or 0 when the machine is unknown. */
size_t regs_size(const struct regs_abi *abi);

/*
 * Decodes pr_reg (LEN bytes at RAW, in ABI's byte order) into OUT.
 * Returns 0, or -1 (OUT->valid false) when the machine is unknown or LEN is
 * short.
 */
int regs_decode(const struct regs_abi *abi, const void *raw, size_t len, struct thread_regs *out);

/* The DWARF register numbers of sp and fp on MACHINE (x86-64, aarch64); -1 elsewhere. */
int regs_dwarf_sp(unsigned machine);
int regs_dwarf_fp(unsigned machine);

#endif
