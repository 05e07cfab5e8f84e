#ifndef MORTEM_JSONW_H
#define MORTEM_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "analyzer/lib/strbuf.h"

/*
 * A streaming JSON writer into a strbuf: compact output, commas handled,
 * strings escaped and repaired to valid UTF-8 (an invalid byte becomes
 * U+FFFD), so whatever bytes a dump holds, the output is valid JSON.
 * Only output: mortem parses JSON with jansson.
 */
struct jsonw {
	struct strbuf *out;
	/* when set, OUT is handed here whenever it passes 1 MiB */
	int (*flush)(void *ctx, struct strbuf *out);
	void *flush_ctx;
	int flush_error;          /* -1 once a flush failed; output is dropped after */
	int depth;
	bool after_key;
	bool need_comma[64];
};

void jsonw_init(struct jsonw *w, struct strbuf *out);
/*
 * Streams: after each closed object or array, when OUT holds more than
 * 1 MiB, FLUSH(CTX, OUT) takes its bytes and leaves it empty (writes them,
 * or swaps OUT's buffer for another: asyncout_take). FLUSH returns 0, or
 * -1 on a write error (later output is dropped; see flush_error).
 */
void jsonw_stream(struct jsonw *w, int (*flush)(void *ctx, struct strbuf *out), void *ctx);
/* Hands whatever OUT holds to the flush callback now (no-op without one). */
int jsonw_flush(struct jsonw *w);
void jsonw_obj_begin(struct jsonw *w);
void jsonw_obj_end(struct jsonw *w);
void jsonw_arr_begin(struct jsonw *w);
void jsonw_arr_end(struct jsonw *w);
/*
 * Before a value or key: the comma when one is due (nothing right after a
 * key). Inline, as the key and scalar writers below: a report writes a
 * dozen keys a thread, and a literal key's length is then known at
 * compile time.
 */
static inline void jsonw_before_value(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->need_comma[w->depth])
		strbuf_addch(w->out, ',');
	w->need_comma[w->depth] = true;
}

/* An object key (a plain ASCII name: written unescaped); the next value call writes its value. */
static inline void jsonw_key(struct jsonw *w, const char *key)
{
	size_t n = strlen(key);
	jsonw_before_value(w);
	if (w->out->len + n + 4 > w->out->alloc)
		strbuf_grow(w->out, n + 3);
	char *p = w->out->buf + w->out->len;
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	*p = '\0';
	w->out->len += n + 3;
	w->after_key = true;
}
void jsonw_str(struct jsonw *w, const char *s);        /* NULL writes null */
void jsonw_strn(struct jsonw *w, const char *s, size_t len);
void jsonw_int(struct jsonw *w, long long v);
void jsonw_uint(struct jsonw *w, unsigned long long v);
static inline void jsonw_bool(struct jsonw *w, bool v)
{
	jsonw_before_value(w);
	strbuf_add(w->out, v ? "true" : "false", v ? 4 : 5);
}
void jsonw_null(struct jsonw *w);
/* "0x..." lowercase hex string */
void jsonw_hex(struct jsonw *w, uint64_t v);
/* A value already written as JSON (LEN bytes at JSON), e.g. by another jsonw. */
void jsonw_raw(struct jsonw *w, const char *json, size_t len);

/* Appends S as a JSON string literal (quoted, escaped, UTF-8 repaired). */
void json_quote(struct strbuf *out, const char *s, size_t len);

#endif
