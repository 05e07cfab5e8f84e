#ifndef MORTEM_SYMCACHE_H
#define MORTEM_SYMCACHE_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/model/dump.h"

/*
 * Symbolization results shared by every dump one process analyzes, keyed by
 * the module's build-id and the pc's offset in it: the same code in the
 * same build symbolizes the same way in every core, so a triage worker
 * that has seen one core of an executable never loads (and decompresses)
 * that executable's or its libraries' DWARF again for the pcs it has met.
 * Off unless symcache_enable() was called (triage workers), so one-shot
 * reports behave exactly as before. Process-wide, not thread-safe.
 */

/* Turns the cache on for this process, holding at most MAX_ENTRIES pcs. */
void symcache_enable(size_t max_entries);
/* Whether symcache_enable was called: this process analyzes dump after dump (a triage worker). */
bool symcache_enabled(void);

/*
 * Writes the key of the pc at OFFSET in MOD (ACTIVATION as in
 * dwfl_frame_pc) into KEY. Returns false when the cache is off or MOD has
 * no build-id (nothing to key on).
 */
bool symcache_key(Dwfl_Module *mod, uint64_t offset, bool activation, char *key, size_t size);

/* The frames cached under KEY (their count in *N), or NULL. */
const struct frame *symcache_get(const char *key, size_t *n);

/*
 * Caches copies of FRAMES[0..N) under KEY: function, offset, file, line,
 * column and kind (pc and module belong to each dump and are not kept).
 */
void symcache_put(const char *key, const struct frame *frames, size_t n);

/*
 * Whether MOD's build has DWARF, as noted before: 1 yes, 0 no, -1 not known
 * (or the cache is off). symcache_note_dwarf records it.
 */
int symcache_has_dwarf(Dwfl_Module *mod);
void symcache_note_dwarf(Dwfl_Module *mod, bool has);

/*
 * LOOKUP(MOD, ADDR) (dwfl_module_addrname's answer), remembered under MOD's
 * build-id and ADDR's offset when the cache is on (and kept on disk with
 * the rest): the unwinder asks it of every stack's last pc, which would
 * otherwise load a library's whole symbol table. The string lives as long
 * as the process.
 */
const char *symcache_addrname(Dwfl_Module *mod, uint64_t addr,
			      const char *(*lookup)(Dwfl_Module *mod, uint64_t addr));

/*
 * The first defined symbol NAME in MOD's symbol table, as noted before by
 * symcache_note_symbol: 1 when MOD has it (its address in this process
 * into *ADDR, its st_value into *RAW), 0 when MOD has none, -1 when not
 * known (the cache is off, MOD has no build-id). A look-up by name
 * otherwise loads (and scans) the module's whole symbol table: the lock
 * analysis asks for _rtld_global in every module up to ld.so. The address
 * is kept as an offset from MOD's start, so a symbol found outside MOD (an
 * absolute one, which does not move with the module) is not kept, nor is a
 * name longer than SYMCACHE_NAME_MAX.
 */
#define SYMCACHE_NAME_MAX 4096u
int symcache_symbol(Dwfl_Module *mod, const char *name, uint64_t *addr, uint64_t *raw);
void symcache_note_symbol(Dwfl_Module *mod, const char *name, bool found, uint64_t addr,
			  uint64_t raw);

/*
 * The name of the data object at ADDR in MOD (dataname.h: "l[0]",
 * "Registry::mu_"), as noted before by symcache_note_dataname: 1 with the
 * name in *NAME (it lives as long as the process), 0 when ADDR is in no
 * data object of MOD, -1 when not known. Naming an address otherwise walks
 * the module's DWARF units. A NULL name notes "none"; a name longer than
 * SYMCACHE_NAME_MAX is not kept.
 */
int symcache_dataname(Dwfl_Module *mod, uint64_t addr, const char **name);
void symcache_note_dataname(Dwfl_Module *mod, uint64_t addr, const char *name);

/* Copies a cached frame's fields into F (strings into D's arena). */
void symcache_copy(struct dump *d, struct frame *f, const struct frame *cached);

/*
 * The persistent cache: the entries above, kept on disk across runs in one
 * file per build-id (DIR/BUILDID.sym), so that the second core of a build
 * needs none of its DWARF (the inflation of compressed debug sections is
 * most of a core's time). Best effort and silent: a file that cannot be
 * read, written or trusted is as if absent, and never changes a report.
 *
 * Each file carries the STAMP of the run that wrote it (what decides how a
 * build symbolizes besides its build-id: the module's file, whether debug
 * info was found, the debug-info search path); a file whose stamp differs
 * from this run's is ignored and rewritten. A file is checked whole (magic,
 * version, build-id, length, checksum, every record's bounds) before any
 * entry is used. Files are written to a temporary name and renamed into
 * place, so concurrent runs see an old file or a new one, never a part;
 * on writing, the file on disk is merged in first. The directory is kept
 * under SYMCACHE_DISK_MAX bytes: past it, the least recently used files go.
 */
#define SYMCACHE_DISK_MAX (64u << 20)

/*
 * Turns the persistent cache on in DIR (created, mode 0700, when missing),
 * and the in-process cache with it. Returns 0, or -1 when DIR cannot be made
 * or is not one only this user can change (owned by the effective user, not
 * writable by group or others, not a link someone else made): a directory
 * others can write to could feed reports planted entries. Files in DIR are
 * opened without following links or blocking, and written by renaming a new
 * file into place, so nothing planted there is written through.
 */
int symcache_persist(const char *dir);
/*
 * The default directory into OUT: $XDG_CACHE_HOME/mortem, or
 * $HOME/.cache/mortem when XDG_CACHE_HOME is unset, empty or relative.
 * Returns -1 when neither variable gives one.
 */
int symcache_default_dir(struct strbuf *out);
/*
 * Loads MOD's file (once per build-id in this process), if its stamp is
 * STAMP. A no-op when the persistent cache is off or MOD has no build-id.
 */
void symcache_attach(Dwfl_Module *mod, const char *stamp);
/*
 * Whether symcache_attach(MOD, ...) would look at its stamp: the cache
 * persists and MOD's build has not been attached in this process yet. A
 * stamp costs a dozen file look-ups, for nothing once the build is known
 * (a triage worker's every core after the first).
 */
bool symcache_wants_stamp(Dwfl_Module *mod);
/*
 * The layout version a cache file carries (after its magic "MORTEMSC"); a
 * file of another is not used. 2: units without .debug_aranges are
 * searched (cuaddr.h), so a version 1 file may lack their source lines.
 * 3: symbol look-ups by name ('N' records) and data names ('V') are kept.
 */
#define SYMCACHE_FILE_VERSION 3u

/*
 * The check and load of one file's bytes (DATA, LEN) for build ID and
 * STAMP, as symcache_attach does with the file it reads: nothing is loaded
 * unless the whole is sound. Returns whether it was (false when the cache
 * is off). tests/fuzz/fuzz_symcache.c feeds it hostile records.
 */
bool symcache_load_bytes(const void *data, size_t len, const char *id, const char *stamp);
/* Writes the files of the build-ids that gained entries since the last save. */
void symcache_save(void);

#endif
