#include "parsers/native/cuaddr.h"

#include <elfutils/libdw.h>

/* Whether MOD has DWARF but no .debug_aranges entry at all (clang's default). */
static bool without_aranges(Dwfl_Module *mod)
{
	Dwarf_Addr b;
	Dwarf *dw = dwfl_module_getdwarf(mod, &b);
	Dwarf_Aranges *ar;
	size_t n = 0;
	return dw && dwarf_getaranges(dw, &ar, &n) == 0 && n == 0;
}

Dwarf_Die *cuaddr_die(Dwfl_Module *mod, Dwarf_Addr addr, Dwarf_Addr *bias)
{
	Dwarf_Die *cu = dwfl_module_addrdie(mod, addr, bias);
	if (cu || !without_aranges(mod))
		return cu;
	while ((cu = dwfl_module_nextcu(mod, cu, bias)) != NULL)
		if (dwarf_haspc(cu, addr - *bias) > 0)
			return cu;
	return NULL;
}

bool cuaddr_line(Dwfl_Module *mod, Dwarf_Addr addr, const char **file, int *line, int *col)
{
	Dwfl_Line *l = dwfl_module_getsrc(mod, addr);
	if (l) {
		*line = *col = 0;
		*file = dwfl_lineinfo(l, NULL, line, col, NULL, NULL);
		return *file != NULL;
	}
	Dwarf_Addr bias;
	Dwarf_Die *cu = cuaddr_die(mod, addr, &bias);
	Dwarf_Line *dl = cu ? dwarf_getsrc_die(cu, addr - bias) : NULL;
	const char *src = dl ? dwarf_linesrc(dl, NULL, NULL) : NULL;
	if (!src)
		return false;
	*file = src;
	*line = *col = 0;
	dwarf_lineno(dl, line);
	dwarf_linecol(dl, col);
	return true;
}
