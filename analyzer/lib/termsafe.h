#ifndef MORTEM_TERMSAFE_H
#define MORTEM_TERMSAFE_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer/lib/strbuf.h"

/*
 * Text for a terminal or a log, whatever bytes a dump put in it: a thread
 * named "\e]52;c;...\a" must not write the user's clipboard, a path holding
 * "\r" or "\e[2J" must not rewrite the screen. Every control character is
 * shown escaped instead of sent: ESC as "\e", CR as "\r", BEL as "\a", the
 * rest of C0 and DEL as "\xNN", C1 controls as "\u0080".."\u009f" (UTF-8)
 * or "\x80".."\x9f" (a lone byte), and the bidirectional overrides
 * (U+202A..U+202E, U+2066..U+2069) as "\u202e"; everything else, valid
 * UTF-8 included, passes unchanged.
 */

/* What passes as is (termsafe_add's KEEP). */
enum {
	TERMSAFE_LINES = 1,  /* "\n" and "\t": the layout of a multi-line text */
	TERMSAFE_COLOR = 2,  /* the SGR colour codes mortem itself writes (report_text's palette) */
};

/* Appends the LEN bytes at S to OUT, escaped as above except what KEEP lets through. */
void termsafe_add(struct strbuf *out, const char *s, size_t len, unsigned keep);

/* Appends the string S (NULL: nothing), every control character escaped ("\n" too). */
void termsafe_adds(struct strbuf *out, const char *s);

/* Whether the LEN bytes at S would pass termsafe_add(KEEP) unchanged. */
bool termsafe_clean(const char *s, size_t len, unsigned keep);

#endif
