#ifndef MORTEM_INPUT_H
#define MORTEM_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/lib/membudget.h"
#include "analyzer/lib/strbuf.h"

/*
 * The bytes of one input, read-only. A file is memory-mapped (a 600 MB core
 * is never read into memory), standard input too when it is a file;
 * a pipe, a terminal or a socket (standard input, a FIFO named as PATH) is
 * copied into an anonymous memory file (memfd) that is mapped; compressed data
 * (zstd, xz, gzip, lz4 frames, by magic bytes) is decompressed into an
 * anonymous memory file (memfd) that disappears with the process; UTF-16
 * text (by BOM, or by NUL bytes in every other position) is converted to
 * UTF-8. After input_open, `data`/`len` hold the content as parsers see it
 * and `fd` is a readable descriptor on exactly those bytes (for libelf), or
 * -1 when the content lives only in memory.
 */
struct input {
	const char *path;          /* as named by the user; "-" is stdin */
	const unsigned char *data;
	size_t len;
	int fd;
	uint64_t raw_bytes;        /* size before decompression/conversion */
	const char *compression;   /* "zstd", "xz", "gzip", "lz4" or NULL */
	bool utf16;                /* converted from UTF-16 */
	/*
	 * The read-only file mapping DATA lies in (the file, or the memfd of
	 * decompressed data: FD, mapped from offset 0), or NULL when DATA is
	 * in the heap. Its pages may be given back, or replaced by a copy of
	 * the same bytes: a byte read again is read again from the file.
	 */
	void *map;
	size_t map_len;
	/*
	 * DATA stays valid and unchanged, and FD open, until every dump made
	 * from this input is freed (set by the caller that owns the bytes): a
	 * parser may keep pointers into DATA and use FD instead of a copy, a
	 * mapping or a descriptor of its own.
	 */
	bool lasting;
	/* private */
	bool borrowed;             /* MAP is another input's (input_borrow): not unmapped */
	void *heap;
	uint64_t limit;            /* the decompression limit in effect */
	struct membudget *budget;  /* drawn from for the decompressed bytes, or NULL */
	uint64_t charged;          /* taken from BUDGET (see input_limits) */
};

#define INPUT_INIT { .fd = -1 }

/* What an input may take in memory (NULL where a call takes one: the defaults). */
struct input_limits {
	uint64_t max_decompressed;  /* decompressed bytes (--max-decompressed); 0: half the RAM */
	/*
	 * Optional: the budget shared with other inputs (triage's walker and
	 * workers), which then bounds the decompressed bytes instead of
	 * max_decompressed. They are taken as they are written and given
	 * back by input_close (or by whoever takes over `charged`). When the
	 * budget is short, WAIT (optional) is called: it returns true once
	 * another input gave bytes back (decompression goes on), false when
	 * none will (it fails, naming --max-decompressed).
	 */
	struct membudget *budget;
	bool (*wait)(void *ctx);
	void *wait_ctx;
};

/* The decompression limit in effect under L: its max_decompressed, or half the physical memory. */
uint64_t input_decompressed_limit(const struct input_limits *l);

/*
 * Opens PATH ("-" for stdin). Returns 0, or -1 with a message in ERR
 * ("cannot open: No such file or directory", "not a regular file", ...);
 * after -1 nothing is held (no input_close needed).
 */
int input_open(struct input *in, const char *path, const struct input_limits *lim,
	       struct strbuf *err);

/*
 * Opens PATH ("-" for stdin) as input_open does, but leaves the bytes as
 * they are (nothing decompressed or converted, `limit` unset): for a
 * process that holds the bytes for others (report's parent reads standard
 * input once for all its children, which decompress in isolation).
 */
int input_open_raw(struct input *in, const char *path, struct strbuf *err);

/*
 * Wraps LEN bytes at DATA (not copied; must outlive IN) named NAME, and
 * decompresses/converts them as input_open does.
 */
int input_from_memory(struct input *in, const char *name, const void *data, size_t len,
		      const struct input_limits *lim, struct strbuf *err);

/*
 * IN over the bytes RAW holds (opened by input_open_raw, perhaps in a
 * parent process; they must outlive IN and are left alone by
 * input_close), with a descriptor of its own on them (a dup of RAW's),
 * decompressed/converted as input_open does.
 */
int input_borrow(struct input *in, const struct input *raw, const struct input_limits *lim,
		 struct strbuf *err);

/* Releases what input_open/input_from_memory/input_borrow acquired. */
void input_close(struct input *in);

/* The compression recognised by magic bytes in DATA, or NULL. */
const char *input_compression(const unsigned char *data, size_t len);

#endif
