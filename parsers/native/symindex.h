#ifndef MORTEM_SYMINDEX_H
#define MORTEM_SYMINDEX_H

/*
 * A module's symbol table read once into a compact array, for address
 * look-ups answered exactly as dwfl_module_addrinfo answers them: the same
 * symbols, visited in the same order, with the same preferences (closest
 * start, then binding, then the narrower range, sizeless labels only as a
 * fallback in the same section). libdwfl reads every symbol through its
 * gelf accessors for every address it is asked: about 1.6 ms an address in
 * the 57,000 symbols of a libjvm.so, most of a JVM core's symbolization
 * when the cache is cold.
 *
 * A module whose symbol values are not their st_value plus the bias (ppc64
 * function descriptors, ARM's Thumb bit), or a relocatable object, gets no
 * index: symindex_new returns NULL and the caller asks libdwfl.
 */

#include <elfutils/libdwfl.h>

struct symindex;

/* MOD's index, or NULL (no symbol table, or one libdwfl must search itself). */
struct symindex *symindex_new(Dwfl_Module *mod);

/* dwfl_module_addrinfo(MOD, ADDR, OFF, SYM, NULL, NULL, BIAS), from IX (made for MOD). */
const char *symindex_addrinfo(const struct symindex *ix, Dwfl_Module *mod, GElf_Addr addr,
			      GElf_Off *off, GElf_Sym *sym, Dwarf_Addr *bias);

void symindex_free(struct symindex *ix);

#endif
