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

struct line {
	const char *s;   /* not NUL-terminated */
	size_t len;      /* without the line end and any trailing \r */
	size_t no;       /* 1-based line number */
};

struct line_reader {
	const char *p, *end;
	size_t no;
};

void line_reader_init(struct line_reader *r, const void *data, size_t len);
/*
 * The next line into L; false at the end of the input. A line longer than
 * text_max_line bytes is cut to that length (the rest of it is skipped), so
 * that a pathological line (1 GB of junk) costs no more than a long one;
 * text_lines_cut counts the lines cut in this thread.
 */
bool line_next(struct line_reader *r, struct line *l);

/* The longest line kept (--max-line); 0: the default, TEXT_MAX_LINE_DEFAULT. */
extern size_t text_max_line;
#define TEXT_MAX_LINE_DEFAULT ((size_t)1 << 20)
/* Lines cut so far in this thread (the pipeline resets it and warns). */
extern _Thread_local size_t text_lines_cut;
/* Pushes L back so the next line_next returns it again (one level). */
void line_unread(struct line_reader *r, const struct line *l);

/* A slice of text; functions below take and return these. */
struct span {
	const char *s;
	size_t len;
};

static inline struct span span_of(const struct line *l) { return (struct span){ l->s, l->len }; }
struct span span_trim(struct span x);
struct span span_skip_ws(struct span x);
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
/* Where NEEDLE first occurs in X, or -1. */
long span_find(struct span x, const char *needle);
/* Drops N bytes from the front (clamped). */
struct span span_drop(struct span x, size_t n);

/*
 * Parses an unsigned number at the front of *X: "0x..." hex when HEX_OK and
 * prefixed, decimal otherwise. Advances *X past it. Returns false (and
 * leaves *X) when there are no digits.
 */
bool span_number(struct span *x, uint64_t *out);
/* Parses hex digits (with or without 0x) at the front of *X. */
bool span_hex(struct span *x, uint64_t *out);
/* The next whitespace-separated word of *X, advancing past it. */
struct span span_word(struct span *x);

#endif
