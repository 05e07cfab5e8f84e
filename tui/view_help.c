/* The help screen, generated from the key map (keys.h). */
#include <stdio.h>
#include "tui/view.h"

static void help_open(struct view *v)
{
	v->title = "Help: every key (q goes back)";
	struct strbuf keys = STRBUF_INIT;
	for (int r = 0; r < REQUEST_COUNT; r++) {
		strbuf_reset(&keys);
		keymap_keys_of(r, &keys);
		view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "%-16s %s", keys.buf, request_help(r));
	}
	strbuf_release(&keys);
	view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "%s", "");
	view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "%-16s %s", "mouse", "a click selects, a second click opens, the wheel scrolls;");
	view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "%-16s %s", "", "a click on a pane's name switches to it");
	view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "%s", "");
	view_add(v, ST_TITLE, TGT_NONE, 0, 0, "Marks in the threads pane");
	view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "  !  the crashed thread     @  in a lock cycle     *  named by a finding");
	view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "  >  matches the search     [+] N threads with the same stack (Enter unfolds)");
	view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "%s", "");
	view_add(v, ST_TITLE, TGT_NONE, 0, 0, "Searching");
	view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "  Patterns are PCRE2 regexes; all lower-case means any case.");
	view_add(v, ST_NORMAL, TGT_NONE, 0, 0, "  In threads and stacks, n and N go on to the next thread that matches.");
}

const struct view_ops help_view = {
	.id = VIEW_HELP,
	.open = help_open,
};
