#ifndef MORTEM_ELFSHARE_H
#define MORTEM_ELFSHARE_H

#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One libelf descriptor per module file, shared by every session of the
 * process. libdwfl opens, maps and reads the files a core names (libc, the
 * dynamic loader, the executable) for each core, and unmaps them when the
 * session ends: a triage worker going through a thousand cores of one
 * program paid for the mapping, the first touch of its pages, the parse of
 * its headers and the unmapping's TLB flush on every CPU a thousand times.
 *
 * This module defines elf_begin() and elf_end() for the whole program (the
 * executable's definitions come first in the dynamic linker's search, so
 * libdw's calls reach them, as safeopen.h's open() does). A call that reads
 * a regular file through a mapping (ELF_C_READ_MMAP, ELF_C_READ_MMAP_PRIVATE)
 * with no reference descriptor returns the descriptor kept for that file
 * (same device, inode, size and modification time) with one more
 * reference, the way libelf's own elf_begin(-1, cmd, ref) shares one; the
 * caller's elf_end() drops that reference, the table keeps its own, and
 * returns 0 (the references left that are the caller's), as with a
 * descriptor of its own. libdwfl closes a module's file descriptor only
 * when elf_end says none are left: counting the others' references, every
 * session left one descriptor open per module file (three a core in a
 * triage worker, which past the process's limit found no module file at
 * all). Only
 * executables and shared objects (ET_EXEC, ET_DYN) are kept: libdwfl writes
 * relocations into a relocatable file's (ET_REL) mapping, and a core is one
 * dump's. A kept descriptor holds all its bytes (mapped, or read in) and no
 * file descriptor: the caller may close its own at once. Everything else
 * (other commands, archives, files without a name (a memfd, a deleted
 * file: their inode numbers come back), files above half the byte limit)
 * is plain libelf.
 *
 * The table is bounded in files and in bytes; the least recently used
 * files leave it first, among those no session holds: a file in use stays
 * (the table may pass its bounds while one dump holds many files, up to
 * four times the files; beyond, files are not kept) and leaves once let
 * go. One thread at a time: libelf itself is built without locks.
 *
 * Whoever changes a kept descriptor (dwarfprep.h inflates debug sections
 * into memory of its own and points the descriptor at it) changes it for
 * every later session, and must let that memory live as long as the
 * descriptor: elfshare_adopt.
 */

/* Bounds of the table (defaults: 64 files, 256 MiB); lowered, files leave at once. */
void elfshare_limits(size_t max_files, uint64_t max_bytes);

/* Brings the table within its bounds again (a session ended: what it held may leave). */
void elfshare_trim(void);

/* Gives back the table's references to every file no one holds (each descriptor ends with its last user). */
void elfshare_drop(void);

/*
 * The descriptor kept for the file SB describes (same device, inode, size
 * and modification time) with one more reference, to be ended with
 * elf_end(); NULL when none is kept. Its bytes are all in memory
 * (elf_rawfile): a reader of the file needs no descriptor of its own.
 */
struct stat;
Elf *elfshare_get(const struct stat *sb);

/*
 * When ELF is a kept descriptor (without anything adopted yet), the table
 * takes ARG, SIZE bytes of memory counted against its byte bound, to be
 * released with RELEASE(ARG) after the descriptor leaves the table:
 * returns true. Otherwise false, and ARG stays the caller's.
 */
bool elfshare_adopt(Elf *elf, void (*release)(void *), void *arg, uint64_t size);

struct elfshare_stats {
	size_t files;	/* kept now */
	size_t in_use;	/* of them, held by someone besides the table */
	uint64_t bytes; /* their sizes and what was adopted with them, summed */
	uint64_t hits;	/* elf_begin calls served from the table */
	uint64_t kept;	/* descriptors put into it */
};
void elfshare_stats(struct elfshare_stats *out);

#endif
