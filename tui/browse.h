#ifndef MORTEM_TUI_BROWSE_H
#define MORTEM_TUI_BROWSE_H

#include "analyzer/model/dump.h"
#include "analyzer/model/options.h"
#include "analyzer/lib/strbuf.h"

/*
 * Runs the browser on the analyzed dump D (which stays the caller's) until
 * the user quits. Returns 0, or -1 with a message in ERR when there is no
 * terminal to draw on. (cmd_browse, in commands.h, loads D and calls it.)
 */
int browse_dump(struct dump *d, const struct mortem_opts *o, struct strbuf *err);

#endif
