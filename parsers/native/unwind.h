#ifndef MORTEM_UNWIND_H
#define MORTEM_UNWIND_H

/*
 * The unwinder seam: how a native thread's return addresses are found, the
 * same for a core file and a live (ptrace-stopped) process. An unwinder is
 * a const ops table; the backends are
 *
 *   dwfl       elfutils libdwfl, CFI from .eh_frame/.debug_frame (default)
 *   libunwind  libunwind-coredump (_UCD_*) for cores, libunwind-ptrace
 *              (_UPT_*) for live processes
 *   fp         frame-pointer chain ([fp] = caller's fp, [fp+8] = return)
 *   scan       stack scan: words on the stack that point just after a call
 *              instruction in a known module
 *
 * unwind_thread() chains them: the chosen CFI unwinder first (dwfl unless
 * --unwinder says libunwind); where it stops early and the user did not
 * force one, the other CFI unwinder (its stack cut at the first return
 * address that cannot be one, and taken only when its CFI frames reach
 * further or it is whole by CFI alone: a frame above a pc without CFI, in
 * no module or in one whose file or CFI is not at hand, was guessed by
 * frame pointers and says so); then the frame-pointer chain from the
 * last frame found, then a stack scan. Every frame says which one found it
 * (TRUST_CFI / TRUST_FP / TRUST_SCAN; the innermost frame, the pc in the
 * thread's registers, is exact and counts as TRUST_CFI). A CFI stack that ends in a thread's
 * entry point (_start, clone, clone3, thread_start) is whole even when the
 * unwinder reports an error after it (libunwind does past clone3). A stack
 * is cut where it goes back up: a frame repeating an earlier frame's pc
 * and sp, or a frame-pointer frame whose sp is below its callee's.
 */

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stdint.h>

#include "analyzer/model/dump.h"
#include "analyzer/lib/strbuf.h"

/* One return address as an unwinder found it, before symbolization. */
struct unwind_frame {
	uint64_t pc;
	bool activation;        /* pc is where execution is (innermost frame, or the
				   interrupted pc above a signal frame): look up pc,
				   not pc - 1 */
	bool signal;            /* a signal trampoline frame (__restore_rt) */
	enum frame_trust trust;
	uint64_t sp, fp;        /* the frame's stack and frame pointer, when has_sp/has_fp */
	bool has_sp, has_fp;
};

/* A thread's frames, innermost first (heap-owned; unwind_result_release). */
struct unwind_result {
	struct unwind_frame *frames;
	size_t n, alloc;
	bool complete;          /* reached the outermost frame (no error) */
	char *error;            /* why it stopped early (malloc'd), or NULL */
};

#define UNWIND_RESULT_INIT { NULL, 0, 0, false, NULL }

void unwind_result_release(struct unwind_result *r);
/* Appends a frame (copied); never fails (dies on out of memory). */
void unwind_result_add(struct unwind_result *r, const struct unwind_frame *f);
/* Records why unwinding stopped (printf-style; replaces an earlier reason). */
void unwind_result_fail(struct unwind_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * What is unwound: a Dwfl already attached to a core (dwfl_core_file_attach)
 * or to a process (dwfl_linux_proc_attach), plus what the other backends need.
 */
struct unwind_target {
	Dwfl *dwfl;
	/* dwfl_module_addrname's answer, the session's way (native_addrname);
	   NULL: libdwfl's own */
	const char *(*addrname)(Dwfl_Module *mod, uint64_t addr);
	unsigned machine;               /* ELF e_machine */
	const char *core_path;          /* a path that opens the core (may be
					   /proc/self/fd/N), or NULL for a live process */
	int64_t pid;                    /* the live process, or -1 */
	const struct memory_ops *mem;   /* the process's memory */
	void *mem_ctx;
	/* file-backed mappings (NT_FILE / /proc/PID/maps), for libunwind-coredump */
	const struct unwind_mapping *maps;
	size_t nmaps;
	size_t max_frames;              /* 0: unlimited */
	bool damaged;                   /* the core is cut or corrupt in its headers or
					   notes: libunwind-coredump, which reads them
					   itself, is not used */
	const void *core_data;          /* the core's bytes (core_len of them), for the
					   checks that come before libunwind-coredump
					   reads the file (unwind_libunwind_core_ok) */
	size_t core_len;
	bool foreign_abi;               /* a core of another machine, word size or byte
					   order than the host's (x32 and i386 cores
					   on x86-64 too): no libunwind, which is built
					   for the host's ABI only */
	bool le64;                      /* the target's words are 64-bit little-endian
					   (x86-64 and aarch64 cores, a live process):
					   what the fp and scan walkers read */
	bool bad_thread_id;             /* an NT_PRSTATUS note gives a thread id <= 0:
					   libdw 0.188 ends its thread list there and
					   leaks its iterator, so dwfl does not list
					   threads (each is unwound from its registers
					   by the next unwinder in the chain) */
};

struct unwind_mapping {
	uint64_t start, end, offset;
	const char *path;               /* as the process saw it (sysroot applied) */
};

/*
 * A backend. attach() prepares per-target state (returned in *STATE) or
 * returns -1 with a message in ERR. threads() calls EACH with every thread
 * id the target knows, in its order (EACH returning non-zero stops the
 * walk); frames() unwinds one thread, normally called from inside EACH.
 * frames() fills OUT from REGS (the thread's registers at the time of the
 * dump; the fp and scan backends need them, the CFI ones read their own)
 * and returns 0 even when the unwinding stopped early (OUT->complete false,
 * OUT->error set); -1 when it could not start at all. detach() frees the
 * state. threads may be NULL for a backend that cannot enumerate.
 */
struct unwinder {
	const char *name;
	int (*attach)(const struct unwind_target *t, void **state, struct strbuf *err);
	int (*threads)(void *state, int (*each)(int64_t tid, void *arg), void *arg);
	int (*frames)(void *state, int64_t tid, const struct thread_regs *regs,
		      struct unwind_result *out);
	void (*detach)(void *state);
};

extern const struct unwinder unwind_dwfl;
extern const struct unwinder unwind_libunwind;
extern const struct unwinder unwind_fp;
extern const struct unwinder unwind_scan;


/*
 * The chain for one target. unwind_open() attaches the first CFI unwinder
 * (FORCED, or dwfl when FORCED is NULL) at once and the others lazily.
 * Returns NULL with a message in ERR when FORCED is unknown or the first
 * unwinder cannot attach.
 */
struct unwind_chain;
struct unwind_chain *unwind_open(const struct unwind_target *t, const char *forced,
				 struct strbuf *err);
void unwind_close(struct unwind_chain *c);

/*
 * Enumerates threads through the first unwinder (for each, EACH is called
 * with the tid; EACH calls unwind_thread). Returns 0, or -1 with ERR set
 * when the unwinder cannot enumerate at all.
 */
int unwind_threads(struct unwind_chain *c, int (*each)(int64_t tid, void *arg), void *arg,
		   struct strbuf *err);

/*
 * Unwinds thread TID with the chain (see above) into OUT (initialised by
 * the caller). REGS are the thread's registers (for fp/scan; may be
 * invalid). On return OUT->error says why the stack may be incomplete, and
 * *USED names the unwinders that contributed ("dwfl", "dwfl+fp", ...; a
 * static string).
 */
void unwind_thread(struct unwind_chain *c, int64_t tid, const struct thread_regs *regs,
		   struct unwind_result *out, const char **used);

/*
 * Whether libunwind-coredump (_UCD_create, libunwind 1.6) can be handed the
 * core of DATA/LEN without reading outside what it allocates: the host's
 * class and byte order, program headers and every note segment inside the
 * file, note headers, names and descriptors inside their segment,
 * NT_PRSTATUS descriptors as large as its elf_prstatus, NT_FILE's count
 * and names inside its descriptor. Returns true, or false with the reason
 * in WHY (may be NULL).
 */
bool unwind_libunwind_core_ok(const void *data, size_t len, struct strbuf *why);

/* Whether an instruction that ends at PC (a return address) is a call (x86-64, aarch64). */
bool unwind_follows_call(const struct unwind_target *t, uint64_t pc);


#endif
