#ifndef MORTEM_PARSER_H
#define MORTEM_PARSER_H

#include "analyzer/model/dump.h"
#include "analyzer/lib/input.h"
#include "analyzer/model/options.h"
#include "analyzer/lib/strbuf.h"

/*
 * A parser turns one input's bytes into the dump model. It is a const
 * table registered once in parsers/registry.h.
 *
 * probe: how likely DATA (the first LEN bytes, at most PROBE_BYTES) is this
 *        format: 0 not at all, PROBE_CERTAIN (100) certain: no later probe
 *        is asked. Must be cheap and never fail.
 *        NULL for parsers that are only chosen explicitly (live).
 * parse: fills D from IN. Returns 0 when the input was analyzed (possibly
 *        partially, with warnings added via dump_warn), or -1 with a
 *        one-line message in ERR when nothing honest could be produced.
 *        Sets d->input.snapshots (1 unless the input holds several dumps)
 *        through dump_snapshot_begin().
 */
struct parser {
	const char *name;     /* the JSON input.format name */
	const char *summary;  /* one line for --help */
	int (*probe)(const unsigned char *data, size_t len);
	int (*parse)(struct dump *d, const struct input *in, const struct mortem_opts *o,
		     struct strbuf *err);
};

#define PROBE_BYTES (64 * 1024)
#define PROBE_CONFIDENT 50
#define PROBE_CERTAIN 100

#include "parsers/registry.h"

#define X_DECLARE(sym) extern const struct parser sym;
PARSERS(X_DECLARE)
#undef X_DECLARE

/* All registered parsers, in registry order, NULL-terminated. */
extern const struct parser *const parser_list[];

/* The parser named NAME, or NULL. */
const struct parser *parser_find(const char *name);

/*
 * The parser whose probe scores IN highest (ties: registry order), or NULL
 * when every probe says 0. Probes see the first PROBE_BYTES; when no probe
 * is confident there (score < PROBE_CONFIDENT) and the input is long text
 * (no NUL byte in its head), later windows of PROBE_BYTES, starting at line
 * starts, are probed too until one is: a thread dump inside a long
 * application log is found wherever it is.
 */
const struct parser *parser_detect(const struct input *in);

#endif
