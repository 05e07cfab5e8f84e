#include "analyzer/lib/jsonw.h"

#include <stdio.h>
#include <string.h>

void jsonw_init(struct jsonw *w, struct strbuf *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

void jsonw_stream(struct jsonw *w, int (*flush)(void *ctx, struct strbuf *out), void *ctx)
{
	w->flush = flush;
	w->flush_ctx = ctx;
}

int jsonw_flush(struct jsonw *w)
{
	if (!w->flush)
		return 0;
	if (!w->flush_error && w->out->len && w->flush(w->flush_ctx, w->out) < 0)
		w->flush_error = -1;
	strbuf_reset(w->out); /* dropped after an error */
	return w->flush_error;
}

#define JSONW_FLUSH_AT (1 << 20)

static void open_(struct jsonw *w, char c)
{
	jsonw_before_value(w);
	strbuf_addch(w->out, c);
	if (w->depth < 63)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void close_(struct jsonw *w, char c)
{
	strbuf_addch(w->out, c);
	if (w->depth > 0)
		w->depth--;
	if (w->flush && w->out->len > JSONW_FLUSH_AT)
		jsonw_flush(w);
}

void jsonw_obj_begin(struct jsonw *w) { open_(w, '{'); }
void jsonw_obj_end(struct jsonw *w) { close_(w, '}'); }
void jsonw_arr_begin(struct jsonw *w) { open_(w, '['); }
void jsonw_arr_end(struct jsonw *w) { close_(w, ']'); }

void jsonw_strn(struct jsonw *w, const char *s, size_t len)
{
	jsonw_before_value(w);
	json_quote(w->out, s, len);
}

void jsonw_str(struct jsonw *w, const char *s)
{
	if (!s)
		jsonw_null(w);
	else
		jsonw_strn(w, s, strlen(s));
}

void jsonw_int(struct jsonw *w, long long v)
{
	jsonw_before_value(w);
	strbuf_addint(w->out, v);
}

void jsonw_uint(struct jsonw *w, unsigned long long v)
{
	jsonw_before_value(w);
	strbuf_adduint(w->out, v);
}

void jsonw_raw(struct jsonw *w, const char *json, size_t len)
{
	jsonw_before_value(w);
	strbuf_add(w->out, json, len);
	if (w->flush && w->out->len > JSONW_FLUSH_AT)
		jsonw_flush(w);
}

void jsonw_null(struct jsonw *w)
{
	jsonw_before_value(w);
	strbuf_adds(w->out, "null");
}

void jsonw_hex(struct jsonw *w, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char buf[24];
	char *p = buf + sizeof(buf);
	*--p = '"';
	do {
		*--p = digits[v & 15];
		v >>= 4;
	} while (v);
	*--p = 'x';
	*--p = '0';
	*--p = '"';
	jsonw_before_value(w);
	strbuf_add(w->out, p, (size_t)(buf + sizeof(buf) - p));
}

/* Length of the valid UTF-8 sequence at P (at most N bytes), or 0. */
static size_t utf8_valid(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len;
	unsigned min;
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	unsigned cp = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
		return 0;
	return len;
}

/* How many bytes at P are printable ASCII other than " and \ (need no escaping), 8 at a time. */
static size_t plain_run(const unsigned char *p, size_t len)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t x, q, b;
		memcpy(&x, p + i, 8);
		q = x ^ (ones * '"');
		b = x ^ (ones * '\\');
		/* a byte < 0x20, a zero byte of q or b (a quote, a backslash), or a high bit */
		if ((((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | x) & highs)
			break;
	}
	while (i < len && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' && p[i] != '\\')
		i++;
	return i;
}

void json_quote(struct strbuf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	strbuf_grow(out, len + 2);
	size_t i = plain_run(p, len);
	if (i == len) { /* most strings: nothing to escape, copied in one go */
		char *q = out->buf + out->len;
		q[0] = '"';
		memcpy(q + 1, s, len);
		q[len + 1] = '"';
		q[len + 2] = '\0';
		out->len += len + 2;
		return;
	}
	strbuf_addch(out, '"');
	strbuf_add(out, p, i);
	while (i < len) {
		unsigned char c = p[i];
		size_t run = i + plain_run(p + i, len - i);
		if (run > i) {
			strbuf_add(out, p + i, run - i);
			i = run;
			continue;
		}
		switch (c) {
		case '"': strbuf_adds(out, "\\\""); i++; continue;
		case '\\': strbuf_adds(out, "\\\\"); i++; continue;
		case '\n': strbuf_adds(out, "\\n"); i++; continue;
		case '\r': strbuf_adds(out, "\\r"); i++; continue;
		case '\t': strbuf_adds(out, "\\t"); i++; continue;
		default: break;
		}
		if (c < 0x20) {
			strbuf_addf(out, "\\u%04x", c);
			i++;
			continue;
		}
		size_t n = utf8_valid(p + i, len - i);
		if (n) {
			strbuf_add(out, p + i, n);
			i += n;
		} else {
			strbuf_adds(out, "\xef\xbf\xbd");
			i++;
		}
	}
	strbuf_addch(out, '"');
}
