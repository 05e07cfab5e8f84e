#include "parsers/native/resym.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/lib/arena.h"
#include "analyzer/lib/safeopen.h"
#include "analyzer/lib/strbuf.h"
#include "parsers/native/cuaddr.h"
#include "parsers/native/dwarfprep.h"

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

struct resym_lib {
	const char *name;       /* module name as frames say it */
	Dwfl *dwfl;
	Dwfl_Module *mod;
	struct dwarfprep *prepared; /* freed after dwfl_end */
};

struct resym_cache {
	struct resym_lib *libs;
	size_t n, alloc;
};

static const struct module *module_named(struct dump *d, const char *name)
{
	for (size_t i = 0; i < d->nmodules; i++) {
		const struct module *m = d->modules[i];
		if ((m->name && !strcmp(m->name, name)) || (m->path && !strcmp(m->path, name)))
			return m;
	}
	return NULL;
}

static Dwfl_Module *open_lib(struct dump *d, struct resym_cache *c, const char *name,
			     const struct mortem_opts *o)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->libs[i].name, name))
			return c->libs[i].mod;
	struct resym_lib lib = { .name = name };
	const struct module *m = module_named(d, name);
	if (m && m->path && m->path[0] == '/') {
		struct strbuf path = STRBUF_INIT;
		if (o && o->sysroot)
			strbuf_adds(&path, o->sysroot);
		strbuf_adds(&path, m->path);
		struct stat st;
		if (stat(path.buf, &st) == 0 && !S_ISREG(st.st_mode)) {
			/* a FIFO would block the open, a device would be read */
			dump_warn(d, "the dump names %s (%s): not opened, only regular files are",
				  path.buf, safeopen_kind(st.st_mode));
		} else if (access(path.buf, R_OK) == 0) {
			lib.dwfl = dwfl_begin(&offline_callbacks);
			if (lib.dwfl) {
				lib.mod = dwfl_report_offline(lib.dwfl, name, path.buf, -1);
				dwfl_report_end(lib.dwfl, NULL, NULL);
				if (!lib.mod)
					dump_warn(d, "cannot read '%s' to re-symbolize: %s", path.buf,
						  dwfl_errmsg(-1));
				else
					lib.prepared = dwarfprep_module(lib.mod);
			}
		}
		strbuf_release(&path);
	}
	ALLOC_GROW(c->libs, c->n + 1, c->alloc);
	c->libs[c->n++] = lib;
	return lib.mod;
}

struct located {
	const char *function;
	const char *file;
	int line;
};

static const char *die_function_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	Dwarf_Die origin;
	const char *name = NULL;
	if (dwarf_attr_integrate(die, DW_AT_linkage_name, &a) ||
	    dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a))
		name = dwarf_formstring(&a);
	if (!name)
		name = dwarf_diename(die);
	if (!name && dwarf_attr(die, DW_AT_abstract_origin, &a) && dwarf_formref_die(&a, &origin))
		name = dwarf_diename(&origin);
	return name;
}

static const char *call_file(Dwarf_Die *cu, Dwarf_Die *scope)
{
	Dwarf_Attribute a;
	Dwarf_Word idx;
	Dwarf_Files *files;
	size_t nfiles;
	if (!dwarf_attr(scope, DW_AT_call_file, &a) || dwarf_formudata(&a, &idx) != 0)
		return NULL;
	if (dwarf_getsrcfiles(cu, &files, &nfiles) != 0 || idx >= nfiles)
		return NULL;
	return dwarf_filesrc(files, idx, NULL, NULL);
}

/*
 * The chain of functions at ADDR, innermost first: inlined subroutines, then
 * the real function. Returns how many entries were written into OUT (at most MAX).
 */
static size_t inline_chain(Dwfl_Module *mod, Dwarf_Addr addr, const char *file, int line,
			   struct located *out, size_t max)
{
	Dwarf_Addr bias;
	Dwarf_Die *cu = cuaddr_die(mod, addr, &bias);
	if (!cu)
		return 0;
	Dwarf_Die *scopes = NULL;
	int n = dwarf_getscopes(cu, addr - bias, &scopes);
	size_t k = 0;
	bool outermost = false;
	for (int i = 0; i < n && k < max; i++) {
		int tag = dwarf_tag(&scopes[i]);
		if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
			continue;
		out[k++] = (struct located){ die_function_name(&scopes[i]), file, line };
		if (tag == DW_TAG_subprogram) {
			outermost = true;
			break;
		}
		Dwarf_Attribute a;
		Dwarf_Word cl = 0;
		file = call_file(cu, &scopes[i]);
		line = dwarf_attr(&scopes[i], DW_AT_call_line, &a) && !dwarf_formudata(&a, &cl) ? (int)cl : 0;
	}
	free(scopes);
	/* the scopes of an inlined body stop at the CU: the caller is the symbol */
	if (k && !outermost && k < max)
		out[k++] = (struct located){ dwfl_module_addrname(mod, addr), file, line };
	return k;
}

/* Resolves frame F (FRAME_INDEX in its thread); fills CHAIN, returns its length. */
static size_t resolve(struct dump *d, struct resym_cache *c, const struct frame *f,
		      size_t frame_index, const struct mortem_opts *o, struct located *chain,
		      size_t max)
{
	if (f->kind != FRAME_NATIVE || !f->module || !f->has_module_offset)
		return 0;
	Dwfl_Module *mod = open_lib(d, c, f->module, o);
	if (!mod)
		return 0;
	Dwarf_Addr bias = 0;
	if (!dwfl_module_getelf(mod, &bias))
		return 0;
	Dwarf_Addr addr = bias + f->module_offset - (frame_index > 0 ? 1 : 0);
	const char *file = NULL;
	int line = 0;
	int col;
	if (!cuaddr_line(mod, addr, &file, &line, &col))
		file = NULL, line = 0;
	size_t k = inline_chain(mod, addr, file, line, chain, max);
	if (!k) {
		const char *sym = dwfl_module_addrname(mod, addr);
		if (!sym && !file)
			return 0;
		chain[0] = (struct located){ sym, file, line };
		k = 1;
	}
	return k;
}

void resym_thread(struct dump *d, struct thread *t, const struct mortem_opts *o)
{
	struct resym_cache c = { 0 };
	struct frame *out = NULL;
	size_t nout = 0, alloc = 0;
	bool changed = false;
	for (size_t i = 0; i < t->nframes; i++) {
		struct located chain[16];
		size_t k = resolve(d, &c, &t->frames[i], i, o, chain, 16);
		ALLOC_GROW(out, nout + k + 1, alloc);
		if (!k) {
			out[nout++] = t->frames[i];
			continue;
		}
		changed = true;
		for (size_t j = 0; j < k; j++) {
			struct frame f = t->frames[i];
			if (j + 1 < k) {
				f.kind = FRAME_INLINE;
				f.function = chain[j].function ? dump_strdup(d, chain[j].function) : NULL;
				f.has_offset = false;
				f.text = NULL;
			} else if (chain[j].function && (!f.function || k > 1)) {
				if (!f.function)
					f.function = dump_strdup(d, chain[j].function);
			}
			if (chain[j].file) {
				f.file = dump_strdup(d, chain[j].file);
				f.line = chain[j].line;
			}
			out[nout++] = f;
		}
	}
	if (changed) {
		t->frames = arena_alloc(d->arena, nout * sizeof(*out));
		memcpy(t->frames, out, nout * sizeof(*out));
		t->nframes = t->frames_alloc = nout;
	}
	free(out);
	for (size_t i = 0; i < c.n; i++) {
		if (c.libs[i].dwfl)
			dwfl_end(c.libs[i].dwfl);
		dwarfprep_free(c.libs[i].prepared);
	}
	free(c.libs);
}
