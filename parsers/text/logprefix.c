#include "parsers/text/logprefix.h"

#include "analyzer/lib/hugemap.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/arena.h"
#include "parsers/text/text.h"

#define SAMPLE_LINES 2000
#define MAX_PREFIX 160

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_sep(char c) { return c == ' ' || c == '\t' || c == ':' || c == ']' || c == '>' || c == '|'; }

static char closing(char c)
{
	return c == '[' ? ']' : c == '(' ? ')' : c == '<' ? '>' : 0;
}

/*
 * Shape tokens: '9' a digit run, 'A' a run of 2+ capitals, '[' '(' '<' a
 * group up to its closing char (written as "[*]"), other bytes literal.
 */
static size_t shape_of(struct span x, size_t upto, struct strbuf *sh)
{
	size_t i = 0;
	strbuf_reset(sh);
	while (i < upto) {
		char c = x.s[i];
		if (is_digit(c)) {
			while (i < x.len && is_digit(x.s[i]))
				i++;
			strbuf_addch(sh, '9');
		} else if (is_upper(c) && i + 1 < x.len && is_upper(x.s[i + 1])) {
			while (i < x.len && is_upper(x.s[i]))
				i++;
			strbuf_addch(sh, 'A');
		} else if (closing(c)) {
			const char *e = memchr(x.s + i + 1, closing(c), x.len - i - 1);
			if (!e)
				return 0;
			strbuf_addch(sh, c);
			strbuf_addch(sh, '*');
			strbuf_addch(sh, closing(c));
			i = (size_t)(e - x.s) + 1;
		} else {
			strbuf_addch(sh, c);
			i++;
		}
	}
	return i;
}

/* How many bytes of X the shape SH matches at its start, or 0. */
static size_t shape_match(struct span x, const struct strbuf *sh)
{
	size_t i = 0;
	for (size_t k = 0; k < sh->len; k++) {
		char t = sh->buf[k];
		if (i >= x.len)
			return 0;
		if (t == '9') {
			if (!is_digit(x.s[i]))
				return 0;
			while (i < x.len && is_digit(x.s[i]))
				i++;
		} else if (t == 'A') {
			if (!(is_upper(x.s[i]) && i + 1 < x.len && is_upper(x.s[i + 1])))
				return 0;
			while (i < x.len && is_upper(x.s[i]))
				i++;
		} else if (closing(t) && k + 2 < sh->len && sh->buf[k + 1] == '*') {
			if (x.s[i] != t)
				return 0;
			const char *e = memchr(x.s + i + 1, closing(t), x.len - i - 1);
			if (!e)
				return 0;
			i = (size_t)(e - x.s) + 1;
			k += 2;
		} else {
			if (x.s[i] != t)
				return 0;
			i++;
		}
	}
	return i;
}

/*
 * A log prefix has a group ([main], (pid)) or several numbers (a time), and
 * none of the characters that start a dump's own lines: '#' (gdb/eu-stack
 * frames "#3  "), '"' (jstack thread headers), tabs (jstack frames).
 */
static bool meaningful(const struct strbuf *sh)
{
	if (strpbrk(sh->buf, "#\"\t"))
		return false;
	if (strchr(sh->buf, '*'))
		return true;
	size_t digits = 0;
	for (size_t i = 0; i < sh->len; i++)
		digits += sh->buf[i] == '9';
	return digits >= 2;
}

static bool is_binary(const unsigned char *data, size_t len)
{
	size_t n = len < 65536 ? len : 65536;
	if (n >= 4 && !memcmp(data, "\177ELF", 4))
		return true;
	return memchr(data, 0, n) != NULL;
}

struct sample {
	struct span lines[SAMPLE_LINES];
	size_t n;
	size_t padded;
};

static void take_sample(const unsigned char *data, size_t len, struct sample *s)
{
	struct line_reader r;
	struct line l;
	line_reader_init(&r, data, len);
	s->n = s->padded = 0;
	while (s->n < SAMPLE_LINES && line_next(&r, &l)) {
		if (!l.len)
			continue;
		if (l.s[l.len - 1] == ' ' || l.s[l.len - 1] == '\t')
			s->padded++;
		s->lines[s->n++] = span_of(&l);
	}
}

static size_t count_matches(const struct sample *s, const struct strbuf *sh)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) {
		/* a prefix is followed by the line's payload: "[New LWP 12]" is not one */
		size_t m = shape_match(s->lines[i], sh);
		if (m && m < s->lines[i].len)
			n++;
	}
	return n;
}

/* The best prefix shape for the sample into BEST; false when none. */
static bool find_prefix(const struct sample *s, struct strbuf *best)
{
	struct strbuf sh = STRBUF_INIT;
	size_t need = s->n * 8 / 10;
	if (need < 3)
		need = 3;
	bool found = false;
	for (size_t ref = 0; ref < s->n && ref < 5 && !found; ref++) {
		struct span x = s->lines[ref];
		size_t lim = x.len < MAX_PREFIX ? x.len : MAX_PREFIX;
		/* candidate ends, longest first */
		for (size_t end = lim; end > 0 && !found; end--) {
			if (!is_sep(x.s[end - 1]) || end == x.len)
				continue;
			if (!shape_of(x, end, &sh) || !meaningful(&sh))
				continue;
			/* the first line carries it too: a paste, not a log's own format */
			if (!shape_match(s->lines[0], &sh))
				continue;
			if (count_matches(s, &sh) >= need) {
				strbuf_reset(best);
				strbuf_add(best, sh.buf, sh.len);
				found = true;
			}
		}
	}
	strbuf_release(&sh);
	return found;
}

/* Whether the line ends inside a token that the next line goes on with. */
static bool cut_mid_token(struct span a, struct span b)
{
	char x = a.s[a.len - 1], y = b.s[0];
	return x != ' ' && x != '\t' && y != ' ' && y != '\t' && y != '"' && y != '#';
}

/*
 * The width a console or terminal multiplexer hard-wrapped the paste at
 * (tmux capture-pane, screen's hardcopy): the longest line's length W,
 * reached by at least 3 different lines, half of which or more end in
 * the middle of a token the next line goes on with ("... nid=0x2" / "71
 * waiting on condition"). Lines that are merely equal (one long line a
 * dump repeats) or end at a word (a fixed-width format) do not count.
 * 0 when the sample is not such a paste.
 */
static size_t wrap_width(const struct sample *s)
{
	size_t w = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->lines[i].len > w)
			w = s->lines[i].len;
	if (w < 40 || w > 512)
		return 0;
	size_t at_w = 0, cut = 0, distinct = 0;
	const struct span *seen[8];
	for (size_t i = 0; i + 1 < s->n; i++) {
		struct span a = s->lines[i];
		if (a.len != w)
			continue;
		at_w++;
		if (!cut_mid_token(a, s->lines[i + 1]))
			continue;
		cut++;
		bool again = false;
		for (size_t k = 0; k < distinct && !again; k++)
			again = !memcmp(seen[k]->s, a.s, w);
		if (!again && distinct < 8)
			seen[distinct++] = &s->lines[i];
	}
	return distinct >= 3 && cut * 2 >= at_w ? w : 0;
}

/* How the lines of the dumps' own formats begin: never the rest of a wrapped line. */
static bool starts_a_line(struct span x)
{
	static const char *const starts[] = { "#", "\"", "Thread ", "TID ", "PID ",
					      "Full thread dump", "JNI global", "---" };
	if (!x.len || x.s[0] == ' ' || x.s[0] == '\t')
		return true;
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (span_starts(x, starts[i]))
			return true;
	return false;
}

/*
 * A cleaning pass over IN into OUT, made room for IN's length: a big OUT is
 * asked for huge pages (its pages are written once each, and in a virtual
 * machine a first touch of a 4 KB page costs more than the writing).
 */
static void open_pass(struct line_reader *r, const struct input *in, struct strbuf *out)
{
	line_reader_over(r, in->data, in->len, in->map, in->map_len, in->fd);
	strbuf_grow(out, in->len);
	if (in->len >= 4 * HUGEMAP_PAGE)
		hugemap_advise_within(out->buf, out->alloc);
}

/*
 * Writes the paste with every line of exactly WIDTH bytes joined to the
 * next. A line wrapped at a space lost it (the console trims a row's
 * trailing blanks): one of WIDTH-1 or WIDTH-2 bytes is joined, with a
 * space, to a next line that does not start a line of its own.
 */
static void unwrap(const struct input *in, size_t width, struct strbuf *out,
		   struct logprefix_result *res)
{
	const unsigned char *data = in->data;
	size_t len = in->len;
	struct line_reader r;
	struct line l, next;
	open_pass(&r, in, out);
	while (line_next(&r, &l)) {
		struct span x = span_of(&l);
		strbuf_add(out, x.s, x.len);
		if (x.len == width && r.p < r.end) {
			res->unwrapped_lines++;
			continue;
		}
		if ((x.len == width - 1 || x.len == width - 2) && line_next(&r, &next)) {
			line_unread(&r, &next);
			if (!starts_a_line(span_of(&next))) {
				strbuf_addch(out, ' ');
				res->unwrapped_lines++;
				continue;
			}
		}
		strbuf_addch(out, '\n');
	}
	if (len && data[len - 1] != '\n' && out->len && out->buf[out->len - 1] == '\n')
		out->len--, out->buf[out->len] = 0;
	res->wrap_width = width;
}

int logprefix_clean(const struct input *in, struct strbuf *out, struct logprefix_result *res)
{
	const unsigned char *data = in->data;
	size_t len = in->len;
	if (!len || is_binary(data, len))
		return 0;
	size_t i = 0;
	while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
		i++;
	size_t j = i + 1;
	while (j < len && (data[j] == ' ' || data[j] == '\n' || data[j] == '\r' || data[j] == '\t'))
		j++;
	if (i < len && (data[i] == '{' || (data[i] == '[' && j < len && (data[j] == '{' || data[j] == ']'))))
		return 0; /* JSON: its own parsers */
	struct sample *s = xmalloc(sizeof(*s));
	take_sample(data, len, s);
	/* a log's lines carry the prefix; a wrapped paste's continuation rows do not */
	bool prefix = s->n >= 3 && find_prefix(s, &res->shape);
	size_t width = s->n >= 3 && !prefix ? wrap_width(s) : 0;
	if (width) {
		free(s);
		unwrap(in, width, out, res);
		return 1;
	}
	bool padding = s->n >= 3 && s->padded * 2 > s->n;
	free(s);
	if (!prefix && !padding)
		return 0;
	struct line_reader r;
	struct line l;
	open_pass(&r, in, out);
	while (line_next(&r, &l)) {
		struct span x = span_of(&l);
		if (prefix) {
			size_t n = shape_match(x, &res->shape);
			if (n) {
				x = span_drop(x, n);
				res->prefixed_lines++;
			}
		}
		size_t before = x.len;
		while (x.len && (x.s[x.len - 1] == ' ' || x.s[x.len - 1] == '\t'))
			x.len--;
		if (x.len != before)
			res->padded_lines++;
		strbuf_add(out, x.s, x.len);
		strbuf_addch(out, '\n');
	}
	/* keep a cut last line cut: no newline was there */
	if (len && data[len - 1] != '\n' && out->len)
		out->len--, out->buf[out->len] = 0;
	return 1;
}

void logprefix_result_release(struct logprefix_result *res)
{
	strbuf_release(&res->shape);
}
