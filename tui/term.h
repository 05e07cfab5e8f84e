#ifndef MORTEM_TUI_TERM_H
#define MORTEM_TUI_TERM_H

/*
 * The terminal: the only layer that touches curses. It opens the
 * controlling terminal (/dev/tty, as less does, so the dump may come on
 * stdin), draws clipped UTF-8 text in a few named styles, reads keys and
 * mouse events, and restores the terminal on every way out: term_close,
 * SIGINT/SIGTERM/SIGHUP, and a crash (SIGSEGV, SIGABRT, SIGBUS, SIGFPE,
 * SIGILL), after which the signal is raised again.
 */

#include <stdbool.h>
#include <stddef.h>

#include "analyzer/lib/strbuf.h"

/* Drawing styles: enum name, colour (curses COLOR_ name or -1: the terminal's), attribute without colour. */
#define TERM_STYLES(X)                                       \
	X(ST_NORMAL, -1, 0)                                  \
	X(ST_TITLE, -1, TA_BOLD)                             \
	X(ST_HEADER, -1, TA_BOLD | TA_UNDERLINE)             \
	X(ST_TAB, -1, 0)                                     \
	X(ST_TAB_ACTIVE, -1, TA_REVERSE | TA_BOLD)           \
	X(ST_CRITICAL, TC_RED, TA_BOLD)                      \
	X(ST_HIGH, TC_RED, 0)                                \
	X(ST_MEDIUM, TC_YELLOW, 0)                           \
	X(ST_LOW, TC_CYAN, 0)                                \
	X(ST_INFO, TC_BLUE, 0)                               \
	X(ST_GOOD, TC_GREEN, 0)                              \
	X(ST_MARK, TC_MAGENTA, TA_BOLD)                      \
	X(ST_DIM, -1, TA_DIM)                                \
	X(ST_MATCH, TC_YELLOW, TA_BOLD)                      \
	X(ST_STATUS, -1, TA_REVERSE)                         \
	X(ST_HELPLINE, -1, TA_BOLD)                          \
	X(ST_ERROR, TC_RED, TA_BOLD)

enum { TA_BOLD = 1, TA_UNDERLINE = 2, TA_REVERSE = 4, TA_DIM = 8 };
enum { TC_RED = 1, TC_GREEN, TC_YELLOW, TC_BLUE, TC_MAGENTA, TC_CYAN };

#define X_ENUM(e, c, a) e,
enum term_style { TERM_STYLES(X_ENUM) TERM_STYLE_COUNT };
#undef X_ENUM

/* OR into a style: draw it selected (reverse video). */
#define ST_SELECTED 0x100

/* Keys: Unicode code points for text, these above for the rest. */
enum term_key {
	TK_NONE = -1,
	TK_ENTER = '\n',
	TK_TAB = '\t',
	TK_ESC = 27,
	TK_BASE = 0x110000,
	TK_UP, TK_DOWN, TK_LEFT, TK_RIGHT, TK_PGUP, TK_PGDN, TK_HOME, TK_END,
	TK_BACKTAB, TK_F1, TK_BACKSPACE, TK_RESIZE, TK_MOUSE,
};

#define TK_CTRL(c) ((c) & 0x1f)

enum term_button { TB_NONE, TB_CLICK, TB_DOUBLE, TB_WHEEL_UP, TB_WHEEL_DOWN };

struct term_event {
	int key;                   /* a term_key or a code point */
	enum term_button button;   /* for TK_MOUSE */
	int row, col;              /* for TK_MOUSE */
};

/*
 * Opens the terminal for drawing and keys. COLOR false: attributes only.
 * Returns 0, or -1 with a message in ERR ("no terminal: ..."). Installs the
 * signal handlers that restore the terminal.
 */
int term_open(bool color, struct strbuf *err);
/* Restores the terminal (idempotent). */
void term_close(void);

int term_rows(void);
int term_cols(void);

/* Starts a frame (clears) and ends it (shows it, cursor hidden). */
void term_begin(void);
void term_end(void);

/*
 * Draws the UTF-8 text S (NULL: nothing) at ROW, COL in STYLE, clipped to
 * WIDTH columns (wide characters count double; control bytes and invalid
 * UTF-8 show as '?'). Returns the columns used.
 */
int term_put(int row, int col, int width, int style, const char *s);
/*
 * As term_put, but text wider than WIDTH ends in an ellipsis ("…") so a
 * reader sees it was cut. With TAIL (a suffix of S, or NULL), the cut
 * falls before TAIL, which is drawn whole when it fits ("very_long_fun…
 * at file.c:1234": a line number never loses digits).
 */
int term_put_cut(int row, int col, int width, int style, const char *s, const char *tail);
/*
 * As term_put_cut, but the ellipsis replaces the start of S, not its end
 * ("…Pool.take at Pool.java:88"): for names whose end says most (a Java
 * class and method). TAIL, a suffix of S (or NULL), is kept whole.
 */
int term_put_cut_front(int row, int col, int width, int style, const char *s, const char *tail);
/* Fills WIDTH columns at ROW, COL with blanks in STYLE. */
void term_fill(int row, int col, int width, int style);
/* Columns the UTF-8 text S takes on screen. */
int term_width(const char *s);

/* Makes the next term_end repaint the whole screen (after garbage from elsewhere). */
void term_invalidate(void);

/* Waits for a key or a mouse event. Returns 0, or -1 when the terminal is gone. */
int term_read(struct term_event *ev);

/*
 * Puts the LEN bytes at TEXT on the terminal's clipboard with the
 * terminal's own "set selection" sequence (terminfo Ms, OSC 52 on xterm,
 * tmux and most others). Returns 0 when the terminal says it has one (it
 * may still ignore it), or -1 with the reason in ERR.
 */
int term_clipboard(const char *text, size_t len, struct strbuf *err);

/*
 * Reads a line on the last row after LABEL, into OUT (replaced), starting
 * from INITIAL (may be NULL). Enter accepts (returns 0); Esc cancels
 * (returns -1).
 */
int term_prompt(const char *label, const char *initial, struct strbuf *out);

#endif
