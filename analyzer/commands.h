#ifndef MORTEM_COMMANDS_H
#define MORTEM_COMMANDS_H

#include "analyzer/model/options.h"

/*
 * The commands, defined once: X(name, function, usage, summary).
 * Each function gets the operands after the options and returns the exit
 * status (0 analyzed, 1 some input failed, 2 usage). Only commands print
 * to stdout/stderr and decide the exit status.
 */
#define COMMANDS(X)                                                                                 \
	X("report", cmd_report, "report [OPTIONS] INPUT...", "print one report per input (text or --json)") \
	X("browse", cmd_browse, "browse [OPTIONS] INPUT", "open the ncurses browser")                  \
	X("triage", cmd_triage, "triage [OPTIONS] PATH...", "bucket every artifact under PATHs")        \
	X("rules", cmd_rules, "rules [--check FILE] [--rules FILE]", "list the signature catalogue")

#define X_DECLARE(name, fn, usage, summary) \
	int fn(int argc, char **argv, struct mortem_opts *o);
COMMANDS(X_DECLARE)
#undef X_DECLARE

/* Prints "mortem: SUBJECT: MESSAGE" to stderr (SUBJECT may be NULL). */
void cli_error(const char *subject, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Whether text output to FD should be coloured under O (--color, NO_COLOR, isatty). */
int cli_use_color(const struct mortem_opts *o, int fd);

/*
 * Before INPUT "-" is read from a terminal: says on stderr that mortem
 * waits for a paste ("paste a dump and press Ctrl-D, or give a file").
 * Nothing when standard input is not a terminal.
 */
void cli_paste_hint(const char *input);

/* Writes LEN bytes to stdout; returns -1 on a write error (EPIPE included). */
int cli_write_stdout(const char *buf, size_t len);

#endif
