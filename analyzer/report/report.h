#ifndef MORTEM_REPORT_H
#define MORTEM_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "analyzer/model/dump.h"
#include "analyzer/lib/strbuf.h"

/*
 * Renderers only read the dump.
 *
 * report_json appends one compact JSON object (schema "mortem.report/1",
 * doc/json.md) and a newline to OUT.
 * report_text appends the human report: findings first, then the crash,
 * then every thread with its frames; COLOR adds ANSI colours.
 */
void report_json(const struct dump *d, struct strbuf *out);
/*
 * The same object written to TO as it is built (in 1 MiB pieces, so a
 * 200 MB report never sits whole in memory). Returns 0, or -1 when
 * writing failed.
 */
int report_json_file(const struct dump *d, FILE *to);
void report_text(const struct dump *d, struct strbuf *out, bool color);
/* The text report written to TO as it is built (1 MiB pieces); 0, or -1 when writing failed. */
int report_text_file(const struct dump *d, FILE *to, bool color);

#endif
