#ifndef MORTEM_TUI_BROWSE_H
#define MORTEM_TUI_BROWSE_H

#include <stdbool.h>

#include "analyzer/model/dump.h"
#include "analyzer/model/options.h"
#include "analyzer/lib/strbuf.h"

/*
 * Runs the browser on the analyzed dump D (which stays the caller's) until
 * the user quits. Returns 0, or -1 with a message in ERR when there is no
 * terminal to draw on. (cmd_browse, in commands.h, loads D and calls it.)
 */
int browse_dump(struct dump *d, const struct mortem_opts *o, struct strbuf *err);

/* Whether there is a terminal to draw on (/dev/tty opens). */
bool browse_have_terminal(void);

/* Appends the browser's key map to OUT as a Markdown table ("| `Up` `k` | move up |"), one row per request. */
void browse_key_table(struct strbuf *out);

#endif
