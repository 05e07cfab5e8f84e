#define PCRE2_CODE_UNIT_WIDTH 8
#include "tui/search.h"

#include <ctype.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/lib/arena.h"

struct tregex {
	pcre2_code *code;
	pcre2_match_data *md;
	char *pattern;
};

static bool has_upper(const char *s)
{
	for (; *s; s++)
		if (isupper((unsigned char)*s))
			return true;
	return false;
}

struct tregex *tregex_new(const char *pattern, struct strbuf *err)
{
	int ec;
	PCRE2_SIZE off;
	uint32_t flags = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	if (!has_upper(pattern))
		flags |= PCRE2_CASELESS;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, flags, &ec, &off, NULL);
	if (!code) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		error_set(err, "bad regex at %zu: %s", (size_t)off, (const char *)msg);
		return NULL;
	}
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* optional: interpreted when JIT is absent */
	struct tregex *re = xcalloc(1, sizeof(*re));
	re->code = code;
	re->md = pcre2_match_data_create_from_pattern(code, NULL);
	re->pattern = xstrdup(pattern);
	return re;
}

bool tregex_match(struct tregex *re, const char *s, size_t len)
{
	return pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, re->md, NULL) >= 0;
}

const char *tregex_pattern(const struct tregex *re)
{
	return re->pattern;
}

void tregex_free(struct tregex *re)
{
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re->pattern);
	free(re);
}
