#ifndef MORTEM_DATANAME_H
#define MORTEM_DATANAME_H

/*
 * Names for data addresses of a dumped process, as a debugger prints
 * them: the global or static object that holds the address, from the
 * modules' symbol tables (.symtab, else .dynsym; C++ names demangled), and
 * where the module has DWARF, the member path down to the address.
 */

#include <stdint.h>

#include "analyzer/lib/strbuf.h"
#include "parsers/native/native.h"

/*
 * Appends the name of the object at ADDR to OUT: "m_vault" (a global or
 * static whose first byte is ADDR), "Registry::mu_", "main::vault" (a
 * function-local static), "slots[2].mu" (a member, by DWARF), or
 * "slots+0x48" (a member, without DWARF). Stops at a member whose type is
 * a lock (its name says mutex or lock) or comes from a system header: the
 * path names the user's object, not std::mutex's insides. Returns 0, or
 * -1 (OUT unchanged) when no data symbol of a module holds ADDR: a heap,
 * stack or thread-local address.
 */
int native_data_name(struct native *n, uint64_t addr, struct strbuf *out);

#endif
