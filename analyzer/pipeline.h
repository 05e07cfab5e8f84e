#ifndef MORTEM_PIPELINE_H
#define MORTEM_PIPELINE_H

#include "analyzer/model/dump.h"
#include "analyzer/lib/input.h"
#include "analyzer/model/options.h"
#include "analyzer/lib/strbuf.h"

/*
 * One input from bytes to an analyzed dump: open, detect the format (or
 * take --input-format), parse, analyze. Used by report, browse and triage.
 *
 * Each returns the dump (the caller frees it with dump_free), or NULL with
 * a one-line message in ERR ("not a recognised dump format", "...").
 */
struct dump *pipeline_load_path(const char *path, const struct mortem_opts *o, struct strbuf *err);
/* As above, for bytes already opened (IN stays the caller's). */
struct dump *pipeline_load_input(const struct input *in, const struct mortem_opts *o,
				 struct strbuf *err);
/* The bytes RAW holds (input_open_raw's, perhaps the parent's), decompressed as a file is (input_borrow). */
struct dump *pipeline_load_held(const struct input *raw, const struct mortem_opts *o,
				struct strbuf *err);
/* A live process (format "live"), when the live parser is built in. */
struct dump *pipeline_load_pid(int64_t pid, const struct mortem_opts *o, struct strbuf *err);

#endif
