#ifndef MORTEM_TUI_KEYS_H
#define MORTEM_TUI_KEYS_H

/*
 * What a key can ask the browser to do (a request), defined once; and the
 * default key map, as data, from which both the dispatcher and the help
 * (the `h` screen, `mortem browse --keys`, doc/browser.md, doc/mortem.1) come.
 *
 * X(enum name, name, help text)
 */
#include <stddef.h>

#include "analyzer/lib/strbuf.h"

#define REQUESTS(X)                                                         \
	X(REQ_UP, "up", "move up")                                          \
	X(REQ_DOWN, "down", "move down")                                    \
	X(REQ_PAGE_UP, "page-up", "move up a screen")                       \
	X(REQ_PAGE_DOWN, "page-down", "move down a screen")                 \
	X(REQ_FIRST, "first", "go to the first line")                       \
	X(REQ_LAST, "last", "go to the last line")                          \
	X(REQ_OPEN, "open", "open what the cursor is on: stack, source, evidence, group") \
	X(REQ_CLOSE, "close", "go back; quit from the top")                 \
	X(REQ_BACK, "back", "go back (never quits: stops at the pane's first view)") \
	X(REQ_QUIT, "quit", "quit at once")                                 \
	X(REQ_CRASHED, "crashed", "the crashed thread's stack, from anywhere") \
	X(REQ_OWNER, "owner", "from a waiting thread to the thread that holds what it waits for") \
	X(REQ_SAVE, "save", "save the stack shown (elsewhere: the whole report) to a file") \
	X(REQ_COPY, "copy", "copy the stack shown to the clipboard (OSC 52, where the terminal allows)") \
	X(REQ_NEXT_PANE, "next-pane", "switch to the next pane")            \
	X(REQ_PREV_PANE, "prev-pane", "switch to the previous pane")        \
	X(REQ_PANE_SUMMARY, "summary", "the summary pane")                  \
	X(REQ_PANE_THREADS, "threads", "the threads pane")                  \
	X(REQ_PANE_FINDINGS, "findings", "the findings pane")               \
	X(REQ_PANE_LOCKS, "locks", "the lock graph pane")                   \
	X(REQ_PANE_MODULES, "modules", "the modules pane")                  \
	X(REQ_PANE_SECTIONS, "sections", "the raw sections pane (hs_err)")  \
	X(REQ_SEARCH, "search", "search forward (PCRE2 regex, across threads)") \
	X(REQ_SEARCH_BACK, "search-back", "search backward")                \
	X(REQ_NEXT_HIT, "next-hit", "next match, on to the next thread")    \
	X(REQ_PREV_HIT, "prev-hit", "previous match")                       \
	X(REQ_FILTER, "filter", "show only threads matching a state or text (regex)") \
	X(REQ_SORT, "sort", "cycle the threads' sort order")                \
	X(REQ_HELP, "help", "this help")                                    \
	X(REQ_REDRAW, "redraw", "redraw the screen")

#define X_ENUM(e, n, h) e,
enum request { REQ_NONE = -1, REQUESTS(X_ENUM) REQUEST_COUNT };
#undef X_ENUM

/* One binding of the default key map. */
struct keybinding {
	int key;                /* a term_key or a code point */
	enum request req;
};

extern const struct keybinding keymap_default[];
extern const size_t keymap_count;

/* The request KEY is bound to, or REQ_NONE. */
enum request keymap_lookup(int key);
/* The request's help text. */
const char *request_help(enum request r);
/* A key's printable name ("Up", "PgDn", "Enter", "j", "Ctrl-L"); NUL-terminated into BUF (16 bytes). */
const char *key_name(int key, char buf[16]);
/* Every key bound to R, as "Up k", into OUT (appended). */
void keymap_keys_of(enum request r, struct strbuf *out);

#endif
