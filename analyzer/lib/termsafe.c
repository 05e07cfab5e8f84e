#include "analyzer/lib/termsafe.h"

#include <string.h>

/* The colour codes report_text writes (TERMSAFE_COLOR): plain SGR, nothing else. */
static const char *const sgr_kept[] = { "\033[0m", "\033[1m", "\033[2m", "\033[31m", "\033[32m",
					"\033[33m", "\033[35m", "\033[36m" };

static size_t kept_sgr(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(sgr_kept) / sizeof(sgr_kept[0]); i++) {
		size_t n = strlen(sgr_kept[i]);
		if (n <= len && !memcmp(s, sgr_kept[i], n))
			return n;
	}
	return 0;
}

/* The code point of the UTF-8 sequence at S (LEN bytes left) and its length in N, or -1. */
static long utf8_at(const unsigned char *s, size_t len, size_t *n)
{
	unsigned c = s[0];
	size_t need = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
	if (c >= 0xf5 || !need || need > len)
		return -1;
	long cp = c & (0x3f >> (need - 1));
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	*n = need;
	return cp;
}

static bool bidi_control(long cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* How many bytes at S pass unescaped (0: S[0] must be escaped). */
static size_t safe_run(const unsigned char *s, size_t len, unsigned keep)
{
	unsigned c = s[0];
	if (c == '\n' || c == '\t')
		return keep & TERMSAFE_LINES ? 1 : 0;
	if (c == 033)
		return keep & TERMSAFE_COLOR ? kept_sgr((const char *)s, len) : 0;
	if (c < 0x20 || c == 0x7f)
		return 0;
	if (c < 0x80)
		return 1;
	size_t n;
	long cp = utf8_at(s, len, &n);
	if (cp < 0)
		return c >= 0x80 && c < 0xa0 ? 0 : 1; /* a lone byte: only C1 is a control */
	return (cp >= 0x80 && cp < 0xa0) || bidi_control(cp) ? 0 : n;
}

static void add_escaped(struct strbuf *out, const unsigned char *s, size_t len, size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	unsigned c = s[0];
	const char *name = c == 033 ? "\\e" : c == '\r' ? "\\r" : c == '\n' ? "\\n" : c == '\t' ? "\\t"
			 : c == '\a' ? "\\a" : c == '\b' ? "\\b" : NULL;
	size_t n;
	long cp = c >= 0x80 ? utf8_at(s, len, &n) : -1;
	*used = 1;
	if (name) {
		strbuf_adds(out, name);
	} else if (cp >= 0) {
		*used = n;
		strbuf_addf(out, "\\u%04lx", cp);
	} else {
		char b[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
		strbuf_add(out, b, 4);
	}
}

void termsafe_add(struct strbuf *out, const char *s, size_t len, unsigned keep)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	strbuf_grow(out, len);
	while (i < len) {
		size_t start = i, n;
		while (i < len && (n = safe_run(p + i, len - i, keep)))
			i += n;
		strbuf_add(out, s + start, i - start);
		if (i < len) {
			add_escaped(out, p + i, len - i, &n);
			i += n;
		}
	}
}

void termsafe_adds(struct strbuf *out, const char *s)
{
	if (s)
		termsafe_add(out, s, strlen(s), 0);
}

bool termsafe_clean(const char *s, size_t len, unsigned keep)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;
	for (size_t i = 0; i < len; i += n)
		if (!(n = safe_run(p + i, len - i, keep)))
			return false;
	return true;
}
