#ifndef MORTEM_LOCKHOTSPOT_H
#define MORTEM_LOCKHOTSPOT_H

#include "analyzer/model/dump.h"

/*
 * HotSpot's own "Found one Java-level deadlock" report, which the jstack
 * parser keeps as a dump section titled LOCKHOTSPOT_SECTION. It is a
 * cross-check of the lock graph, not its source:
 *
 * lockhotspot_fill_owners gives a lock the owner the section names when the
 * thread dump itself did not say (a `jstack` without -l prints no
 * "Locked ownable synchronizers"), with a warning saying where it came from.
 *
 * lockhotspot_crosscheck compares the threads the section puts on a
 * deadlock with the threads of the dump's lock-cycle findings and adds a
 * warning (dump_warn) for each thread one of them names and the other not.
 *
 * Both do nothing when the dump has no such section.
 */
#define LOCKHOTSPOT_SECTION "Java-level deadlock (HotSpot)"

void lockhotspot_fill_owners(struct dump *d);
void lockhotspot_crosscheck(struct dump *d);

#endif
