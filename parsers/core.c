/*
 * Linux ELF core files (format "core"), kernel-written or gcore'd, plain
 * or decompressed by analyzer/lib/input.c into a memfd.
 *
 * The notes are read here (threads and registers from NT_PRSTATUS, the
 * signal from NT_SIGINFO, pid and command line from NT_PRPSINFO, mapped
 * files from NT_FILE, the entry point from NT_AUXV); libdwfl reports the
 * modules (dwfl_core_file_report, with --exe) and attaches to the core
 * (dwfl_core_file_attach) for the unwinder chain of unwind.h; native.c
 * symbolizes and reads the crash facts that need symbols.
 *
 * A truncated or damaged core gives what its complete parts hold, with a
 * warning for each part that is missing; a file that is not an ELF core
 * at all, or has no readable notes, is a one-line error.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analyzer/lib/fdio.h"
#include "parsers/native/coremem.h"
#include "parsers/native/dwflcore.h"
#include "parsers/native/native.h"
#include "parsers/parser.h"
#include "parsers/native/regs.h"
#include "parsers/native/sigcode.h"
#include "parsers/native/unwind.h"

#ifndef NT_ARM_TLS
#define NT_ARM_TLS 0x401
#endif

/* The core's own descriptor and bytes, kept while the dump lives (d->mem). */
struct core_image {
	Elf *elf;       /* freed after the libdwfl session that uses it */
	int fd;
	const unsigned char *bytes; /* MAP, or the input's own bytes when they last (input.h) */
	void *map;      /* our mapping of FD, or NULL */
	size_t len;
	struct coremem *mem;
	bool fd_borrowed; /* FD is the input's, open while the dump lives (input.h) */
	char fd_path[64];
};

struct core_state {
	struct dump *d;
	const struct mortem_opts *o;
	struct native *n;
	struct core_image *img;
	Elf *elf;
	unsigned machine;
	bool is64;
	bool swap;                    /* the core's byte order is not the host's */
	bool host_abi;                /* the host's machine, class and byte order */
	struct regs_abi abi;
	struct thread *last_thread;   /* the NT_PRSTATUS the next per-thread note belongs to */
	bool bad_thread_id;           /* an NT_PRSTATUS with a thread id <= 0 */
	struct thread *signal_thread; /* the first thread with a current signal */
	int cursig;
	bool have_siginfo;
	int sig_no, sig_code;
	uint64_t sig_addr;
	bool have_psinfo;
	const char *comm;             /* pr_fname: the main thread's name */
	uint64_t at_entry;
	struct unwind_mapping *maps;
	size_t nmaps, amaps;
	size_t truncated_notes;
	bool bad_file_note;           /* NT_FILE's count or names do not fit its size */
	bool vmcoreinfo;              /* a kernel crash dump's VMCOREINFO note */
	const char *other_owner;      /* a note owner no Linux process core has (FreeBSD, QEMU, ...) */
};

static void image_free(void *arg)
{
	struct core_image *img = arg;
	if (img->elf)
		elf_end(img->elf);
	coremem_free(img->mem);
	if (img->map && img->map != MAP_FAILED)
		munmap(img->map, img->len);
	if (img->fd >= 0 && !img->fd_borrowed)
		close(img->fd);
	free(img);
}

/*
 * A descriptor on the core's bytes: the input's when it stays open as long
 * as the dump, else a dup of it, or a memfd copy; and the bytes themselves:
 * the input's when they last as long as the dump (no mapping to make and
 * tear down), else our own mapping.
 */
static int image_open(struct core_image *img, const struct input *in, struct strbuf *err)
{
	img->len = in->len;
	if (in->lasting && in->fd >= 0) {
		img->fd = in->fd;
		img->fd_borrowed = true;
	} else if (in->fd >= 0) {
		img->fd = fcntl(in->fd, F_DUPFD_CLOEXEC, 3);
	} else {
		img->fd = memfd_create("mortem-core", MFD_CLOEXEC);
		if (img->fd >= 0 && fd_write_full(img->fd, in->data, in->len) < 0)
			return error_set(err, "cannot copy the core: %s", strerror(errno));
	}
	if (img->fd < 0)
		return error_set(err, "cannot open the core: %s", strerror(errno));
	if (in->lasting && in->fd >= 0) {
		img->bytes = in->data;
	} else {
		img->map = mmap(NULL, img->len, PROT_READ, MAP_PRIVATE, img->fd, 0);
		if (img->map == MAP_FAILED)
			return error_set(err, "cannot map the core: %s", strerror(errno));
		img->bytes = img->map;
	}
	snprintf(img->fd_path, sizeof(img->fd_path), "/proc/self/fd/%d", img->fd);
	return 0;
}

/* ---- notes ---- */

/* Fields of the notes' descriptors, in the core's own byte order. */
static uint64_t rd64(const struct core_state *st, const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return st->swap ? __builtin_bswap64(v) : v;
}

static uint32_t rd32(const struct core_state *st, const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return st->swap ? __builtin_bswap32(v) : v;
}

static uint16_t rd16(const struct core_state *st, const unsigned char *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return st->swap ? __builtin_bswap16(v) : v;
}

static uint64_t rdword(struct core_state *st, const unsigned char *p)
{
	return st->is64 ? rd64(st, p) : rd32(st, p);
}

static void note_prstatus(struct core_state *st, const unsigned char *p, size_t len)
{
	struct dump *d = st->d;
	/*
	 * elf_prstatus: pr_info(12) pr_cursig(2) pad, sigpend, sighold (longs),
	 * pid ppid pgrp sid, 4 timevals (2 longs each), pr_reg; m68k aligns
	 * longs to 2 bytes, so it has no pad.
	 */
	size_t word = st->is64 ? 8 : 4, longs_off = st->machine == EM_68K ? 14 : 16;
	size_t pid_off = longs_off + 2 * word, reg_off = pid_off + 16 + 8 * word;
	if (len < pid_off + 4) {
		st->truncated_notes++;
		return;
	}
	int64_t tid = (int32_t)rd32(st, p + pid_off);
	int cursig = (int16_t)rd16(st, p + 12);
	struct thread *t;
	if (tid > 0) {
		t = dump_add_thread_tid(d, tid);
	} else {
		t = dump_add_thread(d, NULL);
		dump_warn(d, "thread %s: NT_PRSTATUS gives an invalid thread id %lld; threads are "
			  "unwound from their notes' registers without libdwfl's thread list",
			  t->id, (long long)tid);
		st->bad_thread_id = true;
	}
	st->last_thread = t;
	if (cursig && !st->signal_thread) {
		st->signal_thread = t;
		st->cursig = cursig;
	}
	if (len > reg_off && regs_decode(&st->abi, p + reg_off, len - reg_off, thread_regs(st->d, t)) == 0 &&
	    st->host_abi)
		native_keep_raw_regs(st->n, tid, p + reg_off, len - reg_off);
}

static void note_siginfo(struct core_state *st, const unsigned char *p, size_t len)
{
	if (len < 12 || st->have_siginfo)
		return;
	/* the kernel writes one, after the signalled thread's NT_PRSTATUS */
	st->sig_no = (int)rd32(st, p);
	st->sig_code = (int)rd32(st, p + 8);
	size_t addr_off = st->is64 ? 16 : 12;
	if (len >= addr_off + (st->is64 ? 8 : 4))
		st->sig_addr = rdword(st, p + addr_off);
	if (st->sig_no && st->last_thread && st->signal_thread != st->last_thread &&
	    !st->signal_thread) {
		st->signal_thread = st->last_thread;
	}
	st->have_siginfo = st->sig_no != 0;
}

static void note_prpsinfo(struct core_state *st, const unsigned char *p, size_t len)
{
	struct dump *d = st->d;
	/*
	 * elf_prpsinfo: state sname zomb nice, flag (long), uid gid (16 or 32
	 * bits by machine), pid ppid pgrp sid, fname[16], psargs[80]: the last
	 * six fields sit at the same distance from the end on every machine.
	 */
	if (len < 112 || len > 256)
		return;
	st->have_psinfo = true;
	d->process.pid = (int32_t)rd32(st, p + len - 112);
	const char *fname = (const char *)p + len - 96, *args = (const char *)p + len - 80;
	d->process.cmdline = dump_strndup(d, args, strnlen(args, 80));
	/* the kernel ends psargs with a space when it cut the command line */
	size_t l = strlen(d->process.cmdline);
	while (l && d->process.cmdline[l - 1] == ' ')
		((char *)d->process.cmdline)[--l] = '\0';
	st->comm = dump_strndup(d, fname, strnlen(fname, 16));
	if (!d->process.executable)
		d->process.executable = st->comm;
}

static void note_auxv(struct core_state *st, const unsigned char *p, size_t len)
{
	size_t w = st->is64 ? 8 : 4;
	for (size_t i = 0; i + 2 * w <= len; i += 2 * w) {
		uint64_t type = rdword(st, p + i), val = rdword(st, p + i + w);
		if (type == AT_ENTRY)
			st->at_entry = val;
		if (type == AT_NULL)
			break;
	}
}

static void note_file(struct core_state *st, const unsigned char *p, size_t len)
{
	size_t w = st->is64 ? 8 : 4;
	if (len < 2 * w)
		return;
	uint64_t count = rdword(st, p), page = rdword(st, p + w);
	if (count > (len - 2 * w) / (3 * w)) {
		dump_warn(st->d, "NT_FILE note is cut short: mapped files unknown");
		st->bad_file_note = true;
		return;
	}
	const char *names = (const char *)p + 2 * w + count * 3 * w, *end = (const char *)p + len;
	size_t before = st->nmaps;
	for (uint64_t i = 0; i < count && names < end; i++) {
		const unsigned char *e = p + 2 * w + i * 3 * w;
		size_t nl = strnlen(names, (size_t)(end - names));
		if (names + nl == end)
			break; /* a name without its terminating NUL */
		ALLOC_GROW(st->maps, st->nmaps + 1, st->amaps);
		st->maps[st->nmaps++] = (struct unwind_mapping){
			.start = rdword(st, e), .end = rdword(st, e + w),
			.offset = rdword(st, e + 2 * w) * page,
			.path = dump_strndup(st->d, names, nl),
		};
		names += nl + 1;
	}
	if (st->nmaps - before < count) {
		dump_warn(st->d, "NT_FILE note names %zu of its %llu mapped files",
			  st->nmaps - before, (unsigned long long)count);
		st->bad_file_note = true;
	}
}

static void note_arm_tls(struct core_state *st, const unsigned char *p, size_t len)
{
	if (st->last_thread && len >= 8)
		thread_regs(st->d, st->last_thread)->tls_base = rd64(st, p);
}

/*
 * Owners that say the core is not a Linux process's: a kernel crash dump
 * (VMCOREINFO), another system's process core, a virtual machine's memory.
 */
static void note_owner(struct core_state *st, const char *name, size_t namesz)
{
	static const char *const foreign[] = { "FreeBSD", "NetBSD-CORE", "OpenBSD", "QEMU",
					       "Xen", "VBCORE", "VBCPU" };
	size_t len = strnlen(name, namesz);
	if (len == 10 && !memcmp(name, "VMCOREINFO", 10))
		st->vmcoreinfo = true;
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]) && !st->other_owner; i++)
		if (len == strlen(foreign[i]) && !memcmp(name, foreign[i], len))
			st->other_owner = foreign[i];
}

static void read_notes(struct core_state *st, Elf_Data *data)
{
	size_t off = 0, next;
	GElf_Nhdr nh;
	size_t name_off, desc_off;
	while (off < data->d_size && (next = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		const unsigned char *desc = (const unsigned char *)data->d_buf + desc_off;
		const char *name = (const char *)data->d_buf + name_off;
		bool core = nh.n_namesz >= 4 && !strncmp(name, "CORE", 4);
		bool is_linux = nh.n_namesz >= 5 && !strncmp(name, "LINUX", 5);
		note_owner(st, name, nh.n_namesz);
		if (core && nh.n_type == NT_PRSTATUS)
			note_prstatus(st, desc, nh.n_descsz);
		else if (core && nh.n_type == NT_SIGINFO)
			note_siginfo(st, desc, nh.n_descsz);
		else if (core && nh.n_type == NT_PRPSINFO)
			note_prpsinfo(st, desc, nh.n_descsz);
		else if (core && nh.n_type == NT_AUXV)
			note_auxv(st, desc, nh.n_descsz);
		else if (core && nh.n_type == NT_FILE)
			note_file(st, desc, nh.n_descsz);
		else if (is_linux && nh.n_type == NT_ARM_TLS)
			note_arm_tls(st, desc, nh.n_descsz);
		off = next;
	}
	if (off < data->d_size)
		st->truncated_notes++;
}

/* The file-backed mappings for memory reads, with --sysroot and --exe applied. */
static const char *mapped_path(struct core_state *st, const struct unwind_mapping *m,
			       const char *exe_path)
{
	if (st->o->exe && exe_path && !strcmp(m->path, exe_path))
		return st->o->exe;
	if (st->o->sysroot && m->path[0] == '/')
		return dump_printf(st->d, "%s%s", st->o->sysroot, m->path);
	return m->path;
}

/* Reads the segments; returns how many PT_NOTE headers there are (read or not). */
static size_t read_segments(struct core_state *st, size_t phnum)
{
	struct core_image *img = st->img;
	img->mem = coremem_new(img->bytes, img->len);
	size_t notes = 0;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(st->elf, (int)i, &ph))
			continue;
		if (ph.p_type == PT_LOAD) {
			coremem_add_segment(img->mem, ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_filesz,
					    ph.p_flags);
		} else if (ph.p_type == PT_NOTE) {
			notes++;
			uint64_t size = ph.p_filesz;
			if (ph.p_offset >= img->len) {
				st->truncated_notes++;
				continue;
			}
			if (size > img->len - ph.p_offset) {
				size = img->len - ph.p_offset;
				st->truncated_notes++;
			}
			Elf_Data *data = elf_getdata_rawchunk(st->elf, (int64_t)ph.p_offset, size,
							      ELF_T_NHDR);
			if (data)
				read_notes(st, data);
			else
				st->truncated_notes++;
		}
	}
	const char *exe_path = NULL;
	for (size_t i = 0; i < st->nmaps; i++)
		if (st->at_entry >= st->maps[i].start && st->at_entry < st->maps[i].end)
			exe_path = st->maps[i].path;
	if (exe_path)
		st->d->process.executable = exe_path;
	for (size_t i = 0; i < st->nmaps; i++)
		coremem_add_file(img->mem, st->maps[i].start, st->maps[i].end, st->maps[i].offset,
				 mapped_path(st, &st->maps[i], exe_path));
	coremem_seal(img->mem);
	return notes;
}

/* ---- crash facts ---- */

static bool is_stop_signal(int sig)
{
	return !sig || sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void crash_facts(struct core_state *st)
{
	struct dump *d = st->d;
	int signo = st->have_siginfo ? st->sig_no : st->cursig;
	if (is_stop_signal(signo))
		return; /* a snapshot (gcore of a stopped or running process), not a crash */
	struct crash *c = dump_crash(d);
	c->signo = signo;
	c->signal = signal_name(signo);
	if (st->have_siginfo) {
		c->code = sigcode_name(signo, st->sig_code);
		if (sigcode_has_address(signo, st->sig_code)) {
			c->address = st->sig_addr;
			c->has_address = true;
		}
	}
	struct thread *t = st->signal_thread ? st->signal_thread : d->nthreads ? d->threads[0] : NULL;
	if (t) {
		t->crashed = true;
		c->thread = t;
		int e;
		if (st->host_abi && native_errno(st->n, t->tid, &e) == 0) {
			c->err_no = e;
			c->has_errno = true;
		}
	}
	/* glibc's __abort_msg is read as a 64-bit little-endian pointer */
	if (st->is64 && !st->abi.big_endian)
		c->abort_message = native_abort_message(st->n);
}

/* The full command line from ld.so's _dl_argv, when the memory has it. */
static void full_cmdline(struct core_state *st)
{
	struct native *n = st->n;
	uint64_t sym, argv;
	if (native_symbol(n, MEMORY_LOADER, "_dl_argv", &sym, NULL) < 0)
		return;
	if (n->read(n->read_ctx, sym, &argv, 8) < 0 || !argv)
		return;
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 4096 && sb.len < 65536; i++) {
		uint64_t p;
		if (n->read(n->read_ctx, argv + 8 * (uint64_t)i, &p, 8) < 0 || !p)
			break;
		if (i)
			strbuf_addch(&sb, ' ');
		char ch;
		for (uint64_t k = 0; k < 65536 && n->read(n->read_ctx, p + k, &ch, 1) == 0 && ch; k++)
			strbuf_addch(&sb, ch);
	}
	if (sb.len)
		st->d->process.cmdline = dump_strndup(st->d, sb.buf, sb.len);
	strbuf_release(&sb);
}

static void detect_runtime(struct dump *d)
{
	d->process.runtime = "native";
	for (size_t i = 0; i < d->nmodules; i++)
		if (d->modules[i]->name && !strcmp(d->modules[i]->name, "libjvm.so"))
			d->process.runtime = "jvm";
}

/* ---- parse ---- */

static int open_elf(struct core_state *st, size_t *phnum, struct strbuf *err)
{
	elf_version(EV_CURRENT);
	/*
	 * libelf reads a core in the host's byte order where it lies (the
	 * bytes we hold, not a mapping of its own); one in the other order
	 * it maps itself, as it converts what it reads.
	 */
	const struct core_image *img = st->img;
	bool host_order = img->len > EI_DATA &&
			  img->bytes[EI_DATA] == (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? ELFDATA2MSB
											 : ELFDATA2LSB);
	st->elf = st->img->elf = host_order ? elf_memory((char *)img->bytes, img->len)
					    : elf_begin(img->fd, ELF_C_READ_MMAP, NULL);
	if (!st->elf)
		return error_set(err, "not an ELF core: %s", elf_errmsg(-1));
	GElf_Ehdr eh;
	if (!gelf_getehdr(st->elf, &eh) || eh.e_type != ET_CORE)
		return error_set(err, "not an ELF core file");
	st->machine = eh.e_machine;
	st->is64 = gelf_getclass(st->elf) == ELFCLASS64;
	bool big = eh.e_ident[EI_DATA] == ELFDATA2MSB;
	st->swap = big != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
	st->abi = (struct regs_abi){ .machine = st->machine, .is64 = st->is64, .big_endian = big };
	st->host_abi = regs_abi_is_host(&st->abi);
	if (elf_getphdrnum(st->elf, phnum) < 0 || !*phnum)
		return error_set(err, "truncated core: no program headers (%s)", elf_errmsg(-1));
	return 0;
}

static void attach_dwfl(struct core_state *st)
{
	struct dump *d = st->d;
	Dwfl *dwfl = st->n->dwfl;
	if (dwfl_core_file_report(dwfl, st->elf, st->o->exe) < 0)
		dump_warn(d, "dwfl_core_file_report: %s", dwfl_error());
	if (dwfl_report_end(dwfl, NULL, NULL) != 0)
		dump_warn(d, "dwfl_report_end: %s", dwfl_error());
	int rc = dwflcore_attach(dwfl, st->elf); /* libdwfl's own, where it reads the same */
	if (rc == -2)
		dump_warn(d, "dwfl_attach_state: %s; stacks from the notes' registers only", dwfl_error());
	else if (rc == -1 && dwfl_core_file_attach(dwfl, st->elf) < 0)
		dump_warn(d, "dwfl_core_file_attach: %s; stacks from the notes' registers only",
			  dwfl_error());
}

static void warn_missing_files(struct core_state *st)
{
	size_t missing = 0;
	struct strbuf names = STRBUF_INIT;
	for (size_t i = 0; i < st->d->nmodules; i++) {
		struct module *m = st->d->modules[i];
		/* --exe stands for the executable, wherever the core says it was */
		bool is_exe = st->o->exe && ((st->at_entry >= m->start && st->at_entry < m->end) ||
					     (st->d->process.executable &&
					      !strcmp(m->path ? m->path : "", st->d->process.executable)));
		if (m->path && m->path[0] == '/' && !is_exe && access(m->path, R_OK) != 0 &&
		    !(st->o->sysroot)) {
			if (missing++ < 5)
				strbuf_addf(&names, "%s%s", missing > 1 ? ", " : "", m->path);
		}
	}
	if (missing)
		dump_warn(st->d, "%zu mapped file%s not found (symbols may be missing): %s%s", missing,
			  missing == 1 ? "" : "s", names.buf, missing > 5 ? ", ..." : "");
	strbuf_release(&names);
}

/*
 * An ELF core that is not a Linux process's (a kernel crash dump, another
 * system's core, a virtual machine's memory, a core without notes) is
 * refused, saying what it is.
 */
static int not_a_process_core(struct core_state *st, size_t phnum, size_t notes,
			      struct strbuf *err)
{
	if (st->vmcoreinfo)
		return error_set(err, "a Linux kernel crash dump (vmcore: VMCOREINFO note), not a "
				 "process core; read it with crash or drgn");
	if (st->other_owner && !strcmp(st->other_owner, "QEMU"))
		return error_set(err, "a QEMU guest memory dump (QEMU notes), not a process core");
	if (st->other_owner && (!strcmp(st->other_owner, "Xen") || !strncmp(st->other_owner, "VB", 2)))
		return error_set(err, "a virtual machine's memory dump (%s notes), not a process core",
				 st->other_owner);
	if (st->other_owner && !st->d->nthreads)
		return error_set(err, "a %s process core (%s notes), not a Linux one",
				 !strcmp(st->other_owner, "NetBSD-CORE") ? "NetBSD" : st->other_owner,
				 st->other_owner);
	if (!notes)
		return error_set(err, "an ELF core without notes (%zu program headers, none of them "
				 "PT_NOTE): no threads or registers to read", phnum);
	if (!st->d->nthreads && st->truncated_notes)
		return error_set(err, "truncated core: no notes (threads and registers are lost)");
	if (!st->d->nthreads)
		return error_set(err, "core without threads (NT_PRSTATUS notes missing or cut)");
	return 0;
}

static int core_parse(struct dump *d, const struct input *in, const struct mortem_opts *o,
		      struct strbuf *err)
{
	struct core_state st = { .d = d, .o = o };
	struct core_image *img = xcalloc(1, sizeof(*img));
	img->fd = -1;
	dump_atfree(d, image_free, img);
	st.img = img;
	size_t phnum;
	if (image_open(img, in, err) < 0 || open_elf(&st, &phnum, err) < 0)
		goto fail;
	st.n = native_new(d, o, false, err);
	if (!st.n)
		goto fail;
	st.n->machine = st.machine;
	st.n->read = coremem_read;
	dump_snapshot_begin(d);
	size_t notes = read_segments(&st, phnum);
	st.n->read_ctx = img->mem;
	if (not_a_process_core(&st, phnum, notes, err) < 0)
		goto fail;
	/* the kernel keeps only the process's name: it is the main thread's */
	struct thread *main_thread = st.comm && *st.comm ? dump_find_tid(d, d->process.pid) : NULL;
	if (main_thread)
		main_thread->name = st.comm;
	if (st.truncated_notes) {
		dump_warn(d, "the core's notes are cut short: threads after the cut are lost");
		d->input.incomplete = "the core's notes are cut short";
	}
	int cut = coremem_truncated_segments(img->mem);
	if (cut) {
		const char *why = dump_printf(d, "truncated core: %d memory segment%s cut short or missing",
					      cut, cut == 1 ? " is" : "s are");
		dump_warn(d, "%s", why);
		if (!d->input.incomplete)
			d->input.incomplete = why;
	}
	attach_dwfl(&st);
	native_add_modules(st.n);
	native_expose_memory(st.n);
	detect_runtime(d);
	warn_missing_files(&st);
	struct unwind_target target = { .core_path = img->fd_path, .pid = -1, .maps = st.maps,
					 .nmaps = st.nmaps,
					 .damaged = st.truncated_notes > 0 || st.bad_file_note,
					 .bad_thread_id = st.bad_thread_id,
					 .core_data = img->bytes, .core_len = img->len,
					 .foreign_abi = !st.host_abi,
					 .le64 = st.is64 && !st.abi.big_endian };
	if (native_unwind_all(st.n, &target, err) < 0)
		goto fail;
	if (st.is64 && !st.abi.big_endian)
		full_cmdline(&st);
	crash_facts(&st);
	free(st.maps);
	return 0;
fail:
	free(st.maps);
	return -1;
}

static int core_probe(const unsigned char *data, size_t len)
{
	if (len < sizeof(Elf32_Ehdr) || memcmp(data, ELFMAG, SELFMAG))
		return 0;
	/* e_type in the file's own byte order */
	unsigned type = data[EI_DATA] == ELFDATA2MSB ? (unsigned)data[16] << 8 | data[17]
						      : (unsigned)data[17] << 8 | data[16];
	return type == ET_CORE ? 100 : 0;
}

const struct parser core_parser = {
	.name = "core",
	.summary = "Linux ELF core file (kernel or gcore; .zst/.xz/.gz/.lz4 too)",
	.probe = core_probe,
	.parse = core_parse,
};
