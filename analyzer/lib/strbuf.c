#include "analyzer/lib/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "analyzer/lib/arena.h"

char strbuf_empty[1];

void strbuf_init(struct strbuf *sb, size_t hint)
{
	sb->len = 0;
	sb->alloc = 0;
	sb->buf = strbuf_empty;
	if (hint)
		strbuf_grow(sb, hint);
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb, 0);
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
}

/*
 * A big buffer (a cleaned 100 MB dump) is written once from end to end:
 * huge pages spare most of its page faults. malloc maps such sizes on their
 * own, so the advice covers only this buffer.
 */
static void advise_huge(char *buf, size_t alloc)
{
	const uintptr_t huge = 2u << 20;
	if (alloc < 4 * huge)
		return;
	uintptr_t start = ((uintptr_t)buf + huge - 1) & ~(huge - 1);
	uintptr_t end = ((uintptr_t)buf + alloc) & ~(huge - 1);
#ifdef MADV_HUGEPAGE
	if (end > start)
		madvise((void *)start, end - start, MADV_HUGEPAGE);
#endif
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->alloc)
		return;
	size_t want = sb->len + extra + 1;
	size_t alloc = sb->alloc ? sb->alloc : 64;
	while (alloc < want)
		alloc = alloc / 2 * 3 + 16;
	if (sb->alloc) {
		sb->buf = xrealloc(sb->buf, alloc);
	} else {
		sb->buf = xmalloc(alloc);
		sb->buf[0] = '\0';
	}
	sb->alloc = alloc;
	advise_huge(sb->buf, alloc);
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(sb->buf + sb->len, sb->alloc ? sb->alloc - sb->len : 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if (sb->len + (size_t)n + 1 > sb->alloc) {
		strbuf_grow(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
}

/* Decimal digits of V, written backwards from END, two at a time; returns the first digit. */
char *decimal_before(char *end, unsigned long long v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		end -= 2;
		memcpy(end, pairs + 2 * r, 2);
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, pairs + 2 * v, 2);
	} else {
		*--end = (char)('0' + v);
	}
	return end;
}

/* Appends the N bytes at P (at most 24) straight into SB's grown buffer. */
static void add_short(struct strbuf *sb, const char *p, size_t n)
{
	if (sb->len + 25 > sb->alloc)
		strbuf_grow(sb, 24);
	memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void strbuf_adduint(struct strbuf *sb, unsigned long long v)
{
	char buf[24];
	char *p = decimal_before(buf + sizeof(buf), v);
	add_short(sb, p, (size_t)(buf + sizeof(buf) - p));
}

static const char hex_digits[] = "0123456789abcdef";

void strbuf_addx(struct strbuf *sb, unsigned long long v)
{
	char buf[16], *p = buf + sizeof(buf);
	do
		*--p = hex_digits[v & 15];
	while (v >>= 4);
	add_short(sb, p, (size_t)(buf + sizeof(buf) - p));
}

void strbuf_addhex(struct strbuf *sb, const void *data, size_t len)
{
	const unsigned char *p = data;
	strbuf_grow(sb, 2 * len);
	for (size_t i = 0; i < len; i++) {
		sb->buf[sb->len++] = hex_digits[p[i] >> 4];
		sb->buf[sb->len++] = hex_digits[p[i] & 15];
	}
	sb->buf[sb->len] = '\0';
}

void strbuf_addint(struct strbuf *sb, long long v)
{
	char buf[24];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	char *p = decimal_before(buf + sizeof(buf), u);
	if (v < 0)
		*--p = '-';
	add_short(sb, p, (size_t)(buf + sizeof(buf) - p));
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	if (!sb->alloc)
		strbuf_grow(sb, 0);
	char *p = sb->buf;
	if (len)
		*len = sb->len;
	strbuf_init(sb, 0);
	return p;
}

int error_set(struct strbuf *err, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	strbuf_reset(err);
	strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	return -1;
}
