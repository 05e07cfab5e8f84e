#ifndef MORTEM_DWARFPREP_H
#define MORTEM_DWARFPREP_H

/*
 * A module's debug sections made ready before libdw first opens its DWARF.
 * libdw (0.188) inflates every compressed debug section of a file when it
 * opens the file's DWARF, with zlib, each into fresh memory: libc's debug
 * file is 8.5 MB of it (11 MB with its location lists), most of what a cold
 * JVM core costs. So, in the file the module's symbols came from (its debug
 * file, where it has one):
 *
 * - the location lists are marked SHT_NOBITS, which libdw skips: they are
 *   never read here (the one location mortem reads, a global variable's, is
 *   an expression, not a list), and in libc they are a fifth of the bytes;
 * - the other zlib-compressed ".debug_*" sections are inflated by
 *   libdeflate (about a third of zlib's time) into one region on huge
 *   pages made present in one call (a page fault costs much in a virtual
 *   machine), and presented as plain sections: SHF_COMPRESSED cleared and
 *   sh_size the inflated size in the headers, the inflated bytes as the
 *   section's data (elf_getdata), which is what libdw reads. The
 *   compressed bytes are read through a mapping of the file of our own,
 *   unmapped once inflated (dwarfprep_module), not through libelf's, whose
 *   pages would stay counted in the process's memory: 3 MB for libc.
 *
 * Only libdwfl's own copy of the headers changes: it opens files privately
 * (ELF_C_READ_MMAP_PRIVATE, or in memory of its own), nothing is written
 * back. Sections compressed some other way (zstd, GNU .zdebug), or whose
 * bytes do not inflate to their stated size, are left for libdw, and so
 * are a relocatable object's (ET_REL: libdwfl relocates its DWARF in place
 * and inflates what it relocates itself). A file whose DWARF is open
 * already keeps what it read.
 */

#include <elfutils/libdwfl.h>

struct dwarfprep;

/*
 * Prepares MOD's DWARF as above. Returns what holds the inflated bytes,
 * which must outlive MOD's Dwfl (free it after dwfl_end), or NULL when
 * nothing was inflated or the file's descriptor is shared (elfshare.h: the
 * bytes then live as long as the descriptor, and the next session that
 * opens the file finds its sections inflated already).
 */
struct dwarfprep *dwarfprep_module(Dwfl_Module *mod);

/* The same for the sections of ELF itself, read through ELF. */
struct dwarfprep *dwarfprep_elf(Elf *elf);

/* Frees P (NULL is fine). */
void dwarfprep_free(struct dwarfprep *p);

#endif
