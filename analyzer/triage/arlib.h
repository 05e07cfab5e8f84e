#ifndef MORTEM_ARLIB_H
#define MORTEM_ARLIB_H

#include <archive.h>
#include <archive_entry.h>

#include "analyzer/lib/strbuf.h"

/*
 * libarchive, loaded when triage's walker first meets an archive
 * (analyzer/lib/dynlib.h): linked in, libarchive.so.13 with libxml2, ICU,
 * libacl and the rest it pulls in cost every mortem run about 5 ms and 165
 * page faults at start. Every libarchive function mortem calls is listed
 * here, once; each becomes the member of struct arlib of the same name,
 * typed from <archive.h> and <archive_entry.h>: ar->archive_read_new().
 */
#define ARLIB_FUNCS(X)                         \
	X(archive_bzlib_version)               \
	X(archive_entry_filetype)              \
	X(archive_entry_mtime)                 \
	X(archive_entry_mtime_is_set)          \
	X(archive_entry_pathname)              \
	X(archive_entry_pathname_utf8)         \
	X(archive_error_string)                \
	X(archive_filter_bytes)                \
	X(archive_liblz4_version)              \
	X(archive_liblzma_version)             \
	X(archive_libzstd_version)             \
	X(archive_read_data)                   \
	X(archive_read_free)                   \
	X(archive_read_new)                    \
	X(archive_read_next_header)            \
	X(archive_read_open)                   \
	X(archive_read_open_memory)            \
	X(archive_read_support_filter_bzip2)   \
	X(archive_read_support_filter_gzip)    \
	X(archive_read_support_filter_lz4)     \
	X(archive_read_support_filter_lzma)    \
	X(archive_read_support_filter_xz)      \
	X(archive_read_support_filter_zstd)    \
	X(archive_read_support_format_gnutar)  \
	X(archive_read_support_format_tar)     \
	X(archive_read_support_format_zip)     \
	X(archive_set_error)                   \
	X(archive_zlib_version)

struct arlib {
#define ARLIB_MEMBER(f) __typeof__(f) *f;
	ARLIB_FUNCS(ARLIB_MEMBER)
#undef ARLIB_MEMBER
};

/*
 * libarchive's functions, libarchive.so.13 loaded on the first call.
 * Returns the table (valid until the process ends), or NULL with ERR set
 * to "archive support needs libarchive.so.13 (dlopen: <why>)".
 */
const struct arlib *arlib_load(struct strbuf *err);

#endif
