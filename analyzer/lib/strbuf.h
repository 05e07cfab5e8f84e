#ifndef MORTEM_STRBUF_H
#define MORTEM_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable, always NUL-terminated byte buffer (after git's strbuf).
 * `buf` is never NULL; an empty strbuf points at a shared "" until it grows.
 */
struct strbuf {
	size_t len;
	size_t alloc;
	char *buf;
};

extern char strbuf_empty[];
#define STRBUF_INIT { 0, 0, strbuf_empty }

void strbuf_init(struct strbuf *sb, size_t hint);
/* Frees the memory and leaves SB empty and reusable. */
void strbuf_release(struct strbuf *sb);
/* Empties SB, keeping its memory. */
void strbuf_reset(struct strbuf *sb);
/* Makes room for EXTRA more bytes. */
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
/* Appends one byte (inline: JSON and text rendering call it per punctuation mark). */
static inline void strbuf_addch(struct strbuf *sb, int c)
{
	if (sb->len + 2 > sb->alloc)
		strbuf_grow(sb, 1);
	sb->buf[sb->len++] = (char)c;
	sb->buf[sb->len] = '\0';
}
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends V in decimal, as "%lld" / "%llu" would, without printf (hot paths). */
void strbuf_addint(struct strbuf *sb, long long v);
void strbuf_adduint(struct strbuf *sb, unsigned long long v);
/* Writes V in decimal to end just before END (at most 20 bytes) and returns where it begins. */
char *decimal_before(char *end, unsigned long long v);
/* Appends V in lowercase hex, as "%llx" would, without printf. */
void strbuf_addx(struct strbuf *sb, unsigned long long v);
/* Appends the LEN bytes at DATA as 2 * LEN lowercase hex digits (a build-id), without printf. */
void strbuf_addhex(struct strbuf *sb, const void *data, size_t len);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Hands the buffer to the caller (free() it); SB is left empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len);

/*
 * Records an error message in ERR (replacing any earlier one) and returns -1,
 * so library code can write `return error_set(err, "cannot open '%s'", p);`.
 * ERR may be NULL, in which case only -1 is returned.
 */
int error_set(struct strbuf *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
