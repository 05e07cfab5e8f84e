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
 * report_text appends the human report, read top to bottom: the input,
 * the findings, the crash; then the threads that matter in full (crashed,
 * in a lock cycle, named by a finding, blocked behind those; threads of
 * one stack waiting on one lock once), every other thread in one line per
 * stack (fold.h), and the threads by state. Runs of repeated frames fold
 * into one line; system frames are shortened. FLAGS: REPORT_COLOR adds
 * ANSI colours; REPORT_ALL prints every thread whole in dump order instead
 * (the crashed one first), nothing folded.
 */
enum { REPORT_COLOR = 1, REPORT_ALL = 2 };
void report_json(const struct dump *d, struct strbuf *out);
/*
 * The same object written to TO as it is built (in 1 MiB pieces, so a
 * 200 MB report never sits whole in memory). Returns 0, or -1 when
 * writing failed.
 */
int report_json_file(const struct dump *d, FILE *to);
void report_text(const struct dump *d, struct strbuf *out, unsigned flags);
/* The text report written to TO as it is built (1 MiB pieces); 0, or -1 when writing failed. */
int report_text_file(const struct dump *d, FILE *to, unsigned flags);

#endif
