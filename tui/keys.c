#include "tui/keys.h"

#include <stdio.h>

#include "analyzer/lib/strbuf.h"
#include "tui/term.h"

/* The default key map (like tig's tigrc, compiled in). Order is help order per request. */
const struct keybinding keymap_default[] = {
	{ TK_UP, REQ_UP },             { 'k', REQ_UP },
	{ TK_DOWN, REQ_DOWN },         { 'j', REQ_DOWN },
	{ TK_PGUP, REQ_PAGE_UP },      { 'b', REQ_PAGE_UP },
	{ TK_PGDN, REQ_PAGE_DOWN },    { ' ', REQ_PAGE_DOWN },
	{ 'g', REQ_FIRST },            { TK_HOME, REQ_FIRST },
	{ 'G', REQ_LAST },             { TK_END, REQ_LAST },
	{ TK_ENTER, REQ_OPEN },        { TK_RIGHT, REQ_OPEN },
	{ 'q', REQ_CLOSE },            { TK_ESC, REQ_BACK },       { TK_LEFT, REQ_BACK },
	{ 'Q', REQ_QUIT },
	{ 'c', REQ_CRASHED },          { 'o', REQ_OWNER },
	{ 'w', REQ_SAVE },             { 'y', REQ_COPY },
	{ TK_TAB, REQ_NEXT_PANE },     { TK_BACKTAB, REQ_PREV_PANE },
	{ '1', REQ_PANE_SUMMARY },     { '2', REQ_PANE_THREADS },  { '3', REQ_PANE_FINDINGS },
	{ '4', REQ_PANE_LOCKS },       { '5', REQ_PANE_MODULES },  { '6', REQ_PANE_SECTIONS },
	{ '/', REQ_SEARCH },           { '?', REQ_SEARCH_BACK },
	{ 'n', REQ_NEXT_HIT },         { 'N', REQ_PREV_HIT },
	{ 'f', REQ_FILTER },           { 's', REQ_SORT },
	{ 'h', REQ_HELP },             { TK_F1, REQ_HELP },
	{ TK_CTRL('l'), REQ_REDRAW },
};
const size_t keymap_count = sizeof(keymap_default) / sizeof(keymap_default[0]);

static const char *const helps[] = {
#define X_HELP(e, n, h) h,
	REQUESTS(X_HELP)
#undef X_HELP
};

enum request keymap_lookup(int key)
{
	for (size_t i = 0; i < keymap_count; i++)
		if (keymap_default[i].key == key)
			return keymap_default[i].req;
	return REQ_NONE;
}

const char *request_help(enum request r)
{
	return r >= 0 && r < REQUEST_COUNT ? helps[r] : "?";
}

const char *key_name(int key, char buf[16])
{
	switch (key) {
	case TK_UP: return "Up";
	case TK_DOWN: return "Down";
	case TK_LEFT: return "Left";
	case TK_RIGHT: return "Right";
	case TK_PGUP: return "PgUp";
	case TK_PGDN: return "PgDn";
	case TK_HOME: return "Home";
	case TK_END: return "End";
	case TK_BACKTAB: return "Shift-Tab";
	case TK_F1: return "F1";
	case TK_ENTER: return "Enter";
	case TK_TAB: return "Tab";
	case TK_ESC: return "Esc";
	case ' ': return "Space";
	default: break;
	}
	if (key > 0 && key < 32)
		snprintf(buf, 16, "Ctrl-%c", key + 'A' - 1);
	else if (key > 32 && key < 127)
		snprintf(buf, 16, "%c", key);
	else
		snprintf(buf, 16, "U+%04X", (unsigned)key);
	return buf;
}

void keymap_keys_of(enum request r, struct strbuf *out)
{
	bool first = true;
	for (size_t i = 0; i < keymap_count; i++) {
		if (keymap_default[i].req != r)
			continue;
		char buf[16];
		if (!first)
			strbuf_addch(out, ' ');
		strbuf_adds(out, key_name(keymap_default[i].key, buf));
		first = false;
	}
}
