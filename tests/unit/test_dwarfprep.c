/*
 * native_prepare_dwarf (parsers/native/native.h) on libc with its debug
 * file: once prepared, opening the DWARF leaves the location lists as they
 * are on disk (compressed, never inflated) and inflates the rest, and a
 * function's unit and source line are found as before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <string.h>
#include <unistd.h>

#include "offline.h"
#include "parsers/native/native.h"

static Elf_Scn *section(Elf *elf, const char *want, GElf_Shdr *sh)
{
	size_t shstrndx;
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn)) != NULL;) {
		const char *name = gelf_getshdr(scn, sh) ? elf_strptr(elf, shstrndx, sh->sh_name) : NULL;
		if (name && !strcmp(name, want))
			return scn;
	}
	return NULL;
}

static void test_location_lists_not_inflated(void **state)
{
	(void)state;
	const char *libc = "/lib/x86_64-linux-gnu/libc.so.6";
	Dwfl *dwfl = dwfl_begin(&offline_callbacks);
	assert_non_null(dwfl);
	dwfl_report_begin(dwfl);
	Dwfl_Module *mod = dwfl_report_offline(dwfl, "libc.so.6", libc, -1);
	dwfl_report_end(dwfl, NULL, NULL);
	assert_non_null(mod);
	GElf_Addr malloc_at = 0;
	int nsyms = dwfl_module_getsymtab(mod);
	for (int i = 1; i < nsyms && !malloc_at; i++) {
		GElf_Sym sym;
		GElf_Addr value;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &value, NULL, NULL, NULL);
		if (name && !strcmp(name, "malloc") && GELF_ST_TYPE(sym.st_info) == STT_FUNC)
			malloc_at = value;
	}
	assert_true(malloc_at != 0);

	struct native_module nm = { .mod = mod };
	struct native n;
	memset(&n, 0, sizeof(n));
	n.mods = &nm;
	n.nmods = 1;
	native_prepare_dwarf(&n, mod);
	assert_true(nm.dwarf_prepared);

	Dwarf_Addr bias;
	Dwarf *dw = dwfl_module_getdwarf(mod, &bias);
	assert_non_null(dw); /* libc6-dbg, which make deps installs */
	Elf *elf = dwarf_getelf(dw);
	GElf_Shdr sh;
	Elf_Scn *loc = section(elf, ".debug_loclists", &sh);
	assert_non_null(loc);
	assert_int_equal(sh.sh_type, SHT_NOBITS);
	Elf_Scn *info = section(elf, ".debug_info", &sh);
	assert_non_null(info);
	assert_int_equal(sh.sh_flags & SHF_COMPRESSED, 0); /* what is read was inflated as ever */

	Dwarf_Addr cubias;
	Dwarf_Die *cu = dwfl_module_addrdie(mod, malloc_at, &cubias);
	assert_non_null(cu);
	Dwfl_Line *line = dwfl_module_getsrc(mod, malloc_at);
	assert_non_null(line);
	int lineno = 0;
	const char *file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
	assert_non_null(file);
	assert_true(lineno > 0);
	dwfl_end(dwfl);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_location_lists_not_inflated) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
