#ifndef MORTEM_DEBUGFIND_H
#define MORTEM_DEBUGFIND_H

#include <elfutils/libdwfl.h>

/*
 * Finding a module's separate debug file, as dwfl_standard_find_debuginfo
 * does, with one difference: a debuginfod server is asked only when
 * DEBUGINFOD_URLS names one. (libdwfl asks, and so loads libdebuginfod with
 * curl, TLS and Kerberos, about 6 MB resident, whenever a module has no
 * local debug file, with or without a server to ask.)
 *
 * Without DEBUGINFOD_URLS: the build-id tree of each PATH directory
 * (dwfl_build_id_find_debuginfo), then the .gnu_debuglink name in each PATH
 * entry: "" is the module's directory, a relative entry is under it, an
 * absolute one is a root that the module's directory is appended to (the
 * directory of FILE_NAME, or of MODNAME when that is a path and libdwfl
 * gave no file name, as it does for a core's modules; eu-stack then looks
 * in the current directory). A
 * debuglink candidate must carry the module's build-id, or (no build-id)
 * match the link's CRC.
 * With DEBUGINFOD_URLS: dwfl_standard_find_debuginfo, then libdebuginfod
 * (loaded with dlopen) through *CLIENT, which debugfind_end releases.
 *
 * Arguments as for Dwfl_Callbacks.find_debuginfo; returns an open fd and
 * sets *DEBUGINFO_FILE_NAME (malloc'd), or -1.
 */
int debugfind_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
			const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
			char **debuginfo_file_name, const char *path, void **client);
void debugfind_end(void *client);

#endif
