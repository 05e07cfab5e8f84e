#ifndef MORTEM_NATIVE_H
#define MORTEM_NATIVE_H

/*
 * What the core and live parsers share: one libdwfl session over a process
 * image, its modules, symbolization of raw frames (functions, demangled;
 * source lines; inline frames the way `eu-stack -s -i` shows them), the
 * process's memory and global symbols for the analysis (d->mem), and the
 * crash facts that need them (glibc's abort message, the crashing thread's
 * errno).
 *
 * A `struct native` is heap-owned and lives as long as its dump: the parser
 * creates it with native_new(), which registers native_free() with
 * dump_atfree(), so the analysis can read memory after parse() returned.
 */

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stdint.h>

#include "analyzer/model/dump.h"
#include "analyzer/model/options.h"
#include "analyzer/lib/strbuf.h"
#include "parsers/native/unwind.h"

struct symindex;

/* A thread's raw register block, as the kernel laid it out. */
struct native_regs {
	int64_t tid;
	unsigned char raw[34 * 8];
	size_t len;
};

/* Reads LEN bytes of the process at ADDR into BUF: 0, or -1 when not all readable. */
typedef int native_read_fn(void *ctx, uint64_t addr, void *buf, size_t len);

struct native {
	struct dump *d;
	const struct mortem_opts *o; /* the caller's: valid through the analysis, not at native_free */
	Dwfl *dwfl;
	Dwfl_Callbacks callbacks;
	char *debuginfo_path;
	unsigned machine;            /* ELF e_machine of the process */
	bool live;
	native_read_fn *read;        /* the raw memory of the process */
	void *read_ctx;
	void (*release)(void *ctx);  /* frees read_ctx, at native_free */
	/* private */
	struct hashmap symcache;      /* "module\nname" -> struct native_sym */
	struct hashmap pccache;       /* "pc/activation" -> struct frame_run */
	char *demangle_buf;
	size_t demangle_len;
	void *debuginfod;            /* debuginfod_client *, opened on first use */
	struct native_regs *raw_regs;/* raw pr_reg per thread, for libthread_db */
	size_t nraw_regs, raw_regs_alloc;
	struct native_module {
		Dwfl_Module *mod;
		bool used;           /* a frame is in it */
		int searches;        /* native_symbol look-ups in it so far */
		struct hashmap *names; /* its symbols by name (after three look-ups), or NULL */
		int addr_lookups;    /* native_addrinfo look-ups in it so far */
		bool dwarf_prepared; /* native_prepare_dwarf ran for it */
		struct symindex *addrs; /* its symbols for those (from the second), or NULL */
		struct dwarfprep *prepared; /* its DWARF's inflated sections (native_prepare_dwarf) */
	} *mods;                     /* parallel to d->modules */
	size_t nmods, amods;
	struct hotspot *jvm;         /* the JVM's Java side (hotspot.h), or NULL */
	bool save_cache;             /* not --no-cache: the symbolization cache saved at native_free */
};

/*
 * A native session for D. LIVE selects the proc find_elf callback (else the
 * build-id one, with --sysroot applied). The debuginfo path is
 * ":.debug:/usr/lib/debug", then every --debug-dir, then SYSROOT/usr/lib/debug;
 * libdwfl looks in each absolute one by build-id (DIR/.build-id/xx/rest.debug)
 * and by the file's path and .gnu_debuglink. When nothing is found and
 * DEBUGINFOD_URLS is set, libdebuginfod is asked by build-id.
 * Returns NULL with ERR set when dwfl_begin fails. Releases the session
 * (dwfl_end, read_ctx) when D is freed (dump_atfree).
 */
struct native *native_new(struct dump *d, const struct mortem_opts *o, bool live,
			  struct strbuf *err);

/*
 * Sets d->mem/d->mem_ctx to this session: read() is N->read, symbol() looks
 * a global symbol up in the modules' symbol tables (dwfl_module_getsym_info;
 * .symtab when the file or its debug file has one, else .dynsym). MODULE,
 * when not NULL, narrows the search to modules whose file name (without
 * directory) is MODULE or starts with MODULE followed by '.' or '-'
 * ("libc" finds libc.so.6, "ld-linux" ld-linux-x86-64.so.2), or, for
 * MEMORY_LOADER, the dynamic loader under any of its names (dump.h);
 * without it the first module that defines NAME wins, the executable
 * first (every module's table is read until then: ask the module that
 * should have NAME first). Results
 * are cached per session.
 */
void native_expose_memory(struct native *n);

/* Looks NAME up as described above; 0 and *ADDR (with load bias), or -1. */
int native_symbol(struct native *n, const char *module, const char *name, uint64_t *addr,
		  uint64_t *raw_value);

/* Adds d->modules from the session (after dwfl_report_end). */
void native_add_modules(struct native *n);

/* Keeps the raw register block (pr_reg / PTRACE_GETREGS) of TID for libthread_db. */
void native_keep_raw_regs(struct native *n, int64_t tid, const void *raw, size_t len);
/* The block kept for TID, or NULL. */
const struct native_regs *native_raw_regs(struct native *n, int64_t tid);

/*
 * Unwinds and symbolizes every thread. The threads the parser already
 * added (with tid and regs) are matched by tid; a thread the unwinder
 * lists that the parser did not know is added. Threads whose stacks were
 * completed by frame pointers or a stack scan, and modules in the stacks
 * without debug info, are reported with dump_warn. TARGET's dwfl/mem are
 * filled from N. Returns 0, or -1 with ERR set when no unwinder could be
 * set up at all.
 */
int native_unwind_all(struct native *n, struct unwind_target *target, struct strbuf *err);

/* Appends the symbolized frames of R to thread T. */
void native_symbolize(struct native *n, struct thread *t, const struct unwind_result *r);

/*
 * glibc's last abort message (`__abort_msg` in libc: a pointer to
 * struct abort_msg_s { unsigned size; char msg[]; }, set by assert and by
 * the allocator's "double free or corruption" family before abort()), or
 * NULL when there is none or it is not readable. Arena-owned.
 */
const char *native_abort_message(struct native *n);

/*
 * The errno of thread TID, read as a debugger does: libthread_db
 * (td_ta_new / td_ta_map_lwp2thr / td_thr_tls_get_addr) over this
 * session's memory and registers (see tlsdb.c), with `errno`'s offset in
 * libc's TLS block from libc's symbol table and libc's link_map found
 * through ld.so's _r_debug. Returns 0 and *ERRNO_OUT, or -1.
 */
int native_errno(struct native *n, int64_t tid, int *errno_out);

/*
 * dwfl_module_addrinfo(MOD, ADDR, OFF, SYM, NULL, NULL, BIAS), the same
 * answer; from the second look-up in a module on, out of an index of its
 * symbols read once (symindex.h) rather than a scan of the whole table
 * each time. BIAS may be NULL.
 */
const char *native_addrinfo(struct native *n, Dwfl_Module *mod, GElf_Addr addr, GElf_Off *off,
			    GElf_Sym *sym, Dwarf_Addr *bias);

/*
 * dwfl_module_addrname(MOD, ADDR)'s answer for the session current on this
 * thread (every entry point of this module sets it): remembered by the
 * symbolization cache (symcache_addrname), else native_addrinfo's.
 */
const char *native_addrname(Dwfl_Module *mod, uint64_t addr);

/*
 * To call before the first look at MOD's DWARF: dwarfprep_module, once per
 * module of the session, what it inflated kept until the session ends.
 */
void native_prepare_dwarf(struct native *n, Dwfl_Module *mod);

/* Demangles an Itanium C++ name ("_Z...") into the arena; other names are returned as they are (copied). */
const char *native_demangle(struct native *n, const char *name);
/* libdwfl's last error message, never NULL ("unknown error"). */
const char *dwfl_error(void);

#endif
