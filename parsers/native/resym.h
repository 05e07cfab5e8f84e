#ifndef MORTEM_RESYM_H
#define MORTEM_RESYM_H

/*
 * Re-symbolizing native frames of text dumps (hs_err "C [libfoo.so+0x1234]")
 * with libdw, when the library is at hand.
 */

#include "analyzer/model/dump.h"
#include "analyzer/model/options.h"

/*
 * For each frame of T with kind FRAME_NATIVE, a module name and a module
 * offset: finds the module's path among D's modules (as the dump named it,
 * under O->sysroot when set), and when that file exists here, opens it with
 * libdwfl (dwfl_report_offline) and fills the function (when the dump had
 * none), the source file and line, and inserts the inline frames (kind
 * FRAME_INLINE, innermost first) that the DWARF shows at that address.
 * Frames whose library is missing or has no symbols stay as they were.
 * Adds one warning per library that exists but could not be read. Never fails.
 */
void resym_thread(struct dump *d, struct thread *t, const struct mortem_opts *o);

#endif
