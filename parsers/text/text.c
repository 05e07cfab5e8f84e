#include "parsers/text/text.h"

#include <string.h>
#include <sys/mman.h>

void line_reader_init(struct line_reader *r, const void *data, size_t len)
{
	r->p = data;
	r->end = r->p + len;
	r->no = 0;
	r->max = TEXT_MAX_LINE_DEFAULT;
	r->cut = NULL;
	r->drop_from = r->drop_at = NULL;
}

/*
 * Pages are given back every DROP_STEP bytes read, all but the last
 * DROP_KEEP bytes behind the reader (a parser looks back a line or two; a
 * page it reads again is read again from the file). DROP_ALIGN is a
 * multiple of every page size Linux uses for file mappings.
 */
#define DROP_STEP ((size_t)4 << 20)
#define DROP_KEEP ((size_t)1 << 20)
#define DROP_ALIGN ((uintptr_t)64 << 10)

void line_reader_open(struct line_reader *r, struct dump *d, const void *data, size_t len)
{
	line_reader_init(r, data, len);
	if (d->max_line)
		r->max = d->max_line;
	r->cut = &d->lines_cut;
	const char *map = d->input_map, *p = data;
	if (map && p >= map && len <= d->input_map_len && (size_t)(p - map) <= d->input_map_len - len &&
	    len > DROP_STEP) {
		/* whole pages of DATA only */
		r->drop_from = (const char *)(((uintptr_t)p + DROP_ALIGN - 1) & ~(DROP_ALIGN - 1));
		r->drop_at = r->drop_from + DROP_STEP;
	}
}

void line_reader_drop(struct line_reader *r)
{
	if ((size_t)(r->p - r->drop_from) > DROP_KEEP) {
		const char *to = (const char *)((uintptr_t)(r->p - DROP_KEEP) & ~(DROP_ALIGN - 1));
		if (to > r->drop_from && !madvise((void *)r->drop_from, (size_t)(to - r->drop_from), MADV_DONTNEED))
			r->drop_from = to;
	}
	r->drop_at = (size_t)(r->end - r->p) > DROP_STEP ? r->p + DROP_STEP : NULL;
#ifdef MADV_POPULATE_READ
	/* the next step's pages mapped in one call, not a fault every 64 KB */
	const char *from = (const char *)((uintptr_t)r->p & ~(DROP_ALIGN - 1));
	size_t n = (size_t)(r->end - from) < 2 * DROP_STEP ? (size_t)(r->end - from) : 2 * DROP_STEP;
	madvise((void *)from, n, MADV_POPULATE_READ);
#endif
}

void line_unread(struct line_reader *r, const struct line *l)
{
	r->p = l->s;
	r->no = l->no - 1;
}

long span_find_n(struct span x, const char *needle, size_t n)
{
	if (!n)
		return 0;
	if (x.len < n) /* also keeps an empty span {NULL, 0} out of pointer arithmetic */
		return -1;
	const char *p = x.s, *end = x.s + x.len;
	while ((size_t)(end - p) >= n) {
		const char *q = memchr(p, needle[0], (size_t)(end - p) - n + 1);
		if (!q)
			return -1;
		if (!memcmp(q, needle, n))
			return q - x.s;
		p = q + 1;
	}
	return -1;
}

/* Each byte's value as a hex digit plus one; 0 for a byte that is not one. */
static const unsigned char hexval1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

bool span_hex(struct span *x, uint64_t *out)
{
	struct span y = *x;
	if (y.len >= 2 && y.s[0] == '0' && (y.s[1] == 'x' || y.s[1] == 'X'))
		y = span_drop(y, 2);
	uint64_t v = 0;
	size_t n = 0;
	unsigned h;
	while (n < y.len && (h = hexval1[(unsigned char)y.s[n]]) != 0) {
		v = (v << 4) | (uint64_t)(h - 1);
		n++;
	}
	if (!n)
		return false;
	*out = v;
	*x = span_drop(y, n);
	return true;
}

bool span_number(struct span *x, uint64_t *out)
{
	if (x->len >= 2 && x->s[0] == '0' && (x->s[1] == 'x' || x->s[1] == 'X'))
		return span_hex(x, out);
	uint64_t v = 0;
	size_t n = 0;
	while (n < x->len && x->s[n] >= '0' && x->s[n] <= '9')
		v = v * 10 + (uint64_t)(x->s[n++] - '0');
	if (!n)
		return false;
	*out = v;
	*x = span_drop(*x, n);
	return true;
}

