/* Address look-ups in a module's symbols, as libdwfl makes them, read once (symindex.h). */
#include "parsers/native/symindex.h"

#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>

#include "analyzer/lib/xalloc.h"

/* A symbol libdwfl's search would consider: what the search reads of it. */
struct entry {
	GElf_Addr value;       /* st_value + bias: where it is in the process */
	GElf_Xword size;
	const char *name;
	int ndx;               /* its index in the module's table */
	unsigned char info;    /* st_info: binding and type */
	bool reserved;         /* its section index is SHN_ABS and the like */
};

struct symindex {
	struct entry *e;
	size_t n;
	size_t first_global;   /* the first entry of a global symbol (the table lists locals first) */
	int table_first_global; /* dwfl_module_getsymtab_first_global's answer */
};

/* What libdwfl's search skips whatever the address. */
static bool never_chosen(const char *name, const GElf_Sym *sym)
{
	int type = GELF_ST_TYPE(sym->st_info);
	return !name || !name[0] || sym->st_shndx == SHN_UNDEF || type == STT_SECTION ||
	       type == STT_FILE || type == STT_TLS;
}

struct symindex *symindex_new(Dwfl_Module *mod)
{
	Dwarf_Addr bias;
	Elf *main = dwfl_module_getelf(mod, &bias);
	GElf_Ehdr ehdr;
	if (!main || !gelf_getehdr(main, &ehdr) || ehdr.e_type == ET_REL)
		return NULL;
	int nsyms = dwfl_module_getsymtab(mod);
	int first_global = dwfl_module_getsymtab_first_global(mod);
	if (nsyms <= 1 || first_global < 0)
		return NULL;
	struct symindex *ix = xcalloc(1, sizeof(*ix));
	ix->e = xmalloc((size_t)nsyms * sizeof(*ix->e));
	ix->table_first_global = first_global;
	ix->first_global = (size_t)-1;
	for (int i = 1; i < nsyms; i++) {
		GElf_Sym sym;
		GElf_Addr value;
		GElf_Word shndx;
		Dwarf_Addr sbias;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &value, &shndx, NULL, &sbias);
		if (never_chosen(name, &sym))
			continue;
		/* at st_value (absolute, not loaded) or moved by the bias; else libdwfl resolved it */
		if (value != sym.st_value + sbias && value != sym.st_value) {
			symindex_free(ix);
			return NULL;
		}
		if (i >= first_global && ix->first_global == (size_t)-1)
			ix->first_global = ix->n;
		ix->e[ix->n++] = (struct entry){ value, sym.st_size, name, i, sym.st_info,
						 shndx >= SHN_LORESERVE };
	}
	if (ix->first_global == (size_t)-1)
		ix->first_global = ix->n;
	return ix;
}

void symindex_free(struct symindex *ix)
{
	if (!ix)
		return;
	free(ix->e);
	free(ix);
}

/* ---- the search, libdwfl's own (dwfl_module_addrsym.c, the addrinfo flavour) ---- */

static int binding_value(unsigned char info)
{
	switch (GELF_ST_BIND(info)) {
	case STB_GLOBAL:
		return 3;
	case STB_WEAK:
		return 2;
	case STB_LOCAL:
		return 1;
	default:
		return 0;
	}
}

struct search {
	Dwfl_Module *mod;
	GElf_Addr addr;
	size_t addr_shndx;       /* the section ADDR lies in, once asked (SHN_UNDEF: not yet) */
	bool addr_shndx_known;
	const struct entry *closest;
	const struct entry *sizeless;
	GElf_Addr min_label;
};

/* The index of the section of MOD's main file that ADDR lies in, or SHN_UNDEF. */
static size_t section_of(Dwfl_Module *mod, GElf_Addr addr)
{
	Dwarf_Addr a = addr, bias;
	Elf_Scn *scn = dwfl_module_address_section(mod, &a, &bias);
	return scn ? elf_ndxscn(scn) : SHN_UNDEF;
}

static bool same_section(struct search *s, const struct entry *e)
{
	if (e->reserved)
		return e->value == s->addr;
	if (!s->addr_shndx_known) {
		s->addr_shndx = section_of(s->mod, s->addr);
		s->addr_shndx_known = true;
	}
	return s->addr_shndx == section_of(s->mod, e->value);
}

static void try_entry(struct search *s, const struct entry *e)
{
	if (e->value + e->size > s->min_label)
		s->min_label = e->value + e->size;
	if (e->size && s->addr - e->value >= e->size)
		return;
	const struct entry *c = s->closest;
	if (!c || c->value < e->value || binding_value(c->info) < binding_value(e->info)) {
		if (e->size)
			s->closest = e;
		else if (!c && e->value >= s->min_label && same_section(s, e))
			s->sizeless = e;
	} else if (e->size && c->value == e->value &&
		   ((c->size > e->size && binding_value(c->info) <= binding_value(e->info)) ||
		    (c->size >= e->size && binding_value(c->info) < binding_value(e->info)))) {
		s->closest = e;
	}
}

static void search_range(struct search *s, const struct entry *from, const struct entry *to)
{
	for (const struct entry *e = from; e < to; e++)
		if (e->value <= s->addr)
			try_entry(s, e);
}

const char *symindex_addrinfo(const struct symindex *ix, Dwfl_Module *mod, GElf_Addr addr,
			      GElf_Off *off, GElf_Sym *sym, Dwarf_Addr *bias)
{
	struct search s = { .mod = mod, .addr = addr };
	search_range(&s, ix->e + ix->first_global, ix->e + ix->n);
	if (!s.closest && ix->table_first_global > 1 && (!s.sizeless || s.sizeless->value != addr))
		search_range(&s, ix->e, ix->e + ix->first_global);
	const struct entry *won = s.closest;
	if (!won && s.sizeless && s.sizeless->value >= s.min_label)
		won = s.sizeless;
	if (!won)
		return NULL;
	GElf_Addr value;
	GElf_Word shndx;
	const char *name = dwfl_module_getsym_info(mod, won->ndx, sym, &value, &shndx, NULL, bias);
	*off = addr - won->value;
	return name;
}
