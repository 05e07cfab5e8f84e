#include "tui/term.h"

#include <curses.h>
#include <term.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "analyzer/lib/arena.h"

static SCREEN *screen;
static FILE *tty_in, *tty_out;
static bool have_color;
static volatile sig_atomic_t closing;

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGABRT,
				     SIGBUS, SIGFPE, SIGILL };

static const struct {
	int color, attrs;
} styles[] = {
#define X_STYLE(e, c, a) { c, a },
	TERM_STYLES(X_STYLE)
#undef X_STYLE
};

static void restore_terminal(void)
{
	if (!screen || closing)
		return;
	closing = 1;
	endwin();
}

/* Puts the terminal back, then lets the signal do what it would have done. */
static void on_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
}

static void remove_handlers(void)
{
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		signal(fatal_signals[i], SIG_DFL);
}

static chtype style_attr(int style)
{
	int s = style & 0xff;
	if (s >= TERM_STYLE_COUNT)
		s = ST_NORMAL;
	int a = styles[s].attrs;
	chtype out = 0;
	bool colored = have_color && styles[s].color > 0;
	if (a & TA_BOLD)
		out |= A_BOLD;
	if (a & TA_UNDERLINE)
		out |= A_UNDERLINE;
	if (a & TA_REVERSE)
		out |= A_REVERSE;
	if (a & TA_DIM)
		out |= have_color ? A_DIM : 0;
	if (!have_color && (s == ST_CRITICAL || s == ST_HIGH || s == ST_ERROR || s == ST_MARK))
		out |= A_BOLD; /* NO_COLOR: emphasis survives as bold */
	if (colored)
		out |= COLOR_PAIR(s);
	if (style & ST_SELECTED)
		out |= A_REVERSE;
	return out;
}

static void init_colors(void)
{
	static const short curses_colors[] = { 0, COLOR_RED, COLOR_GREEN, COLOR_YELLOW,
					       COLOR_BLUE, COLOR_MAGENTA, COLOR_CYAN };
	start_color();
	use_default_colors(); /* the terminal's own background and foreground */
	for (int s = 0; s < TERM_STYLE_COUNT; s++)
		if (styles[s].color > 0)
			init_pair((short)s, curses_colors[styles[s].color], -1);
}

int term_open(bool color, struct strbuf *err)
{
	setlocale(LC_ALL, "");
	const char *term = getenv("TERM");
	if (!term || !*term)
		return error_set(err, "no terminal: TERM is not set (use 'mortem report')");
	tty_in = fopen("/dev/tty", "r");
	tty_out = tty_in ? fopen("/dev/tty", "w") : NULL;
	if (!tty_in || !tty_out) {
		if (tty_in)
			fclose(tty_in);
		tty_in = NULL;
		return error_set(err, "no terminal to draw on (use 'mortem report')");
	}
	screen = newterm(NULL, tty_out, tty_in);
	if (!screen) {
		fclose(tty_in);
		fclose(tty_out);
		tty_in = tty_out = NULL;
		return error_set(err, "cannot use terminal type '%s' (use 'mortem report')", term);
	}
	set_term(screen);
	closing = 0;
	install_handlers();
	cbreak(); /* Ctrl-C still raises SIGINT, which restores the terminal */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	have_color = color && has_colors();
	if (have_color)
		init_colors();
	/* presses only, reported at once (no waiting to tell clicks from double clicks) */
	mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	return 0;
}

void term_close(void)
{
	if (!screen)
		return;
	restore_terminal();
	remove_handlers();
	delscreen(screen);
	screen = NULL;
	fclose(tty_in);
	fclose(tty_out);
	tty_in = tty_out = NULL;
}

int term_rows(void)
{
	return LINES;
}

int term_cols(void)
{
	return COLS;
}

void term_begin(void)
{
	erase();
}

void term_end(void)
{
	refresh();
}

/* Decodes one character of S (at most N bytes) into *WC; returns bytes used (>= 1). */
static size_t decode(const char *s, size_t n, wchar_t *wc)
{
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	size_t k = mbrtowc(wc, s, n, &st);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
		*wc = L'?';
		return 1;
	}
	return k;
}

static int char_width(wchar_t *wc)
{
	if (*wc == L'\t')
		*wc = L' ';
	int w = wcwidth(*wc);
	if (w < 0) {
		*wc = L'?';
		w = 1;
	}
	return w;
}

int term_width(const char *s)
{
	int w = 0;
	size_t n = s ? strlen(s) : 0;
	for (size_t i = 0; i < n;) {
		wchar_t wc;
		i += decode(s + i, n - i, &wc);
		w += char_width(&wc);
	}
	return w;
}

int term_put(int row, int col, int width, int style, const char *s)
{
	if (!s || width <= 0 || row < 0 || row >= LINES || col >= COLS)
		return 0;
	if (col + width > COLS)
		width = COLS - col;
	static wchar_t *buf;
	static size_t alloc;
	size_t n = strlen(s);
	ALLOC_GROW(buf, (size_t)width + 1, alloc);
	int used = 0;
	size_t nw = 0;
	for (size_t i = 0; i < n;) {
		wchar_t wc;
		i += decode(s + i, n - i, &wc);
		int w = char_width(&wc);
		if (used + w > width)
			break;
		if (w == 0 && nw == 0)
			continue; /* a combining mark with nothing to combine with */
		buf[nw++] = wc;
		used += w;
	}
	buf[nw] = 0;
	attrset(style_attr(style));
	mvaddnwstr(row, col, buf, (int)nw);
	attrset(A_NORMAL);
	return used;
}

/* Bytes of S that fit in WIDTH columns. */
static size_t fit_bytes(const char *s, int width)
{
	size_t n = strlen(s), i = 0;
	int used = 0;
	while (i < n) {
		wchar_t wc;
		size_t k = decode(s + i, n - i, &wc);
		int w = char_width(&wc);
		if (used + w > width)
			break;
		used += w;
		i += k;
	}
	return i;
}

int term_put_cut(int row, int col, int width, int style, const char *s, const char *tail)
{
	if (!s || width <= 0)
		return 0;
	int sw = term_width(s);
	if (sw <= width)
		return term_put(row, col, width, style, s);
	int tw = tail ? term_width(tail) : 0;
	if (!tail || tw + 2 > width)
		tail = "", tw = 0;
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, s, fit_bytes(s, width - tw - 1));
	strbuf_adds(&sb, "…");
	strbuf_adds(&sb, tail);
	int used = term_put(row, col, width, style, sb.buf);
	strbuf_release(&sb);
	return used;
}

int term_put_cut_front(int row, int col, int width, int style, const char *s, const char *tail)
{
	if (!s || width <= 0)
		return 0;
	if (term_width(s) <= width || width < 4)
		return term_put_cut(row, col, width, style, s, NULL);
	int tw = tail ? term_width(tail) : 0;
	if (!tail || tw + 4 > width)
		tail = s + strlen(s), tw = 0;
	/* from the start of the head, skip characters until the rest fits before the tail */
	size_t head = (size_t)(tail - s), from = 0;
	struct strbuf rest = STRBUF_INIT;
	for (;;) {
		strbuf_reset(&rest);
		strbuf_add(&rest, s + from, head - from);
		if (term_width(rest.buf) + tw + 1 <= width || from >= head)
			break;
		wchar_t wc;
		from += decode(s + from, head - from, &wc);
	}
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "…");
	strbuf_add(&sb, rest.buf, rest.len);
	strbuf_adds(&sb, tail);
	int used = term_put(row, col, width, style, sb.buf);
	strbuf_release(&sb);
	strbuf_release(&rest);
	return used;
}

void term_fill(int row, int col, int width, int style)
{
	if (width <= 0 || row < 0 || row >= LINES || col >= COLS)
		return;
	if (col + width > COLS)
		width = COLS - col;
	attrset(style_attr(style));
	mvhline(row, col, ' ', width);
	attrset(A_NORMAL);
}

void term_invalidate(void)
{
	clearok(curscr, TRUE);
}

static int translate_key(int code)
{
	switch (code) {
	case KEY_UP: return TK_UP;
	case KEY_DOWN: return TK_DOWN;
	case KEY_LEFT: return TK_LEFT;
	case KEY_RIGHT: return TK_RIGHT;
	case KEY_PPAGE: return TK_PGUP;
	case KEY_NPAGE: return TK_PGDN;
	case KEY_HOME: return TK_HOME;
	case KEY_END: return TK_END;
	case KEY_BTAB: return TK_BACKTAB;
	case KEY_F(1): return TK_F1;
	case KEY_BACKSPACE: return TK_BACKSPACE;
	case KEY_ENTER: return TK_ENTER;
	case KEY_RESIZE: return TK_RESIZE;
	case KEY_MOUSE: return TK_MOUSE;
	default: return TK_NONE;
	}
}

static void read_mouse(struct term_event *ev)
{
	MEVENT me;
	ev->button = TB_NONE;
	if (getmouse(&me) != OK)
		return;
	ev->row = me.y;
	ev->col = me.x;
	if (me.bstate & BUTTON4_PRESSED)
		ev->button = TB_WHEEL_UP;
	else if (me.bstate & BUTTON5_PRESSED)
		ev->button = TB_WHEEL_DOWN;
	else if (me.bstate & BUTTON1_DOUBLE_CLICKED)
		ev->button = TB_DOUBLE;
	else if (me.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))
		ev->button = TB_CLICK;
}

int term_read(struct term_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	for (;;) {
		wint_t wc;
		int rc = get_wch(&wc);
		if (rc == ERR)
			return -1;
		if (rc == KEY_CODE_YES) {
			ev->key = translate_key((int)wc);
			if (ev->key == TK_MOUSE)
				read_mouse(ev);
			if (ev->key != TK_NONE)
				return 0;
			continue;
		}
		if (wc == '\r')
			wc = '\n';
		if (wc == 127 || wc == 8)
			ev->key = TK_BACKSPACE;
		else
			ev->key = (int)wc;
		return 0;
	}
}

static void base64(const unsigned char *p, size_t n, struct strbuf *out)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		strbuf_addch(out, digits[v >> 18 & 63]);
		strbuf_addch(out, digits[v >> 12 & 63]);
		strbuf_addch(out, i + 1 < n ? digits[v >> 6 & 63] : '=');
		strbuf_addch(out, i + 2 < n ? digits[v & 63] : '=');
	}
}

int term_clipboard(const char *text, size_t len, struct strbuf *err)
{
	if (!screen)
		return error_set(err, "no terminal");
	char cap[] = "Ms";
	const char *ms = tigetstr(cap);
	if (!ms || ms == (char *)-1)
		return error_set(err, "terminal type '%s' has no clipboard sequence (terminfo Ms)",
				 getenv("TERM") ? getenv("TERM") : "?");
	struct strbuf b64 = STRBUF_INIT;
	base64((const unsigned char *)text, len, &b64);
	char sel[] = "c";
	const char *seq = tiparm(ms, sel, b64.buf);
	if (seq) {
		fputs(seq, tty_out);
		fflush(tty_out);
	}
	strbuf_release(&b64);
	return seq ? 0 : error_set(err, "the terminal's clipboard sequence did not expand");
}

static void utf8_pop(struct strbuf *sb)
{
	while (sb->len && ((unsigned char)sb->buf[sb->len - 1] & 0xc0) == 0x80)
		sb->len--;
	if (sb->len)
		sb->len--;
	sb->buf[sb->len] = '\0';
}

int term_prompt(const char *label, const char *initial, struct strbuf *out)
{
	strbuf_reset(out);
	if (initial)
		strbuf_adds(out, initial);
	int row = LINES - 1;
	curs_set(1);
	int rc = -1;
	for (;;) {
		term_fill(row, 0, COLS, ST_NORMAL);
		int x = term_put(row, 0, COLS, ST_TITLE, label);
		/* show the end of a long line */
		const char *shown = out->buf;
		while (term_width(shown) > COLS - x - 1 && *shown)
			shown++;
		x += term_put(row, x, COLS - x, ST_NORMAL, shown);
		move(row, x < COLS ? x : COLS - 1);
		refresh();
		struct term_event ev;
		if (term_read(&ev) < 0)
			break;
		if (ev.key == TK_ENTER) {
			rc = 0;
			break;
		}
		if (ev.key == TK_ESC)
			break;
		if (ev.key == TK_BACKSPACE)
			utf8_pop(out);
		else if (ev.key == TK_CTRL('u'))
			strbuf_reset(out);
		else if (ev.key >= ' ' && ev.key < TK_BASE) {
			char mb[MB_LEN_MAX];
			mbstate_t st;
			memset(&st, 0, sizeof(st));
			size_t k = wcrtomb(mb, (wchar_t)ev.key, &st);
			if (k != (size_t)-1)
				strbuf_add(out, mb, k);
		}
	}
	curs_set(0);
	return rc;
}
