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

/* Copies a cached frame's fields into F (strings into D's arena). */
void symcache_copy(struct dump *d, struct frame *f, const struct frame *cached);

#endif
