#ifndef MORTEM_REGS_H
#define MORTEM_REGS_H

/*
 * Machine registers of a native thread, decoded from the bytes the kernel
 * writes: the pr_reg array of an NT_PRSTATUS note in a core, which is also
 * the layout PTRACE_GETREGS(ET) returns for a live thread. x86-64 and
 * aarch64 are known; other machines give `valid = false`.
 *
 *   x86-64   pc rip, sp rsp, fp rbp, syscall nr orig_rax, args rdi rsi rdx
 *            r10 r8 r9, return rax, tls_base fs_base (all in pr_reg)
 *   aarch64  pc pc, sp sp, fp x29, syscall nr x8, args x0-x5, return x0;
 *            tls_base tpidr_el0 comes from its own note (NT_ARM_TLS) and is
 *            set by the caller with regs_set_tls(); the kernel does not
 *            keep orig_x0 in pr_reg, so arg 0 is x0 as saved (for a thread
 *            blocked in a restartable syscall this is still the argument).
 */

#include <stddef.h>
#include <stdint.h>

#include "analyzer/model/dump.h"


/*
 * Decodes pr_reg (LEN bytes at RAW, native byte order) of MACHINE into OUT.
 * Returns 0, or -1 (OUT->valid false) when the machine is unknown or LEN is
 * short.
 */
int regs_decode(unsigned machine, const void *raw, size_t len, struct thread_regs *out);

/* The DWARF register numbers of pc, sp and fp on MACHINE; -1 when unknown. */
int regs_dwarf_sp(unsigned machine);
int regs_dwarf_fp(unsigned machine);

#endif
