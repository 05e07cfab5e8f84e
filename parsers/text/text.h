#ifndef MORTEM_TEXT_H
#define MORTEM_TEXT_H

/*
 * Shared tools for the line-driven text parsers: a line reader over the
 * whole buffer (memchr, CRLF stripped, never reads past the end, a last
 * line without newline included) and small scanners that never allocate.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "analyzer/model/dump.h"

struct line {
	const char *s;   /* not NUL-terminated */
	size_t len;      /* without the line end and any trailing \r */
	size_t no;       /* 1-based line number */
};

struct line_reader {
	const char *p, *end;
	size_t no;
	size_t max;      /* the longest line kept */
	size_t *cut;     /* counts the lines cut, or NULL */
	/*
	 * On an input in a file mapping (d->input_map), the pages behind the
	 * reader are given back as it goes, and all of them at the end, so a
	 * 100 MB dump does not stay resident while its model is built and
	 * analysed: the first page not given back yet (NULL: none are), where
	 * the reader next gives pages back, and the mapping's end.
	 */
	const char *drop_from, *drop_at, *map_end;
	/*
	 * Ahead of the reader, a big input's mapping is replaced by a copy of
	 * the same bytes in huge pages read from the file (FD; -1: not done,
	 * as where the kernel gives no huge pages),
	 * from COPIED_FROM (NULL: none yet) up to COPIED_END, where the first
	 * touch of each 4 KB page of a file mapping costs more than reading the
	 * file (text_set_ahead). MAP is the mapping's start (the file's offset
	 * 0).
	 */
	const char *map, *copied_from, *copied_end;
	int fd;
};

/*
 * Whether readers over a big mapped input copy ahead. TEXT_AHEAD_PROBE
 * (the default): the first such reader of the process times the first
 * touch of its pages through the file mapping, and copies are made, by it
 * and every reader after it, when a 4 KB page costs more than
 * AHEAD_SLOW_TOUCH_NS (a copy costs about 1.9 us a page, the first touch
 * through a mapping 0.01-0.5 us on some of this project's VMs, a few us on
 * others). The others choose (tests).
 */
enum text_ahead { TEXT_AHEAD_PROBE, TEXT_AHEAD_COPY, TEXT_AHEAD_MAP };
#define AHEAD_SLOW_TOUCH_NS 1500L
void text_set_ahead(enum text_ahead how);
/* What the probe measured, ns a page; -1: no probe yet (or a choice was set). */
long text_ahead_touch_ns(void);

/* The longest line kept when nothing else is asked (--max-line). */
#define TEXT_MAX_LINE_DEFAULT ((size_t)1 << 20)

/* A reader over LEN bytes at DATA with the default line limit (probes, helpers). */
void line_reader_init(struct line_reader *r, const void *data, size_t len);
/*
 * A reader for a parse into D: lines are cut at d->max_line (--max-line;
 * 0: the default) and counted in d->lines_cut, which the pipeline turns
 * into one warning.
 */
void line_reader_open(struct line_reader *r, struct dump *d, const void *data, size_t len);
/*
 * A reader over DATA (LEN bytes) that lies in the read-only file mapping
 * MAP (MAP_LEN bytes of descriptor FD from its offset 0; MAP NULL: not in
 * one), for a pass that has no dump: it reads ahead and gives pages back
 * as line_reader_open's does. Lines are cut at the default length.
 */
void line_reader_over(struct line_reader *r, const void *data, size_t len, const void *map,
		      size_t map_len, int fd);
/* Gives back the mapped pages well behind R's position, or all at the end (line_next calls it). */
void line_reader_drop(struct line_reader *r);
/*
 * The next line into L; false at the end of the input. A line longer than
 * the reader's max is cut to that length (the rest of it is skipped), so
 * that a pathological line (1 GB of junk) costs no more than a long one.
 * Inline: every line of every text dump comes through here.
 */
static inline bool line_next(struct line_reader *r, struct line *l)
{
	if (r->drop_from && r->p >= r->drop_at)
		line_reader_drop(r);
	if (r->p >= r->end)
		return false;
	const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	const char *stop = nl ? nl : r->end;
	l->s = r->p;
	l->len = (size_t)(stop - r->p);
	if (__builtin_expect(l->len > r->max, 0)) {
		l->len = r->max;
		if (r->cut)
			(*r->cut)++;
	}
	while (l->len && l->s[l->len - 1] == '\r')
		l->len--;
	l->no = ++r->no;
	r->p = nl ? nl + 1 : r->end;
	return true;
}
/*
 * Done with R where it is, before its end perhaps (a part of a split parse
 * that stops at a line it leaves to another reader): gives back the pages
 * behind it and those it copied ahead.
 */
void line_reader_end(struct line_reader *r);
/* Pushes L back so the next line_next returns it again (one level). */
void line_unread(struct line_reader *r, const struct line *l);

/* A slice of text; functions below take and return these. */
struct span {
	const char *s;
	size_t len;
};

static inline struct span span_of(const struct line *l) { return (struct span){ l->s, l->len }; }
/* Blanks a span is trimmed of: space, tab, CR, FF, VT (not LF: lines have none). */
static inline bool text_is_ws(char c)
{
	const uint64_t blanks = 1ULL << ' ' | 1ULL << '\t' | 1ULL << '\r' | 1ULL << '\f' | 1ULL << '\v';
	unsigned char u = (unsigned char)c;
	return u <= ' ' && (blanks >> u & 1); /* one compare for most bytes */
}
/* X without its leading blanks. Inline: every line of every dump goes through it. */
static inline struct span span_skip_ws(struct span x)
{
	while (x.len && text_is_ws(*x.s)) {
		x.s++;
		x.len--;
	}
	return x;
}
/* X without its leading and trailing blanks. */
static inline struct span span_trim(struct span x)
{
	x = span_skip_ws(x);
	while (x.len && text_is_ws(x.s[x.len - 1]))
		x.len--;
	return x;
}
/* Inline, so that the length of a literal PREFIX or S is folded at compile time. */
static inline bool span_starts(struct span x, const char *prefix)
{
	size_t n = __builtin_strlen(prefix);
	return x.len >= n && !__builtin_memcmp(x.s, prefix, n);
}
static inline bool span_eq(struct span x, const char *s)
{
	return x.len == __builtin_strlen(s) && !__builtin_memcmp(x.s, s, x.len);
}
/* Where the N bytes at NEEDLE first occur in X, or -1. */
long span_find_n(struct span x, const char *needle, size_t n);
/* Where NEEDLE first occurs in X, or -1 (inline: a one-byte literal is a memchr). */
static inline long span_find(struct span x, const char *needle)
{
	size_t n = __builtin_strlen(needle);
	if (n != 1)
		return span_find_n(x, needle, n);
	const char *q = x.len ? memchr(x.s, needle[0], x.len) : NULL;
	return q ? q - x.s : -1;
}
/* Drops N bytes from the front (clamped). */
static inline struct span span_drop(struct span x, size_t n)
{
	if (n > x.len)
		n = x.len;
	if (!n)
		return x; /* x.s may be NULL: no arithmetic on it */
	return (struct span){ x.s + n, x.len - n };
}

/*
 * Parses an unsigned number at the front of *X: "0x..." hex when HEX_OK and
 * prefixed, decimal otherwise. Advances *X past it. Returns false (and
 * leaves *X) when there are no digits.
 */
bool span_number(struct span *x, uint64_t *out);
/* Parses hex digits (with or without 0x) at the front of *X. */
bool span_hex(struct span *x, uint64_t *out);
/*
 * atoi and strtoull(.., 10) on the text of X, never reading past its end
 * (a span at the end of the input has no NUL after it; a mapped file may
 * end at a page boundary): the number at its front, clamped as they clamp.
 */
int span_atoi(struct span x);
unsigned long long span_atoull(struct span x);
/*
 * Where the ":DIGITS" that ends X begins (the index of its ':'), or X's
 * length when X does not end so: "File.java:12" gives 9, "a:" and "12" give
 * their length.
 */
size_t span_colon_number(struct span x);
/*
 * The length of the run of non-blanks at S (LEN bytes), eight bytes at a
 * time: a word of a thread header is 5-20 bytes. A byte below '!' is
 * found by the borrow trick (the lowest byte flagged is always one); only
 * then is it asked whether it is a blank (a control byte is part of a word).
 */
static inline size_t span_word_len(const char *s, size_t len)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	size_t n = 0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ /* the first byte is the lowest */
	while (len - n >= 8) {
		uint64_t v;
		memcpy(&v, s + n, 8);
		uint64_t low = (v - ones * '!') & ~v & highs;
		if (!low) {
			n += 8;
			continue;
		}
		n += (size_t)__builtin_ctzll(low) / 8;
		if (text_is_ws(s[n]))
			return n;
		n++;
	}
#endif
	while (n < len && !text_is_ws(s[n]))
		n++;
	return n;
}

/* The next whitespace-separated word of *X, advancing past it (inline: thread headers are words). */
static inline struct span span_word(struct span *x)
{
	struct span y = span_skip_ws(*x);
	size_t n = y.len ? span_word_len(y.s, y.len) : 0;
	*x = span_drop(y, n);
	return (struct span){ y.s, n };
}

#endif
