#ifndef MORTEM_TUI_SEARCH_H
#define MORTEM_TUI_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer/lib/strbuf.h"

/*
 * The browser's regular expressions (PCRE2, JIT where available), compiled
 * once per pattern the user types. Smart case: a pattern with no upper-case
 * letter matches without regard to case.
 */
struct tregex;

/* Compiles PATTERN. Returns NULL with "bad regex at N: why" in ERR. */
struct tregex *tregex_new(const char *pattern, struct strbuf *err);
/* Whether RE matches anywhere in the LEN bytes at S (never fails: an error is a no). */
bool tregex_match(struct tregex *re, const char *s, size_t len);
/* The pattern as typed. */
const char *tregex_pattern(const struct tregex *re);
/* Frees RE; NULL is a no-op. */
void tregex_free(struct tregex *re);

#endif
