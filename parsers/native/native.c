#include "parsers/native/native.h"
#include "parsers/native/cuaddr.h"
#include "parsers/native/dataname.h"
#include "analyzer/lib/path.h"
#include "parsers/native/debugfind.h"
#include "parsers/native/hotspot.h"
#include "parsers/native/symcache.h"
#include "parsers/native/dwarfprep.h"
#include "parsers/native/elfshare.h"
#include "parsers/native/symindex.h"

#include <dwarf.h>
#include <elf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/lib/arena.h"
#include "analyzer/lib/safeopen.h"

static void native_free(void *arg);

/* libstdc++'s demangler (linked through the Makefile's PKG_LIBS). */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

struct native_sym {
	uint64_t addr, raw;
	bool found;
};

/* Symbolized frames of one (pc, activation), shared by every thread with that pc. */
struct frame_run {
	struct frame *frames;
	size_t n;
};

/*
 * libdwfl's callbacks have no user argument: the session being worked on
 * is this thread's current one (set at every entry point that may reach
 * libdwfl).
 */
static __thread struct native *current;

/* ---- session ---- */

const char *dwfl_error(void)
{
	const char *m = dwfl_errmsg(dwfl_errno());
	return m ? m : "unknown error";
}

static int sysroot_find_elf(Dwfl_Module *mod, void **userdata, const char *modname,
			    Dwarf_Addr base, char **file_name, Elf **elfp)
{
	struct native *n = current;
	if (n && n->o->sysroot && modname && modname[0] == '/') {
		struct strbuf p = STRBUF_INIT;
		strbuf_addf(&p, "%s%s", n->o->sysroot, modname);
		int fd = open(p.buf, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			*file_name = strbuf_detach(&p, NULL);
			return fd;
		}
		strbuf_release(&p);
	}
	return dwfl_build_id_find_elf(mod, userdata, modname, base, file_name, elfp);
}

static int find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
			  Dwarf_Addr base, const char *file_name, const char *debuglink_file,
			  GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	struct native *n = current;
	if (n)
		return debugfind_debuginfo(mod, userdata, modname, base, file_name, debuglink_file,
					   debuglink_crc, debuginfo_file_name, n->debuginfo_path,
					   &n->debuginfod);
	void *client = NULL;
	int fd = debugfind_debuginfo(mod, userdata, modname, base, file_name, debuglink_file,
				     debuglink_crc, debuginfo_file_name, NULL, &client);
	debugfind_end(client);
	return fd;
}

struct native *native_new(struct dump *d, const struct mortem_opts *o, bool live,
			  struct strbuf *err)
{
	struct native *n = xcalloc(1, sizeof(*n));
	n->d = d;
	n->o = o;
	n->live = live;
	struct strbuf path = STRBUF_INIT;
	strbuf_adds(&path, ":.debug:/usr/lib/debug");
	for (size_t i = 0; i < o->ndebug_dirs; i++)
		strbuf_addf(&path, ":%s", o->debug_dirs[i]);
	if (o->sysroot)
		strbuf_addf(&path, ":%s/usr/lib/debug", o->sysroot);
	n->debuginfo_path = strbuf_detach(&path, NULL);
	n->callbacks.find_elf = live ? dwfl_linux_proc_find_elf : sysroot_find_elf;
	n->callbacks.find_debuginfo = find_debuginfo;
	n->callbacks.debuginfo_path = &n->debuginfo_path;
	n->dwfl = dwfl_begin(&n->callbacks);
	if (!n->dwfl) {
		error_set(err, "dwfl_begin: %s", dwfl_error());
		free(n->debuginfo_path);
		free(n);
		return NULL;
	}
	current = n;
	dump_atfree(d, native_free, n);
	n->save_cache = !o->no_cache;
	if (!o->no_cache) {
		struct strbuf dir = STRBUF_INIT;
		if (symcache_default_dir(&dir) == 0)
			symcache_persist(dir.buf); /* best effort: without it, no cache */
		strbuf_release(&dir);
	}
	return n;
}

static void native_free(void *arg)
{
	struct native *n = arg;
	if (!n)
		return;
	/*
	 * Saved once the dump is done with, not after the unwind: the rest of
	 * the parse and the analysis look up symbols and data names too.
	 */
	if (n->save_cache)
		symcache_save();
	hotspot_free(n->jvm);
	if (n->dwfl)
		dwfl_end(n->dwfl);
	debugfind_end(n->debuginfod);
	if (n->release)
		n->release(n->read_ctx);
	for (size_t i = 0; i < n->symcache.cap; i++)
		if (n->symcache.slots[i].key)
			free(n->symcache.slots[i].value);
	hashmap_clear(&n->symcache);
	hashmap_clear(&n->pccache);
	for (size_t i = 0; i < n->nmods; i++) {
		if (n->mods[i].names)
			hashmap_clear(n->mods[i].names);
		free(n->mods[i].names);
		symindex_free(n->mods[i].addrs);
		dwarfprep_free(n->mods[i].prepared); /* after dwfl_end: libdw read it */
	}
	free(n->mods);
	elfshare_trim(); /* what this session held may leave the table now */
	free(n->raw_regs);
	free(n->demangle_buf);
	free(n->debuginfo_path);
	if (current == n)
		current = NULL;
	free(n);
}

void native_keep_raw_regs(struct native *n, int64_t tid, const void *raw, size_t len)
{
	ALLOC_GROW(n->raw_regs, n->nraw_regs + 1, n->raw_regs_alloc);
	struct native_regs *r = &n->raw_regs[n->nraw_regs++];
	r->tid = tid;
	r->len = len < sizeof(r->raw) ? len : sizeof(r->raw);
	memcpy(r->raw, raw, r->len);
}

const struct native_regs *native_raw_regs(struct native *n, int64_t tid)
{
	for (size_t i = 0; i < n->nraw_regs; i++)
		if (n->raw_regs[i].tid == tid)
			return &n->raw_regs[i];
	return NULL;
}

/* ---- memory and symbols ---- */

static int mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct native *n = ctx;
	return n->read ? n->read(n->read_ctx, addr, buf, len) : -1;
}

static bool module_matches(const char *modname, const char *want)
{
	const char *b = path_basename(modname);
	if (!b)
		return false;
	if (!strcmp(want, MEMORY_LOADER))
		return !strncmp(b, "ld-", 3) || !strncmp(b, "ld64.so", 7) || !strncmp(b, "ld.so", 5);
	size_t l = strlen(want);
	return !strncmp(b, want, l) && (b[l] == '\0' || b[l] == '.' || b[l] == '-');
}

struct sym_search {
	struct native *n;
	const char *module, *name;
	struct native_sym *result;
	bool main_pass;          /* first pass: the executable only */
};

static bool take_symbol(Dwfl_Module *mod, int i, const char *name, struct native_sym *out)
{
	GElf_Sym sym;
	GElf_Addr addr;
	const char *s = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
	if (!s || strcmp(s, name) || sym.st_shndx == SHN_UNDEF)
		return false;
	out->addr = addr;
	out->raw = sym.st_value;
	out->found = true;
	return true;
}

/* MOD's symbols by name (the first defined one of each), index + 1 as the value. */
static struct hashmap *index_symbols(Dwfl_Module *mod)
{
	struct hashmap *names = xcalloc(1, sizeof(*names));
	int nsyms = dwfl_module_getsymtab(mod);
	for (int i = 1; i < nsyms; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *s = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
		if (!s || sym.st_shndx == SHN_UNDEF)
			continue;
		struct hashmap_slot *slot = hashmap_slot(names, s);
		if (!slot->value)
			slot->value = (void *)(uintptr_t)(i + 1);
	}
	return names;
}

/* The session's own record of MOD, or NULL (N may be NULL). */
static struct native_module *module_of(struct native *n, Dwfl_Module *mod)
{
	for (size_t i = 0; n && i < n->nmods; i++)
		if (n->mods[i].mod == mod)
			return &n->mods[i];
	return NULL;
}

/*
 * The first defined symbol NAME in MOD's symbol table. A module searched
 * more than twice (libthread_db asks libc for a few dozen) is indexed by
 * name once, not scanned again for each.
 */
static bool scan_module(struct native *n, Dwfl_Module *mod, const char *name,
			struct native_sym *out)
{
	struct native_module *nm = module_of(n, mod);
	if (nm && !nm->names && ++nm->searches > 2)
		nm->names = index_symbols(mod);
	if (nm && nm->names) {
		uintptr_t v = (uintptr_t)hashmap_get(nm->names, name);
		return v && take_symbol(mod, (int)(v - 1), name, out);
	}
	int nsyms = dwfl_module_getsymtab(mod);
	for (int i = 1; i < nsyms; i++)
		if (take_symbol(mod, i, name, out))
			return true;
	return false;
}

const char *native_addrinfo(struct native *n, Dwfl_Module *mod, GElf_Addr addr, GElf_Off *off,
			    GElf_Sym *sym, Dwarf_Addr *bias)
{
	Dwarf_Addr b;
	struct native_module *nm = module_of(n, mod);
	if (nm && !nm->addrs && ++nm->addr_lookups == 2) /* one look-up costs what the index does */
		nm->addrs = symindex_new(mod);
	if (nm && nm->addrs)
		return symindex_addrinfo(nm->addrs, mod, addr, off, sym, bias ? bias : &b);
	return dwfl_module_addrinfo(mod, addr, off, sym, NULL, NULL, bias);
}

static const char *indexed_addrname(Dwfl_Module *mod, uint64_t addr)
{
	GElf_Off off;
	GElf_Sym sym;
	return native_addrinfo(current, mod, addr, &off, &sym, NULL);
}

const char *native_addrname(Dwfl_Module *mod, uint64_t addr)
{
	return symcache_addrname(mod, addr, indexed_addrname);
}

void native_prepare_dwarf(struct native *n, Dwfl_Module *mod)
{
	struct native_module *nm = module_of(n, mod);
	if (!nm || nm->dwarf_prepared)
		return;
	nm->dwarf_prepared = true;
	nm->prepared = dwarfprep_module(mod);
}

/*
 * scan_module's answer, from the symbolization cache when it has it: on a
 * warm cache no symbol table is loaded for a look-up by name.
 */
static bool search_module(struct native *n, Dwfl_Module *mod, const char *name,
			  struct native_sym *out)
{
	int known = symcache_symbol(mod, name, &out->addr, &out->raw);
	if (known >= 0) {
		out->found = known;
		return known;
	}
	bool found = scan_module(n, mod, name, out);
	symcache_note_symbol(mod, name, found, out->addr, out->raw);
	return found;
}

static int sym_module_cb(Dwfl_Module *mod, void **userdata, const char *modname,
			 Dwarf_Addr start, void *arg)
{
	struct sym_search *s = arg;
	if (s->module && !module_matches(modname, s->module))
		return DWARF_CB_OK;
	Dwarf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	if (!s->module && elf) {
		GElf_Ehdr eh;
		bool is_exec = gelf_getehdr(elf, &eh) && eh.e_type == ET_EXEC;
		/* the executable: ET_EXEC, or the module dwfl reports first */
		if (s->main_pass != (is_exec || start == 0))
			return DWARF_CB_OK;
	}
	return search_module(s->n, mod, s->name, s->result) ? DWARF_CB_ABORT : DWARF_CB_OK;
}

int native_symbol(struct native *n, const char *module, const char *name, uint64_t *addr,
		  uint64_t *raw_value)
{
	if (!n->dwfl || !name)
		return -1;
	current = n;
	struct strbuf key = STRBUF_INIT;
	strbuf_adds(&key, module ? module : "");
	strbuf_addch(&key, '\n');
	strbuf_adds(&key, name);
	struct native_sym *hit = hashmap_get(&n->symcache, key.buf);
	if (!hit) {
		hit = xcalloc(1, sizeof(*hit));
		struct sym_search s = { n, module, name, hit, true };
		if (!module)
			dwfl_getmodules(n->dwfl, sym_module_cb, &s, 0);
		s.main_pass = false;
		if (!hit->found)
			dwfl_getmodules(n->dwfl, sym_module_cb, &s, 0);
		hashmap_put(&n->symcache, dump_strndup(n->d, key.buf, key.len), hit);
	}
	strbuf_release(&key);
	if (!hit->found)
		return -1;
	if (addr)
		*addr = hit->addr;
	if (raw_value)
		*raw_value = hit->raw;
	return 0;
}

static int mem_symbol(void *ctx, const char *module, const char *name, uint64_t *addr)
{
	return native_symbol(ctx, module, name, addr, NULL);
}

static int mem_name(void *ctx, uint64_t addr, struct strbuf *out)
{
	current = ctx;
	return native_data_name(ctx, addr, out);
}

static const struct memory_ops native_memory_ops = {
	.read = mem_read,
	.symbol = mem_symbol,
	.name = mem_name,
};

void native_expose_memory(struct native *n)
{
	n->d->mem = &native_memory_ops;
	n->d->mem_ctx = n;
}

/* ---- modules ---- */

/* Whether a debug file named by BUILD_ID is in the search path (a look-up each call). */
static bool debug_file_lookup(struct native *n, const char *build_id)
{
	if (!build_id || strlen(build_id) < 3)
		return false;
	const char *p = n->debuginfo_path;
	struct strbuf f = STRBUF_INIT;
	bool found = false;
	while (p && *p && !found) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len && p[0] == '/') {
			strbuf_reset(&f);
			strbuf_addf(&f, "%.*s/.build-id/%.2s/%s.debug", (int)len, p, build_id,
				    build_id + 2);
			found = access(f.buf, R_OK) == 0;
		}
		p = end ? end + 1 : NULL;
	}
	strbuf_release(&f);
	return found;
}

/*
 * Whether a debug file named by BUILD_ID is in the search path. A
 * process that analyzes dump after dump with the same options (a triage
 * worker: the symbolization cache is on) looks once per build and keeps
 * the answer for its life.
 */
static bool debug_file_exists(struct native *n, const char *build_id)
{
	static struct hashmap seen; /* build-id -> &found or &missing */
	static char found, missing;
	if (!build_id || !symcache_enabled())
		return debug_file_lookup(n, build_id);
	struct hashmap_slot *s = hashmap_slot(&seen, build_id);
	if (!s->value) {
		s->key = xstrdup(build_id);
		s->value = debug_file_lookup(n, build_id) ? &found : &missing;
	}
	return s->value == &found;
}

static bool elf_has_debug_info(Elf *elf)
{
	size_t shstrndx;
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) < 0)
		return false;
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && !strcmp(name, ".debug_info") && sh.sh_type != SHT_NOBITS)
			return true;
	}
	return false;
}

/* " link=PATH:SIZE:MTIME" (or ":none") for each place libdwfl looks for MAINFILE's .gnu_debuglink file. */
static void stamp_debuglink(struct native *n, Dwfl_Module *mod, const char *mainfile, struct strbuf *stamp)
{
	Dwarf_Addr bias;
	GElf_Word crc;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	const char *link = elf && mainfile ? dwelf_elf_gnu_debuglink(elf, &crc) : NULL;
	if (!link)
		return;
	const char *slash = strrchr(mainfile, '/');
	struct strbuf dir = STRBUF_INIT, cand = STRBUF_INIT;
	strbuf_add(&dir, mainfile, slash ? (size_t)(slash - mainfile) : 0);
	for (const char *p = n->debuginfo_path; p;) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		strbuf_reset(&cand);
		if (!len)
			strbuf_addf(&cand, "%s/%s", dir.buf, link);
		else if (p[0] == '/')
			strbuf_addf(&cand, "%.*s%s/%s", (int)len, p, dir.buf, link);
		else
			strbuf_addf(&cand, "%s/%.*s/%s", dir.buf, (int)len, p, link);
		struct stat st;
		if (stat(cand.buf, &st) == 0)
			strbuf_addf(stamp, " link=%s:%lld:%lld.%09ld", cand.buf, (long long)st.st_size,
				    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
		else
			strbuf_addf(stamp, " link=%s:none", cand.buf);
		p = end ? end + 1 : NULL;
	}
	strbuf_release(&dir);
	strbuf_release(&cand);
}

/* Whether the file at FD has MOD's build-id. */
static bool file_has_build_id(Dwfl_Module *mod, int fd)
{
	const unsigned char *want;
	const void *have;
	GElf_Addr vaddr;
	int want_len = dwfl_module_build_id(mod, &want, &vaddr);
	Elf *elf = want_len > 0 ? elf_begin(fd, ELF_C_READ, NULL) : NULL; /* a note: read, not mapped */
	ssize_t have_len = elf ? dwelf_elf_gnu_build_id(elf, &have) : -1;
	bool same = want_len > 0 && have_len == want_len && !memcmp(have, want, (size_t)want_len);
	elf_end(elf);
	return same;
}

/*
 * The file MOD was read from. libdwfl names the files it finds, but not
 * one its core report opened by the path the core gives (the executable):
 * that path NAME then, when the file there has MOD's build-id. NULL for a
 * module read from the core's memory (the vDSO, a file deleted or rebuilt).
 */
static const char *module_file(Dwfl_Module *mod, const char *name)
{
	Dwarf_Addr bias;
	const char *mainfile = NULL;
	dwfl_module_getelf(mod, &bias); /* found now, if not before: its name is known after */
	dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, &mainfile, NULL);
	if (mainfile || !name || name[0] != '/')
		return mainfile;
	struct strbuf err = STRBUF_INIT;
	int fd = safeopen_regular(name, &err);
	strbuf_release(&err);
	bool same = fd >= 0 && file_has_build_id(mod, fd);
	if (fd >= 0)
		close(fd);
	return same ? name : NULL;
}

/*
 * The persistent symbolization cache's stamp for MOD (symcache.h): what,
 * besides the build-id, decides how its pcs symbolize in this run: its
 * file, whether debug info was found (in it or by build-id), the search
 * path, DEBUGINFOD_URLS, and each place its .gnu_debuglink file may be.
 * A module read from the core's memory has no file to stamp: not kept.
 */
static void attach_cache(struct native *n, Dwfl_Module *mod, const char *name, bool debug_info)
{
	if (n->o->no_cache || !symcache_wants_stamp(mod))
		return;
	const char *mainfile = module_file(mod, name);
	struct stat st;
	if (!mainfile || stat(mainfile, &st) < 0)
		return; /* read from the core's memory (or gone): nothing on disk to stamp it by */
	struct strbuf stamp = STRBUF_INIT;
	strbuf_addf(&stamp, "file=%s size=%lld mtime=%lld.%09ld debug=%d path=%s debuginfod=%s",
		    mainfile, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
		    st.st_mtim.tv_nsec, debug_info, n->debuginfo_path,
		    getenv("DEBUGINFOD_URLS") ? getenv("DEBUGINFOD_URLS") : "");
	stamp_debuglink(n, mod, mainfile, &stamp);
	symcache_attach(mod, stamp.buf);
	strbuf_release(&stamp);
}

static int module_cb(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start,
		     void *arg)
{
	struct native *n = arg;
	struct dump *d = n->d;
	Dwarf_Addr end;
	const char *mainfile = NULL, *debugfile = NULL;
	dwfl_module_info(mod, NULL, NULL, &end, NULL, NULL, &mainfile, &debugfile);
	struct module *m = dump_add_module(d);
	ALLOC_GROW(n->mods, n->nmods + 1, n->amods);
	n->mods[n->nmods++] = (struct native_module){ .mod = mod };
	m->path = dump_strdup(d, mainfile ? mainfile : name);
	m->name = dump_strdup(d, path_basename(name));
	m->start = start;
	m->end = end;
	const unsigned char *id;
	GElf_Addr id_vaddr;
	int len = dwfl_module_build_id(mod, &id, &id_vaddr);
	if (len > 0) {
		struct strbuf hex = STRBUF_INIT;
		strbuf_addhex(&hex, id, (size_t)len);
		m->build_id = dump_strndup(d, hex.buf, hex.len);
		strbuf_release(&hex);
	}
	Dwarf_Addr bias;
	m->debug_info = debugfile != NULL || elf_has_debug_info(dwfl_module_getelf(mod, &bias)) ||
			debug_file_exists(n, m->build_id);
	attach_cache(n, mod, name, m->debug_info);
	return DWARF_CB_OK;
}

void native_add_modules(struct native *n)
{
	current = n;
	dwfl_getmodules(n->dwfl, module_cb, n, 0);
}

/* ---- symbolization ---- */

const char *native_demangle(struct native *n, const char *name)
{
	if (!name)
		return NULL;
	if (name[0] == '_' && name[1] == 'Z') {
		int status = -1;
		char *out = __cxa_demangle(name, n->demangle_buf, &n->demangle_len, &status);
		if (status == 0 && out) {
			n->demangle_buf = out;
			return dump_strdup(n->d, out);
		}
	}
	return dump_strdup(n->d, name);
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr)
					    ?: dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
	return name ? name : dwarf_diename(die);
}

static bool is_function_tag(int tag)
{
	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
	       tag == DW_TAG_entry_point;
}

struct sym_ctx {
	struct native *n;
	Dwfl_Module *mod;
	uint64_t pc, adj;
	const char *module;
	uint64_t module_start;
	const char *symname;       /* from the symbol table */
	uint64_t sym_offset;
	bool has_sym;
	struct frame *out;
	size_t nout, aout;
};

static struct frame *ctx_frame(struct sym_ctx *c)
{
	if (c->nout == c->aout) {
		size_t na = c->aout ? 2 * c->aout : 4;
		c->out = arena_grow(c->n->d->arena, c->out, c->aout * sizeof(*c->out),
				    na * sizeof(*c->out));
		c->aout = na;
	}
	struct frame *f = &c->out[c->nout++];
	memset(f, 0, sizeof(*f));
	f->pc = c->pc;
	f->has_pc = true;
	f->module = c->module;
	if (c->module) {
		f->module_offset = c->pc - c->module_start;
		f->has_module_offset = true;
	}
	f->trust = TRUST_CFI;
	f->kind = FRAME_NATIVE;
	return f;
}

static void line_of_pc(struct sym_ctx *c, struct frame *f)
{
	int line = 0, col = 0;
	const char *src;
	if (cuaddr_line(c->mod, c->adj, &src, &line, &col)) {
		f->file = dump_strdup(c->n->d, src);
		f->line = line > 0 ? line : 0;
		f->column = col > 0 ? col : 0;
	}
}

static void line_of_call(struct sym_ctx *c, Dwarf_Die *cudie, Dwarf_Die *die, struct frame *f)
{
	Dwarf_Files *files;
	Dwarf_Attribute attr;
	Dwarf_Word val;
	if (dwarf_getsrcfiles(cudie, &files, NULL) != 0 ||
	    dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &val) != 0)
		return;
	const char *src = dwarf_filesrc(files, val, NULL, NULL);
	if (!src)
		return;
	f->file = dump_strdup(c->n->d, src);
	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &val) == 0) {
		f->line = (int)val;
		if (dwarf_formudata(dwarf_attr(die, DW_AT_call_column, &attr), &val) == 0)
			f->column = (int)val;
	}
}

static void set_function(struct sym_ctx *c, struct frame *f, const char *name, int tag)
{
	f->function = native_demangle(c->n, name);
	if (tag == DW_TAG_inlined_subroutine) {
		f->kind = FRAME_INLINE;
	} else if (c->has_sym) {
		f->offset = c->sym_offset + (c->pc - c->adj);
		f->has_offset = true;
	}
}

/* eu-stack -i: the innermost named scope, then each enclosing inline up to the subprogram. */
static bool symbolize_dwarf(struct sym_ctx *c)
{
	Dwarf_Addr bias = 0;
	Dwarf_Die *cudie = cuaddr_die(c->mod, c->adj, &bias);
	if (!cudie)
		return false;
	Dwarf_Die *scopes = NULL, die;
	int nscopes = dwarf_getscopes(cudie, c->adj - bias, &scopes);
	bool found = false;
	for (int i = 0; i < nscopes && !found; i++) {
		if (is_function_tag(dwarf_tag(&scopes[i])) && die_name(&scopes[i])) {
			die = scopes[i];
			found = true;
		}
	}
	free(scopes);
	if (!found)
		return false;
	Dwarf_Die *chain = NULL;
	int n = dwarf_getscopes_die(&die, &chain);
	if (n <= 0) {
		free(chain);
		return false;
	}
	struct frame *f = ctx_frame(c);
	set_function(c, f, die_name(&die), dwarf_tag(&die));
	line_of_pc(c, f);
	Dwarf_Die *last = &chain[0];
	for (int i = 1; i < n; i++) {
		int tag = dwarf_tag(&chain[i]);
		if (!is_function_tag(tag))
			continue;
		f = ctx_frame(c);
		set_function(c, f, die_name(&chain[i]), tag);
		line_of_call(c, cudie, last, f);
		if (tag == DW_TAG_subprogram)
			break;
		last = &chain[i];
	}
	/* the outermost frame of the run is the physical one */
	c->out[c->nout - 1].kind = FRAME_NATIVE;
	if (c->has_sym && !c->out[c->nout - 1].has_offset) {
		c->out[c->nout - 1].offset = c->sym_offset + (c->pc - c->adj);
		c->out[c->nout - 1].has_offset = true;
	}
	free(chain);
	return true;
}

static struct frame_run *symbolize_pc(struct native *n, uint64_t pc, bool activation)
{
	char keybuf[40];
	snprintf(keybuf, sizeof(keybuf), "%llx/%d", (unsigned long long)pc, activation);
	struct frame_run *run = hashmap_get(&n->pccache, keybuf);
	if (run)
		return run;
	struct sym_ctx c = { .n = n, .pc = pc, .adj = pc - (activation ? 0 : 1) };
	c.mod = dwfl_addrmodule(n->dwfl, c.adj);
	char shared[160]; /* symcache.h: the same pc of the same build, in any dump */
	bool cacheable = false;
	const struct frame *hit = NULL;
	size_t nhit = 0;
	if (c.mod) {
		struct native_module *nm = module_of(n, c.mod);
		if (nm)
			nm->used = true;
		Dwarf_Addr start;
		const char *name = dwfl_module_info(c.mod, NULL, &start, NULL, NULL, NULL, NULL, NULL);
		c.module = name ? dump_strdup(n->d, name) : NULL;
		c.module_start = start;
		cacheable = symcache_key(c.mod, c.adj - start, activation, shared, sizeof(shared));
		hit = cacheable ? symcache_get(shared, &nhit) : NULL;
		GElf_Off off;
		GElf_Sym sym;
		c.symname = hit ? NULL : native_addrinfo(n, c.mod, c.adj, &off, &sym, NULL);
		if (c.symname) {
			c.has_sym = true;
			c.sym_offset = off;
		}
	}
	if (hit) {
		for (size_t i = 0; i < nhit; i++)
			symcache_copy(n->d, ctx_frame(&c), &hit[i]);
	} else if (!c.mod || (native_prepare_dwarf(n, c.mod), !symbolize_dwarf(&c))) {
		struct frame *f = ctx_frame(&c);
		if (c.symname)
			set_function(&c, f, c.symname, DW_TAG_subprogram);
		if (c.mod)
			line_of_pc(&c, f);
	}
	if (cacheable && !hit)
		symcache_put(shared, c.out, c.nout);
	run = arena_alloc(n->d->arena, sizeof(*run));
	run->frames = c.out;
	run->n = c.nout;
	hashmap_put(&n->pccache, dump_strdup(n->d, keybuf), run);
	return run;
}

void native_symbolize(struct native *n, struct thread *t, const struct unwind_result *r)
{
	current = n;
	for (size_t i = 0; i < r->n; i++) {
		const struct unwind_frame *uf = &r->frames[i];
		struct frame_run *run = symbolize_pc(n, uf->pc, uf->activation);
		for (size_t k = 0; k < run->n; k++) {
			struct frame *f = thread_add_frame(n->d, t);
			if (!f)
				return;
			*f = run->frames[k];
			f->trust = uf->trust;
			bool physical = k + 1 == run->n;
			if (physical && (uf->signal || (f->function && !strcmp(f->function, "__restore_rt"))))
				f->kind = FRAME_SIGNAL;
		}
	}
}

/* ---- all threads ---- */

/*
 * Debug info found while symbolizing (a debug file, perhaps from
 * debuginfod) updates the modules; the modules in the stacks that still
 * have none are named in one warning.
 */
static void report_debug_info(struct native *n)
{
	struct strbuf missing = STRBUF_INIT;
	size_t count = 0;
	for (size_t i = 0; i < n->nmods && i < n->d->nmodules; i++) {
		struct module *m = n->d->modules[i];
		if (!n->mods[i].used)
			continue;
		/* searched already while symbolizing: this only reads the result */
		Dwarf_Addr bias;
		int has = symcache_has_dwarf(n->mods[i].mod); /* -1 unless a triage worker knows */
		if (has < 0) {
			native_prepare_dwarf(n, n->mods[i].mod);
			has = dwfl_module_getdwarf(n->mods[i].mod, &bias) != NULL;
			symcache_note_dwarf(n->mods[i].mod, has);
		}
		if (has)
			m->debug_info = true;
		if (m->debug_info || !m->path || m->path[0] != '/')
			continue;
		strbuf_addf(&missing, "%s%s", count++ ? ", " : "", m->name);
	}
	if (count)
		dump_warn(n->d, "no debug info (no source lines or inline frames) for: %s",
			  missing.buf);
	strbuf_release(&missing);
}

struct unwind_all {
	struct native *n;
	struct unwind_chain *chain;
	int marker;              /* t->user == &marker: done */
	size_t nearly;           /* threads whose CFI unwinding stopped early */
	size_t ncut;             /* threads cut at --max-frames */
	struct strbuf early;     /* the first few of them, for the warning */
};

static void unwind_one(struct unwind_all *ua, struct thread *t)
{
	struct unwind_result r = UNWIND_RESULT_INIT;
	const char *used = NULL;
	unwind_thread(ua->chain, t->tid, t->regs, &r, &used);
	if (ua->n->jvm)
		hotspot_symbolize(ua->n->jvm, t, &r);
	else
		native_symbolize(ua->n, t, &r);
	size_t max = ua->n->o->max_frames;
	if (max && r.n >= max && !t->frames_truncated) {
		t->frames_truncated = true;
		ua->ncut++;
	}
	if (!r.complete && r.error) {
		if (ua->nearly < 3)
			strbuf_addf(&ua->early, "%sthread %s: %s%s%s", ua->nearly ? "; " : "", t->id,
				    r.error, strchr(used, '+') ? ", continued with " : "",
				    strchr(used, '+') ? strchr(used, '+') + 1 : "");
		ua->nearly++;
	}
	t->user = &ua->marker;
	unwind_result_release(&r);
}

static int each_thread(int64_t tid, void *arg)
{
	struct unwind_all *ua = arg;
	struct dump *d = ua->n->d;
	struct thread *t = dump_find_tid(d, tid);
	if (!t) {
		char id[32];
		snprintf(id, sizeof(id), "%lld", (long long)tid);
		t = dump_add_thread(d, id);
		t->tid = tid;
	}
	if (t->user != &ua->marker)
		unwind_one(ua, t);
	return 0;
}

int native_unwind_all(struct native *n, struct unwind_target *target, struct strbuf *err)
{
	current = n;
	struct dump *d = n->d;
	target->dwfl = n->dwfl;
	target->addrname = native_addrname;
	target->machine = n->machine;
	target->mem = &native_memory_ops;
	target->mem_ctx = n;
	target->max_frames = n->o->max_frames;
	struct unwind_all ua = { .n = n };
	strbuf_init(&ua.early, 0);
	ua.chain = unwind_open(target, n->o->unwinder, err);
	if (!ua.chain) {
		strbuf_release(&ua.early);
		return -1;
	}
	if (!n->jvm && !n->o->no_java)
		n->jvm = hotspot_open(n);
	struct strbuf lerr = STRBUF_INIT;
	if (unwind_threads(ua.chain, each_thread, &ua, &lerr) < 0 && !d->nthreads)
		dump_warn(d, "%s", lerr.buf);
	strbuf_release(&lerr);
	/* threads the parser knows that the unwinder did not list */
	for (size_t i = 0; i < d->nthreads; i++)
		if (d->threads[i]->user != &ua.marker)
			unwind_one(&ua, d->threads[i]);
	for (size_t i = 0; i < d->nthreads; i++)
		d->threads[i]->user = NULL;
	if (n->jvm)
		hotspot_finish(n->jvm);
	if (ua.nearly)
		dump_warn(d, "%zu thread%s unwound only partly by CFI: %s%s", ua.nearly,
			  ua.nearly == 1 ? "" : "s", ua.early.buf, ua.nearly > 3 ? "; ..." : "");
	if (ua.ncut)
		dump_warn(d, "%zu thread%s cut at %zu frames (--max-frames)", ua.ncut,
			  ua.ncut == 1 ? "" : "s", n->o->max_frames);
	report_debug_info(n);
	unwind_close(ua.chain);
	strbuf_release(&ua.early);
	return 0;
}

/* ---- crash facts ---- */

const char *native_abort_message(struct native *n)
{
	uint64_t sym, ptr;
	if (!n->read || native_symbol(n, "libc", "__abort_msg", &sym, NULL) < 0)
		return NULL;
	if (n->read(n->read_ctx, sym, &ptr, 8) < 0 || !ptr)
		return NULL;
	uint32_t size;
	if (n->read(n->read_ctx, ptr, &size, 4) < 0 || size <= 4)
		return NULL;
	size_t max = size - 4 < 4096 ? size - 4 : 4096;
	struct strbuf sb = STRBUF_INIT;
	char ch;
	for (size_t i = 0; i < max && n->read(n->read_ctx, ptr + 4 + i, &ch, 1) == 0 && ch; i++)
		strbuf_addch(&sb, ch);
	while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == ' '))
		sb.buf[--sb.len] = '\0';
	const char *msg = sb.len ? dump_strndup(n->d, sb.buf, sb.len) : NULL;
	strbuf_release(&sb);
	return msg;
}
