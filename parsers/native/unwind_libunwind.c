/*
 * The libunwind backend: libunwind-coredump (_UCD_create over the core,
 * with its thread list and registers) for cores, libunwind-ptrace
 * (_UPT_create per stopped thread) for live processes.
 *
 * For cores, two accessors of _UCD_accessors are replaced: libunwind 1.6
 * looks for a module's unwind table assuming its text is mapped from file
 * offset 0 (not so with today's separate-code layout) and reads omitted
 * text at the wrong file offset. Ours read memory through the target's
 * memory_ops (coremem: core segments, then the mapped files at their
 * offsets) and find the .eh_frame_hdr of the module libdwfl reports at the
 * pc, handing it to libunwind's own table search (dwarf_search_unwind_table,
 * as _UPT_find_proc_info does for live processes).
 * libunwind is built for the host's architecture only: a core of another
 * machine cannot use it (attach fails and the chain goes on without it).
 */
#include <elf.h>
#include <libunwind-coredump.h>
#include <libunwind-ptrace.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procfs.h>
#include <sys/stat.h>

#include "parsers/native/unwind.h"
#include "analyzer/lib/arena.h"

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#define UNW_FP_REG UNW_X86_64_RBP
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#define UNW_FP_REG UNW_AARCH64_X29
#else
#define HOST_MACHINE EM_NONE
#define UNW_FP_REG UNW_REG_SP
#endif

/* libunwind's table search (exported, not declared in its public headers) */
#define dwarf_search_unwind_table UNW_OBJ(dwarf_search_unwind_table)
extern int dwarf_search_unwind_table(unw_addr_space_t as, unw_word_t ip, unw_dyn_info_t *di,
				     unw_proc_info_t *pi, int need_unwind_info, void *arg);

struct lu_state {
	struct unwind_target t;
	struct UCD_info *ucd;   /* core */
	unw_addr_space_t as;
	int64_t pid;            /* live */
	size_t max_frames;
	int nthreads;
};

static int core_access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write,
			   void *arg)
{
	struct lu_state *st = arg;
	if (write)
		return -UNW_EINVAL;
	return st->t.mem->read(st->t.mem_ctx, addr, val, sizeof(*val)) == 0 ? 0 : -UNW_EINVAL;
}

static int core_access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write,
			   void *arg)
{
	struct lu_state *st = arg;
	return _UCD_access_reg(as, reg, val, write, st->ucd);
}

static int core_access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val,
			     int write, void *arg)
{
	struct lu_state *st = arg;
	return _UCD_access_fpreg(as, reg, val, write, st->ucd);
}

static int core_resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	return -UNW_EINVAL;
}

static int core_dyn_info_list(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
	return -UNW_ENOINFO;
}

static int core_proc_name(unw_addr_space_t as, unw_word_t ip, char *buf, size_t len,
			  unw_word_t *off, void *arg)
{
	struct lu_state *st = arg;
	Dwfl_Module *m = dwfl_addrmodule(st->t.dwfl, ip);
	GElf_Off o;
	GElf_Sym sym;
	const char *name = m ? dwfl_module_addrinfo(m, ip, &o, &sym, NULL, NULL, NULL) : NULL;
	if (!name)
		return -UNW_ENOINFO;
	snprintf(buf, len, "%s", name);
	*off = o;
	return 0;
}

/* The module's .eh_frame_hdr (PT_GNU_EH_FRAME) as a remote table for libunwind. */
static int core_find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
			       int need_unwind_info, void *arg)
{
	struct lu_state *st = arg;
	Dwfl_Module *m = dwfl_addrmodule(st->t.dwfl, ip);
	Dwarf_Addr bias, start, end;
	Elf *elf = m ? dwfl_module_getelf(m, &bias) : NULL;
	size_t phnum;
	if (!elf || elf_getphdrnum(elf, &phnum) < 0)
		return -UNW_ENOINFO;
	dwfl_module_info(m, NULL, &start, &end, NULL, NULL, NULL, NULL);
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_GNU_EH_FRAME)
			continue;
		uint64_t hdr = ph.p_vaddr + bias;
		unsigned char head[12];
		if (st->t.mem->read(st->t.mem_ctx, hdr, head, sizeof(head)) < 0)
			return -UNW_ENOINFO;
		/* version 1; eh_frame_ptr pcrel|sdata4; fde_count udata4; table datarel|sdata4 */
		if (head[0] != 1 || head[2] != 0x03 || head[3] != 0x3b)
			return -UNW_ENOINFO;
		uint32_t count;
		memcpy(&count, head + 8, 4);
		unw_dyn_info_t di;
		memset(&di, 0, sizeof(di));
		di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
		di.start_ip = start;
		di.end_ip = end;
		di.u.rti.segbase = hdr;
		di.u.rti.table_data = hdr + 12;
		di.u.rti.table_len = (uint64_t)count * 8 / sizeof(unw_word_t);
		return dwarf_search_unwind_table(as, ip, &di, pi, need_unwind_info, arg);
	}
	return -UNW_ENOINFO;
}

static void core_put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	struct lu_state *st = arg;
	_UCD_put_unwind_info(as, pi, st->ucd);
}

static unw_accessors_t core_accessors = {
	.find_proc_info = core_find_proc_info,
	.put_unwind_info = core_put_unwind_info,
	.get_dyn_info_list_addr = core_dyn_info_list,
	.access_mem = core_access_mem,
	.access_reg = core_access_reg,
	.access_fpreg = core_access_fpreg,
	.resume = core_resume,
	.get_proc_name = core_proc_name,
};

/* ---- what _UCD_create reads, checked first ---- */

/*
 * libunwind 1.6's _UCD_create trusts the core: it reads e_phnum program
 * headers, mallocs and reads each PT_NOTE's p_filesz, walks the notes by
 * their own sizes without bounds, copies sizeof(struct elf_prstatus) from
 * every note of type NT_PRSTATUS, and reads NT_FILE's count of entries
 * (unsigned longs) and that many strlen'd names. Each of these is checked
 * here against the file, the segment and the descriptor.
 */
struct ucd_check {
	const unsigned char *data;
	size_t len;
	struct strbuf *why;
};

static bool ucd_fail(struct ucd_check *c, const char *what)
{
	if (c->why)
		strbuf_adds(c->why, what);
	return false;
}

static bool ucd_file_note_ok(struct ucd_check *c, const unsigned char *desc, size_t size)
{
	unsigned long head[2];
	if (size < sizeof(head))
		return ucd_fail(c, "NT_FILE note smaller than its header");
	memcpy(head, desc, sizeof(head));
	size_t entries = 3 * sizeof(unsigned long);
	if (head[0] > (size - sizeof(head)) / entries)
		return ucd_fail(c, "NT_FILE count larger than its note");
	const char *name = (const char *)desc + sizeof(head) + head[0] * entries;
	const char *end = (const char *)desc + size;
	for (unsigned long i = 0; i < head[0]; i++) {
		const char *nul = memchr(name, '\0', (size_t)(end - name));
		if (!nul)
			return ucd_fail(c, "NT_FILE names run past the note");
		/* _UCD_create opens the files: never a FIFO or a device */
		struct stat sb;
		if (stat(name, &sb) == 0 && !S_ISREG(sb.st_mode))
			return ucd_fail(c, "NT_FILE names a file that is not a regular file");
		name = nul + 1;
	}
	return true;
}

/* The notes of one segment, walked the way _UCD_elf_visit_notes walks them. */
static bool ucd_notes_ok(struct ucd_check *c, const unsigned char *seg, size_t size)
{
	size_t at = 0;
	while (at < size) {
		Elf64_Nhdr nh;
		if (size - at < sizeof(nh))
			return ucd_fail(c, "a note header runs past its segment");
		memcpy(&nh, seg + at, sizeof(nh));
		uint64_t name = ((uint64_t)nh.n_namesz + 3) & ~3ULL;
		uint64_t desc = ((uint64_t)nh.n_descsz + 3) & ~3ULL;
		/* libunwind adds these as unsigned: a wrap would walk backwards */
		if (name > 0xfffffff0u || desc > 0xfffffff0u ||
		    sizeof(nh) + name + desc > size - at)
			return ucd_fail(c, "a note runs past its segment");
		const unsigned char *d = seg + at + sizeof(nh) + name;
		if (nh.n_type == NT_PRSTATUS && nh.n_descsz < sizeof(struct elf_prstatus))
			return ucd_fail(c, "an NT_PRSTATUS note smaller than elf_prstatus");
		if (nh.n_type == NT_FILE && !ucd_file_note_ok(c, d, nh.n_descsz))
			return false;
		at += sizeof(nh) + name + desc;
	}
	return true;
}

bool unwind_libunwind_core_ok(const void *data, size_t len, struct strbuf *why)
{
	struct ucd_check c = { data, len, why };
	Elf64_Ehdr eh;
	if (!data || len < sizeof(eh))
		return ucd_fail(&c, "no ELF header");
	memcpy(&eh, data, sizeof(eh));
	bool host_le = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    sizeof(void *) != 8 || eh.e_ident[EI_DATA] != (host_le ? ELFDATA2LSB : ELFDATA2MSB) ||
	    eh.e_machine != HOST_MACHINE)
		return ucd_fail(&c, "not a core of this machine's ABI");
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum || eh.e_phnum == PN_XNUM ||
	    eh.e_phoff > len || (len - eh.e_phoff) / sizeof(Elf64_Phdr) < eh.e_phnum)
		return ucd_fail(&c, "program headers outside the file");
	for (size_t i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, c.data + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_NOTE)
			continue;
		if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
			return ucd_fail(&c, "a note segment outside the file");
		if (!ucd_notes_ok(&c, c.data + ph.p_offset, ph.p_filesz))
			return false;
	}
	return true;
}

/* ---- the backend ---- */

static int lu_attach(const struct unwind_target *t, void **state, struct strbuf *err)
{
	if (t->machine != HOST_MACHINE || t->foreign_abi)
		return error_set(err, "libunwind: only for this machine's architecture and ABI");
	if (t->core_path && t->damaged)
		return error_set(err, "libunwind: the core's notes are damaged");
	struct strbuf why = STRBUF_INIT;
	if (t->core_path && !unwind_libunwind_core_ok(t->core_data, t->core_len, &why)) {
		error_set(err, "libunwind: not used on this core: %s", why.buf);
		strbuf_release(&why);
		return -1;
	}
	strbuf_release(&why);
	struct lu_state *st = xcalloc(1, sizeof(*st));
	st->t = *t;
	st->max_frames = t->max_frames;
	st->pid = t->pid;
	if (t->core_path) {
		st->ucd = _UCD_create(t->core_path);
		if (!st->ucd) {
			free(st);
			return error_set(err, "_UCD_create: cannot read the core");
		}
		st->nthreads = _UCD_get_num_threads(st->ucd);
		st->as = t->dwfl && t->mem ? unw_create_addr_space(&core_accessors, 0) : NULL;
	} else {
		st->as = unw_create_addr_space(&_UPT_accessors, 0);
	}
	if (!st->as) {
		if (st->ucd)
			_UCD_destroy(st->ucd);
		free(st);
		return error_set(err, "unw_create_addr_space failed");
	}
	unw_set_caching_policy(st->as, UNW_CACHE_GLOBAL);
	*state = st;
	return 0;
}

static int lu_threads(void *state, int (*each)(int64_t tid, void *arg), void *arg)
{
	struct lu_state *st = state;
	if (!st->ucd)
		return -1;
	for (int i = 0; i < st->nthreads; i++) {
		_UCD_select_thread(st->ucd, i);
		if (each(_UCD_get_pid(st->ucd), arg))
			break;
	}
	return 0;
}

static bool select_tid(struct lu_state *st, int64_t tid)
{
	for (int i = 0; i < st->nthreads; i++) {
		_UCD_select_thread(st->ucd, i);
		if (_UCD_get_pid(st->ucd) == tid)
			return true;
	}
	return false;
}

static void walk(struct lu_state *st, unw_cursor_t *c, struct unwind_result *out)
{
	bool activation = true;
	for (;;) {
		unw_word_t ip = 0, sp = 0, fp = 0;
		if (unw_get_reg(c, UNW_REG_IP, &ip) < 0 || !ip)
			break;
		struct unwind_frame f = { .pc = ip, .activation = activation, .trust = TRUST_CFI };
		if (unw_get_reg(c, UNW_REG_SP, &sp) == 0) {
			f.sp = sp;
			f.has_sp = true;
		}
		if (unw_get_reg(c, UNW_FP_REG, &fp) == 0) {
			f.fp = fp;
			f.has_fp = true;
		}
		/*
		 * libunwind flags the frame above the trampoline (the interrupted
		 * one): the previous frame is __restore_rt, and both pcs are exact.
		 */
		if (unw_is_signal_frame(c) > 0 && out->n) {
			out->frames[out->n - 1].signal = true;
			out->frames[out->n - 1].activation = true;
			f.activation = true;
		}
		activation = false;
		unwind_result_add(out, &f);
		if (st->max_frames && out->n >= st->max_frames)
			return;
		int rc = unw_step(c);
		if (rc < 0) {
			unwind_result_fail(out, "libunwind: %s", unw_strerror(rc));
			return;
		}
		if (rc == 0)
			return;
	}
}

static int lu_frames(void *state, int64_t tid, const struct thread_regs *regs,
		     struct unwind_result *out)
{
	struct lu_state *st = state;
	unw_cursor_t c;
	void *upt = NULL;
	out->complete = true;
	if (st->ucd) {
		if (!select_tid(st, tid)) {
			unwind_result_fail(out, "libunwind: no thread %lld in the core", (long long)tid);
			return -1;
		}
		if (unw_init_remote(&c, st->as, st) < 0) {
			unwind_result_fail(out, "libunwind: unw_init_remote failed");
			return -1;
		}
	} else {
		upt = _UPT_create((pid_t)tid);
		if (!upt || unw_init_remote(&c, st->as, upt) < 0) {
			if (upt)
				_UPT_destroy(upt);
			unwind_result_fail(out, "libunwind: cannot start on thread %lld", (long long)tid);
			return -1;
		}
	}
	walk(st, &c, out);
	if (upt)
		_UPT_destroy(upt);
	return out->n ? 0 : -1;
}

static void lu_detach(void *state)
{
	struct lu_state *st = state;
	unw_destroy_addr_space(st->as);
	if (st->ucd)
		_UCD_destroy(st->ucd);
	free(st);
}

const struct unwinder unwind_libunwind = {
	.name = "libunwind",
	.attach = lu_attach,
	.threads = lu_threads,
	.frames = lu_frames,
	.detach = lu_detach,
};
