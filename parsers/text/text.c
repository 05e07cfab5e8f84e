#include "parsers/text/text.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "analyzer/lib/fdio.h"
#include "analyzer/lib/hugemap.h"
#include "analyzer/lib/xalloc.h"

void line_reader_init(struct line_reader *r, const void *data, size_t len)
{
	r->p = data;
	r->end = r->p + len;
	r->no = 0;
	r->max = TEXT_MAX_LINE_DEFAULT;
	r->cut = NULL;
	r->drop_from = r->drop_at = r->map_end = NULL;
	r->map = r->copied_from = r->copied_end = NULL;
	r->fd = -1;
}

/*
 * Pages are given back every DROP_STEP bytes read, all but the last
 * DROP_KEEP bytes behind the reader (a parser looks back a line or two; a
 * page it reads again is read again from the file). Ahead, the next two
 * steps are read from the file into a copy (copy_ahead), or, when that is
 * not done, mapped in one call (MADV_POPULATE_READ) rather than a fault
 * every 64 KB. At the end of the input the rest is given back.
 */
#define DROP_STEP HUGEMAP_PAGE
#define DROP_KEEP ((size_t)512 << 10)

static uintptr_t page_size(void)
{
	long n = sysconf(_SC_PAGESIZE);
	return n > 0 ? (uintptr_t)n : 4096;
}

static const char *page_down(const char *p, uintptr_t page)
{
	return (const char *)((uintptr_t)p & ~(page - 1));
}

/*
 * Whether a reader copies ahead (text_set_ahead): the probe's verdict,
 * taken once a process (TEXT_AHEAD_PROBE until then), or the test's choice.
 */
static _Atomic int ahead_how = TEXT_AHEAD_PROBE;
static _Atomic long ahead_touch_ns = -1;

void text_set_ahead(enum text_ahead how)
{
	atomic_store(&ahead_touch_ns, -1);
	atomic_store(&ahead_how, how);
}

long text_ahead_touch_ns(void)
{
	return atomic_load(&ahead_touch_ns);
}

static long elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000L + (b->tv_nsec - a->tv_nsec);
}

/*
 * What a first read of a 4 KB page of [FROM, FROM + LEN) through its file
 * mapping costs, in ns: the least of AHEAD_PROBE_RUNS runs over the pages
 * of a piece each (a run the machine stalled in says nothing).
 */
#define AHEAD_PROBE_RUNS 4
static long first_touch_ns(const char *from, size_t len, uintptr_t page)
{
	size_t piece = len / AHEAD_PROBE_RUNS / page * page;
	long best = -1;
	for (int run = 0; piece && run < AHEAD_PROBE_RUNS; run++) {
		const volatile char *p = (const volatile char *)(from + (size_t)run * piece);
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (size_t at = 0; at < piece; at += page)
			(void)p[at];
		clock_gettime(CLOCK_MONOTONIC, &b);
		long ns = elapsed_ns(&a, &b) / (long)(piece / page);
		if (best < 0 || ns < best)
			best = ns;
	}
	return best;
}

/*
 * Whether copying ahead pays for the reader over [FROM, FROM + LEN): the
 * first big input a process reads decides, by the probe above, for the
 * rest of it (the cost is the machine's, not the file's).
 */
static bool copies_pay(const char *from, size_t len, uintptr_t page)
{
	int how = atomic_load(&ahead_how);
	if (how != TEXT_AHEAD_PROBE)
		return how == TEXT_AHEAD_COPY;
	long ns = first_touch_ns(from, len < DROP_STEP ? len : DROP_STEP, page);
	how = ns > AHEAD_SLOW_TOUCH_NS ? TEXT_AHEAD_COPY : TEXT_AHEAD_MAP;
	long unknown = -1; /* two readers probing at once: each goes by its own, the first is kept */
	if (atomic_compare_exchange_strong(&ahead_touch_ns, &unknown, ns))
		atomic_store(&ahead_how, how);
	return how == TEXT_AHEAD_COPY;
}

static const char *own_end(const struct line_reader *r, uintptr_t page);

void line_reader_over(struct line_reader *r, const void *data, size_t len, const void *map_at,
		      size_t map_len, int fd)
{
	line_reader_init(r, data, len);
	uintptr_t map = (uintptr_t)map_at, p = (uintptr_t)data;
	if (map && p >= map && len <= map_len && p - map <= map_len - len && len > DROP_STEP) {
		uintptr_t page = page_size();
		r->drop_from = page_down((const char *)p + page - 1, page); /* whole pages of DATA only */
		r->copied_end = r->drop_from; /* copies too: another reader may read the page before */
		r->drop_at = data;  /* the first line_next maps the first steps */
		r->map = (const char *)map;
		r->map_end = r->map + map_len;
		/* input.c maps a big input at a huge-page boundary */
		if (fd >= 0 && !(map & (HUGEMAP_PAGE - 1)) && hugemap_available() &&
		    copies_pay(r->drop_from, (size_t)(own_end(r, page) - r->drop_from), page))
			r->fd = fd;
	}
}

void line_reader_open(struct line_reader *r, struct dump *d, const void *data, size_t len)
{
	line_reader_over(r, data, len, d->input_map, d->input_map_len, d->input_fd);
	if (d->max_line)
		r->max = d->max_line;
	r->cut = &d->lines_cut;
}

/*
 * Gives back [FROM, TO) (whole pages of the mapping): the file is mapped
 * over it again, which drops a copy's pages and the file's alike; without
 * a descriptor (no copies were made) the file's pages are dropped. False
 * when the kernel refused (the pages stay, with the same bytes).
 */
static bool give_back(struct line_reader *r, const char *from, const char *to)
{
	if (to <= from)
		return true;
	if (r->fd < 0)
		return !madvise((void *)from, (size_t)(to - from), MADV_DONTNEED);
	return mmap((void *)from, (size_t)(to - from), PROT_READ, MAP_PRIVATE | MAP_FIXED, r->fd,
		    (off_t)(from - r->map)) != MAP_FAILED;
}

/*
 * Where the pages R copies and gives back end: DATA's whole pages, and the
 * mapping's last (another reader may read the page after DATA).
 */
static const char *own_end(const struct line_reader *r, uintptr_t page)
{
	return r->end == r->map_end ? page_down(r->map_end + page - 1, page) : page_down(r->end, page);
}

/*
 * Replaces the mapping from the reader's step to two steps on by a copy of
 * the same bytes, read from the file into anonymous memory on huge pages
 * (present before the read, read-only after it). On a short read (the file
 * shrank) the file is mapped back and no more copies are made.
 */
static void copy_ahead(struct line_reader *r, uintptr_t page)
{
	const char *step = page_down(r->p, DROP_STEP);
	const char *from = step > r->copied_end ? step : r->copied_end;
	const char *limit = own_end(r, page);
	const char *to = (size_t)(limit - step) > 2 * DROP_STEP ? step + 2 * DROP_STEP : limit;
	if (to <= from)
		return;
	size_t len = (size_t)(to - from);
	size_t want = (size_t)((to < r->map_end ? to : r->map_end) - from);
	if (mmap((void *)from, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
		 0) == MAP_FAILED) {
		r->copied_end = limit; /* the file's mapping is still there: no more copies */
		return;
	}
	hugemap_advise((void *)from, len & ~(HUGEMAP_PAGE - 1));
#ifdef MADV_POPULATE_WRITE
	madvise((void *)from, len, MADV_POPULATE_WRITE);
#endif
	if (fd_pread_full(r->fd, (char *)from, want, (off_t)(from - r->map)) < 0 ||
	    mprotect((void *)from, len, PROT_READ)) {
		if (!give_back(r, from, to))
			die_oom(); /* neither the bytes nor the file: nothing honest to read */
		r->copied_end = limit;
		return;
	}
	if (!r->copied_from)
		r->copied_from = from;
	r->copied_end = to;
}

void line_reader_drop(struct line_reader *r)
{
	uintptr_t page = page_size();
	if (r->p >= r->end) { /* the end: all of it, the mapping's last partial page too */
		const char *to = own_end(r, page);
		const char *from = r->copied_from && r->copied_from < r->drop_from ? r->copied_from
										    : r->drop_from;
		if (r->copied_end > to && r->copied_from) /* copies past DATA's end: the same bytes */
			to = r->copied_end;
		give_back(r, from, to);
		r->drop_from = r->drop_at = NULL;
		return;
	}
	if (r->p > r->drop_from && (size_t)(r->p - r->drop_from) > DROP_KEEP) {
		/* whole steps: a big input is mapped in huge pages (input.c), which a part would split */
		const char *to = page_down(r->p - DROP_KEEP, DROP_STEP);
		if (to > r->drop_from && give_back(r, r->drop_from, to))
			r->drop_from = to;
	}
	r->drop_at = (size_t)(r->end - r->p) > DROP_STEP ? r->p + DROP_STEP : r->end;
	if (r->fd >= 0 && r->copied_end < own_end(r, page)) {
		copy_ahead(r, page);
		return;
	}
#ifdef MADV_POPULATE_READ
	const char *from = page_down(r->p, page);
	size_t n = (size_t)(r->end - from) < 2 * DROP_STEP ? (size_t)(r->end - from) : 2 * DROP_STEP;
	madvise((void *)from, n, MADV_POPULATE_READ);
#endif
}

void line_reader_end(struct line_reader *r)
{
	r->end = r->p;
	if (r->drop_from)
		line_reader_drop(r);
}

void line_unread(struct line_reader *r, const struct line *l)
{
	const char *stop = r->p > l->s && r->p[-1] == '\n' ? r->p - 1 : r->p; /* L's end, as read */
	if (r->cut && (size_t)(stop - l->s) > r->max)
		(*r->cut)--; /* it is counted again when it is read again */
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

/* X's first bytes as a C string (enough for any number: more digits only overflow the same way). */
static void span_cstr(struct span x, char buf[32])
{
	size_t n = x.len < 31 ? x.len : 31;
	memcpy(buf, x.s, n);
	buf[n] = '\0';
}

int span_atoi(struct span x)
{
	/* the common case, a line number: up to 9 digits first (no blank, sign or overflow) */
	int v = 0;
	size_t i = 0;
	while (i < x.len && i < 9 && x.s[i] >= '0' && x.s[i] <= '9')
		v = v * 10 + (x.s[i++] - '0');
	if (i && (i == x.len || x.s[i] < '0' || x.s[i] > '9'))
		return v;
	char buf[32];
	span_cstr(x, buf);
	return atoi(buf);
}

unsigned long long span_atoull(struct span x)
{
	char buf[32];
	span_cstr(x, buf);
	return strtoull(buf, NULL, 10);
}

size_t span_colon_number(struct span x)
{
	size_t i = x.len;
	while (i && x.s[i - 1] >= '0' && x.s[i - 1] <= '9')
		i--;
	return i < x.len && i && x.s[i - 1] == ':' ? i - 1 : x.len;
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

