#ifndef MORTEM_DWFLCORE_H
#define MORTEM_DWFLCORE_H

#include <elfutils/libdwfl.h>
#include <libelf.h>

/*
 * libdwfl's thread state for an x86-64 Linux core, as dwfl_core_file_attach
 * gives it (the threads of the first PT_NOTE's NT_PRSTATUS notes in order,
 * their registers, the pid of NT_PRPSINFO; memory read from the core's
 * PT_LOAD segments by the same rule), but each memory read is a look-up in
 * the mapped file. elfutils 0.188 reads the core through
 * elf_getdata_rawchunk, which keeps every chunk it ever returned in a list
 * it searches again on each call: unwinding a 2,000-thread core took
 * seconds of CPU and hundreds of MB for the chunks.
 *
 * Returns 0 when attached; -1, having done nothing, when the core is not
 * one this knows to read exactly as libdwfl would (another machine or byte
 * order, several note segments, segments off page boundaries, no
 * NT_PRPSINFO, an unrecognised note layout): the caller then uses
 * dwfl_core_file_attach. -2 when dwfl_attach_state failed (dwfl_errmsg).
 * CORE must stay open while DWFL is attached.
 */
int dwflcore_attach(Dwfl *dwfl, Elf *core);

#endif
