#ifndef MORTEM_CUADDR_H
#define MORTEM_CUADDR_H

/*
 * The compile unit and source line at an address of a module, also for
 * modules without .debug_aranges. libdwfl finds a unit by .debug_aranges
 * alone (elfutils 0.188), and clang writes none by default (only with
 * -gdwarf-aranges): a clang build's frames had names but no file:line.
 * Where a module has no aranges at all, its units are searched by their
 * own address ranges (DW_AT_low_pc/high_pc, DW_AT_ranges).
 */

#include <elfutils/libdwfl.h>
#include <stdbool.h>

/* The unit's DIE holding ADDR (an address of MOD, bias applied) and its BIAS, or NULL. */
Dwarf_Die *cuaddr_die(Dwfl_Module *mod, Dwarf_Addr addr, Dwarf_Addr *bias);

/*
 * The source position of ADDR in MOD: FILE (owned by libdw), LINE and COL
 * (0 when unknown). Returns false (nothing set) when no line table covers it.
 */
bool cuaddr_line(Dwfl_Module *mod, Dwarf_Addr addr, const char **file, int *line, int *col);

#endif
