#include "parsers/native/dataname.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <string.h>

#include "parsers/native/symcache.h"

/* ---- DWARF: the variable at an address, the member at an offset ---- */

static bool die_type(Dwarf_Die *die, Dwarf_Die *type)
{
	Dwarf_Attribute a;
	return dwarf_attr_integrate(die, DW_AT_type, &a) && dwarf_formref_die(&a, type);
}

static bool var_at(Dwarf_Die *die, Dwarf_Addr want)
{
	Dwarf_Attribute a;
	Dwarf_Op *expr;
	size_t len;
	if (!dwarf_attr(die, DW_AT_location, &a) || dwarf_getlocation(&a, &expr, &len) != 0 || len != 1)
		return false;
	if (expr[0].atom == DW_OP_addr)
		return expr[0].number == want;
	/* DWARF 5 as clang writes it: an index into .debug_addr */
	Dwarf_Attribute at;
	Dwarf_Addr addr;
	if (expr[0].atom != DW_OP_addrx && expr[0].atom != DW_OP_GNU_addr_index)
		return false;
	return dwarf_getlocation_attr(&a, expr, &at) == 0 && dwarf_formaddr(&at, &addr) == 0 && addr == want;
}

/* Variables at namespace, function (local statics) and class (inline static members) scope. */
static bool scope_holds_vars(int tag)
{
	return tag == DW_TAG_namespace || tag == DW_TAG_subprogram || tag == DW_TAG_lexical_block ||
	       tag == DW_TAG_structure_type || tag == DW_TAG_class_type;
}

static bool find_var(Dwarf_Die *parent, Dwarf_Addr want, Dwarf_Die *out, int depth)
{
	Dwarf_Die child;
	if (dwarf_child(parent, &child) != 0)
		return false;
	do {
		int tag = dwarf_tag(&child);
		if (tag == DW_TAG_variable && var_at(&child, want)) {
			*out = child;
			return true;
		}
		if (depth < 8 && scope_holds_vars(tag) && find_var(&child, want, out, depth + 1))
			return true;
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* The DIE of the variable whose location is WANT (an address of the debug file), in any unit. */
static bool find_variable(Dwarf *dw, Dwarf_Addr want, Dwarf_Die *out)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie;
	uint8_t type;
	while (dwarf_get_units(dw, cu, &cu, NULL, &type, &cudie, NULL) == 0)
		if ((type == DW_UT_compile || type == DW_UT_partial) && find_var(&cudie, want, out, 0))
			return true;
	return false;
}

/* A type the path ends at when the address is its first byte: its name says it is a lock. */
static bool lock_type_name(const char *name)
{
	return name && (strstr(name, "mutex") || strstr(name, "Mutex") || strstr(name, "lock") ||
			strstr(name, "Lock"));
}

/* T without typedefs and qualifiers; false when OFF is 0 and one of them names a lock (stop there). */
static bool peel(Dwarf_Die *t, uint64_t off)
{
	for (int i = 0; i < 16; i++) {
		if (!off && lock_type_name(dwarf_diename(t)))
			return false;
		int tag = dwarf_tag(t);
		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type &&
		    tag != DW_TAG_atomic_type)
			return true;
		if (!die_type(t, t))
			return false;
	}
	return false;
}

static int subranges(Dwarf_Die *array)
{
	Dwarf_Die c;
	int n = 0;
	if (dwarf_child(array, &c) == 0)
		do
			n += dwarf_tag(&c) == DW_TAG_subrange_type;
		while (dwarf_siblingof(&c, &c) == 0);
	return n;
}

/* The data member (or base class) of struct T that holds byte OFF, and where it starts. */
static bool member_at(Dwarf_Die *t, uint64_t off, Dwarf_Die *m, uint64_t *start)
{
	if (dwarf_child(t, m) != 0)
		return false;
	do {
		int tag = dwarf_tag(m);
		Dwarf_Attribute a;
		Dwarf_Word loc = 0, size;
		Dwarf_Die mt;
		if (tag != DW_TAG_member && tag != DW_TAG_inheritance)
			continue;
		if (dwarf_attr(m, DW_AT_data_member_location, &a) && dwarf_formudata(&a, &loc) != 0)
			continue; /* a location expression: not a fixed offset */
		if (!dwarf_hasattr(m, DW_AT_data_member_location) && dwarf_tag(t) != DW_TAG_union_type)
			continue; /* a static member */
		if (!die_type(m, &mt) || dwarf_aggregate_size(&mt, &size) != 0)
			continue;
		if (off >= loc && off < loc + size) {
			*start = loc;
			return true;
		}
	} while (dwarf_siblingof(m, m) == 0);
	return false;
}

/* libstdc++'s own member names (std::array's _M_elems, __data): not part of the user's path. */
static bool implementation_name(const char *name)
{
	return !name || !strncmp(name, "_M_", 3) || !strncmp(name, "__", 2);
}

/* Appends the member path of byte OFF inside variable VAR ("[2].mu"); returns what is left of OFF. */
static uint64_t member_path(Dwarf_Die *var, uint64_t off, struct strbuf *out)
{
	Dwarf_Die t;
	if (!die_type(var, &t))
		return off;
	for (int depth = 0; depth < 32 && peel(&t, off); depth++) {
		int tag = dwarf_tag(&t);
		if (tag == DW_TAG_array_type) {
			Dwarf_Die elem;
			Dwarf_Word esize;
			if (subranges(&t) != 1 || !die_type(&t, &elem) || dwarf_aggregate_size(&elem, &esize) != 0 ||
			    !esize)
				break;
			strbuf_addf(out, "[%llu]", (unsigned long long)(off / esize));
			off %= esize;
			t = elem;
			continue;
		}
		if (tag != DW_TAG_structure_type && tag != DW_TAG_class_type && tag != DW_TAG_union_type)
			break;
		Dwarf_Die m;
		uint64_t start;
		if (!member_at(&t, off, &m, &start))
			break;
		if (dwarf_tag(&m) == DW_TAG_member && !implementation_name(dwarf_diename(&m)))
			strbuf_addf(out, ".%s", dwarf_diename(&m));
		off -= start;
		if (!die_type(&m, &t))
			break;
	}
	return off;
}

/* ---- the symbol ---- */

/* native_data_name's answer from MOD's symbols and DWARF. */
static int name_in_module(struct native *n, Dwfl_Module *mod, uint64_t addr, struct strbuf *out)
{
	GElf_Off off;
	GElf_Sym sym;
	Dwarf_Addr bias;
	const char *name = native_addrinfo(n, mod, addr, &off, &sym, &bias);
	if (!name || GELF_ST_TYPE(sym.st_info) != STT_OBJECT || (sym.st_size ? off >= sym.st_size : off != 0))
		return -1;
	strbuf_adds(out, native_demangle(n, name));
	Dwarf_Addr dwbias;
	native_prepare_dwarf(n, mod);
	Dwarf *dw = dwfl_module_getdwarf(mod, &dwbias);
	Dwarf_Die var;
	if (dw && find_variable(dw, addr - off - dwbias, &var))
		off = member_path(&var, off, out);
	if (off)
		strbuf_addf(out, "+0x%llx", (unsigned long long)off);
	return 0;
}

/*
 * From the symbolization cache when it has the answer: on a warm cache,
 * neither MOD's symbol table nor its DWARF is loaded to name a lock.
 */
int native_data_name(struct native *n, uint64_t addr, struct strbuf *out)
{
	Dwfl_Module *mod = n->dwfl ? dwfl_addrmodule(n->dwfl, addr) : NULL;
	if (!mod)
		return -1;
	const char *name;
	int known = symcache_dataname(mod, addr, &name);
	if (known >= 0) {
		if (known)
			strbuf_adds(out, name);
		return known ? 0 : -1;
	}
	struct strbuf found = STRBUF_INIT;
	int rc = name_in_module(n, mod, addr, &found);
	symcache_note_dataname(mod, addr, rc == 0 ? found.buf : NULL);
	if (rc == 0)
		strbuf_add(out, found.buf, found.len);
	strbuf_release(&found);
	return rc;
}
